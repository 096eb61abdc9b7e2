"""What the KPI views show (Overview, the "KPIs & targets" page, the first meeting slide).

* :func:`ordered_kpis` — every KPI for a period, worst first: Off track, At risk, On track,
  then no target / not compared / no data (the registry's order within a status).
* :func:`kpi_whys` — for each KPI that misses its target, why: the countries, partners,
  quarters, reviews or tools the count leaves out (SQL in :mod:`collab_data.queries.overview`).
* :func:`kpi_history` — each KPI and its target per quarter, for the chart.
* :func:`meeting_note` — the one sentence that reconciles the KPI "Collaborative meetings
  held" with the meeting-cadence panel (both count the same meetings).
* :func:`overview` and :func:`kpis_page` — everything each page draws, in one call.

Dates a person reads go through :func:`collab_data.labels.person_date`; no cell reads
None, nan or a code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from collab_data import freshness, labels, metrics, queries, theme
from collab_data.charts import overview as charts
from collab_data.db import Database
from collab_data.filters import Filters
from collab_data.metrics import KPIS, PAGE_KPIS, Period
from collab_data.queries import freshness as QF
from collab_data.queries import overview as Q

#: The sections of the "KPIs & targets" page: key -> tab label (the label is what the address
#: holds). Only the open tab is worked out and drawn: the KPIs first, the rest one click away.
TABS = {
    "kpis": "🎯 KPIs",
    "history": "📈 Over time",
    "cadence": "🗓️ Meeting cadence",
    "new": "🤝 New collaborations",
    "freshness": "🕒 Reporting freshness",
    "targets": "⚙️ Targets & cycles",
}

#: Display order of the statuses: what needs attention first.
STATUS_ORDER = ("off_track", "at_risk", "on_track", "no_target", "no_data")
#: Statuses that miss the target and so carry a "why".
MISSES = ("off_track", "at_risk")
#: Names listed in a one-line why before "and N more".
SHORT_NAMES = 5


# --------------------------------------------------------------------------------------
# Order and status display
# --------------------------------------------------------------------------------------
def order_by_status(kpis: pd.DataFrame) -> pd.DataFrame:
    """``kpis`` (from :func:`metrics.compute_kpis`) sorted Off track, At risk, On track, no
    target / not compared, no data; the given order within a status."""
    rank = {k: i for i, k in enumerate(STATUS_ORDER)}
    keys = [(rank[s], i) for i, s in enumerate(kpis["status"])]
    idx = [i for _, i in sorted(keys)]
    return kpis.iloc[idx].reset_index(drop=True)


def _with_display(kpis: pd.DataFrame) -> pd.DataFrame:
    out = kpis.copy()
    disp = [metrics.status_display(s, t, a) for s, t, a in zip(out["status"], out["target"], out["target_applies"])]
    out["status_label"] = [d["label"] for d in disp]
    out["status_symbol"] = [d["symbol"] for d in disp]
    out["status_color"] = [d["color"] for d in disp]
    out["status_fill"] = [d.get("fill", d["color"]) for d in disp]
    out["status_text"] = [metrics.status_text(s, t, a)
                          for s, t, a in zip(out["status"], out["target"], out["target_applies"])]
    out["target_text"] = [target_text(s, t, a) for s, t, a in zip(out["status"], out["target"], out["target_applies"])]
    return out


def target_text(status_key: str, target: float | None, applies: bool) -> str:
    """"target 15", "overall target 15" (a filtered view), "no target set" or ""."""
    if target is None or pd.isna(target):
        return "" if status_key in ("no_target", "no_data") else "no target set"
    return f"target {target:g}" if applies else f"overall target {target:g}"


def ordered_kpis(db: Database, f: Filters, period_type: str, period_start: date) -> pd.DataFrame:
    """Every KPI of the registry for one period, Off track first (see :data:`STATUS_ORDER`).

    The columns of :func:`metrics.compute_kpis` plus status_label, status_symbol,
    status_color (text colour, ≥ 4.5:1 on white), status_fill (the colour-blind-safe hue),
    status_text ("🔴 Off track") and target_text. The first meeting slide uses it as is.
    """
    kpis = metrics.compute_kpis(db, f, period_type, period_start, PAGE_KPIS)
    return _with_display(order_by_status(kpis))


# --------------------------------------------------------------------------------------
# Why a KPI misses its target
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Why:
    """Why one KPI misses its target: a sentence, a short line and the list behind it."""

    kpi_id: str
    name: str
    status_label: str
    #: one or two sentences, for the KPIs page
    headline: str
    #: one line, for Overview (names cut after a few, "and N more")
    short: str
    #: the list behind the sentence, with readable column names (may be empty)
    items: pd.DataFrame = field(default_factory=pd.DataFrame)


def _names(values, n: int = SHORT_NAMES) -> str:
    values = [str(v) for v in values]
    if len(values) <= n:
        return ", ".join(values[:-1]) + (" and " if len(values) > 1 else "") + values[-1] if values else ""
    return ", ".join(values[:n]) + f" and {len(values) - n} more"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


#: Short names of the collaboratives, for one-line whys.
COLLAB_SHORT = {"gender": "Gender", "lnob": "LNOB"}


def _collab_short(collab_id: str, name: str) -> str:
    return COLLAB_SHORT.get(collab_id, name.split(" data collaborative")[0])


def _short_of(value: int, target: float) -> str:
    gap = target - value
    return f"{value} against a target of {target:g} ({gap:g} short)."


def _quarters_short(history: pd.DataFrame, kpi_id: str, p: Period) -> tuple[str, list[str]]:
    """The quarters of the chart's window that fell short of their quarterly target."""
    h = history[(history["kpi_id"] == kpi_id) & history["target"].notna() & history["value"].notna()]
    short = h[h["value"] < h["target"]]
    if h.empty:
        return "", []
    inside = [q for q, s in zip(short["quarter"], short["quarter_start"]) if p.start <= s <= p.end]
    if p.type != "quarter" and inside:
        text = f"Quarters of {p.label} below their quarterly target: {', '.join(inside)}."
    elif short.empty:
        text = f"Each of the last {len(h)} quarters with a target met its quarterly target."
    else:
        text = f"Below target in {len(short)} of the last {len(h)} quarters with a target ({', '.join(short['quarter'])})."
    return text, list(short["quarter"])


