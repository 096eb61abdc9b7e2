"""Reads of the Collaboration network page: partners (nodes) and who worked with whom (edges).

Definitions (also written on the page):

* an **edge** joins two partners that share a **recorded collaboration**
  (``collaboration_partners``) or a **joint activity** (both took part in the same
  activity, ``activity_partners``). Collaborative meetings (type ``meeting``, where most
  members attend) count as joint activities only when ``include_meetings`` is true:
  otherwise nearly every pair would be joined.
* an edge is **in scope** when it has at least one collaboration in scope (``scb``) or
  joint activity in scope (``sa``) and at least one of its two partners is in scope
  (``sp``). With a partner filter this is the partner's own network: its neighbours are
  drawn too, marked as outside the filters. Collaborations are not tied to countries, so
  country filters narrow the joint activities only (as for the KPI "new collaborations").
* ``first_seen`` of an edge is the date of the pair's first collaboration or first joint
  activity in **all** records (any collaborative, country or period): an edge whose
  first_seen falls in a period is **new** in it (see :func:`collab_data.network.flag_new`).
* a node's **activities**: activities in scope (``sa``) the partner took part in, every
  type counted (meetings too, whatever ``include_meetings`` says).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from collab_data.db import Database
from collab_data.filters import Filters
from collab_data.queries import SCOPE_CTES, data_as_of, scope_params, scoped

#: The pair events in scope only (joint activities in ``sa``, collaborations in ``scb``, at
#: least one partner in ``sp``), one row per pair and kind of joint activity (counted, last
#: date) and one per pair and collaboration (its date and title): the self-join runs over the
#: activities the filters select, once for the kinds offered and the edges (:func:`_pair_kinds`).
_PAIR_KINDS = """
, ja AS (
    SELECT x.partner_id AS a, y.partner_id AS b, act.start_date AS d, 'activity:' || act.type_id AS edge_kind
    FROM activities act
    JOIN activity_partners x ON x.activity_id = act.activity_id
    JOIN activity_partners y ON y.activity_id = act.activity_id AND x.partner_id < y.partner_id
    WHERE act.activity_id IN (SELECT activity_id FROM sa) AND ($include_meetings OR act.type_id <> 'meeting')
)
, cb AS (
    SELECT x.partner_id AS a, y.partner_id AS b, c.started_date AS d, 'collaboration:' || c.kind AS edge_kind, c.title
    FROM collaborations c
    JOIN collaboration_partners x ON x.collaboration_id = c.collaboration_id
    JOIN collaboration_partners y ON y.collaboration_id = c.collaboration_id AND x.partner_id < y.partner_id
    WHERE c.collaboration_id IN (SELECT collaboration_id FROM scb)
)
SELECT a, b, 'joint' AS kind, edge_kind, count(*)::INTEGER AS n, max(d) AS d, NULL::VARCHAR AS title
FROM ja WHERE a IN (SELECT partner_id FROM sp) OR b IN (SELECT partner_id FROM sp)
GROUP BY a, b, edge_kind
UNION ALL
SELECT a, b, 'collab', edge_kind, 1, d, title
FROM cb WHERE a IN (SELECT partner_id FROM sp) OR b IN (SELECT partner_id FROM sp)
"""

#: Every edge in scope (``pair_kinds``: :data:`_PAIR_KINDS`' rows; ``pair_seen``: :func:`pair_seen`).
_EDGES = """
, cur AS (
    SELECT a, b,
           coalesce(sum(n) FILTER (WHERE kind = 'collab'), 0)::INTEGER AS collaborations,
           coalesce(sum(n) FILTER (WHERE kind = 'joint'), 0)::INTEGER AS joint_activities,
           max(d) AS last_seen,
           string_agg(title, '; ' ORDER BY d, title) FILTER (WHERE kind = 'collab') AS collaboration_titles
    FROM pair_kinds
    WHERE len($edge_kinds) = 0 OR edge_kind = ANY($edge_kinds)
    GROUP BY a, b
)
SELECT cur.a, cur.b, cur.collaborations, cur.joint_activities,
       (cur.collaborations + cur.joint_activities)::INTEGER AS weight,
       ps.first_collaboration, ps.first_joint_activity, ps.first_seen, cur.last_seen, cur.collaboration_titles,
       coalesce(ps.first_seen BETWEEN $new_start::DATE AND $new_end::DATE, false) AS is_new,
       coalesce(ps.first_collaboration BETWEEN $new_start::DATE AND $new_end::DATE, false) AS new_collaboration,
       coalesce(ps.first_joint_activity BETWEEN $new_start::DATE AND $new_end::DATE, false) AS new_joint_activity
