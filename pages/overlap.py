"""Overlap: where partners work side by side (a chance to coordinate) and where nobody does."""

import pandas as pd
import streamlit as st

from collab_data import queries, ui
from collab_data.charts import overlap as charts
from collab_data.queries import overlap as Q
from collab_data.runtime import cached

ui.require_router()
f = ui.current_filters()
ui.page_header(
    "Overlap", f,
    caption="Where partners work in the same countries — a chance to coordinate — and which low- and "
            "middle-income countries with little gender data have at most one partner.",
)

TOP_CHOICES = ["15", "25", "40", "All"]
NO_MATCH_HOW = "Widen the filters in the sidebar (or press **Reset filters**) to see more programmes."

counts = cached(queries.collab_counts)
if not counts.get("programs"):
    ui.empty_state("No country programmes are recorded yet, so there is no overlap to show.", ui.NO_COLLAB_DATA_HOW)
    st.stop()

pc = cached(Q.partner_country, f)
tc = cached(Q.tool_country, f)
pairs = cached(Q.partner_pairs, f)

# ----------------------------------------------------------------------------------------
st.header("Who works where", divider="gray")
controls = st.container(horizontal=True, gap="large")
c1 = c2 = controls
top = c1.segmented_control(
    "Countries shown", TOP_CHOICES, default="25", key="ov_top", bind="query-params",
    format_func=lambda t: "All" if t == "All" else f"Top {t}",
    help="The countries with the most programmes in view; choose All to see every country.",
) or "25"
order = c2.segmented_control(
    "Order rows and columns", list(charts.ORDER_CHOICES), default="similarity", key="ov_order",
    bind="query-params", format_func=charts.ORDER_CHOICES.get,
    help="Similar together: partners that work in the same countries sit next to each other (first axis of a "
         "correspondence analysis). Largest first: by number of programmes.",
) or "similarity"
top_n = None if top == "All" else int(top)

tab_pc, tab_pp, tab_tc = st.tabs(["🤝 Partners × countries", "🔗 Partner × partner", "🧰 Tools × countries"])

with tab_pc:
    if pc.empty:
        ui.empty_state("No programmes match the filters.", NO_MATCH_HOW)
    else:
        view = charts.partner_country_view(pc, top_n, order)
        shown = f"the top {len(view.cols)} of {view.total_cols} countries" if view.is_cut else f"all {view.total_cols} countries"
        st.caption(f"Number of programmes of each partner in each country ({shown} by number of programmes). "
                   "An empty cell: no programme. Hover a cell for details; scroll sideways for more countries.")
        with st.container(height=charts.heatmap_height(view.rows, view.cols), border=False):
            st.altair_chart(charts.partner_country_heatmap(view), width="content")
        table = view.cells.rename(columns={"partner": "Partner", "partner_name": "Partner name", "country": "Country",
                                           "iso3": "ISO3", "programmes": "Programmes"})
        table = table[["Partner", "Partner name", "Country", "ISO3", "Programmes"]]
        ui.download(table, label="Download partner × country (CSV)", file_stem="overlap_partner_country",
                    title="Programmes per partner and country", f=f, key="dl_ov_pc",
                    note=f"Countries shown: {shown}. Pairs without a programme are not listed.")

with tab_pp:
    if pairs.empty:
        ui.empty_state("No two partners share a country within the filters.", NO_MATCH_HOW)
    else:
        metric = st.segmented_control(
            "Cell value", list(charts.PAIR_METRICS), default="shared_countries", key="ov_pair",
            bind="query-params", format_func=charts.PAIR_METRICS.get,
            help="Shared countries: countries where both partners have a programme. Jaccard similarity: shared "
                 "countries divided by the countries of either partner (1 = exactly the same countries).",
        ) or "shared_countries"
        partner_order = charts.pair_order(pairs, sorted(pc["partner"].unique()), order)
        st.caption("Countries where both partners have a programme in view (all countries, not only the top N). "
                   "The diagonal and pairs without a shared country are empty.")
        with st.container(height=charts.heatmap_height(partner_order, partner_order, cell=charts.PAIR_CELL),
                          border=False):
            st.altair_chart(charts.partner_pair_heatmap(pairs, metric, partner_order), width="content")
        table = pairs.rename(columns={
            "partner_a": "Partner", "partner_b": "With partner", "shared_countries": "Shared countries",
            "jaccard": "Jaccard similarity", "countries_a": "Countries of partner",
            "countries_b": "Countries of the other partner", "either_countries": "Countries of either",
            "shared_names": "Shared countries (names)"})
        table = table[["Partner", "With partner", "Shared countries", "Countries of partner",
                       "Countries of the other partner", "Countries of either", "Jaccard similarity",
                       "Shared countries (names)"]]
        ui.download(table, label="Download partner pairs (CSV)", file_stem="overlap_partner_pairs",
                    title="Shared countries and Jaccard similarity of partner pairs", f=f, key="dl_ov_pp")

