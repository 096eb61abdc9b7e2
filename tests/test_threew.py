"""3W / operational-presence sheets as country programmes: the HXL hashtag row, columns by
tag or by name, sub-national rows collapsed into one programme per partner and country,
the country of the whole file, partner names reconciled (never a silent wrong partner),
rows the source flags, and nothing written by validation."""

from __future__ import annotations

import io
from datetime import date

import pytest
from conftest import TODAY

from collab_data.db import Database
from collab_data.ingest import activities as A
from collab_data.records import programmes as PR
from collab_data.records import threew as T
from collab_data.records.base import unknown_references

ADMIN = A.Editor("Secretariat", None)
PARIS = A.Editor("PARIS21 data lead", "paris21")

HEADER = ["Organisation", "Org acronym", "Country", "Admin1", "Admin2", "Sector", "Activity", "Start date",
          "End date", "Status", "Warning"]
HXL = ["#org+name", "#org+acronym", "#country+name", "#adm1+name", "#adm2+name", "#sector+cluster", "#activity",
       "#date+start", "#date+end", "#status", "#meta+warning"]
KENYA = [  # three sub-national rows of one partner in one country, one flagged by the source
    ["Partnership in Statistics for Development in the 21st Century", "PARIS21", "Kenya", "Turkana", "Lodwar",
     "Statistics", "Capacity building workshop", "2026-01-10", "2026-06-30", "Completed", ""],
    ["Partnership in Statistics for Development in the 21st Century", "PARIS21", "Kenya", "Nairobi", "",
     "Gender", "Training of trainers", "2025-05-01", "2026-12-31", "Ongoing", ""],
    ["Partnership in Statistics for Development in the 21st Century", "PARIS21", "Kenya", "Kisumu", "",
     "Statistics", "Training", "2025-09-01", "", "Completed", "possible duplicate"],
    ["Open Data Watch", "ODW", "Uganda", "Central", "Kampala", "Open data", "Advocacy", "2025-02-01", "", "Active", ""],
]


def _csv(rows: list[list[str]], header=HEADER, hxl=HXL) -> bytes:
    import csv

    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    if hxl:
        w.writerow(hxl)
    w.writerows(rows)
    return out.getvalue().encode("utf-8")


def _xlsx(rows: list[list[str]], header=HEADER, hxl=HXL) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    if hxl:
        ws.append(hxl)
    for r in rows:
        ws.append([date.fromisoformat(v) if len(v) == 10 and v[4] == "-" and v[:4].isdigit() else v for v in r])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _validate(db: Database, data: bytes, name: str = "3w.csv", **kw):
    kw.setdefault("editor", ADMIN)
    return T.validate_file(data, name, db, today=TODAY, **kw)


def _errors(plan):
    return [f for f in plan.findings if f.tier == "error"]


def _check_kenya(plan, first_row: int):
    by = {(r["partner_id"], r["iso3"]): r for r in plan.records}
    assert set(by) == {("paris21", "KEN"), ("odw", "UGA")}, plan.findings
    ken = by[("paris21", "KEN")]
    assert ken["areas"] == "Turkana > Lodwar; Nairobi; Kisumu"
    assert ken["sectors"] == "Statistics; Gender"
    assert ken["start_date"] == date(2025, 5, 1) and ken["end_date"] == date(2026, 12, 31)
    assert ken["status"] == "active", "active when any of its rows is active"
    assert ken["support_type"] == "training" and ken["tool_id"] is None
    assert ken["source_format"] == "3w" and ken["rows"] == [first_row, first_row + 1, first_row + 2]
    assert by[("odw", "UGA")]["support_type"] == "advocacy"
    flagged = [f for f in plan.findings if "source flags this row" in f.message]
    assert [(f.tier, f.row, f.value) for f in flagged] == [("warning", first_row + 2, "possible duplicate")]
    assert not _errors(plan) and not plan.critical
    for r in plan.records:  # what programmes.write takes
        assert {"program_id", "partner_id", "iso3", "tool_id", "support_type", "topic", "start_date", "end_date",
                "status", "notes"} <= set(r)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("with_hxl", [True, False])
def test_sub_national_rows_collapse_into_one_programme(sample_db_path, fmt, with_hxl):
    db = Database(sample_db_path)
    make = _csv if fmt == "csv" else _xlsx
    data = make(KENYA, hxl=HXL if with_hxl else None)
    assert T.looks_like_3w(data, f"3w.{fmt}")
    plan = _validate(db, data, f"3w.{fmt}")
    _check_kenya(plan, first_row=3 if with_hxl else 2)  # the spreadsheet's row numbers
    # the HXL row under the header is recognised and names the columns: no finding, nothing skipped
    assert plan.hxl_row == (2 if with_hxl else None)
    assert not [f for f in plan.findings if f.row == 2 or "skipped" in f.message.lower()], plan.findings
    if with_hxl:
        assert plan.hxl_columns["acronym"] == "Org acronym" and plan.hxl_columns["adm2"] == "Admin2"


