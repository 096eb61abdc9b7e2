"""Countries: a map of a chosen measure, the country table, and a country's profile."""

import pandas as pd
import streamlit as st

from collab_data import maps, queries, ui
from collab_data.filters import period_label
from collab_data.queries import countries as QC
from collab_data.runtime import cached

ui.require_router()
f = ui.current_filters()
ui.page_header(
    "Countries", f,
    caption="Where partners work and where the gender and LNOB data gaps are. "
            "Click a country on the map, or choose it below the map, to open its profile.",
)

has_programmes = cached(queries.collab_counts).get("programs", 0) > 0
measure_keys = list(QC.MEASURES)
measure_key = st.selectbox(
    "Measure on the map", measure_keys,
    index=measure_keys.index("partners" if has_programmes else "gda_pct_any"),
    key="measure", bind="query-params", format_func=lambda k: QC.MEASURES[k].label,
)
m = QC.MEASURES[measure_key]
st.caption(m.help)

measures = cached(QC.country_measures, f)
rows = maps.map_rows(measures, cached(QC.country_shapes), m.column)
no_partner_data = m.partner_based and not has_programmes and m.key != "underserved"


def _on_map_select() -> None:
    """A click on the map opens that country's profile (only countries in the filters can be clicked)."""
    iso3 = maps.selected_iso3(st.session_state.get("country_map"))
    if iso3:
        st.session_state["profile"] = iso3


running = "at any time" if f.period == "all" else f"during {period_label(f.period)}"
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
        zero_apart = m.key in ("partners", "programmes", "tools")
        deck = maps.choropleth(rows, measure_label=m.label, unit=m.unit, partners_known=has_programmes,
                               show_partners=m.key != "partners", zero_apart=zero_apart, view=maps.view_for(rows))
        st.pydeck_chart(deck, on_select=_on_map_select, selection_mode="single-object", key="country_map",
                        height=maps.MAP_HEIGHT, alt=f"Map of {m.label} by country")
        st.altair_chart(maps.legend_chart(rows, measure_label=m.label, unit=m.unit, zero_apart=zero_apart),
                        width="content")
        notes = ["Small island states without an outline are drawn as dots.",
                 "“No data” is grey and never counted as 0. Hover a country for its value; click it for its profile."]
        if f.has_country_scope:
            notes.insert(0, "Countries outside the region, income, group or country filters are drawn faded, without "
                            "values (small island states outside them are left out).")
        st.caption(" ".join(notes))
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

table = rows[rows["in_scope"]].merge(
    measures[["iso3", "wb_region", "income_group"]], on="iso3", how="left")
table = table.sort_values(["value", "name"], ascending=[False, True], na_position="last")
columns = {
    "Country": table["name"].to_numpy(),
    "ISO3": table["iso3"].to_numpy(),
    "Region": table["wb_region"].to_numpy(),
    "Income group": table["income_group"].to_numpy(),
    m.label: table["value"].to_numpy(),
    "Status": [maps.format_value(v, m.unit, s) if s != "value" else "" for v, s in zip(table["value"], table["status"])],
}
if has_programmes and m.key != "partners":
    columns["Partners active"] = table["partners"].to_numpy()
shown = pd.DataFrame(columns)
if not (shown["Status"] != "").any():
    shown = shown.drop(columns=["Status"])

with st.expander(f"📋 Table of the countries: {m.label}", expanded=False):
    if no_partner_data:
        ui.empty_state("No programmes recorded yet", ui.NO_COLLAB_DATA_HOW)
    else:
        fmt = "%.1f" if m.unit != "count" else "%d"
        st.dataframe(shown, hide_index=True, width="stretch", height=420,
                     column_config={m.label: st.column_config.NumberColumn(format=fmt)})
        ui.download(shown, label="Country table (CSV)", file_stem=f"countries_{m.key}",
                    title=f"Countries: {m.label}", f=f, key="dl_countries")

# --------------------------------------------------------------------------------------
# Country profile
# --------------------------------------------------------------------------------------
st.header("Country profile")
scope = cached(QC.scope_countries, f)
names = dict(zip(scope["iso3"], scope["name"]))
iso3 = st.selectbox(
    "Country", list(names), index=None, key="profile", bind="query-params",
    format_func=lambda c: names.get(c, c), placeholder="Choose a country, or click one on the map",
)

if iso3 is None:
    st.caption("Choose a country to see the partners and tools active there, its programmes, recent activities, "
               "its LNOB indicators against its region and income group, and the LNOB dimensions no partner tool covers.")
