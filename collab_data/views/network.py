"""What the Collaboration network page shows: the edges and partners drawn after the
page's own filters (kind, minimum times together, new only, top partners), the figures
above the chart, the tables and the sentences that say what was left out.

The page reads its controls into a :class:`NetworkOptions`, calls :func:`network_view`
once and draws what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from collab_data import network
from collab_data import queries as Q
from collab_data.db import Database
from collab_data.filters import Filters
from collab_data.labels import MISSING, person_date
from collab_data.queries import network as QN
from collab_data.records.collaborations import KINDS as COLLABORATION_KINDS

#: "All partners" is drawn one by one up to this many; above it the default is the top ones.
TOP_DEFAULT = 15
#: Hard bounds of the drawing whatever the options: partners drawn one by one ("All
#: partners" included; the rest are grouped), lines drawn.
MAX_NODES = QN.MAX_NODES
MAX_DRAWN_EDGES = QN.MAX_DRAWN_EDGES
#: The choices of "partners drawn" (None: all, up to MAX_NODES).
TOP_CHOICES: tuple[int | None, ...] = (None, 8, 12, 15, 25)


@dataclass(frozen=True)
class NetworkOptions:
    """The page's own controls (the shared filters are the :class:`Filters` value)."""

    meetings: bool = False
    kinds: tuple[str, ...] = ()  # edge kinds kept (empty: every kind)
    min_weight: int | None = None  # None: automatic (at most network.MAX_EDGES connections)
    only_new: bool = False
    top: int | None = -1  # -1: automatic (all up to TOP_DEFAULT partners), None: all


@dataclass
class NetworkView:
    """Everything the page draws."""

    empty: bool  # no connection in scope before the page's own filters
    nodes: pd.DataFrame  # drawn (degree_table columns, maybe with the "others" node)
    edges: pd.DataFrame  # drawn
    degrees: pd.DataFrame  # every partner of the network (before folding), for the table
    all_edges: pd.DataFrame  # the strongest connections in scope (at most TABLE_ROWS, for the table)
    metrics: list[tuple[str, int, str | None]]  # (label, value, help)
    kind_options: dict[str, str]  # edge kind -> "Collaboration · Joint product (12 pairs)"
    min_weight: int  # the minimum in effect
    max_weight: int
    top: int | None  # partners drawn one by one (None: all)
    window_words: str
    drawn_sentence: str  # what the chart draws and what it leaves out, in one or two sentences
    partners_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    edges_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    n_edges: int = 0  # every connection in scope (the CSV has them all)


def kind_label(edge_kind: str, label: str) -> str:
    """"Collaboration · Joint product" / "Joint activity · Training"."""
    group, _, code = edge_kind.partition(":")
    if group == "collaboration":
        return "Collaboration · " + COLLABORATION_KINDS.get(code, code.replace("_", " ").capitalize())
    return "Joint activity · " + (label or code.replace("_", " ").capitalize())


def top_in_effect(top: int | None, n_partners: int) -> int | None:
    """-1 (automatic): every partner up to :data:`TOP_DEFAULT`, else the top ones."""
    if top == -1:
        return None if n_partners <= TOP_DEFAULT else TOP_DEFAULT
    return top


def partners_table(degrees: pd.DataFrame) -> pd.DataFrame:
    """The "connections per partner" table a person reads (labels, no codes, no None)."""
    return pd.DataFrame({
        "Partner": degrees["partner"].fillna(MISSING),
        "Partners connected": degrees["degree"],
        "… through collaborations": degrees["via_collaborations"],
        "… through joint activities": degrees["via_joint_activities"],
        "New connections": degrees["new_connections"],
        "Activities": degrees["activities"],
        "Member of": degrees["membership"].map(network.MEMBERSHIP_LABELS).fillna(MISSING),
        "In the filters": ["yes" if s else "neighbour" for s in degrees["in_scope"]],
        "Name": degrees["name"].fillna(MISSING),
    })