FROM cur JOIN pair_seen ps USING (a, b)
"""

#: Every partner: membership, in scope, activities in scope (after the scope CTEs).
_NODES = """
, nd AS (   -- every partner: membership, in scope, activities in scope
    SELECT p.partner_id, coalesce(p.acronym, p.name) AS partner, p.name,
           CASE WHEN mem.g AND mem.l THEN 'both' WHEN mem.g THEN 'gender' WHEN mem.l THEN 'lnob' ELSE 'none' END
               AS membership,
           p.partner_id IN (SELECT partner_id FROM sp) AS in_scope,
           coalesce(pa.n, 0)::INTEGER AS activities
    FROM partners p
    LEFT JOIN (SELECT partner_id, count(*) AS n FROM activity_partners
               WHERE activity_id IN (SELECT activity_id FROM sa) GROUP BY partner_id) pa USING (partner_id)
    LEFT JOIN (SELECT partner_id, bool_or(collab_id = 'gender') AS g, bool_or(collab_id = 'lnob') AS l
               FROM partner_memberships GROUP BY partner_id) mem USING (partner_id)
)
"""

#: Per partner of the network: the degree over a set of edges ``{edges}`` (a CTE with a, b,
#: collaborations, joint_activities, is_new), in the order of ``network.degree_table``.
_DEGREES = """
    SELECT nd.partner_id, nd.partner, nd.name, nd.membership, nd.in_scope, nd.activities::BIGINT AS activities,
           coalesce(d.degree, 0)::BIGINT AS degree,
           coalesce(d.via_collaborations, 0)::BIGINT AS via_collaborations,
           coalesce(d.via_joint_activities, 0)::BIGINT AS via_joint_activities,
           coalesce(d.new_connections, 0)::BIGINT AS new_connections
    FROM nd LEFT JOIN (
        SELECT partner_id, count(*) AS degree, count(*) FILTER (WHERE collaborations > 0) AS via_collaborations,
               count(*) FILTER (WHERE joint_activities > 0) AS via_joint_activities,
               count(*) FILTER (WHERE is_new) AS new_connections
        FROM (SELECT a AS partner_id, collaborations, joint_activities, is_new FROM {edges}
              UNION ALL SELECT b, collaborations, joint_activities, is_new FROM {edges})
        GROUP BY partner_id
    ) d USING (partner_id)
    WHERE nd.in_scope OR d.partner_id IS NOT NULL
