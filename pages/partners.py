"""Partners & tools: a searchable catalogue, partner and tool profiles, and the tool pipeline.

What it shows comes from :mod:`collab_data.views.partners`; this page draws it."""

import pandas as pd
import streamlit as st

from collab_data import ui
from collab_data.labels import MISSING
from collab_data.runtime import cached, cached_spec, show_chart
from collab_data.views import freshness as VF
from collab_data.views import manage as VM
from collab_data.views import partners as VP

ui.require_router()
f = ui.current_filters()
today = ui.today()
ui.page_header(
    "Partners & tools", f,
    caption="Who the partners are, which tools they bring, where they work and what they do together.",
)

if not cached(VP.has_catalogue):
    ui.empty_state("No partners or tools are recorded yet.", ui.NO_COLLAB_DATA_HOW)
    st.stop()

NO_MATCH_HOW = "Widen the filters in the sidebar (or press **Reset filters**)."
LINK = st.column_config.LinkColumn("Website", display_text=r"https?://(?:www\.)?([^/]+).*", width=150)


def show(table: pd.DataFrame, *, key: str, title: str, file_stem: str, label: str = "Download (CSV)",
         column_config: dict | None = None, height: int | None = None) -> None:
    """A table and a CSV download of exactly that table."""
    st.dataframe(table, hide_index=True, column_config=column_config or {}, placeholder=MISSING,
                 height=height or min(38 + 35 * len(table), 440))
    ui.download(table, label=label, file_stem=file_stem, title=title, f=f, key=key)


def show_tab(tab: VP.Table, name: str, column_config: dict | None = None) -> None:
    """A profile tab's table, or what its emptiness means."""
    if tab.is_empty:
        st.info(f"{ui.escape(name)} {tab.empty}", icon="ℹ️")
    else:
        show(tab.table, key=tab.key, title=tab.title, file_stem=tab.file_stem, column_config=column_config)


# ----------------------------------------------------------------------------------------
def catalogue_tab(kind: str) -> None:
    """The searchable catalogue of partners or of tools (the search is shared by both tabs)."""
    search = st.text_input(
        "Search partners and tools", key="pt_q", bind="query-params", icon="🔎",
        placeholder="A name, an acronym or a topic — e.g. disability, census, UNICEF",
        help="Every word must appear in a partner's or tool's name, acronym, description or topics "
             "(for partners also their tools' names; for tools also owners and LNOB dimensions).",
    ) or ""
    if f.has_country_scope:
        st.caption("With a country filter: the partners with a programme or an activity in those countries, and the "
                   "tools used by a programme there.")
    cat = cached(VP.catalogue, f, search.strip())
    st.caption(cat.count_text(bool(search.strip())))
    if kind == "partners":
        if cat.partners.empty:
            ui.empty_state("No partner matches the search and filters." if search else "No partner in view.",
                           "Try another word, or clear the search. " + NO_MATCH_HOW)
            return
        show(VP.with_reporting(cat.partners, cached(VF.reporting_panel, f, today)), key="dl_pt_partners",
             title="Partners", file_stem="partners", label="Download partners (CSV)",
             column_config={
                 "Partner": st.column_config.TextColumn(width=150, pinned=True),
                 "Name": st.column_config.TextColumn(width=220),
                 "Reporting": st.column_config.TextColumn(
                     width=170, help=f"Reporting freshness today ({today:%d %b %Y}); see the “Reporting "
                                     "freshness” tab. — : not a member of a collaborative in view."),
                 "Tools": st.column_config.TextColumn(width=220),
                 "Topics": st.column_config.TextColumn(width=220),
                 "Countries": st.column_config.NumberColumn(help="Countries with a programme in view", width=85),
                 "Programmes": st.column_config.NumberColumn(help="Country programmes in view", width=95),
                 "Website": LINK,
                 "Description": st.column_config.TextColumn(width=360),
             })
        return
    if cat.tools.empty:
        ui.empty_state("No tool matches the search and filters." if search else "No tool in view.",
                       "Try another word, or clear the search. " + NO_MATCH_HOW)
        return
    show(cat.tools, key="dl_pt_tools", title="Tools", file_stem="tools", label="Download tools (CSV)",
         column_config={
             "Tool": st.column_config.TextColumn(width=240, pinned=True),
             "Topics": st.column_config.TextColumn(width=200),
             "LNOB dimensions": st.column_config.TextColumn(width=180),
             "Launched": st.column_config.NumberColumn(format="%d", width=80),
             "Countries": st.column_config.NumberColumn(help="Countries with a programme using the tool", width=85),
             "Programmes": st.column_config.NumberColumn(help="Country programmes in view using the tool", width=95),
             "Website": LINK,
             "Description": st.column_config.TextColumn(width=360),
         })


