"""KPI definitions and computations, in one module.

* :data:`KPIS` — the registry: id, name, unit, the formula in words (shown as help on
  the page), and the records the KPI draws on. The SQL of each KPI is in
  :data:`collab_data.queries.overview.KPI_SQL` under the same id.
* :func:`current_period` — which period the KPI tiles show for a filter value.
* :func:`compute_kpis` — every KPI for a period: value, the previous period's value,
  the change, the target, the status, and a quarterly sparkline; one query.
* :func:`status` — on track / at risk / off track / no target.
* :func:`meeting_cadence` — each collaborative's plenary meetings against its own rhythm
  (``collaboratives.cadence_min_months`` .. ``cadence_max_months``), with the next
  expected meeting and whether it is overdue.
* :func:`kpi_page_table` — the table of the "KPIs & targets" page. Targets are changed
  through :mod:`collab_data.targets` (validated, recorded in history).

To add a KPI: add a :class:`KpiSpec` to :data:`KPIS`, its SQL fragment to ``KPI_SQL``
and its id to :data:`PAGE_KPIS` (tests check that the registry and the SQL agree). Overview
and the KPIs page show every KPI of :data:`PAGE_KPIS`, worst first, with why a KPI misses
its target (:mod:`collab_data.views.kpis`).

Missing is never zero: a period before the first record of a log the KPI draws on, or
after the data date, has no value (None), while a covered period in which nothing
happened is a real 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from collab_data import freshness, queries, theme
from collab_data.clock import add_months
from collab_data.db import Database
from collab_data.filters import ALL_TIME, Filters, period_label, period_range, quarter_start
from collab_data.queries import overview as Q

#: What a "collaborative meeting" is, everywhere: the KPI "Collaborative meetings held" and the
#: meeting-cadence panel count the same rows (``queries.overview.PLENARY``, read through
#: ``queries.overview.collab_meetings``).
MEETING_DEFINITION = (
    "A collaborative meeting is a plenary meeting of the gender or the LNOB collaborative: an activity of type "
    "meeting recorded for that collaborative and not for one of its task teams (task-team meetings are counted "
    "apart). Partner, country and tool filters do not narrow them: the meetings belong to the collaborative."
)

#: Share of the target from which a KPI below target is "at risk" rather than "off track".
AT_RISK_SHARE = 0.8
#: Quarters in a sparkline.
SPARK_QUARTERS = 8

_PER_QUARTER = (" Per quarter: the count divided by the number of the period's quarters that have begun by "
                "the data date.")
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
    #: a count of events, also shown as a frequency per quarter
    per_quarter: bool = False


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
        "(knowledge exchange, peer review, tool showcase)." + _PER_QUARTER,
        ("activities",), per_quarter=True,
    ),
    KpiSpec(
        "new_collaborations", "New collaborations", "collaborations",
        "Recorded collaborations (joint products, programmes, agreements) with at least one partner in scope that "
        "started in the period, plus pairs of partners who took part in the same activity for the first time ever "
        "in the period: their first joint activity (over all records) started in the period and is in scope, and "
        "at least one of the two is a partner in scope. A pair seen together before the period is not new. "
        "Recorded collaborations are not tied to countries: country filters narrow only the pairs." + _PER_QUARTER,
        ("activities",), per_quarter=True,
    ),
    KpiSpec(
        "meetings_held", "Collaborative meetings held", "meetings",
        "Plenary meetings of the collaboratives in scope (activities of type meeting with a collaborative and no "
        "task team) that started in the period; task-team meetings are not counted. The meetings belong to the "
        "collaborative: partner, country and tool filters do not narrow them. The meeting-cadence panel compares "
        "them with each collaborative's own rhythm." + _PER_QUARTER,
        ("activities",), per_quarter=True,
    ),
    KpiSpec(
        "peer_reviews", "Peer reviews completed", "reviews",
        "Peer-review activities in scope completed in the period: their end date (the start date when no end "
        "date is recorded) falls in the period and is on or before the data date." + _PER_QUARTER,
        ("activities",), per_quarter=True,
    ),
    KpiSpec(
        "tools_showcased", "Tools showcased", "tools",
        "Distinct tools named by a tool-showcase activity in scope that started in the period "
        "(with the tool-kind filter applied).",
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
    KpiSpec(
        "partners_on_time", "Partners reporting on time", "partners",
        "Partners in scope that were members of a collaborative in scope on the reference date (the period's "
        "last day, or the data date while the period runs) and whose reporting was not overdue then: their last "
        "report (an activity they took part in, a programme of theirs that started or was completed, a "
        "collaboration they joined) is no older than their collaborative's reporting cycle plus a month's grace "
        "(Up to date or Due). Partners with nothing reported are not on time. Country, tool and period filters "
        "do not narrow partners' reporting.",
        ("activities", "programmes"),
    ),
)}

#: The default KPIs of :func:`compute_kpis` (the six an independent SQL re-computes in the tests).
#: Overview shows every KPI of :data:`PAGE_KPIS`, worst first (``views.kpis.ordered_kpis``).
OVERVIEW_KPIS: tuple[str, ...] = (
    "partners_involved", "knowledge_sharing", "new_collaborations",
    "countries_active", "countries_coordinated", "tools_in_use",
)

#: The table of the "KPIs & targets" page: every KPI, in display order.
PAGE_KPIS: tuple[str, ...] = (
    "partners_involved", "partners_on_time", "knowledge_sharing", "meetings_held", "new_collaborations",
    "peer_reviews", "countries_coordinated", "tools_showcased", "countries_active", "tools_in_use",
)

#: KPIs computed in Python from a query's rows (the rest are SQL in ``queries.overview.KPI_SQL``).
PYTHON_KPIS: tuple[str, ...] = ("partners_on_time",)

#: Period types of ``kpi_targets`` and of the page's period selector.
PERIOD_TYPES: dict[str, str] = {"quarter": "Quarter", "half": "Half-year", "year": "Year"}
_PERIOD_MONTHS = {"quarter": 3, "half": 6, "year": 12}


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
        y = f"{self.start.year:04d}"
        if self.type == "year":
            return y
        if self.type == "half":
            return f"{y}-H{1 if self.start.month == 1 else 2}"
        return f"{y}-Q{(self.start.month - 1) // 3 + 1}"

    @property
    def end(self) -> date:
        return period_range(self.code)[1]

    @property
    def label(self) -> str:
        return period_label(self.code)

    @property
    def months(self) -> int:
        return _PERIOD_MONTHS[self.type]

    def previous(self) -> Period:
        return Period(self.type, _months_before(self.start, self.months))

    def quarters(self) -> list[Period]:
        """The quarters of the period, in order."""
        return [Period("quarter", add_months(self.start, 3 * i)) for i in range(self.months // 3)]

    @staticmethod
    def containing(period_type: str, d: date) -> Period:
        """The quarter, half or year that contains ``d``."""
        if period_type not in _PERIOD_MONTHS:
            raise ValueError(f"unknown period type {period_type!r}")
        step = _PERIOD_MONTHS[period_type]
        return Period(period_type, date(d.year, step * ((d.month - 1) // step) + 1, 1))

    @staticmethod
    def is_aligned(period_type: str, start: date) -> bool:
        """Whether ``start`` is the first day of a quarter, half or year (as ``period_type`` says)."""
        return (period_type in _PERIOD_MONTHS and start.day == 1
                and (start.month - 1) % _PERIOD_MONTHS[period_type] == 0)

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


def quarters_begun(p: Period, as_of: date | None) -> int:
    """How many quarters of ``p`` have begun by the data date (at least 1)."""
    if as_of is None:
        return len(p.quarters())
    return max(1, sum(1 for q in p.quarters() if q.start <= as_of))


def period_options(period_type: str, first_year: int, last_year: int, as_of: date | None) -> list[Period]:
    """Periods of one type offered by the page's selector, newest first: those of the years
    ``first_year``..``last_year`` that have begun by the data date (all, without one)."""
    out = []
    step = _PERIOD_MONTHS[period_type]
    for y in range(last_year, first_year - 1, -1):
        for month in range(12 - step + 1, 0, -step):
            p = Period(period_type, date(y, month, 1))
            if as_of is None or p.start <= as_of:
                out.append(p)
    return out


def convert_period(p: Period, period_type: str, as_of: date | None) -> Period:
    """The period of another type that goes with ``p``: the half or year containing it, or,
    going down, its last quarter (half) that has begun by the data date."""
    if period_type == p.type:
        return p
    if _PERIOD_MONTHS[period_type] > p.months:
        return Period.containing(period_type, p.start)
    last = p.end if as_of is None else min(p.end, max(as_of, p.start))
    return Period.containing(period_type, last)


def current_period(f: Filters, as_of: date | None, today: date | None = None) -> Period:
    """The period the KPI tiles show: the filter's quarter, half or year; for "all time"
    and "last 12 months" the quarter that contains the data date, or, when nothing is
    recorded yet, the quarter of ``today`` (the page passes the app's clock)."""
    if f.period not in (ALL_TIME, "last12"):
        return Period.from_code(f.period)
    anchor = as_of or today
    if anchor is None:
        raise ValueError("no data date: pass today (collab_data.clock.today()) to choose the current quarter")
    return Period("quarter", quarter_start(anchor))


def overview_period(db: Database, f: Filters, today: date | None = None) -> dict:
    """What the tiles show, for the page (cacheable: database first, then the filters).

    Keys: type, start, end, label, previous_start, previous_label, as_of, partial
    (the period runs past the data date), sentence (e.g. "Q4 2026 (to 19 Nov 2026),
    compared with Q3 2026").
    """
    as_of = queries.data_as_of(db)
    p = current_period(f, as_of, today)
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
    sparkline quarters, None for an uncovered quarter), spark_quarters (their labels),
    per_quarter (for counts of events: the value divided by :func:`quarters_begun`; NaN
    otherwise, or when the value is missing).
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
    sql_ids = tuple(k for k in kpi_ids if k not in PYTHON_KPIS)
    values = Q.kpi_values(db, f, sql_ids, tuple((x.start, x.end) for x in periods))
    if "partners_on_time" in kpi_ids:
        values = pd.concat([values, partners_on_time(db, f, tuple(periods), as_of)], ignore_index=True)
    coverage = Q.record_coverage(db)
    targets = Q.kpi_targets(db, kpi_ids, p.type, p.start)
    applies = targets_apply(f)

    lookup = {(r.kpi_id, _as_date(r.period_start), _as_date(r.period_end)): int(r.value) for r in values.itertuples()}

    def value_of(spec: KpiSpec, x: Period) -> int | None:
        if not _covered(spec, x.start, x.end, coverage, as_of):
            return None
        return lookup.get((spec.id, x.start, x.end))

    n_quarters = quarters_begun(p, as_of)
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
            "per_quarter": value / n_quarters if spec.per_quarter and value is not None else None,
        })
    out = pd.DataFrame(rows)
    for col in ("value", "previous", "delta"):
        out[col] = out[col].astype("Int64")
    for col in ("target", "per_quarter"):
        out[col] = out[col].astype("float64")
    return out