"""
_DEGREE_ORDER = "degree DESC, activities DESC, partner, partner_id"

#: What the chart draws (CTEs after ``e`` and ``nd``). ``kept``: the edges in scope (new ones
#: only with $only_new; with a minimum $min_weight > 0, those together at least that often);
#: ``kd``: the partners of the kept edges ranked by degree over them; ``topn``: how many are
#: drawn one by one ($top: -1 automatic, all up to $top_default, else the top $top_default;
#: 0 all; capped at $max_nodes); ``drawable``: kept edges between two drawn partners, and per
#: drawn partner one edge to the "others" node summing its kept edges to partners not drawn;
#: ``minw``: the minimum times together in effect ($min_weight, or automatically the smallest
#: at which at most $max_edges drawable edges remain); ``drawn``: drawable edges at least that
#: strong, the strongest $max_drawn at most.
_KEPT = """
, kept AS MATERIALIZED (
    SELECT * FROM e WHERE weight >= greatest($min_weight, 1) AND (NOT $only_new OR is_new)
)
, kd AS MATERIALIZED (
    SELECT *, row_number() OVER (ORDER BY """ + _DEGREE_ORDER + """) AS rk, count(*) OVER () AS n
    FROM (""" + _DEGREES.format(edges="kept") + """)
)
, topn AS (
    SELECT CASE WHEN $top = -1 THEN (CASE WHEN n <= $top_default THEN n ELSE $top_default END)
                WHEN $top = 0 THEN least(n, $max_nodes)
                ELSE least($top, n, $max_nodes) END AS k, n
    FROM (SELECT coalesce(max(n), 0) AS n FROM kd)
)
, top AS (SELECT partner_id, partner FROM kd WHERE rk <= (SELECT k FROM topn))
, mixed AS (
    SELECT CASE WHEN ta.partner_id IS NOT NULL THEN k.a ELSE k.b END AS pid,
           coalesce(ta.partner, tb.partner) AS pname, k.*
    FROM kept k LEFT JOIN top ta ON ta.partner_id = k.a LEFT JOIN top tb ON tb.partner_id = k.b
    WHERE (ta.partner_id IS NULL) <> (tb.partner_id IS NULL)
)
, drawable AS MATERIALIZED (
    SELECT k.a AS partner_a_id, ta.partner AS partner_a, k.b AS partner_b_id, tb.partner AS partner_b,
           k.collaborations::BIGINT AS collaborations, k.joint_activities::BIGINT AS joint_activities,
           k.weight::BIGINT AS weight, k.first_seen, k.is_new, 1 AS pairs
    FROM kept k JOIN top ta ON ta.partner_id = k.a JOIN top tb ON tb.partner_id = k.b
    UNION ALL
    SELECT pid, pname, $others_id, $others_name, sum(collaborations)::BIGINT, sum(joint_activities)::BIGINT,
           sum(weight)::BIGINT, min(first_seen), bool_or(is_new), count(*)
    FROM mixed GROUP BY pid, pname
)
, wc AS (SELECT weight, sum(count(*)) OVER (ORDER BY weight DESC) AS cum FROM drawable GROUP BY weight)
, minw AS (
    SELECT CASE WHEN $min_weight > 0 THEN $min_weight
                WHEN (SELECT count(*) FROM drawable) <= $max_edges THEN 1
                ELSE coalesce((SELECT min(weight) FROM wc WHERE cum <= $max_edges), (SELECT max(weight) FROM drawable))
           END AS w
)
, drawn AS (
    SELECT * FROM drawable WHERE weight >= (SELECT w FROM minw)
    QUALIFY row_number() OVER (ORDER BY weight DESC, partner_a_id, partner_b_id) <= $max_drawn
)
"""


def _arrow(db: Database, sql: str, params=None):
    """A query's rows as an Arrow table: the frames kept between queries are Arrow, which DuckDB
    scans without copying or converting strings."""
    with db.cursor() as cur:
        return cur.sql(sql, params=params).to_arrow_table()


def pair_seen(db: Database, include_meetings: bool = False):
    """The first collaboration, first joint activity and first time together of every pair of
    partners in all records (any filter), computed once per write generation of ``db``.

    An Arrow table; columns: a, b (partner ids, a < b), first_collaboration, first_joint_activity,
    first_seen. Meetings count as joint activities only with ``include_meetings`` (as for the edges).
    """
    def compute():
        return _arrow(db, """
            WITH ja AS (
                SELECT x.partner_id AS a, y.partner_id AS b, min(act.start_date) AS d
                FROM activity_partners x
                JOIN activity_partners y ON y.activity_id = x.activity_id AND x.partner_id < y.partner_id
                JOIN activities act ON act.activity_id = x.activity_id
                WHERE ? OR act.type_id <> 'meeting'
                GROUP BY x.partner_id, y.partner_id
            )
            , cb AS (
                SELECT x.partner_id AS a, y.partner_id AS b, min(c.started_date) AS d
                FROM collaboration_partners x
                JOIN collaboration_partners y ON y.collaboration_id = x.collaboration_id AND x.partner_id < y.partner_id
                JOIN collaborations c ON c.collaboration_id = x.collaboration_id
                GROUP BY x.partner_id, y.partner_id
            )
            SELECT a, b, cb.d AS first_collaboration, ja.d AS first_joint_activity,
                   least(cb.d, ja.d) AS first_seen
            FROM ja FULL JOIN cb USING (a, b)
        """, [bool(include_meetings)])

    return db.memo(f"network.pair_seen.{bool(include_meetings)}", compute)


def _slot(db: Database, name: str, key, compute):
    """``compute()`` kept for the latest ``key`` of this write generation: a page run asks
    several questions of the same pairs (kinds, degrees, ranking, figures, drawn edges,
    table) and the pair join runs once for them all. One slot per name, so memory stays
    bounded whatever filters were visited."""
    slot = db.memo(f"network.{name}", dict)
    hit = slot.get("value")
    if hit is not None and hit[0] == key:
        return hit[1]
    value = compute()
    slot["value"] = (key, value)
    return value


def _pair_kinds(db: Database, f: Filters, include_meetings: bool):
    """:data:`_PAIR_KINDS`' rows for the filters (see :func:`_slot`)."""
    params = {"include_meetings": bool(include_meetings)}
    return _slot(db, "pair_kinds", (f, bool(include_meetings)),
                 lambda: _run(db, f, f"WITH {SCOPE_CTES} {_PAIR_KINDS}", params, {}, arrow=True))


