"""Partner, tool and programme files: a corpus of bad and awkward files, each with the exact
finding it must produce (tier, row of the user's file, column, message, fix).

The reader's cases (encodings, delimiters, a title above the header, footer and total lines,
an Excel sheet with an empty area beside and below its table) run for every record type;
the validation cases (a bad enumeration, an unknown reference, a duplicate in the file or of
the database, an end before the start, formula and HTML text kept as inert text) for the
type they belong to. After every validation nothing is written, and a write that is refused
leaves every table as it was (checksums).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from conftest import TODAY

from collab_data.db import WriteRejected
from collab_data.ingest import activities as A
from collab_data.records import partners as P
from collab_data.records import programmes as PR
from collab_data.records import tools as T

ADMIN = A.Editor("Secretariat", None)
OUTSIDER = A.Editor("CIVICUS data lead", "civicus")  # owns none of the tools or programmes below


# --------------------------------------------------------------------------------------
# Record kits: the columns, a good row (the i-th of many distinct ones), validate and write
# --------------------------------------------------------------------------------------
@dataclass
class Kit:
    noun: str
    columns: list[str]
    row: Callable[[int], dict[str, str]]       # the i-th distinct valid row
    validate: Callable
    write: Callable                             # (db, plan) -> batch id, as an administrator
    refuse: Callable | None                     # (db, plan) -> a write that must be refused
    accented: dict[str, str]                    # values with accents, written into the first row
    inert_column: str                           # a free-text column, and where the database keeps it
    stored: str                                 # SQL: that column's value of a written row (? = batch id)


def _partner(i: int) -> dict[str, str]:
    return {"name": f"National Statistics Office {i}", "acronym": f"NSO{i}", "org_type": "government",
            "hq": "Norway", "website": f"https://example.org/nso{i}", "description": "A national statistical office.",
            "collaboratives": "gender", "joined_gender": "2024-01-15", "joined_lnob": "", "task_teams": ""}


def _tool(i: int) -> dict[str, str]:
    return {"name": f"Household survey module {i}", "kind": "methodology", "stage": "pilot", "owners": "PARIS21",
            "topics": "time use", "lnob_dimensions": "sex; age", "website": f"https://example.org/module-{i}",
            "launched_year": "2024", "description": "A light survey module."}


def _programme(i: int) -> dict[str, str]:
    start = date(2024, 1, 1) + timedelta(days=i)
    return {"partner": "PARIS21", "country": "Kenya", "tool": "", "support_type": "training",
            "topic": "gender statistics", "start_date": start.isoformat(), "end_date": "", "status": "active",
            "notes": "Support to the national statistical office."}


KITS = {
    "partners": Kit(
        "partners", list(P.FIELDS), _partner,
        lambda db, data, name: P.validate_file(data, name, db, today=TODAY),
        lambda db, plan: P.register(db, plan, editor="Secretariat", kind="upload"), None,
        {"name": "Institut de la statistique du Québec", "acronym": "ISQ", "hq": "Côte d'Ivoire"},
        "description", "SELECT description FROM partners WHERE batch_id = ?"),
    "tools": Kit(
        "tools", list(T.FIELDS), _tool,
        lambda db, data, name: T.validate_file(data, name, db, today=TODAY, editor=ADMIN),
        lambda db, plan: T.write(db, plan, editor=ADMIN), lambda db, plan: T.write(db, plan, editor=OUTSIDER),
        {"name": "Enquête ménage : module «temps»", "description": "Conçu pour l’emploi du temps — pilote"},
        "description", "SELECT description FROM tools WHERE batch_id = ?"),
    "programmes": Kit(
        "programmes", list(PR.FIELDS), _programme,
        lambda db, data, name: PR.validate_file(data, name, db, today=TODAY, editor=ADMIN),
        lambda db, plan: PR.write(db, plan, editor=ADMIN), lambda db, plan: PR.write(db, plan, editor=OUTSIDER),
        {"country": "Côte d'Ivoire", "notes": "Appui à l'Institut national de la statistique — année 1"},
        "notes", "SELECT notes FROM country_programs WHERE batch_id = ?"),
}


def lines(kit: Kit, rows: list[dict[str, str]], *, delimiter: str = ",", header: bool = True) -> list[str]:
    out = io.StringIO()
    w = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    if header:
        w.writerow(kit.columns)
    for r in rows:
        w.writerow([r.get(c, "") for c in kit.columns])
    return out.getvalue().splitlines()


def text_file(*ls: str, encoding: str = "utf-8", bom: bytes = b"") -> bytes:
    return bom + ("\n".join(ls) + "\n").encode(encoding)


def xlsx_file(rows: list[list], *, trailing_area: bool = False) -> bytes:
    import openpyxl
    from openpyxl.styles import PatternFill

    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    if trailing_area:
        # formatting far right of and below the table: a spreadsheet stores those cells, empty
        fill = PatternFill("solid", fgColor="FFFF00")
        for row in range(len(rows) + 1, len(rows) + 60):
            ws.cell(row=row, column=len(rows[0]) + 6).fill = fill
        ws.cell(row=400, column=30).fill = fill
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------
@dataclass
class Case:
    kit: str
    name: str
    data: bytes
    findings: list[tuple[str, int | None, str | None, str]] = field(default_factory=list)  # tier, row, column, text
    records: int = 1                           # valid records the plan holds
    expect: dict[str, str] = field(default_factory=dict)  # a value of the first record, exactly as read
    filename: str = "upload.csv"

    @property
    def id(self) -> str:
        return f"{self.kit}: {self.name}"


def reader_cases(kit_name: str) -> list[Case]:
    """What a real file looks like, for every record type."""
    kit = KITS[kit_name]
    first = {**kit.row(0), **kit.accented}
    good = lines(kit, [first])
    out = [
        Case(kit_name, "UTF-8 with BOM", text_file(*good, bom=b"\xef\xbb\xbf"), expect=kit.accented),
        Case(kit_name, "UTF-16 with BOM", text_file(*good, encoding="utf-16"), expect=kit.accented),
        Case(kit_name, "cp1252 with accents", text_file(*good, encoding="cp1252"), expect=kit.accented),
        Case(kit_name, "semicolon separated", text_file(*lines(kit, [first], delimiter=";")), expect=kit.accented),
        Case(kit_name, "tab separated", text_file(*lines(kit, [first], delimiter="\t")), expect=kit.accented),
        Case(kit_name, "a title line above the header", text_file(f"{kit.noun.title()} register, November 2026", *good),
             [("warning", 2, None, "above the header")], expect=kit.accented),
        Case(kit_name, "a total line below the data",
             text_file(*lines(kit, [first, kit.row(1), kit.row(2)]), f"Total: 3 {kit.noun}"),
             [("warning", 5, None, "total or footer")], records=3, expect=kit.accented),
        Case(kit_name, "a blank line, then the source",
             text_file(*lines(kit, [first, kit.row(1)]), "", "Source: secretariat records, 2026"),
             [("warning", 5, None, "total or footer")], records=2, expect=kit.accented),
        Case(kit_name, "xlsx with an empty area beside and below the table",
             xlsx_file([kit.columns, [first.get(c, "") for c in kit.columns], [kit.row(1).get(c, "") for c in kit.columns]],
                       trailing_area=True), records=2, expect=kit.accented, filename=f"{kit.noun}.xlsx"),
    ]
    # a UTF-8 file (accents in its first row) with one byte of Windows-1252 far down
    many = [first] + [kit.row(i) for i in range(1, 400)]
    column = next(c for c in kit.accented if c not in ("country", "hq"))
    stray_row = {**kit.row(400), column: kit.row(400)[column] + " (Mékong)"}
    data = text_file(*lines(kit, [*many, stray_row]))
    data = data.replace("Mékong".encode(), "Mékong".encode("cp1252"))
    assert data.count(b"\xe9") == 1 and len(data) > 8192
    out.append(Case(kit_name, "UTF-8 with one stray cp1252 byte far down", data,
                    [("warning", 402, column, "not UTF-8 like the rest of the file")], records=401,
                    expect=kit.accented))
    return out


FORMULAS = ['=HYPERLINK("http://x","y")', "+cmd", "@SUM(1)", "<script>alert(1)</script>"]


def inert_cases(kit_name: str) -> list[Case]:
    kit = KITS[kit_name]
    out = []
    for text in FORMULAS:
        what = "HTML" if text.startswith("<") else "formula"
        out.append(Case(kit_name, f"{what} text {text}", text_file(*lines(kit, [{**kit.row(0), kit.inert_column: text}])),
                        [("warning", 2, kit.inert_column, "HTML markup" if what == "HTML" else "spreadsheet formula")],
                        expect={kit.inert_column: text}))
    return out


def validation_cases() -> list[Case]:
    p, t, g = KITS["partners"], KITS["tools"], KITS["programmes"]

    def one(kit: Kit, **values: str) -> bytes:
        return text_file(*lines(kit, [{**kit.row(0), **values}]))

    return [
        Case("partners", "bad organisation type", one(p, org_type="think-tankish"),
             [("error", 2, "org_type", "Unknown organisation type 'think-tankish'")], records=0),
        Case("partners", "unknown headquarters country", one(p, hq="Atlantis"),
             [("error", 2, "hq", "Unknown country 'Atlantis'")], records=0),
        Case("partners", "duplicate in the file",
             text_file(*lines(p, [p.row(0), {**p.row(0), "acronym": "NSOX"}])),
             [("error", 3, "name", "appears twice in this file (also row 2)")]),
        Case("partners", "duplicate of the database", one(p, name="Open Data Watch", acronym=""),
             [("error", 2, "name", "already registered")], records=0),
        Case("tools", "bad kind", one(t, kind="gizmo"), [("error", 2, "kind", "Unknown kind 'gizmo'")], records=0),
        Case("tools", "bad stage", one(t, stage="ancient"), [("error", 2, "stage", "Unknown stage 'ancient'")],
             records=0),
        Case("tools", "unknown owner", one(t, owners="Nobody Inc"),
             [("error", 2, "owners", "Unknown partner 'Nobody Inc'")], records=0),
        Case("tools", "duplicate in the file", text_file(*lines(t, [t.row(0), t.row(0)])),
             [("error", 3, "name", "appears twice in this file")]),
        Case("tools", "duplicate of the database", one(t, name="SDG Gender Index"),
             [("error", 2, "name", "already in the catalogue")], records=0),
        Case("programmes", "bad support type", one(g, support_type="knitting"),
             [("error", 2, "support_type", "Unknown support type 'knitting'")], records=0),
        Case("programmes", "bad status", one(g, status="wobbly"), [("error", 2, "status", "Unknown status 'wobbly'")],
             records=0),
        Case("programmes", "unknown partner", one(g, partner="Nobody Inc"),
             [("error", 2, "partner", "Unknown partner 'Nobody Inc'")], records=0),
        Case("programmes", "unknown tool", one(g, tool="Magic Wand"), [("error", 2, "tool", "Unknown tool 'Magic Wand'")],
             records=0),
        Case("programmes", "duplicate in the file", text_file(*lines(g, [g.row(0), g.row(0)])),
             [("error", 3, "start_date", "appears twice in this file (also row 2)")]),
        Case("programmes", "duplicate of the database",
             one(g, partner="EM2030", country="Colombia", tool="SDG Gender Index", support_type="technical assistance",
                 start_date="2021-02-01", end_date="2022-01-21", status="completed"),
             [("error", 2, "start_date", "already recorded")], records=0),
        Case("programmes", "end before start", one(g, start_date="2026-03-01", end_date="2026-01-01"),
             [("error", 2, "end_date", "ends (2026-01-01) before it starts (2026-03-01)")], records=0),
    ]


CASES = [c for k in KITS for c in reader_cases(k) + inert_cases(k)] + validation_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_corpus(writable_db, case):
    kit = KITS[case.kit]
    db = writable_db
    before = db.table_checksums()
    plan = kit.validate(db, case.data, case.filename)
    assert db.table_checksums() == before, "validating wrote something"
    got = [(f.tier, f.row, f.column, f.message, f.fix) for f in plan.findings]
    for tier, row, column, text in case.findings:
        hits = [g for g in got if g[:3] == (tier, row, column) and text in g[3]]
        assert hits, f"expected a {tier} at row {row}, column {column}: {text!r}; got:\n" + "\n".join(map(str, got))
        assert all(len(g[4]) > 5 for g in hits), "every finding says how to fix it"
    expected = {(t, r, c) for t, r, c, _ in case.findings}
    unexpected = [g for g in got if g[:3] not in expected]
    assert not unexpected, f"findings beyond the expected ones: {unexpected}"
    assert len(plan.records) == case.records, got
    first = plan.records[0] if plan.records else None
    for name, value in case.expect.items():
        if name in ("country", "hq"):
            assert first[{"country": "iso3", "hq": "hq_iso3"}[name]] == "CIV"
        else:
            assert first[name] == value, f"{name}: read {first[name]!r}, the file says {value!r}"

    if not plan.records or plan.critical:
        with pytest.raises(WriteRejected):
            kit.write(db, plan)
        assert db.table_checksums() == before, "a refused write changed something"
        return
    if kit.refuse is not None:
        with pytest.raises(WriteRejected):
            kit.refuse(db, plan)
        assert db.table_checksums() == before, "a refused write changed something"
    if case.name.startswith(("formula", "HTML")):
        batch = kit.write(db, plan)
        assert db.rows(kit.stored, [batch]) == [(case.expect[kit.inert_column],)], "stored as the text it is"


def test_a_pure_cp1252_file_is_read_as_a_whole_and_a_mixed_one_per_cell():
    from collab_data.ingest.reader import read_table

    cp = read_table("a,b\nQuébec,Côte\n".encode("cp1252"))
    assert cp.rows == [["Québec", "Côte"]] and not cp.row_notes
    mixed = read_table("a,b\nQuébec,Côte\n".encode() + "x,Mékong\n".encode("cp1252"))
    assert mixed.rows == [["Québec", "Côte"], ["x", "Mékong"]]
    assert [(n.row, n.column, n.value) for n in mixed.row_notes] == [(3, "b", "Mékong")]
    # a byte-order mark says UTF-8: even with no other accent, a stray byte is read and reported
    bom = read_table(b"\xef\xbb\xbfa,b\nx,M\xe9kong\n")
    assert bom.rows == [["x", "Mékong"]] and [(n.row, n.column) for n in bom.row_notes] == [(2, "b")]


def test_footers_are_only_trailing_lines_that_cannot_be_records():
    from collab_data.ingest.reader import read_table

    t = read_table(b"name,type\nTotal Energies Foundation,foundation\nA,ngo\n\nTotal: 2\n")
    assert [r[0] for r in t.rows] == ["Total Energies Foundation", "A"]
    assert [(n.row, n.value) for n in t.row_notes] == [(5, "Total: 2")]
    # a one-cell last line right below the data stays data (its missing cells are reported)
    t = read_table(b"name,type\nA,ngo\nB\n")
    assert [r[0] for r in t.rows] == ["A", "B"] and not t.row_notes
