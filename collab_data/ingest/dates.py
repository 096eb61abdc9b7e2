"""Dates as partners write them: ISO, dd/mm/yyyy, d Mon yyyy, Excel serials.

A date such as 03/04/2025 is ambiguous (3 April or March 4). It is never guessed: it is
read only when other dates in the same column settle the order (a 25/04/2025 proves
day-first), otherwise it is reported.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
MONTHS.update({"sept": 9, "june": 6, "july": 7})
for _full, _i in [("january", 1), ("february", 2), ("march", 3), ("april", 4), ("august", 8), ("september", 9),
                  ("october", 10), ("november", 11), ("december", 12)]:
    MONTHS[_full] = _i

_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_DAY_MON = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-]+([A-Za-z]{3,9})\.?,?[\s\-]+(\d{4})$")
_MON_DAY = re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_SERIAL = re.compile(r"^\d{5}(?:\.0+)?$")
EXCEL_EPOCH = date(1899, 12, 30)


@dataclass(frozen=True)
class DateRead:
    value: date | None
    problem: str | None = None      # why it could not be read (an error)
    note: str | None = None         # how it was read, when worth saying (a warning)
    hint: str | None = None         # what to do about the problem, when there is more to say than the format


def day_order_evidence(texts: list[str]) -> str | None:
    """'dmy' or 'mdy' when the column's unambiguous numeric dates all agree, else None."""
    dmy = mdy = False
    for t in texts:
        m = _NUMERIC.match(t.strip())
        if not m:
            continue
        a, b = int(m.group(1)), int(m.group(2))
        if a > 12 >= b:
            dmy = True
        elif b > 12 >= a:
            mdy = True
    if dmy and not mdy:
        return "dmy"
    if mdy and not dmy:
        return "mdy"
    return None


def _make(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def why_not(y: int, m: int, d: int) -> tuple[str, str]:
    """What is wrong with a day, month and year that make no date, and how to correct it:
    ("February 2026 has 28 days", "Correct the day: ...")."""
    if not 1 <= m <= 12:
        return (f"there is no month {m} (months run from 1 to 12)",
                "Correct the month, or check that day and month are not swapped.")
    if not 1 <= y <= 9999:
        return f"the year {y} cannot be read", "Correct the year."
    month = f"{_mon(m)} {y}"
    last = calendar.monthrange(y, m)[1]
    if d < 1:
        return f"there is no day {d} in {month}", "Correct the day."
    if m == 2 and d == 29:
        return f"{y} is not a leap year: {month} has 28 days", "Correct the day (or the year)."
    return f"{month} has {last} days", f"Correct the day: the last day of {month} is the {last}{_th(last)}."


def _th(n: int) -> str:
    return "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _not_real(text: str, y: int, m: int, d: int) -> DateRead:
    problem, hint = why_not(y, m, d)
    return DateRead(None, f"{text}: {problem}", hint=hint)


def parse_date(text: str, order: str | None = None) -> DateRead:
    """Read one date cell; ``order`` is the column's day order evidence ('dmy'/'mdy')."""
    t = text.strip()
    if not t:
        return DateRead(None)
    m = _ISO.match(t)
    if m:
        y, mo, dd = int(m.group(1)), int(m.group(2)), int(m.group(3))
        d = _make(y, mo, dd)
        return DateRead(d) if d else _not_real(t, y, mo, dd)
    m = _NUMERIC.match(t)
    if m:
        a, b, y = int(m.group(1)), int(m.group(2)), m.group(3)
        year = int(y) if len(y) == 4 else 2000 + int(y)
        note = f"two-digit year read as {year}" if len(y) == 2 else None
        if a == 0 or b == 0:
            return DateRead(None, f"{t}: there is no day or month 0", hint="Correct the day or the month.")
        if a > 12 >= b or (a == b):
            ymd = (year, b, a)
        elif b > 12 >= a:
            ymd = (year, a, b)
            note = "read as month/day/year (US order)" + (f"; {note}" if note else "")
        elif a > 12 and b > 12:
            return DateRead(None, f"{t}: neither {a} nor {b} is a month (months run from 1 to 12)",
                            hint="Correct the day or the month; write the date as YYYY-MM-DD to be sure.")
        elif order == "dmy":
            ymd = (year, b, a)
        elif order == "mdy":
            ymd = (year, a, b)
            note = "read as month/day/year like the other dates in this column"
        else:
            return DateRead(None, f"{t!r} is ambiguous ({a} {_mon(b)} or {b} {_mon(a)} {year})")
        d = _make(*ymd)
        return DateRead(d, note=note) if d else _not_real(t, *ymd)
    m = _DAY_MON.match(t)
    if m and m.group(2).lower() in MONTHS:
        ymd = (int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)))
        d = _make(*ymd)
        return DateRead(d) if d else _not_real(t, *ymd)
    m = _MON_DAY.match(t)
    if m and m.group(1).lower() in MONTHS:
        ymd = (int(m.group(3)), MONTHS[m.group(1).lower()], int(m.group(2)))
        d = _make(*ymd)
        return DateRead(d) if d else _not_real(t, *ymd)
    if _SERIAL.match(t):
        n = int(float(t))
        if 10_000 <= n <= 80_000:
            d = EXCEL_EPOCH + timedelta(days=n)
            return DateRead(d, note=f"Excel date number {n} read as {d.day} {d:%b %Y}")
    try:
        return DateRead(datetime.fromisoformat(t).date())
    except ValueError:
        pass
    return DateRead(None, f"{t!r} is not a date")


def _mon(m: int) -> str:
    return date(2000, m, 1).strftime("%B") if 1 <= m <= 12 else str(m)
