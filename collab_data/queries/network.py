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

import pandas as pd

from collab_data.db import Database
from collab_data.filters import Filters
from collab_data.queries import scoped

_PAIR_EVENTS = """
, ja AS (   -- joint activities: one row per pair of partners of an activity (a < b)
    SELECT x.partner_id AS a, y.partner_id AS b, act.activity_id AS event_id, act.start_date AS d,
           'joint' AS kind, 'activity:' || act.type_id AS edge_kind, NULL::VARCHAR AS title,
           act.activity_id IN (SELECT activity_id FROM sa) AS in_period_scope
    FROM activity_partners x
    JOIN activity_partners y ON y.activity_id = x.activity_id AND x.partner_id < y.partner_id
    JOIN activities act ON act.activity_id = x.activity_id
    WHERE $include_meetings OR act.type_id <> 'meeting'
)
, cb AS (   -- recorded collaborations: one row per pair of partners of a collaboration (a < b)
    SELECT x.partner_id AS a, y.partner_id AS b, c.collaboration_id AS event_id, c.started_date AS d,
           'collab' AS kind, 'collaboration:' || c.kind AS edge_kind, c.title,
           c.collaboration_id IN (SELECT collaboration_id FROM scb) AS in_period_scope
    FROM collaboration_partners x
    JOIN collaboration_partners y ON y.collaboration_id = x.collaboration_id AND x.partner_id < y.partner_id
    JOIN collaborations c ON c.collaboration_id = x.collaboration_id
)
, ev AS (SELECT * FROM ja UNION ALL SELECT * FROM cb)
"""


def edges(db: Database, f: Filters, include_meetings: bool = False, kinds: tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per edge in scope (pair of partners, ``partner_a_id`` < ``partner_b_id``).

    ``kinds``: the edge kinds counted (``"collaboration:<kind>"``, ``"activity:<type>"``,
    see :func:`edge_kinds`); empty: every kind. ``first_seen`` ignores it (a pair is new
    when it first appears together in any record).

    Columns: partner_a_id, partner_a, partner_b_id, partner_b, collaborations,
    joint_activities (counts in scope), weight (their sum), first_collaboration,
    first_joint_activity, first_seen (all records, any filter), last_seen (in scope),
    collaboration_titles ("; "-separated, in scope).
    """
    return scoped(db, f, _PAIR_EVENTS + """
        , first AS (
            SELECT a, b, min(d) FILTER (WHERE kind = 'collab') AS first_collaboration,
                   min(d) FILTER (WHERE kind = 'joint') AS first_joint_activity, min(d) AS first_seen
            FROM ev GROUP BY a, b
        )
        , cur AS (
            SELECT a, b,
                   count(*) FILTER (WHERE kind = 'collab')::INTEGER AS collaborations,
                   count(*) FILTER (WHERE kind = 'joint')::INTEGER AS joint_activities,
                   max(d) AS last_seen,
                   string_agg(title, '; ' ORDER BY d, title) FILTER (WHERE kind = 'collab') AS collaboration_titles
            FROM ev
            WHERE in_period_scope
              AND (len($kinds) = 0 OR edge_kind = ANY($kinds))
              AND (a IN (SELECT partner_id FROM sp) OR b IN (SELECT partner_id FROM sp))
            GROUP BY a, b
        )
        SELECT cur.a AS partner_a_id, coalesce(pa.acronym, pa.name) AS partner_a,
               cur.b AS partner_b_id, coalesce(pb.acronym, pb.name) AS partner_b,
               cur.collaborations, cur.joint_activities,
               (cur.collaborations + cur.joint_activities)::INTEGER AS weight,
               first.first_collaboration, first.first_joint_activity, first.first_seen,
               cur.last_seen, cur.collaboration_titles
        FROM cur
        JOIN first USING (a, b)
        JOIN partners pa ON pa.partner_id = cur.a
        JOIN partners pb ON pb.partner_id = cur.b
        ORDER BY partner_a_id, partner_b_id
    """, {"include_meetings": bool(include_meetings), "kinds": list(kinds)})


def edge_kinds(db: Database, f: Filters, include_meetings: bool = False) -> pd.DataFrame:
    """The kinds of connection in scope, for the page's "kind" filter: one row per kind.

    Columns: edge_kind (``"collaboration:joint_product"``, ``"activity:training"`` ...),
    group ("Collaboration" / "Joint activity"), label (the activity type's label, or the
    collaboration kind's code for the page to name), pairs (distinct pairs joined by it).
    Most pairs first.
    """
    return scoped(db, f, _PAIR_EVENTS + """
        SELECT ev.edge_kind,
               CASE WHEN ev.kind = 'collab' THEN 'Collaboration' ELSE 'Joint activity' END AS "group",
               coalesce(t.label, split_part(ev.edge_kind, ':', 2)) AS label,
               count(DISTINCT (ev.a, ev.b))::INTEGER AS pairs
        FROM ev
        LEFT JOIN activity_types t ON ev.edge_kind = 'activity:' || t.type_id
        WHERE ev.in_period_scope
          AND (ev.a IN (SELECT partner_id FROM sp) OR ev.b IN (SELECT partner_id FROM sp))
        GROUP BY ALL
        ORDER BY pairs DESC, "group", label
    """, {"include_meetings": bool(include_meetings)})


def nodes(db: Database, f: Filters) -> pd.DataFrame:
    """Every partner: its collaborative membership, whether it is in scope, and its activities in scope.

    Columns: partner_id, partner (acronym or name), name, membership ("gender", "lnob",
    "both" or "none"), in_scope, activities.
    """
    return scoped(db, f, """
        , act AS (
            SELECT partner_id, count(*)::INTEGER AS n FROM activity_partners
            WHERE activity_id IN (SELECT activity_id FROM sa) GROUP BY partner_id
        )
        , mem AS (
            SELECT partner_id, bool_or(collab_id = 'gender') AS g, bool_or(collab_id = 'lnob') AS l
            FROM partner_memberships GROUP BY partner_id
        )
        SELECT p.partner_id, coalesce(p.acronym, p.name) AS partner, p.name,
               CASE WHEN mem.g AND mem.l THEN 'both' WHEN mem.g THEN 'gender' WHEN mem.l THEN 'lnob' ELSE 'none' END
                   AS membership,
               p.partner_id IN (SELECT partner_id FROM sp) AS in_scope,
               coalesce(act.n, 0)::INTEGER AS activities
        FROM partners p
        LEFT JOIN act USING (partner_id)
        LEFT JOIN mem USING (partner_id)
        ORDER BY p.partner_id
    """)
