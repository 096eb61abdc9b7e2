"""Manage records (AppTest): an administrator registers partners through the form and from a
file (findings by row and column, nothing written for bad rows); partner editors and
visitors see no control; a registered partner's activities then import."""

from __future__ import annotations

import shutil

import pytest
from conftest import TODAY
from editors import ADMIN_CODE, PARIS_CODE, make_editor_app, sign_in

from collab_data.db import get_database
from collab_data.ingest import activities as A
from collab_data.records import partners as P

PAGE = "pages/manage.py"


@pytest.fixture()
def empty_copy(empty_db_path, tmp_path):
    path = tmp_path / "empty.duckdb"
    shutil.copy(empty_db_path, path)
    return path


def _registry(at):
    return next(d.value for d in at.dataframe if "Origin" in d.value.columns)


def test_visitors_and_partner_editors_see_no_control(hashes, sample_db_path, monkeypatch):
    at = make_editor_app(hashes, PAGE, sample_db_path, monkeypatch)
    assert not at.exception, at.exception
    assert len(_registry(at)) == 15
    assert not [t for t in at.text_input if t.key == "rp_name"], "a visitor sees no form"
    sign_in(at, "PARIS21 data lead", PARIS_CODE)
    assert not [t for t in at.text_input if t.key == "rp_name"], "a partner editor sees no form"
    assert any("registered by the secretariat" in i.value for i in at.info)


def test_an_admin_starts_an_empty_collaborative(hashes, empty_copy, monkeypatch):
    at = make_editor_app(hashes, PAGE, empty_copy, monkeypatch)
    assert not at.exception, at.exception
    assert any("No partner is registered yet" in i.value for i in at.info)
    sign_in(at, "Secretariat", ADMIN_CODE)
    # the form: a bad type and country are errors, and nothing is written
    db = get_database(empty_copy)
    before = db.table_checksums()
    at.text_input(key="rp_name").input("Open Data Watch")
    at.text_input(key="rp_acronym").input("ODW")
    at.text_input(key="rp_hq").input("Atlantis")
    next(b for b in at.button if b.label == "Register the partner").click().run()
    assert not at.exception, at.exception
    errors = " ".join(e.value for e in at.error)
    assert "The type is empty" in errors and "Unknown country 'Atlantis'" in errors
    assert db.table_checksums() == before
    # corrected, it is registered
    at.selectbox(key="rp_type").set_value("ngo")
    at.text_input(key="rp_hq").input("United States of America")
    at.multiselect(key="rp_collabs").set_value(["gender", "lnob"])
    next(b for b in at.button if b.label == "Register the partner").click().run()
    assert not at.exception, at.exception
    assert any("Registered Open Data Watch as partner 'odw'" in s.value for s in at.success)
    registry = _registry(at)
    assert registry[["Partner", "Type", "Headquarters", "Collaboratives", "Origin"]].values.tolist() == [
        ["ODW", "NGO / civil society", "United States", "Gender, LNOB", "Registered"]]
    assert db.rows("SELECT kind, editor FROM import_batches WHERE batch_id = (SELECT max(batch_id) FROM "
                   "import_batches)") == [("edit", "Secretariat")]
    # a file: two good rows, one bad one, one unused column
    data = (b"Organisation,Acronym,Type,Country,Member of,Joined LNOB,Notes for us\n"
            b"Partnership in Statistics for Development in the 21st Century,PARIS21,Multilateral,France,gender,,x\n"
            b"Open Data Watch,,NGO,USA,LNOB,,duplicate of the one registered\n"
            b"Sightsavers,,NGO,United Kingdom,LNOB,2023-04-20,\n")
    at.file_uploader[0].set_value(("partners.csv", data, "text/csv")).run()
    assert not at.exception, at.exception
    findings = next(d.value for d in at.dataframe if "message" in d.value.columns)
    assert [(r.row, r.column) for r in findings.itertuples() if "error" in r.tier] == [(3, "Organisation")]
    assert any("'Notes for us' is not used" in m for m in findings["message"])
    preview = next(d.value for d in at.dataframe if "Warnings" in d.value.columns)
    assert list(preview["Name"]) == ["Partnership in Statistics for Development in the 21st Century", "Sightsavers"]
    next(b for b in at.button if b.key == "partners_do_import").click().run()
    assert not at.exception, at.exception
    assert any("Registered 2 partners from partners.csv" in s.value for s in at.success)
    assert len(_registry(at)) == 3
    assert db.rows("SELECT joined_date::VARCHAR FROM partner_memberships WHERE partner_id = 'sightsavers'") == [
        ("2023-04-20",)]
    # the registered partners' activities now import
    plan = A.validate(b"title,type,start_date,partners\nExchange,knowledge exchange,2026-10-01,ODW; PARIS21\n",
                      "a.csv", db, editor=A.Editor("Secretariat", None), today=TODAY)
    assert len(plan.records) == 1 and not [f for f in plan.findings if f.tier == "error"]


