"""Collaboration network: partners joined by their collaborations and joint activities, new links highlighted."""

import streamlit as st

from collab_data import network, queries, ui
from collab_data.runtime import cached, cached_spec, show_chart
from collab_data.views import network as VN

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

controls = st.columns([1.6, 1.6, 1.6, 1.3], vertical_alignment="bottom")  # every label fits at 1280 wide
meetings = controls[0].toggle(
    "Meetings join partners", value=False, key="net_meetings", bind="query-params",
    help="On: a collaborative meeting counts as a joint activity of everyone who attended. It brings most members "
         "together, which would join nearly every pair of partners. "
         "Off: only working activities (knowledge exchanges, peer reviews, showcases, trainings, advocacy, "
         "guideline work) join partners.",
)
kind_options = cached(VN.kind_options, f, bool(meetings))
kinds = controls[1].multiselect(
    "Kinds of connection", list(kind_options), format_func=kind_options.get, key="net_kinds",
    placeholder="Every kind", help="Count only these kinds of collaboration or joint activity (with the number of "
                                  "pairs each joins in the filters). Empty: every kind.")
only_new = controls[2].segmented_control(
    "Connections", ["all", "new"], format_func={"all": "All in the period", "new": "New only"}.get,
    default="all", required=True, key="net_new", bind="query-params",
    help="New: the pair's first collaboration or first joint activity in any record falls in the period.")
top_labels = {"auto": f"Automatic (all up to {VN.TOP_DEFAULT})", "all": f"All partners (up to {VN.MAX_NODES})",
              **{str(n): f"Top {n}, the rest grouped" for n in VN.TOP_CHOICES if n}}
top = controls[3].selectbox(
    "Partners drawn", list(top_labels), format_func=top_labels.get, key="net_top", bind="query-params",
    help="The partners with the most connections are drawn one by one; the others are grouped in one grey circle, "
         "joined to the partners they work with.")
weights = ["auto", *[str(w) for w in range(1, 11)], "15", "20"]
min_weight = st.select_slider(
    "Minimum times together", weights, value="auto", key="net_weight",
    format_func=lambda w: f"Automatic (the strongest {network.MAX_EDGES} connections or fewer)" if w == "auto" else w,
    help="Draw only the connections of pairs that worked together at least this many times (collaborations + "
         "joint activities in the filters). Every connection stays in the tables below.")

options = VN.NetworkOptions(
    meetings=bool(meetings), kinds=tuple(kinds or ()), only_new=only_new == "new",
    min_weight=None if min_weight == "auto" else int(min_weight),
    top={"auto": -1, "all": None}.get(top or "auto", int(top) if (top or "").isdigit() else -1))
view = cached(VN.network_view, f, options)
note = (f"Joint activities {'include' if meetings else 'exclude'} collaborative meetings. "
        f"New = first together in {view.window_words}.")

if view.empty:
    ui.empty_state("No collaboration or joint activity matches the filters.",
                   "Widen the filters in the sidebar (period, collaborative, partners, countries), empty “Kinds of "
                   "connection”, turn on “Meetings join partners”, or press **Reset filters**.")
else:
    c = st.columns(4)
    for col, (label, value, helptext) in zip(c, view.metrics):
        col.metric(label, value, border=True, help=helptext)
    st.markdown(f"**{ui.escape(view.drawn_sentence)}**")
    st.caption(f"**Highlighted (solid, vermillion): new connections** — the pair's first collaboration or first joint "
               f"activity in any record falls in {view.window_words}. Dashed, faint: connected before. Line width: "
               "times together (collaborations + joint activities in the filters). Circle size: activities the partner "
               "took part in. Hollow circles: partners outside the partner or collaborative filters, drawn as "
               "neighbours. Hover a line or a circle for details.")
    show_chart(cached_spec(VN.network_chart, f, options), width="content")

st.subheader("Connections per partner")
if view.partners_table.empty:
    st.caption("No partner is in the filters.")
else:
    st.dataframe(view.partners_table, placeholder="—", hide_index=True, width="stretch")
    st.caption("Partners connected: distinct partners joined by a collaboration or a joint activity in the filters "
               "(every connection, whatever the chart draws); a pair joined both ways counts once. New: connections "
               "that are new in the highlighted period.")
    ui.download(view.partners_table, label="Connections per partner (CSV)", file_stem="network_partners",
                title="Collaboration network: connections per partner", f=f, key="dl_net_degree", note=note)

if not view.empty:
    shown = (f"All {view.n_edges} connections" if view.n_edges <= len(view.all_edges)
             else f"The {len(view.all_edges)} strongest of {view.n_edges} connections")
    with st.expander(shown):
        st.dataframe(view.edges_table, placeholder="—", hide_index=True, width="stretch")
        if view.n_edges > len(view.all_edges):
            st.caption(f"The table lists the {len(view.all_edges)} connections with the most times together; "
                       "the CSV has every connection in the filters.")
        ui.download(cached(VN.connections_csv, f, bool(meetings), options.kinds), label="Connections (CSV)",
                    file_stem="network_edges", title="Collaboration network: connections between partners", f=f,
                    key="dl_net_edges", note=note + " Dates are ISO (YYYY-MM-DD).")

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
        "- **Readable at any size**: the chart draws the strongest connections (at most "
        f"{network.MAX_EDGES} unless you set a minimum, never more than {VN.MAX_DRAWN_EDGES} lines), of the kinds "
        f"you choose, and the partners with the most connections one by one (the top {VN.TOP_DEFAULT} by default, "
        f"at most {VN.MAX_NODES}), the others grouped in one grey circle joined to the partners they work with; "
        "the partner table lists every partner and the CSV every connection.\n"
        "- **Layout**: partners on a circle, grouped by membership (gender collaborative, both, LNOB "
        "collaborative), then by name, so the picture is the same at every visit."
    )
