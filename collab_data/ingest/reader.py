"""Reading an uploaded table as partners really have it.

Detects the encoding (UTF-8 with or without BOM, UTF-16 with BOM, cp1252 / Latin-1, and a
UTF-8 file with a few stray Windows-1252 bytes, each reported by row and column), the
delimiter (comma, semicolon, tab, pipe) and the header row (title lines above it are
skipped); leaves out footer and total lines below the data ("Total: 3 partners", a blank
line then "Source: ...") and columns with neither a name nor a value, each reported; reads
.xlsx through python-calamine (openpyxl when it is missing). Every data row keeps its row
number *in the user's file* (the line an editor or spreadsheet shows), so findings can point
at it.

Problems that make the whole file unusable raise :class:`FileRejected` (the "critical"
tier): binary or unreadable file, empty file, no header row, over the size limit, over
:data:`MAX_DATA_ROWS` rows or :data:`MAX_COLUMNS` columns, a quote opened and never closed.
No file can make the reader build more than that: an xlsx sheet is first scanned as a
stream for the cells that hold a value (its declared size is ignored), and a CSV is read
only up to the row limit. Problems of one cell (a NUL byte, a cell over
:data:`MAX_CELL_CHARS` characters, merged cells, a repeated column name, sheets not read)
become row notes at their row and column.
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
#: Data rows one upload may hold (trailing empty rows never count); a larger file is refused.
MAX_DATA_ROWS = 100_000
#: Columns one upload may hold (counting only columns with a value somewhere).
MAX_COLUMNS = 500
#: Characters one cell may hold; a longer cell is an error at its row and column.
MAX_CELL_CHARS = 10_000
#: Lines (of the header's width) inside one quoted cell from which the cell is read as a
#: quote opened and never closed, swallowing the rows below it.
SWALLOWED_ROWS = 2
#: Unpacked size of an xlsx sheet that is refused without reading it (a "zip bomb").
MAX_SHEET_XML_BYTES = 400 * 1024 * 1024


class FileRejected(Exception):
    """The whole file is refused (critical): nothing of it can be imported. ``row``,
    ``column`` and ``value`` point at the cause when it is one place of the file."""

    def __init__(self, message: str, fix: str, *, row: int | None = None, column: str | None = None,
                 value: str | None = None):
        self.message, self.fix = message, fix
        self.row, self.column, self.value = row, column, value
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
    tier: str = "warning"  # "error": the row cannot be imported as it is (a cell over the limit)


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
    positions: list[int] = field(default_factory=list)  # 0-based sheet column of each column

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
    delimiter = _sniff_delimiter(text[:65536].splitlines())
    has_nul = "\x00" in text
    marks: list[tuple[int, int, str, str, str, str]] = []
    try:
        reader = csv.reader(_guarded_lines(io.StringIO(text, newline=""), delimiter), delimiter=delimiter)
        records, numbers = [], []
        start, filled, blank = 1, 0, False
        for rec in reader:
            if len(rec) > MAX_COLUMNS:  # trailing empty cells never count; a wider row is refused
                last = next((i for i in range(len(rec) - 1, -1, -1) if rec[i].strip()), -1)
                del rec[last + 1:]
                if len(rec) > MAX_COLUMNS:
                    raise FileRejected(f"Row {start} has {len(rec):,} cells, over the limit of {MAX_COLUMNS} columns.",
                                       "Keep only the columns of the template (delete the others) and upload it again.",
                                       row=start, column=col_letter(MAX_COLUMNS))
            if any(c.strip() for c in rec):
                filled += 1
                if filled > MAX_DATA_ROWS + _ROWS_ABOVE_AND_BELOW:
                    raise _too_many_rows(start)
                if has_nul and any("\x00" in c for c in rec):
                    rec = _strip_nul(rec, start, marks)
                records.append(rec)
                numbers.append(start)
                blank = False
            elif not blank:  # a run of blank lines is kept as one (it only separates a footer)
                records.append(rec)
                numbers.append(start)
                blank = True
            start = reader.line_num + 1
    except csv.Error as exc:
        raise FileRejected(f"The file is not a readable table ({exc}).",
                           "Save it again as CSV from your spreadsheet.") from exc
    del text
    return _to_table(records, numbers, known, encoding=encoding, delimiter=delimiter,
                     strays=encoding.startswith("UTF-8 (with bytes"), marks=marks)


#: Separators one line may hold before the line is refused, unread (its trailing ones not counted).
MAX_LINE_SEPARATORS = 100_000


def _guarded_lines(stream: io.StringIO, delimiter: str):
    """The lines of the text, so that no line makes the CSV reader build a row of millions of
    cells: trailing separators (an export's empty columns) are dropped, and a line with
    more than :data:`MAX_LINE_SEPARATORS` others is refused."""
    for number, line in enumerate(stream, start=1):
        if line.count(delimiter) > MAX_COLUMNS:
            body = line.rstrip("\r\n")
            line = body.rstrip(delimiter + " ") + line[len(body):]
            if line.count(delimiter) > MAX_LINE_SEPARATORS:
                raise FileRejected(f"Line {number} has more than {MAX_LINE_SEPARATORS:,} separators "
                                   f"({delimiter!r}): it is not a row of a table.",
                                   "Keep only the columns of the template (delete the others) and upload it again.",
                                   row=number)
        yield line


#: Lines above the header (titles) and below the data (footers) allowed beside the data rows.
_ROWS_ABOVE_AND_BELOW = 50


def _too_many_rows(row: int | None, what: str = "") -> FileRejected:
    return FileRejected(
        f"The file has more than {MAX_DATA_ROWS:,} data rows{what}, the limit of one upload; "
        "nothing of it was read further.",
        f"Split it into files of at most {MAX_DATA_ROWS:,} rows (for example one per year) and upload them one by one.",
        row=row)


def _strip_nul(record: list[str], row: int, marks: list) -> list[str]:
    out = []
    for i, cell in enumerate(record):
        if "\x00" in cell:
            cell = cell.replace("\x00", "")
            marks.append((row, i, cell.strip()[:200], "The cell contained a NUL (zero) byte, which is not text; it "
                          "was removed.", "Check the value; save the file again as CSV from your spreadsheet.",
                          "warning"))
        out.append(cell)
    return out


def col_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index (0 -> A, 26 -> AA)."""
    out, n = "", index + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


#: The first cell of a total or footer line below the data (never a record's name:
#: "Total: 3 partners", "TOTAL", "Source: ...", "Prepared by ...").
FOOTER_RE = re.compile(
    r"^(grand\s+)?(sub)?totals?\s*(:|=|\d|$)"
    r"|^(sources?|notes?|note|contact|disclaimer|last updated|updated|data as of)\s*:"
    r"|^(prepared|compiled|generated|exported|produced|downloaded)\s+(by|on|from)\b"
    r"|^\*", re.I)


def _to_table(records: list[list[str]], numbers: list[int], known: set[str], *, encoding: str,
              delimiter: str | None, strays: bool = False, marks: list | None = None, first_col: int = 0) -> Table:
    """The table of the records; ``marks`` are (row, cell index, value, message, fix, tier) of
    cells the reader changed or refused, ``first_col`` the sheet column of cell index 0."""
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
    if len(used) > MAX_COLUMNS:
        raise FileRejected(f"The file has {len(used):,} columns with a name or a value, over the limit of {MAX_COLUMNS}.",
                           "Keep only the columns of the template (delete the others) and upload it again.",
                           row=numbers[h], column=col_letter(first_col + used[MAX_COLUMNS]))
    # blank header cells get a name of their own, so their values can still be mapped
    columns, seen = [], {}
    row_notes: list[RowNote] = []
    for i, c in enumerate(header):
        name = c or f"(column {used[i] + 1})"
        first = seen.get(name.casefold())
        if first is not None and c:
            letter, used_letter = col_letter(first_col + used[i]), col_letter(first_col + used[first])
            row_notes.append(RowNote(numbers[h], c, c, f"Two columns are named {c!r}: column {used_letter} and column "
                                     f"{letter}. Column {used_letter} (the first) is used; column {letter} is read as "
                                     f"{c + ' (2)'!r} and its values are not imported.",
                                     "Rename one of the two columns (or delete the one that is not needed)."))
        while name.casefold() in seen:
            name += " (2)"
        seen[name.casefold()] = i
        columns.append(name)
    width = len(columns)
    data, footers = _split_footers(data, width)
    if len(data) > MAX_DATA_ROWS:
        raise _too_many_rows(data[MAX_DATA_ROWS][1])
    if delimiter is not None:
        _check_quotes(data, columns, used, delimiter)
    notes: list[str] = []
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
    header_at = numbers[h]
    for n, i, value, message, fix, tier in marks or []:
        column = columns[used.index(i)] if n > header_at and i in used else None
        row_notes.append(RowNote(n, column, value, message, fix, tier))
    for r, n, _ in data:
        for k, i in enumerate(used):
            if i < len(r) and len(r[i]) > MAX_CELL_CHARS:
                row_notes.append(RowNote(n, columns[k], r[i][:100] + "…",
                                         f"The cell holds {len(r[i]):,} characters, over the limit of "
                                         f"{MAX_CELL_CHARS:,} for one cell: the row is not imported.",
                                         "Shorten the text (link to a document for the details) and upload the "
                                         "row again.", "error"))
    if h:
        row_notes.append(RowNote(numbers[h], None, None, f"Skipped {h} line(s) above the header row (row {numbers[h]}).",
                                 "Check that the right row was read as the header (the one naming the columns)."))
    rows = [([c.strip() for c in r[:width]] + [""] * (width - len(r))) for r, _, _ in data]
    wide = [n for r, n, _ in data if len(r) > width and any(c.strip() for c in r[width:])]
    if wide:
        notes.append(f"{len(wide)} row(s) have more cells than the header (first: row {wide[0]}); extra cells were ignored.")
    row_notes.sort(key=lambda rn: rn.row or 0)
    return Table(columns=columns, rows=rows, row_numbers=[n for _, n, _ in data], encoding=encoding,
                 delimiter=delimiter, header_row=numbers[h], notes=notes, row_notes=row_notes,
                 positions=[first_col + i for i in used])


def _check_quotes(data: list[tuple[list[str], int, bool]], columns: list[str], used: list[int], delimiter: str) -> None:
    """Refuse a file whose quote opens and never closes: the cell where it opens holds the
    lines of the rows below it (each as wide as the header), which would be lost."""
    width = len(columns)
    for r, n, _ in data:
        for i, cell in enumerate(r):
            if "\n" not in cell:
                continue
            lines = cell.split("\n")
            rows_inside = sum(1 for ln in lines[1:] if ln.count(delimiter) >= max(1, width - 1))
            # (a narrow table needs more such lines: a text with a comma per line is not a row)
            if rows_inside >= (SWALLOWED_ROWS if width >= 4 else 5):
                column = columns[used.index(i)] if i in used else f"column {col_letter(i)}"
                raise FileRejected(
                    f"A quote (\") opens in row {n}, column {column!r}, and is never closed: the "
                    f"{len(lines) - 1:,} lines below it were read as one cell of {len(cell):,} characters, holding "
                    f"{rows_inside:,} rows of the file that would be lost.",
                    f"Close the quote or remove it in row {n} (a quote inside a value is written twice: \"\"), "
                    "save and upload the file again.", row=n, column=column, value=cell[:100])


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


#: Cells (rows x columns of the area holding values) one sheet may span.
MAX_CELLS = 5_000_000
_XML_BAD = "The Excel file cannot be opened (it may be damaged or password-protected)."
_XML_FIX = "Open it in your spreadsheet and save it again as .xlsx or as CSV."
_ROW_RE = re.compile(rb"<(?:\w+:)?row\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
_CELL_RE = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
#: A cell that holds something: a value element or an inline string, even an empty one
#: (python-calamine keeps an empty text as a cell, so it counts in the extent).
_VALUE_RE = re.compile(rb"<(?:\w+:)?(?:v|is)\b")
#: Every cell's opening tag, when cells carry no namespace prefix: (the tag, column letters, row digits).
_FAST_CELL_RE = re.compile(rb'(<c\s[^>]*?\br="([A-Za-z]{1,3})(\d+)"[^>]*>)')
_CELL_OPEN_RE = re.compile(rb"<c[\s/>]")
_REF_RE = re.compile(rb'\br="([A-Za-z]{0,3})(\d*)"')
_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Za-z]+\d+)(?::([A-Za-z]+\d+))?"')
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


