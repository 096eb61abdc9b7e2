"""KPI targets from a file: findings by row and column, the rules and history of a target
changed on the KPIs page (one batch, each change old -> new), administrators only, nothing
written for a refused file or a dry run, and the command line."""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
from datetime import date

import pytest
from conftest import TODAY

from collab_data import actions, auth, cli
from collab_data import targets as TG
from collab_data.db import PROJECT_ROOT, WriteRejected, close_database, get_database
from collab_data.ingest import activities as A
from collab_data.metrics import Period
from collab_data.queries import overview as Q
from collab_data.records import targets as RT

ADMIN = A.Editor("Secretariat", None)
PARIS = A.Editor("PARIS21 data lead", "paris21")
HEADER = ",".join(RT.FIELDS)   # kpi,period,target,notes


@pytest.fixture()
def rw(writable_db):
    return writable_db  # a private copy of the sample (conftest): targets up to 2026


def _plan(db, rows: list[str], header: str = HEADER, encoding: str = "utf-8"):
    data = ("\n".join([header, *rows]) + "\n").encode(encoding)
    return RT.validate_file(data, "targets.csv", db, today=TODAY, editor=ADMIN)


def _errors(plan):
    return [f for f in plan.findings if f.tier == "error"]


BAD_ROWS = [
    ("happiness,2027,3,", "kpi", "Unknown KPI 'happiness'"),
    ("Partners involvd,2027,3,", "kpi", "Did you mean 'Partners involved'"),
    (",2027,3,", "kpi", "The KPI is empty"),
    ("peer_reviews,soon,3,", "period", "'soon' is not a period"),
    ("peer_reviews,2027-Q5,3,", "period", "a year has 4 quarters, not 5"),
    ("peer_reviews,H3 2027,3,", "period", "a year has 2 half-years, not 3"),
    ("peer_reviews,2027-07-01,3,", "period", "is a day"),
    ("peer_reviews,,3,", "period", "The period is empty"),
    ("peer_reviews,2040,3,", "period", "outside the dates the dashboard accepts"),
    ("peer_reviews,1985-Q1,3,", "period", "outside the dates the dashboard accepts"),
    ("peer_reviews,2027,lots,", "target", "is not a number"),
    ("peer_reviews,2027,-3,", "target", "must not be negative"),
    ("peer_reviews,2027,,", "target", "The target is empty"),
    ("peer_reviews,2027,\"1,5\",", "target", "ambiguous"),
    ("peer_reviews,2027,2000000,", "target", "larger than"),
    ("peer_reviews,2027,40%,", "target", "not a percentage"),
    ("peer_reviews,2027,=SUM(A1:A3),", "target", "is not a number"),
]


@pytest.mark.parametrize(("row", "column", "message"), BAD_ROWS, ids=[m for _, _, m in BAD_ROWS])
def test_findings(rw, row, column, message):
    before = rw.table_checksums()
    plan = _plan(rw, [row])
    errors = _errors(plan)
    assert [(f.row, f.column) for f in errors] == [(2, column)], plan.findings
    assert message in errors[0].message and errors[0].fix.strip()
    assert not plan.records
    with pytest.raises(WriteRejected):
        RT.write(rw, plan, editor=ADMIN)
    assert rw.table_checksums() == before


def test_kpis_and_periods_as_people_write_them(rw):
    plan = _plan(rw, ["  PARTNERS   involved ,2027,16,", "Countries with coordinated support (2+ partners),Q3 2027,30,",
                      "countries_coordinated,2027 H2,31,", "knowledge-sharing activities,q1-2027,6.5,",
                      "Tools in use,Quarter 2 2027,\"1,200\","], header="KPI name,Period,Target value,Comment")
    assert not _errors(plan), plan.findings
    got = [(r["kpi_id"], r["period"], r["target"]) for r in plan.records]
    assert got == [("partners_involved", Period("year", date(2027, 1, 1)), 16.0),
                   ("countries_coordinated", Period("quarter", date(2027, 7, 1)), 30.0),
                   ("countries_coordinated", Period("half", date(2027, 7, 1)), 31.0),
                   ("knowledge_sharing", Period("quarter", date(2027, 1, 1)), 6.5),
                   ("tools_in_use", Period("quarter", date(2027, 4, 1)), 1200.0)]


def test_a_percentage_kpi_takes_0_to_100(rw, monkeypatch):
    load = RT.Context.load

    def with_a_percent_kpi(db, today):
        ctx = load(db, today)
        ctx.kpis["partners_on_time"] = ("Partners reporting on time", "percent")
        return ctx

    monkeypatch.setattr(RT.Context, "load", staticmethod(with_a_percent_kpi))
    plan = _plan(rw, ["partners_on_time,2027,120,", "partners_on_time,2027-Q1,80%,", "partners_on_time,2027-Q2,75,"])
    assert [(f.row, f.column) for f in _errors(plan)] == [(2, "target")]
    assert "is a percentage: 120 is over 100" in _errors(plan)[0].message
    assert [r["target"] for r in plan.records] == [80.0, 75.0]


