"""What every record type shares: its fields, reading a file into rows (the upload reader,
column matching by name and synonyms, unused columns reported), the findings of a row,
and the plan that holds what would be written. A record type module gives its
``FIELDS``, a ``Context``, ``check_row`` and a writer; see :mod:`collab_data.records.partners`
and :mod:`collab_data.records.programmes`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pandas as pd

from collab_data.ingest.activities import CRITICAL, ERROR, WARNING, Finding, FindingList, count_findings, norm
from collab_data.ingest.reader import FileRejected, read_table
from collab_data.ingest.templates import csv_rows, template_csv, template_xlsx  # noqa: F401 - the record types' templates
from collab_data.labels import MISSING


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
        for col in ("column", "value"):  # a finding about the whole file names no column or value
            frame[col] = frame[col].astype(object).where(frame[col].notna(), MISSING)
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
