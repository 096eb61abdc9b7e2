"""Collaborations through the form and from a file: findings by row and column for what real
files get wrong, nothing written for a refused row, file or dry run, a partner editor
limited to collaborations its partner takes part in, one undoable batch, and the command
line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date

import pytest
from conftest import TODAY

from collab_data import cli
from collab_data.db import PROJECT_ROOT, WriteRejected, close_database, get_database
from collab_data.ingest import activities as A
from collab_data.records import collaborations as C

ADMIN = A.Editor("Secretariat", None)
PARIS = A.Editor("PARIS21 data lead", "paris21")
HEADER = ",".join(C.FIELDS)   # title,kind,partners,started_date,origin_activity,description


@pytest.fixture()
def rw(writable_db):
    return writable_db  # a private copy of the sample (conftest)


def _plan(db, rows: list[str], editor=ADMIN, header: str = HEADER, encoding: str = "utf-8"):
    data = ("\n".join([header, *rows]) + "\n").encode(encoding)
    return C.validate_file(data, "c.csv", db, today=TODAY, editor=editor)


def _errors(plan):
    return [f for f in plan.findings if f.tier == "error"]


# one row each (row 2 of the file); (column, what the message says)
BAD_ROWS = [
    ("Joint thing,merger,PARIS21; ODW,2026-03-01,,", "kind", "Unknown kind of collaboration 'merger'"),
    ("Joint thing,,PARIS21; ODW,2026-03-01,,", "kind", "The kind is empty"),
    ("Joint thing,joint product,PARIS21; Nobody Inc,2026-03-01,,", "partners", "Unknown partner 'Nobody Inc'"),
    ("Joint thing,joint product,Open Data Wach Inc; PARIS21,2026-03-01,,", "partners", "Did you mean ODW"),
    ("Joint thing,joint product,PARIS21,2026-03-01,,", "partners", "at least two different partners"),
    ("Joint thing,joint product,PARIS21; PARIS21,2026-03-01,,", "partners", "at least two different partners"),
    ("Joint thing,joint product,,2026-03-01,,", "partners", "No partner is named"),
    ("Joint thing,joint product,PARIS21; ODW,,,", "started_date", "The start date is empty"),
    ("Joint thing,joint product,PARIS21; ODW,31/02/2026,,", "started_date", "Invalid date"),
    ("Joint thing,joint product,PARIS21; ODW,2206-03-01,,", "started_date", "outside the dates the dashboard accepts"),
    ("Joint thing,joint product,PARIS21; ODW,1989-12-31,,", "started_date", "outside the dates the dashboard accepts"),
    ("Joint thing,joint product,PARIS21; ODW,2026-03-01,A9999,", "origin_activity", "Unknown activity 'A9999'"),
    ("Joint thing,joint product,PARIS21; ODW,2026-03-01,A coffee with friends,", "origin_activity",
     "Unknown activity"),
    (",joint product,PARIS21; ODW,2026-03-01,,", "title", "The title is empty"),
    # the sample's C002, as it is recorded (title, partners, start)
    ("Joint programme on gender statistics in the Philippines,joint programme,UN Women; ODW,2024-06-25,,", "title",
     "already recorded (C002"),
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
        C.write(rw, plan, editor=ADMIN)
    assert rw.table_checksums() == before


def test_suggestions_name_the_partner_and_the_activity(rw):
    plan = _plan(rw, ["Joint thing,joint product,PARIS21; Open Data Wach Inc,2026-03-01,,",
                      "Joint thing 2,joint product,PARIS21; ODW,2026-03-01,Peer review: Gender Data Portal,"])
    first, second = _errors(plan)
    assert (first.row, first.column, second.row, second.column) == (2, "partners", 3, "origin_activity")
    assert "Did you mean ODW" in first.message
    assert "Did you mean 'Peer review: Gender Data Portal (World Bank → PARIS21)' (A0021)" in second.message


def test_duplicates_in_the_file_and_of_the_database(rw):
    before = rw.table_checksums()
    plan = _plan(rw, [
        "Joint guidance on citizen data,joint product,GPSDD; UNSD,2024-07-19,,",      # the sample's C003
        "Shared dashboards,data sharing,PARIS21; ODW,2026-03-01,,",
        "shared  DASHBOARDS,data sharing agreement,ODW and PARIS21,1 Mar 2026,,",        # row 3 again
    ])
    assert [(f.row, f.column) for f in _errors(plan)] == [(2, "title"), (4, "title")]
    assert "already recorded (C003" in _errors(plan)[0].message
    assert "appears twice in this file (also row 3)" in _errors(plan)[1].message
    assert all(f.fix for f in _errors(plan))
    assert [r["row"] for r in plan.records] == [3]
    assert rw.table_checksums() == before


def test_words_partners_and_origin_are_read(rw):
    plan = _plan(rw, [
        "Funding pool for census data,co-funding,Data2X & UN Women,2026-05-04,,",
        "Disability data agreement,data sharing agreement,\"Sightsavers, UNICEF and HelpAge\",2026-06-01,,",
        "Time-use campaign,joint campaign,United Nations Entity for Gender Equality and the Empowerment of Women; "
        "Data2X,2026-06-02,A0122,",
        "Review circle,peer review,PARIS21; World Bank,2026-06-03,a0121,",
        "Shared methods,mutually agreed sharing of methods,PARIS21; ODW,2026-06-04,,",
        "Before its origin,joint product,PARIS21; World Bank,2026-05-01,A0121,",
        "Two names and an acronym,joint product,Development Initiatives and Open Data Watch (ODW),2026-06-05,,",
    ])
    assert not _errors(plan), plan.findings
    got = {r["row"]: (r["kind"], r["partners"], r["origin_activity_id"]) for r in plan.records}
    assert got == {
        2: ("co_funding", ["data2x", "unwomen"], None),
        3: ("data_sharing", ["sightsavers", "unicef", "helpage"], None),
        4: ("joint_advocacy", ["unwomen", "data2x"], "A0122"),
        5: ("peer_review_partnership", ["paris21", "worldbank"], "A0121"),
        6: ("data_sharing", ["paris21", "odw"], None),
        7: ("joint_product", ["paris21", "worldbank"], "A0121"),
        8: ("joint_product", ["devinit", "odw"], None),   # not ODW alone because of the acronym in brackets
    }
    warnings = {(f.row, f.column): f for f in plan.findings if f.tier == "warning"}
    assert set(warnings) == {(6, "kind"), (7, "origin_activity")}
    assert "read as 'Data sharing'" in warnings[(6, "kind")].message
    assert "before the activity it grew out of" in warnings[(7, "origin_activity")].message
    assert all(f.fix for f in warnings.values())


def test_formula_and_markup_are_kept_as_plain_text(rw):
    plan = _plan(rw, ['"=HYPERLINK(""http://example.org"",""click"")",joint product,PARIS21; ODW,2026-03-01,,',
                      "Joint note,joint product,PARIS21; ODW,2026-03-02,,<script>alert(1)</script>"])
    assert not _errors(plan)
    warnings = [(f.row, f.column) for f in plan.findings if f.tier == "warning"]
    assert warnings == [(2, "title"), (3, "description")]
    batch = C.write(rw, plan, editor=ADMIN)
    assert rw.rows("SELECT title, description FROM collaborations WHERE batch_id = ? ORDER BY started_date",
                   [batch]) == [('=HYPERLINK("http://example.org","click")', None),
                                ("Joint note", "<script>alert(1)</script>")]


def test_a_cp1252_file_and_a_total_line(rw):
    plan = _plan(rw, ["Coopération Sud–Sud: données ’ouvertes’,co-funding,PARIS21; ODW,05/03/2026,,Über uns",
                      "Second one,joint product,PARIS21; ODW,25/03/2026,,",
                      "Total: 2"], encoding="cp1252")
    assert not _errors(plan), plan.findings
    assert [r["title"] for r in plan.records] == ["Coopération Sud–Sud: données ’ouvertes’", "Second one"]
    assert plan.records[0]["started_date"] == date(2026, 3, 5), "25/03/2026 settles day-first"
    total = [f for f in plan.findings if f.value and "Total" in f.value]
    assert [(f.tier, f.row, f.column) for f in total] == [("warning", 4, None)] and total[0].fix
    assert plan.counts()["to write"] == 2


def test_write_is_one_undoable_batch(rw):
    before = rw.table_checksums()
    plan = C.validate_file(C.template_csv(example=True), "example.csv", rw, today=TODAY, editor=ADMIN)
    assert len(plan.records) == 3 and not [f for f in plan.findings if f.tier in ("error", "critical")]
    batch = C.write(rw, plan, editor=ADMIN)
    rows = rw.rows("SELECT collaboration_id, kind, origin_activity_id, is_sample FROM collaborations "
                   "WHERE batch_id = ? ORDER BY collaboration_id", [batch])
    assert rows == [("c_1", "joint_product", None, False), ("c_2", "data_sharing", None, False),
                    ("c_3", "peer_review_partnership", "A0124", False)]
    assert rw.scalar("SELECT count(*) FROM collaboration_partners WHERE batch_id = ?", [batch]) == 8
    assert rw.rows("SELECT kind, rows_read, rows_imported FROM import_batches WHERE batch_id = ?",
                   [batch]) == [("upload", 3, 3)]
    # the same file again: every row is already recorded, nothing to write
    again = C.validate_file(C.template_csv(example=True), "example.csv", rw, today=TODAY, editor=ADMIN)
    assert not again.records and len(_errors(again)) == 3
    # ids go on from the largest c_<n>, also after other writes
    more = C.write(rw, _plan(rw, ["Another one,joint product,PARIS21; ODW,2026-03-09,,"]), editor=ADMIN)
    assert rw.rows("SELECT collaboration_id FROM collaborations WHERE batch_id = ?", [more]) == [("c_4",)]
    rw.undo_batch(more, by="test")
    rw.undo_batch(batch, by="test")
    after = rw.table_checksums()
    assert {t for t in before if before[t] != after[t]} == {"import_batches"}


def test_a_partner_editor_records_only_its_own_partners_collaborations(rw):
    plan = _plan(rw, ["Ours,joint product,PARIS21; ODW,2026-03-01,,",
                      "Theirs,joint product,ODW; UN Women,2026-03-02,,"], editor=PARIS)
    err = _errors(plan)
    assert [(f.row, f.column) for f in err] == [(3, "partners")]
    assert "only collaborations in which PARIS21 takes part" in err[0].message and "administrator" in err[0].fix
    assert [r["title"] for r in plan.records] == ["Ours"]
    before = rw.table_checksums()
    forged = _plan(rw, ["Theirs,joint product,ODW; UN Women,2026-03-02,,"], editor=ADMIN)
    with pytest.raises(WriteRejected, match="only collaborations its own partner takes part in"):
        C.write(rw, forged, editor=PARIS)
    assert rw.table_checksums() == before
    batch = C.write(rw, plan, editor=PARIS)
    assert rw.rows("SELECT kind, note FROM import_batches WHERE batch_id = ?", [batch]) == [
        ("upload", '{"partner": "paris21", "records": "collaborations"}')]


def test_the_form_validates_one_record(rw):
    values = {"title": "Joint brief", "kind": "joint_advocacy", "partners": "paris21; odw", "started_date": "2026-04-01",
              "origin_activity": "", "description": ""}
    plan = C.validate_form(rw, values, today=TODAY, editor=PARIS)
    assert [r["partners"] for r in plan.records] == [["paris21", "odw"]]
    bad = C.validate_form(rw, {**values, "partners": "odw; unwomen"}, today=TODAY, editor=PARIS)
    assert [(f.row, f.column) for f in _errors(bad)] == [(None, "Partners")]
    batch = C.write(rw, plan, editor=PARIS)
    assert rw.rows("SELECT kind, source FROM import_batches WHERE batch_id = ?", [batch]) == [
        ("edit", "Collaboration added: Joint brief")]


def test_a_partner_editor_records_one_through_the_form(sample_db_path, tmp_path, monkeypatch):
    """The form on a page of its own (the Manage records page wires it in): a partner
    editor's partner is already chosen, errors show by field, a valid one is recorded."""
    from streamlit.testing.v1 import AppTest

    from collab_data.db import DB_ENV
    from collab_data.views.collaborations import collaboration_choices

    path = tmp_path / "form.duckdb"
    shutil.copy(sample_db_path, path)
    monkeypatch.setenv(DB_ENV, str(path))
    choices = collaboration_choices(get_database(path))
    assert "A0152" in choices["activities"] and choices["partners"]["paris21"] == "PARIS21"
    assert list(choices["kinds"]) == list(C.KINDS)

    def page(editor_partner, today, choices):  # runs inside AppTest
        import streamlit as st

        from collab_data import ui
        from collab_data.ingest.activities import Editor

        msg = st.session_state.pop("_partners_registered", None)
        if msg:
            st.success(msg)
        ui.collaboration_form(Editor("PARIS21 data lead", editor_partner), today, choices)

    at = AppTest.from_function(page, args=("paris21", TODAY, choices), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert at.multiselect(key="cf_partners").value == ["paris21"]
    at.text_input(key="cf_title").input("Joint brief on care work")
    next(b for b in at.button if b.label == "Record the collaboration").click().run()
    assert any("The kind is empty" in e.value for e in at.error)
    assert any("at least two different partners" in e.value for e in at.error)
    at.selectbox(key="cf_kind").set_value("joint_advocacy")
    at.multiselect(key="cf_partners").set_value(["paris21", "unwomen"])
    at.date_input(key="cf_started").set_value(date(2026, 10, 1))
    at.selectbox(key="cf_origin").set_value("A0122")
    next(b for b in at.button if b.label == "Record the collaboration").click().run()
    assert not at.exception, at.exception
    assert any("Recorded the collaboration Joint brief on care work" in s.value for s in at.success)
    db = get_database(path)
    assert db.rows("SELECT c.kind, c.origin_activity_id, list(p.partner_id ORDER BY p.partner_id) FROM collaborations c "
                   "JOIN collaboration_partners p USING (collaboration_id) WHERE c.title = 'Joint brief on care work' "
                   "GROUP BY ALL") == [("joint_advocacy", "A0122", ["paris21", "unwomen"])]
    assert at.text_input(key="cf_title_1").value == "", "a fresh form for the next one"


def test_cli_imports_collaborations(sample_db_path, tmp_path, capsys):
    db_path = tmp_path / "cli.duckdb"
    shutil.copy(sample_db_path, db_path)
    path = tmp_path / "collaborations.csv"
    out = subprocess.run([sys.executable, "-m", "collab_data", "template", "collaborations", "--example"],
                         cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith(HEADER + "\n")
    path.write_text(out.stdout, encoding="utf-8")
    base = ["import", "collaborations", str(path), "--db", str(db_path)]
    db = get_database(db_path)
    before = db.table_checksums()
    assert cli.main([*base, "--dry-run"]) == 0
    assert "dry run: nothing written" in capsys.readouterr().out and db.table_checksums() == before
    # as PARIS21's editor: the row without PARIS21 is refused, the two with it are imported
    assert cli.main([*base, "--partner", "paris21"]) == 0
    got = capsys.readouterr().out
    assert "imported 2 collaborations" in got and "only collaborations in which PARIS21 takes part" in got
    # the rest as an administrator; then nothing is left to import: exit 1, nothing written
    assert cli.main(base) == 0 and "imported 1 collaborations" in capsys.readouterr().out
    after = db.table_checksums()
    assert cli.main(base) == 1
    captured = capsys.readouterr()
    assert "already recorded" in captured.out and "nothing imported" in captured.err
    assert db.table_checksums() == after
    close_database(db_path)


def test_cli_imports_tools_too(sample_db_path, tmp_path, capsys):
    from collab_data.records import tools as T

    db_path = tmp_path / "tools.duckdb"
    shutil.copy(sample_db_path, db_path)
    path = tmp_path / "tools.csv"
    path.write_bytes(T.template_csv(example=True))
    run = ["import", "tools", str(path), "--db", str(db_path)]
    assert cli.main([*run, "--partner", "paris21"]) == 0 and "imported 1 tools" in capsys.readouterr().out
    db = get_database(db_path)
    assert db.rows("SELECT o.partner_id FROM tools t JOIN tool_owners o USING (tool_id) WHERE t.name = "
                   "'Time-use survey toolkit' ORDER BY 1") == [("paris21",), ("unwomen",)]
    after = db.table_checksums()
    assert cli.main(run) == 1
    captured = capsys.readouterr()
    assert "already in the catalogue" in captured.out and "nothing imported" in captured.err
    assert db.table_checksums() == after
    close_database(db_path)


def _flow_page(today):  # runs inside AppTest
    import streamlit as st

    from collab_data import ui
    from collab_data.ingest.activities import Editor

    msg = st.session_state.pop("_partners_registered", None)
    if msg:
        st.success(msg)
    ui.collaborations_file_flow(Editor("PARIS21 data lead", "paris21"), today)


def test_the_collaborations_file_flow(db_copy):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_flow_page, args=(TODAY,), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    at.file_uploader[0].set_value(("collaborations.csv", C.template_csv(example=True), "text/csv")).run()
    assert not at.exception, at.exception
    findings = next(d.value for d in at.dataframe if "message" in d.value.columns)
    assert [(r.row, r.column) for r in findings.itertuples()] == [(3, "partners")]
    preview = next(d.value for d in at.dataframe if "Grew out of" in d.value.columns)
    assert len(preview) == 2
    next(b for b in at.button if b.key == "collaborations_do_import").click().run()
    assert not at.exception, at.exception
    assert any("Imported 2 collaborations from collaborations.csv" in s.value for s in at.success)
    assert get_database(db_copy).scalar("SELECT count(*) FROM collaborations WHERE collaboration_id LIKE 'c\\_%' "
                                        "ESCAPE '\\'") == 2
