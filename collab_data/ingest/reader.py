"""Reading an uploaded table as partners really have it.

Detects the encoding (UTF-8 with or without BOM, UTF-16 with BOM, cp1252 / Latin-1, and a
UTF-8 file with a few stray Windows-1252 bytes, each reported by row and column), the
delimiter (comma, semicolon, tab, pipe) and the header row (title lines above it are
skipped); leaves out footer and total lines below the data ("Total: 3 partners", a blank
line then "Source: ...") and columns with neither a name nor a value, each reported; reads
.xlsx through openpyxl. Every data row keeps its row number *in the user's file* (the line
an editor or spreadsheet shows), so findings can point at it.

Problems that make the whole file unusable raise :class:`FileRejected` (the "critical"
tier): binary or unreadable file, empty file, no header row, over the size limit.
"""

from __future__ import annotations

import codecs
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


@dataclass(frozen=True)
class RowNote:
    """Something the reader did to one row (or cell) of the file, for a warning that points
    at it: a footer left out, a stray byte read as Windows-1252, the header found lower down."""

    row: int | None
    column: str | None
    value: str | None
    message: str
    fix: str


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
    row_notes: list[RowNote] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8 (with BOM)"
        except UnicodeDecodeError:  # the BOM says UTF-8: a byte that is not is a stray one
            return data[3:].decode("utf-8", errors="collab-data-stray"), "UTF-8 (with bytes of Windows-1252)"
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
    mixed = _utf8_with_strays(data)
    if mixed is not None:
        return mixed, "UTF-8 (with bytes of Windows-1252)"
    text = data.decode("cp1252", errors="replace")
    if text.count("\ufffd") > 0:
        text = data.decode("latin-1")
        return text, "Latin-1"
    return text, "Windows-1252"


# A byte that is not UTF-8, inside a file that otherwise is, is kept as a private-use
# character (U+E000 + the byte) until the table is read, then decoded as Windows-1252 and
# reported with its row and column (see _restore_strays).
_STRAY_BASE = 0xE000
_STRAY_RE = re.compile("[\ue080-\ue0ff]")
_UTF8_BEYOND_ASCII = re.compile("[\u0080-\ue07f\ue100-\U0010ffff]")


def _mark_stray(exc: UnicodeDecodeError) -> tuple[str, int]:
    return "".join(chr(_STRAY_BASE + b) for b in exc.object[exc.start:exc.end]), exc.end


codecs.register_error("collab-data-stray", _mark_stray)


def _utf8_with_strays(data: bytes) -> str | None:
    """A UTF-8 file with a few bytes of another encoding (a name pasted from an old file):
    the text with those bytes marked, or None when the file holds no UTF-8 beyond ASCII
    (then it is a Windows-1252 / Latin-1 file as a whole)."""
    text = data.decode("utf-8", errors="collab-data-stray")
    if _UTF8_BEYOND_ASCII.search(text) and not _STRAY_RE.search(data.decode("utf-8", errors="ignore")):
        return text  # (the second test: the marks are ours alone)
    return None


