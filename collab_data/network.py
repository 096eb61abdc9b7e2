"""The collaboration network: pure functions (DataFrames in, DataFrames or an Altair chart out).

* :func:`new_window` — which dates count as "new" for a period filter;
* :func:`flag_new` — marks the edges whose first occurrence falls in that window;
* :func:`graph_nodes` — the partners drawn: those in scope plus the neighbours of their edges;
* :func:`degree_table` — per partner, the distinct partners it is connected to, split by kind;
* :func:`circular_layout` — a deterministic layout: a circle ordered by collaborative
  membership (gender only, both, LNOB only, neither), then by name, starting at 12 o'clock;
* :func:`network_chart` — the layered Altair chart (edges, nodes, labels).

New and existing edges differ by colour (Okabe-Ito vermillion vs. a faint black), by
line style (solid vs. dashed) and by width, so the difference never rests on colour alone.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import altair as alt
import pandas as pd

from collab_data import theme
from collab_data.charts import finish
from collab_data.filters import ALL_TIME, period_label, period_range
from collab_data.labels import person_date

MEMBERSHIP_ORDER = ["gender", "both", "lnob", "none", "others"]
MEMBERSHIP_LABELS = {
    "gender": "Gender data collaborative",
    "both": "Both collaboratives",
    "lnob": "LNOB data collaborative",
    "none": "Neither",
    "others": "Other partners, grouped",
}
MEMBERSHIP_COLORS = {"gender": theme.CATEGORICAL[3], "both": theme.CATEGORICAL[0], "lnob": theme.CATEGORICAL[2],
                     "none": theme.CATEGORICAL[7], "others": "#9AA0A6"}

NEW = "New in the period"
EXISTING = "Earlier"
EDGE_COLORS = {NEW: theme.CATEGORICAL[5], EXISTING: theme.CATEGORICAL[7]}
EDGE_DASH = {NEW: [1, 0], EXISTING: [5, 3]}
EDGE_OPACITY = {NEW: 0.95, EXISTING: 0.28}

#: Chart size (pixels) and the extent of the layout coordinates (labels sit outside the unit circle).
SIZE = 560
EXTENT = 1.38
LABEL_RADIUS = 1.17


# --------------------------------------------------------------------------------------
# What is new
# --------------------------------------------------------------------------------------
def new_window(period: str, as_of: date | None) -> tuple[date | None, date | None, str]:
    """(start, end, words) of the dates that make an edge "new".

    For a period filter, the period itself. For "all time" there is no such period, so
    the last 12 months up to the data date ``as_of`` count (None, None when there is no
    data date: nothing is new).
    """
    if period in (ALL_TIME, "last12"):
        if as_of is None:
            return None, None, "no data date, so no edge is marked new"
        start = as_of - timedelta(days=365) + timedelta(days=1)
        words = f"the last 12 months up to the data date ({person_date(start)} – {person_date(as_of)})"
        if period == ALL_TIME:
            words += ", because the period filter is “All time”"
        return start, as_of, words
    start, end = period_range(period, as_of)
    return start, end, f"{period_label(period)} ({person_date(start)} – {person_date(end)})"


def _as_date(value) -> date | None:
    if value is None or pd.isna(value):
        return None
    return value.date() if hasattr(value, "date") else value


def flag_new(edges: pd.DataFrame, start: date | None, end: date | None) -> pd.DataFrame:
    """The edges with ``is_new`` (first_seen within [start, end]) and ``status`` (:data:`NEW` / :data:`EXISTING`).

    Also ``new_collaboration`` / ``new_joint_activity``: the pair's first collaboration
    (first joint activity) falls in the window. Edges without a first date are never new.
    """
    out = edges.copy()

    def inside(column: str) -> pd.Series:
        if column not in out or start is None or end is None:
            return pd.Series(False, index=out.index, dtype=bool)
        d = pd.to_datetime(out[column], errors="coerce")
        return (d >= pd.Timestamp(start)) & (d <= pd.Timestamp(end))

    out["is_new"] = inside("first_seen")
    out["new_collaboration"] = inside("first_collaboration")
    out["new_joint_activity"] = inside("first_joint_activity")
    out["status"] = out["is_new"].map({True: NEW, False: EXISTING}).astype(object)
    return out


# --------------------------------------------------------------------------------------
# Nodes and degrees
# --------------------------------------------------------------------------------------
def graph_nodes(nodes: pd.DataFrame, edges: pd.DataFrame) -> pd.DataFrame:
    """The partners drawn: every partner in scope, plus the partners at the other end of an edge."""
    ends = set(edges["partner_a_id"]) | set(edges["partner_b_id"]) if len(edges) else set()
    keep = nodes["in_scope"].astype(bool) | nodes["partner_id"].isin(ends)
    return nodes[keep].reset_index(drop=True)


def degree_table(nodes: pd.DataFrame, edges: pd.DataFrame) -> pd.DataFrame:
    """Per partner drawn: distinct partners connected, through collaborations, through joint activities, new.

    Columns: partner_id, partner, name, membership, in_scope, activities, degree,
    via_collaborations, via_joint_activities, new_connections (needs :func:`flag_new`
    first; 0 otherwise). Sorted by degree, then activities, then name.

    Vectorised: each edge (one row per pair) is stacked once from each end and counted
    per partner, so 26,000 edges cost a group-by, not a Python loop.
    """
    shown = graph_nodes(nodes, edges)
    counts = ["degree", "via_collaborations", "via_joint_activities", "new_connections"]
    if len(edges):
        flags = pd.DataFrame({
            "degree": 1,
            "via_collaborations": (edges["collaborations"] > 0).astype("int64"),
            "via_joint_activities": (edges["joint_activities"] > 0).astype("int64"),
            "new_connections": (edges["is_new"].astype(bool) if "is_new" in edges
                                else pd.Series(False, index=edges.index)).astype("int64"),
        }, index=edges.index)
        ends = pd.concat([flags.assign(partner_id=edges["partner_a_id"].to_numpy()),
                          flags.assign(partner_id=edges["partner_b_id"].to_numpy())], ignore_index=True)
        per = ends.groupby("partner_id")[counts].sum()
    else:
        per = pd.DataFrame(columns=counts, dtype="int64")
    out = shown[["partner_id", "partner", "name", "membership", "in_scope", "activities"]].copy()
    out = out.join(per, on="partner_id")
    for col in ("activities", *counts):
        out[col] = pd.to_numeric(out[col], errors="coerce").fillna(0).astype("int64")
    out = out.sort_values(["degree", "activities", "partner"], ascending=[False, False, True], kind="mergesort")
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------------------
# Making a large network readable: which edges and partners are drawn
# --------------------------------------------------------------------------------------
#: The id and label of the node that stands for the partners not drawn one by one.
OTHERS_ID = "__others__"
#: By default the chart draws at most this many connections (the strongest ones).
MAX_EDGES = 40


def auto_min_weight(edges: pd.DataFrame, max_edges: int = MAX_EDGES) -> int:
    """The smallest "times together" at which at most ``max_edges`` connections remain
    (1 when there are that few already): the default of the minimum-weight filter."""
    if len(edges) <= max_edges:
        return 1
    counts = edges["weight"].value_counts().sort_index(ascending=False).cumsum()
    fitting = counts[counts <= max_edges]
    return int(fitting.index.min()) if len(fitting) else int(edges["weight"].max())


def filter_edges(edges: pd.DataFrame, *, min_weight: int = 1, only_new: bool = False) -> pd.DataFrame:
    """The edges kept by the page's filters: at least ``min_weight`` times together and,
    with ``only_new``, new in the period (needs :func:`flag_new` first)."""
    keep = edges["weight"] >= max(int(min_weight), 1)
    if only_new:
        keep &= edges["is_new"].astype(bool) if "is_new" in edges else False
    return edges[keep].reset_index(drop=True)


def others_label(n: int) -> str:
    """The name of the aggregated node: "1 other partner" / "12 other partners"."""
    return f"{n} other partner" + ("" if n == 1 else "s")


def top_partners(degrees: pd.DataFrame, edges: pd.DataFrame, top: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``top`` partners by degree (then activities, then name: the order of
    :func:`degree_table`) drawn one by one, the rest folded into one node.

    Returns (nodes, edges) to draw. An edge between a top partner and others becomes an
    edge to the "others" node (counts summed, earliest date, new if any was new); edges
    among the others are not drawn (the node says how many partners it stands for). With
    ``top`` None or at least the number of partners, the inputs are returned unchanged.
    """
    if top is None or len(degrees) <= top:
        return degrees, edges
    keep = degrees.head(top)
    rest = degrees.iloc[top:]
    kept = set(keep["partner_id"])
    a_in, b_in = edges["partner_a_id"].isin(kept), edges["partner_b_id"].isin(kept)
    inner = edges[a_in & b_in]
    mixed = edges[a_in ^ b_in].copy()
    if len(mixed):
        mine = mixed["partner_a_id"].where(a_in[a_in ^ b_in], mixed["partner_b_id"])
        name = mixed["partner_a"].where(a_in[a_in ^ b_in], mixed["partner_b"])
        mixed = mixed.assign(partner_a_id=mine.to_numpy(), partner_a=name.to_numpy())
        agg = {"collaborations": ("collaborations", "sum"), "joint_activities": ("joint_activities", "sum"),
               "weight": ("weight", "sum"), "first_seen": ("first_seen", "min")}
        if "is_new" in mixed:
            agg["is_new"] = ("is_new", "any")
        folded = mixed.groupby(["partner_a_id", "partner_a"], as_index=False).agg(**agg)
        folded["partner_b_id"] = OTHERS_ID
        folded["partner_b"] = others_label(len(rest))
        if "is_new" in folded:
            folded["status"] = [NEW if n else EXISTING for n in folded["is_new"]]
        inner = pd.concat([inner, folded], ignore_index=True)
    others = pd.DataFrame([{
        "partner_id": OTHERS_ID, "partner": others_label(len(rest)),
        "name": "Partners not drawn one by one: " + ", ".join(rest["partner"].astype(str).head(12))
                + (" …" if len(rest) > 12 else ""),
        "membership": "others", "in_scope": True, "activities": int(rest["activities"].sum()),
        "degree": int(len(mixed["partner_a_id"].unique())) if len(mixed) else 0,
        "via_collaborations": 0, "via_joint_activities": 0, "new_connections": 0,
    }])
    nodes = pd.concat([keep, others], ignore_index=True)
    return nodes, inner.reset_index(drop=True)


