"""Reporting freshness: is each partner's reporting up to date?

After the freshness model of the Humanitarian Data Exchange: every collaborative sets how
often its partners report (its *reporting cycle*, quarterly by default), and a partner's
reporting is judged by the age of its last report on a reference date:

* **Up to date** — the last report is no older than one cycle;
* **Due** — one cycle has passed: the next report is expected now, within a month's grace;
* **Overdue** — the cycle and the month's grace have passed without a report;
* **Nothing reported yet** — the partner has no report at all by the reference date.

A *report* is a record of the partner's work: an activity it took part in, a country
programme of its that started or was completed, a collaboration it joined (see
:mod:`collab_data.queries.freshness` for exactly which records count and when). A
partner in both collaboratives is held to the shorter cycle.

The rule (:func:`status`) is pure: the reference date is always passed in. The freshness
panels use today (they say so: the status changes with the calendar); the KPI "partners
reporting on time" uses each period's end, or the data date while the period runs, so the
same data gives the same KPI on any day.
"""

from __future__ import annotations

from datetime import date

from collab_data.clock import add_months

#: Months after the cycle in which a report is due rather than overdue.
GRACE_MONTHS = 1

#: The cycles an administrator can choose, in months, and their names.
CYCLES: dict[int, str] = {1: "Monthly", 2: "Every 2 months", 3: "Quarterly", 4: "Every 4 months",
                          6: "Every 6 months", 12: "Yearly"}

#: Status -> words, sign and a text colour readable on white (contrast 5:1 or more).
STATUS: dict[str, dict[str, str]] = {
    "up_to_date": {"label": "Up to date", "emoji": "🟢", "symbol": "✔", "color": "#00704F"},
    "due": {"label": "Due", "emoji": "🟠", "symbol": "●", "color": "#8F5400"},
    "overdue": {"label": "Overdue", "emoji": "🔴", "symbol": "▼", "color": "#A63F00"},
    "no_reports": {"label": "Nothing reported yet", "emoji": "⚪", "symbol": "–", "color": "#4b5563"},
}
#: Statuses that count as "reporting on time" (the KPI): the report is not late.
ON_TIME = ("up_to_date", "due")
#: Display order, worst first (what a reader should look at first).
ORDER = ("overdue", "due", "no_reports", "up_to_date")


def cycle_name(months: int) -> str:
    return CYCLES.get(int(months), f"Every {int(months)} months")


def due_from(last: date, cycle_months: int) -> date:
    """The day after which the next report is due (last report + one cycle)."""
    return add_months(last, int(cycle_months))


def overdue_after(last: date, cycle_months: int) -> date:
    """The last day before the partner is overdue (last report + cycle + grace)."""
    return add_months(last, int(cycle_months) + GRACE_MONTHS)


def status(last: date | None, ref: date, cycle_months: int) -> str:
    """``up_to_date`` / ``due`` / ``overdue`` / ``no_reports`` (keys of :data:`STATUS`)
    for a partner whose last report on or before ``ref`` was ``last``."""
    if last is None:
        return "no_reports"
    if ref <= due_from(last, cycle_months):
        return "up_to_date"
    if ref <= overdue_after(last, cycle_months):
        return "due"
    return "overdue"


def status_text(key: str) -> str:
    """"🟢 Up to date" — the sign and the words (never colour alone)."""
    return f"{STATUS[key]['emoji']} {STATUS[key]['label']}"


def rule_text(cycles: dict[str, int] | None = None) -> str:
    """The rule in one paragraph, for the pages (``cycles``: collaborative name -> months)."""
    text = ("A partner's last report is its latest recorded activity, programme start or completion, or "
            "collaboration. Up to date: reported within its collaborative's reporting cycle. Due: the cycle has "
            f"passed and the next report is expected now (a grace of {GRACE_MONTHS} month). Overdue: the cycle and "
            "the grace have passed without a report. A partner in both collaboratives is held to the shorter "
            "cycle.")
    if cycles:
        text += " Cycles: " + "; ".join(f"{name} {cycle_name(m).lower()}" for name, m in cycles.items()) + "."
    return text
