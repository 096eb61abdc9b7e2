"""Countries: a map of a chosen measure, the country table, and a country's profile."""

import streamlit as st

from collab_data import lens_panel, maps, ui
from collab_data.queries import countries as QC
from collab_data.runtime import cached, cached_spec, show_chart
from collab_data.views import countries as VC
from collab_data.views import lens as VL

ui.require_router()
f = ui.current_filters()
ui.page_header(
    "Countries", f,
    caption="Where partners work and where the gender and LNOB data gaps are. "
            "Click a country on the map, or choose it below the map, to open its profile.",
)

measure_keys = list(QC.MEASURES)
measure_key = st.selectbox(
    "Measure on the map", measure_keys, index=measure_keys.index(cached(VC.default_measure)),
    key="measure", bind="query-params", format_func=lambda k: QC.MEASURES[k].label,
)
view = cached(VC.countries_view, f, measure_key)
m, rows, has_programmes, no_partner_data, running = (view.measure, view.rows, view.has_programmes,
                                                     view.no_partner_data, view.running)
st.caption(m.help)


def _on_map_select() -> None:
    """A click on the map opens that country's profile (only countries in the filters can be clicked)."""
    iso3 = maps.selected_iso3(st.session_state.get("country_map"))
    if iso3:
        st.session_state["profile"] = iso3


# Clicks on the map did not select in Chromium (Streamlit 1.67) when the map sat inside st.tabs, or below the
# legend chart: the map is not in a tab and its legend comes after it.
with st.container():
    if no_partner_data:
        ui.empty_state("No programmes of the collaboratives are recorded yet, so there is nothing to map for "
                       f"“{m.label}”. The LNOB data measures (availability, sex disaggregation, ODIN) can be mapped.",
                       ui.NO_COLLAB_DATA_HOW)
    else:
        if m.key == "underserved" and not has_programmes:
            st.info("No programmes are recorded yet, so every country counts 0 partners: the score shows the data gap only.",
                    icon="ℹ️")
        zero_apart = m.key in VC.ZERO_APART
        deck = maps.choropleth(rows, measure_label=m.label, unit=m.unit, partners_known=has_programmes,
                               show_partners=m.key != "partners", zero_apart=zero_apart, view=maps.view_for(rows))
        st.pydeck_chart(deck, on_select=_on_map_select, selection_mode="single-object", key="country_map",
                        height=maps.MAP_HEIGHT, alt=f"Map of {m.label} by country")
        show_chart(cached_spec(VC.legend_chart, f, measure_key), width="content")
        st.caption(view.notes)
    with st.expander("How the measures and the underserved score are computed"):
        st.markdown(
            f"- **Partners active**: partners with a programme in the country running {running} "
            "(planned programmes not counted); partner, collaborative and tool-kind filters apply.\n"
            "- **Programmes**: all programmes in the country running during the period, planned ones included.\n"
            "- **Tools deployed**: distinct partner tools used by those programmes (planned not counted).\n"
            "- **LNOB data availability**, **series disaggregated by sex**: UN Statistics Division, Minimum Set of "
            "Gender Indicators; **ODIN gender coverage**: Open Data Watch, ODIN 2022.\n"
            f"- **Underserved score**: `{QC.UNDERSERVED_FORMULA}`. It runs from 0 to 100: 100 is a country with no "
            "gender series at all and no partner; the data gap is divided by one more than the number of partners "
            "active, so one partner halves it and three partners quarter it. It is computed for "
            f"{QC.UNDERSERVED_SCOPE}, the collaboratives' target countries: high-income countries and territories "
            "without an income group are *not scored* (sand colour). No data when data availability is missing."
        )

shown = view.table

with st.expander(f"📋 Table of the countries: {m.label}", expanded=False):
    if no_partner_data:
        ui.empty_state("No programmes recorded yet", ui.NO_COLLAB_DATA_HOW)
    else:
        fmt = "%.1f" if m.unit != "count" else "%d"
        st.dataframe(shown, hide_index=True, width="stretch", height=420, placeholder="—",
                     column_config={m.label: st.column_config.NumberColumn(format=fmt)})
        ui.download(shown, label="Country table (CSV)", file_stem=f"countries_{m.key}",
                    title=f"Countries: {m.label}", f=f, key="dl_countries")

# --------------------------------------------------------------------------------------
# Country profile
# --------------------------------------------------------------------------------------
lens = lens_panel.render(f, key="countries")

