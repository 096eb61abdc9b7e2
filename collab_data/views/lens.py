"""My partner's lens: what the pages show when a partner is chosen as "my partner".

:func:`lens_view` turns the reads of :mod:`collab_data.queries.lens` into what a person
reads: frames with readable column names and no missing cells (a missing value reads
"—"), dates as "21 Sep 2026", the counts at the top, the notes that define the terms, and
a clear empty state when the partner has nothing in view. Pure apart from the reads, so
it is cached per filter value (``runtime.cached(VL.lens_view, f)``) and tested without
Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from collab_data.db import Database
from collab_data.filters import Filters
from collab_data.labels import MISSING, person_date
from collab_data.queries import lens as QL

#: What the lens reads state, in one sentence each (also the tooltips on the pages).
DEFINITIONS = {
    "countries": "Countries where {p} has a programme within the country, tool-kind and period filters "
                 "(planned programmes included).",
    "others": "Other partners with a programme there, within the collaborative, country, tool-kind and period "
              "filters. The Partners filter does not hide anyone here: the lens asks who else works there.",
    "shared": "Shared countries: {p}'s countries where the other partner also has a programme. Share of {p}'s "
              "countries = shared ÷ {p}'s countries. Ranked by shared countries, then by similarity (shared ÷ "
              "countries of either).",
    "alone": "Countries where {p} has a programme and no other partner has one in view.",
}


@dataclass(frozen=True)
class LensView:
    """What a page shows for "my partner" (``status`` says which parts there are).

    ``status``: ``"off"`` (no partner chosen), ``"unknown"`` (not a registered partner),
    ``"no_programmes"`` (registered, but no programme recorded at all), ``"none_in_view"``
    (programmes, none within the filters) or ``"ok"``. When not ok, ``empty`` holds the
    (what, how) of the empty state and the frames are empty.
    """

    status: str
    partner_id: str | None = None
    partner: str = ""
    headline: str = ""
    empty: tuple[str, str] | None = None
    figures: tuple[tuple[str, int, str], ...] = ()
    countries: pd.DataFrame = field(default_factory=pd.DataFrame)
    neighbours: pd.DataFrame = field(default_factory=pd.DataFrame)
    shared_most: pd.DataFrame = field(default_factory=pd.DataFrame)
    alone: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def _text(series: pd.Series) -> list[str]:
    return [MISSING if v is None or (not isinstance(v, str) and pd.isna(v)) or v == "" else str(v) for v in series]


def _n(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def lens_view(db: Database, f: Filters, top: int = QL.TOP_SHARED,
              per_country: int = QL.PARTNERS_PER_COUNTRY) -> LensView:
    """The lens of ``f.lens`` under the filters ``f`` (see :mod:`collab_data.queries.lens`)."""
    if not f.lens:
        return LensView("off")
    info = QL.lens_partner(db, f.lens)
    if info.empty:
        return LensView("unknown", f.lens, f.lens, empty=(
            f"“{f.lens}” is not a registered partner.",
            "Choose another partner under **My partner** in the sidebar (or clear it)."))
    row = info.iloc[0]
    pid, name = str(row["partner_id"]), str(row["partner"])
    if int(row["programmes"]) == 0:
        return LensView("no_programmes", pid, name, empty=(
            f"{name} has no country programme recorded yet, so there is no one to show working alongside it.",
            f"Once {name}'s country programmes are added (Manage records, or a programme file), this shows "
            "where it works, every other partner working there with their tools, the partners it shares most "
            "countries with and where it works alone."))

    countries = QL.lens_countries(db, f, pid)
    if countries.empty:
        return LensView("none_in_view", pid, name, empty=(
            f"{name} has no programme within the country, tool-kind and period filters.",
            f"{name} has {_n(int(row['programmes']), 'programme')} in all. Widen the countries, tool kinds or "
            "period in the sidebar (or press **Reset filters**) to see where it works."))

    neighbours = QL.lens_neighbours(db, f, pid, per_country)
    shared = QL.lens_shared_most(db, f, pid, top)
    n_countries = len(countries)
    together = countries[countries["n_others"] > 0]
    alone = countries[countries["n_others"] == 0]
    n_partners = int(shared["candidates"].iloc[0]) if len(shared) else 0

    mine_col, tools_col = f"Programmes of {name}", f"Tools of {name} there"
    countries_table = pd.DataFrame({
        "Country": countries["country"],
        mine_col: countries["programmes"].astype(int),
        tools_col: _text(countries["tools"]),
        "Other partners (n)": countries["n_others"].astype(int),
        "Other partners there": [
            "None: works alone" if n == 0 else o + (f" and {n - k} more" if n > k else "")
            for n, k, o in zip(countries["n_others"], countries["n_named"], countries["others"].fillna(""))],
        "ISO3": countries["iso3"],
    }).reset_index(drop=True)

    neighbours_table = pd.DataFrame({
        "Country": neighbours["country"],
        "Other partner": neighbours["partner"],
        "Their programmes there": neighbours["programmes"].astype(int),
        "Their tools used there": _text(neighbours["tools"]),
    }).reset_index(drop=True)

    shared_table = pd.DataFrame({
        "Rank": shared["rank"].astype(int),
        "Partner": shared["partner"],
        "Shared countries": shared["shared"].astype(int),
        f"Share of {name}'s countries": [f"{100 * s / m:.0f} %" for s, m in zip(shared["shared"], shared["mine"])],
        "Their countries": shared["theirs"].astype(int),
        "Similarity (Jaccard)": shared["jaccard"].round(2),
        "Which": shared["shared_names"],
    }).reset_index(drop=True)

    alone_table = pd.DataFrame({
        "Country": alone["country"],
        "Income group": _text(alone["income_group"]),
        mine_col: alone["programmes"].astype(int),
        tools_col: _text(alone["tools"]),
        "First programme starts": [person_date(d) for d in alone["since"]],
        "ISO3": alone["iso3"],
    }).reset_index(drop=True)

    headline = (f"{name} works in {_n(n_countries, 'country', 'countries')} in view: in "
                f"{len(together)} of them alongside other partners ({_n(n_partners, 'partner')} in all), in "
                f"{len(alone)} alone.")
    notes = [DEFINITIONS["others"]]
    cut = neighbours.drop_duplicates("iso3")
    cut = cut[cut["n_others"] > per_country]
    if len(cut):
        notes.append(f"In {_n(len(cut), 'country', 'countries')} more than {per_country} other partners work: the "
                     f"table lists the {per_country} with most programmes there; the count gives them all.")
    if n_partners > len(shared_table):
        notes.append(f"The {len(shared_table)} partners sharing most countries are listed, of {n_partners} that "
                     "share at least one.")
    if f.partners:
        notes.append("The Partners filter narrows the rest of the page, not this lens.")
    figures = (
        ("Countries", n_countries, DEFINITIONS["countries"].format(p=name)),
        ("With other partners", len(together), "Countries where at least one other partner also works."),
        ("Works alone", len(alone), DEFINITIONS["alone"].format(p=name)),
        ("Other partners there", n_partners, DEFINITIONS["others"]),
    )
    return LensView("ok", pid, name, headline=headline, figures=figures, countries=countries_table,
                    neighbours=neighbours_table, shared_most=shared_table, alone=alone_table, notes=tuple(notes))


def partner_label(db: Database, partner_id: str) -> str:
    """A partner's acronym (or name); the id itself when it is not registered."""
    info = QL.lens_partner(db, partner_id)
    return str(info["partner"].iloc[0]) if len(info) else partner_id


def in_country(view: LensView, country: str) -> str | None:
    """One sentence on the lens partner in one country (for a country profile), or None without a lens."""
    if view.status == "off":
        return None
    if not view.ok:
        return f"My partner {view.partner}: no programme within the filters."
    here = view.countries[view.countries["Country"] == country]
    if here.empty:
        return f"My partner {view.partner} has no programme in {country} within the filters."
    n = int(here["Other partners (n)"].iloc[0])
    if n == 0:
        return f"My partner {view.partner} works in {country} alone: no other partner has a programme here."
    return (f"My partner {view.partner} works in {country} with {_n(n, 'other partner')}: "
            f"{here['Other partners there'].iloc[0]}.")