def test_partner_file_template_and_example_validate(sample_db_path, empty_db_path):
    empty = P.validate_file(P.template_csv(example=True), "example.csv", get_database(empty_db_path), today=TODAY)
    assert len(empty.records) == 2 and not [f for f in empty.findings if f.tier in ("error", "critical")]
    on_sample = P.validate_file(P.template_csv(example=True), "example.csv", get_database(sample_db_path), today=TODAY)
    assert not on_sample.records and {f.message for f in on_sample.findings} >= {
        "A partner called 'Open Data Watch' is already registered."}
    header_only = P.validate_file(P.template_csv(), "t.csv", get_database(empty_db_path), today=TODAY)
    assert header_only.critical


@pytest.mark.parametrize(("row", "column", "message"), [
    ("X,,ngo,,,,,2999-01-01,,", "joined_gender", "outside the dates the dashboard accepts"),
    ("X,,ngo,,not a url,,,,,", "website", "is not a web address"),
    ("X,,ngo,,,,martians,,,", "collaboratives", "Unknown collaborative 'martians'"),
    ("X,,ngo,,,,,,,Knitting circle", "task_teams", "Unknown task team 'Knitting circle'"),
    (",,ngo,,,,,,,", "name", "The name is empty"),
    ("X,,,,,,,,,", "org_type", "The type is empty"),
])
def test_partner_findings(empty_db_path, row, column, message):
    data = (",".join(P.TEMPLATE_COLUMNS) + "\n" + row + "\n").encode()
    plan = P.validate_file(data, "p.csv", get_database(empty_db_path), today=TODAY)
    errors = [f for f in plan.findings if f.tier == "error"]
    assert [(f.row, f.column) for f in errors] == [(2, column)] and message in errors[0].message
    assert not plan.records


def test_a_partner_editor_of_an_unregistered_partner_is_told_who_registers_it(hashes, empty_copy, monkeypatch):
    at = make_editor_app(hashes, "pages/activities.py", empty_copy, monkeypatch)
    sign_in(at, "PARIS21 data lead", PARIS_CODE)
    assert not at.exception, at.exception
    text = " ".join(w.value for w in at.warning)
    assert "`paris21`, which is not registered yet" in text and "Manage records" in text
    assert "None" not in text and not at.file_uploader, "no upload for a partner that does not exist"


