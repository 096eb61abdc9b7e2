"""Uploading activities: a corpus of bad and awkward files, each with its expected finding.

After every rejected, cancelled or partly invalid upload, every table is unchanged
(checksums) until the user chooses to import the valid rows.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pytest

from collab_data.db import WriteRejected
from collab_data.ingest import activities as A
from collab_data.ingest.dates import parse_date
from collab_data.ingest.reader import FileRejected, read_table

TODAY = date(2026, 11, 22)
ADMIN = A.Editor("admin", None)
HEADER = "title,type,start_date,end_date,partners,countries,collaborative,tool,outcome"
GOOD = "Training on survey weights,training,2026-03-10,2026-03-12,PARIS21,Kenya,gender,,Two NSOs trained"


def csv_bytes(*lines: str, encoding: str = "utf-8", newline: str = "\n") -> bytes:
    return newline.join(lines).encode(encoding) + newline.encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@dataclass
class Case:
    name: str
    data: bytes
    tier: str                      # the tier of the finding we look for
    row: int | None = None         # row number in the user's file
    column: str | None = None      # the user's column name
    text: str = ""                 # a fragment of the message
    imported: int | None = None    # rows that would be imported
    filename: str = "upload.csv"


def corpus() -> list[Case]:
    big_row = "Knowledge exchange {i},knowledge exchange,2025-05-01,,ODW;PARIS21,Ghana,lnob,,"
    return [
        Case("empty", b"", "critical", text="empty"),
        Case("only whitespace", b"  \n\n \r\n", "critical", text="empty"),
        Case("binary", bytes(range(256)) * 20, "critical", text="binary"),
        Case("png disguised as csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "critical", text="binary"),
        Case("header only", csv_bytes(HEADER), "critical", text="no data rows"),
        Case("no header", csv_bytes("hello"), "critical", text="header"),
        Case("required column missing", csv_bytes("title,type,start_date", "A,training,2026-01-01"), "critical",
             text="'Partners'"),
        Case("over size limit", csv_bytes(HEADER, *[GOOD] * 5), "critical", text="over the"),  # limit set in the test
        Case("utf-16 with BOM", csv_bytes(HEADER, GOOD.replace("Kenya", "Côte d'Ivoire"), encoding="utf-16"),
             "ok", imported=1),
        Case("cp1252", csv_bytes(HEADER, GOOD.replace("Kenya", "Côte d'Ivoire").replace("Two", "Deux — où"),
                                 encoding="cp1252"), "ok", imported=1),
        Case("utf-8 BOM + semicolons + CRLF", b"\xef\xbb\xbf" + csv_bytes(HEADER.replace(",", ";"),
             GOOD.replace(",", ";").replace("PARIS21", "PARIS21|UN Women"), newline="\r\n"), "ok", imported=1),
        Case("tab separated", csv_bytes(HEADER.replace(",", "\t"), GOOD.replace(",", "\t")), "ok", imported=1),
        Case("title lines above the header", csv_bytes("Activities report Q1 2026", "Prepared by ODW,,", "",
                                                       HEADER, GOOD), "warning", text="above the header", imported=1),
        Case("other column names and extra columns",
             csv_bytes("Activity name,Activity type,Date,Organisation,Recipient country,Budget USD,Notes",
                       "Webinar on citizen data,Webinar,14/05/2026,CIVICUS; GPSDD,Nepal,1200,Recorded"),
             "ok", imported=1),
        Case("dd/mm/yyyy", csv_bytes(HEADER, GOOD.replace("2026-03-10,2026-03-12", "10/03/2026,12/03/2026")
                                     .replace("Kenya", "Uganda"), GOOD.replace("2026-03-10,2026-03-12", "25/03/2026,")),
             "ok", imported=2),
        Case("d Mon yyyy", csv_bytes(HEADER, GOOD.replace("2026-03-10,2026-03-12", "10 Mar 2026,12 March 2026")),
             "ok", imported=1),
        Case("excel serial dates", csv_bytes(HEADER, GOOD.replace("2026-03-10,2026-03-12", "46091,46093")),
             "warning", row=2, column="start_date", text="Excel date number", imported=1),
        Case("ambiguous date", csv_bytes(HEADER, GOOD.replace("2026-03-10,2026-03-12", "03/04/2026,")),
             "error", row=2, column="start_date", text="ambiguous", imported=0),
        Case("invalid date", csv_bytes(HEADER, GOOD.replace("2026-03-10", "2026-02-30")),
             "error", row=2, column="start_date", text="February 2026 has 28 days", imported=0),
        Case("day that does not exist in the month", csv_bytes(HEADER, GOOD.replace("2026-03-10,2026-03-12",
                                                                                      "31/02/2026,")),
             "error", row=2, column="start_date", text="31/02/2026: February 2026 has 28 days", imported=0),
        Case("unknown acronym gets no chance suggestion", csv_bytes(HEADER, GOOD.replace("PARIS21", "UNFPA")),
             "error", row=2, column="partners", text="Unknown partner 'UNFPA'.", imported=0),
        Case("end before start", csv_bytes(HEADER, GOOD.replace("2026-03-10,2026-03-12", "2026-03-10,2026-03-01")),
             "error", row=2, column="end_date", text="before it starts", imported=0),
        Case("unknown country with suggestion", csv_bytes(HEADER, GOOD.replace("Kenya", "Kenia")),
             "error", row=2, column="countries", text="not recognised", imported=0),
        Case("ambiguous country", csv_bytes(HEADER, GOOD.replace("Kenya", "Congo")),
             "error", row=2, column="countries", text="ambiguous", imported=0),
        Case("region instead of country", csv_bytes(HEADER, GOOD.replace("Kenya", "Sub-Saharan Africa")),
             "error", row=2, column="countries", text="region or group", imported=0),
        Case("approximate country", csv_bytes(HEADER, GOOD.replace("Kenya", "Ugnda")),
             "warning", row=2, column="countries", text="approximate", imported=1),
        Case("unknown partner", csv_bytes(HEADER, GOOD.replace("PARIS21", "Partnership for Data")),
             "error", row=2, column="partners", text="Unknown partner", imported=0),
        Case("partner typo suggestion", csv_bytes(HEADER, GOOD.replace("PARIS21", "PARIS2l")),
             "error", row=2, column="partners", text="PARIS21", imported=0),
        Case("unknown type", csv_bytes(HEADER, GOOD.replace(",training,", ",party,")),
             "error", row=2, column="type", text="Unknown activity type", imported=0),
        Case("duplicate within the file", csv_bytes(HEADER, GOOD, GOOD), "error", row=3, column="title",
             text="Duplicate of row 2", imported=1),
        Case("duplicate of the database",
             csv_bytes(HEADER, "Demo: Individual Deprivation Measure for partner country teams,tool showcase,2024-01-09,,"
                               "Equality Insights;PARIS21;EM2030,,gender,,"),
             "warning", column=None, text="1 row already imported, skipped", imported=0),
        Case("future date", csv_bytes(HEADER, GOOD.replace("2026-03-10,2026-03-12", "2027-05-01,")),
             "warning", row=2, column="start_date", text="future", imported=1),
        Case("before 2015", csv_bytes(HEADER, GOOD.replace("2026-03-10,2026-03-12", "2012-05-01,")),
             "warning", row=2, column="start_date", text="before 2015", imported=1),
        Case("formula cell", csv_bytes(HEADER, GOOD.replace("Two NSOs trained", "=HYPERLINK(\"http://x\")")),
             "warning", row=2, column="outcome", text="formula", imported=1),
        Case("html and script", csv_bytes(HEADER, GOOD.replace("Training on survey weights",
                                                               "<script>alert(1)</script> Training")),
             "warning", row=2, column="title", text="HTML", imported=1),
        Case("several countries and partners", csv_bytes(HEADER, GOOD.replace("Kenya", "Kenya; UGA | Tanzania")
                                                         .replace("PARIS21", "PARIS21; Open Data Watch")), "ok", imported=1),
        Case("xlsx with a title row", xlsx_bytes([["Quarterly activities"], HEADER.split(","),
                                                  ["Training on survey weights", "training", date(2026, 3, 10), None,
                                                   "PARIS21", "Kenya", "gender", None, None]]),
             "ok", imported=1, filename="activities.xlsx"),
        Case("mixed good and bad rows", csv_bytes(HEADER, GOOD, GOOD.replace("Kenya", "Atlantis").replace("weights", "w2"),
                                                  GOOD.replace("weights", "design")), "error", row=3, column="countries",
             imported=2),
        Case("other publishers' spellings",
             csv_bytes("Event,Format,Start,Lead agency,Country Name,Network",
                       "Regional workshop on gender statistics,Regional workshop,2026-04-02,"
                       "\"The World Bank; Open Data Watch (ODW); UN-Women\",\"Congo, Dem. Rep.; Lao PDR\",Gender Data Collaborative"),
             "warning", row=2, column="Format", text="read as 'training'", imported=1),
        Case("10k rows", csv_bytes(HEADER, *[big_row.format(i=i) for i in range(10_000)]), "ok", imported=10_000),
    ]


CASES = corpus()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus(writable_db, case):
    before = writable_db.table_checksums()
    max_bytes = 300 if case.name == "over size limit" else None
    plan = A.validate(case.data, case.filename, writable_db, editor=ADMIN, today=TODAY, max_bytes=max_bytes)
    frame = plan.findings_frame()
    if case.tier == "ok":
        assert frame[frame["tier"].isin(["critical", "error"])].empty, frame.to_string()
    else:
        hits = frame[(frame["tier"] == case.tier) & frame["message"].str.contains(case.text, regex=False)]
        if case.row is not None:
            hits = hits[hits["row"] == case.row]
        if case.column is not None:
            hits = hits[hits["column"] == case.column]
        assert not hits.empty, f"expected a {case.tier} {case.text!r} at row {case.row}, column {case.column}:\n{frame.to_string()}"
        assert hits["fix"].str.len().min() > 5, "every finding says how to fix it"
    if case.tier == "critical":
        assert plan.critical and plan.counts()["rows to import"] == 0
    if case.imported is not None:
        assert plan.counts()["rows to import"] == case.imported
    # validation (= preview, or a cancelled upload) wrote nothing
    assert writable_db.table_checksums() == before
    if plan.critical or not plan.records:
        with pytest.raises(WriteRejected):
            A.import_activities(writable_db, plan, editor=ADMIN)
        assert writable_db.table_checksums() == before


def test_import_then_reupload_then_undo(writable_db):
    before = writable_db.table_checksums()
    data = A.template_csv(example=True)
    plan = A.validate(data, "example.csv", writable_db, editor=ADMIN, today=TODAY)
    assert plan.counts()["rows to import"] == 4
    batch = A.import_activities(writable_db, plan, editor=ADMIN)
    n = writable_db.scalar("SELECT count(*) FROM activities WHERE batch_id = ?", [batch])
    assert n == 4
    rows = writable_db.rows("SELECT rows_read, rows_imported, rows_skipped, editor, sha256 FROM import_batches "
                            "WHERE batch_id = ?", [batch])[0]
    assert rows[:4] == (4, 4, 0, "admin") and rows[4] == plan.sha256
    again = A.validate(data, "example-copy.csv", writable_db, editor=ADMIN, today=TODAY)
    assert again.critical and "already imported as batch" in again.findings[0].message
    writable_db.undo_batch(batch, by="admin")
    after = writable_db.table_checksums()
    assert {t for t in before if before[t] != after[t]} == {"import_batches"}
    # after the undo the same file can be imported again
    assert not A.validate(data, "example.csv", writable_db, editor=ADMIN, today=TODAY).critical


def test_partner_editor_can_import_only_own_activities(writable_db):
    data = A.template_csv(example=True)
    editor = A.Editor("PARIS21 data lead", "paris21")
    plan = A.validate(data, "example.csv", writable_db, editor=editor, today=TODAY)
    outside = plan.findings_frame()
    outside = outside[outside["message"].str.contains("only activities in which PARIS21")]
    assert sorted(outside["row"]) == [3, 4, 5]
    assert plan.counts()["rows to import"] == 1
    batch = A.import_activities(writable_db, plan, editor=editor)
    assert writable_db.scalar("SELECT count(*) FROM activities WHERE batch_id = ?", [batch]) == 1


def test_a_failing_import_writes_nothing(writable_db, monkeypatch):
    plan = A.validate(A.template_csv(example=True), "example.csv", writable_db, editor=ADMIN, today=TODAY)
    plan.records[-1]["partner_ids"] = ["no_such_partner"]  # the database refuses this row
    before = writable_db.table_checksums()
    with pytest.raises(Exception):  # noqa: B017 - DuckDB's constraint error
        A.import_activities(writable_db, plan, editor=ADMIN)
    assert writable_db.table_checksums() == before


def test_mapping_suggestions_and_saved_mapping(writable_db):
    m = A.suggest_mapping(["Org", "Activity", "Kind", "When", "Recipient", "Comments"])
    assert m == {"partners": "Org", "title": "Activity", "type": "Kind", "start_date": "When",
                 "countries": "Recipient", "outcome": "Comments"}
    A.save_mapping(writable_db, "paris21", {"title": "Event", "partners": "Lead agency", "bogus": "x"}, editor="lead")
    saved = A.saved_mapping(writable_db, "paris21")
    assert saved == {"title": "Event", "partners": "Lead agency"}
    m = A.suggest_mapping(["Event", "Lead agency", "Type", "Date"], saved)
    assert m["title"] == "Event" and m["partners"] == "Lead agency" and m["start_date"] == "Date"


def test_columns_as_partners_write_them_are_matched_and_an_unmatched_one_is_reported(writable_db):
    from conftest import TODAY

    data = (b"Title,Type,Start,End (dd/mm/yyyy),Partners,Programme countries,Collab.,Budget (USD)\n"
            b"Review,peer review,2026-03-01,02/03/2026,PARIS21,Kenya,gender,12000\n"
            b"Exchange,knowledge exchange,2026-04-01,01/03/2026,PARIS21,Ghana,lnob,8000\n")
    before = writable_db.table_checksums()
    plan = A.validate(data, "log.csv", writable_db, editor=ADMIN, today=TODAY)
    assert plan.mapping["end_date"] == "End (dd/mm/yyyy)" and plan.mapping["collaborative"] == "Collab."
    assert plan.mapping["countries"] == "Programme countries"
    errors = [(f.row, f.column) for f in plan.findings if f.tier == "error"]
    assert errors == [(3, "End (dd/mm/yyyy)")], "the end before the start is no longer hidden"
    unmatched = [f for f in plan.findings if f.column == "Budget (USD)"]
    assert len(unmatched) == 1 and unmatched[0].tier == "warning" and unmatched[0].row == 1
    assert "'12000', '8000'" in unmatched[0].message and "not imported" in unmatched[0].message
    assert writable_db.table_checksums() == before


def test_user_mapping_overrides_and_bad_mapping_is_critical(writable_db):
    data = csv_bytes("Col A,Col B,Col C,Col D", "Webinar on gender data,webinar,2026-02-02,ODW")
    plan = A.validate(data, "x.csv", writable_db, editor=ADMIN, today=TODAY)
    assert plan.critical  # nothing recognisable
    mapping = {"title": "Col A", "type": "Col B", "start_date": "Col C", "partners": "Col D"}
    plan = A.validate(data, "x.csv", writable_db, editor=ADMIN, today=TODAY, mapping=mapping)
    assert not plan.critical and plan.counts()["rows to import"] == 1
    plan = A.validate(data, "x.csv", writable_db, editor=ADMIN, today=TODAY, mapping={**mapping, "title": "Nope"})
    assert plan.critical


@pytest.mark.parametrize("text, order, expected", [
    ("2025-03-14", None, date(2025, 3, 14)),
    ("14/03/2025", None, date(2025, 3, 14)),
    ("03/14/2025", None, date(2025, 3, 14)),          # unambiguous US order, read with a note
    ("03/04/2025", None, None),                       # ambiguous: never guessed
    ("03/04/2025", "dmy", date(2025, 4, 3)),          # settled by the column
    ("5 Mar 2025", None, date(2025, 3, 5)),
    ("March 5, 2025", None, date(2025, 3, 5)),
    ("45000", None, date(2023, 3, 15)),
    ("2025-02-29", None, None),
    ("soon", None, None),
])
def test_dates(text, order, expected):
    assert parse_date(text, order).value == expected


def test_reader_reports_encoding_delimiter_and_header_row():
    t = read_table(csv_bytes("Report", "", "a;b;c", "1;2;3", encoding="cp1252"), known_names=set())
    assert t.columns == ["a", "b", "c"] and t.delimiter == ";" and t.header_row == 3 and t.row_numbers == [4]
    with pytest.raises(FileRejected):
        read_table(b"\x00\x01\x02\x03" * 100)


@pytest.mark.parametrize("text, problem, fix", [
    ("31/02/2026", "31/02/2026: February 2026 has 28 days", "last day of February 2026 is the 28th"),
    ("2026-02-29", "2026 is not a leap year", "Correct the day"),
    ("2024-02-30", "February 2024 has 29 days", "the 29th"),
    ("31/04/2026", "April 2026 has 30 days", "the 30th"),
    ("2026-13-01", "there is no month 13", "Correct the month"),
    ("32 Mar 2026", "March 2026 has 31 days", "the 31st"),
    ("30/13/2026", "neither 30 nor 13 is a month", "YYYY-MM-DD"),
])
def test_date_hints_say_what_is_wrong(text, problem, fix):
    got = parse_date(text)
    assert got.value is None and problem in got.problem and fix in got.hint, got


def test_date_hint_reaches_the_finding(writable_db):
    plan = A.validate(csv_bytes(HEADER, GOOD.replace("2026-03-10,2026-03-12", "2026-03-10,31/04/2026")), "x.csv",
                      writable_db, editor=ADMIN, today=TODAY)
    (f,) = [f for f in plan.findings if f.tier == "error"]
    assert f.message == "Invalid end date 31/04/2026: April 2026 has 30 days."
    assert f.fix == "Correct the day: the last day of April 2026 is the 30th."
    assert "YYYY-MM-DD" not in f.fix


@pytest.mark.parametrize("text, expected", [
    ("UNFPA", None), ("UNDP", None), ("ODI", None), ("WB", None),      # other acronyms: no chance likeness
    ("UN Woman", "unwomen"), ("PARIS2l", "paris21"), ("Sightsavers International", "sightsavers"),
    ("Partnership in Statistics for Develop", "paris21"), ("Danish Institute for Animal Rights", "dihr"),
])
def test_partner_suggestions_need_real_similarity(writable_db, text, expected):
    ctx = A.Context.load(writable_db, TODAY, activities=False)
    pid, score, suggestions = ctx.resolve_partner(text)
    assert pid is None, "an unknown name is never taken for a partner that only looks like it"
    assert (suggestions[:1] or [None])[0] == expected, suggestions


@pytest.mark.parametrize("text, expected", [("Paris 21", "paris21"), ("UN-Women", "unwomen"), ("World Bnak", "worldbank"),
                                            ("Open Data Wach", "odw")])
def test_near_misses_are_still_read(writable_db, text, expected):
    ctx = A.Context.load(writable_db, TODAY, activities=False)
    assert ctx.resolve_partner(text)[0] == expected


def test_similarity_is_not_chance_overlap():
    assert A.similarity("unfpa", "unicef") == 0
    assert A.similarity("un woman", "un women") > 0.8
    assert A.similarity("paris 21", "paris21") == 1


def test_a_running_log_uploaded_again_imports_only_its_new_rows(writable_db):
    data = A.template_csv(example=True)
    first = A.validate(data, "log.csv", writable_db, editor=ADMIN, today=TODAY)
    A.import_activities(writable_db, first, editor=ADMIN)
    grown = data + csv_bytes(GOOD, GOOD.replace("weights", "design").replace("2026-03-10,2026-03-12", "2027-01-10,"))
    plan = A.validate(grown, "log.csv", writable_db, editor=ADMIN, today=TODAY)
    counts = plan.counts()
    assert counts["rows read"] == 6 and counts["rows to import"] == 2
    assert counts["error"] == 0 and counts["rows dropped"] == 0 and counts["rows already imported"] == 4
    again = [f for f in plan.findings if "already imported" in f.message]
    assert len(again) == 1 and again[0].tier == "warning"
    assert again[0].message.startswith("4 rows already imported, skipped") and "rows 2, 3, 4, 5" in again[0].message
    # the skipped rows add no other finding (their warnings would be noise), the new rows keep theirs
    assert {f.row for f in plan.findings if f.row is not None} <= {6, 7}
    assert any(f.row == 7 and "future" in f.message for f in plan.findings)
    batch = A.import_activities(writable_db, plan, editor=ADMIN)
    assert writable_db.rows("SELECT rows_read, rows_imported, rows_skipped FROM import_batches WHERE batch_id = ?",
                            [batch]) == [(6, 2, 4)]


def test_preview_reads_names_and_labels(writable_db):
    data = csv_bytes(HEADER, "Peer review of a module,peer review,2026-10-12,,UN Women; PARIS21,CIV; SEN,,,")
    plan = A.validate(data, "x.csv", writable_db, editor=ADMIN, today=TODAY)
    row = plan.preview_frame().iloc[0].to_dict()
    assert row["Partners"] == "UN Women; PARIS21" and "Senegal" in row["Countries"] and "CIV" not in row["Countries"]
    assert row["Type"] == "Peer review" and row["Start"] == "12 Oct 2026" and row["End"] == "—"
    assert row["Collaborative"] == "Both or neither" and row["Outcome"] == "—" and row["Tool"] == "—"
    frame = plan.findings_frame()
    assert not frame[["column", "value"]].isna().any().any()


@pytest.mark.parametrize("column, field", [
    ("End (dd/mm/yyyy)", "end_date"), ("Start (dd/mm/yyyy)", "start_date"), ("Collab.", "collaborative"),
    ("Programme countries", "countries"), ("Country(ies)", "countries"), ("Partner(s)", "partners"),
    ("Participating organisations", "partners"), ("Type of event", "type"), ("Event title", "title"),
    ("Key outcomes", "outcome"), ("Next steps", "outcome"), ("Tool/product", "tool"), ("Focus countries", "countries"),
])
def test_synonyms_a_partner_would_write(column, field):
    assert A.suggest_mapping([column]).get(field) == column