def _stray_text(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return bytes([byte]).decode("latin-1")


def _restore_strays(text: str) -> str:
    return _STRAY_RE.sub(lambda m: _stray_text(ord(m.group()) - _STRAY_BASE), text)


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
    return _to_table(records, numbers, known, encoding=encoding, delimiter=delimiter,
                     strays=encoding.startswith("UTF-8 (with bytes"))


#: The first cell of a total or footer line below the data (never a record's name:
#: "Total: 3 partners", "TOTAL", "Source: ...", "Prepared by ...").
FOOTER_RE = re.compile(
    r"^(grand\s+)?(sub)?totals?\s*(:|=|\d|$)"
    r"|^(sources?|notes?|note|contact|disclaimer|last updated|updated|data as of)\s*:"
    r"|^(prepared|compiled|generated|exported|produced|downloaded)\s+(by|on|from)\b"
    r"|^\*", re.I)


def _to_table(records: list[list[str]], numbers: list[int], known: set[str], *, encoding: str,
              delimiter: str | None, strays: bool = False) -> Table:
    keep, blank_before = [], False
    for r, n in zip(records, numbers):
        if any(c.strip() for c in r):
            keep.append((r, n, blank_before))
            blank_before = False
        else:
            blank_before = True
    if not keep:
        raise FileRejected("The file has no rows.", "Fill in the template (download it above) and upload it again.")
    stray_cells: list[tuple[int, int, str, str]] = []  # (row, cell index, value, the stray characters)
    if strays:
        keep = [(_restore_cells(r, n, stray_cells), n, b) for r, n, b in keep]
    records = [r for r, _, _ in keep]
    numbers = [n for _, n, _ in keep]
    h = _header_index(records, known)
    header = [c.replace("\ufeff", "").strip() for c in records[h]]
    if sum(1 for c in header if c) < 2:
        raise FileRejected("No header row was found: the first row should name the columns.",
                           "Put the column names (title, type, start date, partners, countries ...) in the first row.")
    data = keep[h + 1:]
    # a column with neither a name nor any value (the empty area beside a sheet's table) is not a column
    used = [i for i, c in enumerate(header) if c or any(i < len(r) and r[i].strip() for r, _, _ in data)]
    if len(used) < len(header):
        extra = len(header)
        data = [([r[i] if i < len(r) else "" for i in used] + r[extra:], n, b) for r, n, b in data]
        header = [header[i] for i in used]
    # blank header cells get a name of their own, so their values can still be mapped
    columns, seen = [], set()
    for i, c in enumerate(header):
        name = c or f"(column {used[i] + 1})"
        while name in seen:
            name += " (2)"
        seen.add(name)
        columns.append(name)
    width = len(columns)
    data, footers = _split_footers(data, width)
    notes: list[str] = []
    row_notes: list[RowNote] = []
    for r, n in footers:
        text = ", ".join(c.strip() for c in r if c.strip())
        row_notes.append(RowNote(n, None, text, "Read as a total or footer line below the data, not as a record: it "
                                 "is not imported.", "Nothing to do for a total or a note; if it is a record, fill in "
                                 "its other columns (and remove any blank line above it)."))
    for n, i, value, chars in stray_cells:
        column = columns[used.index(i)] if n > numbers[h] and i in used else None
        row_notes.append(RowNote(n, column, value, f"{chars!r} here is not UTF-8 like the rest of the file; it was read "
                                 "as Windows-1252.", "Check the value; save the file as 'CSV UTF-8' from your "
                                 "spreadsheet to avoid it."))
    if h:
        row_notes.append(RowNote(numbers[h], None, None, f"Skipped {h} line(s) above the header row (row {numbers[h]}).",
                                 "Check that the right row was read as the header (the one naming the columns)."))
    rows = [([c.strip() for c in r[:width]] + [""] * (width - len(r))) for r, _, _ in data]
    wide = [n for r, n, _ in data if len(r) > width and any(c.strip() for c in r[width:])]
    if wide:
        notes.append(f"{len(wide)} row(s) have more cells than the header (first: row {wide[0]}); extra cells were ignored.")
    row_notes.sort(key=lambda rn: rn.row or 0)
    return Table(columns=columns, rows=rows, row_numbers=[n for _, n, _ in data], encoding=encoding,
                 delimiter=delimiter, header_row=numbers[h], notes=notes, row_notes=row_notes)


def _restore_cells(record: list[str], row: int, found: list) -> list[str]:
    """The record with its marked stray bytes read as Windows-1252; each such cell is added to ``found``."""
    out = []
    for i, cell in enumerate(record):
        if _STRAY_RE.search(cell):
            chars = "".join(_stray_text(ord(m) - _STRAY_BASE) for m in _STRAY_RE.findall(cell))
            cell = _restore_strays(cell)
            found.append((row, i, cell.strip(), chars))
        out.append(cell)
    return out


def _split_footers(data: list[tuple[list[str], int, bool]], width: int) -> tuple[list, list[tuple[list[str], int]]]:
    """The data rows, and the total or footer lines at their end: lines whose first cell reads
    like one ("Total: 3", "Source: ...") and that fill at most half the columns, and one-cell
    lines below a blank line (with data rows above them). A record never looks like either:
    every record type needs at least two of its columns."""
    def filled(r: list[str]) -> list[str]:
        return [c.strip() for c in r if c.strip()]

    def worded(r: list[str]) -> bool:
        cells = filled(r)
        return bool(cells) and len(cells) <= max(1, width // 2) and bool(FOOTER_RE.match(cells[0]))

    i = len(data)
    while i > 0 and (len(filled(data[i - 1][0])) <= 1 or worded(data[i - 1][0])):
        i -= 1
    flags, separated = [], False
    for k in range(i, len(data)):
        r, _, blank_before = data[k]
        separated = separated or (blank_before and k > 0)
        flags.append(worded(r) or separated)
    j = len(flags)
    while j > 0 and flags[j - 1]:
        j -= 1
    cut = i + j
    return data[:cut], [(r, n) for r, n, _ in data[cut:]]


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
    others = [name for name in wb.sheetnames[1:] if not HELP_SHEET_RE.match(name.strip())]
    if others:
        table.notes.append(f"Read the first sheet ({wb.sheetnames[0]!r}) of {len(wb.sheetnames)}.")
    return table


#: Sheets that explain a workbook (our templates' "Help" sheet): not a second table.
HELP_SHEET_RE = re.compile(r"^(help|instructions?|read\s*me|about|how to( use)?|guidance|notes?|legend)$", re.I)


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
