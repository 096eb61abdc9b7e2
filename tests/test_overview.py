"""The Overview page (AppTest on the sample and the empty database) and its chart builder."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest
from test_metrics import independent_kpis

from collab_data import metrics, theme
from collab_data.charts import overview as charts
from collab_data.db import get_database

PAGE = "pages/overview.py"


@pytest.fixture(scope="module")
def con(sample_db_path):
    with get_database(sample_db_path).cursor() as cur:
        yield cur


def _tiles(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _expected_tiles(expected: dict[str, int]) -> dict[str, str]:
    return {metrics.KPIS[k].name: str(v) for k, v in expected.items()}


def _status_lines(at) -> list[str]:
    """The status line under each tile, as plain text."""
    lines = [re.sub(r"<[^>]+>", "", m.value) for m in at.markdown if "target" in m.value and "<span" in m.value]
    return [re.sub(r"\s+", " ", s.replace("&nbsp;", " ")).strip() for s in lines]


def test_default_view_shows_latest_quarter_against_targets(app_test, sample_db_path, con):
    at = app_test(sample_db_path, PAGE)
    assert not at.exception, at.exception
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "Data as of 19 November 2026" in text
    assert any("Q4 2026 (to 19 Nov 2026), compared with Q3 2026" in s.value for s in at.subheader)
    expected = independent_kpis(con, date(2026, 10, 1), date(2026, 12, 31))
    assert _tiles(at) == _expected_tiles(expected)
    # deltas against Q3 2026
    before = independent_kpis(con, date(2026, 7, 1), date(2026, 9, 30))
    assert [m.delta for m in at.metric] == [str(expected[k] - before[k]) for k in metrics.OVERVIEW_KPIS]
    # status in words, against the quarter's targets
    targets = dict(con.execute("SELECT kpi_id, target FROM kpi_targets WHERE period_type = 'quarter' "
                               "AND period_start = DATE '2026-10-01'").fetchall())
    lines = _status_lines(at)
    assert len(lines) == len(metrics.OVERVIEW_KPIS)
    for line, kid in zip(lines, metrics.OVERVIEW_KPIS):
        share = expected[kid] / targets[kid]
        word = "On track" if share >= 1 else "At risk" if share >= 0.8 else "Off track"
        assert line.endswith(f"{word} target {targets[kid]:g}"), line
    # every KPI explains its formula
    assert all(m.proto.help.startswith(metrics.KPIS[k].formula[:40]) for m, k in zip(at.metric, metrics.OVERVIEW_KPIS))


def test_filters_from_url_gender_kenya_uganda_2025(app_test, sample_db_path, con):
    at = app_test(sample_db_path, PAGE, period="2025", collab="Gender", country=["Kenya", "Uganda"])
    assert not at.exception, at.exception
    assert at.session_state["country"] == ["KEN", "UGA"] and at.session_state["period"] == "2025"
    expected = independent_kpis(con, date(2025, 1, 1), date(2025, 12, 31), collab="gender", countries=("KEN", "UGA"))
    assert _tiles(at) == _expected_tiles(expected)
    assert any("2025, compared with 2024" in s.value for s in at.subheader)
    # a filtered view is not judged against the targets of both collaboratives
    assert all(re.fullmatch(r"– Not compared overall target \d+", line) for line in _status_lines(at)), _status_lines(at)


def test_filters_from_url_quarter_and_partner(app_test, sample_db_path, con):
    at = app_test(sample_db_path, PAGE, period="Q2 2025", partner=["PARIS21", "GPSDD"])
    assert not at.exception, at.exception
    assert at.session_state["period"] == "2025-Q2"
    expected = independent_kpis(con, date(2025, 4, 1), date(2025, 6, 30), partners=("gpsdd", "paris21"))
    assert _tiles(at) == _expected_tiles(expected)


def test_latest_activities_match_sql(app_test, sample_db_path, con):
    at = app_test(sample_db_path, PAGE, collab="LNOB", period="2026")
    assert not at.exception, at.exception
    shown = next(d.value for d in at.dataframe if "title" in d.value.columns)
    expected = con.execute("""
        SELECT a.start_date, a.title, t.label,
               (SELECT string_agg(coalesce(p.acronym, p.name), '; ' ORDER BY coalesce(p.acronym, p.name))
                  FROM activity_partners ap JOIN partners p ON p.partner_id = ap.partner_id
                  WHERE ap.activity_id = a.activity_id),
               (SELECT string_agg(c.name, '; ' ORDER BY c.name) FROM activity_countries ac
                  JOIN countries c ON c.iso3 = ac.iso3 WHERE ac.activity_id = a.activity_id),
               a.outcome
        FROM activities a JOIN activity_types t ON t.type_id = a.type_id
        WHERE a.collab_id = 'lnob' AND year(a.start_date) = 2026
          AND EXISTS (SELECT 1 FROM activity_partners ap JOIN partner_memberships m ON m.partner_id = ap.partner_id
                      WHERE ap.activity_id = a.activity_id AND m.collab_id = 'lnob')
        ORDER BY a.start_date DESC, a.activity_id DESC
        LIMIT 15
    """).fetchall()
    assert len(shown) == len(expected) == 15
    assert list(shown.columns) == ["date", "title", "type", "collaborative", "partners", "countries", "outcome"]
    for row, exp in zip(shown.itertuples(index=False), expected):
        assert pd.Timestamp(row.date).date() == exp[0]
        assert (row.title, row.type, row.collaborative) == (exp[1], exp[2], "LNOB")
        assert row.partners == exp[3]
        assert (None if pd.isna(row.countries) else row.countries) == exp[4]
        assert (None if pd.isna(row.outcome) else row.outcome) == exp[5]
    # every table and the chart can be downloaded
    assert len(at.get("download_button")) >= 3


def test_empty_database_explains_instead_of_zero_tiles(app_test, empty_db_path):
    at = app_test(empty_db_path, PAGE)
    assert not at.exception, at.exception
    assert len(at.metric) == 0
    assert len(at.dataframe) == 0
    info = " ".join(i.value for i in at.info)
    assert "No activities, country programmes or collaborations recorded yet" in info
    assert "CSV upload" in info  # how to add them


# --------------------------------------------------------------------------------------
# Chart builder (pure)
# --------------------------------------------------------------------------------------
def test_activity_timeline_chart():
    types = ["Collaborative meeting", "Knowledge exchange", "Peer review"]
    df = pd.DataFrame({
        "quarter_start": [date(2025, 1, 1), date(2025, 1, 1), date(2025, 7, 1)],
        "quarter": ["Q1 2025", "Q1 2025", "Q3 2025"],
        "type": ["Knowledge exchange", "Peer review", "Collaborative meeting"],
        "activities": [2, 1, 4],
    })
    spec = charts.activity_timeline(df, types).to_dict()
    enc = spec["encoding"]
    assert spec["mark"]["type"] == "bar"
    assert enc["x"]["field"] == "quarter"
    # the empty quarter in between stays on the axis
    assert enc["x"]["scale"]["domain"] == ["Q1 2025", "Q2 2025", "Q3 2025"]
    assert enc["y"]["field"] == "activities" and enc["y"]["aggregate"] == "sum"
    assert enc["color"]["field"] == "type"
    assert enc["color"]["scale"]["domain"] == types
    assert enc["color"]["scale"]["range"] == theme.CATEGORICAL[:3]
    assert {t["field"] for t in enc["tooltip"]} == {"quarter", "type", "activities"}


def test_quarter_labels():
    assert charts.quarter_labels(date(2024, 11, 5), date(2025, 2, 1)) == ["Q4 2024", "Q1 2025"]