def _why_items(db: Database, f: Filters, kid: str, p: Period, as_of: date | None,
               cadence: pd.DataFrame | None) -> tuple[str, str, pd.DataFrame]:
    """(sentence, short line, items) of one KPI's shortfall, from the lists behind the count."""
    s, e = p.start, p.end
    label = p.label
    if kid == "partners_involved":
        df = Q.partners_not_involved(db, f, s, e)
        items = pd.DataFrame({"Partner": df["partner"], "Organisation": df["name"],
                              "Last involved": [labels.person_date(d) if not pd.isna(d) else "never recorded"
                                                for d in df["last_involved"]]})
        if df.empty:
            return "Every member partner in view took part; the target asks for more partners than are members.", \
                "every member partner took part", items
        return (f"{_plural(len(df), 'member partner')} took no part in {label} (no activity started, no programme "
                f"running): {_names(df['partner'], 99)}.", f"not involved: {_names(df['partner'])}", items)
    if kid == "partners_on_time":
        ref = metrics.reference_date(p, as_of)
        reports = QF.partner_reports(db, f, (ref,))
        rows = []
        for r in reports.itertuples():
            last = None if pd.isna(r.last_report) else pd.Timestamp(r.last_report).date()
            key = freshness.status(last, ref, int(r.cycle_months))
            if key not in freshness.ON_TIME:
                rows.append({"Partner": r.partner, "Status": freshness.STATUS[key]["label"],
                             "Last report": labels.person_date(last) if last else "nothing reported",
                             "Organisation": r.name})
        items = pd.DataFrame(rows, columns=["Partner", "Status", "Last report", "Organisation"])
        return (f"{_plural(len(items), 'partner')} not reporting on time on {labels.person_date(ref)}: "
                f"{_names(items['Partner'], 99)}.", f"not reporting: {_names(items['Partner'])}", items)
    if kid == "knowledge_sharing":
        prev = p.previous()
        df = Q.knowledge_sharing_by_type(db, f, s, e, prev.start, prev.end)
        items = pd.DataFrame({"Activity type": df["type"], label: df["value"].astype(int),
                              prev.label: df["previous"].astype(int)})
        fell = [f"{t.lower()} {int(b)} → {int(a)}" for t, a, b in zip(df["type"], df["value"], df["previous"]) if a < b]
        text = "Fewer than in " + prev.label + ": " + "; ".join(fell) + "." if fell else \
            f"No type fell below {prev.label}; the target asks for more."
        return text, (f"fewer than in {prev.label}: " + "; ".join(fell) if fell else f"no type below {prev.label}"), items
    if kid == "meetings_held":
        cad = cadence if cadence is not None else metrics.meeting_cadence(db, f, p.type, p.start)
        items = pd.DataFrame({
            "Collaborative": cad["collaborative"],
            f"Plenary meetings in {label}": [labels.person_text(v) for v in cad["meetings_in_period"]],
            "The rhythm asks": cad["expected_in_period"],
            "Last plenary meeting": [labels.person_date(d) if d else "none recorded" for d in cad["last_meeting"]],
            "Rhythm": [metrics.CADENCE_STATUS[k]["label"] for k in cad["status"]],
        })
        parts = [f"{_collab_short(r.collab_id, r.collaborative)}: {labels.person_text(r.meetings_in_period)} "
                 f"(its rhythm asks {r.expected_in_period})" for r in cad.itertuples()]
        text = "Plenary meetings in " + label + " — " + "; ".join(parts) + "."
        short = "; ".join(f"{_collab_short(r.collab_id, r.collaborative)} {labels.person_text(r.meetings_in_period)}"
                          f" (rhythm {r.expected_in_period})" for r in cad.itertuples())
        held_enough = all(not pd.isna(r.meetings_in_period)
                          and int(r.meetings_in_period) >= int(r.expected_in_period.split("–")[0])
                          for r in cad.itertuples())
        if len(cad) and held_enough and set(cad["status"]) <= {"on_rhythm", "due"}:
            text += (" Each collaborative held what its own rhythm asks: the target asks for more meetings than "
                     "the rhythms do.")
            short += ": each on its rhythm, the target asks for more"
        upcoming = [f"{_collab_short(r.collab_id, r.collaborative)}'s next meeting is expected from "
                    f"{labels.person_date(r.next_expected_from)}"
                    for r in cad.itertuples()
                    if r.next_expected_from is not None and as_of is not None and as_of < r.next_expected_from <= e]
        if upcoming:
            text += f" {label} is not over: " + "; ".join(upcoming) + "."
        return text, short, items
    if kid == "new_collaborations":
        prev = p.previous()
        rec, rec0 = Q.recorded_collaborations(db, f, s, e), Q.recorded_collaborations(db, f, prev.start, prev.end)
        pairs, pairs0 = Q.first_time_pairs(db, f, s, e), Q.first_time_pairs(db, f, prev.start, prev.end)
        items = pd.DataFrame({"Counted": ["Recorded collaborations", "First-time partner pairs"],
                              label: [len(rec), len(pairs)], prev.label: [len(rec0), len(pairs0)]})
        return (f"{_plural(len(rec), 'recorded collaboration')} and {_plural(len(pairs), 'first-time partner pair')} "
                f"in {label} ({len(rec0)} and {len(pairs0)} in {prev.label}).",
                f"{len(rec)} recorded, {len(pairs)} new pairs", items)
    if kid == "peer_reviews":
        df = Q.peer_reviews_open(db, f, s, e)
        items = pd.DataFrame({"Peer review": df["title"], "Partners": df["partners"].fillna(labels.MISSING),
                              "Started": [labels.person_date(d) for d in df["started"]],
                              "Ends": [labels.person_date(d) if not pd.isna(d) else "no end date" for d in df["ends"]]})
        if df.empty:
            return (f"No peer review was completed in {label} by the data date, and none is recorded as under way.",
                    "none completed, none under way", items)
        return (f"{_plural(len(df), 'peer review')} under way, not completed by the data date: "
                f"{_names(df['title'], 99)}.", f"under way: {_names(df['title'], 3)}", items)
    if kid in ("tools_showcased", "tools_in_use"):
        df = Q.tools_not_counted(db, f, kid, s, e)
        what = "showcased" if kid == "tools_showcased" else "used"
        items = pd.DataFrame({"Tool": df["tool"], f"Last {what}": [labels.person_date(d) for d in df["last"]]})
        return (f"{_plural(len(df), 'tool')} {what} before {label} but not in it: {_names(df['tool'], 99)}.",
                f"not {what} this period: {_names(df['tool'])}", items)
    if kid == "countries_active":
        df = Q.countries_not_active(db, f, s, e)
        why = []
        for r in df.itertuples():
            if r.reason == "ended":
                why.append(f"programmes ended by {labels.person_date(r.last_end)}"
                           + (f"; next starts {labels.person_date(r.next_start)}" if not pd.isna(r.next_start) else ""))
            elif not pd.isna(r.next_start):
                why.append(f"planned, starts {labels.person_date(r.next_start)}")
            else:
                why.append("planned, no start date yet")
        items = pd.DataFrame({"Country": df["country"], "Why it is not counted": why,
                              "Partners": df["partners"].fillna(labels.MISSING)})
        return (f"{_plural(len(df), 'country', 'countries')} with programmes recorded have none running in "
                f"{label}: {_names(df['country'], 99)}.", f"missing: {_names(df['country'])}", items)
    if kid == "countries_coordinated":
        df = Q.countries_one_partner(db, f, s, e)
        items = pd.DataFrame({"Country": df["country"], "The one partner there": df["partner"]})
        return (f"{_plural(len(df), 'country', 'countries')} with a programme running in {label} have one partner "
                f"only: {_names(df['country'], 99)}.", f"one partner only: {_names(df['country'])}", items)
    return "", "", pd.DataFrame()


