"""CSV exports of exactly what a page shows (pure: DataFrame in, bytes out)."""

from __future__ import annotations

import csv
import io
from datetime import date
from urllib.parse import urlencode

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(frame: pd.DataFrame, *, title: str, filters_sentence: str, query: dict | None = None,
           as_of: date | None = None, note: str | None = None) -> bytes:
    """CSV bytes (UTF-8 with BOM, so spreadsheets read accents) with the view written on top.

    The first lines start with ``#``: what the table is, the active filters in words, the
    URL parameters that reopen the view, and the data date. Text cells that a spreadsheet
    would execute as formulas are neutralised.
    """
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([f"# {title}"])
    w.writerow([f"# Filters: {filters_sentence}"])
    if query:
        w.writerow([f"# View: ?{urlencode(query, doseq=True)}"])
    if as_of:
        w.writerow([f"# Data as of: {as_of.isoformat()}"])
    if note:
        w.writerow([f"# {note}"])
    clean = frame.copy()
    for col in clean.columns:
        if clean[col].dtype == object or pd.api.types.is_string_dtype(clean[col]):
            clean[col] = clean[col].map(neutralise)
    clean.to_csv(out, index=False, lineterminator="\n")
    return ("\ufeff" + out.getvalue()).encode("utf-8")
