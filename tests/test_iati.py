"""Country programmes from IATI activity files (2.03): dates, statuses, countries with
shares, regions, parents and children, gender markers, narratives, partner matching by
reference and by name, BOM, zip, a refused entity bomb; re-importing changes nothing, an
updated file changes only what changed (with history), undo restores the data exactly; a
partner editor imports only its own partner's programmes."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import zipfile
from datetime import date

import pytest
from conftest import PROJECT_ROOT, TODAY

from collab_data.db import WriteRejected, close_database, get_database
from collab_data.ingest import activities as A
from collab_data.records import iati
from collab_data.records import programme_sources as PS
from collab_data.records.base import unknown_references

ADMIN = A.Editor("Secretariat", None)
PARIS = A.Editor("PARIS21 data lead", "paris21")
UNW_REF = "XM-DAC-41146"

MAIN = """
 <iati-activity xml:lang="en" default-currency="USD" last-updated-datetime="2026-01-01T00:00:00">
  <iati-identifier>XM-DAC-41146-KE-001</iati-identifier>
  <reporting-org ref="XM-DAC-41146" type="40"><narrative>UN Women</narrative></reporting-org>
  <title><narrative xml:lang="fr">Statistiques de genre</narrative><narrative>Gender statistics</narrative></title>
  <description type="1"><narrative>Making every woman count in East Africa.</narrative></description>
  <participating-org role="1" ref="DAC-1601" type="60"><narrative>Gates Foundation</narrative></participating-org>
  <participating-org role="4" type="21"><narrative>Open Data Watch</narrative></participating-org>
  <activity-status code="{status}"/>
  <activity-date type="3" iso-date="{end}"/>
  <activity-date type="1" iso-date="2024-01-15"/>
  <activity-date type="2" iso-date="2024-02-01"/>
  <recipient-country code="KE" percentage="{ke}"/>
  <recipient-country code="TZ" percentage="40"/>
  <sector vocabulary="1" code="16062" percentage="70"/>
  <sector vocabulary="1" code="15170" percentage="30"/>
  <policy-marker vocabulary="1" code="2" significance="1"/>
  <policy-marker vocabulary="1" code="1" significance="2"/>
 </iati-activity>"""

OTHERS = """
 <iati-activity>
  <iati-identifier>XM-DAC-41146-REG-002</iati-identifier>
  <reporting-org ref="XM-DAC-41146" type="40"><narrative>UN Women</narrative></reporting-org>
  <title><narrative>Regional hub</narrative></title>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2025-01-01"/>
  <recipient-region code="289" vocabulary="1" percentage="100"/>
 </iati-activity>
 <iati-activity>
  <iati-identifier>XM-DAC-41146-CAN-003</iati-identifier>
  <reporting-org ref="XM-DAC-41146" type="40"><narrative>UN Women</narrative></reporting-org>
  <activity-status code="5"/>
  <activity-date type="1" iso-date="2025-01-01"/>
  <recipient-country code="UG"/>
 </iati-activity>
 <iati-activity hierarchy="1" xml:lang="fr">
  <iati-identifier>XM-DAC-41146-PAR</iati-identifier>
  <reporting-org ref="XM-DAC-41146" type="40"><narrative>UN Women</narrative></reporting-org>
  <title><narrative xml:lang="es">Programa global</narrative></title>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2023-01-01"/>
  <recipient-country code="SN" percentage="100"/>
  <related-activity type="2" ref="XM-DAC-41146-CHD"/>
 </iati-activity>
 <iati-activity hierarchy="2" xml:lang="fr">
  <iati-identifier>XM-DAC-41146-CHD</iati-identifier>
  <reporting-org ref="XM-DAC-41146" type="40"><narrative>ONU Femmes</narrative></reporting-org>
  <title><narrative>Données au Sénégal</narrative><narrative xml:lang="en">Data in Senegal</narrative></title>
  <activity-status code="4"/>
  <activity-date type="4" iso-date="2025-06-30"/>
  <activity-date type="2" iso-date="2023-03-01"/>
  <recipient-country code="SN" percentage="100"/>
  <policy-marker code="1" significance=""/>
  <related-activity type="1" ref="XM-DAC-41146-PAR"/>
 </iati-activity>
 <iati-activity>
  <iati-identifier>XX-NOBODY-77</iati-identifier>
  <reporting-org ref="XX-NOBODY" type="21"><narrative>Nobody Institute</narrative></reporting-org>
  <title><narrative xml:lang="de">Daten für alle</narrative></title>
  <participating-org role="4" ref="not-an-iati-id"><narrative>PARIS21</narrative></participating-org>
  <activity-status code="6"/>
  <activity-date type="1" iso-date="2026-01-10"/>
  <recipient-country code="GH"/>
  <policy-marker vocabulary="1" code="1"/>
 </iati-activity>"""


def doc(*activities: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03" '
            'generated-datetime="2026-01-01T00:00:00">' + "".join(activities) + "\n</iati-activities>\n").encode()


def main(status="2", end="2026-12-31", ke="60") -> str:
    return MAIN.format(status=status, end=end, ke=ke)


FILE = doc(main(), OTHERS)


@pytest.fixture()
def rw(sample_db_path, tmp_path):
    path = tmp_path / "iati.duckdb"
    shutil.copy(sample_db_path, path)
    db = get_database(path)
    with db.write(kind="edit", source="IATI identifier", editor="test") as b:  # as an administrator records it
        b.update("partners", {"partner_id": "unwomen"}, {"iati_org_id": UNW_REF})
    return db


def _validate(db, data=FILE, editor=ADMIN, **kw):
    return iati.validate_file(data, "activities.xml", db, today=TODAY, editor=editor, **kw)


def _by(plan):
    return {(r["external_id"], r["iso3"], r["partner_id"]): r for r in plan.records}


def _data_sums(db):
    """Checksums of every table but the batch log and the history (which record what was done)."""
    return {t: v for t, v in db.table_checksums().items() if t not in ("import_batches", "record_changes")}


def test_reads_activities_into_programmes(rw):
    plan = _validate(rw)
    assert plan.rows_read == 6 and not plan.critical
    got = _by(plan)
    assert set(got) == {("XM-DAC-41146-KE-001", "KEN", "unwomen"), ("XM-DAC-41146-KE-001", "KEN", "odw"),
                        ("XM-DAC-41146-KE-001", "TZA", "unwomen"), ("XM-DAC-41146-KE-001", "TZA", "odw"),
                        ("XM-DAC-41146-CHD", "SEN", "unwomen"), ("XX-NOBODY-77", "GHA", "paris21")}
    ke = got[("XM-DAC-41146-KE-001", "KEN", "unwomen")]
    assert ke["start_date"] == date(2024, 2, 1), "the actual start wins over the planned one, in any order"
    assert ke["end_date"] == date(2026, 12, 31) and ke["status"] == "active"
    assert ke["percentage"] == 60 and got[("XM-DAC-41146-KE-001", "TZA", "odw")]["percentage"] == 40
    assert ke["gender_marker"] == 2 and ke["sectors"] == "16062; 15170" and ke["support_type"] == "data_production"
    assert ke["title"] == "Gender statistics" and ke["description"].startswith("Making every woman")
    assert ke["source_format"] == "iati" and ke["program_id"].startswith("iati_")
    child = got[("XM-DAC-41146-CHD", "SEN", "unwomen")]
    assert (child["start_date"], child["end_date"], child["status"]) == (date(2023, 3, 1), date(2025, 6, 30),
                                                                         "completed")
    assert child["gender_marker"] is None, "an empty significance is 'not screened', not 0"
    assert child["title"] == "Data in Senegal" and child["support_type"] == "technical_assistance"
    nobody = got[("XX-NOBODY-77", "GHA", "paris21")]
    assert nobody["status"] == "paused" and nobody["title"] == "Daten für alle" and nobody["percentage"] is None
    assert len({r["program_id"] for r in plan.records}) == 6
    findings = [(f.tier, f.row, f.column) for f in plan.findings]
    assert ("warning", 2, "recipient-region") in findings
    assert ("warning", 3, "activity-status") in findings
    assert ("warning", 4, "related-activity") in findings, "the parent is counted through its child"
    msgs = " ".join(f.message for f in plan.findings)
    assert "not country-specific" in msgs and "cancelled" in msgs
    assert unknown_references(plan.findings)["partners"] == ["Nobody Institute"]
    assert "Gates" not in msgs, "a funder does not count by default: it is not looked up"
    assert [f for f in plan.findings if f.tier == "error"] == []


def test_roles_choose_who_gets_the_programme(rw):
    plan = _validate(rw, doc(main()), roles="reporting")
    assert {r["partner_id"] for r in plan.records} == {"unwomen"}
    plan = _validate(rw, doc(main()), roles=["1", "implementing"])
    assert {r["partner_id"] for r in plan.records} == {"odw"}
    assert unknown_references(plan.findings)["partners"] == ["Gates Foundation"]
    bad = _validate(rw, doc(main()), roles="donor")
    assert bad.critical and not bad.records
    assert "reporting organisation" in PS.rules_caption() and "Finalisation (3) → Active" in PS.rules_caption()


def test_bom_zip_and_detection(rw):
    plain = _validate(rw)
    bom = _validate(rw, b"\xef\xbb\xbf" + FILE)
    assert _by(bom).keys() == _by(plain).keys()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a/first.xml", doc(main()))
        zf.writestr("b/second.xml", b"\xef\xbb\xbf" + doc(OTHERS))
    data = buf.getvalue()
    assert PS.detect(data, "activities.zip") == "iati" and PS.detect(FILE, "export.txt") == "iati"
    assert PS.detect(b"partner,country\nPARIS21,Kenya\n", "p.csv") == "sheet"
    from collab_data.records import programmes as PR
    assert PS.detect(PR.template_xlsx(example=True), "p.xlsx") == "sheet"
    zipped = PS.validate(data, "activities.zip", rw, today=TODAY, editor=ADMIN)
    assert zipped.source_format == "iati" and zipped.rows_read == 6
    assert _by(zipped).keys() == _by(plain).keys()
    assert ("warning", 2, "recipient-region") in [(f.tier, f.row, f.column) for f in zipped.findings]


@pytest.mark.parametrize("data", [
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n<iati-activities><iati-activity><iati-identifier>&lol3;'
    b'</iati-identifier></iati-activity></iati-activities>',
    b'<?xml version="1.0"?><!DOCTYPE iati-activities SYSTEM "file:///etc/passwd"><iati-activities/>',
    b'<?xml version="1.0"?><activities><activity/></activities>',
    b'<?xml version="1.0"?><iati-activities><iati-activity>',
])
def test_hostile_or_foreign_xml_is_refused(rw, data):
    before = rw.table_checksums()
    plan = PS.validate(data, "bomb.xml", rw, today=TODAY, editor=ADMIN)
    assert plan.critical and not plan.records
    with pytest.raises(WriteRejected):
        PS.write(rw, plan, editor=ADMIN)
    assert rw.table_checksums() == before


def test_reimport_updates_only_what_changed_and_undo_restores(rw):
    original = _data_sums(rw)
    first = _validate(rw)
    b1 = iati.write(rw, first, editor=ADMIN)
    stored = rw.rows("SELECT count(*), count(DISTINCT external_id) FROM country_programs WHERE source_format = 'iati'")
    assert stored == [(6, 3)]
    after_first = _data_sums(rw)
    batches = rw.scalar("SELECT count(*) FROM import_batches")

    again = _validate(rw)
    assert again.records == [] and len(again.unchanged) == 6
    assert "unchanged" in again.findings[-1].message
    with pytest.raises(WriteRejected, match="nothing to change"):
        iati.write(rw, again, editor=ADMIN)
    assert rw.scalar("SELECT count(*) FROM import_batches") == batches and _data_sums(rw) == after_first

    newer = _validate(rw, doc(main(status="4", end="2026-06-30", ke="55"), OTHERS))
    changes = {(r["iso3"], r["partner_id"]): r["changes"] for r in newer.records}
    assert all(r["action"] == "update" for r in newer.records)
    assert set(changes) == {("KEN", "unwomen"), ("KEN", "odw"), ("TZA", "unwomen"), ("TZA", "odw")}
    assert set(changes[("KEN", "odw")]) == {"status", "end_date", "percentage"}
    assert set(changes[("TZA", "odw")]) == {"status", "end_date"}
    assert any("status changes from active to completed" in f.message for f in newer.findings)
    b2 = iati.write(rw, newer, editor=ADMIN)
    history = rw.rows("SELECT column_name, old_value, new_value FROM record_changes WHERE batch_id = ? "
                      "AND record_key LIKE '%_ken_odw%'", [b2])
    assert sorted(history) == [("end_date", "2026-12-31", "2026-06-30"), ("percentage", "60", "55"),
                               ("status", "active", "completed")]
    assert rw.scalar("SELECT count(*) FROM country_programs WHERE source_format = 'iati'") == 6, "no duplicate"
    rw.undo_batch(b2, by="test")
    assert _data_sums(rw) == after_first
    rw.undo_batch(b1, by="test")
    assert _data_sums(rw) == original


def test_new_and_changed_in_one_batch(rw):
    iati.write(rw, _validate(rw, doc(main())), editor=ADMIN)
    before = _data_sums(rw)
    plan = _validate(rw, doc(main(ke="50"), OTHERS))
    assert sorted(r["action"] for r in plan.records) == ["new", "new", "update", "update"]
    batch = iati.write(rw, plan, editor=ADMIN)
    assert rw.scalar("SELECT rows_imported FROM import_batches WHERE batch_id = ?", [batch]) == 4
    rw.undo_batch(batch, by="test")
    assert _data_sums(rw) == before


def test_a_partner_editor_imports_only_its_own_programmes(rw):
    plan = _validate(rw, editor=PARIS)
    assert {r["partner_id"] for r in plan.records} == {"paris21"}
    errors = [f for f in plan.findings if f.tier == "error"]
    assert errors and all("PARIS21" in f.message for f in errors)
    assert {f.row for f in errors} == {1, 5}
    iati.write(rw, plan, editor=PARIS)
    unw = _validate(rw, editor=A.Editor("UN Women lead", "unwomen"))
    assert {r["partner_id"] for r in unw.records} == {"unwomen"}
    with pytest.raises(WriteRejected, match="own partner"):
        iati.write(rw, unw, editor=PARIS)


def test_cli_imports_an_iati_file(rw, tmp_path):
    path = tmp_path / "activities.xml"
    path.write_bytes(FILE)
    close_database(rw.path)  # the command line opens the file itself
    run = [sys.executable, "-m", "collab_data", "import", "programmes", str(path), "--db", str(rw.path)]
    out = subprocess.run([*run, "--roles", "reporting"], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "imported 3 programmes" in out.stdout


def test_page_imports_an_iati_file(rw, hashes, monkeypatch):
    from editors import ADMIN_CODE, make_editor_app, sign_in

    at = make_editor_app(hashes, "pages/manage.py", rw.path, monkeypatch)
    sign_in(at, "Secretariat", ADMIN_CODE)
    assert any("Finalisation (3) → Active" in c.value for c in at.caption), "the status rule is on screen"
    uploader = next(u for u in at.file_uploader if u.label == "Programmes file")
    uploader.set_value(("activities.xml", FILE, "application/xml")).run()
    assert not at.exception, at.exception
    preview = next(d.value for d in at.dataframe if "IATI activity" in d.value.columns)
    assert len(preview) == 6 and set(preview["Change"]) == {"new"}
    next(b for b in at.button if b.key == "programmes_do_import").click().run()
    assert not at.exception, at.exception
    assert any("Imported 6 programmes from activities.xml" in s.value for s in at.success)
    assert rw.scalar("SELECT count(*) FROM country_programs WHERE source_format = 'iati'") == 6


def test_what_cannot_be_imported_is_said_per_activity(rw):
    act = """
 <iati-activity><iati-identifier>{ident}</iati-identifier>
  <reporting-org ref="XM-DAC-41146"><narrative>UN Women</narrative></reporting-org>
  <activity-status code="2"/>{dates}
  <recipient-country code="ZZ"/><recipient-country code="ML" percentage="150"/><recipient-country code="KE"/>
 </iati-activity>"""
    ok = '<activity-date type="1" iso-date="2026-01-05"/>'
    plan = _validate(rw, doc(act.format(ident="A-1", dates=ok), act.format(ident="A-1", dates=ok),
                             act.format(ident="A-2", dates=""),
                             act.format(ident="A-3", dates='<activity-date type="2" iso-date="2026-02-30"/>')))
    assert {(r["iso3"], r["percentage"]) for r in plan.records} == {("MLI", None), ("KEN", None)}
    got = {(f.tier, f.row, f.column) for f in plan.findings}
    assert {("warning", 1, "recipient-country"), ("error", 2, "iati-identifier"), ("error", 3, "activity-date"),
            ("error", 4, "activity-date")} <= got
    # a programme entered by hand with the same partner, country, support type and start date
    from collab_data.records import programmes as PR
    PR.write(rw, PR.validate_file(b"partner,country,support_type,start_date,status\nUN Women,Kenya,technical "
                                  b"assistance,2026-01-05,active\n", "p.csv", rw, today=TODAY, editor=ADMIN),
             editor=ADMIN)
    again = _validate(rw, doc(act.format(ident="A-1", dates=ok)))
    assert [r["iso3"] for r in again.records] == ["MLI"]
    assert any("already recorded" in f.message for f in again.findings if f.tier == "error")
    utf16 = FILE.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-le")
    assert _validate(rw, utf16).critical
    assert _by(_validate(rw, FILE.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"))).keys() \
        == _by(_validate(rw)).keys(), "UTF-16 with its byte-order mark is read"