def _edge_frame(db: Database, f: Filters, params: dict):
    """Every edge in scope (:data:`_EDGES`) as a frame (see :func:`_slot`)."""
    key = (f, params["include_meetings"], tuple(params["edge_kinds"]), params["new_start"], params["new_end"])

    def compute():
        frames = {"pair_kinds": _pair_kinds(db, f, params["include_meetings"]),
                  "pair_seen": pair_seen(db, params["include_meetings"])}
        return _run(db, f, "WITH pk_ AS (SELECT 1) " + _EDGES, params, frames, arrow=True)

    return _slot(db, "edges", key, compute)


def _nodes_frame(db: Database, f: Filters):
    """Every partner (:data:`_NODES`) for the filters (see :func:`_slot`)."""
    return _slot(db, "nodes", f, lambda: _run(db, f, f"WITH {SCOPE_CTES} {_NODES} SELECT * FROM nd", {}, {},
                                              arrow=True))


def _run(db: Database, f: Filters, sql: str, params: dict, frames: dict, *, arrow: bool = False):
    """``sql`` with the scope parameters of ``f`` (and ``params``), the ``frames`` (Arrow
    tables) registered under their names; a DataFrame, or an Arrow table with ``arrow``."""
    as_of = data_as_of(db) if f.period == "last12" else None
    allp = {**scope_params(f, as_of), **params}
    used = {k: v for k, v in allp.items() if f"${k}" in sql}
    with db.cursor() as cur:
        for name, frame in frames.items():
            cur.register(name, frame)
        try:
            if arrow:
                return cur.sql(sql, params=used).to_arrow_table()
            return cur.execute(sql, used).df()
        finally:
            for name in frames:
                cur.unregister(name)


def _graph(db: Database, f: Filters, body: str, params: dict) -> pd.DataFrame:
    """Run ``body`` with the CTEs ``e`` (every edge in scope, :func:`_edge_frame`) and ``nd``
    (every partner, :func:`_nodes_frame`)."""
    frames = {"edge_frame": _edge_frame(db, f, params), "node_frame": _nodes_frame(db, f)}
    return _run(db, f, "WITH e AS (SELECT * FROM edge_frame), nd AS (SELECT * FROM node_frame) " + body, params,
                frames)


def _params(include_meetings: bool, kinds: tuple[str, ...], new_start, new_end) -> dict:
    return {"include_meetings": bool(include_meetings), "edge_kinds": list(kinds), "new_start": new_start,
            "new_end": new_end}


#: The named columns of an edge in scope (a pair of partners), for :func:`edges` and :func:`strongest_edges`.
_EDGE_ROWS = """
        SELECT e.a AS partner_a_id, coalesce(pa.acronym, pa.name) AS partner_a,
               e.b AS partner_b_id, coalesce(pb.acronym, pb.name) AS partner_b,
               e.collaborations, e.joint_activities, e.weight,
               e.first_collaboration, e.first_joint_activity, e.first_seen, e.last_seen, e.collaboration_titles,
               e.is_new
        FROM e
        JOIN partners pa ON pa.partner_id = e.a
        JOIN partners pb ON pb.partner_id = e.b
"""


