"""Dates as partners write them: ISO, dd/mm/yyyy, d Mon yyyy, Excel serials.

A date such as 03/04/2025 is ambiguous (3 April or March 4). It is never guessed: it is
read only when other dates in the same column settle the order (a 25/04/2025 proves
day-first), otherwise it is reported.
"""

from __future__ import annotations

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


def parse_date(text: str, order: str | None = None) -> DateRead:
    """Read one date cell; ``order`` is the column's day order evidence ('dmy'/'mdy')."""
    t = text.strip()
    if not t:
        return DateRead(None)
    m = _ISO.match(t)
    if m:
        d = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return DateRead(d) if d else DateRead(None, f"{t!r} is not a real date")
    m = _NUMERIC.match(t)
    if m:
        a, b, y = int(m.group(1)), int(m.group(2)), m.group(3)
        year = int(y) if len(y) == 4 else 2000 + int(y)
        note = f"two-digit year read as {year}" if len(y) == 2 else None
        if a > 12 >= b or (a == b):
            d = _make(year, b, a)
        elif b > 12 >= a:
            d = _make(year, a, b)
            note = "read as month/day/year (US order)" + (f"; {note}" if note else "")
        elif a > 12 and b > 12:
            return DateRead(None, f"{t!r} has no valid month")
        elif order == "dmy":
            d = _make(year, b, a)
        elif order == "mdy":
            d = _make(year, a, b)
            note = "read as month/day/year like the other dates in this column"
        else:
            return DateRead(None, f"{t!r} is ambiguous ({a} {_mon(b)} or {b} {_mon(a)} {year})")
        return DateRead(d, note=note) if d else DateRead(None, f"{t!r} is not a real date")
    m = _DAY_MON.match(t)
    if m and m.group(2).lower() in MONTHS:
        d = _make(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)))
        return DateRead(d) if d else DateRead(None, f"{t!r} is not a real date")
    m = _MON_DAY.match(t)
    if m and m.group(1).lower() in MONTHS:
        d = _make(int(m.group(3)), MONTHS[m.group(1).lower()], int(m.group(2)))
        return DateRead(d) if d else DateRead(None, f"{t!r} is not a real date")
    if _SERIAL.match(t):
        n = int(float(t))
        if 10_000 <= n <= 80_000:
            d = EXCEL_EPOCH + timedelta(days=n)
            return DateRead(d, note=f"Excel date number {n} read as {d.isoformat()}")
    try:
        return DateRead(datetime.fromisoformat(t).date())
    except ValueError:
        pass
    return DateRead(None, f"{t!r} is not a date")


def _mon(m: int) -> str:
    return date(2000, m, 1).strftime("%B") if 1 <= m <= 12 else str(m)