# --------------------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------------------
def circular_layout(nodes: pd.DataFrame) -> pd.DataFrame:
    """Nodes on the unit circle, grouped by membership then ordered by name, clockwise from the top.

    Adds x, y (node), lx, ly (label, just outside the circle) and align (left / right /
    center, so labels read away from the circle). Deterministic: the same nodes give the
    same positions whatever their input order.
    """
    out = nodes.copy()
    rank = {m: i for i, m in enumerate(MEMBERSHIP_ORDER)}
    out["_g"] = out["membership"].map(lambda m: rank.get(m, len(rank)))
    out["_k"] = out["partner"].str.casefold()
    out = out.sort_values(["_g", "_k", "partner_id"], kind="mergesort").drop(columns=["_g", "_k"]).reset_index(drop=True)
    n = len(out)
    xs, ys, lxs, lys, aligns = [], [], [], [], []
    for i in range(n):
        angle = math.pi / 2 - 2 * math.pi * i / n if n else 0.0
        x, y = math.cos(angle), math.sin(angle)
        if n == 1:
            x, y = 0.0, 0.0
        xs.append(round(x, 6))
        ys.append(round(y, 6))
        lxs.append(round(LABEL_RADIUS * x, 6))
        lys.append(round(LABEL_RADIUS * y, 6))
        aligns.append("center" if abs(x) < 0.3 else ("left" if x > 0 else "right"))
    out["x"], out["y"], out["lx"], out["ly"], out["align"] = xs, ys, lxs, lys, aligns
    if n == 1:
        out["ly"] = -0.25
    return out


