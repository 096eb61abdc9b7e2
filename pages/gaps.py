"""Data gaps: where gender data exist for the countries in view, how they are broken down,
how open they are, and which surveys are held (real public data)."""

import pandas as pd
import streamlit as st

from collab_data import ui
from collab_data.charts import gaps as C
from collab_data.queries import gaps as Q
from collab_data.runtime import cached
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

SHOW = {"30": 30, "60": 60, "all": None}
SHOW_LABELS = {"30": "Top 30", "60": "Top 60", "all": "All"}
ORDER_LABELS = VG.ORDER_LABELS


def source_line(ids: tuple[str, ...]) -> None:
    """The source, year and licence of a section, from the indicators table."""
    src = cached(Q.indicator_sources, ids)
    parts = []
    for (source, url, licence), g in src.groupby(["source", "source_url", "licence"], dropna=False, sort=False):
        years = sorted({int(y) for y in pd.concat([g["first_year"], g["last_year"]]).dropna()})
        year = f"{years[0]}" if len(years) == 1 else f"{years[0]}–{years[-1]}" if years else "no values loaded"
        name = f"[{source}]({url})" if isinstance(url, str) and url else source
        parts.append(f"{name}; data year {year}" + (f"; {licence}" if isinstance(licence, str) and licence else ""))
    st.caption("Source: " + " · ".join(parts))


def row_controls(prefix: str, n_rows: int) -> tuple[str, int | None]:
    """Sort order and how many countries to show, for a heatmap."""
    c1, c2 = st.columns([3, 2])
    order = c1.segmented_control("Sort countries", list(ORDER_LABELS), default=VG.DEFAULT_ORDER, required=True,
                                 format_func=ORDER_LABELS.get, key=f"{prefix}_order")
    if n_rows <= min(v for v in SHOW.values() if v):
        return order or VG.DEFAULT_ORDER, None
    show = c2.segmented_control(f"Show ({n_rows} countries in view)", list(SHOW), default="30", required=True,
                                format_func=SHOW_LABELS.get, key=f"{prefix}_show")
    return order or VG.DEFAULT_ORDER, SHOW[show or "30"]


# -- partner scope ------------------------------------------------------------------
scope = cached(Q.scope_summary, f)
partner_filter = bool(f.partners) or f.collab != "both"
no_programmes = scope["programmes_total"] == 0
partner_only = st.toggle(
    "Only countries where partners in view work",
    value=partner_filter and not no_programmes,
    key=f"gaps_partner_only_{int(partner_filter)}",
    disabled=no_programmes,
    help="Keep only the countries in view where partners of the chosen collaborative / partners run a "
    "programme in the chosen period. The data-gap figures themselves are public and cover every country.",
)
if no_programmes:
    st.caption("This database holds no partner programmes yet (real reference and data-gap data only), so there are "
               "no partner countries to restrict to: every country in view is shown.")
elif partner_only:
    st.caption(f"{scope['with_programmes']} of {scope['in_scope']} countries in view host programmes of the "
               "partners in view.")
partner_only = bool(partner_only) and not no_programmes

if partner_only and scope["with_programmes"] == 0:
    ui.empty_state("No partner works in the countries in view",
                   "No programme of the partners in view runs in these countries in the chosen period. "
                   "Switch off “Only countries where partners in view work”, or widen the filters in the sidebar.")
    st.stop()
if scope["in_scope"] == 0:
    ui.empty_state("No country matches the filters", "Widen the region, income group or LNOB group in the sidebar.")
    st.stop()

tab_dims, tab_series, tab_odin, tab_surveys = st.tabs(
    ["🧩 Breakdowns by country", "📚 Minimum-set series", "🔓 ODIN coverage & openness", "📋 Surveys held"],
    key="gaps_tab", bind="query-params",
)