def edges_table(edges: pd.DataFrame, *, iso: bool = False) -> pd.DataFrame:
    """Every connection in scope; dates as a person reads them ("21 Sep 2026"), or with
    ``iso`` as YYYY-MM-DD (empty when missing) so a spreadsheet reads them as dates."""
    def day(col: str) -> pd.Series:
        if iso:
            return pd.to_datetime(edges[col]).dt.strftime("%Y-%m-%d").fillna("")
        return edges[col].map(person_date)

    return pd.DataFrame({
        "Partner A": edges["partner_a"],
        "Partner B": edges["partner_b"],
        "Collaborations": edges["collaborations"],
        "Joint activities": edges["joint_activities"],
        "Times together": edges["weight"],
        "First together": day("first_seen"),
        "First collaboration": day("first_collaboration"),
        "First joint activity": day("first_joint_activity"),
        "New in the period": edges["is_new"].astype(bool).map({True: "yes", False: "no"}),
        "Collaborations in the filters": edges["collaboration_titles"].fillna("" if iso else MISSING),
    })


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def connections_export(edges: pd.DataFrame) -> pd.DataFrame:
    """Every connection in scope for the CSV: the table's columns, dates in ISO form."""
    return edges_table(edges, iso=True)


def connections_csv(db: Database, f: Filters, meetings: bool = False, kinds: tuple[str, ...] = ()) -> pd.DataFrame:
    """Every connection in scope, for the CSV download (:func:`connections_export`)."""
    start, end, _ = network.new_window(f.period, Q.data_as_of(db))
    offered = kind_options(db, f, meetings)
    chosen = tuple(k for k in kinds if k in offered)  # as the view counts them
    return connections_export(QN.edges(db, f, meetings, chosen, start, end))


#: The on-screen list of connections shows the strongest this many; the CSV has every one.
TABLE_ROWS = 500


def kind_options(db: Database, f: Filters, meetings: bool = False) -> dict[str, str]:
    """The choices of the page's "kinds of connection" filter: edge kind -> label with its pairs."""
    kinds = QN.edge_kinds(db, f, meetings)
    return {k: f"{kind_label(k, lab)} ({_plural(int(n), 'pair')})"
            for k, lab, n in zip(kinds["edge_kind"], kinds["label"], kinds["pairs"])}


