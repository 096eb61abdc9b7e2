"""One vocabulary: how dates, missing values and shared terms read to a person.

Every page, the brief and the slides format what a person reads through this module, so
the same thing has the same name and a date always reads "21 Sep 2026". Exports keep ISO
dates (machines read them); only what is shown on screen or printed goes through here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd

#: What a missing value reads as in a cell a person reads (never None, nan or NaT).
MISSING = "—"

#: Countries or records that belong to neither collaborative.
OUTSIDE_BOTH = "Outside both collaboratives"

#: The collaborative of an activity recorded for both collaboratives, or for neither of them.
EITHER_COLLABORATIVE = "Both or neither"


def _missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, (str, date, datetime)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def person_date(value: Any) -> str:
    """A date as a person reads it: "21 Sep 2026"; "—" when missing."""
    if _missing(value):
        return MISSING
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, (pd.Timestamp, datetime)):
        value = value.date()
    return f"{value.day} {value:%b %Y}"


def person_datetime(value: Any) -> str:
    """A moment as a person reads it: "21 Sep 2026 14:05"; "—" when missing."""
    if _missing(value):
        return MISSING
    stamp = pd.Timestamp(value)
    return f"{stamp.day} {stamp:%b %Y %H:%M}"


def person_text(value: Any) -> str:
    """Any cell value as text a person reads: missing values become "—"."""
    if _missing(value):
        return MISSING
    if isinstance(value, (date, datetime, pd.Timestamp)):
        return person_date(value)
    return str(value)
