"""What the Overlap page shows: who works where, partner pairs, tools, coordination
opportunities and gaps, as readable frames, heatmap views and notes.

:func:`overlap_view` reads through :mod:`collab_data.queries.overlap` and shapes the
result; the page only draws it (charts come from the pure builders of
:mod:`collab_data.charts.overlap`). No cell a person reads holds None, nan or a code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import altair as alt
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
#: Partner names listed in a table cell before "and N more" (the CSV lists every one).
CELL_NAMES = 8


def short_list(text: str, n: int = CELL_NAMES, sep: str = "; ") -> str:
    """"A; B; C; … and 12 more": the first ``n`` names of a list, so a cell stays readable
    with hundreds of partners (the CSV keeps the whole list)."""
    names = str(text).split(sep)
    return text if len(names) <= n else sep.join(names[:n]) + f" and {len(names) - n} more"


@dataclass(frozen=True)
class Section:
    """One part of the page: a caption, what it draws, its CSV and, when empty, why."""

    caption: str = ""
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    note: str | None = None
    empty: tuple[str, str] | None = None
    #: the CSV when it holds more than the table on screen (e.g. every partner of a long list)
    csv: pd.DataFrame | None = None

    @property
    def export(self) -> pd.DataFrame:
        """What the download holds: :attr:`csv`, else the table shown."""
        return self.table if self.csv is None else self.csv


@dataclass(frozen=True)
class OverlapView:
    has_programmes: bool
    partner_country: Section = Section()
    partner_country_matrix: charts.MatrixView | None = None
    pairs: Section = Section()
    pairs_raw: pd.DataFrame = field(default_factory=pd.DataFrame)  # the cells drawn (bounded), not all pairs
    pair_order: tuple[str, ...] = ()
    pair_caption: str = ""
    tool_country: Section = Section()
    tool_country_matrix: charts.MatrixView | None = None
    opportunities: Section = Section()
    gaps: Section = Section()
    single_partner: str | None = None  # the one partner the Partners filter leaves, if only one


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun if n != 1 else noun.rstrip('s')}"


def _shown(view: charts.MatrixView, noun: str, pinned: tuple[str, ...] = ()) -> str:
    """The stated rule of a capped heatmap, e.g. "the 40 of 1,500 partners ..., the top 25 of 51 countries"."""
    rows = (f"the {view.shown_rows:,} of {view.total_rows:,} {noun} with the most programmes"
            if view.other_row else f"all {_count(view.shown_rows, noun)}")
    if pinned and view.other_row:
        rows += f" (with {len(pinned)} chosen in the search)"
    cols = (f"the top {view.shown_cols:,} of {view.total_cols:,} countries by programmes" if view.is_cut
            else ("the one country" if view.total_cols == 1 else f"all {view.total_cols:,} countries"))
    return f"{rows}, {cols}"


def _others(view: charts.MatrixView, noun: str = "partner") -> str:
    """What the grey summary says, when there is one."""
    if view.other_row and view.other_col:
        return (f"Grey “All others” row and column: the programmes of every {noun} or country not shown, so each "
                "row and column still adds up. ")
    if view.other_row or view.other_col:
        return f"Grey “All others” {'row' if view.other_row else 'column'}: the rest, summed, so totals still add up. "
    return ""


def _memo(db: Database, name: str, args: tuple, make):
    """The shaped heatmaps through :meth:`Database.recall`, so the page's view and its cached
    chart specs (built apart, see runtime.cached_spec) share one run of the SQL on a cold load."""
    return db.recall("overlap." + name, args, make)


def _q(db: Database, fn, *args):
    """A query of this page through the memo: reruns that change only the order (or the
    pair metric) reuse the SQL results."""
    return _memo(db, "q." + fn.__name__, args, lambda: fn(db, *args))


def partner_country_matrix(db: Database, f: Filters, top_n: int = 25, order: str = "similarity",
                           pinned: tuple[str, ...] = ()) -> charts.MatrixView:
    """Partners x countries as drawn: the top rows and columns (cut in SQL), ordered, with "All others"."""
    f = f.without_lens
    return _memo(db, "pc", (f, top_n, order, pinned), lambda: charts.capped_view(
        _q(db, Q.partner_country_capped, f, top_n, Q.MAX_ROWS, pinned),
        row="partner", col="country", value="programmes", order=order))


def tool_country_matrix(db: Database, f: Filters, top_n: int = 25, order: str = "similarity") -> charts.MatrixView:
    """Tools x countries as drawn (cut in SQL), ordered, with "All others"."""
    f = f.without_lens
    return _memo(db, "tc", (f, top_n, order), lambda: charts.capped_view(
        _q(db, Q.tool_country_capped, f, top_n), row="tool", col="country", value="programmes", order=order))


def pair_cells(db: Database, f: Filters, order: str = "similarity",
               pinned: tuple[str, ...] = ()) -> tuple[pd.DataFrame, tuple[str, ...], int]:
    """The partner x partner heatmap: (cells without the diagonal, axis order, partners in view).

    The partners shown are the ``MAX_ROWS`` with the most countries in view (plus
    ``pinned``); seriation runs on their matrix only; "All others" is last.
    """
    f = f.without_lens

    def make():
        m = _q(db, Q.pair_matrix, f, Q.MAX_ROWS, pinned)
        if m.empty:
            return m, (), 0
        diag = m[m["partner_a_id"] == m["partner_b_id"]]
        shown = diag.loc[~diag["other_a"], "partner_a"].tolist()
        others = diag.loc[diag["other_a"], "partner_a"].tolist()
        pairs = m[m["partner_a_id"] != m["partner_b_id"]]
        inner = pairs[~pairs["other_a"] & ~pairs["other_b"]]
        own = diag[~diag["other_a"]][["partner_a", "countries_a"]]
        axis = charts.pair_order(pd.concat([inner, own.assign(partner_b=own["partner_a"], shared_countries=0)]),
                                 shown, order) if shown else []
        cells = pairs.assign(summary=pairs["other_a"] | pairs["other_b"]).reset_index(drop=True)
        return cells, tuple(axis + others), int(m["total_partners"].iloc[0])

    return _memo(db, "pp", (f, order, pinned), make)


# -- chart builders (module-level, small hashable arguments: cached with runtime.cached_spec)
def partner_country_chart(db: Database, f: Filters, top_n: int = 25, order: str = "similarity",
                          pinned: tuple[str, ...] = ()) -> alt.Chart:
    return charts.partner_country_heatmap(partner_country_matrix(db, f, top_n, order, pinned))


def tool_country_chart(db: Database, f: Filters, top_n: int = 25, order: str = "similarity") -> alt.Chart:
    return charts.tool_country_heatmap(tool_country_matrix(db, f, top_n, order))


def pair_chart(db: Database, f: Filters, metric: str = "shared_countries", order: str = "similarity",
               pinned: tuple[str, ...] = ()) -> alt.Chart:
    cells, axis, _ = pair_cells(db, f, order, pinned)
    return charts.partner_pair_heatmap(cells, metric, list(axis))


def partner_choices(db: Database, f: Filters) -> list[str]:
    """Partners a person can add to the heatmaps (every partner in view, most countries first)."""
    return Q.partners_in_view(db, f.without_lens)


def has_programmes(db: Database) -> bool:
    """Whether any country programme is recorded at all (else the page explains how to add them)."""
    return bool(queries.collab_counts(db).get("programs"))


#: The heatmap tabs of the page: key -> label (the label is what the address holds).
TABS = {"pc": "🤝 Partners × countries", "pp": "🔗 Partner × partner", "tc": "🧰 Tools × countries"}


def overlap_view(db: Database, f: Filters, top_n: int = 25, order: str = "similarity",
                 pinned: tuple[str, ...] = (), tab: str | None = None) -> OverlapView:
    """Everything the Overlap page shows under ``f`` (the lens is drawn apart: see views.lens).

    ``tab`` (a key of :data:`TABS`): only that heatmap is worked out (the page draws only the
    open tab); its other sections are left empty. None: all three.

    Heatmaps are bounded: at most ``Q.MAX_ROWS`` rows (plus the ``pinned`` partners) and
    ``top_n`` (at most ``Q.MAX_COLS``) columns, the rest in an "All others" row and column;
    the CSV tables hold the full matrices (partner x country, tool x country) and the top
    ``Q.TOP_PAIRS`` pairs of every partner shown.
    """
    lens, f = f.lens, f.without_lens
    top_n = max(1, min(int(top_n or Q.MAX_COLS), Q.MAX_COLS))
    pinned = tuple(pinned)[: Q.MAX_PINNED]
    if not queries.collab_counts(db).get("programs"):
        return OverlapView(has_programmes=False)
    pc = _q(db, Q.partner_country, f)  # the full matrix, long form: the CSV (and who is in view)

    # Partners x countries
    if pc.empty:
        pc_section, pc_view = Section(empty=("No programmes match the filters.", NO_MATCH_HOW)), None
    elif tab not in (None, "pc"):
        pc_section, pc_view = Section(), None
    else:
        pc_view = partner_country_matrix(db, f, top_n, order, pinned)
        shown = _shown(pc_view, "partners", pinned)
        table = pc.rename(columns={"partner": "Partner", "partner_name": "Partner name", "country": "Country",
                                   "iso3": "ISO3", "programmes": "Programmes"})
        pc_section = Section(
            caption=f"Number of programmes of each partner in each country, in view: {shown}. "
                    + _others(pc_view) + "An empty cell: no programme. Hover a cell for details; add a partner with "
                    "the search above. The CSV has every partner and country.",
            table=table[["Partner", "Partner name", "Country", "ISO3", "Programmes"]].reset_index(drop=True),
            note=f"Every partner and country in view (the heatmap shows {shown}). "
                 "Pairs without a programme are not listed.")

    # Partner x partner
    single = None
    if len(pc) and pc["partner"].nunique() == 1:
        single = str(pc["partner"].iloc[0])
    if single and lens == pc["partner_id"].iloc[0]:
        hint = f"Only {single} is in view here: who else works where it works is listed under **My partner** above."
    elif single:
        hint = (f"Only {single} is in view. To see who else works where {single} works, choose it as "
                "**My partner** in the sidebar instead of narrowing Partners to it.")
    want = set(TABS) if tab is None else {tab}
    cells, order_list, n_partners = (pair_cells(db, f, order, pinned) if len(pc) and "pp" in want
                                     else (pd.DataFrame(), (), 0))
    top = _q(db, Q.top_pairs, f, Q.TOP_PAIRS, Q.MAX_ROWS, pinned) if len(cells) else pd.DataFrame()
    pair_caption = ""
    if "pp" not in want:
        pairs_section, order_list = Section(), ()
    elif top.empty:
        how = hint if single else NO_MATCH_HOW
        pairs_section, order_list = Section(empty=("No two partners share a country within the filters.", how)), ()
    else:
        n_shown = len(order_list) - sum(1 for p in order_list if p.startswith("All others"))
        rule = (f"the {n_shown:,} of {n_partners:,} partners with the most countries in view"
                + (f" (with {len(pinned)} chosen in the search)" if pinned else "")
                + "; grey “All others”: every other partner taken together (a country is shared with them when "
                  "any of them works there)") if n_shown < n_partners else f"all {n_partners:,} partners in view"
        pair_caption = (f"Countries where both partners have a programme in view (all countries, not only the top N), "
                        f"for {rule}. The diagonal and pairs without a shared country are empty.")
        table = top.rename(columns={
            "partner_a": "Partner", "rank": "Rank", "partner_b": "With partner", "shared_countries": "Shared countries",
            "jaccard": "Jaccard similarity", "countries_a": "Countries of partner",
            "countries_b": "Countries of the other partner", "either_countries": "Countries of either",
            "shared_names": "Shared countries (names)"})
        pairs_section = Section(
            caption=f"Top pairs: for each partner shown, the {Q.TOP_PAIRS} partners in view (all {n_partners:,}, not "
                    "only those shown) with the most shared countries, then the highest Jaccard similarity.",
            table=table[["Partner", "Rank", "With partner", "Shared countries", "Countries of partner",
                         "Countries of the other partner", "Countries of either", "Jaccard similarity",
                         "Shared countries (names)"]].reset_index(drop=True),
            note=f"The {Q.TOP_PAIRS} partners sharing the most countries with each partner shown. Any other pair can "
                 "be worked out from the partner x country CSV, which lists every partner and country in view.")

    # Tools x countries
    tc = _q(db, Q.tool_country, f) if "tc" in want else pd.DataFrame()  # the full matrix: the CSV
    if "tc" not in want:
        tc_section, tc_view = Section(), None
    elif tc.empty:
        tc_section, tc_view = Section(empty=("No programme in view uses one of the partners' tools.", NO_MATCH_HOW)), None
    else:
        tc_view = tool_country_matrix(db, f, top_n, order)
        shown = _shown(tc_view, "tools")
        table = tc.rename(columns={"tool": "Tool", "kind": "Kind", "country": "Country", "iso3": "ISO3",
                                   "programmes": "Programmes", "partners": "Partners"})
        table = table[["Tool", "Kind", "Country", "ISO3", "Programmes", "Partners"]].reset_index(drop=True)
        table["Kind"] = table["Kind"].map(lambda k: k.capitalize() if isinstance(k, str) else MISSING)
        tc_section = Section(
            caption=f"Number of programmes using each tool in each country, in view: {shown}. "
                    + _others(tc_view, "tool") + "An empty cell: the tool is not used there. The CSV has every tool and "
                    "country.",
            table=table, note=f"Every tool and country in view (the heatmap shows {shown}). "
                              "Pairs without a programme are not listed.")

    # Coordination opportunities
    opp = _q(db, Q.coordination_opportunities, f)
    opp_csv = pd.DataFrame({
        "Country": opp["country"], "ISO3": opp["iso3"],
        "Shared": opp["basis"].map({"Topic": "Topic", "LNOB dimension": "Dimension"}),
        "Topic or LNOB dimension": opp["theme"], "Partners": opp["partners"],
        "Partners (n)": opp["n_partners"].astype(int), "Programmes": opp["programmes"].astype(int),
    }).reset_index(drop=True)
    opp_table = opp_csv.assign(Partners=[short_list(t) for t in opp_csv["Partners"]])
    opp_how = hint if single else NO_MATCH_HOW
    opp_section = Section(
        caption="Countries where two or more partners work on the same topic of their programmes, or on the same "
                "LNOB dimension (the dimensions addressed by the tools their programmes use). Most partners first.",
        table=opp_table, csv=opp_csv if (opp_csv["Partners"] != opp_table["Partners"]).any() else None,
        empty=None if len(opp_table) else (
            "No country has two or more partners on the same topic or LNOB dimension within the filters.", opp_how))

    # Gaps
    gaps = _q(db, Q.gaps, f)
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

    return OverlapView(True, pc_section, pc_view, pairs_section, cells, tuple(order_list), pair_caption, tc_section,
                       tc_view, opp_section, gaps_section, single)


def opportunities_for(section: Section, basis: str) -> Section:
    """The coordination opportunities on one basis ("both", "Topic" or "LNOB dimension")."""
    if basis == "both" or section.table.empty:
        return section
    short = {"Topic": "Topic", "LNOB dimension": "Dimension"}[basis]
    keep = section.table["Shared"] == short
    table = section.table[keep].reset_index(drop=True)
    csv = None if section.csv is None else section.csv[keep].reset_index(drop=True)
    empty = section.empty or (None if len(table) else (
        f"No country has two or more partners on the same {'topic' if basis == 'Topic' else basis} "
        "within the filters.", NO_MATCH_HOW))
    return Section(section.caption, table, section.note, empty, csv)