def reporting_tab() -> None:
    ui.reporting_panel(cached(VF.reporting_panel, f, today), f, key="fresh_partners", full=True)
    with st.expander("🗂️ Who has reported: the records each partner holds, and its last import or edit"):
        reported = cached(VM.who_has_reported, today)
        st.dataframe(reported, placeholder="—", hide_index=True, width="stretch",
                     height=min(38 + 35 * len(reported), 420),
                     column_config={"Last change (UTC)": st.column_config.TextColumn(
                         help="The newest upload or edit of one of the partner's records; — when they all came with "
                              "the database.")})
        ui.download(reported, label="Who has reported (CSV)", file_stem="who_has_reported", title="Who has reported",
                    f=f, key="dl_reported", note="Every registered partner; the filters do not apply.")


def partner_tab() -> None:
    choices = cached(VP.partner_choices, f)
    if not choices.labels:
        ui.empty_state("No partner in view.", NO_MATCH_HOW)
        return
    partner_labels = choices.labels
    pid = st.selectbox("Partner", list(partner_labels), index=choices.default, key="pt_partner",
                       bind="query-params", format_func=lambda p: partner_labels.get(p, p),
                       help="Opens on the partner with the most programmes, activities and collaborations in view.")
    name = partner_labels[pid]
    prof = cached(VP.partner_profile, f, pid, name)
    st.subheader(prof.title)
    st.markdown(prof.facts)
    if prof.description is not None:
        st.markdown(ui.escape(prof.description))
    st.caption(prof.members)
    st.markdown(VF.partner_line(cached(VF.reporting_panel, f, today), name))
    for col, (label, value, helptext) in zip(st.columns(5), prof.metrics):
        col.metric(label, value, border=True, help=helptext)
    wide = {"Activities": {"Activity": st.column_config.TextColumn(width=320)},
            "Collaborations": {"Collaboration": st.column_config.TextColumn(width=300)}}
    for container, tab in zip(st.tabs([t.label for t in prof.tabs]), prof.tabs):
        with container:
            show_tab(tab, name, wide.get(tab.label))


def tool_tab() -> None:
    choices = cached(VP.tool_choices, f)
    if not choices.labels:
        ui.empty_state("No tool in view.", NO_MATCH_HOW)
        return
    tool_labels = choices.labels
    tid = st.selectbox("Tool", list(tool_labels), key="pt_tool", bind="query-params",
                       format_func=lambda t: tool_labels.get(t, t))
    tool = cached(VP.tool_profile, f, tid)
    st.subheader(tool.name)
    st.markdown(tool.facts)
    st.markdown(f"**Owners:** {ui.escape(tool.owners) if tool.owners is not None else 'not recorded'}")
    if tool.description is not None:
        st.markdown(ui.escape(tool.description))
    st.markdown("**LNOB dimensions addressed:** " + (" ".join(f":blue-badge[{d}]" for d in tool.dimensions)
                                                     if tool.dimensions else "none recorded"))
    st.markdown("**Topics:** " + (" ".join(f":gray-badge[{t}]" for t in tool.topics) if tool.topics
                                  else "none recorded"))
    st.markdown(f"**Countries with a programme using it (in view): {len(tool.countries.table)}**")
    if tool.countries.is_empty:
        st.info(tool.countries.empty, icon="ℹ️")
    else:
        t = tool.countries
        show(t.table, key=t.key, title=t.title, file_stem=t.file_stem)


def pipeline_tab() -> None:
    st.caption("Tools in view by stage, from concept to mature, coloured by kind.")
    pipeline = cached(VP.pipeline, f)
    if pipeline.empty:
        ui.empty_state("No tool in view.", NO_MATCH_HOW)
        return
    show_chart(cached_spec(VP.pipeline_chart, f), width="stretch")
    ui.download(pipeline.chart_data, label="Download the chart data (CSV)", file_stem="tool_pipeline_by_kind",
                title="Tools by stage and kind", f=f, key="dl_pt_pipeline_chart")
    if pipeline.empty_stages:
        st.caption("No tool in view at stage: " + ", ".join(pipeline.empty_stages) + ".")
    show(pipeline.table, key="dl_pt_pipeline", title="Tool pipeline by stage", file_stem="tool_pipeline",
         label="Download the pipeline (CSV)",
         column_config={"Tool": st.column_config.TextColumn(width=300),
                        "Launched": st.column_config.NumberColumn(format="%d", width=80),
                        "Countries": st.column_config.NumberColumn(help="Countries with a programme in view using it")})


tabs, open_tab = ui.lazy_tabs(VP.TABS, key="pt_tab")
with tabs[open_tab]:
    {"partners": lambda: catalogue_tab("partners"), "tools": lambda: catalogue_tab("tools"),
     "partner": partner_tab, "tool": tool_tab, "pipeline": pipeline_tab, "reporting": reporting_tab}[open_tab]()
