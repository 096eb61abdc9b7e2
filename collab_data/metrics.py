"""KPI definitions and computations, in one module.

* :data:`KPIS` — the registry: id, name, unit, the formula in words (shown as help on
  the page), and the records the KPI draws on. The SQL of each KPI is in
  :data:`collab_data.queries.overview.KPI_SQL` under the same id.
* :func:`current_period` — which period the KPI tiles show for a filter value.
* :func:`compute_kpis` — every KPI for a period: value, the previous period's value,
  the change, the target, the status, and a quarterly sparkline; one query.
* :func:`status` — on track / at risk / off track / no target.

To add a KPI: add a :class:`KpiSpec` to :data:`KPIS`, its SQL fragment to ``KPI_SQL``
and, for the Overview tiles, its id to :data:`OVERVIEW_KPIS` (tests check that the
registry and the SQL agree).

Missing is never zero: a period before the first record of a log the KPI draws on, or
after the data date, has no value (None), while a covered period in which nothing
happened is a real 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from collab_data import queries, theme
from collab_data.db import Database
from collab_data.filters import ALL_TIME, Filters, period_label, period_range, quarter_start
from collab_data.queries import overview as Q

#: Share of the target from which a KPI below target is "at risk" rather than "off track".
AT_RISK_SHARE = 0.8
#: Quarters in a sparkline.
SPARK_QUARTERS = 8

_RUNNING = ("running during the period: started on or before its last day, not ended before its first day, "
            "status active, completed or paused (planned programmes have not started)")


@dataclass(frozen=True)
class KpiSpec:
    """One KPI: what it is called, what it counts, and from which records."""

    id: str
    name: str
    unit: str
    formula: str
    #: logs the KPI draws on: "activities" (activities and collaborations), "programmes"
    sources: tuple[str, ...]
    higher_is_better: bool = True


KPIS: dict[str, KpiSpec] = {k.id: k for k in (
    KpiSpec(
        "partners_involved", "Partners involved", "partners",
        "Distinct partners in scope that took part in an activity in scope that started in the period, "
        "or had a country programme in scope " + _RUNNING + ". Partners active only through programmes count.",
        ("activities", "programmes"),
    ),
    KpiSpec(
        "knowledge_sharing", "Knowledge-sharing activities", "activities",
        "Activities in scope that started in the period and whose type is knowledge sharing "
        "(knowledge exchange, peer review, tool showcase).",
        ("activities",),
    ),
    KpiSpec(
        "new_collaborations", "New collaborations", "collaborations",
        "Collaborations (joint products, programmes, agreements) with at least one partner in scope that started "
        "in the period. Collaborations are not tied to countries: country filters do not narrow them.",
        ("activities",),
    ),
    KpiSpec(
        "countries_active", "Countries with active programmes", "countries",
        "Distinct countries in scope with at least one country programme in scope " + _RUNNING + ".",
        ("programmes",),
    ),
    KpiSpec(
        "countries_coordinated", "Countries with coordinated support", "countries",
        "Countries in scope where two or more distinct partners in scope have a country programme " + _RUNNING + ".",
        ("programmes",),
    ),
    KpiSpec(
        "tools_in_use", "Tools in use", "tools",
        "Distinct tools used by a country programme in scope " + _RUNNING + ", or named by an activity in scope "
        "that started in the period (with the tool-kind filter applied to both).",
        ("activities", "programmes"),
    ),
)}

#: The tiles of the Overview page, in display order.
OVERVIEW_KPIS: tuple[str, ...] = (
    "partners_involved", "knowledge_sharing", "new_collaborations",
    "countries_active", "countries_coordinated", "tools_in_use",
)


# --------------------------------------------------------------------------------------
# Status against target
# --------------------------------------------------------------------------------------
def status(value: float | None, target: float | None, *, higher_is_better: bool = True) -> str:
    """``on_track`` (value ≥ target), ``at_risk`` (≥ 80 % of target), ``off_track``;
    ``no_data`` without a value, ``no_target`` without a target. Keys of ``theme.STATUS``
    (plus ``no_data``)."""
    if value is None or pd.isna(value):
        return "no_data"
    if target is None or pd.isna(target):
        return "no_target"
    if not higher_is_better:  # not used by the current KPIs; kept so the registry can say so
        if value <= target:
            return "on_track"
        return "at_risk" if value <= target / AT_RISK_SHARE else "off_track"
    if value >= target:
        return "on_track"
    return "at_risk" if value >= AT_RISK_SHARE * target else "off_track"


def targets_apply(f: Filters) -> bool:
    """Targets are set for both collaboratives as a whole (all partners, countries and tools),
    so a KPI is compared with its target only when no filter but the period narrows it."""
    return f.with_(period=ALL_TIME).is_default


def status_display(status_key: str, target: float | None = None, target_applies: bool = True) -> dict:
    """Label, symbol and colour of a status (always shown as words, never colour alone)."""
    if status_key == "no_data":
        return {**theme.STATUS["no_target"], "label": "No data"}
    if status_key == "no_target" and not target_applies and target is not None and not pd.isna(target):
        return {**theme.STATUS["no_target"], "label": "Not compared"}
    return dict(theme.STATUS[status_key])


# --------------------------------------------------------------------------------------
# Periods
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    """A quarter, half or year, as ``kpi_targets`` keys it."""

    type: str  # "quarter" | "half" | "year"
    start: date

    @property
    def code(self) -> str:
        y = self.start.year
        if self.type == "year":
            return str(y)
        if self.type == "half":
            return f"{y}-H{1 if self.start.month == 1 else 2}"
        return f"{y}-Q{(self.start.month - 1) // 3 + 1}"

    @property
    def end(self) -> date:
        return period_range(self.code)[1]

    @property
    def label(self) -> str:
        return period_label(self.code)

    def previous(self) -> Period:
        return Period(self.type, _months_before(self.start, {"quarter": 3, "half": 6, "year": 12}[self.type]))

    @staticmethod
    def from_code(code: str) -> Period:
        """The period of a filter code ("2025", "2025-H1", "2025-Q3")."""
        start, _ = period_range(code)
        if start is None or code == "last12":
            raise ValueError(f"{code!r} is not a single quarter, half or year")
        kind = "year" if len(code) == 4 else "half" if "-H" in code else "quarter"
        return Period(kind, start)


def _months_before(d: date, months: int) -> date:
    m = d.year * 12 + d.month - 1 - months
    return date(m // 12, m % 12 + 1, 1)


def current_period(f: Filters, as_of: date | None) -> Period:
    """The period the KPI tiles show: the filter's quarter, half or year; for "all time"
    and "last 12 months" the quarter that contains the data date (today without data)."""
    if f.period not in (ALL_TIME, "last12"):
        return Period.from_code(f.period)
    return Period("quarter", quarter_start(as_of or date.today()))


def overview_period(db: Database, f: Filters) -> dict:
    """What the tiles show, for the page (cacheable: database first, then the filters).

    Keys: type, start, end, label, previous_start, previous_label, as_of, partial
    (the period runs past the data date), sentence (e.g. "Q4 2026 (to 19 Nov 2026),
    compared with Q3 2026").
    """
    as_of = queries.data_as_of(db)
    p = current_period(f, as_of)
    prev = p.previous()
    partial = as_of is not None and p.start <= as_of < p.end
    head = f"{p.label} (to {as_of.day} {as_of:%b %Y})" if partial else p.label
    return {
        "type": p.type, "start": p.start, "end": p.end, "label": p.label,
        "previous_start": prev.start, "previous_label": prev.label,
        "as_of": as_of, "partial": partial,
        "sentence": f"{head}, compared with {prev.label}",
    }


def spark_quarters(p: Period, as_of: date | None, n: int = SPARK_QUARTERS) -> list[Period]:
    """The ``n`` quarters up to the last quarter of ``p`` that has begun by the data date."""
    last = p.end if as_of is None else min(p.end, max(as_of, p.start))
    q = quarter_start(last)
    return [Period("quarter", _months_before(q, 3 * i)) for i in range(n - 1, -1, -1)]


# --------------------------------------------------------------------------------------
# Computation
# --------------------------------------------------------------------------------------
def _covered(spec: KpiSpec, start: date, end: date, coverage: dict[str, date | None], as_of: date | None) -> bool:
    """Whether the records the KPI draws on cover the period (else the value is missing)."""
    if as_of is None or start > as_of:
        return False
    for source in spec.sources:
        first = coverage.get(source)
        if first is None or end < first:
            return False
    return True


def compute_kpis(db: Database, f: Filters, period_type: str, period_start: date,
                 kpi_ids: tuple[str, ...] = OVERVIEW_KPIS) -> pd.DataFrame:
    """Every KPI of ``kpi_ids`` for one period, under all the filters but the period.

    One row per KPI, in order. Columns: kpi_id, name, unit, formula, value (Int64; <NA>
    when the records do not cover the period), previous (the same for the period
    before), delta (value - previous, <NA> when either is missing), target (float or
    NaN), target_applies (see :func:`targets_apply`; when False the status is
    ``no_target``), status (see :func:`status`), spark (list of the quarterly values of the
    sparkline quarters, None for an uncovered quarter), spark_quarters (their labels).
    """
    unknown = [k for k in kpi_ids if k not in KPIS]
    if unknown:
        raise ValueError(f"unknown KPI(s) {unknown}")
    p = Period(period_type, period_start)
    prev = p.previous()
    as_of = queries.data_as_of(db)
    quarters = spark_quarters(p, as_of)
    periods: list[Period] = []
    for x in (p, prev, *quarters):
        if x not in periods:
            periods.append(x)
    values = Q.kpi_values(db, f, kpi_ids, tuple((x.start, x.end) for x in periods))
    coverage = Q.record_coverage(db)
    targets = Q.kpi_targets(db, kpi_ids, p.type, p.start)
    applies = targets_apply(f)

    lookup = {(r.kpi_id, r.period_start.date() if hasattr(r.period_start, "date") else r.period_start,
               r.period_end.date() if hasattr(r.period_end, "date") else r.period_end): int(r.value)
              for r in values.itertuples()}

    def value_of(spec: KpiSpec, x: Period) -> int | None:
        if not _covered(spec, x.start, x.end, coverage, as_of):
            return None
        return lookup.get((spec.id, x.start, x.end))

    rows = []
    for kid in kpi_ids:
        spec = KPIS[kid]
        value, before = value_of(spec, p), value_of(spec, prev)
        target = targets.get(kid)
        rows.append({
            "kpi_id": kid, "name": spec.name, "unit": spec.unit, "formula": spec.formula,
            "value": value, "previous": before,
            "delta": None if value is None or before is None else value - before,
            "target": target,
            "target_applies": applies,
            "status": status(value, target if applies else None, higher_is_better=spec.higher_is_better),
            "spark": [value_of(spec, q) for q in quarters],
            "spark_quarters": [q.label for q in quarters],
        })
    out = pd.DataFrame(rows)
    for col in ("value", "previous", "delta"):
        out[col] = out[col].astype("Int64")
    out["target"] = out["target"].astype("float64")
    return out


def kpi_table(kpis: pd.DataFrame, period_label_: str, previous_label: str) -> pd.DataFrame:
    """The tiles as a table, for the CSV download (exactly what the tiles show)."""

    return pd.DataFrame({
        "KPI": kpis["name"],
        "period": period_label_,
        "value": kpis["value"],
        "target": kpis["target"],
        "status": [status_display(s, t, a)["label"]
                   for s, t, a in zip(kpis["status"], kpis["target"], kpis["target_applies"])],
        f"value {previous_label}": kpis["previous"],
        "change": kpis["delta"],
        "definition": kpis["formula"],
        "quarterly trend": [
            "; ".join(f"{q}: {'no data' if v is None else v}" for q, v in zip(qs, vs))
            for qs, vs in zip(kpis["spark_quarters"], kpis["spark"])
        ],
    })

