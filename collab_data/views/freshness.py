"""What the reporting-freshness panels show (Overview, KPIs & targets, Partners & tools).

:func:`reporting_panel` returns everything a page draws: the counts per status, a
headline, the notes (that the panel counts from today, and the rule), and the table with
readable column names. The page only renders it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from collab_data import clock, freshness, queries
from collab_data.db import Database
from collab_data.filters import Filters
from collab_data.queries import freshness as QF

#: Columns of the panel's table, in order.
COLUMNS = ["Partner", "Status", "Last report", "What was reported", "Days since", "Reporting cycle",
           "Report due from", "Overdue after", "Collaboratives", "Organisation"]


@dataclass(frozen=True)
class ReportingPanel:
    today: date
    #: status key -> number of partners (every key of freshness.STATUS, zeros included)
    counts: dict[str, int]
    total: int
    headline: str
    notes: list[str]
    table: pd.DataFrame
    #: the status key of each table row (for colouring)
    statuses: list[str] = field(default_factory=list)
    #: collaborative name -> cycle in months (in force)
    cycles: dict[str, int] = field(default_factory=dict)

    @property
    def attention(self) -> pd.DataFrame:
        """The rows to look at: partners overdue, due, or with nothing reported."""
        keep = [s != "up_to_date" for s in self.statuses]
        return self.table[keep].reset_index(drop=True)


def headline(counts: dict[str, int], total: int) -> str:
    """"12 of 15 partners up to date · 1 due · 2 overdue"."""
    if total == 0:
        return "No partner is a member of the collaboratives in view."
    parts = [f"{counts['up_to_date']} of {total} partners up to date"]
    for key in ("due", "overdue", "no_reports"):
        if counts[key]:
            parts.append(f"{counts[key]} {freshness.STATUS[key]['label'].lower()}")
    return " · ".join(parts)


def reporting_panel(db: Database, f: Filters, today: date) -> ReportingPanel:
    """Each partner in scope (collaborative and partner filters) judged on ``today``."""
    # another country, tool kind or period reuses the table
    scope = f.reporting_scope
    table, statuses = db.recall("views.freshness.reporting_table", (scope, today),
                                lambda: _reporting_table(db, scope, today))
    cycles = QF.reporting_cycles(db)
    counts = {k: statuses.count(k) for k in freshness.STATUS}
    cycle_map = dict(zip(cycles["name"], cycles["months"].astype(int)))
    notes = [
        f"Counted from today, {clock.long_date(today)}: unlike the other figures, these statuses change with the "
        "calendar as reports age. The KPI “Partners reporting on time” applies the same rule on each period's "
        "last day (the data date while the period runs), so it stays the same on any day.",
        freshness.rule_text(cycle_map),
    ]
    if f.has_country_scope or f.tool_kinds:
        notes.append("Country and tool filters do not apply: reporting is the partner's, wherever it works.")
    as_of = queries.data_as_of(db)
    if as_of is not None and as_of > today:
        notes.append(f"The data date ({clock.long_date(as_of)}) is after today: records dated after today are not "
                     "counted here yet.")
    return ReportingPanel(today=today, counts=counts, total=len(table), headline=headline(counts, len(table)),
                          notes=notes, table=table, statuses=statuses, cycles=cycle_map)


def _reporting_table(db: Database, f: Filters, today: date) -> tuple[pd.DataFrame, list[str]]:
    """The panel's table, worst first, and each row's status key."""
    reports = QF.partner_reports(db, f, (today,))
    rows, statuses = [], []
    for r in reports.itertuples():
        last = None if pd.isna(r.last_report) else pd.Timestamp(r.last_report).date()
        months = int(r.cycle_months)
        key = freshness.status(last, today, months)
        statuses.append(key)
        rows.append({
            "Partner": r.partner,
            "Status": freshness.status_text(key),
            "Last report": last,
            "What was reported": f"{r.last_what}: {r.last_label}" if last else "—",
            "Days since": (today - last).days if last else None,
            "Reporting cycle": freshness.cycle_name(months),
            "Report due from": freshness.due_from(last, months) if last else None,
            "Overdue after": freshness.overdue_after(last, months) if last else None,
            "Collaboratives": r.collaboratives,
            "Organisation": r.name,
        })
    table = pd.DataFrame(rows, columns=COLUMNS)
    table["Days since"] = table["Days since"].astype("Int64")
    order = {k: i for i, k in enumerate(freshness.ORDER)}
    days = [0 if row["Days since"] is None else int(row["Days since"]) for row in rows]
    names = [row["Partner"].lower() for row in rows]
    # worst first; within a status the longest silence first, then by name
    idx = sorted(range(len(rows)), key=lambda i: (order[statuses[i]], -days[i], names[i]))
    return table.iloc[idx].reset_index(drop=True), [statuses[i] for i in idx]


def cycle_history(db: Database) -> pd.DataFrame:
    """The history of cycle changes with readable columns, newest first."""
    h = QF.cycle_changes(db)
    return pd.DataFrame({
        "When (UTC)": h["changed_at"],
        "Editor": h["editor"],
        "Collaborative": h["collaborative"],
        "Old cycle": [freshness.cycle_name(m) for m in h["old_months"]],
        "New cycle": [freshness.cycle_name(m) for m in h["new_months"]],
    })


def cycles_table(db: Database) -> pd.DataFrame:
    """The cycles in force with readable columns."""
    c = QF.reporting_cycles(db)
    return pd.DataFrame({
        "Collaborative": c["name"],
        "Reporting cycle": [freshness.cycle_name(m) for m in c["months"]],
        "Set": [f"{clock.short_date(t.date())} by {e}" if pd.notna(t) else "default (never changed)"
                for t, e in zip(c["set_at"], c["set_by"])],
    })


def partner_line(panel: ReportingPanel, partner: str) -> str:
    """One partner's reporting in a sentence (Markdown-safe), for its profile."""
    rows = panel.table[panel.table["Partner"] == partner]
    if rows.empty:
        return "**Reporting:** not a member of a collaborative in view."
    r = rows.iloc[0]
    text = f"**Reporting:** {r['Status']} ({r['Reporting cycle'].lower()} cycle)"
    if r["Last report"] is not None and not pd.isna(r["Last report"]):
        text += f" — last report {clock.short_date(r['Last report'])}, {int(r['Days since'])} days before today"
    return text.replace("_", "\\_")


def cycle_choices(db: Database) -> tuple[dict[str, str], dict[str, int]]:
    """For the cycle editor: ({collab_id: name}, {collab_id: months in force})."""
    c = QF.reporting_cycles(db)
    return dict(zip(c["collab_id"], c["name"])), dict(zip(c["collab_id"], c["months"].astype(int)))