def reference_date(p: Period, as_of: date | None) -> date:
    """The day a state KPI (reporting on time) is judged for a period: its last day, or the
    data date while the period runs."""
    return p.end if as_of is None else min(p.end, max(as_of, p.start))


def partners_on_time(db: Database, f: Filters, periods: tuple[Period, ...], as_of: date | None) -> pd.DataFrame:
    """The KPI "partners reporting on time" per period (rows as :func:`Q.kpi_values`)."""
    refs = {x: reference_date(x, as_of) for x in periods}
    days = tuple(sorted(set(refs.values())))
    # another country, tool kind or period (the same reference days) reuses the reports
    scope = f.reporting_scope
    reports = db.recall("metrics.partners_on_time", (scope, days), lambda: Q.last_reports(db, scope, days))
    # freshness.status(last, ref, cycle) is "up_to_date" or "due" (ON_TIME) exactly when a last
    # report exists and ref <= freshness.overdue_after(last, cycle): that day is computed once
    # per distinct (last report, cycle), not once per partner and reference date
    reports = reports[reports["last_report"].notna()]
    last = pd.to_datetime(reports["last_report"]).dt.date
    cycle = reports["cycle_months"].astype(int)
    deadline = {(d, c): freshness.overdue_after(d, c) for d, c in set(zip(last, cycle))}
    ref = pd.to_datetime(reports["ref"]).dt.date
    ok = [r <= deadline[(d, c)] for r, d, c in zip(ref, last, cycle)]
    on_time: dict[date, int] = {}
    for r, good in zip(ref, ok):
        if good:
            on_time[r] = on_time.get(r, 0) + 1
    return pd.DataFrame({"kpi_id": "partners_on_time", "period_start": [x.start for x in periods],
                         "period_end": [x.end for x in periods],
                         "value": [on_time.get(refs[x], 0) for x in periods]})