def test_duplicates_unchanged_targets_and_plain_text(rw):
    before = rw.table_checksums()
    plan = _plan(rw, [
        "partners_involved,2026-Q4,15,",                              # the sample's target: nothing to change
        "peer_reviews,2027,8,=HYPERLINK(\"http://example.org\")",
        "Peer reviews completed,2027,9,",                            # the same KPI and period again
        "tools_in_use,2027,20,<script>alert(1)</script>",
    ])
    assert [(f.row, f.column) for f in _errors(plan)] == [(4, "period")]
    assert "set twice in this file (also row 3, target 8)" in _errors(plan)[0].message and _errors(plan)[0].fix
    warnings = [(f.row, f.column, f.message) for f in plan.findings if f.tier == "warning"]
    assert [(r, c) for r, c, _ in warnings] == [(2, "target"), (3, "notes"), (5, "notes")]
    assert "Already set to 15, nothing to change" in warnings[0][2]
    assert "formula" in warnings[1][2] and "HTML markup" in warnings[2][2]
    assert [(r["row"], r["notes"]) for r in plan.records] == [(3, '=HYPERLINK("http://example.org")'),
                                                              (5, "<script>alert(1)</script>")]
    assert rw.table_checksums() == before
    # only unchanged targets: nothing to write, and the write says so
    same = _plan(rw, ["partners_involved,2026-Q4,15,", "partners_involved,2026,15,"])
    assert not same.records and not _errors(same)
    with pytest.raises(WriteRejected, match="no target to change"):
        RT.write(rw, same, editor=ADMIN)
    assert rw.table_checksums() == before


def test_a_cp1252_file_with_a_total_line(rw):
    plan = _plan(rw, ["Partners involved,2027,16,Décidé à la réunion – novembre",
                      "peer_reviews,2027,4,",
                      "Total: 2,,,"], encoding="cp1252")
    assert not _errors(plan), plan.findings
    assert [r["notes"] for r in plan.records] == ["Décidé à la réunion – novembre", None]
    total = [f for f in plan.findings if f.value and "Total" in f.value]
    assert [(f.tier, f.row, f.column) for f in total] == [("warning", 4, None)] and total[0].fix
    assert plan.counts()["to write"] == 2


def test_one_changed_target_is_written_like_the_kpi_page_and_can_be_undone(rw):
    before = rw.table_checksums()
    plan = _plan(rw, ["peer_reviews,2027-Q1,3,First review round", "partners_involved,2026-Q4,15,"])
    assert len(plan.records) == 1
    batch = RT.write(rw, plan, editor=ADMIN)
    assert rw.rows("SELECT kind, editor, rows_read, rows_imported FROM import_batches WHERE batch_id = ?",
                   [batch]) == [("edit", "Secretariat", 2, 1)]
    assert rw.rows("SELECT target, is_sample FROM kpi_targets WHERE batch_id = ?", [batch]) == [(3.0, False)]
    history = Q.target_changes(rw)
    assert history.iloc[0]["batch_id"] == batch and history.iloc[0]["kpi_id"] == "peer_reviews"
    assert math.isnan(history.iloc[0]["old_target"]) and history.iloc[0]["new_target"] == 3.0
    note = rw.scalar("SELECT note FROM import_batches WHERE batch_id = ?", [batch])
    assert "First review round" in note
    assert auth.can_undo(ADMIN, "edit", note), "an administrator can undo a targets file in the app"
    rw.undo_batch(batch, by="test")
    after = rw.table_checksums()
    assert {t for t in before if before[t] != after[t]} == {"import_batches", "record_changes"}


def test_a_changed_target_keeps_old_and_new(rw):
    plan = _plan(rw, ["partners_involved,2026-Q4,17,"])
    batch = RT.write(rw, plan, editor=ADMIN)
    assert rw.rows("SELECT old_target, new_target FROM kpi_target_changes WHERE batch_id = ?", [batch]) == [(15.0, 17.0)]
    assert TG.current_target(rw, "partners_involved", "quarter", date(2026, 10, 1)) == 17.0


def test_a_whole_file_is_one_batch(rw):
    """Several changed targets are one batch with one history row each; undone, every table
    but the batch list is as before."""
    before = rw.table_checksums()
    plan = RT.validate_file(RT.template_csv(example=True), "example.csv", rw, today=TODAY, editor=ADMIN)
    assert len(plan.records) == 4 and not [f for f in plan.findings if f.tier in ("error", "critical")]
    batch = RT.write(rw, plan, editor=ADMIN)
    assert rw.scalar("SELECT count(*) FROM kpi_target_changes WHERE batch_id = ?", [batch]) == 4
    assert rw.scalar("SELECT count(*) FROM kpi_targets WHERE batch_id = ?", [batch]) == 4
    rw.undo_batch(batch, by="test")
    after = rw.table_checksums()
    assert {t for t in before if before[t] != after[t]} == {"import_batches", "record_changes"}


