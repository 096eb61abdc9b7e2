"""What the Overlap page shows: who works where, partner pairs, tools, coordination
opportunities and gaps, as readable frames, heatmap views and notes.

:func:`overlap_view` reads through :mod:`collab_data.queries.overlap` and shapes the
result; the page only draws it (charts come from the pure builders of
:mod:`collab_data.charts.overlap`). No cell a person reads holds None, nan or a code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from collab_data import queries
from collab_data.charts import overlap as charts
from collab_data.db import Database
from collab_data.filters import Filters
from collab_data.labels import MISSING
from collab_data.queries import overlap as Q

NO_MATCH_HOW = "Widen the filters in the sidebar (or press **Reset filters**) to see more programmes."
BASIS_CHOICES = {"both": "Topics and LNOB dimensions", "Topic": "Topics only", "LNOB dimension": "LNOB dimensions only"}
AVAILABILITY_HELP = "Share of the 89 minimum-set gender series with any data point (UNSD)"


@dataclass(frozen=True)
class Section:
    """One part of the page: a caption, what it draws, its CSV and, when empty, why."""

    caption: str = ""
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    note: str | None = None
    empty: tuple[str, str] | None = None


@dataclass(frozen=True)
class OverlapView:
    has_programmes: bool
    partner_country: Section = Section()
    partner_country_matrix: charts.MatrixView | None = None
    pairs: Section = Section()
    pairs_raw: pd.DataFrame = field(default_factory=pd.DataFrame)
    pair_order: tuple[str, ...] = ()
    tool_country: Section = Section()
    tool_country_matrix: charts.MatrixView | None = None
    opportunities: Section = Section()
    gaps: Section = Section()
    single_partner: str | None = None  # the one partner the Partners filter leaves, if only one


def _shown(view: charts.MatrixView) -> str:
    return (f"the top {len(view.cols)} of {view.total_cols} countries" if view.is_cut
            else f"all {view.total_cols} countries")


def has_programmes(db: Database) -> bool:
    """Whether any country programme is recorded at all (else the page explains how to add them)."""
    return bool(queries.collab_counts(db).get("programs"))


def overlap_view(db: Database, f: Filters, top_n: int | None = 25, order: str = "similarity") -> OverlapView:
    """Everything the Overlap page shows under ``f`` (the lens is drawn apart: see views.lens)."""
    lens, f = f.lens, f.without_lens
    if not queries.collab_counts(db).get("programs"):
        return OverlapView(has_programmes=False)
    pc = Q.partner_country(db, f)
    tc = Q.tool_country(db, f)
    pairs = Q.partner_pairs(db, f)

    # Partners x countries
    if pc.empty:
        pc_section, pc_view = Section(empty=("No programmes match the filters.", NO_MATCH_HOW)), None
    else:
        pc_view = charts.partner_country_view(pc, top_n, order)
        shown = _shown(pc_view)
        table = pc_view.cells.rename(columns={"partner": "Partner", "partner_name": "Partner name", "country": "Country",
                                              "iso3": "ISO3", "programmes": "Programmes"})
        pc_section = Section(
            caption=f"Number of programmes of each partner in each country ({shown} by number of programmes). An "
                    "empty cell: no programme. Hover a cell for details; scroll sideways for more countries.",
            table=table[["Partner", "Partner name", "Country", "ISO3", "Programmes"]].reset_index(drop=True),
            note=f"Countries shown: {shown}. Pairs without a programme are not listed.")

    # Partner x partner
    single = None
    if len(pc) and pc["partner"].nunique() == 1:
        single = str(pc["partner"].iloc[0])
    if single and lens == pc["partner_id"].iloc[0]:
        hint = f"Only {single} is in view here: who else works where it works is listed under **My partner** above."
    elif single:
        hint = (f"Only {single} is in view. To see who else works where {single} works, choose it as "
                "**My partner** in the sidebar instead of narrowing Partners to it.")
    if pairs.empty:
        how = hint if single else NO_MATCH_HOW
        pairs_section, order_list = Section(empty=("No two partners share a country within the filters.", how)), ()
    else:
        order_list = tuple(charts.pair_order(pairs, sorted(pc["partner"].unique()), order))
        table = pairs.rename(columns={
            "partner_a": "Partner", "partner_b": "With partner", "shared_countries": "Shared countries",
            "jaccard": "Jaccard similarity", "countries_a": "Countries of partner",
            "countries_b": "Countries of the other partner", "either_countries": "Countries of either",
            "shared_names": "Shared countries (names)"})
        pairs_section = Section(
            caption="Countries where both partners have a programme in view (all countries, not only the top N). "
                    "The diagonal and pairs without a shared country are empty.",
            table=table[["Partner", "With partner", "Shared countries", "Countries of partner",
                         "Countries of the other partner", "Countries of either", "Jaccard similarity",
                         "Shared countries (names)"]].reset_index(drop=True))

    # Tools x countries
    if tc.empty:
        tc_section, tc_view = Section(empty=("No programme in view uses one of the partners' tools.", NO_MATCH_HOW)), None
    else:
        tc_view = charts.tool_country_view(tc, top_n, order)
        shown = _shown(tc_view)
        table = tc_view.cells.rename(columns={"tool": "Tool", "kind": "Kind", "country": "Country", "iso3": "ISO3",
                                              "programmes": "Programmes", "partners": "Partners"})
        table = table[["Tool", "Kind", "Country", "ISO3", "Programmes", "Partners"]].reset_index(drop=True)
        table["Kind"] = table["Kind"].map(lambda k: k.capitalize() if isinstance(k, str) else MISSING)
        tc_section = Section(
            caption=f"Number of programmes using each tool in each country ({shown} by programmes using a tool). "
                    "An empty cell: the tool is not used there.",
            table=table, note=f"Countries shown: {shown}. Pairs without a programme are not listed.")

    # Coordination opportunities
    opp = Q.coordination_opportunities(db, f)
    opp_table = pd.DataFrame({
        "Country": opp["country"], "ISO3": opp["iso3"],
        "Shared": opp["basis"].map({"Topic": "Topic", "LNOB dimension": "Dimension"}),
        "Topic or LNOB dimension": opp["theme"], "Partners": opp["partners"],
        "Partners (n)": opp["n_partners"].astype(int), "Programmes": opp["programmes"].astype(int),
    }).reset_index(drop=True)
    opp_how = hint if single else NO_MATCH_HOW
    opp_section = Section(
        caption="Countries where two or more partners work on the same topic of their programmes, or on the same "
                "LNOB dimension (the dimensions addressed by the tools their programmes use). Most partners first.",
        table=opp_table,
        empty=None if len(opp_table) else (
            "No country has two or more partners on the same topic or LNOB dimension within the filters.", opp_how))

    # Gaps
    gaps = Q.gaps(db, f)
    gaps_table = pd.DataFrame({
        "Rank": range(1, len(gaps) + 1),
        "Country": gaps["country"],
        "ISO3": gaps["iso3"],
        "Income group": gaps["income_group"].fillna(MISSING),
        "Data availability": [f"{v:.1f} %" if pd.notna(v) else "No data" for v in gaps["availability"]],
        "Year": [str(int(y)) if pd.notna(y) else MISSING for y in gaps["availability_year"]],
        "Partners": gaps["n_partners"].astype(int),
        "Partner names": gaps["partners"].fillna("No partner"),
    })
    if gaps.empty:
        gaps_section = Section(empty=(
            "No low- or middle-income country in view has fewer than two partners.",
            "Every country in the filters has two or more partners, or the filters select no low- or middle-income "
            "country. " + NO_MATCH_HOW))
    else:
        missing = int(gaps["availability"].isna().sum())
        gaps_section = Section(
            caption=f"{len(gaps_table)} countries, {int((gaps['n_partners'] == 0).sum())} without any partner"
                    + (f"; {missing} without an availability value." if missing else "."),
            table=gaps_table,
            note="Gender data availability: share of the 89 minimum-set gender series with any data point (UNSD).")

    return OverlapView(True, pc_section, pc_view, pairs_section, pairs, order_list, tc_section, tc_view,
                       opp_section, gaps_section, single)


def opportunities_for(section: Section, basis: str) -> Section:
    """The coordination opportunities on one basis ("both", "Topic" or "LNOB dimension")."""
    if basis == "both" or section.table.empty:
        return section
    short = {"Topic": "Topic", "LNOB dimension": "Dimension"}[basis]
    table = section.table[section.table["Shared"] == short].reset_index(drop=True)
    empty = section.empty or (None if len(table) else (
        f"No country has two or more partners on the same {'topic' if basis == 'Topic' else basis} "
        "within the filters.", NO_MATCH_HOW))
    return Section(section.caption, table, section.note, empty)
