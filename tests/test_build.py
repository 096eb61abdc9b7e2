"""Building the database from data/: content, idempotence, sample flags, failures, CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from collab_data.build import build
from collab_data.db import Database, get_database
from collab_data.sources import SourceError

ROOT = Path(__file__).resolve().parent.parent
COLLAB_TABLES = [
    "partners", "partner_memberships", "task_team_members", "tools", "tool_owners", "tool_topics",
    "tool_dimensions", "country_programs", "activities", "activity_partners", "activity_countries",
    "collaborations", "collaboration_partners", "kpi_targets",
]


@pytest.fixture(scope="module")
def sample_db(sample_db_path):
    # the process-wide handle, as the app and the page tests use it (one configuration per file)
    return get_database(sample_db_path)


def test_rebuild_gives_identical_content(sample_db_path, tmp_path):
    again = tmp_path / "again.duckdb"
    build(again, sample=True)
    b = Database(again, read_only=True)
    try:
        sums_a, sums_b = get_database(sample_db_path).table_checksums(), b.table_checksums()
    finally:
        b.close()
    assert sums_a == sums_b
    # filled by uploads and edits, not by the build
    user_state = {"column_mappings", "kpi_target_changes", "reporting_cycle_changes", "record_changes"}
    assert all(n > 0 for t, (n, _) in sums_a.items() if t not in user_state), "every table has rows in the sample build"


def test_real_reference_data(sample_db):
    n, with_income, lmic, ldc, sids = sample_db.rows(
        "SELECT count(*), count(income_group), count(*) FILTER (income_group IN "
        "('Low income','Lower middle income','Upper middle income')), count(*) FILTER (is_ldc), "
        "count(*) FILTER (is_sids) FROM countries"
    )[0]
    assert n >= 249 and with_income >= 215 and lmic >= 125 and ldc == 46 and sids >= 50
    kosovo = sample_db.rows("SELECT wb_name, income_group, m49 FROM countries WHERE iso3 = 'XKX'")
    assert kosovo == [("Kosovo", "Upper middle income", None)]
    # centroids for points, outlines for polygons
    assert sample_db.scalar("SELECT count(*) FROM countries WHERE lon IS NULL AND iso3 IN (SELECT iso3 FROM country_programs)") == 0
    assert sample_db.scalar("SELECT count(*) FROM country_shapes") >= 170


def test_lnob_indicators_present_with_source_year_status(sample_db):
    ids = set(sample_db.query("SELECT indicator_id FROM indicators")["indicator_id"])
    required = {"gda_pct_any", "gda_pct_recent", "gda_n_sex", "gda_n_age", "gda_n_location", "gda_n_disability",
                "gda_n_income", "odin_gender_coverage", "odin_gender_openness", "odin_overall",
                "gdc_surveys_timeuse", "gdc_surveys_labour", "gdc_surveys_agri", "gdc_surveys_health", "gdc_surveys_income"}
    assert required <= ids
    bad = sample_db.scalar("SELECT count(*) FROM indicator_values WHERE source IS NULL OR year IS NULL OR status IS NULL")
    assert bad == 0
    # absent data stays absent: every non-value status has no number, and no count of 0 stands for "none"
    assert sample_db.scalar("SELECT count(*) FROM indicator_values WHERE status <> 'value' AND value IS NOT NULL") == 0
    assert sample_db.scalar(
        "SELECT count(*) FROM indicator_values v JOIN indicators i USING (indicator_id) "
        "WHERE i.unit = 'count' AND v.value = 0") == 0
    kenya = dict(sample_db.rows("SELECT indicator_id, value FROM indicator_values WHERE iso3 = 'KEN' AND status = 'value'"))
    assert 0 < kenya["gda_pct_any"] <= 100
    assert sample_db.scalar("SELECT count(*) FROM series_availability") > 12000


def test_sample_volumes_and_flags(sample_db):
    q = sample_db.scalar
    assert q("SELECT count(*) FROM country_programs") >= 150
    assert q("SELECT count(DISTINCT p.iso3) FROM country_programs p JOIN countries c USING (iso3) "
             "WHERE c.income_group IN ('Low income','Lower middle income','Upper middle income')") >= 40
    assert q("SELECT count(*) FROM activities WHERE start_date BETWEEN DATE '2024-01-01' AND DATE '2026-12-31'") >= 120
    assert q("SELECT count(*) FROM collaborations") >= 25
    assert q("SELECT count(*) FROM kpi_targets") > 0
    types = set(sample_db.query("SELECT DISTINCT type_id FROM activities")["type_id"])
    assert {"meeting", "knowledge_exchange", "peer_review", "tool_showcase", "training", "advocacy", "guideline"} <= types
    assert q("SELECT count(*) FROM activities a WHERE NOT EXISTS "
             "(SELECT 1 FROM activity_partners p WHERE p.activity_id = a.activity_id)") == 0
    for table in COLLAB_TABLES:
        assert q(f"SELECT count(*) FILTER (NOT is_sample) FROM {table}") == 0, f"{table}: every sample row is flagged"
    acronyms = set(sample_db.query("SELECT coalesce(acronym, name) AS a FROM partners")["a"])
    assert {"Data2X", "PARIS21", "ODW", "UN Women", "EM2030", "GPSDD"} <= acronyms


def test_meetings_follow_each_collaboratives_cadence(sample_db):
    gaps = sample_db.query(
        "SELECT collab_id, date_diff('day', lag(start_date) OVER (PARTITION BY collab_id ORDER BY start_date), start_date) AS gap "
        "FROM activities WHERE type_id = 'meeting' AND collab_id IS NOT NULL AND team_id IS NULL"
    ).dropna()
    med = gaps.groupby("collab_id")["gap"].median()
    assert 120 <= med["gender"] <= 220  # about twice a year
    assert 45 <= med["lnob"] <= 100     # every 2-3 months


def test_no_sample_build_is_a_valid_empty_collaborative(empty_db_path):
    counts = get_database(empty_db_path).table_counts()
    for table in COLLAB_TABLES:
        assert counts[table] == 0, table
    assert counts["countries"] >= 249 and counts["indicator_values"] > 4000
    assert counts["activity_types"] == 7 and counts["collaboratives"] == 2 and counts["kpis"] >= 6


def test_malformed_sample_file_stops_the_build_and_leaves_no_file(data_copy, tmp_path):
    path = data_copy / "sample" / "country_programs.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[5].split(",")
    cells[4] = "consulting"  # support_type
    lines[5] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    target = tmp_path / "out.duckdb"
    with pytest.raises(SourceError, match=r"country_programs.csv: line 6, column 'support_type': 'consulting' is not one of"):
        build(target, data_dir=data_copy)
    assert not target.exists()
    assert list(tmp_path.glob("out.duckdb*")) == []


def test_failed_rebuild_keeps_the_previous_database(data_copy, tmp_path):
    target = tmp_path / "keep.duckdb"
    build(target, data_dir=data_copy, sample=False)
    before = target.read_bytes()
    (data_copy / "sample" / "activities.csv").write_text("activity_id,title\nA1,x\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"activities.csv: line 1: missing column"):
        build(target, data_dir=data_copy)
    assert target.read_bytes() == before


def test_cli_build_prints_counts_and_fails_clearly(tmp_path, data_copy):
    out = subprocess.run([sys.executable, "-m", "collab_data", "build", "--db", str(tmp_path / "cli.duckdb"), "--no-sample"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "countries" in out.stdout and "indicator_values" in out.stdout and " s" in out.stdout
    assert "without sample data" in out.stdout
    # the CLI reports a malformed source file with file, line and problem, exit code 2
    bad = data_copy / "reference" / "wb_class_income_groups_fy26.csv"
    bad.write_text(bad.read_text(encoding="utf-8-sig").replace("Kenya,KEN,Sub-Saharan Africa,Lower middle income",
                                                               "Kenya,KEN,Sub-Saharan Africa,Middling"), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "collab_data", "build", "--db", str(tmp_path / "bad.duckdb"),
                          "--data", str(data_copy)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 2
    assert "wb_class_income_groups_fy26.csv: line" in out.stderr and "'Middling' is not one of" in out.stderr
