"""What every record type shares: its fields, reading a file into rows (the upload reader,
column matching by name and synonyms, unused columns reported), the findings of a row,
and the plan that holds what would be written. A record type module gives its
``FIELDS``, a ``Context``, ``check_row`` and a writer; see :mod:`collab_data.records.partners`
and :mod:`collab_data.records.programmes`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from collab_data.ingest.activities import CRITICAL, ERROR, WARNING, Finding, FindingList, count_findings, norm
from collab_data.ingest.reader import FileRejected, read_table


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    required: bool
    synonyms: tuple[str, ...]
    help: str


def fields(*specs: Field) -> dict[str, Field]:
    return {f.name: f for f in specs}


@dataclass
class Plan:
    """Validated records of one type: what would be written, and every finding. Nothing is
    written yet."""

    source: str
    noun: str = "records"
    sha256: str | None = None
    findings: list[Finding] = field(default_factory=FindingList)
    records: list[dict] = field(default_factory=list)
    rows_read: int = 0
    ignored_columns: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not isinstance(self.findings, FindingList):  # at most FINDINGS_PER_KIND of a kind, all counted
            self.findings = FindingList(self.findings)

    @property
    def critical(self) -> bool:
        return any(f.tier == CRITICAL for f in self.findings)

    def counts(self) -> dict[str, int]:
        out, not_written = count_findings(self.findings, ERROR)
        out["rows read"] = self.rows_read
        out["to write"] = 0 if self.critical else len(self.records)
        out["rows not written"] = not_written
        return out

    def findings_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame([f.as_dict() for f in self.findings],
                             columns=["tier", "row", "column", "value", "message", "fix"])
        frame["row"] = frame["row"].astype("Int64")
        return frame


class RowCheck:
    """The findings of one row: ``err`` drops the row, ``warn`` keeps it with the reason."""

    def __init__(self, plan: Plan, row: int | None, columns: dict[str, str], specs: dict[str, Field]):
        self.plan, self.row, self.columns, self.specs = plan, row, columns, specs
        self.errors = 0
        self.error_fields: set[str] = set()
        self.flags: list[str] = []

    def _column(self, name: str) -> str:
        return self.columns.get(name, self.specs[name].label)

    def err(self, name: str, value, message: str, fix: str) -> None:
        self.plan.findings.append(Finding(ERROR, self.row, self._column(name), value, message, fix))
        self.errors += 1
        self.error_fields.add(name)

    def warn(self, name: str, value, message: str, fix: str) -> None:
        self.plan.findings.append(Finding(WARNING, self.row, self._column(name), value, message, fix))
        self.flags.append(message)


def suggest_mapping(specs: dict[str, Field], columns: Iterable[str]) -> dict[str, str]:
    """Our field -> the file's column, by name, label and synonyms."""
    by_norm = {norm(c): c for c in columns}
    mapping, used = {}, set()
    for f in specs.values():
        for s in (f.name, f.label, *f.synonyms):
            col = by_norm.get(norm(s))
            if col and col not in used:
                mapping[f.name] = col
                used.add(col)
                break
    return mapping


Checker = Callable[[dict[str, str], RowCheck], "dict | None"]


def check_rows(plan: Plan, specs: dict[str, Field], rows: list[tuple[int | None, dict[str, str], dict[str, str]]],
               check: Checker) -> None:
    """Run ``check(values, row_check)`` on every row; keep the records of rows without errors."""
    for rn, values, columns in rows:
        rc = RowCheck(plan, rn, columns, specs)
        v = {f: " ".join(str(values.get(f) or "").split()) for f in specs}
        record = check(v, rc)
        if record is not None and not rc.errors:
            inert_text_warnings(v, rc)
            plan.records.append({**record, "row": rn, "flags": rc.flags})


_FORMULA_START = ("=", "+", "-", "@")
_NUMBER_RE = re.compile(r"[+-]?\d[\d.,\s]*")
_MARKUP_RE = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


def inert_text_warnings(values: dict[str, str], rc: RowCheck) -> None:
    """A warning for each kept text that a spreadsheet would run as a formula or a browser as
    markup (the activity upload's rule): it is stored and shown as the text it is."""
    for name, value in values.items():
        if not value or name in rc.error_fields:
            continue
        if value.startswith(_FORMULA_START) and not _NUMBER_RE.fullmatch(value):
            rc.warn(name, value, "The cell starts like a spreadsheet formula; it is stored as plain text.",
                    "Nothing to do: exports neutralise it. Remove the leading sign if it is a mistake.")
        if _MARKUP_RE.search(value):
            rc.warn(name, value, "The cell contains HTML markup; it is stored and shown as plain text.",
                    "Remove the markup if it is not meant to be there.")