with tab_tc:
    if tc.empty:
        ui.empty_state("No programme in view uses one of the partners' tools.", NO_MATCH_HOW)
    else:
        view = charts.tool_country_view(tc, top_n, order)
        shown = f"the top {len(view.cols)} of {view.total_cols} countries" if view.is_cut else f"all {view.total_cols} countries"
        st.caption(f"Number of programmes using each tool in each country ({shown} by programmes using a tool). "
                   "An empty cell: the tool is not used there.")
        with st.container(height=charts.heatmap_height(view.rows, view.cols), border=False):
            st.altair_chart(charts.tool_country_heatmap(view), width="content")
        table = view.cells.rename(columns={"tool": "Tool", "kind": "Kind", "country": "Country", "iso3": "ISO3",
                                           "programmes": "Programmes", "partners": "Partners"})
        table = table[["Tool", "Kind", "Country", "ISO3", "Programmes", "Partners"]]
        ui.download(table, label="Download tool × country (CSV)", file_stem="overlap_tool_country",
                    title="Programmes per tool and country", f=f, key="dl_ov_tc",
                    note=f"Countries shown: {shown}. Pairs without a programme are not listed.")

# ----------------------------------------------------------------------------------------
st.header("Coordination opportunities", divider="gray")
st.caption("Countries where two or more partners work on the same topic of their programmes, or on the same "
           "LNOB dimension (the dimensions addressed by the tools their programmes use). Most partners first.")
opp = cached(Q.coordination_opportunities, f)
basis = st.segmented_control(
    "Shared", ["both", "Topic", "LNOB dimension"], default="both", key="ov_basis", bind="query-params",
    format_func=lambda b: {"both": "Topics and LNOB dimensions", "Topic": "Topics only",
                           "LNOB dimension": "LNOB dimensions only"}[b],
) or "both"
if basis != "both":
    opp = opp[opp["basis"] == basis]
if opp.empty:
    ui.empty_state("No country has two or more partners on the same topic or LNOB dimension within the filters.",
                   NO_MATCH_HOW)
else:
    table = pd.DataFrame({
        "Country": opp["country"], "ISO3": opp["iso3"],
        "Shared": opp["basis"].map({"Topic": "Topic", "LNOB dimension": "Dimension"}),
        "Topic or LNOB dimension": opp["theme"], "Partners": opp["partners"],
        "Partners (n)": opp["n_partners"], "Programmes": opp["programmes"],
    }).reset_index(drop=True)
    st.dataframe(
        table, hide_index=True, height=min(38 + 35 * len(table), 420),
        column_config={
            "Country": st.column_config.TextColumn(width=130),
            "ISO3": st.column_config.TextColumn(width=50),
            "Shared": st.column_config.TextColumn(width=90, help="Same topic of programmes, or same LNOB dimension "
                                                  "of the tools the programmes use"),
            "Topic or LNOB dimension": st.column_config.TextColumn(width=150),
            "Partners": st.column_config.TextColumn(width=205),
            "Partners (n)": st.column_config.NumberColumn(width=85),
        },
    )
    st.caption(f"{len(table)} opportunities in {table['Country'].nunique()} countries.")
    ui.download(table, label="Download coordination opportunities (CSV)", file_stem="overlap_coordination",
                title="Coordination opportunities", f=f, key="dl_ov_opp")

# ----------------------------------------------------------------------------------------
st.header("Gaps", divider="gray")
st.caption("Low- and middle-income countries with at most one partner in view, ranked by the share of the UN minimum "
           "set of gender indicators with any data (UNSD, latest year). Countries without a value are listed first "
           "as “No data” — missing is not zero.")
gaps = cached(Q.gaps, f)
if gaps.empty:
    ui.empty_state("No low- or middle-income country in view has fewer than two partners.",
                   "Every country in the filters has two or more partners, or the filters select no low- or "
                   "middle-income country. " + NO_MATCH_HOW)
else:
    table = pd.DataFrame({
        "Rank": range(1, len(gaps) + 1),
        "Country": gaps["country"],
        "ISO3": gaps["iso3"],
        "Income group": gaps["income_group"],
        "Data availability": [
            f"{v:.1f} %" if pd.notna(v) else "No data" for v in gaps["availability"]],
        "Year": [str(int(y)) if pd.notna(y) else "" for y in gaps["availability_year"]],
        "Partners": gaps["n_partners"].astype(int),
        "Partner names": gaps["partners"].fillna("No partner"),
    })
    st.dataframe(
        table, hide_index=True, height=min(38 + 35 * len(table), 420),
        column_config={"Rank": st.column_config.NumberColumn(width=50),
                       "Country": st.column_config.TextColumn(width=170),
                       "ISO3": st.column_config.TextColumn(width=50),
                       "Income group": st.column_config.TextColumn(width=150),
                       "Data availability": st.column_config.TextColumn(
                           width=115, help="Share of the 89 minimum-set gender series with any data point (UNSD)"),
                       "Year": st.column_config.TextColumn(width=50),
                       "Partners": st.column_config.NumberColumn(width=70)},
    )
    missing = int(gaps["availability"].isna().sum())
    st.caption(f"{len(table)} countries, {int((gaps['n_partners'] == 0).sum())} without any partner"
               + (f"; {missing} without an availability value." if missing else "."))
    ui.download(table, label="Download gaps (CSV)", file_stem="overlap_gaps",
                title="Gaps: low- and middle-income countries with at most one partner", f=f, key="dl_ov_gaps",
                note="Gender data availability: share of the 89 minimum-set gender series with any data point (UNSD).")