def edges(db: Database, f: Filters, include_meetings: bool = False, kinds: tuple[str, ...] = (),
          new_start: date | None = None, new_end: date | None = None) -> pd.DataFrame:
    """One row per edge in scope (pair of partners, ``partner_a_id`` < ``partner_b_id``): every
    connection, for the CSV export and the tests (the chart reads :func:`graph`).

    ``kinds``: the edge kinds counted (``"collaboration:<kind>"``, ``"activity:<type>"``,
    see :func:`edge_kinds`); empty: every kind. ``first_seen`` ignores it (a pair is new
    when it first appears together in any record).

    Columns: partner_a_id, partner_a, partner_b_id, partner_b, collaborations,
    joint_activities (counts in scope), weight (their sum), first_collaboration,
    first_joint_activity, first_seen (all records, any filter), last_seen (in scope),
    collaboration_titles ("; "-separated, in scope), is_new (first_seen within
    new_start..new_end; False without them).
    """
    return _graph(db, f, _EDGE_ROWS + """
        ORDER BY partner_a_id, partner_b_id
    """, _params(include_meetings, kinds, new_start, new_end))


def degree_table(db: Database, f: Filters, include_meetings: bool = False, kinds: tuple[str, ...] = (),
                 new_start: date | None = None, new_end: date | None = None) -> pd.DataFrame:
    """Per partner of the network (in scope, or at the end of an edge in scope): distinct
    partners connected, through collaborations, through joint activities, new — in SQL.
    The columns and order of :func:`collab_data.network.degree_table`."""
    return _graph(db, f, f"SELECT * FROM ({_DEGREES.format(edges='e')}) ORDER BY {_DEGREE_ORDER}",
                  _params(include_meetings, kinds, new_start, new_end))


def strongest_edges(db: Database, f: Filters, include_meetings: bool = False, kinds: tuple[str, ...] = (),
                    new_start: date | None = None, new_end: date | None = None, limit: int = 500) -> pd.DataFrame:
    """The ``limit`` strongest edges in scope (most times together, then the pair's ids): the
    columns of :func:`edges`, for the on-screen list (the CSV reads :func:`edges`)."""
    return _graph(db, f, _EDGE_ROWS + """
        ORDER BY e.weight DESC, partner_a_id, partner_b_id
        LIMIT $limit
    """, {**_params(include_meetings, kinds, new_start, new_end), "limit": int(limit)})


#: Hard bounds of what the chart draws, whatever the options: partners one by one, edges.
MAX_NODES = 40
MAX_DRAWN_EDGES = 300


def _graph_params(include_meetings, kinds, new_start, new_end, min_weight, only_new, top, max_edges,
                  top_default, others_id: str = "__others__", others_name: str = "others") -> dict:
    return {"others_id": others_id, "others_name": others_name, **_params(include_meetings, kinds, new_start, new_end), "min_weight": int(min_weight or 0),
            "only_new": bool(only_new), "top": -1 if top == -1 else (0 if top is None else int(top)),
            "max_edges": int(max_edges), "top_default": int(top_default), "max_nodes": MAX_NODES,
            "max_drawn": MAX_DRAWN_EDGES}


def graph_summary(db: Database, f: Filters, include_meetings: bool = False, kinds: tuple[str, ...] = (),
                  new_start: date | None = None, new_end: date | None = None, min_weight: int | None = None,
                  only_new: bool = False, top: int | None = -1, max_edges: int = 40,
                  top_default: int = 15) -> pd.DataFrame:
    """The figures of the network and of its drawing (see :data:`_KEPT`), one row: edges,
    new_edges, with_collaboration, max_weight, min_weight (in effect), kept_edges,
    kept_partners, top (partners drawn one by one), drawable_edges, drawn_pairs (the
    connections the drawn lines stand for), drawn_edges (lines)."""
    return _graph(db, f, _KEPT + """
        SELECT (SELECT count(*) FROM e)::BIGINT AS edges,
               (SELECT count(*) FILTER (WHERE is_new) FROM e)::BIGINT AS new_edges,
               (SELECT count(*) FILTER (WHERE collaborations > 0) FROM e)::BIGINT AS with_collaboration,
               (SELECT coalesce(max(weight), 1) FROM e)::BIGINT AS max_weight,
               (SELECT greatest(w, 1) FROM minw)::BIGINT AS min_weight,
               (SELECT count(*) FROM kept)::BIGINT AS kept_edges,
               (SELECT n FROM topn)::BIGINT AS kept_partners,
               (SELECT k FROM topn)::BIGINT AS top,
               (SELECT count(*) FROM drawable)::BIGINT AS drawable_edges,
               (SELECT coalesce(sum(pairs), 0) FROM drawn)::BIGINT AS drawn_pairs,
               (SELECT count(*) FROM drawn)::BIGINT AS drawn_edges
    """, _graph_params(include_meetings, kinds, new_start, new_end, min_weight, only_new, top, max_edges,
                       top_default))