# -- 1. country x LNOB dimension ------------------------------------------------------
with tab_dims:
    st.subheader("How gender data are broken down, by country")
    source_line(Q.GDA_DIMENSION_INDICATORS)
    cells = cached(Q.dimension_availability, f, partner_only)
    total = int(cells["series_total"].iloc[0]) if not cells.empty else 89
    n_countries = cells["iso3"].nunique()
    measure = st.segmented_control(
        "Measure", ["count", "share"], default="count", required=True, key="gaps_dim_measure",
        format_func={"count": "Number of series", "share": f"Share of the {total} series"}.get)
    order, limit = row_controls("gaps_dim", n_countries)
    keep = C.pick_rows(cells, order=order, limit=limit)
    shown = cells.set_index("iso3").loc[keep].reset_index() if keep else cells.iloc[0:0]
    if shown.empty:
        ui.empty_state("No country in view", "Widen the filters in the sidebar.")
    else:
        st.markdown(f"For each country, how many of the **{total} series** of the UN Minimum Set of Gender "
                    "Indicators have data broken down by each dimension (any year).")
        st.altair_chart(C.dimension_heatmap(shown, measure=measure or "count", series_total=total), width="stretch")
        no_data = shown.loc[shown["status"] == "no_data", "iso3"].nunique()
        st.caption(
            "**not disagg.** = the country has series, but none broken down by this dimension · **none** = not "
            "collected at all · **no data** = the country is not in the UNSD availability data"
            + (f" ({no_data} shown)" if no_data else "") + ". "
            + VG.sort_rule(order, "series broken down (summed over the five dimensions)"))
        table = C.dimension_table(shown, series_total=total)
        ui.download(table, label="Download these cells (CSV)", file_stem="data_gaps_breakdowns",
                    title="Minimum-set series broken down by LNOB dimension, per country", f=f, key="dl_gaps_dims",
                    note="Source: UN Statistics Division, Minimum Set of Gender Indicators availability (2021 vintage)")

# -- 2. series browser ----------------------------------------------------------------
with tab_series:
    st.subheader("The minimum-set series: who has data, how recent")
    source_line(("gda_pct_any", "gda_pct_recent"))
    catalogue = cached(Q.minset_series)
    labels = {r.series_id: f"{r.indicator_label} · {r.series_desc}" for r in catalogue.itertuples()}
    series_id = st.selectbox("Series", list(labels), format_func=labels.get, key="gaps_series", bind="query-params",
                             help="The 89 series of the UN Minimum Set of Gender Indicators.")
    if series_id:
        row = catalogue.set_index("series_id").loc[series_id]
        st.caption(f"Indicator {row['indicator_label']}: {row['indicator_desc']}")
        have = cached(Q.series_countries, f, series_id, partner_only)
        in_scope = scope["with_programmes"] if partner_only else scope["in_scope"]
        recent = int((have["n_years_last5"].fillna(0) > 0).sum())
        observed = have.loc[have["max_year"] <= Q.GDA_VINTAGE_YEAR, "max_year"]
        m1, m2, m3, m4 = st.columns(4)
        m1.metric("Countries in view", in_scope)
        m2.metric("With any data", len(have))
        m3.metric("With data in the last 5 years", recent)
        m4.metric("Latest observed year", int(observed.max()) if not observed.empty else "–")
        if have.empty:
            ui.empty_state("No country in view has data for this series",
                           "Pick another series, or widen the filters in the sidebar.")
        else:
            projected = int((have["max_year"] > Q.GDA_VINTAGE_YEAR).sum())
            st.altair_chart(C.latest_year_chart(have, vintage=Q.GDA_VINTAGE_YEAR), width="stretch")
            st.caption(f"The source is the {Q.GDA_VINTAGE_YEAR} vintage: a latest year after {Q.GDA_VINTAGE_YEAR} "
                       f"is a modelled projection, not an observation ({projected} countries here). "
                       "“Last 5 years” is counted by UNSD in that vintage.")
            stable = C.series_table(have)
            st.dataframe(stable, placeholder="—", hide_index=True, height=min(38 + 35 * len(stable), 420))
            ui.download(stable, label="Download this list (CSV)", file_stem=f"data_gaps_series_{series_id}",
                        title=f"Countries with data: {labels[series_id]}", f=f, key="dl_gaps_series")
    st.markdown("##### All series: countries in view with data")
    overview = C.series_overview_table(cached(Q.series_overview, f, partner_only))
    st.dataframe(
        overview, placeholder="—", hide_index=True, height=420,
        column_config={"Share of countries in scope (%)": st.column_config.ProgressColumn(
            "Share of countries in view", min_value=0, max_value=100, format="%.0f%%"),
            "Series": st.column_config.TextColumn(width="large")},
    )
    ui.download(overview, label="Download all series (CSV)", file_stem="data_gaps_minset_series",
                title="Minimum Set of Gender Indicators: countries in view with data, per series", f=f,
                key="dl_gaps_overview")