def read_rows(data: bytes, filename: str, specs: dict[str, Field], noun: str, *,
              max_bytes: int | None = None) -> tuple[Plan, list]:
    """Read a file of records: the plan (with critical findings when the file cannot be
    used, and a warning per unused column) and the rows to check."""
    plan = Plan(source=filename, noun=noun, sha256=hashlib.sha256(data).hexdigest())
    known = {norm(s) for f in specs.values() for s in (f.name, f.label, *f.synonyms)}
    try:
        table = read_table(data, filename, known_names=known, **({"max_bytes": max_bytes} if max_bytes else {}))
    except FileRejected as exc:
        plan.findings.append(Finding(CRITICAL, exc.row, exc.column, exc.value, exc.message, exc.fix))
        return plan, []
    plan.rows_read = len(table)
    mapping = suggest_mapping(specs, table.columns)
    missing = [f for f in specs.values() if f.required and f.name not in mapping]
    for f in missing:
        plan.findings.append(Finding(CRITICAL, table.header_row, None, None,
                                     f"No column for the required field '{f.label}'. The file's columns are: "
                                     f"{', '.join(table.columns)}.", f"Add a column named '{f.name}' ({f.help})."))
    if missing:
        return plan, []
    if not table.rows:
        plan.findings.append(Finding(CRITICAL, table.header_row, None, None, "The file has a header row but no data rows.",
                                     f"Add one row per {noun[:-1] if noun.endswith('s') else noun} below the header."))
        return plan, []
    plan.ignored_columns = [c for c in table.columns if c not in mapping.values() and c.strip()]
    for c in plan.ignored_columns:
        plan.findings.append(Finding(WARNING, table.header_row, c, None,
                                     f"The column {c!r} is not used: its values are not imported.",
                                     "Rename it to one of: " + ", ".join(specs) + ", if it holds one of those."))
    for note in table.notes:
        plan.findings.append(Finding(WARNING, None, None, None, note, "Check that the right rows were read."))
    for rn in table.row_notes:
        plan.findings.append(Finding(rn.tier, rn.row, rn.column, rn.value, rn.message, rn.fix))
    skip = {rn.row for rn in table.row_notes if rn.tier == ERROR}  # a cell over the limit: the row is not imported
    idx = {f: table.columns.index(c) for f, c in mapping.items()}
    return plan, [(rn, {f: row[i] for f, i in idx.items()}, mapping)
                  for row, rn in zip(table.rows, table.row_numbers) if rn not in skip]


def template_csv(specs: dict[str, Field], example_rows: list[list[str]] | None = None) -> bytes:
    """A CSV template: the header, and the example rows when given."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(list(specs))
    if example_rows:
        w.writerows(example_rows)
    return out.getvalue().encode("utf-8")


#: An example value that a spreadsheet shows best as a date.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def template_xlsx(specs: dict, example_rows: list[list[str]] | None = None, *, title: str) -> bytes:
    """The template as an Excel workbook: the data sheet first (named ``title``: what the
    upload reader reads), with a bold header and readable widths, then a "Help" sheet with
    each column, whether it is required, and what to write in it (``Field.help``)."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E8EEF4")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Data"
    names = list(specs)
    ws.append(names)
    for cell in ws[1]:
        cell.font, cell.fill = bold, fill
    for r, row in enumerate(example_rows or [], start=2):
        for c, value in enumerate(row, start=1):
            if not value:
                continue
            cell = ws.cell(row=r, column=c)
            if _ISO_DATE.fullmatch(value):
                cell.value = date.fromisoformat(value)
                cell.number_format = "yyyy-mm-dd"
            elif re.fullmatch(r"[1-9]\d{0,5}", value):
                cell.value = int(value)
            else:
                cell.value = value
                cell.data_type = "s"  # text stays text, even when it starts with "="
    for c, name in enumerate(names, start=1):
        longest = max([len(name)] + [len(str(row[c - 1])) for row in example_rows or [] if c - 1 < len(row)])
        ws.column_dimensions[get_column_letter(c)].width = min(max(12, longest + 2), 60)
    ws.freeze_panes = "A2"

    help_ws = wb.create_sheet("Help")
    help_ws.append(["Column", "Required", "What to write"])
    for cell in help_ws[1]:
        cell.font, cell.fill = bold, fill
    for f in specs.values():
        help_ws.append([f.name, "required" if f.required else "optional", f"{f.label}: {f.help}"])
    for col, width in (("A", max(12, max(len(n) for n in names) + 2)), ("B", 11), ("C", 90)):
        help_ws.column_dimensions[col].width = width
    for row in help_ws.iter_rows(min_row=2, min_col=3, max_col=3):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_rows(data: bytes) -> list[list[str]]:
    """The rows below the header of a CSV template: the example rows, for the same example in xlsx."""
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))[1:]



def unknown_references(findings) -> dict[str, list[str]]:
    """The partner and tool names a file names but the registry lacks (from its findings), in
    the order they first appear: {"partners": [...], "tools": [...]}. What an administrator
    can register on the spot before validating the same file again."""
    import re

    out: dict[str, list[str]] = {"partners": [], "tools": []}
    for f in findings:
        m = re.match(r"Unknown (partner|tool) ", f.message or "")
        if m and f.value and str(f.value).strip():
            names = out["partners" if m.group(1) == "partner" else "tools"]
            if str(f.value).strip() not in names:
                names.append(str(f.value).strip())
    return out
