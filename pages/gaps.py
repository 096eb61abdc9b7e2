"""Data gaps: where gender data exist for the countries in view, how they are broken down,
how open they are, and which surveys are held (real public data).

What each tab shows comes from :mod:`collab_data.views.gaps`; the charts are finished specs
cached per filters and data generation (Altair builds them once, not on every rerun)."""

import streamlit as st

from collab_data import ui
from collab_data.queries import gaps as Q
from collab_data.runtime import cached, cached_spec, show_chart
from collab_data.views import gaps as VG

ui.require_router()
f = ui.current_filters()
ui.page_header(
    "Data gaps",
    f,
    caption="Real public data for the countries in view: the UN Minimum Set of Gender Indicators (availability, "
    "2021 vintage), the Open Data Inventory 2022 and the Gender Data Compass survey counts. "
    "Missing data is never shown as zero: “No data” and “not disaggregated” have their own grey and word.",
)


def source_line(ids: tuple[str, ...]) -> None:
    st.caption(cached(VG.source_line, ids))


def row_controls(prefix: str, n_rows: int) -> tuple[str, int | None]:
    """Sort order and how many countries to show, for a heatmap."""
    c1, c2 = st.columns([3, 2])
    order = c1.segmented_control("Sort countries", list(VG.ORDER_LABELS), default=VG.DEFAULT_ORDER, required=True,
                                 format_func=VG.ORDER_LABELS.get, key=f"{prefix}_order")
    if n_rows <= min(v for v in VG.SHOW.values() if v):
        return order or VG.DEFAULT_ORDER, None
    show = c2.segmented_control(f"Show ({n_rows} countries in view)", list(VG.SHOW), default=VG.DEFAULT_SHOW,
                                required=True, format_func=VG.SHOW_LABELS.get, key=f"{prefix}_show")
    return order or VG.DEFAULT_ORDER, VG.SHOW[show or VG.DEFAULT_SHOW]


# -- partner scope ------------------------------------------------------------------
scope = cached(VG.scope, f)
partner_only = st.toggle(
    "Only countries where partners in view work",
    value=scope.partner_filter and not scope.no_programmes,
    key=f"gaps_partner_only_{int(scope.partner_filter)}",
    disabled=scope.no_programmes,
    help="Keep only the countries in view where partners of the chosen collaborative / partners run a "
    "programme in the chosen period. The data-gap figures themselves are public and cover every country.",
)
if scope.no_programmes:
    st.caption("This database holds no partner programmes yet (real reference and data-gap data only), so there are "
               "no partner countries to restrict to: every country in view is shown.")
elif partner_only:
    st.caption(f"{scope.with_programmes} of {scope.in_scope} countries in view host programmes of the "
               "partners in view.")
partner_only = bool(partner_only) and not scope.no_programmes

if partner_only and scope.with_programmes == 0:
    ui.empty_state("No partner works in the countries in view",
                   "No programme of the partners in view runs in these countries in the chosen period. "
                   "Switch off “Only countries where partners in view work”, or widen the filters in the sidebar.")
    st.stop()
if scope.in_scope == 0:
    ui.empty_state("No country matches the filters", "Widen the region, income group or LNOB group in the sidebar.")
    st.stop()

tabs, open_tab = ui.lazy_tabs(VG.TABS, key="gaps_tab")

# -- 1. country x LNOB dimension ------------------------------------------------------
def dims_tab() -> None:
    st.subheader("How gender data are broken down, by country")
    source_line(Q.GDA_DIMENSION_INDICATORS)
    rows = cached(VG.dimension_rows, f, partner_only)
    total = rows.series_total
    measure = st.segmented_control(
        "Measure", ["count", "share"], default="count", required=True, key="gaps_dim_measure",
        format_func={"count": "Number of series", "share": f"Share of the {total} series"}.get) or "count"
    order, limit = row_controls("gaps_dim", rows.countries)
    dims = cached(VG.dimensions, f, partner_only, order, limit)
    if dims.empty:
        ui.empty_state("No country in view", "Widen the filters in the sidebar.")
    else:
        st.markdown(f"For each country, how many of the **{total} series** of the UN Minimum Set of Gender "
                    "Indicators have data broken down by each dimension (any year).")
        show_chart(cached_spec(VG.dimension_chart, f, partner_only, order, limit, measure), width="stretch")
        st.caption(dims.caption)
        ui.download(dims.table, label="Download these cells (CSV)", file_stem="data_gaps_breakdowns",
                    title="Minimum-set series broken down by LNOB dimension, per country", f=f, key="dl_gaps_dims",
                    note="Source: UN Statistics Division, Minimum Set of Gender Indicators availability (2021 vintage)")

