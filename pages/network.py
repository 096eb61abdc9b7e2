"""Collaboration network: partners joined by their collaborations and joint activities, new links highlighted."""

import pandas as pd
import streamlit as st

from collab_data import network, queries, ui
from collab_data.queries import network as QN
from collab_data.runtime import cached

ui.require_router()
f = ui.current_filters()
ui.page_header(
    "Collaboration network", f,
    caption="Who works with whom: partners are joined by the collaborations they started together and the "
            "activities they took part in together. New connections in the period stand out.",
)

counts = cached(queries.collab_counts)
if not counts.get("activities") and not counts.get("collaborations"):
    ui.empty_state("No activities or collaborations are recorded yet, so there is no network to draw.",
                   ui.NO_COLLAB_DATA_HOW)
    st.stop()

meetings = st.toggle(
    "Count collaborative meetings as joint activities", value=False, key="net_meetings", bind="query-params",
    help="A collaborative meeting brings most members together, which would join nearly every pair of partners. "
         "Off: only working activities (knowledge exchanges, peer reviews, showcases, trainings, advocacy, "
         "guideline work) join partners.",
)
as_of = cached(queries.data_as_of)
start, end, window_words = network.new_window(f.period, as_of)
edges = network.flag_new(cached(QN.edges, f, meetings), start, end)
nodes = cached(QN.nodes, f)
degrees = network.degree_table(nodes, edges)

if edges.empty:
    ui.empty_state("No collaboration or joint activity matches the filters.",
                   "Widen the filters in the sidebar (period, collaborative, partners, countries), turn on "
                   "“Count collaborative meetings”, or press **Reset filters**.")
else:
    c = st.columns(4)
    c[0].metric("Partners in the network", len(degrees), border=True)
    c[1].metric("Connections (pairs)", len(edges), border=True)
    c[2].metric("New connections", int(edges["is_new"].sum()), border=True,
                help=f"First collaboration or first joint activity of the pair in {window_words}.")
    c[3].metric("Pairs with a collaboration", int((edges["collaborations"] > 0).sum()), border=True)
    st.caption(f"**Highlighted (solid, vermillion): new connections** — the pair's first collaboration or first joint "
               f"activity in any record falls in {window_words}. Dashed, faint: connected before. Line width: times "
               "together (collaborations + joint activities in the filters). Circle size: activities the partner took "
               "part in. Hollow circles: partners outside the partner or collaborative filters, drawn as neighbours. "
               "Hover a line or a circle for details.")
    st.altair_chart(network.network_chart(degrees, edges), width="content")

st.subheader("Connections per partner")
table = pd.DataFrame({
    "Partner": degrees["partner"],
    "Partners connected": degrees["degree"],
    "… through collaborations": degrees["via_collaborations"],
    "… through joint activities": degrees["via_joint_activities"],
    "New connections": degrees["new_connections"],
    "Activities": degrees["activities"],
    "Member of": degrees["membership"].map(network.MEMBERSHIP_LABELS),
    "In the filters": ["yes" if s else "neighbour" for s in degrees["in_scope"]],
    "Name": degrees["name"],
})
if table.empty:
    st.caption("No partner is in the filters.")
else:
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption("Partners connected: distinct partners joined by a collaboration or a joint activity in the filters; "
               "a pair joined both ways counts once. New: connections that are new in the highlighted period.")
    ui.download(table, label="Connections per partner (CSV)", file_stem="network_partners",
                title="Collaboration network: connections per partner", f=f, key="dl_net_degree",
                note=f"Joint activities {'include' if meetings else 'exclude'} collaborative meetings. "
                     f"New = first together in {window_words}.")

if not edges.empty:
    with st.expander(f"All {len(edges)} connections"):
        e_table = pd.DataFrame({
            "Partner A": edges["partner_a"],
            "Partner B": edges["partner_b"],
            "Collaborations": edges["collaborations"],
            "Joint activities": edges["joint_activities"],
            "First together": edges["first_seen"].dt.date,
            "First collaboration": edges["first_collaboration"].dt.date,
            "First joint activity": edges["first_joint_activity"].dt.date,
            "New in the period": ["yes" if n else "no" for n in edges["is_new"]],
            "Collaborations in the filters": edges["collaboration_titles"].fillna(""),
        })
        st.dataframe(e_table, hide_index=True, width="stretch")
        ui.download(e_table, label="Connections (CSV)", file_stem="network_edges",
                    title="Collaboration network: connections between partners", f=f, key="dl_net_edges",
                    note=f"Joint activities {'include' if meetings else 'exclude'} collaborative meetings. "
                         f"New = first together in {window_words}.")

with st.expander("How the network is built"):
    st.markdown(
        "- **Connection**: two partners that started a recorded collaboration together, or took part in the same "
        "activity (a joint activity), within the filters. Collaborative meetings count only when the switch above "
        "is on.\n"
        "- **Filters**: activities follow every filter (collaborative, partners, countries, period); collaborations "
        "are not tied to countries, so country filters do not narrow them. A connection is kept when at least one "
        "of its two partners is in the partner and collaborative filters, so choosing one partner shows its own "
        "network.\n"
        "- **New**: the first time the two partners appear together in any record (any collaborative, country or "
        "period) falls in the period; with “All time” the last 12 months up to the data date count.\n"
        "- **Layout**: partners on a circle, grouped by membership (gender collaborative, both, LNOB "
        "collaborative), then by name, so the picture is the same at every visit."
    )