def test_columns_by_hxl_tag_whatever_their_names(sample_db_path):
    db = Database(sample_db_path)
    names = ["Qui", "Sigle", "Pays", "Région", "District", "Secteur", "Activité", "Début", "Fin", "Statut", "Alerte"]
    data = _csv(KENYA, header=names)
    assert T.looks_like_3w(data, "3w.csv")
    _check_kenya(_validate(db, data), first_row=3)


def test_a_programme_file_is_not_a_3w(sample_db_path):
    assert not T.looks_like_3w(PR.template_csv(example=True), "programmes.csv")
    assert not T.looks_like_3w(b"name,acronym,type\nFoo,F,ngo\n", "partners.csv")
    assert not T.looks_like_3w(b"\x00\x01binary", "x.csv")


def test_sheet_without_country_column_needs_the_country_of_the_file(sample_db_path):
    db = Database(sample_db_path)
    header = [h for h in HEADER if h != "Country"]
    hxl = [t for t in HXL if not t.startswith("#country")]
    rows = [[c for i, c in enumerate(r) if i != 2] for r in KENYA[:3]]
    data = _csv(rows, header=header, hxl=hxl)
    plan = _validate(db, data)
    assert plan.critical and not plan.records
    crit = [f for f in plan.findings if f.tier == "critical"]
    assert "no country column" in crit[0].message and "Choose the country" in crit[0].fix
    plan = _validate(db, data, country="Kenya")
    assert [(r["partner_id"], r["iso3"]) for r in plan.records] == [("paris21", "KEN")]
    assert plan.records[0]["areas"] == "Turkana > Lodwar; Nairobi; Kisumu"
    assert _validate(db, data, country="Sub-Saharan Africa").critical


def test_country_column_with_the_country_of_the_file_given(sample_db_path):
    db = Database(sample_db_path)
    rows = [list(r) for r in KENYA]
    rows[3][2] = ""  # an empty country cell takes the file's country
    plan = _validate(db, _csv(rows), country="KEN")
    assert {(r["partner_id"], r["iso3"]) for r in plan.records} == {("paris21", "KEN"), ("odw", "KEN")}


def _one_org(db, name: str, acronym: str = ""):
    row = [name, acronym, "Kenya", "Nakuru", "", "Statistics", "Training", "2025-03-01", "", "Active", ""]
    return _validate(db, _csv([row]))


@pytest.mark.parametrize("name, acronym, pid, certain", [
    ("", "ODW", "odw", True),                                        # acronym column only
    ("ODW", "", "odw", True),                                        # acronym written as the name
    ("Partnership for stats", "PARIS21", "paris21", False),         # unknown name, registered acronym
    ("Partnership in Statistics for Develop", "", "paris21", False),  # cut short by the export
    ("Global Partnership for Sustainable Dev…", "", "gpsdd", False),  # cut short with an ellipsis
    ("Open Data Watch (ODW)", "", "odw", True),                      # Name (ACRONYM)
    ("Danish Institute for Human Rights (DIHR)", "DIHR", "dihr", True),
    ("Ópen Dáta Wätch", "", "odw", True),                            # accents
    ("OPEN DATA WATCH", "", "odw", True),                            # case
    ("the world bank", "", "worldbank", True),
    ("UN-Women", "", "unwomen", True),
    ("Equal Insights", "", "equality_insights", False),              # a typo: read as, with a warning
    ("Equal Insights", "EI", "equality_insights", False),            # ... with the initials as acronym
])
def test_partner_names_are_reconciled(sample_db_path, name, acronym, pid, certain):
    plan = _one_org(Database(sample_db_path), name, acronym)
    assert [r["partner_id"] for r in plan.records] == [pid], plan.findings
    read_as = [f for f in plan.findings if f.tier == "warning" and " read as " in f.message]
    if certain:
        assert not read_as
    else:
        assert len(read_as) == 1 and read_as[0].row == 3 and read_as[0].value == (name or acronym)


@pytest.mark.parametrize("name, acronym, suggested", [
    ("United Nations", "", {"unwomen", "unicef", "unsd"}),   # the start of three registered names
    ("Open Data Watch", "PARIS21", {"odw", "paris21"}),       # name and acronym disagree
    ("Open Data Watch (PARIS21)", "", {"odw", "paris21"}),
])
def test_a_name_close_to_several_partners_is_not_guessed(sample_db_path, name, acronym, suggested):
    db = Database(sample_db_path)
    plan = _one_org(db, name, acronym)
    assert not plan.records
    (err,) = _errors(plan)
    labels = {pid: (a or n) for pid, n, a in db.rows("SELECT partner_id, name, acronym FROM partners")}
    assert err.row == 3 and "not guessed" in err.message
    for pid in suggested:
        assert labels[pid] in err.message


