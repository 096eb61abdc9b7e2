"""Programme files as publishers write them: the real IATI example of the standard and a real
OCHA 3W workbook imported end to end (unknown organisations registered by an administrator
in the same run), IATI shapes of real publishers' files, the bulk update of a re-import
(history and undo exact), and the role picker of the Manage records page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import TODAY

from collab_data import cli
from collab_data.db import Database, close_database, get_database
from collab_data.ingest import activities as A
from collab_data.records import iati
from collab_data.records import programme_sources as PS

DATA = Path(__file__).parent / "data"
IATI_EXAMPLE = DATA / "iati_activity_standard_example_annotated_v203.xml"
CHAD_3W = DATA / "ocha_chad_3w_operational_presence_april_2025.xlsx"
ADMIN = A.Editor("Secretariat", None)


@pytest.fixture()
def copy_path(sample_db_path, tmp_path) -> Path:
    path = tmp_path / "programmes.duckdb"
    shutil.copy(sample_db_path, path)
    return path


def _data_sums(db):
    return {t: v for t, v in db.table_checksums().items() if t not in ("import_batches", "record_changes")}


# --------------------------------------------------------------------------------------
# The real files
# --------------------------------------------------------------------------------------
def test_the_iati_standard_example_lists_its_unknown_organisations_then_imports_with_register_unknown(
        copy_path, capsys):
    run = ["import", "programmes", str(IATI_EXAMPLE), "--db", str(copy_path)]
    assert cli.main(run) == 1
    out = capsys.readouterr().out
    assert "1 organisation(s) match no partner" in out and "Organisation name [AA-AAA-123456789]" in out
    assert "--register-unknown" in out

    assert cli.main([*run, "--register-unknown"]) == 0
    out = capsys.readouterr().out
    assert "registered partner 'organisation_name': Organisation name (multilateral)" in out
    assert "imported 2 programmes" in out
    close_database(copy_path)
    db = Database(copy_path)
    try:
        rows = db.rows("SELECT p.iso3, p.percentage, p.status, p.start_date, p.end_date, p.external_id, r.iati_org_id, "
                       "p.batch_id > r.batch_id FROM country_programs p JOIN partners r USING (partner_id) "
                       "WHERE p.source_format = 'iati' ORDER BY p.iso3")
        assert [r[:3] for r in rows] == [("AFG", 25.0, "active"), ("ATG", 25.0, "active")]
        assert str(rows[0][3]) == "2012-04-28" and str(rows[0][4]) == "2015-12-31", "actual start, planned end"
        assert {r[5] for r in rows} == {"AA-AAA-123456789-ABC123"} and rows[0][6] == "AA-AAA-123456789"
        assert all(r[7] for r in rows), "the partners' batch comes first, so each undoes in turn"
        batches = db.rows("SELECT batch_id, kind FROM import_batches ORDER BY batch_id DESC LIMIT 2")
    finally:
        db.close()
    assert cli.main(["undo", str(batches[1][0]), "--db", str(copy_path)]) == 1, "programmes still refer to the partner"
    assert cli.main(["undo", str(batches[0][0]), "--db", str(copy_path)]) == 0
    assert cli.main(["undo", str(batches[1][0]), "--db", str(copy_path)]) == 0


def test_the_ocha_chad_3w_workbook_imports_with_the_country_of_the_file(copy_path):
    db = get_database(copy_path)
    data = CHAD_3W.read_bytes()
    assert PS.detect(data, CHAD_3W.name) == "3w" and PS.needs_country(data, CHAD_3W.name)
    plan = PS.validate(data, CHAD_3W.name, db, today=TODAY, editor=ADMIN)
    assert plan.critical and "no country column" in plan.findings[0].message
    plan = PS.validate(data, CHAD_3W.name, db, today=TODAY, editor=ADMIN, country="Chad")
    assert plan.rows_read == 1556 and plan.hxl_row == 2
    assert plan.hxl_columns["acronym"] == "Acronyme" and plan.hxl_columns["adm2"] == "Departement"
    assert not [f for f in plan.findings if f.row == 2], "the HXL row is read as such, not reported"
    unknown = PS.unknown_organisations(plan)
    assert len(unknown) > 150 and unknown[0]["name"] == "Action Contre la Faim" and unknown[0]["acronym"] == "ACF"
    assert PS.org_type_of(unknown[0]["org_type"]) == ("ngo", True)
    batch, done, skipped = PS.register_unknown(db, plan, editor="Secretariat", today=TODAY)
    assert batch and len(done) > 150 and not skipped
    assert {kind for _, _, kind, _, _ in done} >= {"ngo", "un_agency", "government"}

    plan = PS.validate(data, CHAD_3W.name, db, today=TODAY, editor=ADMIN, country="Chad")
    assert not plan.critical and not [f for f in plan.findings if f.tier == "error"]
    assert not PS.unknown_organisations(plan)
    assert {r["iso3"] for r in plan.records} == {"TCD"} and len(plan.records) >= 200
    assert any("no start-date column" in f.message for f in plan.findings)
    acf = next(r for r in plan.records if r["partner_id"] == "acf")
    assert "Barh El Gazel" in acf["areas"] and "Nutrition" in acf["sectors"] and acf["status"] == "active"
    PS.write(db, plan, editor=ADMIN)
    assert db.scalar("SELECT count(*) FROM country_programs WHERE source_format = '3w'") == len(plan.records)


def test_a_partner_editor_cannot_register_unknown_organisations(copy_path, capsys):
    assert cli.main(["import", "programmes", str(IATI_EXAMPLE), "--db", str(copy_path), "--partner", "paris21",
                     "--register-unknown"]) == 2
    assert "administrator" in capsys.readouterr().err


# --------------------------------------------------------------------------------------
# IATI shapes of real publishers' files
# --------------------------------------------------------------------------------------
BANK_STYLE = b"""<?xml version="1.0"?>
<iati-activities>
<iati-activity default-currency="EUR">
  <iati-identifier>XM-DAC-918-3-TEST-001</iati-identifier>
  <reporting-org ref="XM-DAC-918-3"><narrative>European Investment Bank</narrative></reporting-org>
  <title><narrative>Statistical capacity loan</narrative></title>
  <participating-org role="1" ref="40-Multilateral"><narrative>EDF</narrative></participating-org>
  <participating-org role="4"><narrative>PARIS21</narrative></participating-org>
  <activity-status code="2"/>
  <activity-date type="2" iso-date="2025-03-01T00:00:00">2025-03-01</activity-date>
  <activity-date type="3">2027-12-31</activity-date>
  <recipient-country code="ke"><narrative>Kenya</narrative></recipient-country>
  <sector vocabulary="1" code="16062" percentage="100"><narrative>Statistical capacity building</narrative></sector>