st.header("Country profile")
names = view.scope
iso3 = st.selectbox(
    "Country", list(names), index=None, key="profile", bind="query-params",
    format_func=lambda c: names.get(c, c), placeholder="Choose a country, or click one on the map",
)

if iso3 is None:
    st.caption("Choose a country to see the partners and tools active there, its programmes, recent activities, "
               "its LNOB indicators against its region and income group, and the LNOB dimensions no partner tool covers.")
else:
    prof = cached(VC.country_profile, f, iso3)
    st.subheader(prof.name)
    st.caption(prof.facts)
    lens_line = VL.in_country(lens, prof.name)
    if lens_line:
        st.info(ui.escape(lens_line), icon="👁")
    for col, (label, value, help_text) in zip(st.columns(len(prof.figures)), prof.figures):
        col.metric(label, value, border=True, help=help_text)

    left, right = st.columns([3, 2])
    with left:
        st.markdown("#### Partners and tools active here")
        if not prof.has_programmes:
            ui.empty_state("No programmes recorded yet", ui.NO_COLLAB_DATA_HOW)
        elif prof.partners.empty:
            st.info(f"No programme of the partners in view runs in {ui.escape(prof.name)} {prof.running}.", icon="ℹ️")
        else:
            st.dataframe(prof.partners, hide_index=True, width="stretch", placeholder="—")
            ui.download(prof.partners, label="Partners (CSV)", file_stem=f"country_{iso3}_partners",
                        title=f"{prof.name}: partners and tools", f=f, key="dl_profile_partners")
    with right:
        st.markdown("#### LNOB dimensions no partner tool addresses here")
        if not prof.has_programmes or prof.programmes.empty:
            st.warning("No partner tool is in use here, so no LNOB dimension is addressed.", icon="⚠️")
        elif prof.missing_dimensions:
            st.markdown(" ".join(f":red-badge[❌ {d}]" for d in prof.missing_dimensions))
            if prof.covered_dimensions:
                st.caption("Addressed by a partner tool in use here: " + ", ".join(prof.covered_dimensions) + ".")
        else:
            st.success("Every LNOB dimension is addressed by at least one partner tool in use here.", icon="✅")
        with st.expander("All dimensions and the tools that address them"):
            st.dataframe(prof.dimensions, hide_index=True, width="stretch", placeholder="—")
            ui.download(prof.dimensions, label="Dimensions (CSV)", file_stem=f"country_{iso3}_dimensions",
                        title=f"{prof.name}: LNOB dimensions addressed by partner tools", f=f,
                        key="dl_profile_dims")

    st.markdown("#### Programmes")
    if prof.has_programmes and not prof.programmes.empty:
        st.dataframe(prof.programmes, hide_index=True, width="stretch", placeholder="—")
        ui.download(prof.programmes, label="Programmes (CSV)", file_stem=f"country_{iso3}_programmes",
                    title=f"{prof.name}: programmes", f=f, key="dl_profile_programmes")
    else:
        st.caption("No programmes in view here.")

    st.markdown("#### LNOB indicators against the region and income group")
    st.caption(f"Region: {prof.region}; income group: {prof.income}. Medians over the countries of the group with a "
               "value (n region, n income); a missing value keeps its status and is never counted as 0.")
    st.dataframe(prof.indicators, hide_index=True, width="stretch", placeholder="—",
                 column_config={"Indicator": st.column_config.TextColumn(width=250),
                                prof.name: st.column_config.TextColumn(width=125),
                                "n region": st.column_config.NumberColumn(width=70, help="Countries of the region with a value"),
                                "n income": st.column_config.NumberColumn(width=70,
                                                                          help="Countries of the income group with a value"),
                                "Year": st.column_config.NumberColumn(width=55, format="%d")})
    ui.download(prof.indicators, label="Indicators (CSV)", file_stem=f"country_{iso3}_indicators",
                title=f"{prof.name}: LNOB indicators against region and income-group medians", f=f,
                key="dl_profile_indicators")

    st.markdown("#### Recent activities")
    if prof.activities.empty:
        st.caption("No activity of the collaboratives in view concerns this country.")
    else:
        st.dataframe(prof.activities, hide_index=True, width="stretch", placeholder="—")
        ui.download(prof.activities, label="Activities (CSV)", file_stem=f"country_{iso3}_activities",
                    title=f"{prof.name}: recent activities", f=f, key="dl_profile_activities")
