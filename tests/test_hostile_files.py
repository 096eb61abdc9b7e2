"""Hostile uploads: no file can exhaust memory or lose rows silently.

One test per file that once went wrong: each gets a finding with its tier, row and column,
and nothing is written while validating. The bomb and the big CSV are also held to
generous bounds of time and memory (guards, not benchmarks).
"""

from __future__ import annotations

import io
import threading
import time
import tracemalloc
import zipfile

import openpyxl
import psutil
import pytest
from conftest import TODAY

import collab_data.ingest.activities as A
from collab_data.ingest import reader

ADMIN = A.Editor("Secretariat", None)
HEADER = "title,type,start_date,partners,countries"
ROW = "Training {i},training,2026-03-{d:02d},PARIS21,Kenya"


def validate(data: bytes, filename: str, db) -> A.Plan:
    return A.validate(data, filename, db, editor=ADMIN, today=TODAY)


def findings(plan: A.Plan, tier: str) -> list[A.Finding]:
    return [f for f in plan.findings if f.tier == tier]


class Bounded:
    """Wall time, Python peak allocation and peak resident-memory growth of a block."""

    def __enter__(self):
        self.proc = psutil.Process()
        self.base = self.proc.memory_info().rss
        self.peak_rss, self._stop = self.base, threading.Event()

        def sample():
            while not self._stop.wait(0.01):
                self.peak_rss = max(self.peak_rss, self.proc.memory_info().rss)

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()
        tracemalloc.start()
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        self.py_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        self._stop.set()
        self._thread.join()
        self.peak_rss = max(self.peak_rss, self.proc.memory_info().rss)
        self.rss_growth = self.peak_rss - self.base
        return False


# --------------------------------------------------------------------------------------
# A minimal xlsx written by hand, so a test can declare any dimension and put a cell anywhere
# --------------------------------------------------------------------------------------
def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def hand_xlsx(rows: dict[int, list[tuple[str, str]]], *, dimension: str = "A1:E3", merges: tuple[str, ...] = ()) -> bytes:
    """rows: row number -> [(cell reference, text)]."""
    sheet_rows = "".join(f'<row r="{r}">' + "".join(_cell(ref, t) for ref, t in cells) + "</row>"
                         for r, cells in sorted(rows.items()))
    merge_xml = (f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
                 + "</mergeCells>") if merges else ""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
            'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Activities" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><dimension ref="{dimension}"/>'
            f"<sheetData>{sheet_rows}</sheetData>{merge_xml}</worksheet>"),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return out.getvalue()


def header_cells() -> list[tuple[str, str]]:
    return [(f"{c}1", name) for c, name in zip("ABCDE", HEADER.split(","))]


@pytest.mark.parametrize("far", ["x", ""], ids=["a value", "an empty text"])
def test_xlsx_bomb_is_refused_without_building_its_rows(writable_db, far):
    """Declared A1:XFD1048576 and one cell in the last row: refused before anything is built
    (an empty text counts too: a spreadsheet reader keeps it as a cell)."""
    before = writable_db.table_checksums()
    bomb = hand_xlsx({1: header_cells(), 1048576: [("XFD1048576", far)]}, dimension="A1:XFD1048576")
    assert len(bomb) < 2000
    with Bounded() as cost:
        plan = validate(bomb, "bomb.xlsx", writable_db)
    crit = findings(plan, A.CRITICAL)
    assert len(crit) == 1
    assert (crit[0].row, crit[0].column) == (1048576, "XFD")
    assert "XFD1048576" in crit[0].message and f"{reader.MAX_DATA_ROWS:,}" in crit[0].message
    assert plan.counts()["rows to import"] == 0
    assert cost.py_peak < 200e6 and cost.rss_growth < 200e6, vars(cost)  # bounded by memory, not by a clock
    assert writable_db.table_checksums() == before


