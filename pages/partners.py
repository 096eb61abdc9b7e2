"""Partners & tools: a searchable catalogue, partner and tool profiles, and the tool pipeline."""

import pandas as pd
import streamlit as st

from collab_data import queries, ui
from collab_data.charts import catalogue as charts
from collab_data.labels import EITHER_COLLABORATIVE, MISSING, OUTSIDE_BOTH, person_date
from collab_data.queries import catalogue as Q
from collab_data.runtime import cached
from collab_data.views import freshness as VF
from collab_data.views import manage as VM

ui.require_router()
f = ui.current_filters()
today = ui.today()
ui.page_header(
    "Partners & tools", f,
    caption="Who the partners are, which tools they bring, where they work and what they do together.",
)

counts = cached(queries.collab_counts)
if not counts.get("partners") and not counts.get("tools"):
    ui.empty_state("No partners or tools are recorded yet.", ui.NO_COLLAB_DATA_HOW)
    st.stop()

NO_MATCH_HOW = "Widen the filters in the sidebar (or press **Reset filters**)."
LINK = st.column_config.LinkColumn("Website", display_text=r"https?://(?:www\.)?([^/]+).*", width=150)
KIND = lambda k: k.capitalize() if isinstance(k, str) else k  # noqa: E731
STAGE = lambda s: charts.STAGE_LABELS.get(s, s)  # noqa: E731


def show(table: pd.DataFrame, *, key: str, title: str, file_stem: str, label: str = "Download (CSV)",
         column_config: dict | None = None, height: int | None = None) -> None:
    """A table and a CSV download of exactly that table."""
    st.dataframe(table, hide_index=True, column_config=column_config or {}, placeholder=MISSING,
                 height=height or min(38 + 35 * len(table), 440))
    ui.download(table, label=label, file_stem=file_stem, title=title, f=f, key=key)


# ----------------------------------------------------------------------------------------
st.header("Catalogue", divider="gray")
search = st.text_input(
    "Search partners and tools", key="pt_q", bind="query-params", icon="🔎",
    placeholder="A name, an acronym or a topic — e.g. disability, census, UNICEF",
    help="Every word must appear in a partner's or tool's name, acronym, description or topics "
         "(for partners also their tools' names; for tools also owners and LNOB dimensions).",
) or ""
if f.has_country_scope:
    st.caption("With a country filter: the partners with a programme or an activity in those countries, and the "
               "tools used by a programme there.")
partners = cached(Q.partners_catalogue, f, search.strip())
reporting = cached(VF.reporting_panel, f, today)
reporting_of = dict(zip(reporting.table["Partner"], reporting.table["Status"]))
tools = cached(Q.tools_catalogue, f, search.strip())

tab_p, tab_t = st.tabs([f"🏢 Partners ({len(partners)})", f"🧰 Tools ({len(tools)})"])
with tab_p:
    if partners.empty:
        ui.empty_state("No partner matches the search and filters." if search else "No partner in view.",
                       "Try another word, or clear the search. " + NO_MATCH_HOW)
    else:
        table = pd.DataFrame({
            "Partner": partners["acronym"].fillna(partners["name"]),
            "Name": partners["name"],
            "Type": partners["org_type"].map(Q.ORG_TYPE_LABELS),
            "Headquarters": partners["hq"].fillna(MISSING),
            "Collaboratives": partners["collaboratives"].fillna(OUTSIDE_BOTH),
            "Reporting": partners["acronym"].fillna(partners["name"]).map(reporting_of),
            "Tools": partners["tools"].fillna(MISSING),
            "Topics": partners["topics"].fillna(MISSING),
            "Countries": partners["countries"],
            "Programmes": partners["programmes"],
            "Website": partners["website"],
            "Description": partners["description"],
        })
        show(table, key="dl_pt_partners", title="Partners", file_stem="partners", label="Download partners (CSV)",
             column_config={
                 "Partner": st.column_config.TextColumn(width=150, pinned=True),
                 "Name": st.column_config.TextColumn(width=220),
                 "Reporting": st.column_config.TextColumn(
                     width=170, help=f"Reporting freshness today ({today:%d %b %Y}); see “Reporting freshness” "
                                     "below. — : not a member of a collaborative in view."),
                 "Tools": st.column_config.TextColumn(width=220),
                 "Topics": st.column_config.TextColumn(width=220),
                 "Countries": st.column_config.NumberColumn(help="Countries with a programme in view", width=85),
                 "Programmes": st.column_config.NumberColumn(help="Country programmes in view", width=95),
                 "Website": LINK,
                 "Description": st.column_config.TextColumn(width=360),
             })