def edge_segments(edges: pd.DataFrame, layout: pd.DataFrame) -> pd.DataFrame:
    """Edges with the coordinates of both ends (x, y, x2, y2), earlier edges first (new ones drawn on top)."""
    pos = layout.set_index("partner_id")[["x", "y"]]
    out = edges.copy()
    out = out[out["partner_a_id"].isin(pos.index) & out["partner_b_id"].isin(pos.index)]
    out["x"] = out["partner_a_id"].map(pos["x"])
    out["y"] = out["partner_a_id"].map(pos["y"])
    out["x2"] = out["partner_b_id"].map(pos["x"])
    out["y2"] = out["partner_b_id"].map(pos["y"])
    if "status" not in out:
        out["status"] = EXISTING
    out["_o"] = (out["status"] == NEW).astype(int)
    return out.sort_values(["_o", "weight", "partner_a_id", "partner_b_id"], kind="mergesort").drop(columns="_o")


# --------------------------------------------------------------------------------------
# Chart
# --------------------------------------------------------------------------------------
def _fmt_date(value) -> str:
    return person_date(_as_date(value))


def _ticks(lo: int, hi: int) -> list[int]:
    """At most three round legend values between lo and hi (both included when they differ)."""
    mid = (lo + hi) // 2
    return sorted({lo, mid, hi}) if hi > lo else [hi]