def kpi_whys(db: Database, f: Filters, period_type: str, period_start: date,
             kpis: pd.DataFrame | None = None, history: pd.DataFrame | None = None,
             cadence: pd.DataFrame | None = None) -> list[Why]:
    """A :class:`Why` for each KPI that is Off track or At risk, in the order of ``kpis``."""
    p = Period(period_type, period_start)
    kpis = ordered_kpis(db, f, period_type, period_start) if kpis is None else kpis
    history = kpi_history(db, f, period_type, period_start) if history is None else history
    as_of = queries.data_as_of(db)
    out = []
    for r in kpis.itertuples():
        if r.status not in MISSES:
            continue
        sentence, short, items = _why_items(db, f, r.kpi_id, p, as_of, cadence)
        quarters, _ = _quarters_short(history, r.kpi_id, p)
        headline = " ".join(x for x in (_short_of(int(r.value), r.target), sentence, quarters) if x)
        out.append(Why(r.kpi_id, r.name, r.status_label, headline, short, items))
    return out


# --------------------------------------------------------------------------------------
# KPIs against targets over time
# --------------------------------------------------------------------------------------
def kpi_history(db: Database, f: Filters, period_type: str, period_start: date,
                kpis: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each KPI and its quarterly target over the quarters of the sparkline (up to the
    period's last begun quarter), long form, for the chart.

    Columns: kpi_id, kpi (name), quarter ("Q3 2026"), quarter_start (date), value (float;
    NaN when the records do not cover the quarter), target (NaN: none set, or a filtered
    view), status (label), status_fill. Rows in the order of ``kpis``, then by quarter.
    """
    p = Period(period_type, period_start)
    kpis = ordered_kpis(db, f, period_type, period_start) if kpis is None else kpis
    as_of = queries.data_as_of(db)
    quarters = metrics.spark_quarters(p, as_of)
    applies = metrics.targets_apply(f)
    targets = Q.kpi_targets_by_period(db, tuple(kpis["kpi_id"]), "quarter", tuple(q.start for q in quarters))
    tmap = {(k, pd.Timestamp(s).date()): float(t) for k, s, t in targets.itertuples(index=False)}
    rows = []
    for r in kpis.itertuples():
        for q, v in zip(quarters, r.spark):
            target = tmap.get((r.kpi_id, q.start)) if applies else None
            key = metrics.status(v, target, higher_is_better=KPIS[r.kpi_id].higher_is_better)
            disp = metrics.status_display(key, target, applies)
            rows.append({"kpi_id": r.kpi_id, "kpi": r.name, "quarter": q.label, "quarter_start": q.start,
                         "value": float("nan") if v is None else float(v),
                         "target": float("nan") if target is None else target,
                         "status": disp["label"], "status_fill": disp.get("fill", disp["color"])})
    return pd.DataFrame(rows, columns=["kpi_id", "kpi", "quarter", "quarter_start", "value", "target", "status",
                                       "status_fill"])


# --------------------------------------------------------------------------------------
# One definition of a collaborative meeting
# --------------------------------------------------------------------------------------
def meeting_note(kpis: pd.DataFrame, cadence: pd.DataFrame, period_label_: str) -> str:
    """One sentence, next to the KPI and the cadence panel, that says why "Collaborative
    meetings held" can be short of target while each collaborative is on rhythm (they count
    the same plenary meetings)."""
    row = kpis[kpis["kpi_id"] == "meetings_held"]
    if row.empty or cadence.empty:
        return ""
    r = row.iloc[0]
    held = labels.person_text(r.value if not pd.isna(r.value) else None)
    lo = sum(int(x.split("–")[0]) for x in cadence["expected_in_period"])
    hi = sum(int(x.split("–")[-1]) for x in cadence["expected_in_period"])
    asks = f"{lo}–{hi}" if lo != hi else str(lo)
    target = f"the target of {r.target:g}" if not pd.isna(r.target) else "its target"
    return (f"Both count the same plenary meetings ({held} in {period_label_}): the KPI compares the period's count "
            f"with {target}, while the cadence status judges the time since each collaborative's last meeting "
            f"against its own rhythm (which asks {asks} meetings of a period this long), so a collaborative can be "
            "on rhythm while the count is short of target.")


# --------------------------------------------------------------------------------------
# What each page draws
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class KpiPanel:
    """The KPIs for one period, worst first, with their whys and notes."""

    period: dict
    kpis: pd.DataFrame
    whys: list[Why]
    notes: list[str]
    #: status key -> number of KPIs
    counts: dict[str, int]
    meeting_note: str = ""

    def why_of(self, kpi_id: str) -> Why | None:
        return next((w for w in self.whys if w.kpi_id == kpi_id), None)

    @property
    def summary(self) -> str:
        """"2 Off track · 3 At risk · 5 On track"."""
        parts = [f"{self.counts[k]} {theme.STATUS[k]['label']}" for k in ("off_track", "at_risk", "on_track")
                 if self.counts.get(k)]
        rest = sum(v for k, v in self.counts.items() if k in ("no_target", "no_data"))
        if rest:
            parts.append(f"{rest} not compared with a target" if not self.kpis["target_applies"].all()
                         else f"{rest} without a target or data")
        return " · ".join(parts)


def _panel(db: Database, f: Filters, p: Period, today: date | None) -> tuple[KpiPanel, pd.DataFrame, pd.DataFrame]:
    info = metrics.overview_period(db, f.with_(period=p.code), today)
    kpis = ordered_kpis(db, f, p.type, p.start)
    history = kpi_history(db, f, p.type, p.start, kpis)
    cadence = metrics.meeting_cadence(db, f, p.type, p.start)
    whys = kpi_whys(db, f, p.type, p.start, kpis, history, cadence)
    notes = []
    if info["partial"]:
        notes.append(f"{p.label} is not over: its figures so far are compared with the whole of "
                     f"{info['previous_label']} and with the target for the whole of {p.label}.")
    if not metrics.targets_apply(f):
        notes.append("Targets are set for both collaboratives as a whole (overall target), so this filtered view "
                     "is not compared with them (Not compared).")
    if kpis["value"].isna().any():
        notes.append(f"{labels.MISSING} : no records cover the period for that figure (missing, not zero).")
    counts = {k: int((kpis["status"] == k).sum()) for k in STATUS_ORDER}
    panel = KpiPanel(period=info, kpis=kpis, whys=whys, notes=notes, counts=counts,
                     meeting_note=meeting_note(kpis, cadence, p.label))
    return panel, history, cadence


def overview(db: Database, f: Filters, today: date | None = None) -> KpiPanel:
    """The Overview's KPI tiles: every KPI for the current period, Off track first, each
    that misses its target with a one-line why."""
    p = metrics.current_period(f, queries.data_as_of(db), today)
    panel, _, _ = _panel(db, f, p, today)
    notes = []
    if f.period in ("all", "last12"):
        notes.append("The tiles show the latest quarter; pick a quarter, half or year under Period to see another.")
    if f.has_country_scope:
        notes.append("Recorded collaborations are not tied to countries: the country filters narrow only the "
                     "first-time partner pairs counted as new collaborations.")
    notes += panel.notes
    notes.append(f"Trend lines: the last {metrics.SPARK_QUARTERS} quarters. Each KPI's definition is under the ? "
                 "next to its name; why a KPI misses its target is under the tile.")
    return KpiPanel(period=panel.period, kpis=panel.kpis, whys=panel.whys, notes=notes, counts=panel.counts,
                    meeting_note=panel.meeting_note)


@dataclass(frozen=True)
class KpisPage:
    """Everything the "KPIs & targets" page draws about KPIs and meeting cadence."""

    panel: KpiPanel
    #: the KPI table (and its CSV): readable columns, worst first
    table: pd.DataFrame
    #: each KPI and its target per quarter, for the chart
    history: pd.DataFrame
    #: one row per collaborative: the cards of the cadence panel (readable text)
    cadence_cards: list[dict]
    #: the cadence table (and its CSV), dates as a person reads them
    cadence_table: pd.DataFrame
    cadence_caption: str


def kpi_table(kpis: pd.DataFrame, whys: list[Why]) -> pd.DataFrame:
    """The table of the page: :func:`metrics.kpi_page_table` in status order, with the why."""
    table = metrics.kpi_page_table(kpis)
    by_id = {w.kpi_id: w.short for w in whys}
    table.insert(7, "Why it misses", [by_id.get(k, "") for k in kpis["kpi_id"]])
    return table


def kpis_page(db: Database, f: Filters, period_type: str, period_start: date,
              today: date | None = None) -> KpisPage:
    """The KPIs, their whys, the chart's data and the meeting-cadence panel for one period."""
    p = Period(period_type, period_start)
    panel, history, cad = _panel(db, f, p, today)
    cards = []
    for r in cad.itertuples():
        cards.append({
            "collaborative": r.collaborative, "rhythm": r.rhythm, "status": r.status,
            "status_label": metrics.CADENCE_STATUS[r.status]["label"],
            "status_text": r.status_text, "color": metrics.CADENCE_STATUS[r.status]["color"],
            "sentence": r.sentence,
            "detail": (f"Last plenary meeting: {labels.person_date(r.last_meeting) if r.last_meeting else 'none recorded'}"
                       f" · in {p.label}: {labels.person_text(r.meetings_in_period)} (the rhythm asks "
                       f"{r.expected_in_period})"),
        })
    table = metrics.cadence_table(cad)
    for col in ("Last plenary meeting", "Next meeting expected from", "Next meeting expected by", "As of"):
        table[col] = [labels.person_date(d) if d else labels.MISSING for d in table[col]]
    for col in ("Meetings in period", "Task-team meetings in period", "Typical gap (months)"):
        table[col] = [labels.person_text(v) for v in table[col]]
    ref = cad["reference_date"].iloc[0] if len(cad) else None
    caption = (f"Plenary meetings of each collaborative against its own rhythm, as of {labels.person_date(ref)} (the "
               "end of the period, or the data date when the period is not over). Task-team meetings are counted "
               "apart. The rhythm belongs to the collaborative: partner, country and tool filters do not apply.")
    return KpisPage(panel=panel, table=kpi_table(panel.kpis, panel.whys), history=history, cadence_cards=cards,
                    cadence_table=table, cadence_caption=caption)


# --------------------------------------------------------------------------------------
# New collaborations and the history of targets (the rest of the "KPIs & targets" page)
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NewCollaborations:
    """What the KPI "new collaborations" counts for one period, listed."""

    #: False when no records of activities cover the period (then nothing else is shown)
    covered: bool
    #: recorded collaborations that started in the period (readable columns, dates as people read them)
    recorded: pd.DataFrame
    #: pairs of partners first together in the period (readable columns)
    pairs: pd.DataFrame
    #: the same lists for the CSVs (ISO dates)
    recorded_csv: pd.DataFrame
    pairs_csv: pd.DataFrame
    #: a caption when the period holds the first record (pairs may predate the records)
    note: str = ""


def new_collaborations(db: Database, f: Filters, period_type: str, period_start: date) -> NewCollaborations:
    p = Period(period_type, period_start)
    as_of = queries.data_as_of(db)
    first = Q.record_coverage(db)["activities"]
    recorded = Q.recorded_collaborations(db, f, p.start, p.end)
    pairs = Q.first_time_pairs(db, f, p.start, p.end)
    covered = not (as_of is None or p.start > as_of or first is None or p.end < first)
    rec_csv = pd.DataFrame({
        "Started": [pd.Timestamp(d).date().isoformat() for d in recorded["started"]],
        "Title": recorded["title"], "Kind": recorded["kind"].str.capitalize(), "Partners": recorded["partners"],
        "Grew out of": recorded["origin"]})
    rec = rec_csv.copy()
    rec["Started"] = [labels.person_date(d) for d in recorded["started"]]
    for col in ("Partners", "Grew out of"):
        rec[col] = [labels.person_text(v) for v in rec[col]]
    pairs_csv = pd.DataFrame({
        "First together": [pd.Timestamp(d).date().isoformat() for d in pairs["first_together"]],
        "Partner": pairs["partner_a"], "Other partner": pairs["partner_b"],
        "First joint activity": pairs["activity"], "Type": pairs["type"]})
    shown_pairs = pairs_csv.copy()
    shown_pairs["First together"] = [labels.person_date(d) for d in pairs["first_together"]]
    note = ""
    if covered and p.start <= first <= p.end:
        note = (f"The records start on {labels.person_date(first)}: pairs seen together in this first period may "
                "have worked together before the records began.")
    return NewCollaborations(covered, rec, shown_pairs, rec_csv, pairs_csv, note)


def target_history(db: Database) -> pd.DataFrame:
    """The changes of targets made in the app, newest first, as a person reads them.

    Columns: When (UTC) ("21 Sep 2026 14:05"), Editor, KPI, Period ("Q4 2026"), Old target
    (NaN: there was none), New target."""
    h = Q.target_changes(db)
    return pd.DataFrame({
        "When (UTC)": [labels.person_datetime(t) for t in h["changed_at"]],
        "Editor": h["editor"],
        "KPI": h["kpi"],
        "Period": [Period(t, pd.Timestamp(s).date()).label for t, s in zip(h["period_type"], h["period_start"])],
        "Old target": h["old_target"].astype("float64"),
        "New target": h["new_target"].astype("float64"),
    })


def history_chart(db: Database, f: Filters, period_type: str, period_start: date):
    """The "KPIs against their targets over time" chart (an Altair chart of :func:`kpi_history`;
    the page caches its finished spec per arguments and data generation with ``runtime.cached_spec``)."""
    return charts.kpi_history(kpi_history(db, f, period_type, period_start))
