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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pandas as pd

from collab_data.ingest.activities import CRITICAL, ERROR, TIERS, WARNING, Finding, norm
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
    findings: list[Finding] = field(default_factory=list)
    records: list[dict] = field(default_factory=list)
    rows_read: int = 0
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def critical(self) -> bool:
        return any(f.tier == CRITICAL for f in self.findings)

    def counts(self) -> dict[str, int]:
        out = {t: sum(f.tier == t for f in self.findings) for t in TIERS}
        out["rows read"] = self.rows_read
        out["to write"] = 0 if self.critical else len(self.records)
        out["rows not written"] = len({f.row for f in self.findings if f.tier == ERROR})
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
        self.flags: list[str] = []

    def _column(self, name: str) -> str:
        return self.columns.get(name, self.specs[name].label)

    def err(self, name: str, value, message: str, fix: str) -> None:
        self.plan.findings.append(Finding(ERROR, self.row, self._column(name), value, message, fix))
        self.errors += 1

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
            plan.records.append({**record, "row": rn, "flags": rc.flags})


def read_rows(data: bytes, filename: str, specs: dict[str, Field], noun: str, *,
              max_bytes: int | None = None) -> tuple[Plan, list]:
    """Read a file of records: the plan (with critical findings when the file cannot be
    used, and a warning per unused column) and the rows to check."""
    plan = Plan(source=filename, noun=noun, sha256=hashlib.sha256(data).hexdigest())
    known = {norm(s) for f in specs.values() for s in (f.name, f.label, *f.synonyms)}
    try:
        table = read_table(data, filename, known_names=known, **({"max_bytes": max_bytes} if max_bytes else {}))
    except FileRejected as exc:
        plan.findings.append(Finding(CRITICAL, None, None, None, exc.message, exc.fix))
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
    idx = {f: table.columns.index(c) for f, c in mapping.items()}
    return plan, [(rn, {f: row[i] for f, i in idx.items()}, mapping) for row, rn in zip(table.rows, table.row_numbers)]


def template_csv(specs: dict[str, Field], example_rows: list[list[str]] | None = None) -> bytes:
    """A CSV template: the header, and the example rows when given."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(list(specs))
    if example_rows:
        w.writerows(example_rows)
    return out.getvalue().encode("utf-8")