def test_declared_dimension_alone_changes_nothing(writable_db):
    """A sheet that only *claims* a million rows by 16,384 columns is read as the 3 rows it has
    (a formatted empty cell far below does not count either)."""
    before = writable_db.table_checksums()
    rows = {1: header_cells()}
    for r in (2, 3):
        rows[r] = list(zip((f"{c}{r}" for c in "ABCDE"), ROW.format(i=r, d=r).split(",")))
    data = hand_xlsx(rows, dimension="A1:XFD1048576")
    parts = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" s="1"/></row></sheetData>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in parts.items():
            z.writestr(name, blob)
    with Bounded() as cost:
        plan = validate(out.getvalue(), "claims.xlsx", writable_db)
    assert not plan.critical, plan.findings
    assert plan.counts()["rows to import"] == 2 and [r["row"] for r in plan.records] == [2, 3]
    assert cost.rss_growth < 200e6, vars(cost)  # bounded by memory, not by a clock
    assert writable_db.table_checksums() == before


def test_csv_over_the_row_limit_is_refused_up_front(writable_db):
    before = writable_db.table_checksums()
    data = ("title,type,start_date,partners\n" + "a,b,c,d\n" * 1_000_000).encode()
    assert len(data) < reader.DEFAULT_MAX_BYTES
    with Bounded() as cost:
        plan = validate(data, "million.csv", writable_db)
    crit = findings(plan, A.CRITICAL)
    assert len(crit) == 1 and f"{reader.MAX_DATA_ROWS:,} data rows" in crit[0].message
    assert crit[0].row is not None and crit[0].row <= reader.MAX_DATA_ROWS + 60  # nothing read past the cap
    assert cost.rss_growth < 200e6, vars(cost)  # bounded by memory, not by a clock
    assert writable_db.table_checksums() == before


def test_findings_are_summarised_but_every_bad_row_is_counted(writable_db, monkeypatch):
    monkeypatch.setattr(A, "FINDINGS_PER_KIND", 20)
    before = writable_db.table_checksums()
    n = 500
    data = (HEADER + "\n" + "\n".join(f"Training {i},training,2026-03-01,Nobody Org,Kenya" for i in range(n))).encode()
    plan = validate(data, "bad.csv", writable_db)
    partner_errors = [f for f in plan.findings if f.tier == A.ERROR and f.column == "partners"]
    assert len(partner_errors) == 21  # 20 listed and one summary
    summary = partner_errors[-1]
    assert summary.row is None and summary.stands_for == n - 20 and "480 more" in summary.message
    counts = plan.counts()
    assert counts["error"] == n and counts["rows dropped"] == n and counts["rows to import"] == 0
    assert len(plan.findings_frame()) == len(plan.findings)
    assert writable_db.table_checksums() == before


def test_unbalanced_quote_is_critical_at_the_row_where_it_opens(writable_db):
    before = writable_db.table_checksums()
    lines = [HEADER] + [ROW.format(i=i, d=i % 28 + 1) for i in range(1000)]
    lines[3] = '"Training 3,training,2026-03-04,PARIS21,Kenya'  # the quote opens and is never closed
    plan = validate("\n".join(lines).encode(), "quote.csv", writable_db)
    crit = findings(plan, A.CRITICAL)
    assert len(crit) == 1 and (crit[0].row, crit[0].column) == (4, "title"), crit
    assert "never closed" in crit[0].message and "Close the quote or remove it" in crit[0].fix
    assert writable_db.table_checksums() == before


def test_nul_byte_after_the_first_8_kb_is_reported_and_removed(writable_db):
    before = writable_db.table_checksums()
    lines = [HEADER] + [ROW.format(i=i, d=i % 28 + 1) for i in range(400)]
    assert len("\n".join(lines[:300])) > 8192
    lines[300] = lines[300].replace("Training", "Train\x00ing", 1)
    plan = validate("\n".join(lines).encode(), "nul.csv", writable_db)
    nul = [f for f in plan.findings if "NUL" in f.message]
    assert [(f.tier, f.row, f.column) for f in nul] == [(A.WARNING, 301, "title")]
    assert not plan.critical and all("\x00" not in r["title"] for r in plan.records)
    assert any(r["row"] == 301 and r["title"] == "Training 299" for r in plan.records)
    assert writable_db.table_checksums() == before


def test_cell_over_the_limit_is_an_error_at_its_row_and_column(writable_db):
    before = writable_db.table_checksums()
    long = "x" * (reader.MAX_CELL_CHARS + 1)
    data = f"{HEADER},outcome\n{ROW.format(i=1, d=1)},short\n{ROW.format(i=2, d=2)},{long}\n".encode()
    plan = validate(data, "long.csv", writable_db)
    over = [f for f in plan.findings if "over the limit" in f.message]
    assert [(f.tier, f.row, f.column) for f in over] == [(A.ERROR, 3, "outcome")]
    assert [r["row"] for r in plan.records] == [2] and plan.counts()["rows dropped"] == 1
    assert writable_db.table_checksums() == before