</iati-activity>
</iati-activities>
"""

NAMESPACED = """<?xml version="1.0" encoding="UTF-8"?>
<iati-activities xmlns="http://example.org/iati" xmlns:ext="http://example.org/ext" version="2.02">
 <iati-activity xml:lang="fr" default-currency="USD">
  <iati-identifier>XM-DAC-41146-TX-9</iati-identifier>
  <reporting-org ref="XM-DAC-41146" type="40">
   <narrative>ONU Femmes</narrative><narrative xml:lang="en">UN Women</narrative>
  </reporting-org>
  <title><narrative>Données de genre</narrative></title>
  <ext:note>an extension element</ext:note>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2025-01-15Z"/>
  <transaction><transaction-type code="2"/><recipient-country code="SN"/></transaction>
  <transaction><transaction-type code="3"/><recipient-country code="ML"/></transaction>
  <transaction><transaction-type code="3"/><recipient-country code="SN"/></transaction>
 </iati-activity>
</iati-activities>
""".encode()


def test_shapes_of_real_publishers_files(writable_db):
    plan = iati.validate_file(BANK_STYLE, "eib.xml", writable_db, today=TODAY, editor=ADMIN)
    assert not plan.critical, plan.findings
    (rec,) = plan.records  # the bank itself is no partner; PARIS21 implements
    assert (rec["partner_id"], rec["iso3"], rec["percentage"]) == ("paris21", "KEN", None)
    assert str(rec["start_date"]) == "2025-03-01" and str(rec["end_date"]) == "2027-12-31"
    assert rec["support_type"] == "data_production"
    assert [o["name"] for o in PS.unknown_organisations(plan)] == ["European Investment Bank"]

    plan = iati.validate_file(NAMESPACED, "unw.xml", writable_db, today=TODAY, editor=ADMIN)
    assert not plan.critical, plan.findings
    got = sorted((r["partner_id"], r["iso3"], r["percentage"]) for r in plan.records)
    assert got == [("unwomen", "MLI", None), ("unwomen", "SEN", None)], "countries per transaction, each once"
    assert any("per transaction" in f.message for f in plan.findings)
    assert not PS.unknown_organisations(plan), "the English narrative of the reporting-org names the partner"


# --------------------------------------------------------------------------------------
# Re-import of an updated file: one UPDATE, exact history and undo
# --------------------------------------------------------------------------------------
def test_update_many_writes_what_update_writes_and_undo_is_exact(writable_db):
    db = writable_db
    ids = [r[0] for r in db.rows("SELECT program_id FROM country_programs ORDER BY program_id LIMIT 6")]
    before = db.table_checksums()
    changes = [({"program_id": ids[0]}, {"status": "paused", "end_date": "2031-01-31", "notes": None}),
               ({"program_id": ids[1]}, {"topic": "time use"}),
               ({"program_id": ids[2]}, {"status": db.scalar("SELECT status FROM country_programs WHERE program_id = ?",
                                                             [ids[2]])})]  # unchanged: no history
    with db.write(kind="edit", source="one by one", editor="test") as b:
        n_one = sum(b.update("country_programs", k, v) for k, v in changes)
        one = b.batch_id
    one_state = _data_sums(db)
    one_history = db.rows("SELECT seq, table_name, record_key, action, column_name, old_value, new_value "
                          "FROM record_changes WHERE batch_id = ? ORDER BY seq", [one])
    db.undo_batch(one, by="test")
    assert _data_sums(db) == {t: v for t, v in before.items() if t not in ("import_batches", "record_changes")}

    with db.write(kind="edit", source="at once", editor="test") as b:
        n_many = b.update_many("country_programs", changes)
        many = b.batch_id
    assert n_many == n_one >= 3
    assert _data_sums(db) == one_state
    assert db.rows("SELECT seq, table_name, record_key, action, column_name, old_value, new_value FROM record_changes "
                   "WHERE batch_id = ? ORDER BY seq", [many]) == one_history
    db.undo_batch(many, by="test")
    assert _data_sums(db) == {t: v for t, v in before.items() if t not in ("import_batches", "record_changes")}

    from collab_data.db import WriteRejected
    with pytest.raises(WriteRejected, match="removed meanwhile"), db.write(kind="edit", source="x", editor="t") as b:
        b.update_many("country_programs", [({"program_id": "no_such_programme"}, {"status": "active"})])
    with pytest.raises(ValueError), db.write(kind="edit", source="x", editor="t") as b:
        b.update_many("country_programs", [({"program_id": ids[0]}, {"batch_id": 1})])


def test_undo_puts_back_the_value_from_before_the_batch_and_removed_rows(writable_db):
    db = writable_db
    before = _data_sums(db)
    pid, name = db.rows("SELECT partner_id, name FROM partners ORDER BY partner_id LIMIT 1")[0]
    tool, owner = db.rows("SELECT tool_id, partner_id FROM tool_owners ORDER BY ALL LIMIT 1")[0]
    with db.write(kind="edit", source="several edits", editor="test") as b:
        b.update("partners", {"partner_id": pid}, {"name": name + " (renamed once)", "website": "https://a.example"})
        b.update("partners", {"partner_id": pid}, {"name": name + " (renamed twice)"})
        b.update_many("partners", [({"partner_id": pid}, {"name": name + " (thrice)", "description": "x"})])
        assert b.remove("tool_owners", {"tool_id": tool, "partner_id": owner})
        batch = b.batch_id
    assert db.scalar("SELECT name FROM partners WHERE partner_id = ?", [pid]) == name + " (thrice)"
    db.undo_batch(batch, by="test")
    assert _data_sums(db) == before


def test_a_reimported_updated_iati_file_updates_in_bulk_and_undo_restores_every_table(writable_db):
    db = writable_db
    first = iati.synthetic_xml(60)
    b1 = PS.write(db, PS.validate(first, "a.xml", db, today=TODAY, editor=ADMIN), editor=ADMIN)
    after_first = db.table_checksums()
    plan = PS.validate(iati.synthetic_xml(60, revision=1), "a.xml", db, today=TODAY, editor=ADMIN)
    updates = [r for r in plan.records if r["action"] == "update"]
    assert updates and all(r["action"] == "update" for r in plan.records), "same activities: updates only"
    b2 = PS.write(db, plan, editor=ADMIN)
    changed = db.scalar("SELECT count(DISTINCT record_key) FROM record_changes WHERE batch_id = ?", [b2])
    assert changed == len(updates)
    again = PS.validate(iati.synthetic_xml(60, revision=1), "a.xml", db, today=TODAY, editor=ADMIN)
    assert not again.records, "re-importing the same file changes nothing"
    db.undo_batch(b2, by="test")
    now = db.table_checksums()
    assert {t: v for t, v in now.items() if t not in ("import_batches", "record_changes")} == \
        {t: v for t, v in after_first.items() if t not in ("import_batches", "record_changes")}
    assert db.rows("SELECT status FROM import_batches WHERE batch_id IN (?, ?) ORDER BY batch_id", [b1, b2]) == [
        ("imported",), ("undone",)]


# --------------------------------------------------------------------------------------
# The page: the roles that count, for an IATI upload
# --------------------------------------------------------------------------------------
def test_the_page_offers_the_iati_roles_and_validates_the_same_upload_again(copy_path, hashes, monkeypatch):
    from editors import ADMIN_CODE, make_editor_app, sign_in

    doc = b"""<?xml version="1.0" encoding="UTF-8"?><iati-activities version="2.03">
 <iati-activity><iati-identifier>XM-TEST-ROLES-1</iati-identifier>
  <reporting-org ref="XM-TEST"><narrative>Nobody Institute</narrative></reporting-org>
  <participating-org role="1"><narrative>Data2X</narrative></participating-org>
  <participating-org role="4"><narrative>PARIS21</narrative></participating-org>
  <activity-status code="2"/><activity-date type="1" iso-date="2025-01-01"/>
  <recipient-country code="KE"/></iati-activity></iati-activities>"""
    at = make_editor_app(hashes, "pages/manage.py", copy_path, monkeypatch)
    sign_in(at, "Secretariat", ADMIN_CODE)
    assert any("Closed (4) → Completed" in c.value and "Cancelled (5) → not imported" in c.value for c in at.caption)
    next(u for u in at.file_uploader if u.label == "Programmes file").set_value(("a.xml", doc, "application/xml")).run()
    assert not at.exception, at.exception
    roles = at.multiselect(key="programmes_iati_roles")
    assert roles.value == ["reporting", "implementing"]
    assert any("reporting organisation, implementing organisations" in c.value for c in at.caption)
    preview = next(d.value for d in at.dataframe if "IATI activity" in d.value.columns)
    assert list(preview["Partner"]) == ["paris21"]
    roles.set_value(["funding", "implementing"]).run()
    assert not at.exception, at.exception
    preview = next(d.value for d in at.dataframe if "IATI activity" in d.value.columns)
    assert sorted(preview["Partner"]) == ["data2x", "paris21"]
    assert any("funding organisations, implementing organisations" in c.value for c in at.caption)