# -- 2. series browser ----------------------------------------------------------------
def series_tab() -> None:
    st.subheader("The minimum-set series: who has data, how recent")
    source_line(("gda_pct_any", "gda_pct_recent"))
    catalogue = cached(VG.series_catalogue, f, partner_only)
    labels = catalogue.labels
    series_id = st.selectbox("Series", list(labels), format_func=labels.get, key="gaps_series", bind="query-params",
                             help="The 89 series of the UN Minimum Set of Gender Indicators.")
    if series_id:
        one = cached(VG.series, f, series_id, partner_only)
        st.caption(one.indicator)
        for col, (label, value) in zip(st.columns(4), one.metrics):
            col.metric(label, value)
        if one.empty:
            ui.empty_state("No country in view has data for this series",
                           "Pick another series, or widen the filters in the sidebar.")
        else:
            show_chart(cached_spec(VG.series_chart, f, series_id, partner_only), width="stretch")
            st.caption(one.note)
            st.dataframe(one.table, placeholder="—", hide_index=True, height=min(38 + 35 * len(one.table), 420))
            ui.download(one.table, label="Download this list (CSV)", file_stem=f"data_gaps_series_{series_id}",
                        title=f"Countries with data: {labels[series_id]}", f=f, key="dl_gaps_series")
    st.markdown("##### All series: countries in view with data")
    st.dataframe(
        catalogue.overview, placeholder="—", hide_index=True, height=420,
        column_config={"Share of countries in scope (%)": st.column_config.ProgressColumn(
            "Share of countries in view", min_value=0, max_value=100, format="%.0f%%"),
            "Series": st.column_config.TextColumn(width="large")},
    )
    ui.download(catalogue.overview, label="Download all series (CSV)", file_stem="data_gaps_minset_series",
                title="Minimum Set of Gender Indicators: countries in view with data, per series", f=f,
                key="dl_gaps_overview")

# -- 3. ODIN --------------------------------------------------------------------------
def odin_tab() -> None:
    st.subheader("Gender statistics: coverage against openness")
    source_line(Q.ODIN_INDICATORS)
    odin = cached(VG.odin, f, partner_only)
    y = st.segmented_control("Compare coverage with", ["openness", "overall"], default="openness", required=True,
                             key="gaps_odin_y",
                             format_func={"openness": "Gender statistics openness",
                                          "overall": "ODIN overall score"}.get) or "openness"
    if odin.empty:
        ui.empty_state("ODIN 2022 did not assess any country in view", "Widen the filters in the sidebar.")
    else:
        show_chart(cached_spec(VG.odin_chart, f, partner_only, y), width="stretch")
        if y == "openness" and odin.has_strip:
            show_chart(cached_spec(VG.odin_strip_chart, f, partner_only), width="stretch")
        st.caption(odin.caption(y))
        if odin.missing:
            with st.expander(f"Countries in view not assessed by ODIN 2022 ({len(odin.missing)})"):
                st.write(", ".join(odin.missing))
        with st.expander("Table of the scores"):
            st.dataframe(odin.table, placeholder="—", hide_index=True)
        ui.download(odin.table, label="Download the scores (CSV)", file_stem="data_gaps_odin",
                    title="ODIN 2022: gender statistics coverage and openness, overall score", f=f, key="dl_gaps_odin")

# -- 4. surveys -----------------------------------------------------------------------
def surveys_tab() -> None:
    st.subheader("Surveys held, by type")
    source_line(tuple(f"gdc_surveys_{k}" for k in Q.SURVEY_TYPES))
    order, limit = row_controls("gaps_srv", cached(VG.survey_rows, f, partner_only).countries)
    srv = cached(VG.surveys, f, partner_only, order, limit)
    if srv.empty:
        ui.empty_state("No country in view", "Widen the filters in the sidebar.")
    else:
        st.markdown("Surveys held in the reference period, per type (Gender Data Compass). Hover for the share "
                    "of the Compass standard met.")
        show_chart(cached_spec(VG.survey_chart, f, partner_only, order, limit), width="stretch")
        st.caption(srv.caption)
        ui.download(srv.table, label="Download these cells (CSV)", file_stem="data_gaps_surveys",
                    title="Gender Data Compass: surveys held by type, per country", f=f, key="dl_gaps_surveys")


with tabs[open_tab]:
    {"dims": dims_tab, "series": series_tab, "odin": odin_tab, "surveys": surveys_tab}[open_tab]()