def _legend(values: list[int] | None = None, symbol_size: int | None = None) -> alt.Legend:
    """Legends under the chart, side by side: the plot keeps its size in a narrow column."""
    kw: dict = {"values": values} if values is not None else {}
    if symbol_size:
        kw["symbolSize"] = symbol_size
    return alt.Legend(orient="bottom", direction="vertical", symbolStrokeWidth=2.5, **kw)


def network_chart(nodes: pd.DataFrame, edges: pd.DataFrame, *, size: int = SIZE,
                  label_size: int = 15) -> alt.TopLevelMixin:
    """The layered network chart: edges (rules) under nodes (circles sized by activities) and labels.

    ``nodes``: as :func:`degree_table` returns them (partner_id, partner, name, membership,
    in_scope, activities, degree ...). ``edges``: as :func:`flag_new` returns them.
    """
    layout = circular_layout(nodes)
    layout["membership_label"] = layout["membership"].map(MEMBERSHIP_LABELS)
    layout["scope_label"] = ["In the filters" if s else "Outside the filters (a neighbour)" for s in layout["in_scope"]]
    seg = edge_segments(edges, layout)
    seg = seg.assign(
        pair=seg["partner_a"] + " – " + seg["partner_b"],
        first=[_fmt_date(v) for v in seg["first_seen"]],
    )[["pair", "x", "y", "x2", "y2", "weight", "collaborations", "joint_activities", "first", "status"]]

    scale = alt.Scale(domain=[-EXTENT, EXTENT])
    x = alt.X("x:Q", scale=scale, axis=None)
    y = alt.Y("y:Q", scale=scale, axis=None)
    statuses = [EXISTING, NEW]
    max_w = max(int(seg["weight"].max()) if len(seg) else 1, 1)
    edge_layer = alt.Chart(seg).mark_rule(strokeCap="round").encode(
        x=x, y=y, x2="x2:Q", y2="y2:Q",
        color=alt.Color("status:N", title="Connection", legend=_legend(symbol_size=400),
                        scale=alt.Scale(domain=statuses, range=[EDGE_COLORS[s] for s in statuses])),
        strokeDash=alt.StrokeDash("status:N", title="Connection", legend=_legend(symbol_size=400),
                                  scale=alt.Scale(domain=statuses, range=[EDGE_DASH[s] for s in statuses])),
        opacity=alt.Opacity("status:N", title="Connection", legend=_legend(symbol_size=400),
                            scale=alt.Scale(domain=statuses, range=[EDGE_OPACITY[s] for s in statuses])),
        strokeWidth=alt.StrokeWidth("weight:Q", title="Times together", legend=_legend(_ticks(1, max_w)),
                                    scale=alt.Scale(domain=[1, max_w], range=[1, 8])),
        tooltip=[alt.Tooltip("pair:N", title="Partners"),
                 alt.Tooltip("collaborations:Q", title="Collaborations"),
                 alt.Tooltip("joint_activities:Q", title="Joint activities"),
                 alt.Tooltip("first:N", title="First together"),
                 alt.Tooltip("status:N", title="Connection")],
    )
    memberships = [m for m in MEMBERSHIP_ORDER if m in set(layout["membership"])]
    max_a = max(int(layout["activities"].max()) if len(layout) else 1, 1)
    tooltip = [alt.Tooltip("name:N", title="Partner"), alt.Tooltip("membership_label:N", title="Member of"),
               alt.Tooltip("activities:Q", title="Activities")]
    for col, title in (("degree", "Partners connected"), ("via_collaborations", "… through collaborations"),
                       ("via_joint_activities", "… through joint activities"), ("new_connections", "… new")):
        if col in layout:
            tooltip.append(alt.Tooltip(f"{col}:Q", title=title))
    tooltip.append(alt.Tooltip("scope_label:N", title="Filters"))
    node_base = alt.Chart(layout).encode(
        x=x, y=y,
        size=alt.Size("activities:Q", title="Activities", legend=_legend(_ticks(0, max_a)),
                      scale=alt.Scale(domain=[0, max_a], range=[60, 1500])),
        color=alt.Color("membership_label:N", title="Member of", legend=_legend(),
                        scale=alt.Scale(domain=[MEMBERSHIP_LABELS[m] for m in memberships],
                                        range=[MEMBERSHIP_COLORS[m] for m in memberships])),
        tooltip=tooltip,
    )
    inside = node_base.transform_filter(alt.datum.in_scope).mark_circle(opacity=0.95, stroke="white", strokeWidth=1.5)
    outside = node_base.transform_filter(~alt.datum.in_scope).mark_point(
        shape="circle", filled=False, strokeWidth=2.5, opacity=0.95).encode(
        color=alt.Color("membership_label:N", legend=None,
                        scale=alt.Scale(domain=[MEMBERSHIP_LABELS[m] for m in memberships],
                                        range=[MEMBERSHIP_COLORS[m] for m in memberships])))
    labels = []
    for align in ("left", "right", "center"):
        labels.append(alt.Chart(layout).transform_filter(alt.datum.align == align).mark_text(
            align=align, baseline="middle", fontSize=label_size, fontWeight="bold", color="#1f2937",
        ).encode(x=alt.X("lx:Q", scale=scale, axis=None), y=alt.Y("ly:Q", scale=scale, axis=None),
                 text="partner:N", tooltip=tooltip))
    # "pad": the plot keeps its square size and the legends are added around it (Streamlit's theme
    # would otherwise "fit" the legends into the size and squash the circle into an ellipse).
    chart = alt.layer(edge_layer, inside, outside, *labels).properties(
        width=size, height=size, autosize={"type": "pad"}).resolve_scale(
        color="independent", strokeDash="independent", opacity="independent")
    return finish(chart)
