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
#: The choices of "partners drawn" (None: all).
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
    all_edges: pd.DataFrame  # every connection in scope (for the "all connections" table)
    metrics: list[tuple[str, int, str | None]]  # (label, value, help)
    kind_options: dict[str, str]  # edge kind -> "Collaboration · Joint product (12 pairs)"
    min_weight: int  # the minimum in effect
    max_weight: int
    top: int | None  # partners drawn one by one (None: all)
    window_words: str
    drawn_sentence: str  # what the chart draws and what it leaves out, in one or two sentences
    partners_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    edges_table: pd.DataFrame = field(default_factory=pd.DataFrame)


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


def edges_table(edges: pd.DataFrame) -> pd.DataFrame:
    """Every connection in scope, dates as a person reads them."""
    return pd.DataFrame({
        "Partner A": edges["partner_a"],
        "Partner B": edges["partner_b"],
        "Collaborations": edges["collaborations"],
        "Joint activities": edges["joint_activities"],
        "Times together": edges["weight"],
        "First together": edges["first_seen"].map(person_date),
        "First collaboration": edges["first_collaboration"].map(person_date),
        "First joint activity": edges["first_joint_activity"].map(person_date),
        "New in the period": ["yes" if n else "no" for n in edges["is_new"]],
        "Collaborations in the filters": edges["collaboration_titles"].fillna(MISSING),
    })


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def network_view(db: Database, f: Filters, options: NetworkOptions = NetworkOptions()) -> NetworkView:
    """The network of the filters, cut to what a person can read (see :class:`NetworkOptions`)."""
    as_of = Q.data_as_of(db)
    start, end, window_words = network.new_window(f.period, as_of)
    kinds = QN.edge_kinds(db, f, options.meetings)
    kind_options = {k: f"{kind_label(k, lab)} ({_plural(int(n), 'pair')})"
                    for k, lab, n in zip(kinds["edge_kind"], kinds["label"], kinds["pairs"])}
    chosen = tuple(k for k in options.kinds if k in kind_options)
    every = network.flag_new(QN.edges(db, f, options.meetings, chosen), start, end)
    nodes = QN.nodes(db, f)
    degrees = network.degree_table(nodes, every)

    min_weight = options.min_weight if options.min_weight else network.auto_min_weight(every)
    kept = network.filter_edges(every, min_weight=min_weight, only_new=options.only_new)
    kept_degrees = network.degree_table(nodes, kept)
    top = top_in_effect(options.top, len(kept_degrees))
    drawn_nodes, drawn_edges = network.top_partners(kept_degrees, kept, top)

    left_out = []
    if len(kept) < len(every):
        rule = []
        if min_weight > 1:
            rule.append(f"together at least {min_weight} times")
        if options.only_new:
            rule.append("new in the period")
        left_out.append(f"{_plural(len(every) - len(kept), 'weaker connection')} not drawn (the chart keeps "
                        f"connections {' and '.join(rule)}"
                        + (f", the strongest {network.MAX_EDGES} or fewer" if not options.min_weight and min_weight > 1
                           else "") + ")")
    if top is not None and len(kept_degrees) > top:
        left_out.append(f"the {top} partners with the most connections are drawn one by one, the other "
                        f"{len(kept_degrees) - top} as one grey circle")
    if chosen:
        left_out.append("only the kinds of connection chosen are counted")
    drawn = (f"The chart draws {_plural(len(drawn_edges), 'connection')} between "
             f"{_plural(len(drawn_nodes), 'circle')}, of {_plural(len(every), 'connection')} in the filters.")
    if left_out:
        drawn += " " + "; ".join(left_out).capitalize() + "."

    metrics = [
        ("Partners in the network", len(degrees), None),
        ("Connections (pairs)", len(every), None),
        ("New connections", int(every["is_new"].sum()) if len(every) else 0,
         f"First collaboration or first joint activity of the pair in {window_words}."),
        ("Pairs with a collaboration", int((every["collaborations"] > 0).sum()) if len(every) else 0, None),
    ]
    return NetworkView(
        empty=every.empty, nodes=drawn_nodes, edges=drawn_edges, degrees=degrees, all_edges=every,
        metrics=metrics, kind_options=kind_options, min_weight=int(min_weight),
        max_weight=int(every["weight"].max()) if len(every) else 1, top=top, window_words=window_words,
        drawn_sentence=drawn, partners_table=partners_table(degrees), edges_table=edges_table(every),
    )
