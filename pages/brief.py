"""Country brief: a one-page printable brief on a country, or on the countries the filters select."""

import streamlit as st

from collab_data import brief, queries, ui
from collab_data.queries import countries as QC
from collab_data.runtime import cached

ui.require_router()
f = ui.current_filters()
ui.page_header(
    "Country brief", f,
    caption="One printable page to take into a meeting or send to a partner: who works there with which tools, "
            "the programmes, the LNOB data gaps against the region and income group, recent activities and the "
            "sources with their dates.",
)

MODES = {"country": "One country", "filters": "All countries in the filters"}
counts = cached(queries.collab_counts)
scope = cached(QC.scope_countries, f)
names = dict(zip(scope["iso3"], scope["name"]))

if not names:
    ui.empty_state("The filters select no country.", "Widen the country filters in the sidebar (region, income group, "
                                                     "LNOB group, countries) or press **Reset filters**.")
    st.stop()

controls = st.container(horizontal=True, gap="large")
mode = controls.segmented_control(
    "Brief on", list(MODES), default="country", key="brief_mode", bind="query-params", format_func=MODES.get,
    help=f"One country in detail, or a summary of the countries the filters select (the top {brief.MAX_COUNTRIES} "
         "by partners active in detail).",
) or "country"

if mode == "country":
    chosen = [c for c in f.countries if c in names]
    iso3 = controls.selectbox(
        "Country", list(names), index=list(names).index(chosen[0]) if chosen else None, key="brief_country",
        bind="query-params", format_func=lambda c: names.get(c, c), placeholder="Choose a country",
    )
    if iso3 is None:
        st.info("Choose a country above (or one country in the sidebar filters) to make its brief.", icon="ℹ️")
        st.stop()
    data = cached(brief.gather_country, f, iso3)
else:
    data = cached(brief.gather_scope, f)

if not counts.get("programs"):
    ui.empty_state("No programmes or activities of the collaboratives are recorded yet.",
                   "The brief shows the country's LNOB data gaps and says that partner records are missing. "
                   + ui.NO_COLLAB_DATA_HOW)

page = brief.render(data)
st.download_button(
    "⬇ Download the brief (HTML, prints on one A4 page)", data=page, file_name=brief.file_name(data),
    mime="text/html", key="dl_brief", on_click="ignore", type="primary",
)
st.caption("Open the file in any browser and print it (Ctrl+P / ⌘P, or “Save as PDF”): it is laid out for one A4 "
           "page, with no scripts and nothing loaded from the internet.")
with st.container(border=True):
    st.html(brief.render(data, standalone=False))
