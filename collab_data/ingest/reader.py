"""Reading an uploaded table as partners really have it.

Detects the encoding (UTF-8 with or without BOM, UTF-16 with BOM, cp1252 / Latin-1),
the delimiter (comma, semicolon, tab, pipe) and the header row (title lines above it are
skipped); reads .xlsx through openpyxl. Every data row keeps its row number *in the
user's file* (the line an editor or spreadsheet shows), so findings can point at it.

Problems that make the whole file unusable raise :class:`FileRejected` (the "critical"
tier): binary or unreadable file, empty file, no header row, over the size limit.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DELIMITERS = [",", ";", "\t", "|"]


class FileRejected(Exception):
    """The whole file is refused (critical): nothing of it can be imported."""

    def __init__(self, message: str, fix: str):
        self.message, self.fix = message, fix
        super().__init__(f"{message} {fix}")


@dataclass
class Table:
    """A read table: header, data rows (lists of text) and their row numbers in the file."""

    columns: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    encoding: str
    delimiter: str | None
    header_row: int
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "UTF-8 (with BOM)"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            raise FileRejected("The file says it is UTF-16 but cannot be read as such.",
                               "Save it again as CSV (UTF-8) from your spreadsheet.") from exc
    # UTF-16 without a BOM: every other byte is NUL in mostly-ASCII text
    if len(data) >= 4 and data[1::2].count(0) > 0.4 * len(data[1::2]) and data[0::2].count(0) < 0.1 * len(data[0::2]):
        try:
            return data.decode("utf-16-le"), "UTF-16 (little-endian, no BOM)"
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8192]:
        raise FileRejected("This is not a text table: the file contains binary data.",
                           "Upload a CSV file (or .xlsx); export it from your spreadsheet with 'Save as CSV'.")
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace")
    if text.count("\ufffd") > 0:
        text = data.decode("latin-1")
        return text, "Latin-1"
    return text, "Windows-1252"


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    if not sample:
        return False
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    return control > 0.05 * len(sample)


def _sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the most lines into the same number (>1) of cells."""
    best, best_score = ",", -1.0
    sample = [ln for ln in lines[:50] if ln.strip()]
    for d in DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(sample, delimiter=d)]
        except csv.Error:
            continue
        if not counts:
            continue
        widths = [c for c in counts if c > 1]
        if not widths:
            continue
        mode = max(set(widths), key=widths.count)
        score = widths.count(mode) * (1 + 0.01 * mode)
        if score > best_score:
            best, best_score = d, score
    return best


def _header_index(records: list[list[str]], known_names: set[str]) -> int:
    """The row that is the header: the first with a known column name, else the first row
    that is as wide as the rows below it (title lines above are narrower)."""
    def norm(c: str) -> str:
        return re.sub(r"[^a-z0-9]+", " ", c.lower()).strip()

    for i, rec in enumerate(records[:30]):
        names = {norm(c) for c in rec if c.strip()}
        if len(names & known_names) >= 2:
            return i
    widths = [sum(1 for c in r if c.strip()) for r in records[:50]]
    if not widths:
        return 0
    typical = max(set(widths), key=widths.count)
    for i, w in enumerate(widths):
        if w >= max(2, typical):
            return i
    return 0


def read_table(data: bytes, filename: str = "upload.csv", *, known_names: set[str] | None = None,
               max_bytes: int = DEFAULT_MAX_BYTES) -> Table:
    """Read an uploaded CSV/TSV/xlsx file into a :class:`Table` (or raise :class:`FileRejected`)."""
    if len(data) > max_bytes:
        raise FileRejected(f"The file is {len(data) / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit.",
                           "Split it into smaller files (for example one per quarter) and upload them one by one.")
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise FileRejected("The file is empty.", "Fill in the template (download it above) and upload it again.")
    known = known_names or set()
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data, known)
    text, encoding = _decode(data)
    if _looks_binary(text):
        raise FileRejected("This is not a text table: the file contains binary data.",
                           "Upload a CSV file (or .xlsx); export it from your spreadsheet with 'Save as CSV'.")
    lines = text.splitlines()
    delimiter = _sniff_delimiter(lines)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        records, numbers = [], []
        start = 1
        for rec in reader:
            records.append(rec)
            numbers.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise FileRejected(f"The file is not a readable table ({exc}).",
                           "Save it again as CSV from your spreadsheet.") from exc
    return _to_table(records, numbers, known, encoding=encoding, delimiter=delimiter)


def _to_table(records: list[list[str]], numbers: list[int], known: set[str], *, encoding: str,
              delimiter: str | None) -> Table:
    keep = [(r, n) for r, n in zip(records, numbers) if any(c.strip() for c in r)]
    if not keep:
        raise FileRejected("The file has no rows.", "Fill in the template (download it above) and upload it again.")
    records = [r for r, _ in keep]
    numbers = [n for _, n in keep]
    h = _header_index(records, known)
    header = [c.replace("\ufeff", "").strip() for c in records[h]]
    if sum(1 for c in header if c) < 2:
        raise FileRejected("No header row was found: the first row should name the columns.",
                           "Put the column names (title, type, start date, partners, countries ...) in the first row.")
    # blank header cells get a name of their own, so their values can still be mapped
    columns, seen = [], set()
    for i, c in enumerate(header):
        name = c or f"(column {i + 1})"
        while name in seen:
            name += " (2)"
        seen.add(name)
        columns.append(name)
    width = len(columns)
    rows = [([c.strip() for c in r[:width]] + [""] * (width - len(r))) for r in records[h + 1:]]
    notes = []
    if h:
        notes.append(f"Skipped {h} line(s) above the header row (row {numbers[h]}).")
    wide = [n for r, n in zip(records[h + 1:], numbers[h + 1:]) if len(r) > width and any(c.strip() for c in r[width:])]
    if wide:
        notes.append(f"{len(wide)} row(s) have more cells than the header (first: row {wide[0]}); extra cells were ignored.")
    return Table(columns=columns, rows=rows, row_numbers=numbers[h + 1:], encoding=encoding, delimiter=delimiter,
                 header_row=numbers[h], notes=notes)


def _read_xlsx(data: bytes, known: set[str]) -> Table:
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - openpyxl is a runtime requirement
        raise FileRejected("Excel files cannot be read here.", "Save the sheet as CSV and upload that.") from exc
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FileRejected("The Excel file cannot be opened (it may be damaged or password-protected).",
                           "Open it in your spreadsheet and save it again as .xlsx or as CSV.") from exc
    ws = wb.worksheets[0]
    records, numbers = [], []
    for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
        records.append([_cell_text(v) for v in row])
        numbers.append(i)
    wb.close()
    table = _to_table(records, numbers, known, encoding="xlsx", delimiter=None)
    if len(wb.sheetnames) > 1:
        table.notes.append(f"Read the first sheet ({wb.sheetnames[0]!r}) of {len(wb.sheetnames)}.")
    return table


def _cell_text(value) -> str:
    from datetime import date, datetime

    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