else:
    info = cached(QC.country_info, iso3).iloc[0]
    me = measures[measures["iso3"] == iso3].iloc[0]
    groups = [g for g, flag in (("LDC", info["is_ldc"]), ("LLDC", info["is_lldc"]), ("SIDS", info["is_sids"])) if flag]
    st.subheader(info["name"])
    st.caption(" · ".join(str(x) for x in [info["wb_region"] or "No World Bank region",
                                          info["income_group"] or "No income group", *groups]))

    c1, c2, c3, c4 = st.columns(4)
    if has_programmes:
        c1.metric("Partners active", int(me["partners"]), border=True)
        c2.metric("Programmes", int(me["programmes"]), border=True)
        c3.metric("Tools deployed", int(me["tools"]), border=True)
    else:
        for col, label in ((c1, "Partners active"), (c2, "Programmes"), (c3, "Tools deployed")):
            col.metric(label, "—", border=True, help="No programmes of the collaboratives are recorded yet.")
    c4.metric("LNOB data availability", maps.format_value(me["gda_pct_any"], "percent", me["gda_pct_any_status"]),
              border=True, help=QC.MEASURES["gda_pct_any"].help)

    programmes = cached(QC.country_programmes, f, iso3)
    partners = cached(QC.country_partners, f, iso3)
    dims = cached(QC.country_dimensions, f, iso3)

    left, right = st.columns([3, 2])
    with left:
        st.markdown("#### Partners and tools active here")
        if not has_programmes:
            ui.empty_state("No programmes recorded yet", ui.NO_COLLAB_DATA_HOW)
        elif partners.empty:
            st.info(f"No programme of the partners in view runs in {info['name']} {running}.", icon="ℹ️")
        else:
            p_shown = pd.DataFrame({
                "Partner": partners["partner"],
                "Status": ["active" if a else "planned only" for a in partners["active"]],
                "Programmes": partners["programmes"],
                "Tools used here": partners["tools"].fillna("—"),
                "Since": partners["since"],
            })
            st.dataframe(p_shown, hide_index=True, width="stretch",
                         column_config={"Since": st.column_config.DateColumn(format="YYYY-MM-DD")})
            ui.download(p_shown, label="Partners (CSV)", file_stem=f"country_{iso3}_partners",
                        title=f"{info['name']}: partners and tools", f=f, key="dl_profile_partners")
    with right:
        st.markdown("#### LNOB dimensions no partner tool addresses here")
        missing = dims[dims["n_tools"] == 0]["dimension"].tolist()
        if not has_programmes or programmes.empty:
            st.warning("No partner tool is in use here, so no LNOB dimension is addressed.", icon="⚠️")
        elif missing:
            st.markdown(" ".join(f":red-badge[❌ {d}]" for d in missing))
            covered = dims[dims["n_tools"] > 0]["dimension"].tolist()
            if covered:
                st.caption("Addressed by a partner tool in use here: " + ", ".join(covered) + ".")
        else:
            st.success("Every LNOB dimension is addressed by at least one partner tool in use here.", icon="✅")
        d_shown = pd.DataFrame({
            "Dimension": dims["dimension"],
            "Addressed": ["yes" if n else "no" for n in dims["n_tools"]],
            "Partner tools in use that address it": dims["tools"].fillna("—"),
        })
        with st.expander("All dimensions and the tools that address them"):
            st.dataframe(d_shown, hide_index=True, width="stretch")
            ui.download(d_shown, label="Dimensions (CSV)", file_stem=f"country_{iso3}_dimensions",
                        title=f"{info['name']}: LNOB dimensions addressed by partner tools", f=f,
                        key="dl_profile_dims")

    st.markdown("#### Programmes")
    if has_programmes and not programmes.empty:
        pr_shown = pd.DataFrame({
            "Partner": programmes["partner"],
            "Tool": programmes["tool"].fillna("—"),
            "Support": programmes["support"],
            "Topic": programmes["topic"].fillna("—"),
            "Status": programmes["status"],
            "Start": [d.isoformat() for d in programmes["start"].dt.date],
            "End": [d.isoformat() if not pd.isna(d) else "open-ended" for d in programmes["end"].dt.date],
        })
        st.dataframe(pr_shown, hide_index=True, width="stretch")
        ui.download(pr_shown, label="Programmes (CSV)", file_stem=f"country_{iso3}_programmes",
                    title=f"{info['name']}: programmes", f=f, key="dl_profile_programmes")
    else:
        st.caption("No programmes in view here.")

    st.markdown("#### LNOB indicators against the region and income group")
    ind = cached(QC.country_indicators, iso3)
    i_shown = pd.DataFrame({
        "Indicator": ind["indicator"],
        info["name"]: [maps.format_value(v, u, s) for v, u, s in zip(ind["value"], ind["unit"], ind["status"])],
        "Region median": ind["region_median"].round(1),
        "Income-group median": ind["income_median"].round(1),
        "n region": ind["region_n"],
        "n income": ind["income_n"],
        "Year": ind["year"].astype("Int64"),
    })
    st.caption(f"Region: {info['wb_region'] or '—'}; income group: {info['income_group'] or '—'}. Medians over the "
               "countries of the group with a value (n region, n income); a missing value keeps its status and is never counted as 0.")
    st.dataframe(i_shown, hide_index=True, width="stretch",
                 column_config={"Indicator": st.column_config.TextColumn(width=250),
                                info["name"]: st.column_config.TextColumn(width=125),
                                "n region": st.column_config.NumberColumn(width=70, help="Countries of the region with a value"),
                                "n income": st.column_config.NumberColumn(width=70,
                                                                          help="Countries of the income group with a value"),
                                "Year": st.column_config.NumberColumn(width=55, format="%d")})
    ui.download(i_shown, label="Indicators (CSV)", file_stem=f"country_{iso3}_indicators",
                title=f"{info['name']}: LNOB indicators against region and income-group medians", f=f,
                key="dl_profile_indicators")

    st.markdown("#### Recent activities")
    acts = cached(QC.country_activities, f, iso3)
    if acts.empty:
        st.caption("No activity of the collaboratives in view concerns this country.")
    else:
        a_shown = pd.DataFrame({
            "Date": acts["date"], "Activity": acts["title"], "Type": acts["type"],
            "Collaborative": acts["collaborative"], "Partners": acts["partners"], "Outcome": acts["outcome"].fillna(""),
        })
        st.dataframe(a_shown, hide_index=True, width="stretch",
                     column_config={"Date": st.column_config.DateColumn(format="YYYY-MM-DD")})
        ui.download(a_shown, label="Activities (CSV)", file_stem=f"country_{iso3}_activities",
                    title=f"{info['name']}: recent activities", f=f, key="dl_profile_activities")