@dataclass
class _Extent:
    """What a streaming scan of a sheet's XML found: only cells holding a value count."""

    rows: int = 0                     # rows holding a value
    last: tuple[int, str] = (0, "")   # (row, cell reference) of the lowest cell holding a value
    right: tuple[int, str] = (0, "")  # (0-based column, cell reference) of the rightmost one
    merges: list[str] = field(default_factory=list)


def _sheet_paths(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(name, path in the zip) of each sheet, in the workbook's order."""
    import xml.etree.ElementTree as ET

    def small(name: str) -> bytes:
        if zf.getinfo(name).file_size > 16 * 1024 * 1024:
            raise FileRejected(_XML_BAD, _XML_FIX)
        return zf.read(name)

    book = ET.fromstring(small("xl/workbook.xml"))
    rels = {}
    if "xl/_rels/workbook.xml.rels" in zf.namelist():
        for rel in ET.fromstring(small("xl/_rels/workbook.xml.rels")):
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            rels[rel.get("Id")] = re.sub(r"[^/]+/\.\./", "", target)
    out = []
    for i, sheet in enumerate(book.iter(f"{_NS_MAIN}sheet"), start=1):
        path = rels.get(sheet.get(f"{_NS_REL}id"), f"xl/worksheets/sheet{i}.xml")
        out.append((sheet.get("name", f"Sheet{i}"), path))
    return out


def _scan_sheet(zf: zipfile.ZipFile, path: str, *, limit_bytes: int | None = None) -> _Extent:
    """The extent of the cells holding a value, read as a stream (the sheet's declared
    dimension is ignored: it can claim a million rows for two cells). Refuses, before
    anything is built, a sheet over the row, column or size limit. ``limit_bytes``: only
    look that far (enough to tell whether another sheet holds any value)."""
    try:
        info = zf.getinfo(path)
    except KeyError as exc:
        raise FileRejected(_XML_BAD, _XML_FIX) from exc
    if limit_bytes is None and info.file_size > MAX_SHEET_XML_BYTES:
        raise FileRejected(f"The sheet unpacks to {info.file_size / 1e6:,.0f} MB, over the "
                           f"{MAX_SHEET_XML_BYTES / 1e6:,.0f} MB that one upload may hold.",
                           f"Keep only the table (at most {MAX_DATA_ROWS:,} rows), or split it into several files.")
    ext, counter, buf, seen = _Extent(), 0, b"", 0

    def rows_of(chunk: bytes) -> None:
        if b":c " in chunk or b":c>" in chunk:
            return slow_rows_of(chunk)  # cells with a namespace prefix (or such text): the thorough way
        cells = _FAST_CELL_RE.findall(chunk)
        if len(cells) != len(_CELL_OPEN_RE.findall(chunk)):
            return slow_rows_of(chunk)  # some cell has no reference of its own: count positions
        # every cell names its place: a cell that is not self-closing holds something (a value,
        # an inline string, perhaps only a formula: counted, to be safe)
        previous, columns = -1, {}
        for tag, letters, digits in cells:
            if tag.endswith(b"/>") and b"inlineStr" not in tag:
                continue
            row = int(digits)
            col = columns.get(letters)
            if col is None:
                col = columns[letters] = _col_index(letters.upper().decode())
            if row != previous:
                ext.rows += 1
                previous = row
            if col > ext.right[0] or not ext.right[1]:
                ext.right = (col, f"{col_letter(col)}{row}")
            if row > ext.last[0]:
                ext.last = (row, f"{col_letter(col)}{row}")
        check(ext.last[0])

    def slow_rows_of(chunk: bytes) -> None:
        nonlocal counter
        for m in _ROW_RE.finditer(chunk):
            attrs, body = m.group(1), m.group(2)
            ref = _REF_RE.search(attrs)
            counter = int(ref.group(2)) if ref and ref.group(2) else counter + 1
            if not body or not (_VALUE_RE.search(body) or b"inlineStr" in body):
                continue  # an empty (perhaps formatted) row never counts
            ext.rows += 1
            for pos, (cattrs, cbody) in enumerate(_CELL_RE.findall(body)):
                if not ((cbody and _VALUE_RE.search(cbody)) or b"inlineStr" in cattrs):
                    continue
                # a cell's own reference places it (a reader follows it, whatever its row says)
                cref = _REF_RE.search(cattrs)
                col = _col_index(cref.group(1).upper().decode()) if cref and cref.group(1) else pos
                row = int(cref.group(2)) if cref and cref.group(2) else counter
                where = f"{col_letter(col)}{row}"
                if col > ext.right[0] or not ext.right[1]:
                    ext.right = (col, where)
                if row > ext.last[0]:
                    ext.last = (row, where)
            check(counter)

    def check(row: int) -> None:
        if ext.rows > MAX_DATA_ROWS + _ROWS_ABOVE_AND_BELOW:
            raise _too_many_rows(row)
        if ext.last[0] > MAX_DATA_ROWS + _ROWS_ABOVE_AND_BELOW:
            raise FileRejected(
                f"The sheet has a value in cell {ext.last[1]} (row {ext.last[0]:,}), beyond the limit of "
                f"{MAX_DATA_ROWS:,} data rows per upload ({ext.rows:,} rows hold values).",
                f"If that cell is a stray, delete it (or delete all rows below your table), save and upload "
                f"again; otherwise split the file into files of at most {MAX_DATA_ROWS:,} rows.",
                row=ext.last[0], column=col_letter(_col_index(re.match(r"[A-Z]+", ext.last[1]).group())))
        if ext.right[0] >= MAX_COLUMNS:
            raise FileRejected(
                f"The sheet has a value in cell {ext.right[1]} (column {col_letter(ext.right[0])}), beyond the "
                f"limit of {MAX_COLUMNS} columns per upload.",
                "Delete that cell (or the columns right of your table), save and upload again.",
                row=int(re.search(r"\d+", ext.right[1]).group()), column=col_letter(ext.right[0]))

    try:
        with zf.open(path) as stream:
            while True:
                chunk = stream.read(4 * 1024 * 1024)
                seen += len(chunk)
                if not chunk or (limit_bytes and seen > limit_bytes):
                    break
                buf += chunk
                cut = buf.rfind(b"<row")
                other = buf.rfind(b":row ")
                if other > cut:
                    cut = buf.rfind(b"<", 0, other)
                if cut > 0:
                    rows_of(buf[:cut])
                    buf = buf[cut:]
                elif len(buf) > 64 * 1024 * 1024:
                    raise FileRejected("A row of the sheet is too large to read.", _XML_FIX)
            rows_of(buf)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise FileRejected(_XML_BAD, _XML_FIX) from exc
    ext.merges = [(a + (b":" + b if b else b"")).decode().upper() for a, b in _MERGE_RE.findall(buf)]
    return ext


def _read_xlsx(data: bytes, known: set[str]) -> Table:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        sheets = _sheet_paths(zf)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError) as exc:
        raise FileRejected(_XML_BAD, _XML_FIX) from exc
    if not sheets:
        raise FileRejected("The Excel file has no sheet.", _XML_FIX)
    for name in ("xl/sharedStrings.xml", "xl/styles.xml"):
        if name in zf.namelist() and zf.getinfo(name).file_size > MAX_SHEET_XML_BYTES:
            raise FileRejected(f"The Excel file unpacks to more than {MAX_SHEET_XML_BYTES / 1e6:,.0f} MB.",
                               f"Keep only the table (at most {MAX_DATA_ROWS:,} rows), or split it into several files.")
    ext = _scan_sheet(zf, sheets[0][1])
    if not ext.rows:
        raise FileRejected("The file has no rows.", "Fill in the template (download it above) and upload it again.")
    if ext.last[0] * (ext.right[0] + 1) > MAX_CELLS:
        raise FileRejected(f"The sheet's values span {ext.last[0]:,} rows by {ext.right[0] + 1} columns (down to "
                           f"{ext.last[1]}), over the limit of {MAX_CELLS:,} cells per upload.",
                           "Delete the rows and columns outside your table, or split the file.",
                           row=ext.last[0], column=col_letter(ext.right[0]))
    records, numbers, first_col = _xlsx_records(data, ext)
    table = _to_table(records, numbers, known, encoding="xlsx", delimiter=None, first_col=first_col)
    del records
    for ref in ext.merges:
        top_left = ref.split(":")[0]
        row = int(re.search(r"\d+", top_left).group())
        col = _col_index(re.match(r"[A-Z]+", top_left).group())
        column = table.columns[table.positions.index(col)] if col in table.positions else None
        table.row_notes.append(RowNote(
            row, column, ref, f"Cells {ref} are merged: only {top_left} holds the value, the other cells are read as "
            "empty.", "Unmerge the cells and write the value in each row (or column) it belongs to."))
    others = []
    for name, path in sheets[1:]:
        if HELP_SHEET_RE.match(name.strip()):
            continue
        try:
            if _scan_sheet(zf, path, limit_bytes=2 * 1024 * 1024).rows:
                others.append(name)
        except FileRejected:
            others.append(name)
    if others:
        table.row_notes.append(RowNote(
            None, None, ", ".join(others),
            f"Only the first sheet ({sheets[0][0]!r}) was read; the other sheet(s) holding data were not: "
            f"{', '.join(repr(o) for o in others)}.",
            "Put all rows in the first sheet, or upload each sheet as a file of its own."))
    table.row_notes.sort(key=lambda rn: rn.row or 0)
    return table