def test_cli_registers_partners(empty_copy, tmp_path):
    import subprocess
    import sys

    from collab_data.db import PROJECT_ROOT, close_database

    close_database(empty_copy)
    example = tmp_path / "partners.csv"
    out = subprocess.run([sys.executable, "-m", "collab_data", "template", "partners", "--example"],
                         cwd=PROJECT_ROOT, capture_output=True, text=True)
    example.write_text(out.stdout, encoding="utf-8")
    run = [sys.executable, "-m", "collab_data", "import", "partners", str(example), "--db", str(empty_copy)]
    dry = subprocess.run([*run, "--dry-run"], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert dry.returncode == 0 and "to register 2" in dry.stdout and "dry run: nothing written" in dry.stdout
    done = subprocess.run([*run, "--editor", "Secretariat"], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "registered 2 partners as batch" in done.stdout
    again = subprocess.run(run, cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert again.returncode == 1 and "already registered" in again.stdout and "nothing registered" in again.stderr
    assert get_database(empty_copy).rows("SELECT count(*) FROM partners") == [(2,)]


def test_who_has_reported_and_the_backup_download(hashes, sample_db_path, tmp_path, monkeypatch):
    from collab_data import actions
    from collab_data.backup import restore
    from collab_data.db import WriteRejected

    at = make_editor_app(hashes, PAGE, sample_db_path, monkeypatch)
    registry = _registry(at).set_index("Partner")
    db = get_database(sample_db_path)
    assert registry.loc["ODW", "Programmes"] == db.scalar("SELECT count(*) FROM country_programs WHERE partner_id = 'odw'")
    assert registry.loc["ODW", "Activities"] == db.scalar("SELECT count(*) FROM activity_partners WHERE partner_id = 'odw'")
    assert (registry["Last change (UTC)"] == "—").all(), "sample records came with the database"
    assert not [d for d in at.get("download_button") if "Backup" in str(d.proto.label)], "no backup for visitors"
    sign_in(at, "Secretariat", ADMIN_CODE)
    assert [d for d in at.get("download_button") if "Backup" in str(d.proto.label)]
    with pytest.raises(WriteRejected, match="only an administrator"):
        actions.backup_zip(A.Editor("PARIS21 data lead", "paris21"))
    zipped = tmp_path / "b.zip"
    zipped.write_bytes(actions.backup_zip(A.Editor("Secretariat", None)))
    restore(zipped, tmp_path / "restored.duckdb")
    restored = get_database(tmp_path / "restored.duckdb")
    assert restored.table_checksums() == db.table_checksums()


def test_an_admin_removes_the_sample_in_the_app(hashes, sample_db_path, tmp_path, monkeypatch):
    path = tmp_path / "with-sample.duckdb"
    shutil.copy(sample_db_path, path)
    at = make_editor_app(hashes, PAGE, path, monkeypatch)
    assert any(m.value.startswith(":orange-badge[") for m in at.markdown), "the sample badge is shown"
    assert not [b for b in at.button if b.key == "rs_go"], "visitors cannot remove it"
    sign_in(at, "Secretariat", ADMIN_CODE)
    assert next(b for b in at.button if b.key == "rs_go").disabled, "not before the confirmation"
    at.checkbox(key="rs_sure").check().run()
    next(b for b in at.button if b.key == "rs_go").click().run()
    assert not at.exception, at.exception
    assert any("Removed the sample" in s.value for s in at.success)
    assert any("No partner is registered yet" in i.value for i in at.info)
    assert not any(m.value.startswith(":orange-badge[") for m in at.markdown), "no sample badge any more"
    assert not [b for b in at.button if b.key == "rs_go"]
    db = get_database(path)
    assert db.rows("SELECT count(*) FROM partners") == [(0,)] and db.rows("SELECT count(*) FROM countries")[0][0] > 200


def test_history_undo_says_what_it_removed_and_matchings_are_not_batches(hashes, sample_db_path, tmp_path, monkeypatch):
    """The history of changes: an undo asks first, says what it removed, and the batch then reads
    'Undone'; a saved column matching is not listed among the imports and edits."""
    from collab_data import auth

    path = tmp_path / "app.duckdb"
    shutil.copy(sample_db_path, path)
    db = get_database(path)
    admin = A.Editor("Secretariat", None)
    batch = A.import_activities(db, A.validate(A.template_csv(example=True), "q4.csv", db, editor=admin, today=TODAY),
                                editor=admin)
    A.save_mapping(db, "admin", {"title": "title"}, editor="Secretariat")
    auth.THROTTLE.succeeded("secretariat")
    at = make_editor_app(hashes, PAGE, path, monkeypatch)
    sign_in(at, "Secretariat", ADMIN_CODE)
    history = next(d.value for d in at.dataframe if "What" in d.value.columns and "Status" in d.value.columns)
    assert not history["What"].str.contains("column mapping").any(), "a saved matching is a setting, not a batch"
    assert at.selectbox(key="hist_pick").value == batch, "the newest import is picked first, not a matching"
    assert next(b for b in at.button if b.key == f"hist_undo_{batch}").disabled, "not before the confirmation"
    at.checkbox(key=f"hist_sure_{batch}").check().run()
    next(b for b in at.button if b.key == f"hist_undo_{batch}").click()
    at.run()
    assert not at.exception, at.exception
    said = " ".join(s.value for s in at.success).replace("\\", "")
    assert f"Batch {batch} undone (q4.csv): removed 4 activities" in said and "now reads 'Undone'" in said, said
    history = next(d.value for d in at.dataframe if "What" in d.value.columns and "Status" in d.value.columns)
    assert history.set_index("Batch").loc[batch, "Status"].startswith("Undone on "), history.to_string()
    assert db.scalar("SELECT count(*) FROM activities WHERE batch_id = ?", [batch]) == 0
