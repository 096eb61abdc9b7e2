"""Overlap: where partners work side by side (a chance to coordinate) and where nobody does."""

import streamlit as st

from collab_data import lens_panel, ui
from collab_data.charts import overlap as charts
from collab_data.queries.overlap import MAX_COLS, MAX_PINNED, MAX_ROWS
from collab_data.runtime import cached, cached_spec, show_chart
from collab_data.views import overlap as VO

ui.require_router()
f = ui.current_filters()
ui.page_header(
    "Overlap", f,
    caption="Where partners work in the same countries — a chance to coordinate — and which low- and "
            "middle-income countries with little gender data have at most one partner.",
)

TOP_CHOICES = ["15", "25", str(MAX_COLS)]

if not cached(VO.has_programmes):
    ui.empty_state("No country programmes are recorded yet, so there is no overlap to show.", ui.NO_COLLAB_DATA_HOW)
    st.stop()

lens_panel.suggest(f, key="ov")
lens_panel.render(f, key="ov")


def empty(section: VO.Section) -> bool:
    if section.empty:
        ui.empty_state(*section.empty)
        return True
    return False


# ----------------------------------------------------------------------------------------
st.header("Who works where", divider="gray")
controls = st.container(horizontal=True, gap="large")
top = controls.segmented_control(
    "Countries shown", TOP_CHOICES, default="25", key="ov_top", bind="query-params",
    format_func=lambda t: f"Top {t}",
    help=f"The countries with the most programmes in view; the rest are summed in an “All others” column "
         f"(at most {MAX_COLS}, so the matrix stays readable; the CSV has every country).",
) or "25"
order = controls.segmented_control(
    "Order rows and columns", list(charts.ORDER_CHOICES), default="similarity", key="ov_order",
    bind="query-params", format_func=charts.ORDER_CHOICES.get,
    help="Similar together: partners that work in the same countries sit next to each other (first axis of a "
         "correspondence analysis). Largest first: by number of programmes.",
) or "similarity"
pinned = tuple(st.multiselect(
    "Also show partners", cached(VO.partner_choices, f.without_lens), key="ov_show", bind="query-params",
    max_selections=MAX_PINNED, placeholder="Search partners…",
    help=f"The heatmaps show the {MAX_ROWS} partners with the most programmes (partner × partner: the most "
         "countries); add any other partner in view here.",
))
top_n = int(top) if top in TOP_CHOICES else 25
fv = f.without_lens  # the heatmaps do not depend on the lens: one cached chart for every lens
tabs, open_tab = ui.lazy_tabs(VO.TABS, key="ov_tab")
view = cached(VO.overlap_view, f, top_n, order, pinned, open_tab)

with tabs["pc"]:
    s, m = view.partner_country, view.partner_country_matrix
    if open_tab == "pc" and not empty(s):
        st.caption(s.caption)
        with st.container(height=charts.heatmap_height(m.rows, m.cols), border=False):
            show_chart(cached_spec(VO.partner_country_chart, fv, top_n, order, pinned), width="content")
        ui.download(s.table, label="Download partner × country, every partner and country (CSV)",
                    file_stem="overlap_partner_country", title="Programmes per partner and country", f=f,
                    key="dl_ov_pc", note=s.note)

with tabs["pp"]:
    s = view.pairs
    if open_tab == "pp" and not empty(s):
        metric = st.segmented_control(
            "Cell value", list(charts.PAIR_METRICS), default="shared_countries", key="ov_pair",
            bind="query-params", format_func=charts.PAIR_METRICS.get,
            help="Shared countries: countries where both partners have a programme. Jaccard similarity: shared "
                 "countries divided by the countries of either partner (1 = exactly the same countries).",
        ) or "shared_countries"
        st.caption(view.pair_caption)
        order_list = list(view.pair_order)
        with st.container(height=charts.heatmap_height(order_list, order_list, cell=charts.PAIR_CELL), border=False):
            show_chart(cached_spec(VO.pair_chart, fv, metric, order, pinned), width="content")
        st.caption(s.caption)
        st.dataframe(s.table, placeholder="—", hide_index=True, height=min(38 + 35 * len(s.table), 420),
                     column_config={"Rank": st.column_config.NumberColumn(width=50),
                                    "Jaccard similarity": st.column_config.NumberColumn(format="%.2f")})
        ui.download(s.table, label="Download top pairs (CSV)", file_stem="overlap_partner_pairs",
                    title="Top pairs: shared countries and Jaccard similarity", f=f, key="dl_ov_pp", note=s.note)

with tabs["tc"]:
    s, m = view.tool_country, view.tool_country_matrix
    if open_tab == "tc" and not empty(s):
        st.caption(s.caption)
        with st.container(height=charts.heatmap_height(m.rows, m.cols), border=False):
            show_chart(cached_spec(VO.tool_country_chart, fv, top_n, order), width="content")
        ui.download(s.table, label="Download tool × country, every tool and country (CSV)",
                    file_stem="overlap_tool_country", title="Programmes per tool and country", f=f, key="dl_ov_tc",
                    note=s.note)

# ----------------------------------------------------------------------------------------
st.header("Coordination opportunities", divider="gray")
st.caption(view.opportunities.caption)
basis = st.segmented_control(
    "Shared", list(VO.BASIS_CHOICES), default="both", key="ov_basis", bind="query-params",
    format_func=VO.BASIS_CHOICES.get,
) or "both"
s = VO.opportunities_for(view.opportunities, basis)
if not empty(s):
    st.dataframe(
        s.table, placeholder="—", hide_index=True, height=min(38 + 35 * len(s.table), 420),
        column_config={
            "Country": st.column_config.TextColumn(width=130),
            "ISO3": st.column_config.TextColumn(width=50),
            "Shared": st.column_config.TextColumn(width=90, help="Same topic of programmes, or same LNOB dimension "
                                                  "of the tools the programmes use"),
            "Topic or LNOB dimension": st.column_config.TextColumn(width=150),
            "Partners": st.column_config.TextColumn(width=205, help=f"The first {VO.CELL_NAMES} partners by name "
                                                    "when there are more; the CSV lists every one."),
            "Partners (n)": st.column_config.NumberColumn(width=85),
        },
    )
    st.caption(f"{len(s.table)} opportunities in {s.table['Country'].nunique()} countries.")
    ui.download(s.export, label="Download coordination opportunities (CSV)", file_stem="overlap_coordination",
                title="Coordination opportunities", f=f, key="dl_ov_opp")

# ----------------------------------------------------------------------------------------
st.header("Gaps", divider="gray")
st.caption("Low- and middle-income countries with at most one partner in view, ranked by the share of the UN minimum "
           "set of gender indicators with any data (UNSD, latest year). Countries without a value are listed first "
           "as “No data” — missing is not zero.")
s = view.gaps
if not empty(s):
    st.dataframe(
        s.table, placeholder="—", hide_index=True, height=min(38 + 35 * len(s.table), 420),
        column_config={"Rank": st.column_config.NumberColumn(width=50),
                       "Country": st.column_config.TextColumn(width=170),
                       "ISO3": st.column_config.TextColumn(width=50),
                       "Income group": st.column_config.TextColumn(width=150),
                       "Data availability": st.column_config.TextColumn(width=115, help=VO.AVAILABILITY_HELP),
                       "Year": st.column_config.TextColumn(width=50),
                       "Partners": st.column_config.NumberColumn(width=70)},
    )
    st.caption(s.caption)
    ui.download(s.table, label="Download gaps (CSV)", file_stem="overlap_gaps",
                title="Gaps: low- and middle-income countries with at most one partner", f=f, key="dl_ov_gaps",
                note=s.note)