def graph_nodes(db: Database, f: Filters, include_meetings: bool = False, kinds: tuple[str, ...] = (),
                new_start: date | None = None, new_end: date | None = None, min_weight: int | None = None,
                only_new: bool = False, top: int | None = -1, max_edges: int = 40,
                top_default: int = 15) -> pd.DataFrame:
    """The partners of the kept edges (see :data:`_KEPT`), ranked by degree over them: the
    columns of :func:`degree_table` plus rk (1 = most connected) and drawn (rk within the
    partners drawn one by one)."""
    return _graph(db, f, _KEPT + """
        SELECT kd.* EXCLUDE (n), kd.rk <= (SELECT k FROM topn) AS drawn FROM kd ORDER BY rk
    """, _graph_params(include_meetings, kinds, new_start, new_end, min_weight, only_new, top, max_edges,
                       top_default))


def graph_edges(db: Database, f: Filters, include_meetings: bool = False, kinds: tuple[str, ...] = (),
                new_start: date | None = None, new_end: date | None = None, min_weight: int | None = None,
                only_new: bool = False, top: int | None = -1, max_edges: int = 40,
                top_default: int = 15, others_id: str = "__others__", others_name: str = "others") -> pd.DataFrame:
    """The edges the chart draws (``drawn`` of :data:`_KEPT`), bounded in SQL: kept edges
    between two partners drawn one by one, and per drawn partner one edge to the "others"
    node summing its kept edges to partners not drawn (counts summed, earliest first date,
    new if any is new); edges among the others are not drawn. Only those at least as strong
    as the minimum in effect, at most ``MAX_DRAWN_EDGES``, the strongest first.

    Columns: partner_a_id, partner_a, partner_b_id, partner_b, collaborations,
    joint_activities, weight, first_seen, is_new."""
    return _graph(db, f, _KEPT + """
        SELECT * EXCLUDE (pairs) FROM drawn ORDER BY partner_a_id, partner_b_id
    """, _graph_params(include_meetings, kinds, new_start, new_end, min_weight, only_new, top, max_edges,
                       top_default, others_id, others_name))


def edge_kinds(db: Database, f: Filters, include_meetings: bool = False) -> pd.DataFrame:
    """The kinds of connection in scope, for the page's "kind" filter: one row per kind.

    Columns: edge_kind (``"collaboration:joint_product"``, ``"activity:training"`` ...),
    group ("Collaboration" / "Joint activity"), label (the activity type's label, or the
    collaboration kind's code for the page to name), pairs (distinct pairs joined by it).
    Most pairs first.
    """
    return _run(db, f, """
        SELECT pk.edge_kind,
               CASE WHEN pk.kind = 'collab' THEN 'Collaboration' ELSE 'Joint activity' END AS "group",
               coalesce(t.label, split_part(pk.edge_kind, ':', 2)) AS label,
               count(DISTINCT (pk.a, pk.b))::INTEGER AS pairs
        FROM pair_kinds pk
        LEFT JOIN activity_types t ON pk.edge_kind = 'activity:' || t.type_id
        GROUP BY ALL
        ORDER BY pairs DESC, "group", label
    """, {}, {"pair_kinds": _pair_kinds(db, f, include_meetings)})


def nodes(db: Database, f: Filters) -> pd.DataFrame:
    """Every partner (:data:`_NODES`): its collaborative membership, whether it is in scope, and
    its activities in scope.

    Columns: partner_id, partner (acronym or name), name, membership ("gender", "lnob",
    "both" or "none"), in_scope, activities.
    """
    return scoped(db, f, _NODES + " SELECT * FROM nd ORDER BY partner_id")