def _xlsx_records(data: bytes, ext: _Extent) -> tuple[list[list[str]], list[int], int]:
    """The first sheet's rows as text, their row numbers, and the sheet column of cell 0,
    within the extent the scan found (python-calamine, else openpyxl in read-only mode)."""
    try:
        import python_calamine
    except ImportError:
        python_calamine = None
    records, numbers = [], []
    if python_calamine is not None:
        try:
            wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            ws = wb.get_sheet_by_index(0)
            start = ws.start or (0, 0)
            for i, row in enumerate(ws.iter_rows()):
                if start[0] + i + 1 > ext.last[0]:
                    break
                records.append([_cell_text(v) for v in row])
                numbers.append(start[0] + i + 1)
            wb.close()
        except python_calamine.PasswordError as exc:
            raise FileRejected("The Excel file is password-protected.", _XML_FIX) from exc
        except python_calamine.CalamineError as exc:
            raise FileRejected(_XML_BAD, _XML_FIX) from exc
        return records, numbers, start[1]
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FileRejected(_XML_BAD, _XML_FIX) from exc
    ws = wb.worksheets[0]
    ws.reset_dimensions()  # the declared dimension is not the data's
    for i, row in enumerate(ws.iter_rows(max_row=ext.last[0], max_col=ext.right[0] + 1, values_only=True), start=1):
        records.append([_cell_text(v) for v in row])
        numbers.append(i)
    wb.close()
    return records, numbers, 0


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