def network_view(db: Database, f: Filters, options: NetworkOptions = NetworkOptions()) -> NetworkView:
    """The network of the filters, cut to what a person can read (see :class:`NetworkOptions`).

    Bounded at any size: the degree table, the minimum weight, the ranking of partners and
    the edges drawn are computed in SQL (:mod:`collab_data.queries.network`); Python
    receives the partners (one row each), the drawn edges (at most
    ``QN.MAX_DRAWN_EDGES``) and the :data:`TABLE_ROWS` strongest connections for the table.
    """
    as_of = Q.data_as_of(db)
    start, end, window_words = network.new_window(f.period, as_of)
    kinds_offered = kind_options(db, f, options.meetings)
    chosen = tuple(k for k in options.kinds if k in kinds_offered)
    args = dict(include_meetings=options.meetings, kinds=chosen, new_start=start, new_end=end)
    draw = dict(min_weight=options.min_weight, only_new=options.only_new, top=options.top,
                max_edges=network.MAX_EDGES, top_default=TOP_DEFAULT)
    degrees = QN.degree_table(db, f, **args)
    ranked = QN.graph_nodes(db, f, **args, **draw)
    s = QN.graph_summary(db, f, **args, **draw).iloc[0]
    n_edges, min_weight, top_k, n_kept = int(s["edges"]), int(s["min_weight"]), int(s["top"]), int(s["kept_partners"])
    top = None if top_k >= n_kept else top_k
    rest = ranked.iloc[top_k:]
    drawn_edges = QN.graph_edges(db, f, **args, **draw, others_id=network.OTHERS_ID,
                                 others_name=network.others_label(len(rest)))
    drawn_edges["status"] = [network.NEW if n else network.EXISTING for n in drawn_edges["is_new"]]
    keep = ranked.iloc[:top_k].drop(columns=["rk", "drawn"])
    if len(rest):
        folded = drawn_edges["partner_b_id"] == network.OTHERS_ID
        others = pd.DataFrame([{
            "partner_id": network.OTHERS_ID, "partner": network.others_label(len(rest)),
            "name": (f"Partners not drawn one by one ({int(rest['activities'].sum())} activity places together; "
                     "the circle is drawn no larger than the largest partner's): "
                     + ", ".join(rest["partner"].astype(str).head(12)) + (" …" if len(rest) > 12 else "")),
            # sized like the largest partner drawn, so the grouped circle never dwarfs the partners
            "membership": "others", "in_scope": True,
            "activities": int(min(rest["activities"].sum(), keep["activities"].max() if len(keep) else 0)),
            "degree": int(folded.sum()), "via_collaborations": 0, "via_joint_activities": 0, "new_connections": 0,
        }])
        drawn_nodes = pd.concat([keep, others], ignore_index=True)
    else:
        drawn_nodes = keep.reset_index(drop=True)
    strongest = QN.strongest_edges(db, f, **args, limit=TABLE_ROWS)

    left_out = []
    hidden = n_edges - int(s["drawn_pairs"])
    if hidden > 0:
        rule = []
        if min_weight > 1:
            rule.append(f"together at least {min_weight} times")
        if options.only_new:
            rule.append("new in the period")
        text = f"{_plural(hidden, 'connection')} not drawn"
        if rule:
            text += (f" (the chart keeps connections {' and '.join(rule)}"
                     + (f", the strongest {network.MAX_EDGES} or fewer" if not options.min_weight and min_weight > 1
                        else "") + ")")
        left_out.append(text)
    if top is not None:
        rule = (f"at most {QN.MAX_NODES} partners are drawn one by one" if options.top is None
                else f"the {top} partners with the most connections are drawn one by one")
        if options.top is None:
            rule += ", those with the most connections"
        left_out.append(f"{rule}, the other {n_kept - top} as one grey circle joined to the partners they work "
                        "with (connections among them are not drawn)")
    if len(drawn_edges) >= QN.MAX_DRAWN_EDGES:
        left_out.append(f"at most {QN.MAX_DRAWN_EDGES} lines are drawn, the strongest")
    if chosen:
        left_out.append("only the kinds of connection chosen are counted")
    drawn = (f"The chart draws {_plural(len(drawn_edges), 'connection')} between "
             f"{_plural(len(drawn_nodes), 'circle')}, of {_plural(n_edges, 'connection')} in the filters.")
    if left_out:
        drawn += " " + "; ".join(left_out).capitalize() + "."

    metrics = [
        ("Partners in the network", len(degrees), None),
        ("Connections (pairs)", n_edges, None),
        ("New connections", int(s["new_edges"]),
         f"First collaboration or first joint activity of the pair in {window_words}."),
        ("Pairs with a collaboration", int(s["with_collaboration"]), None),
    ]
    return NetworkView(
        empty=n_edges == 0, nodes=drawn_nodes, edges=drawn_edges, degrees=degrees, all_edges=strongest,
        metrics=metrics, kind_options=kinds_offered, min_weight=min_weight,
        max_weight=int(s["max_weight"]), top=top, window_words=window_words,
        drawn_sentence=drawn, partners_table=partners_table(degrees), edges_table=edges_table(strongest),
        n_edges=n_edges,
    )


def network_chart(db: Database, f: Filters, options: NetworkOptions = NetworkOptions()):
    """The chart of :func:`network_view` (an Altair chart; the page caches its finished spec
    per filters, options and data generation with ``runtime.cached_spec``)."""
    view = network_view(db, f, options)
    return network.network_chart(view.nodes, view.edges)
