"""KPI targets from a file: one row per KPI and period, with the findings of every upload,
written through the same rules and history as a target changed on the KPIs page
(:func:`collab_data.targets.set_target`).

A row names the KPI (its id or its name, in any case and spacing), the period (a year
``2026``, a quarter ``2026-Q3`` / ``Q3 2026`` or a half-year ``2026-H1`` / ``H1 2026``:
the periods the KPI page shows), the target (a number, at least 0; 0 to 100 for a KPI
counted in percent) and optional notes. A target that is already set to that number is
reported and left alone. The whole file is one batch, and each changed target keeps its
old and new value in the target history. Only an administrator imports targets (see
:func:`collab_data.actions.import_targets`).
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from collab_data import clock
from collab_data import targets as TG
from collab_data.db import Database, WriteRejected
from collab_data.ingest import activities as A
from collab_data.ingest.activities import norm
from collab_data.metrics import KPIS, PERIOD_TYPES, Period
from collab_data.records.base import Field, Plan, RowCheck, check_rows, fields, read_rows
from collab_data.records.base import template_csv as template

#: Units that make a KPI a percentage (its targets are 0 to 100).
PERCENT_UNITS = frozenset({"percent", "%", "percentage", "share"})

FIELDS: dict[str, Field] = fields(
    Field("kpi", "KPI", True, ("kpi", "kpi id", "kpi_id", "kpi name", "indicator", "metric", "measure", "key figure"),
          "The KPI's id or name, e.g. partners_involved or 'Partners involved'."),
    Field("period", "Period", True, ("period", "year", "quarter", "time period", "when", "period code"),
          "A year (2026), a quarter (2026-Q3 or Q3 2026) or a half-year (2026-H1 or H1 2026)."),
    Field("target", "Target", True, ("target", "target value", "goal", "value", "new target"),
          "A number, 0 or more (0 to 100 for a KPI in percent)."),
    Field("notes", "Notes", False, ("notes", "note", "comment", "comments", "rationale", "reason", "source"),
          "Optional: why this target (kept with the import)."),
)

_YEAR = re.compile(r"(?:year|cy)?\s*(\d{4})")
_YEAR_PART = re.compile(r"(\d{4})\s*[-/ ]?\s*([qh])\s*(\d)")
_PART_YEAR = re.compile(r"([qh])\s*(\d)\s*[-/ ]?\s*(\d{4})")
_WORDS_PART = re.compile(r"(quarter|qtr|half|half year|semester)\s*(\d)\s*[-/ ,]?\s*(\d{4})")
_DATE_LIKE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}")
_PERIOD_FIX = "Write a year (2026), a quarter (2026-Q3 or Q3 2026) or a half-year (2026-H1 or H1 2026)."


def read_period(text: str) -> tuple[Period | None, str | None]:
    """(the period, None) or (None, what is wrong) for a period as people write it."""
    t = " ".join(str(text).strip().lower().replace("–", "-").split())
    if not t:
        return None, "The period is empty."
    if _DATE_LIKE.fullmatch(t):
        return None, (f"{text!r} is a day: it does not say whether the target is for a quarter, a half-year or a "
                      "year.")
    m = _YEAR.fullmatch(t)
    if m:
        return Period("year", date(int(m.group(1)), 1, 1)), None
    year = part = number = None
    for rx, order in ((_YEAR_PART, "ypn"), (_PART_YEAR, "pny"), (_WORDS_PART, "pny")):
        m = rx.fullmatch(t)
        if m:
            got = dict(zip(order, m.groups()))
            year, part, number = int(got["y"]), got["p"][0], int(got["n"])
            break
    if year is None:
        return None, f"{text!r} is not a period."
    kind, count = ("quarter", 4) if part == "q" else ("half", 2)
    if not 1 <= number <= count:
        return None, f"{text!r}: a year has {count} {PERIOD_TYPES[kind].lower()}s, not {number}."
    return Period(kind, date(year, 1 + (number - 1) * (3 if kind == "quarter" else 6), 1)), None


@dataclass
class Context:
    kpis: dict[str, tuple[str, str]]          # kpi_id -> (name, unit), the KPIs targets can be set for
    lookup: dict[str, str]                    # normalised id or name -> kpi_id
    current: dict[tuple, float]               # (kpi_id, period_type, period_start) -> target
    today: date
    db: Database

    @classmethod
    def load(cls, db: Database, today: date) -> Context:
        kpis, lookup = {}, {}
        for kid, name, unit in db.rows("SELECT kpi_id, name, unit FROM kpis ORDER BY kpi_id"):
            if kid not in KPIS:
                continue
            kpis[kid] = (KPIS[kid].name, unit)
            for key in (kid, name, KPIS[kid].name, re.sub(r"\s*\(.*\)\s*", " ", name)):
                lookup.setdefault(norm(key), kid)
        current = {(k, t, s): float(v) for k, t, s, v in db.rows(
            "SELECT kpi_id, period_type, period_start, target FROM kpi_targets")}
        return cls(kpis, lookup, current, today, db)

    def is_percent(self, kpi_id: str) -> bool:
        name, unit = self.kpis[kpi_id]
        return unit.strip().lower() in PERCENT_UNITS or "%" in name


def _checker(ctx: Context):
    seen: dict[tuple, tuple[int | None, float]] = {}
    lo, hi = clock.date_window(ctx.today)

    def check(v: dict[str, str], rc: RowCheck) -> dict | None:
        kpi_id = None
        if not v["kpi"]:
            rc.err("kpi", "", "The KPI is empty.", "Write the KPI's id or name, e.g. 'Partners involved'.")
        else:
            kpi_id = ctx.lookup.get(norm(v["kpi"]))
            if kpi_id is None:
                close = difflib.get_close_matches(norm(v["kpi"]), list(ctx.lookup), n=2, cutoff=0.6)
                names = list(dict.fromkeys(ctx.kpis[ctx.lookup[c]][0] for c in close))
                hint = f" Did you mean {' or '.join(repr(n) for n in names)}?" if names else ""
                rc.err("kpi", v["kpi"], f"Unknown KPI {v['kpi']!r}.{hint}",
                       "Use one of: " + ", ".join(f"{n} ({k})" for k, (n, _) in ctx.kpis.items()) + ".")
        period, problem = read_period(v["period"])
        if period is None:
            rc.err("period", v["period"], problem, _PERIOD_FIX)
        elif not lo <= period.start <= hi:
            rc.err("period", v["period"], f"{period.label} starts on {period.start.isoformat()}, outside the dates the "
                   f"dashboard accepts ({clock.window_text(ctx.today)}).", "Correct the year.")
            period = None
        value = None
        raw = v["target"]
        if not raw:
            rc.err("target", "", "The target is empty.", "Write the target as a number, e.g. 12.")
        elif re.fullmatch(r"\d+,\d{1,2}", raw):
            rc.err("target", raw, f"{raw!r} is ambiguous: a decimal comma, or a thousands separator?",
                   "Write decimals with a point (1.5) and thousands without a separator (1500).")
        else:
            percent = raw.endswith("%")
            try:
                value = TG.parse_target(raw[:-1] if percent else raw)
            except TG.TargetRejected as exc:
                rc.err("target", raw, f"Not a valid target: {exc}.", "Write a number, 0 or more, e.g. 12 or 2.5.")
            else:
                if kpi_id and percent and not ctx.is_percent(kpi_id):
                    rc.err("target", raw, f"{ctx.kpis[kpi_id][0]} counts {ctx.kpis[kpi_id][1]}, not a percentage.",
                           f"Write the number of {ctx.kpis[kpi_id][1]}, without '%'.")
                    value = None
                elif kpi_id and ctx.is_percent(kpi_id) and value > 100:
                    rc.err("target", raw, f"{ctx.kpis[kpi_id][0]} is a percentage: {value:g} is over 100.",
                           "Write a percentage from 0 to 100.")
                    value = None
        if rc.errors:
            return None
        try:  # the very rules of a target changed on the KPIs page
            kpi_id, period, value = TG.validate(ctx.db, kpi_id, period.type, period.start, value, ctx.today)
        except TG.TargetRejected as exc:
            rc.err("target", raw, f"Not a valid target: {exc}.", "Correct the KPI, period or target.")
            return None
        key = (kpi_id, period.type, period.start)
        if key in seen:
            first, first_value = seen[key]
            rc.err("period", v["period"], f"The target of {ctx.kpis[kpi_id][0]} for {period.label} is set twice in "
                   f"this file (also row {first}, target {first_value:g}).",
                   "Keep one row per KPI and period; this row is not imported.")
            return None
        seen[key] = (rc.row, value)
        old = ctx.current.get(key)
        if old is not None and old == value:
            rc.warn("target", raw, f"Already set to {value:g}, nothing to change ({ctx.kpis[kpi_id][0]}, "
                    f"{period.label}).", "Nothing to do; leave the row out or change the number.")
            return None
        return {"kpi_id": kpi_id, "kpi": ctx.kpis[kpi_id][0], "period": period, "target": value, "old_target": old,
                "notes": v["notes"] or None}

    return check


def validate_file(data: bytes, filename: str, db: Database, *, today: date, editor: A.Editor | None = None,
                  max_bytes: int | None = None) -> Plan:
    """A file of KPI targets (CSV, TSV or xlsx). Writes nothing. (Who may import it is
    checked by the writer; ``editor`` is accepted for the same call as other record types.)"""
    plan, rows = read_rows(data, filename, FIELDS, "targets", max_bytes=max_bytes)
    if rows:
        check_rows(plan, FIELDS, rows, _checker(Context.load(db, today)))
    return plan


def preview_frame(plan: Plan) -> pd.DataFrame:
    """The targets that will change: KPI, period, the target now and the new one."""
    return pd.DataFrame([{
        "Row": r["row"], "KPI": r["kpi"], "Period": r["period"].label, "Period type": PERIOD_TYPES[r["period"].type],
        "Target now": "none" if r["old_target"] is None else f"{r['old_target']:g}", "New target": r["target"],
        "Notes": r["notes"] or "—", "Warnings": "; ".join(r["flags"]) or "—",
    } for r in plan.records], columns=["Row", "KPI", "Period", "Period type", "Target now", "New target", "Notes",
                                       "Warnings"])


def write(db: Database, plan: Plan, *, editor: A.Editor) -> int:
    """Write the plan's targets in one batch through :func:`collab_data.targets.write_targets`
    (the KPIs page's write: each change kept old -> new); returns the batch id. Only an
    administrator sets targets."""
    if not editor.is_admin:
        raise WriteRejected("only an administrator can change KPI targets")
    if plan.critical:
        raise WriteRejected("the file has critical problems: nothing can be imported")
    if not plan.records:
        raise WriteRejected("no target to change")
    note = json.dumps({"partner": None, "records": "kpi_targets", "file": plan.source, "targets": [
        {"row": r["row"], "kpi_id": r["kpi_id"], "period": r["period"].code, "target": r["target"],
         "notes": r["notes"]} for r in plan.records]}, ensure_ascii=False)
    return TG.write_targets(db, [(r["kpi_id"], r["period"], r["target"]) for r in plan.records], editor=editor.name,
                            source=f"KPI targets: {plan.source}", sha256=plan.sha256, rows_read=plan.rows_read,
                            note=note)


def template_csv(example: bool = False) -> bytes:
    """The targets template (header only), or a filled example for the year after the sample."""
    return template(FIELDS, [
        ["Partners involved", "2027", "16", "Agreed at the November 2026 meeting"],
        ["knowledge_sharing", "2027-Q1", "6", ""],
        ["New collaborations", "Q1 2027", "5", ""],
        ["Peer reviews completed", "2027-H1", "4", "Two per quarter"],
    ] if example else None)


def template_xlsx(example: bool = False) -> bytes:
    """The KPI targets template as an Excel workbook (the same columns and example, with a Help sheet)."""
    from collab_data.records import base

    return base.template_xlsx(FIELDS, base.csv_rows(template_csv(example)), title="KPI targets")