def test_duplicate_column_names_are_a_warning_naming_both(writable_db):
    before = writable_db.table_checksums()
    data = f"{HEADER},title\n{ROW.format(i=1, d=1)},Other title\n".encode()
    plan = validate(data, "dup.csv", writable_db)
    dup = [f for f in plan.findings if "Two columns are named" in f.message]
    assert [(f.tier, f.row, f.column) for f in dup] == [(A.WARNING, 1, "title")]
    assert "column A and column F" in dup[0].message and "Column A (the first) is used" in dup[0].message
    assert [r["title"] for r in plan.records] == ["Training 1"]
    assert writable_db.table_checksums() == before


def _workbook(sheets: dict[str, list[list[str]]], merge: str | None = None) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    if merge:
        wb.worksheets[0].merge_cells(merge)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_other_data_sheets_are_named_help_and_empty_sheets_are_not(writable_db):
    before = writable_db.table_checksums()
    data_rows = [HEADER.split(","), ROW.format(i=1, d=1).split(",")]
    data = _workbook({"Activities": data_rows, "Q2": data_rows, "Empty": [], "Help": [["what", "how"]]})
    plan = validate(data, "sheets.xlsx", writable_db)
    sheets = [f for f in plan.findings if "sheet" in f.message.lower()]
    assert [(f.tier, f.row, f.column, f.value) for f in sheets] == [(A.WARNING, None, None, "Q2")]
    assert "'Activities'" in sheets[0].message and "'Q2'" in sheets[0].message
    assert writable_db.table_checksums() == before


def test_merged_cells_are_a_warning_naming_the_range(writable_db):
    before = writable_db.table_checksums()
    rows = [HEADER.split(","), ROW.format(i=1, d=1).split(","), ROW.format(i=2, d=2).split(",")]
    plan = validate(_workbook({"Activities": rows}, merge="D2:D3"), "merged.xlsx", writable_db)
    merged = [f for f in plan.findings if "merged" in f.message]
    assert [(f.tier, f.row, f.column, f.value) for f in merged] == [(A.WARNING, 2, "partners", "D2:D3")]
    assert writable_db.table_checksums() == before


def test_titles_in_any_script_are_not_duplicates_but_look_alikes_are(writable_db):
    before = writable_db.table_checksums()
    titles = ["Training 1", "تدريب على بيانات النوع الاجتماعي", "ورشة عمل حول التعداد", "性别数据培训",
              "Обучение по гендерной статистике", "Семинар по переписи"]
    look_alikes = ["ＴＲＡＩＮＩＮＧ　１", "training 1!"]  # full-width letters and space; another case and a "!"
    lines = [HEADER] + [f"{t},training,2026-03-01,PARIS21,Kenya" for t in titles + look_alikes]
    plan = validate("\n".join(lines).encode(), "scripts.csv", writable_db)
    assert [r["title"] for r in plan.records] == titles
    dups = [(f.row, f.message) for f in plan.findings if "Duplicate" in f.message]
    assert dups == [(8, "Duplicate of row 2 of this file."), (9, "Duplicate of row 2 of this file.")]
    assert A.title_key("性别数据培训") != A.title_key("性别数据") and A.title_key("Ｃａｆé") == A.title_key("café")
    assert writable_db.table_checksums() == before


@pytest.mark.parametrize("name", ["partners", "tools"])
def test_record_types_get_the_reader_findings_too(name):
    """The other record types share the reader: a refused file carries its row and column."""
    from collab_data.records import base

    specs = base.fields(base.Field("name", "Name", True, (), "x"), base.Field("kind", "Kind", True, (), "y"))
    lines = ["name,kind"] + [f"{name} {i},k" for i in range(50)]
    lines[5] = '"unclosed,k'
    plan, rows = base.read_rows("\n".join(lines).encode(), f"{name}.csv", specs, name)
    crit = findings(plan, A.CRITICAL)
    assert rows == [] and [(f.row, f.column) for f in crit] == [(6, "name")]