with tab_t:
    if tools.empty:
        ui.empty_state("No tool matches the search and filters." if search else "No tool in view.",
                       "Try another word, or clear the search. " + NO_MATCH_HOW)
    else:
        table = pd.DataFrame({
            "Tool": tools["name"],
            "Kind": tools["kind"].map(KIND),
            "Stage": tools["stage"].map(STAGE),
            "Owners": tools["owners"].fillna(MISSING),
            "Topics": tools["topics"].fillna(MISSING),
            "LNOB dimensions": tools["dimensions"].fillna(MISSING),
            "Launched": tools["launched_year"].astype("Int64"),
            "Countries": tools["countries"],
            "Programmes": tools["programmes"],
            "Website": tools["website"],
            "Description": tools["description"],
        })
        show(table, key="dl_pt_tools", title="Tools", file_stem="tools", label="Download tools (CSV)",
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

# ----------------------------------------------------------------------------------------
st.header("Reporting freshness", divider="gray")
ui.reporting_panel(reporting, f, key="fresh_partners", full=True)

# ----------------------------------------------------------------------------------------
with st.expander("🗂️ Who has reported: the records each partner holds, and its last import or edit"):
    reported = cached(VM.who_has_reported, today)
    st.dataframe(reported, placeholder="—", hide_index=True, width="stretch", height=min(38 + 35 * len(reported), 420),
                 column_config={"Last change (UTC)": st.column_config.TextColumn(
                     help="The newest upload or edit of one of the partner's records; — when they all came with "
                          "the database.")})
    ui.download(reported, label="Who has reported (CSV)", file_stem="who_has_reported", title="Who has reported",
                f=f, key="dl_reported", note="Every registered partner; the filters do not apply.")

st.header("Profiles", divider="gray")
tab_pp, tab_tp = st.tabs(["🏢 Partner profile", "🧰 Tool profile"])

with tab_pp:
    choices = cached(Q.partner_choices, f)
    if choices.empty:
        ui.empty_state("No partner in view.", NO_MATCH_HOW)
    else:
        partner_labels = dict(zip(choices["partner_id"], choices["label"], strict=True))
        pid = st.selectbox("Partner", list(partner_labels), index=Q.default_partner(choices), key="pt_partner",
                           bind="query-params", format_func=lambda p: partner_labels.get(p, p),
                           help="Opens on the partner with the most programmes, activities and collaborations in view.")
        prof = cached(Q.partner_profile, f, pid)
        info = prof["info"].iloc[0]
        st.subheader(info["name"] + (f" ({info['acronym']})" if pd.notna(info["acronym"]) else ""))
        facts = [Q.ORG_TYPE_LABELS.get(info["org_type"], info["org_type"])]
        if pd.notna(info["hq"]):
            facts.append(f"headquarters: {info['hq']}")
        if pd.notna(info["website"]):
            facts.append(f"[{info['website']}]({info['website']})")
        st.markdown(" · ".join(facts))
        if pd.notna(info["description"]):
            st.markdown(ui.escape(info["description"]))
        st.caption("Member of: " + (info["collaboratives"] if pd.notna(info["collaboratives"]) else "no collaborative")
                   + (f" · Task teams: {info['task_teams']}" if pd.notna(info["task_teams"]) else ""))
        st.markdown(VF.partner_line(reporting, partner_labels[pid]))
        m = st.columns(5)
        m[0].metric("Tools", len(prof["tools"]), border=True)
        m[1].metric("Countries", len(prof["countries"]), border=True, help="With a programme in view")
        m[2].metric("Programmes", len(prof["programmes"]), border=True)
        m[3].metric("Activities", len(prof["activities"]), border=True)
        m[4].metric("Collaborations", len(prof["collaborations"]), border=True)
        name = partner_labels[pid]
        t1, t2, t3, t4, t5 = st.tabs(["Tools", "Countries", "Programmes", "Activities", "Collaborations"])
        with t1:
            d = prof["tools"]
            if d.empty:
                st.info(f"{ui.escape(name)} owns no tool in view.", icon="ℹ️")
            else:
                show(pd.DataFrame({"Tool": d["tool"], "Kind": d["kind"].map(KIND), "Stage": d["stage"].map(STAGE),
                                   "Co-owners": d["co_owners"].fillna(MISSING), "Countries": d["countries"]}),
                     key="dl_pt_p_tools", title=f"Tools of {name}", file_stem=f"partner_{pid}_tools")
        with t2:
            d = prof["countries"]
            if d.empty:
                st.info(f"{ui.escape(name)} has no country programme in view.", icon="ℹ️")
            else:
                show(pd.DataFrame({"Country": d["country"], "ISO3": d["iso3"], "Income group": d["income_group"],
                                   "Programmes": d["programmes"], "Topics": d["topics"].fillna(MISSING), "Tools": d["tools"].fillna(MISSING),
                                   "Other partners there": d["other_partners"].fillna("None: works alone")}),
                     key="dl_pt_p_countries", title=f"Countries of {name}", file_stem=f"partner_{pid}_countries")
        with t3:
            d = prof["programmes"]
            if d.empty:
                st.info(f"{ui.escape(name)} has no country programme in view.", icon="ℹ️")
            else:
                show(pd.DataFrame({"Programme": d["program_id"], "Country": d["country"], "ISO3": d["iso3"],
                                   "Tool": d["tool"].fillna(MISSING), "Support": d["support_type"].map(Q.SUPPORT_LABELS),
                                   "Topic": d["topic"].fillna(MISSING), "Start": d["start_date"].map(person_date), "End": d["end_date"].map(person_date),
                                   "Status": d["status"].str.capitalize()}),
                     key="dl_pt_p_programmes", title=f"Programmes of {name}", file_stem=f"partner_{pid}_programmes")
        with t4:
            d = prof["activities"]
            if d.empty:
                st.info(f"{ui.escape(name)} took part in no activity in view.", icon="ℹ️")
            else:
                show(pd.DataFrame({"Date": d["start_date"].map(person_date), "Activity": d["title"], "Type": d["type"],
                                   "Collaborative": d["collaborative"].fillna(EITHER_COLLABORATIVE), "With": d["with_partners"].fillna(MISSING),
                                   "Outcome": d["outcome"].fillna(MISSING)}),
                     key="dl_pt_p_activities", title=f"Activities of {name}", file_stem=f"partner_{pid}_activities",
                     column_config={"Activity": st.column_config.TextColumn(width=320)})
        with t5:
            d = prof["collaborations"]
            if d.empty:
                st.info(f"{ui.escape(name)} has no collaboration in view.", icon="ℹ️")
            else:
                show(pd.DataFrame({"Started": d["started_date"].map(person_date), "Collaboration": d["title"],
                                   "Kind": d["kind"].map(Q.COLLABORATION_KIND_LABELS),
                                   "With partners": d["with_partners"].fillna(MISSING),
                                   "Grew out of": d["origin_activity"].fillna(MISSING)}),
                     key="dl_pt_p_collabs", title=f"Collaborations of {name}", file_stem=f"partner_{pid}_collaborations",
                     column_config={"Collaboration": st.column_config.TextColumn(width=300)})

with tab_tp:
    choices = cached(Q.tool_choices, f)
    if choices.empty:
        ui.empty_state("No tool in view.", NO_MATCH_HOW)
    else:
        tool_labels = dict(zip(choices["tool_id"], choices["label"], strict=True))
        tid = st.selectbox("Tool", list(tool_labels), key="pt_tool", bind="query-params",
                           format_func=lambda t: tool_labels.get(t, t))
        prof = cached(Q.tool_profile, f, tid)
        info = prof["info"].iloc[0]
        st.subheader(info["name"])
        facts = [f"**{KIND(info['kind'])}**", f"stage: **{STAGE(info['stage'])}**"]
        if pd.notna(info["launched_year"]):
            facts.append(f"launched {int(info['launched_year'])}")
        if pd.notna(info["website"]):
            facts.append(f"[{info['website']}]({info['website']})")
        st.markdown(" · ".join(facts))
        st.markdown(f"**Owners:** {ui.escape(info['owners']) if pd.notna(info['owners']) else 'not recorded'}")
        if pd.notna(info["description"]):
            st.markdown(ui.escape(info["description"]))
        dims = prof["dimensions"]["dimension"].tolist()
        topics = prof["topics"]["topic"].tolist()
        st.markdown("**LNOB dimensions addressed:** " + (" ".join(f":blue-badge[{d}]" for d in dims) if dims
                                                         else "none recorded"))
        st.markdown("**Topics:** " + (" ".join(f":gray-badge[{t}]" for t in topics) if topics else "none recorded"))
        d = prof["countries"]
        st.markdown(f"**Countries with a programme using it (in view): {len(d)}**")
        if d.empty:
            st.info("No programme in view uses this tool.", icon="ℹ️")
        else:
            show(pd.DataFrame({"Country": d["country"], "ISO3": d["iso3"], "Income group": d["income_group"],
                               "Programmes": d["programmes"], "Partners": d["partners"],
                               "Status": d["statuses"].str.capitalize(), "First start": d["first_start"].map(person_date)}),
                 key="dl_pt_t_countries", title=f"Countries using {info['name']}", file_stem=f"tool_{tid}_countries")

# ----------------------------------------------------------------------------------------
st.header("Tool pipeline", divider="gray")
st.caption("Tools in view by stage, from concept to mature, coloured by kind.")
pipeline = cached(Q.tool_pipeline, f)
if pipeline.empty:
    ui.empty_state("No tool in view.", NO_MATCH_HOW)
else:
    st.altair_chart(charts.pipeline_chart(pipeline), width="stretch")
    ui.download(pd.DataFrame({"Stage": pipeline["stage"].map(STAGE), "Kind": pipeline["kind"].map(KIND),
                              "Tools": pipeline["tools"], "Which": pipeline["names"]}),
                label="Download the chart data (CSV)", file_stem="tool_pipeline_by_kind",
                title="Tools by stage and kind", f=f, key="dl_pt_pipeline_chart")
    by_stage = cached(Q.tools_by_stage, f)
    table = pd.DataFrame({"Stage": by_stage["stage"].map(STAGE), "Tool": by_stage["name"],
                          "Kind": by_stage["kind"].map(KIND), "Owners": by_stage["owners"],
                          "Launched": by_stage["launched_year"].astype("Int64"),
                          "Countries": by_stage["countries"]})
    empty = [charts.STAGE_LABELS[s] for s in charts.STAGES if s not in set(by_stage["stage"])]
    if empty:
        st.caption("No tool in view at stage: " + ", ".join(empty) + ".")
    show(table, key="dl_pt_pipeline", title="Tool pipeline by stage", file_stem="tool_pipeline",
         label="Download the pipeline (CSV)",
         column_config={"Tool": st.column_config.TextColumn(width=300),
                        "Launched": st.column_config.NumberColumn(format="%d", width=80),
                        "Countries": st.column_config.NumberColumn(help="Countries with a programme in view using it")})