def test_undo_puts_a_changed_target_back(rw):
    before = rw.table_checksums()
    plan = _plan(rw, ["partners_involved,2026-Q4,17,", "peer_reviews,2027-Q1,3,"])
    batch = RT.write(rw, plan, editor=ADMIN)
    later = TG.set_target(rw, "partners_involved", "quarter", date(2026, 10, 1), 19, editor="Secretariat",
                          today=TODAY)
    with pytest.raises(WriteRejected, match=f"batch {later} changed the same records"):
        rw.undo_batch(batch, by="test")
    rw.undo_batch(later, by="test")
    assert TG.current_target(rw, "partners_involved", "quarter", date(2026, 10, 1)) == 17.0
    rw.undo_batch(batch, by="test")
    assert TG.current_target(rw, "partners_involved", "quarter", date(2026, 10, 1)) == 15.0
    after = rw.table_checksums()
    assert {t for t in before if before[t] != after[t]} == {"import_batches", "record_changes"}


def test_only_an_administrator_imports_targets(db_copy):
    db = get_database(db_copy)
    before = db.table_checksums()
    data = f"{HEADER}\npeer_reviews,2027,4,\n".encode()
    for who in (None, PARIS):
        with pytest.raises(WriteRejected, match="only an administrator"):
            actions.validate_targets_file(data, "t.csv", who, today=TODAY)
    plan = actions.validate_targets_file(data, "t.csv", ADMIN, today=TODAY)
    for who in (None, PARIS):
        with pytest.raises(WriteRejected, match="only an administrator"):
            actions.import_targets(plan, who)
    with pytest.raises(WriteRejected, match="only an administrator"):
        RT.write(db, plan, editor=PARIS)
    assert db.table_checksums() == before
    batch = actions.import_targets(plan, ADMIN)
    assert db.rows("SELECT target FROM kpi_targets WHERE batch_id = ?", [batch]) == [(4.0,)]


def test_cli_imports_targets(sample_db_path, tmp_path, capsys):
    db_path = tmp_path / "cli.duckdb"
    shutil.copy(sample_db_path, db_path)
    out = subprocess.run([sys.executable, "-m", "collab_data", "template", "targets", "--example"],
                         cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith(HEADER + "\n")
    example = tmp_path / "targets-example.csv"
    example.write_text(out.stdout, encoding="utf-8")
    db = get_database(db_path)
    before = db.table_checksums()
    assert cli.main(["import", "targets", str(example), "--db", str(db_path), "--dry-run"]) == 0
    assert "to import 4" in capsys.readouterr().out and db.table_checksums() == before
    assert cli.main(["import", "targets", str(example), "--db", str(db_path), "--partner", "paris21"]) == 2
    assert "set by an administrator" in capsys.readouterr().err and db.table_checksums() == before
    one = tmp_path / "one.csv"
    one.write_text(f"{HEADER}\nPeer reviews completed,2027-Q2,2,\n", encoding="utf-8")
    run = ["import", "targets", str(one), "--db", str(db_path), "--editor", "Secretariat"]
    assert cli.main(run) == 0 and "imported 1 targets" in capsys.readouterr().out
    after = db.table_checksums()
    assert cli.main(run) == 1
    captured = capsys.readouterr()
    assert "Already set to 2, nothing to change" in captured.out and "nothing imported" in captured.err
    assert db.table_checksums() == after
    close_database(db_path)


def _flow_page(partner, today):  # runs inside AppTest
    import streamlit as st

    from collab_data import ui
    from collab_data.ingest.activities import Editor

    msg = st.session_state.pop("_partners_registered", None)
    if msg:
        st.success(msg)
    ui.targets_file_flow(Editor("Secretariat" if partner is None else "PARIS21 data lead", partner), today)


def test_the_targets_file_flow(db_copy):
    from streamlit.testing.v1 import AppTest

    paris = AppTest.from_function(_flow_page, args=("paris21", TODAY), default_timeout=60)
    paris.run()
    assert not paris.exception and not paris.file_uploader
    assert any("Only an administrator" in i.value for i in paris.info)
    at = AppTest.from_function(_flow_page, args=(None, TODAY), default_timeout=60)
    at.run()
    data = f"{HEADER}\npeer_reviews,2027-Q3,5,\nhappiness,2027,1,\npartners_involved,2026-Q4,15,\n".encode()
    at.file_uploader[0].set_value(("targets.csv", data, "text/csv")).run()
    assert not at.exception, at.exception
    findings = next(d.value for d in at.dataframe if "message" in d.value.columns)
    assert [(r.row, r.column) for r in findings.itertuples()] == [(3, "kpi"), (4, "target")]
    preview = next(d.value for d in at.dataframe if "New target" in d.value.columns)
    assert list(preview["Period"]) == ["Q3 2027"]
    next(b for b in at.button if b.key == "targets_do_import").click().run()
    assert not at.exception, at.exception
    assert any("Imported 1 targets from targets.csv" in s.value for s in at.success)
    assert TG.current_target(get_database(db_copy), "peer_reviews", "quarter", date(2027, 7, 1)) == 5.0