@pytest.mark.parametrize("name, acronym, suggested", [
    ("Danish Institute for Animal Rights", "", "DIHR"),   # another word: another organisation, not a typo
    ("Partnership in Statistics for Develop", "PSD", "PARIS21"),  # cut short, with an acronym nobody has
])
def test_an_unregistered_organisation_is_not_read_as_a_similar_partner(sample_db_path, name, acronym, suggested):
    plan = _one_org(Database(sample_db_path), name, acronym)
    (err,) = _errors(plan)
    assert not plan.records and err.message.startswith(f"Unknown partner {name!r}. Did you mean ")
    assert suggested in err.message


def test_unknown_partner_message_for_the_register_panel(sample_db_path):
    plan = _one_org(Database(sample_db_path), "Open Data", "")  # under 12 characters: no prefix match
    (err,) = _errors(plan)
    assert err.message.startswith("Unknown partner 'Open Data'. Did you mean ") and "ODW" in err.message
    assert err.column == "Organisation" and err.row == 3
    plan = _one_org(Database(sample_db_path), "Nobody Relief Org", "")
    assert unknown_references(plan.findings)["partners"] == ["Nobody Relief Org"]


def test_a_partner_editor_gets_only_its_own_rows(sample_db_path):
    plan = _validate(Database(sample_db_path), _csv(KENYA), editor=PARIS)
    assert [r["partner_id"] for r in plan.records] == ["paris21"]
    (err,) = _errors(plan)
    assert err.row == 6 and "only PARIS21's programmes" in err.message


def test_support_type_default_and_bad_rows(sample_db_path):
    rows = [
        ["Open Data Watch", "", "Kenya", "Nakuru", "", "Health", "Mobile clinics", "2025-03-01", "", "Active", ""],
        ["Open Data Watch", "", "Atlantis", "", "", "Health", "", "2025-03-01", "", "Active", ""],
        ["Open Data Watch", "", "Uganda", "", "", "Health", "", "31/02/2025", "", "Active", ""],
    ]
    plan = _validate(Database(sample_db_path), _csv(rows))
    (rec,) = plan.records
    assert rec["support_type"] == "technical_assistance"
    assert any("read as technical assistance" in fl for fl in rec["flags"])
    assert [(f.row, f.column) for f in _errors(plan)] == [(4, "Country"), (5, "Start date")]


def test_validating_writes_nothing_and_existing_programmes_are_reported(writable_db):
    before = writable_db.table_checksums()
    plan = _validate(writable_db, _csv(KENYA))
    assert len(plan.records) == 2 and writable_db.table_checksums() == before
    PR.write(writable_db, plan, editor=ADMIN)
    again = _validate(writable_db, _csv(KENYA))
    assert not again.records and not _errors(again), "a re-imported sheet is not an error"
    (note,) = [f for f in again.findings if "already recorded" in f.message]
    assert note.tier == "warning" and note.message.startswith("2 programme(s)") and "skipped" in note.message


def test_a_presence_sheet_without_dates_read_again_on_another_day_adds_nothing(writable_db):
    """A sheet without a start date records "present from today": read again a month later it must not
    duplicate what the first import recorded."""
    from datetime import timedelta
    header = [h for h in HEADER if h not in ("Start date", "End date", "Status")]
    keep = [HEADER.index(h) for h in header]
    rows = [[r[i] for i in keep] for r in KENYA]
    plan = _validate(writable_db, _csv(rows, header=header, hxl=None))
    assert len(plan.records) == 2 and not _errors(plan)
    PR.write(writable_db, plan, editor=ADMIN)
    before = writable_db.table_checksums()
    later = T.validate_file(_csv(rows, header=header, hxl=None), "3w.csv", writable_db,
                            today=TODAY + timedelta(days=30), editor=ADMIN)
    assert not later.records and not _errors(later)
    assert any("already recorded" in f.message for f in later.findings)
    assert writable_db.table_checksums() == before


def test_a_sheet_whose_header_is_the_hashtag_row(sample_db_path):
    data = _csv(KENYA, header=HXL, hxl=None)
    assert T.looks_like_3w(data, "3w.csv")
    _check_kenya(_validate(Database(sample_db_path), data), first_row=2)


def test_a_flag_column_saying_no_flags_nothing(sample_db_path):
    rows = [list(r) for r in KENYA]
    for r in rows:
        r[-1] = r[-1] or "no"
    plan = _validate(Database(sample_db_path), _csv(rows))
    assert [f.value for f in plan.findings if "source flags this row" in f.message] == ["possible duplicate"]
