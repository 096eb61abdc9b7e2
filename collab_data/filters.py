"""The shared filters: one frozen value, its URL form and its plain-language sentence.

The filter widgets are bound to the URL (``bind="query-params"``) under the names in
:data:`URL_KEYS`, so a copied link reopens the same view on any page. The URL holds the
labels the widgets show (``?country=Kenya&collab=Gender``), the Filters value the codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta

from collab_data.clock import EARLIEST, LATEST

COLLAB_CHOICES = {"both": "Both collaboratives", "gender": "Gender data collaborative", "lnob": "LNOB data collaborative"}
GROUP_CHOICES = {"ldc": "Least developed countries (LDC)", "lldc": "Landlocked developing countries (LLDC)",
                 "sids": "Small island developing states (SIDS)"}
ALL_TIME = "all"

#: Filters field -> URL query parameter (and widget key).
URL_KEYS = {
    "collab": "collab",
    "regions": "region",
    "income": "income",
    "groups": "group",
    "countries": "country",
    "partners": "partner",
    "tool_kinds": "tool_kind",
    "period": "period",
    "lens": "my_partner",
}


@dataclass(frozen=True)
class Filters:
    """What the user is looking at. Empty tuples mean "all"."""

    collab: str = "both"
    regions: tuple[str, ...] = ()
    income: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    tool_kinds: tuple[str, ...] = ()
    period: str = ALL_TIME
    #: "My partner": the partner whose lens the pages add (who else works where it works).
    #: Unlike ``partners`` it narrows nothing: the other partners stay in view.
    lens: str | None = None

    def __post_init__(self):
        if self.collab not in COLLAB_CHOICES:
            raise ValueError(f"unknown collaborative {self.collab!r}")
        if self.lens is not None and (not isinstance(self.lens, str) or not self.lens.strip()):
            raise ValueError(f"my partner must be a partner id, not {self.lens!r}")
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, list):
                object.__setattr__(self, f.name, tuple(value))
        for name in ("regions", "income", "groups", "countries", "partners", "tool_kinds"):
            object.__setattr__(self, name, tuple(sorted(set(getattr(self, name)))))
        bad = [g for g in self.groups if g not in GROUP_CHOICES]
        if bad:
            raise ValueError(f"unknown country group(s) {bad}")
        start, _ = period_range(self.period)  # raises on a malformed period
        if start is not None and not EARLIEST.year <= start.year <= LATEST.year:
            raise ValueError(f"period {self.period!r} is outside {EARLIEST.year}–{LATEST.year}")

    @property
    def has_country_scope(self) -> bool:
        return bool(self.regions or self.income or self.groups or self.countries)

    @property
    def reporting_scope(self) -> Filters:
        """Only what a partner's reporting depends on: the collaborative and partner filters
        (reporting is the partner's wherever it works, whatever the period shown)."""
        return Filters(collab=self.collab, partners=self.partners)

    @property
    def without_lens(self) -> Filters:
        """The same filters without "my partner" (for reads the lens does not change)."""
        return replace(self, lens=None) if self.lens else self

    @property
    def is_default(self) -> bool:
        return self == Filters()

    def with_(self, **changes) -> Filters:
        return replace(self, **changes)


# --------------------------------------------------------------------------------------
# Periods: "all", "2025", "2025-H1", "2025-Q3", "last12"
# --------------------------------------------------------------------------------------
def quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


_QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


def period_range(period: str, as_of: date | None = None) -> tuple[date | None, date | None]:
    """Inclusive (start, end) dates of a period code; (None, None) for all time.

    "last12" is the 365 days up to ``as_of`` (the data date, never the calendar: the same
    data gives the same figures on any day); without a data date it is (None, None).
    Years are 0001..9999, always written with four digits.
    """
    if period == ALL_TIME:
        return None, None
    if period == "last12":
        if as_of is None:
            return None, None
        start = as_of - timedelta(days=364) if as_of > date.min + timedelta(days=364) else date.min
        return start, as_of
    try:
        if len(period) == 4 and period.isdigit():
            y = int(period)
            return date(y, 1, 1), date(y, 12, 31)
        y_text, part = period.split("-")
        if len(y_text) != 4 or not y_text.isdigit():
            raise ValueError(period)
        y = int(y_text)
        if part in ("H1", "H2"):
            return (date(y, 1, 1), date(y, 6, 30)) if part == "H1" else (date(y, 7, 1), date(y, 12, 31))
        if part in ("Q1", "Q2", "Q3", "Q4"):
            q = int(part[1])
            month, day = _QUARTER_END[q]
            return date(y, 3 * q - 2, 1), date(y, month, day)
    except ValueError:
        pass
    raise ValueError(f"unknown period {period!r}: use 'all', 'last12', 'YYYY', 'YYYY-H1' or 'YYYY-Q1'")


def period_label(period: str) -> str:
    """"all time", "the last 12 months", "2025", "H1 2025", "Q3 2025"; an unknown code as it is."""
    if period == ALL_TIME:
        return "all time"
    if period == "last12":
        return "the last 12 months"
    if len(period) == 4:
        return period
    y, _, part = period.partition("-")
    return f"{part} {y}" if part else period


def period_choices(first_year: int, last_year: int) -> list[str]:
    """Period codes offered in the selector, newest first."""
    out = [ALL_TIME, "last12"]
    for y in range(last_year, first_year - 1, -1):
        out.append(f"{y:04d}")
        out += [f"{y:04d}-H2", f"{y:04d}-H1"]
        out += [f"{y:04d}-Q{q}" for q in (4, 3, 2, 1)]
    return out


# --------------------------------------------------------------------------------------
def _join(items: list[str], word: str = "or") -> str:
    if len(items) <= 1:
        return "".join(items)
    if len(items) > 4:
        return ", ".join(items[:3]) + f" and {len(items) - 3} more"
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def describe(f: Filters, *, country_names: Mapping[str, str] | None = None,
             partner_names: Mapping[str, str] | None = None) -> str:
    """The active filters in one plain sentence."""
    cn = country_names or {}
    pn = partner_names or {}
    who = {"both": "Both collaboratives", "gender": "The gender data collaborative",
           "lnob": "The LNOB data collaborative"}[f.collab]
    parts = [who]
    if f.partners:
        parts.append(f"partners {_join([pn.get(p, p) for p in f.partners])}")
    where = []
    if f.countries:
        where.append(_join([cn.get(c, c) for c in f.countries]))
    if f.regions:
        where.append(f"region {_join(list(f.regions))}")
    if f.income:
        where.append(_join([i.lower() for i in f.income]) + " countries")
    if f.groups:
        where.append(_join([g.upper() for g in f.groups]))
    sentence = ", ".join(parts)
    sentence += " — " + ("countries in " + "; ".join(where) if where else "all countries")
    if f.tool_kinds:
        sentence += f" — tools of kind {_join(list(f.tool_kinds))}"
    sentence += f" — {period_label(f.period)}"
    if f.lens:
        sentence += f" — my partner: {pn.get(f.lens, f.lens)}"
    return sentence + "."
