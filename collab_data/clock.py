"""The one "today" of the app, and the dates the data accepts.

Time is an input. Only this module reads the calendar: :func:`today` is the real date, or
``COLLAB_TODAY=YYYY-MM-DD`` from the environment (tests, demos, rehearsing a meeting). It
is read afresh on every call, so a long-running server moves to the next day by itself.
A page asks for it once, at its top, and passes it down to whatever needs it; nothing
else calls ``date.today()``, ``datetime.now()`` or SQL ``current_date`` for business
logic (an import batch's timestamp is the real time: it records when the write happened).

What depends on today, and what does not:

* The data date ("Data as of", :func:`collab_data.queries.data_as_of`) is read from the
  records alone, so the same database shows the same numbers on any day.
* The reporting freshness of each partner counts days from today; the panels that show
  it say so.
* Imports refuse dates outside :func:`date_window` (1990 to ten years after today).
"""

from __future__ import annotations

import os
import re
from datetime import date

ENV = "COLLAB_TODAY"

#: The earliest date a record of the collaboratives may carry (imports refuse earlier ones).
EARLIEST = date(1990, 1, 1)
#: How far ahead of today an imported date may lie (planned work), in years.
YEARS_AHEAD = 10
#: The latest date the dashboard reads as real: later stored dates are typing errors
#: (the schema bounds years the same way: tools' launch years, indicator years).
LATEST = date(2100, 12, 31)

_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")


class ClockError(ValueError):
    """``COLLAB_TODAY`` is set but is not a date."""


def configured_today() -> date | None:
    """The date ``COLLAB_TODAY`` sets, None when it is not set.

    Raises :class:`ClockError` (saying what is wrong and how to fix it) for anything
    but an existing ``YYYY-MM-DD`` date inside the window the dashboard reads.
    """
    raw = os.environ.get(ENV, "")
    if not raw.strip():
        return None
    m = _ISO.match(raw)
    problem = None
    if m is None:
        problem = "is not written as YYYY-MM-DD"
    else:
        try:
            value = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            problem = "is not a date that exists"
        else:
            if not EARLIEST <= value <= LATEST:
                problem = f"is outside {EARLIEST.year}–{LATEST.year}"
            else:
                return value
    raise ClockError(f"{ENV}={raw.strip()!r} {problem}: set it to a date written YYYY-MM-DD, such as 2026-11-27, "
                     "or unset it to use the real date.")


def today() -> date:
    """Today for the whole app: ``COLLAB_TODAY`` if set, else the real date.

    A malformed ``COLLAB_TODAY`` raises :class:`ClockError`; the app shows that message
    (see :func:`today_or_real`) instead of quietly using another date.
    """
    return configured_today() or date.today()


def today_or_real() -> tuple[date, str | None]:
    """Today, and the problem with ``COLLAB_TODAY`` when it is malformed (then the real
    date is used, and the page shows the message): a misconfiguration never takes a
    page down."""
    try:
        return today(), None
    except ClockError as exc:
        return date.today(), str(exc)


def add_years(d: date, years: int) -> date:
    """``d`` plus whole years (29 February becomes 28 February in a common year)."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def add_months(d: date, months: int) -> date:
    """``d`` plus whole calendar months; the day is kept, or the month's last day when shorter
    (31 Aug + 6 months = 28 Feb)."""
    m = d.year * 12 + d.month - 1 + months
    y, mo = m // 12, m % 12 + 1
    last = (date(y + (mo == 12), mo % 12 + 1, 1) - date(y, mo, 1)).days
    return date(y, mo, min(d.day, last))


def date_window(today_: date) -> tuple[date, date]:
    """The dates an import or an edit accepts, inclusive: from :data:`EARLIEST` to
    :data:`YEARS_AHEAD` years after today (never after :data:`LATEST`)."""
    return EARLIEST, min(add_years(today_, YEARS_AHEAD), LATEST)


def window_text(today_: date) -> str:
    """The window in words, for messages and the template help."""
    lo, hi = date_window(today_)
    return f"between {lo.isoformat()} and {hi.isoformat()} ({YEARS_AHEAD} years after today)"


def long_date(d: date | None, none: str = "—") -> str:
    """``19 November 2026``."""
    return none if d is None else f"{d.day} {d:%B} {d.year}"


def short_date(d: date | None, none: str = "—") -> str:
    """``19 Nov 2026``."""
    return none if d is None else f"{d.day} {d:%b} {d.year}"