# -- 3. ODIN --------------------------------------------------------------------------
with tab_odin:
    st.subheader("Gender statistics: coverage against openness")
    source_line(Q.ODIN_INDICATORS)
    odin = cached(Q.odin_scores, f, partner_only)
    missing = cached(Q.countries_without, f, Q.ODIN_INDICATORS, partner_only)
    y = st.segmented_control("Compare coverage with", ["openness", "overall"], default="openness", required=True,
                             key="gaps_odin_y",
                             format_func={"openness": "Gender statistics openness",
                                          "overall": "ODIN overall score"}.get) or "openness"
    if odin.empty:
        ui.empty_state("ODIN 2022 did not assess any country in view", "Widen the filters in the sidebar.")
    else:
        st.altair_chart(C.odin_chart(odin, y=y), width="stretch")
        strip = C.odin_strip(odin) if y == "openness" else None
        if strip is not None:
            st.altair_chart(strip, width="stretch")
        apart = int((odin["openness_status"] == "not_published").sum())
        st.caption(
            "Coverage and openness are ODIN sub-scores (0–100) of the “Gender statistics” element; countries with "
            "the same scores are spread slightly around their point (hover for the values). "
            + (f"{C.plural(apart, 'country', 'countries')} with no gender statistics found (coverage 0): openness "
               "cannot be assessed there, so they are listed apart, not drawn at 0. " if apart and y == "openness" else "")
            + (f"{C.plural(len(missing), 'country', 'countries')} in view not in ODIN 2022." if len(missing) else ""))
        if len(missing):
            with st.expander(f"Countries in view not assessed by ODIN 2022 ({len(missing)})"):
                st.write(", ".join(missing["country"]))
        otable = C.odin_table(odin)
        with st.expander("Table of the scores"):
            st.dataframe(otable, placeholder="—", hide_index=True)
        ui.download(otable, label="Download the scores (CSV)", file_stem="data_gaps_odin",
                    title="ODIN 2022: gender statistics coverage and openness, overall score", f=f, key="dl_gaps_odin")

# -- 4. surveys -----------------------------------------------------------------------
with tab_surveys:
    st.subheader("Surveys held, by type")
    source_line(tuple(f"gdc_surveys_{k}" for k in Q.SURVEY_TYPES))
    surveys = cached(Q.survey_availability, f, partner_only)
    order, limit = row_controls("gaps_srv", surveys["iso3"].nunique())
    keep = C.pick_rows(surveys, order=order, limit=limit)
    sshown = surveys.set_index("iso3").loc[keep].reset_index() if keep else surveys.iloc[0:0]
    if sshown.empty:
        ui.empty_state("No country in view", "Widen the filters in the sidebar.")
    else:
        st.markdown("Surveys held in the reference period, per type (Gender Data Compass). Hover for the share "
                    "of the Compass standard met.")
        st.altair_chart(C.survey_heatmap(sshown), width="stretch")
        st.caption("**none held** = the source lists the country with no survey of this type · **no data** = the "
                   "country is not in the Gender Data Compass. " + VG.sort_rule(order, "surveys held (all types)"))
        ui.download(C.survey_table(sshown), label="Download these cells (CSV)", file_stem="data_gaps_surveys",
                    title="Gender Data Compass: surveys held by type, per country", f=f, key="dl_gaps_surveys")
