"""Editing and retiring records: every change through the one write path, old -> new in the
history, undone like an import (and refused while a later batch changed the same records);
a partner that leaves shows as former and past periods keep their numbers; the schema
migration that made records editable keeps every row; the Manage records page flows."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from conftest import TODAY
from editors import ADMIN_CODE, PARIS_CODE, make_editor_app, sign_in

from collab_data import build as B
from collab_data import db as dbmod
from collab_data import metrics
from collab_data.db import Database, WriteRejected, get_database
from collab_data.filters import Filters
from collab_data.ingest import activities as A
from collab_data.queries import records as QR
from collab_data.records import partners as P
from collab_data.records import programmes as PR
from collab_data.records import tools as T
from collab_data.views import manage as VM

ADMIN = A.Editor("Secretariat", None)
PARIS = A.Editor("PARIS21 data lead", "paris21")
RECORD_TABLES = ("partners", "partner_memberships", "task_team_members", "tools", "tool_owners", "tool_topics",
                 "tool_dimensions", "country_programs", "activities", "activity_partners", "activity_countries",
                 "collaborations", "collaboration_partners")


@pytest.fixture()
def rw(sample_db_path, tmp_path):
    path = tmp_path / "edit.duckdb"
    shutil.copy(sample_db_path, path)
    return get_database(path)


def _changed(before, after) -> set[str]:
    return {t for t in before if before[t] != after[t]}


def test_partner_edit_keeps_old_and_new_values_and_undoes(rw):
    before = rw.table_checksums()
    values = P.form_values(rw, "paris21")
    assert values["name"] == "Partnership in Statistics for Development in the 21st Century"
    values |= {"name": "PARIS21 Secretariat", "iati_org_id": "XM-OCHA-PARIS21", "idc_champion": "yes",
               "collaboratives": "gender; lnob", "joined_lnob": "2025-01-10"}
    plan = P.validate_edit(rw, "paris21", values, today=TODAY)
    assert not [f for f in plan.findings if f.tier == "error"], plan.findings
    batch = P.save_edit(rw, plan, editor="Secretariat", today=TODAY)
    assert rw.rows("SELECT name, iati_org_id, idc_champion FROM partners WHERE partner_id = 'paris21'") == [
        ("PARIS21 Secretariat", "XM-OCHA-PARIS21", True)]
    changes = VM.batch_changes(rw, batch)
    assert ["Partner", "PARIS21", "changed", "Name", "Partnership in Statistics for Development in the 21st Century",
            "PARIS21 Secretariat"] in changes.values.tolist()
    assert any(r[0] == "Membership" and r[2] == "added" for r in changes.values.tolist())
    # nothing changed: refused, nothing written
    again = P.validate_edit(rw, "paris21", P.form_values(rw, "paris21"), today=TODAY)
    with pytest.raises(WriteRejected, match="nothing was changed"):
        P.save_edit(rw, again, editor="Secretariat", today=TODAY)
    rw.undo_batch(batch, by="Secretariat")
    assert _changed(before, rw.table_checksums()) == {"import_batches", "record_changes"}


def test_edit_is_validated_like_registration(rw):
    values = P.form_values(rw, "paris21") | {"name": "Open Data Watch"}
    plan = P.validate_edit(rw, "paris21", values, today=TODAY)
    assert [(f.column, f.message) for f in plan.findings if f.tier == "error"] == [
        ("Name", "A partner called 'Open Data Watch' is already registered.")]
    left_early = P.form_values(rw, "paris21") | {"left_gender": "2020-01-01"}
    errors = [f.message for f in P.validate_edit(rw, "paris21", left_early, today=TODAY).findings if f.tier == "error"]
    assert errors == ["The partner leaves (2020-01-01) before it joined (2022-03-15)."]
    champion = P.form_values(rw, "paris21") | {"idc_champion": "perhaps"}
    assert "'perhaps' is not yes or no." in [f.message for f in P.validate_edit(rw, "paris21", champion,
                                                                                  today=TODAY).findings]


def test_undo_of_an_earlier_batch_waits_for_the_later_edit(rw):
    plan = P.validate_form(rw, {"name": "Newcomer Org", "org_type": "ngo", "collaboratives": "gender"}, today=TODAY)
    registered = P.register(rw, plan, editor="Secretariat")
    edit = P.validate_edit(rw, "newcomer_org", P.form_values(rw, "newcomer_org") | {"website": "https://new.org"},
                           today=TODAY)
    edited = P.save_edit(rw, edit, editor="Secretariat", today=TODAY)
    with pytest.raises(WriteRejected, match=f"batch {edited} changed the same records afterwards"):
        rw.undo_batch(registered, by="Secretariat")
    rw.undo_batch(edited, by="Secretariat")
    rw.undo_batch(registered, by="Secretariat")
    assert not rw.rows("SELECT 1 FROM partners WHERE partner_id = 'newcomer_org'")


def test_a_partner_that_leaves_is_former_and_past_periods_keep_their_numbers(rw):
    f = Filters(period="2025")

    def on_time(start):
        kpis = metrics.compute_kpis(rw, f, "quarter", start, ("partners_on_time",))
        return int(kpis["value"].iloc[0])

    past_before = on_time(date(2025, 4, 1))
    now_before = on_time(date(2026, 10, 1))
    with pytest.raises(WriteRejected, match="choose a later date"):
        P.retire(rw, "paris21", date(2021, 1, 1), editor="Secretariat", today=TODAY)
    batch = P.retire(rw, "paris21", date(2026, 1, 31), editor="Secretariat", today=TODAY)
    assert QR.partner_status(rw, TODAY)["paris21"] == "former"
    assert QR.partner_status(rw, date(2026, 1, 30))["paris21"] == "member"
    assert "(former partner)" in VM.partner_edit_choices(rw, TODAY)["paris21"]
    from collab_data.queries import catalogue as QC

    assert QC.partners_catalogue(rw, Filters()).set_index("partner_id").loc["paris21", "collaboratives"] == \
        "Gender (left 31 Jan 2026)"
    assert QC.partner_choices(rw, Filters()).set_index("partner_id").loc["paris21", "label"] == \
        "PARIS21 (former partner)"
    row = VM.partners_table(rw, TODAY).set_index("Id").loc["paris21"]
    assert row["Status"] == "Former partner" and "left 31 Jan 2026" in row["Collaboratives"]
    assert on_time(date(2025, 4, 1)) == past_before, "a period before the departure keeps its value"
    assert on_time(date(2026, 10, 1)) <= now_before
    assert "paris21" not in set(
        __import__("collab_data.queries.freshness", fromlist=["x"]).partner_reports(rw, f, (date(2026, 10, 1),))[
            "partner_id"])
    with pytest.raises(WriteRejected, match="not a current member"):
        P.retire(rw, "paris21", date(2026, 2, 1), editor="Secretariat", today=TODAY)
    rw.undo_batch(batch, by="Secretariat")
    assert QR.partner_status(rw, TODAY)["paris21"] == "member"


def test_tools_edit_and_retire_within_the_editors_partner(rw):
    before = rw.table_checksums()
    mine = rw.scalar("SELECT tool_id FROM tool_owners WHERE partner_id = 'paris21' ORDER BY 1 LIMIT 1")
    other = rw.scalar("SELECT tool_id FROM tools WHERE tool_id NOT IN (SELECT tool_id FROM tool_owners "
                      "WHERE partner_id = 'paris21') ORDER BY 1 LIMIT 1")
    with pytest.raises(WriteRejected, match="only the tools its own partner owns"):
        T.validate_edit(rw, other, T.form_values(rw, other), today=TODAY, editor=PARIS)
    with pytest.raises(WriteRejected, match="only the tools its own partner owns"):
        T.retire(rw, other, date(2026, 1, 1), editor=PARIS, today=TODAY)
    values = T.form_values(rw, mine) | {"stage": "mature", "topics": "time use", "lnob_dimensions": "sex; age"}
    plan = T.validate_edit(rw, mine, values, today=TODAY, editor=PARIS)
    edited = T.save_edit(rw, plan, editor=PARIS)
    assert rw.rows("SELECT topic FROM tool_topics WHERE tool_id = ?", [mine]) == [("time use",)]
    retired = T.retire(rw, mine, date(2026, 6, 30), editor=PARIS, today=TODAY)
    assert "(discontinued)" in QR.tool_choices(rw, "paris21")[mine]
    from collab_data.queries import catalogue as QC

    shown = QC.tools_catalogue(rw, Filters()).set_index("tool_id").loc[mine, "name"]
    assert shown.endswith("(discontinued Jun 2026)"), "the catalogue shows a discontinued tool as such"
    for b in (retired, edited):
        rw.undo_batch(b, by="PARIS21 data lead")
    assert _changed(before, rw.table_checksums()) == {"import_batches", "record_changes"}


def test_programme_edit_is_its_partners_and_checked(rw):
    mine = rw.scalar("SELECT program_id FROM country_programs WHERE partner_id = 'paris21' ORDER BY 1 LIMIT 1")
    other = rw.scalar("SELECT program_id FROM country_programs WHERE partner_id <> 'paris21' ORDER BY 1 LIMIT 1")
    with pytest.raises(WriteRejected, match="only its own partner's programmes"):
        PR.validate_edit(rw, other, PR.form_values(rw, other), today=TODAY, editor=PARIS)
    bad = PR.form_values(rw, mine) | {"end_date": "1999-01-01"}
    errors = [(f.column, f.message) for f in PR.validate_edit(rw, mine, bad, today=TODAY, editor=PARIS).findings
              if f.tier == "error"]
    assert errors and errors[0][0] == "End date" and "before it starts" in errors[0][1]
    moved = PR.form_values(rw, mine) | {"partner": "UN Women"}
    errors = [f.message for f in PR.validate_edit(rw, mine, moved, today=TODAY, editor=PARIS).findings]
    assert any("You may import only PARIS21's programmes" in m for m in errors)
    done = PR.form_values(rw, mine) | {"status": "paused", "notes": "On hold after the elections"}
    batch = PR.save_edit(rw, PR.validate_edit(rw, mine, done, today=TODAY, editor=PARIS), editor=PARIS)
    changes = VM.batch_changes(rw, batch)
    assert sorted(changes["Field"]) == ["Notes", "Status"]


def test_migration_to_editable_records_keeps_every_row(tmp_path, monkeypatch, data_copy):
    """A database of the schema before records became editable migrates on open, row for row."""
    text = dbmod.SCHEMA_FILE.read_text(encoding="utf-8")
    old_schema = tmp_path / "schema_v3.sql"
    old_schema.write_text(text[:text.index("-- version: 4:")], encoding="utf-8")
    monkeypatch.setattr(dbmod, "SCHEMA_FILE", old_schema)
    path = tmp_path / "v3.duckdb"
    B.build(path, data_dir=data_copy)
    dbmod.close_all()
    old = Database(path, read_only=True)
    assert old.schema_version() == 3
    contents = {t: old.rows(f"SELECT * FROM {t} ORDER BY ALL") for t in RECORD_TABLES}
    old.close()
    monkeypatch.undo()  # the real schema.sql again
    db = Database(path)
    assert db.schema_version() == len(dbmod.schema_versions())
    for t in RECORD_TABLES:
        n_old = len(contents[t][0]) if contents[t] else 0
        assert [r[:n_old] for r in db.rows(f"SELECT * FROM {t} ORDER BY ALL")] == contents[t], t
    # and a renamed partner that other tables refer to is now possible
    with db.write(kind="edit", source="rename", editor="t") as b:
        b.update("partners", {"partner_id": "unwomen"}, {"name": "UN Women (renamed)"})
    db.close()


def test_manage_page_admin_edits_and_undoes_a_partner(hashes, sample_db_path, tmp_path, monkeypatch):
    path = tmp_path / "page.duckdb"
    shutil.copy(sample_db_path, path)
    at = make_editor_app(hashes, "pages/manage.py", path, monkeypatch)
    sign_in(at, "Secretariat", ADMIN_CODE)
    at.selectbox(key="ep_pick").set_value("odw").run()
    assert not at.exception, at.exception
    assert at.text_input(key="ep_odw_name").value == "Open Data Watch"
    at.text_input(key="ep_odw_iati").input("US-EIN-454427573")
    at.text_input(key="ep_odw_hq").input("Atlantis")
    next(b for b in at.button if b.label == "Save the changes").click().run()
    assert any("Unknown country 'Atlantis'" in e.value for e in at.error), [e.value for e in at.error]
    at.text_input(key="ep_odw_hq").input("United States")
    next(b for b in at.button if b.label == "Save the changes").click().run()
    assert not at.exception, at.exception
    assert any("Saved the changes to Open Data Watch" in s.value for s in at.success)
    db = get_database(path)
    assert db.rows("SELECT iati_org_id FROM partners WHERE partner_id = 'odw'") == [("US-EIN-454427573",)]
    history = next(d.value for d in at.dataframe if "Before" in d.value.columns)
    assert ["Partner", "ODW", "changed", "IATI identifier", "—", "US-EIN-454427573"] in history.values.tolist()
    batch = db.scalar("SELECT max(batch_id) FROM import_batches")
    at.checkbox(key=f"hist_sure_{batch}").check().run()
    next(b for b in at.button if b.key == f"hist_undo_{batch}").click().run()
    assert not at.exception, at.exception
    assert any(f"Batch {batch} undone" in s.value for s in at.success)
    assert db.rows("SELECT iati_org_id FROM partners WHERE partner_id = 'odw'") == [(None,)]


def test_manage_page_partner_editor_edits_only_its_own(hashes, sample_db_path, tmp_path, monkeypatch):
    path = tmp_path / "page.duckdb"
    shutil.copy(sample_db_path, path)
    at = make_editor_app(hashes, "pages/manage.py", path, monkeypatch)
    sign_in(at, "PARIS21 data lead", PARIS_CODE)
    assert not [s for s in at.selectbox if s.key == "ep_pick"], "partners are the administrator's"
    tools = at.selectbox(key="et_pick").options
    owned = {n for (n,) in get_database(path).rows(
        "SELECT t.name FROM tools t JOIN tool_owners o USING (tool_id) WHERE o.partner_id = 'paris21'")}
    assert set(tools) == owned
    programmes = at.selectbox(key="eg_pick").options
    assert programmes and all(o.startswith("PARIS21 ·") for o in programmes)


def test_an_unknown_partner_in_a_file_is_registered_on_the_spot(hashes, sample_db_path, tmp_path, monkeypatch):
    path = tmp_path / "page.duckdb"
    shutil.copy(sample_db_path, path)
    at = make_editor_app(hashes, "pages/manage.py", path, monkeypatch)
    sign_in(at, "Secretariat", ADMIN_CODE)
    data = (b"partner,country,support_type,start_date,status\n"
            b"Statistics Norway,Kenya,training,2026-03-01,active\n"
            b"PARIS21,Kenya,training,2026-03-02,active\n")
    uploader = next(u for u in at.file_uploader if u.key.startswith("programmes_upload"))
    uploader.set_value(("progs.csv", data, "text/csv")).run()
    assert not at.exception, at.exception
    assert at.text_input(key="programmes_rp_name_0_Statistics Norway").value == "Statistics Norway"
    at.selectbox(key="programmes_rp_type_0_Statistics Norway").set_value("government")
    next(b for b in at.button if b.label == "Register Statistics Norway as a partner").click().run()
    assert not at.exception, at.exception
    assert get_database(path).rows("SELECT org_type FROM partners WHERE name = 'Statistics Norway'") == [("government",)]
    findings = [d.value for d in at.dataframe if "message" in d.value.columns]
    assert not findings or not [m for m in findings[0]["message"] if "Unknown partner" in m]
    preview = next(d.value for d in at.dataframe if "Support" in d.value.columns)
    assert len(preview) == 2


def test_a_partner_editor_is_told_who_registers_a_missing_partner(hashes, sample_db_path, tmp_path, monkeypatch):
    path = tmp_path / "page.duckdb"
    shutil.copy(sample_db_path, path)
    at = make_editor_app(hashes, "pages/manage.py", path, monkeypatch)
    sign_in(at, "PARIS21 data lead", PARIS_CODE)
    data = b"tool,kind,stage,owners\nGender survey kit,guidance,pilot,PARIS21; Statistics Norway\n"
    uploader = next(u for u in at.file_uploader if u.key.startswith("tools_upload"))
    uploader.set_value(("tools.csv", data, "text/csv")).run()
    assert not at.exception, at.exception
    assert any("registered by the secretariat" in i.value and "Statistics Norway" in i.value for i in at.info)
    assert not [t for t in at.text_input if t.key.startswith("tools_rp_name")]


def test_collaboration_edit_within_the_editors_partner(rw):
    from collab_data.records import collaborations as C

    before = rw.table_checksums()
    mine = rw.scalar("SELECT collaboration_id FROM collaboration_partners WHERE partner_id = 'paris21' ORDER BY 1 "
                     "LIMIT 1")
    other = rw.scalar("SELECT collaboration_id FROM collaborations WHERE collaboration_id NOT IN (SELECT "
                      "collaboration_id FROM collaboration_partners WHERE partner_id = 'paris21') ORDER BY 1 LIMIT 1")
    with pytest.raises(WriteRejected, match="only the collaborations its own partner takes part in"):
        C.validate_edit(rw, other, C.form_values(rw, other), today=TODAY, editor=PARIS)
    values = C.form_values(rw, mine)
    lonely = values | {"partners": "paris21"}
    assert [f.column for f in C.validate_edit(rw, mine, lonely, today=TODAY, editor=PARIS).findings
            if f.tier == "error"] == ["Partners"]
    partners = [p for p in values["partners"].split("; ") if p != "paris21"]
    changed = values | {"title": "Renamed joint work", "partners": "; ".join(["paris21", *partners[:1], "odw"])}
    batch = C.save_edit(rw, C.validate_edit(rw, mine, changed, today=TODAY, editor=PARIS), editor=PARIS)
    assert rw.scalar("SELECT title FROM collaborations WHERE collaboration_id = ?", [mine]) == "Renamed joint work"
    assert "Renamed joint work" in VM.batch_changes(rw, batch)["After"].tolist()
    rw.undo_batch(batch, by="PARIS21 data lead")
    assert _changed(before, rw.table_checksums()) == {"import_batches", "record_changes"}


def test_an_interrupted_undo_is_finished_from_the_app(hashes, sample_db_path, tmp_path, monkeypatch):
    path = tmp_path / "page.duckdb"
    shutil.copy(sample_db_path, path)
    db = get_database(path)
    plan = P.validate_form(db, {"name": "Halfway Org", "org_type": "ngo", "collaboratives": "lnob"}, today=TODAY)
    batch = P.register(db, plan, editor="Secretariat")
    # what a kill in the middle of an undo leaves: the status set, the memberships deleted, the partner not yet
    with db.write(kind="edit", source="t", editor="t") as b:
        b.execute("UPDATE import_batches SET status = 'undoing' WHERE batch_id = ?", [batch])
        b.execute("DELETE FROM partner_memberships WHERE batch_id = ?", [batch])
    at = make_editor_app(hashes, "pages/manage.py", path, monkeypatch)
    sign_in(at, "Secretariat", ADMIN_CODE)
    at.selectbox(key="hist_pick").set_value(batch).run()
    assert any("was interrupted" in w.value for w in at.warning)
    next(b for b in at.button if b.key == f"hist_finish_{batch}").click().run()
    assert not at.exception, at.exception
    assert db.rows("SELECT status FROM import_batches WHERE batch_id = ?", [batch]) == [("undone",)]
    assert not db.rows("SELECT 1 FROM partners WHERE name = 'Halfway Org'")