def _as_date(value) -> date:
    return value.date() if hasattr(value, "date") else value


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



# --------------------------------------------------------------------------------------
# The "KPIs & targets" page
# --------------------------------------------------------------------------------------
#: A coloured sign to go with each status word (the word is always shown too).
STATUS_EMOJI = {"on_track": "🟢", "at_risk": "🟠", "off_track": "🔴", "no_target": "⚪", "no_data": "⚪"}


def status_text(status_key: str, target: float | None = None, target_applies: bool = True) -> str:
    """The status as a coloured sign and words, e.g. "🟢 On track"."""
    return f"{STATUS_EMOJI[status_key]} {status_display(status_key, target, target_applies)['label']}"


def _number(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def kpi_page_table(kpis: pd.DataFrame) -> pd.DataFrame:
    """The KPI table of the page (and its CSV), from :func:`compute_kpis`.

    Columns: KPI, Value, Per quarter (text: blank when the KPI is not a count of events,
    "no data" when the value is missing), Previous, Change, Target, Status (sign and
    words), How it is counted. Missing values stay missing (<NA>/NaN), never 0.
    """
    per_q = []
    for r in kpis.itertuples():
        if not KPIS[r.kpi_id].per_quarter:
            per_q.append("")
        elif pd.isna(r.per_quarter):
            per_q.append("no data")
        else:
            per_q.append(_number(r.per_quarter))
    return pd.DataFrame({
        "KPI": kpis["name"],
        "Value": kpis["value"],
        "Per quarter": per_q,
        "Previous": kpis["previous"],
        "Change": kpis["delta"],
        "Target": kpis["target"],
        "Status": [status_text(st, t, a) for st, t, a in zip(kpis["status"], kpis["target"], kpis["target_applies"])],
        "How it is counted": kpis["formula"],
    })


# --------------------------------------------------------------------------------------
# Meeting cadence
# --------------------------------------------------------------------------------------
#: Status of a collaborative's meeting rhythm, in words, sign and colour.
CADENCE_STATUS = {
    "on_rhythm": {"label": "On rhythm", "emoji": "🟢", "color": theme.STATUS["on_track"]["color"],
                  "fill": theme.STATUS["on_track"]["fill"]},
    "due": {"label": "Due now", "emoji": "🔵", "color": "#005A8C", "fill": theme.CATEGORICAL[0]},
    "overdue": {"label": "Overdue", "emoji": "🔴", "color": theme.STATUS["off_track"]["color"],
                "fill": theme.STATUS["off_track"]["fill"]},
    "no_meetings": {"label": "No meeting recorded", "emoji": "⚪", "color": theme.STATUS["no_target"]["color"],
                    "fill": theme.STATUS["no_target"]["fill"]},
}

#: Days in an average month, to say a gap between meetings in months.
DAYS_PER_MONTH = 365.25 / 12


def cadence_status(last: date | None, ref: date, min_months: int, max_months: int) -> str:
    """``on_rhythm`` before the earliest date the next meeting is expected, ``due`` from
    then up to and including the latest date, ``overdue`` after it; ``no_meetings``."""
    if last is None:
        return "no_meetings"
    if ref > add_months(last, max_months):
        return "overdue"
    if ref >= add_months(last, min_months):
        return "due"
    return "on_rhythm"


def expected_meetings(months: int, min_months: int, max_months: int) -> tuple[int, int]:
    """How many meetings a period of ``months`` months holds at the rhythm (rounded)."""
    def r(x: float) -> int:
        return int(x + 0.5)
    return r(months / max_months), r(months / min_months)


def _d(x: date) -> str:
    return f"{x.day} {x:%b %Y}"


def meeting_cadence(db: Database, f: Filters, period_type: str, period_start: date) -> pd.DataFrame:
    """Each collaborative in scope (the collaborative filter) against its own meeting rhythm.

    Status is judged on the reference date: the period's last day, or the data date when
    the period is not over. One row per collaborative; columns: collab_id, collaborative,
    rhythm ("every 2–3 months"), cadence_min_months, cadence_max_months, reference_date,
    last_meeting (the last plenary meeting on or before the reference date; None when
    none), meetings_in_period (plenary meetings that started in the period; <NA> when the
    activity records do not cover it), expected_in_period ("1–2": what the rhythm asks of a
    period this long), task_team_meetings_in_period, typical_gap_months (median gap between
    consecutive plenary meetings up to the reference date; NaN with fewer than two),
    next_expected_from, next_expected_by (last meeting + the rhythm's shortest / longest
    gap), status (key of :data:`CADENCE_STATUS`), status_text, sentence.
    """
    p = Period(period_type, period_start)
    as_of = queries.data_as_of(db)
    ref = p.end if as_of is None else min(p.end, as_of)
    first = Q.record_coverage(db)["activities"]
    covered = as_of is not None and first is not None and p.start <= as_of and p.end >= first
    meetings = Q.collab_meetings(db, f.collab)
    meetings["date"] = pd.to_datetime(meetings["date"]).dt.date
    rows = []
    for c in Q.collaboratives(db).itertuples():
        if f.collab != "both" and c.collab_id != f.collab:
            continue
        mine = meetings[meetings["collab_id"] == c.collab_id]
        plenary = sorted(d for d, pl in zip(mine["date"], mine["plenary"]) if pl and d <= ref)
        team = [d for d, pl in zip(mine["date"], mine["plenary"]) if not pl and d <= ref]
        last = plenary[-1] if plenary else None
        gaps = [(b - a).days for a, b in zip(plenary, plenary[1:])]
        typical = round(float(pd.Series(gaps).median()) / DAYS_PER_MONTH, 1) if gaps else None
        lo, hi = expected_meetings(p.months, c.cadence_min_months, c.cadence_max_months)
        key = cadence_status(last, ref, c.cadence_min_months, c.cadence_max_months)
        nxt_from = add_months(last, c.cadence_min_months) if last else None
        nxt_by = add_months(last, c.cadence_max_months) if last else None
        if key == "no_meetings":
            sentence = f"No plenary meeting recorded up to {_d(ref)}."
        elif key == "overdue":
            sentence = f"A meeting was expected by {_d(nxt_by)}; none is recorded since {_d(last)}."
        elif key == "due":
            sentence = f"The next meeting is due: expected by {_d(nxt_by)}."
        else:
            sentence = f"Next meeting expected between {_d(nxt_from)} and {_d(nxt_by)}."
        rng = (f"{c.cadence_min_months}–{c.cadence_max_months}" if c.cadence_min_months != c.cadence_max_months
               else f"{c.cadence_min_months}")
        rows.append({
            "collab_id": c.collab_id, "collaborative": c.name,
            "rhythm": f"every {rng} months",
            "cadence_min_months": int(c.cadence_min_months), "cadence_max_months": int(c.cadence_max_months),
            "reference_date": ref, "last_meeting": last,
            "meetings_in_period": sum(1 for d in plenary if p.start <= d <= p.end) if covered else None,
            "expected_in_period": f"{lo}–{hi}" if lo != hi else str(lo),
            "task_team_meetings_in_period": sum(1 for d in team if p.start <= d) if covered else None,
            "typical_gap_months": typical,
            "next_expected_from": nxt_from, "next_expected_by": nxt_by,
            "status": key,
            "status_text": f"{CADENCE_STATUS[key]['emoji']} {CADENCE_STATUS[key]['label']}",
            "sentence": sentence,
        })
    out = pd.DataFrame(rows, columns=[
        "collab_id", "collaborative", "rhythm", "cadence_min_months", "cadence_max_months", "reference_date",
        "last_meeting", "meetings_in_period", "expected_in_period", "task_team_meetings_in_period",
        "typical_gap_months", "next_expected_from", "next_expected_by", "status", "status_text", "sentence"])
    for col in ("meetings_in_period", "task_team_meetings_in_period"):
        out[col] = out[col].astype("Int64")
    out["typical_gap_months"] = out["typical_gap_months"].astype("float64")
    return out


def cadence_table(cadence: pd.DataFrame) -> pd.DataFrame:
    """The meeting-cadence panel as a table (and its CSV)."""
    return pd.DataFrame({
        "Collaborative": cadence["collaborative"],
        "Status": cadence["status_text"],
        "Last plenary meeting": cadence["last_meeting"],
        "Meetings in period": cadence["meetings_in_period"],
        "Expected in a period this long": cadence["expected_in_period"],
        "Task-team meetings in period": cadence["task_team_meetings_in_period"],
        "Typical gap (months)": cadence["typical_gap_months"],
        "Expected rhythm": cadence["rhythm"],
        "Next meeting expected from": cadence["next_expected_from"],
        "Next meeting expected by": cadence["next_expected_by"],
        "As of": cadence["reference_date"],
    })
