"""Country programmes from a file: findings by row and column for what real files get wrong,
nothing written for a bad row or a refused file, a partner editor limited to its own
partner, and the page flow (20 rows, 2 bad: findings shown, 18 imported, undo)."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from conftest import TODAY
from editors import PARIS_CODE, make_editor_app, sign_in

from collab_data.db import WriteRejected, get_database
from collab_data.ingest import activities as A
from collab_data.records import programmes as PR

ADMIN = A.Editor("Secretariat", None)
PARIS = A.Editor("PARIS21 data lead", "paris21")
HEADER = "partner,country,tool,support_type,topic,start_date,end_date,status,notes"


@pytest.fixture()
def rw(sample_db_path, tmp_path):
    path = tmp_path / "prog.duckdb"
    shutil.copy(sample_db_path, path)
    return get_database(path)


def _validate(db, rows: list[str], editor=ADMIN, header: str = HEADER):
    return PR.validate_file(("\n".join([header, *rows]) + "\n").encode(), "p.csv", db, today=TODAY, editor=editor)


@pytest.mark.parametrize(("row", "column", "message"), [
    ("Nobody Inc,Kenya,,training,,2026-01-05,,active,", "partner", "Unknown partner 'Nobody Inc'"),
    ("PARIS21,Atlantis,,training,,2026-01-05,,active,", "country", "'Atlantis' is an unknown country"),
    ("PARIS21,Sub-Saharan Africa,,training,,2026-01-05,,active,", "country", "a region or group, not one country"),
    ("PARIS21,Kenya,Magic Wand,training,,2026-01-05,,active,", "tool", "Unknown tool 'Magic Wand'"),
    ("PARIS21,Kenya,,knitting,,2026-01-05,,active,", "support_type", "Unknown support type 'knitting'"),
    ("PARIS21,Kenya,,training,,,,active,", "start_date", "The start date is empty"),
    ("PARIS21,Kenya,,training,,31/02/2026,,active,", "start_date", "Invalid date"),
    ("PARIS21,Kenya,,training,,2206-01-05,,active,", "start_date", "outside the dates the dashboard accepts"),
    ("PARIS21,Kenya,,training,,2026-03-01,2026-01-01,active,", "end_date", "ends (2026-01-01) before it starts"),
    ("PARIS21,Kenya,,training,,2026-01-05,,wobbly,", "status", "Unknown status 'wobbly'"),
])
def test_findings(rw, row, column, message):
    before = rw.table_checksums()
    plan = _validate(rw, [row])
    errors = [f for f in plan.findings if f.tier == "error"]
    assert [(f.row, f.column) for f in errors] == [(2, column)], plan.findings
    assert message in errors[0].message and errors[0].fix
    assert not plan.records and rw.table_checksums() == before


def test_forgiving_reading_and_duplicates(rw):
    plan = _validate(rw, [
        "The World Bank,Côte d’Ivoire,,TA,census,05/03/2026,,ongoing,",       # synonyms, dd/mm settled below
        "Open Data Watch (ODW),TZA,ODIN,review,,2026-03-20,2026-12-31,,",     # no status: from the dates
        "ODW,TZA,ODIN,review,,2026-03-20,2026-12-31,,",                       # the same programme again
        "PARIS21,Kenya,,financing,,25/12/2025,,closed,",
    ], header="Organisation,Recipient country,Tool,Type of support,Theme,Start,End,Status,Notes")
    assert [(f.row, f.column) for f in plan.findings if f.tier == "error"] == [(4, "Start")]
    by_row = {r["row"]: r for r in plan.records}
    assert by_row[2]["partner_id"] == "worldbank" and by_row[2]["iso3"] == "CIV"
    assert by_row[2]["support_type"] == "technical_assistance" and by_row[2]["status"] == "active"
    assert by_row[2]["start_date"] == date(2026, 3, 5), "25/12/2025 in the same column settles day-first"
    assert by_row[3]["status"] == "active" and any("read as active from the dates" in fl for fl in by_row[3]["flags"])
    assert by_row[5]["status"] == "completed"
    # a programme already in the database is reported, not written twice
    batch = PR.write(rw, plan, editor=ADMIN)
    again = _validate(rw, ["ODW,TZA,ODIN,review,,2026-03-20,2026-12-31,,"])
    assert "already recorded" in again.findings[-1].message and not again.records
    assert rw.rows("SELECT count(*) FROM country_programs WHERE batch_id = ?", [batch]) == [(3,)]


def test_a_partner_editor_imports_only_its_own_programmes(rw):
    plan = _validate(rw, [",Kenya,,training,,2026-01-05,,active,", "ODW,Kenya,,training,,2026-01-06,,active,"],
                     editor=PARIS)
    assert [r["partner_id"] for r in plan.records] == ["paris21"], "an empty partner is the editor's own"
    err = [f for f in plan.findings if f.tier == "error"]
    assert err[0].row == 3 and "only PARIS21's programmes" in err[0].message
    forged = _validate(rw, ["ODW,Kenya,,training,,2026-01-06,,active,"], editor=ADMIN)
    with pytest.raises(WriteRejected, match="only its own partner"):
        PR.write(rw, forged, editor=PARIS)


def test_template_example_validates_on_the_sample(rw):
    plan = PR.validate_file(PR.template_csv(example=True), "example.csv", rw, today=TODAY, editor=ADMIN)
    assert len(plan.records) == 2 and not [f for f in plan.findings if f.tier in ("error", "critical")]


def test_a_partner_editor_uploads_20_rows_2_bad_then_undoes(hashes, sample_db_path, tmp_path, monkeypatch):
    path = tmp_path / "page.duckdb"
    shutil.copy(sample_db_path, path)
    rows = [f"PARIS21,{c},,technical assistance,gender statistics,2026-0{1 + i % 9}-1{i % 10},,active,"
            for i, c in enumerate(["Kenya", "Uganda", "Ghana", "Senegal", "Nepal", "Rwanda", "Mali", "Niger",
                                   "Togo", "Benin", "Malawi", "Zambia", "Peru", "Bolivia", "Haiti", "Laos",
                                   "Chad", "Sudan"])]
    rows += ["PARIS21,Narnia,,training,,2026-01-01,,active,", "ODW,Kenya,,training,,2026-01-02,,active,"]
    data = ("\n".join([HEADER, *rows]) + "\n").encode()
    at = make_editor_app(hashes, "pages/manage.py", path, monkeypatch)
    sign_in(at, "PARIS21 data lead", PARIS_CODE)
    assert not at.exception, at.exception
    uploader = next(u for u in at.file_uploader if u.label == "Programmes file")
    uploader.set_value(("programmes.csv", data, "text/csv")).run()
    assert not at.exception, at.exception
    findings = next(d.value for d in at.dataframe if "message" in d.value.columns)
    assert [(r.row, r.column) for r in findings.itertuples() if "error" in r.tier] == [(20, "country"), (21, "partner")]
    preview = next(d.value for d in at.dataframe if "Support" in d.value.columns)
    assert len(preview) == 18
    db = get_database(path)
    before = db.scalar("SELECT count(*) FROM country_programs")
    next(b for b in at.button if b.key == "programmes_do_import").click().run()
    assert not at.exception, at.exception
    assert any("Imported 18 programmes from programmes.csv" in s.value for s in at.success)
    assert db.scalar("SELECT count(*) FROM country_programs") == before + 18
    batch = db.scalar("SELECT max(batch_id) FROM import_batches")
    from collab_data import actions
    actions.undo(batch, PARIS)
    assert db.scalar("SELECT count(*) FROM country_programs") == before


def test_cli_imports_programmes(rw, tmp_path):
    import subprocess
    import sys

    from collab_data.db import PROJECT_ROOT, close_database

    close_database(rw.path)
    path = tmp_path / "programmes.csv"
    out = subprocess.run([sys.executable, "-m", "collab_data", "template", "programmes", "--example"],
                         cwd=PROJECT_ROOT, capture_output=True, text=True)
    path.write_text(out.stdout, encoding="utf-8")
    run = [sys.executable, "-m", "collab_data", "import", "programmes", str(path), "--db", str(rw.path)]
    own = subprocess.run([*run, "--partner", "paris21"], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert own.returncode == 0 and "imported 1 programmes" in own.stdout and "only PARIS21's" in own.stdout
    again = subprocess.run(run, cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert again.returncode == 0 and "imported 1 programmes" in again.stdout and "already recorded" in again.stdout
