"""Reads of the Overview page: KPI values per period, targets, the activity timeline and
the latest activities.

Every function respects all shared filters through the scope CTEs of
:func:`collab_data.queries.scoped`. KPI values are computed for explicit periods (the
page's current period, the one before, and the quarters of the sparkline) in one query,
so the filter's own period is replaced by "all time" for the scope and each KPI applies
its period itself.

The KPI definitions in words, and which KPIs exist, live in :mod:`collab_data.metrics`;
here is the SQL of each, one fragment per KPI in :data:`KPI_SQL`. A fragment is a SELECT
over the CTEs ``per`` (pstart, pend: the periods), ``run_pr`` (programmes in scope
running in a period), ``act`` (activities in scope starting in a period), ``new_rec``
(recorded collaborations in scope starting in a period) and ``new_pair`` (pairs of
partners whose first joint activity ever falls in a period; read from :func:`pair_first`,
computed once per write generation, so a rerun never repeats the whole-database pair join) and returns
``pstart, pend, value``; a period without a row counts as 0 (the records exist, nothing
happened), whether records exist at all is :func:`record_coverage`'s question.

Also here: the plenary meetings behind the meeting-cadence panel, the lists behind the
"new collaborations" breakdown, and the history of target changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from collab_data import clock
from collab_data.db import Database
from collab_data.filters import ALL_TIME, Filters
from collab_data.queries import SCOPE_CTES, data_as_of, scope_params, scoped
from collab_data.queries.freshness import _CYCLE_SQL as QF_CYCLE_SQL

#: Programme statuses that count as running (a 'planned' programme has not started).
RUNNING_STATUSES = ("active", "completed", "paused")

_PERIOD_CTES = """
, sa_m AS MATERIALIZED (SELECT activity_id FROM sa)  -- the activities in scope, computed once per query
, per AS (
    SELECT unnest($per_starts)::DATE AS pstart, unnest($per_ends)::DATE AS pend
)
, run_pr AS MATERIALIZED (
    SELECT per.pstart, per.pend, cp.program_id, cp.partner_id, cp.iso3, cp.tool_id
    FROM per
    JOIN country_programs cp
      ON cp.start_date <= per.pend AND coalesce(cp.end_date, DATE '9999-12-31') >= per.pstart
    WHERE cp.program_id IN (SELECT program_id FROM spr)
      AND cp.status IN ('active', 'completed', 'paused')
)
, act AS MATERIALIZED (
    SELECT per.pstart, per.pend, a.activity_id, a.type_id, a.tool_id
    FROM per
    JOIN activities a ON a.start_date BETWEEN per.pstart AND per.pend
    WHERE a.activity_id IN (SELECT activity_id FROM sa_m)
)
, new_rec AS MATERIALIZED (
    SELECT per.pstart, per.pend, c.collaboration_id
    FROM per JOIN collaborations c ON c.started_date BETWEEN per.pstart AND per.pend
    WHERE c.collaboration_id IN (SELECT collaboration_id FROM scb)
)
"""

#: The first joint activities of every pair of partners, over the whole database whatever the
#: filters: one row per pair (partner_a < partner_b) and activity that both took part in on
#: the pair's first day together (usually one). It depends on the records only, so it is
#: computed once per write generation (:func:`pair_first`) and joined as the relation
#: ``pair_first`` by the queries that need it; the filters then pick the pairs in scope.
PAIR_FIRST_SQL = """
    WITH ev AS (
        SELECT x.partner_id AS partner_a, y.partner_id AS partner_b, a.activity_id, a.start_date
        FROM activity_partners x
        JOIN activity_partners y ON y.activity_id = x.activity_id AND x.partner_id < y.partner_id
        JOIN activities a ON a.activity_id = x.activity_id
    )
    , first AS MATERIALIZED (
        SELECT partner_a, partner_b, min(start_date) AS first_date FROM ev GROUP BY partner_a, partner_b
    )
    SELECT f.partner_a, f.partner_b, f.first_date, ev.activity_id
    FROM first f
    JOIN ev ON ev.partner_a = f.partner_a AND ev.partner_b = f.partner_b AND ev.start_date = f.first_date
"""

#: Pairs first seen together in a period (CTE over ``per``, ``sa``, ``sp`` and the relation
#: ``pair_first``): the pair's first joint day falls in the period, one of the activities of
#: that day is in scope (the first such is the pair's first activity), and at least one of
#: the two partners is in scope.
_NEW_PAIR_CTE = """
, new_pair AS MATERIALIZED (
    SELECT per.pstart, per.pend, pf.partner_a, pf.partner_b, pf.first_date,
           min(pf.activity_id) AS first_activity_id
    FROM per JOIN pair_first pf ON pf.first_date BETWEEN per.pstart AND per.pend
    WHERE pf.activity_id IN (SELECT activity_id FROM sa_m)
      AND (pf.partner_a IN (SELECT partner_id FROM sp) OR pf.partner_b IN (SELECT partner_id FROM sp))
    GROUP BY per.pstart, per.pend, pf.partner_a, pf.partner_b, pf.first_date
)
"""


def pair_first(db: Database):
    """:data:`PAIR_FIRST_SQL`'s rows as an Arrow table (DuckDB scans it without copying),
    computed at most once per write generation of ``db`` (every write moves the generation,
    so it is never stale). Columns: partner_a, partner_b, first_date, activity_id."""
    def compute():
        with db.cursor() as cur:
            return cur.sql(PAIR_FIRST_SQL).to_arrow_table()

    return db.memo("overview.pair_first", compute)


def _scoped_with_pairs(db: Database, f: Filters, body: str, extra: dict | None = None) -> pd.DataFrame:
    """:func:`collab_data.queries.scoped` with the relation ``pair_first`` (see :func:`pair_first`)."""
    frame = pair_first(db)
    params = scope_params(f, data_as_of(db) if f.period == "last12" else None)
    if extra:
        params.update(extra)
    used = {k: v for k, v in params.items() if f"${k}" in SCOPE_CTES or f"${k}" in body}
    with db.cursor() as cur:
        cur.register("pair_first", frame)
        try:
            return cur.execute(f"WITH {SCOPE_CTES} {body}", used).df()
        finally:
            cur.unregister("pair_first")


#: Plenary meetings of a collaborative (alias ``a`` for activities): task-team meetings have a team_id.
PLENARY = "a.type_id = 'meeting' AND a.collab_id IS NOT NULL AND a.team_id IS NULL"

#: The one list of the collaboratives' meetings (see ``metrics.MEETING_DEFINITION``): the KPI
#: "Collaborative meetings held" counts its plenary rows, the meeting-cadence panel reads it whole.
COLLAB_MEETINGS_SQL = f"""
    SELECT a.activity_id, a.collab_id, a.start_date, a.title, ({PLENARY}) AS plenary
    FROM activities a
    WHERE a.type_id = 'meeting' AND a.collab_id IS NOT NULL
"""

#: kpi_id -> SELECT pstart, pend, value (see the module docstring).
KPI_SQL: dict[str, str] = {
    "partners_involved": """
        SELECT pstart, pend, count(DISTINCT partner_id) AS value FROM (
            SELECT act.pstart, act.pend, ap.partner_id
            FROM act JOIN activity_partners ap USING (activity_id)
            WHERE ap.partner_id IN (SELECT partner_id FROM sp)
            UNION ALL
            SELECT pstart, pend, partner_id FROM run_pr
        ) GROUP BY pstart, pend
    """,
    "knowledge_sharing": """
        SELECT pstart, pend, count(DISTINCT activity_id) AS value
        FROM act JOIN activity_types t USING (type_id)
        WHERE t.is_knowledge_sharing
        GROUP BY pstart, pend
    """,
    "new_collaborations": """
        SELECT pstart, pend, count(*) AS value FROM (
            SELECT pstart, pend FROM new_rec
            UNION ALL
            SELECT pstart, pend FROM new_pair
        ) GROUP BY pstart, pend
    """,
    "meetings_held": f"""
        SELECT per.pstart, per.pend, count(*) AS value
        FROM per JOIN ({COLLAB_MEETINGS_SQL}) m ON m.start_date BETWEEN per.pstart AND per.pend
        WHERE m.plenary AND ($collab = 'both' OR m.collab_id = $collab)
        GROUP BY per.pstart, per.pend
    """,
    "peer_reviews": """
        SELECT per.pstart, per.pend, count(*) AS value
        FROM per JOIN activities a ON coalesce(a.end_date, a.start_date) BETWEEN per.pstart AND per.pend
        WHERE a.type_id = 'peer_review' AND a.activity_id IN (SELECT activity_id FROM sa_m)
          AND coalesce(a.end_date, a.start_date) <= $as_of::DATE
        GROUP BY per.pstart, per.pend
    """,
    "tools_showcased": """
        SELECT pstart, pend, count(DISTINCT tool_id) AS value FROM act
        WHERE type_id = 'tool_showcase' AND tool_id IS NOT NULL
          AND (len($kinds) = 0 OR tool_id IN (SELECT tool_id FROM tools WHERE kind = ANY($kinds)))
        GROUP BY pstart, pend
    """,
    "countries_active": """
        SELECT pstart, pend, count(DISTINCT iso3) AS value FROM run_pr GROUP BY pstart, pend
    """,
    "countries_coordinated": """
        SELECT pstart, pend, count(*) AS value FROM (
            SELECT pstart, pend, iso3 FROM run_pr GROUP BY pstart, pend, iso3 HAVING count(DISTINCT partner_id) >= 2
        ) GROUP BY pstart, pend
    """,
    "tools_in_use": """
        SELECT pstart, pend, count(DISTINCT tool_id) AS value FROM (
            SELECT pstart, pend, tool_id FROM run_pr WHERE tool_id IS NOT NULL
            UNION ALL
            SELECT pstart, pend, tool_id FROM act
            WHERE tool_id IS NOT NULL
              AND (len($kinds) = 0 OR tool_id IN (SELECT tool_id FROM tools WHERE kind = ANY($kinds)))
        ) GROUP BY pstart, pend
    """,
}


def kpi_values(db: Database, f: Filters, kpi_ids: Sequence[str],
               periods: Sequence[tuple[date, date]]) -> pd.DataFrame:
    """Each KPI for each period (inclusive start, end), in one query.

    Columns: kpi_id, period_start, period_end, value (int; 0 when nothing happened).
    The filter's own period is ignored: ``periods`` decide.
    """
    unknown = [k for k in kpi_ids if k not in KPI_SQL]
    if unknown:
        raise ValueError(f"no SQL for KPI(s) {unknown}")
    if not kpi_ids or not periods:
        return pd.DataFrame({"kpi_id": pd.Series(dtype=str), "period_start": pd.Series(dtype="datetime64[ns]"),
                             "period_end": pd.Series(dtype="datetime64[ns]"), "value": pd.Series(dtype="int64")})
    # kpi ids are whitelisted above, so they may be written into the SQL as literals
    parts = [f"SELECT '{k}' AS kpi_id, pstart, pend, value FROM ({KPI_SQL[k]})" for k in kpi_ids]
    kpi_list = ", ".join(f"('{k}', {i})" for i, k in enumerate(kpi_ids))
    pairs = "new_collaborations" in kpi_ids
    body = f"""{_PERIOD_CTES}{_NEW_PAIR_CTE if pairs else ""}
        , v AS ({" UNION ALL ".join(parts)})
        , k(kpi_id, ord) AS (VALUES {kpi_list})
        SELECT k.kpi_id, per.pstart AS period_start, per.pend AS period_end,
               coalesce(v.value, 0)::BIGINT AS value
        FROM k CROSS JOIN per
        LEFT JOIN v ON v.kpi_id = k.kpi_id AND v.pstart = per.pstart AND v.pend = per.pend
        ORDER BY k.ord, per.pstart, per.pend
    """
    starts = [s for s, _ in periods]
    ends = [e for _, e in periods]
    extra = {"per_starts": starts, "per_ends": ends, "as_of": data_as_of(db)}
    if pairs:
        return _scoped_with_pairs(db, f.with_(period=ALL_TIME), body, extra)
    return scoped(db, f.with_(period=ALL_TIME), body, extra)


def kpi_targets(db: Database, kpi_ids: Sequence[str], period_type: str, period_start: date) -> dict[str, float]:
    """Targets of the KPIs for one period: {kpi_id: target}; a KPI without a target is absent."""
    rows = db.rows(
        "SELECT kpi_id, target FROM kpi_targets WHERE kpi_id = ANY(?) AND period_type = ? AND period_start = ?",
        [list(kpi_ids), period_type, period_start],
    )
    return {k: float(t) for k, t in rows}


def record_coverage(db: Database) -> dict[str, date | None]:
    """The earliest record of each log the KPIs draw on (whole database, not the scope).

    ``activities``: activities and collaborations (the collaboratives' own log);
    ``programmes``: country programmes that have started. None when the log is empty.
    """
    row = db.rows(
        "SELECT (SELECT min(d) FROM (SELECT min(start_date) AS d FROM activities "
        "        UNION ALL SELECT min(started_date) FROM collaborations)), "
        "       (SELECT min(start_date) FROM country_programs WHERE status IN ('active', 'completed', 'paused'))"
    )[0]
    return {"activities": row[0], "programmes": row[1]}


# --------------------------------------------------------------------------------------
# New collaborations: what the KPI counts, listed
# --------------------------------------------------------------------------------------
def _one_period(f: Filters, start: date, end: date) -> tuple[Filters, dict]:
    return f.with_(period=ALL_TIME), {"per_starts": [start], "per_ends": [end]}


def recorded_collaborations(db: Database, f: Filters, start: date, end: date) -> pd.DataFrame:
    """The recorded collaborations the KPI "new collaborations" counts for one period.

    Columns: started (date), title, kind, partners (acronyms, "; "-separated), origin (the
    activity it grew out of; None when not recorded). Oldest first.
    """
    scope, extra = _one_period(f, start, end)
    return scoped(db, scope, _PERIOD_CTES + """
        SELECT c.started_date AS started, c.title, replace(c.kind, '_', ' ') AS kind,
               (SELECT string_agg(coalesce(p.acronym, p.name), '; ' ORDER BY coalesce(p.acronym, p.name))
                  FROM collaboration_partners cp JOIN partners p USING (partner_id)
                  WHERE cp.collaboration_id = c.collaboration_id) AS partners,
               o.title AS origin
        FROM new_rec JOIN collaborations c USING (collaboration_id)
        LEFT JOIN activities o ON o.activity_id = c.origin_activity_id
        ORDER BY c.started_date, c.collaboration_id
    """, extra)


def first_time_pairs(db: Database, f: Filters, start: date, end: date) -> pd.DataFrame:
    """The pairs of partners the KPI "new collaborations" counts for one period: pairs whose
    first joint activity ever started in the period.

    Columns: first_together (date), partner_a, partner_b (acronyms, in alphabetical order),
    activity (the title of their first joint activity), type. Oldest first.
    """
    scope, extra = _one_period(f, start, end)
    return _scoped_with_pairs(db, scope, _PERIOD_CTES + _NEW_PAIR_CTE + """
        , named AS (
            SELECT np.first_date, np.first_activity_id,
                   coalesce(pa.acronym, pa.name) AS a_name, coalesce(pb.acronym, pb.name) AS b_name
            FROM new_pair np
            JOIN partners pa ON pa.partner_id = np.partner_a
            JOIN partners pb ON pb.partner_id = np.partner_b
        )
        SELECT n.first_date AS first_together,
               CASE WHEN lower(n.a_name) <= lower(n.b_name) THEN n.a_name ELSE n.b_name END AS partner_a,
               CASE WHEN lower(n.a_name) <= lower(n.b_name) THEN n.b_name ELSE n.a_name END AS partner_b,
               a.title AS activity, t.label AS type
        FROM named n JOIN activities a ON a.activity_id = n.first_activity_id
        JOIN activity_types t ON t.type_id = a.type_id
        ORDER BY n.first_date, lower(partner_a), lower(partner_b)
    """, extra)


# --------------------------------------------------------------------------------------
# Partners reporting on time: the last report per partner and reference date
# --------------------------------------------------------------------------------------
def last_reports(db: Database, f: Filters, refs: Sequence[date]) -> pd.DataFrame:
    """For each reference date, each partner in scope that was a member of a collaborative in
    scope by then: its reporting cycle and the date of its last report on or before then —
    the figures of :func:`collab_data.queries.freshness.partner_reports` the KPI "partners
    reporting on time" needs (same reports, members and cycles), without the labels, and
    with an as-of join instead of every report against every date, so it stays fast at any size.

    Columns: ref, partner_id, cycle_months, last_report (None: nothing reported by then).
    """
    if not refs:
        return pd.DataFrame(columns=["ref", "partner_id", "cycle_months", "last_report"])
    return scoped(db, f.with_(period=ALL_TIME), f"""
        , ev AS (
            SELECT ap.partner_id, a.start_date AS d, a.batch_id
            FROM activities a JOIN activity_partners ap USING (activity_id)
            UNION ALL
            SELECT p.partner_id, p.start_date, p.batch_id FROM country_programs p
            WHERE p.status IN ('active', 'completed', 'paused')
            UNION ALL
            SELECT p.partner_id, p.end_date, p.batch_id FROM country_programs p
            WHERE p.status = 'completed' AND p.end_date IS NOT NULL
            UNION ALL
            SELECT cp.partner_id, c.started_date, c.batch_id
            FROM collaborations c JOIN collaboration_partners cp USING (collaboration_id)
        )
        , held AS (
            SELECT DISTINCT ev.partner_id, ev.d
            FROM ev JOIN import_batches b USING (batch_id)
            WHERE ev.d BETWEEN $earliest AND $latest AND (b.created_at IS NULL OR ev.d <= b.created_at::DATE)
        )
        , cyc AS ({QF_CYCLE_SQL})
        , refs AS (SELECT unnest($refs)::DATE AS ref)
        , members AS (
            SELECT refs.ref, m.partner_id, min(cyc.months) AS cycle_months
            FROM refs
            JOIN partner_memberships m ON (m.joined_date IS NULL OR m.joined_date <= refs.ref)
                                      AND (m.left_date IS NULL OR m.left_date > refs.ref)
            JOIN cyc USING (collab_id)
            WHERE m.partner_id IN (SELECT partner_id FROM sp) AND ($collab = 'both' OR m.collab_id = $collab)
            GROUP BY refs.ref, m.partner_id
        )
        SELECT mb.ref, mb.partner_id, mb.cycle_months, h.d AS last_report
        FROM members mb
        ASOF LEFT JOIN held h ON h.partner_id = mb.partner_id AND h.d <= mb.ref
        ORDER BY mb.ref, mb.partner_id
    """, {"refs": list(refs), "earliest": clock.EARLIEST, "latest": clock.LATEST})


# --------------------------------------------------------------------------------------
# Meeting cadence
# --------------------------------------------------------------------------------------
def collaboratives(db: Database) -> pd.DataFrame:
    """The collaboratives and the rhythm at which each meets. Columns: collab_id, name,
    cadence_min_months, cadence_max_months."""
    return db.query("SELECT collab_id, name, cadence_min_months, cadence_max_months FROM collaboratives "
                    "ORDER BY collab_id")


def collab_meetings(db: Database, collab: str = "both") -> pd.DataFrame:
    """Every meeting of the collaboratives (``collab``: 'both', 'gender' or 'lnob'), oldest first.

    Columns: collab_id, date, title, plenary (True for the collaborative's own meeting,
    False for a task team's). The rhythm is the collaborative's: partner, country and tool
    filters do not apply.
    """
    return db.query(f"""
        SELECT m.collab_id, m.start_date AS date, m.title, m.plenary
        FROM ({COLLAB_MEETINGS_SQL}) m
        WHERE (? = 'both' OR m.collab_id = ?)
        ORDER BY m.collab_id, m.start_date, m.activity_id
    """, [collab, collab])


# --------------------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------------------
def kpi_catalogue(db: Database) -> pd.DataFrame:
    """The KPIs the database knows (targets may be set for these). Columns: kpi_id, name, unit."""
    return db.query("SELECT kpi_id, name, unit FROM kpis ORDER BY kpi_id")


def target_changes(db: Database, limit: int = 500) -> pd.DataFrame:
    """Changes of targets made in the app, newest first.

    Columns: changed_at (UTC), editor, kpi_id, kpi (name), period_type, period_start,
    old_target (NaN: there was no target), new_target, batch_id.
    """
    return db.query("""
        SELECT b.created_at AS changed_at, b.editor, c.kpi_id, k.name AS kpi, c.period_type, c.period_start,
               c.old_target, c.new_target, c.batch_id
        FROM kpi_target_changes c
        JOIN import_batches b USING (batch_id)
        JOIN kpis k USING (kpi_id)
        ORDER BY c.batch_id DESC
        LIMIT ?
    """, [int(limit)])


# --------------------------------------------------------------------------------------
# Activities
# --------------------------------------------------------------------------------------
def activity_types(db: Database) -> pd.DataFrame:
    """Activity types in a fixed order (so colours stay the same under any filter)."""
    return db.query("SELECT type_id, label, is_knowledge_sharing FROM activity_types ORDER BY type_id = 'meeting' DESC, "
                    "is_knowledge_sharing DESC, label")


def activity_timeline(db: Database, f: Filters) -> pd.DataFrame:
    """Activities in scope per quarter and type.

    Columns: quarter_start (date), quarter ("Q1 2025"), type_id, type, activities.
    Quarters and types without activities have no row.
    """
    return scoped(db, f, """
        SELECT date_trunc('quarter', a.start_date)::DATE AS quarter_start,
               'Q' || quarter(a.start_date)::VARCHAR || ' ' || year(a.start_date)::VARCHAR AS quarter,
               a.type_id, t.label AS type, count(*)::BIGINT AS activities
        FROM activities a JOIN activity_types t USING (type_id)
        WHERE a.activity_id IN (SELECT activity_id FROM sa)
        GROUP BY ALL
        ORDER BY quarter_start, type
    """)


def latest_activities(db: Database, f: Filters, limit: int = 15) -> pd.DataFrame:
    """The most recent activities in scope, newest first.

    Columns: date, title, type, collaborative, partners (acronyms, "; "-separated),
    countries (names, "; "-separated; None when the activity names no country), outcome.
    """
    return scoped(db, f, """
        , top AS (
            SELECT a.* FROM activities a
            WHERE a.activity_id IN (SELECT activity_id FROM sa)
            ORDER BY a.start_date DESC, a.activity_id DESC
            LIMIT $limit
        )
        SELECT top.start_date AS date, top.title, t.label AS type,
               CASE top.collab_id WHEN 'gender' THEN 'Gender' WHEN 'lnob' THEN 'LNOB' ELSE 'Both or neither' END
                   AS collaborative,
               (SELECT string_agg(coalesce(p.acronym, p.name), '; ' ORDER BY coalesce(p.acronym, p.name))
                  FROM activity_partners ap JOIN partners p USING (partner_id)
                  WHERE ap.activity_id = top.activity_id) AS partners,
               (SELECT string_agg(c.name, '; ' ORDER BY c.name)
                  FROM activity_countries ac JOIN countries c USING (iso3)
                  WHERE ac.activity_id = top.activity_id) AS countries,
               top.outcome
        FROM top JOIN activity_types t USING (type_id)
        ORDER BY top.start_date DESC, top.activity_id DESC
    """, {"limit": int(limit)})


# --------------------------------------------------------------------------------------
# Why a KPI misses its target: what the count leaves out, listed
# --------------------------------------------------------------------------------------
def kpi_targets_by_period(db: Database, kpi_ids: Sequence[str], period_type: str,
                          starts: Sequence[date]) -> pd.DataFrame:
    """Targets of the KPIs for several periods of one type. Columns: kpi_id, period_start, target."""
    return db.query(
        "SELECT kpi_id, period_start, target FROM kpi_targets "
        "WHERE kpi_id = ANY(?) AND period_type = ? AND period_start = ANY(?) ORDER BY kpi_id, period_start",
        [list(kpi_ids), period_type, list(starts)])


def partners_not_involved(db: Database, f: Filters, start: date, end: date) -> pd.DataFrame:
    """Members of a collaborative in scope that the KPI "partners involved" does not count for
    the period: no activity in scope that started in it and no programme in scope running.

    Columns: partner (acronym or name), name, last_involved (the last such activity start
    or programme day on or before the period's end; None: never). Longest absent first.
    """
    scope, extra = _one_period(f, start, end)
    return scoped(db, scope, _PERIOD_CTES + """
        , involved AS (
            SELECT ap.partner_id FROM act JOIN activity_partners ap USING (activity_id)
            UNION SELECT partner_id FROM run_pr
        )
        , earlier AS (
            SELECT ap.partner_id, a.start_date AS d FROM activities a JOIN activity_partners ap USING (activity_id)
            WHERE a.activity_id IN (SELECT activity_id FROM sa) AND a.start_date <= $end::DATE
            UNION ALL
            SELECT partner_id, least(coalesce(end_date, $end::DATE), $end::DATE) FROM country_programs
            WHERE program_id IN (SELECT program_id FROM spr) AND status IN ('active', 'completed', 'paused')
              AND start_date <= $end::DATE
        )
        SELECT coalesce(p.acronym, p.name) AS partner, p.name, max(e.d) AS last_involved
        FROM partners p LEFT JOIN earlier e USING (partner_id)
        WHERE p.partner_id IN (SELECT partner_id FROM sp)
          AND p.partner_id IN (SELECT partner_id FROM partner_memberships)
          AND p.partner_id NOT IN (SELECT partner_id FROM involved)
        GROUP BY p.partner_id, p.acronym, p.name
        ORDER BY last_involved NULLS FIRST, lower(partner)
    """, {**extra, "end": end})


def countries_not_active(db: Database, f: Filters, start: date, end: date) -> pd.DataFrame:
    """Countries with a programme in scope that the KPI "countries with active programmes" does
    not count for the period: none of their programmes runs in it.

    Columns: country, iso3, reason ("ended" / "not started" / "planned"), last_end (the
    last end of a programme that ran before the period), next_start (the first start of a
    programme after it, or of a planned one), partners (acronyms, "; "-separated).
    Recently ended first.
    """
    scope, extra = _one_period(f, start, end)
    return scoped(db, scope, _PERIOD_CTES + """
        , mine AS (
            SELECT cp.* FROM country_programs cp WHERE cp.program_id IN (SELECT program_id FROM spr)
        )
        SELECT c.name AS country, m.iso3,
               CASE WHEN max(m.end_date) FILTER (WHERE m.status <> 'planned' AND m.end_date < $start::DATE) IS NOT NULL
                    THEN 'ended'
                    WHEN bool_or(m.status = 'planned') THEN 'planned' ELSE 'not started' END AS reason,
               max(m.end_date) FILTER (WHERE m.status <> 'planned' AND m.end_date < $start::DATE) AS last_end,
               min(m.start_date) FILTER (WHERE m.start_date > $end::DATE OR m.status = 'planned') AS next_start,
               string_agg(DISTINCT coalesce(p.acronym, p.name), '; ' ORDER BY coalesce(p.acronym, p.name)) AS partners
        FROM mine m JOIN countries c USING (iso3) JOIN partners p USING (partner_id)
        WHERE m.iso3 NOT IN (SELECT iso3 FROM run_pr)
        GROUP BY c.name, m.iso3
        ORDER BY last_end DESC NULLS LAST, next_start NULLS LAST, country
    """, {**extra, "start": start, "end": end})


def countries_one_partner(db: Database, f: Filters, start: date, end: date) -> pd.DataFrame:
    """Countries with programmes running in the period but only one partner, so the KPI
    "countries with coordinated support" does not count them. Columns: country, partner."""
    scope, extra = _one_period(f, start, end)
    return scoped(db, scope, _PERIOD_CTES + """
        SELECT c.name AS country, min(coalesce(p.acronym, p.name)) AS partner
        FROM run_pr r JOIN countries c USING (iso3) JOIN partners p USING (partner_id)
        GROUP BY c.name HAVING count(DISTINCT r.partner_id) = 1
        ORDER BY country
    """, extra)


def knowledge_sharing_by_type(db: Database, f: Filters, start: date, end: date,
                              prev_start: date, prev_end: date) -> pd.DataFrame:
    """Knowledge-sharing activities in scope per type, in the period and the one before.
    Columns: type (label), value, previous. Every knowledge-sharing type, zeros included."""
    scope = f.with_(period=ALL_TIME)
    return scoped(db, scope, _PERIOD_CTES + """
        SELECT t.label AS type,
               count(DISTINCT act.activity_id) FILTER (WHERE act.pstart = $start::DATE)::BIGINT AS value,
               count(DISTINCT act.activity_id) FILTER (WHERE act.pstart = $prev::DATE)::BIGINT AS previous
        FROM activity_types t LEFT JOIN act USING (type_id)
        WHERE t.is_knowledge_sharing
        GROUP BY t.label ORDER BY t.label
    """, {"per_starts": [start, prev_start], "per_ends": [end, prev_end], "start": start, "prev": prev_start})


def peer_reviews_open(db: Database, f: Filters, start: date, end: date) -> pd.DataFrame:
    """Peer reviews in scope started by the period's end (or the data date) but not completed
    in the period by the data date: the reviews the KPI "peer reviews completed" waits for.
    Columns: title, partners, started, ends (None: no end date recorded). Soonest end first."""
    scope, extra = _one_period(f, start, end)
    return scoped(db, scope, """
        SELECT a.title,
               (SELECT string_agg(coalesce(p.acronym, p.name), '; ' ORDER BY coalesce(p.acronym, p.name))
                  FROM activity_partners ap JOIN partners p USING (partner_id)
                  WHERE ap.activity_id = a.activity_id) AS partners,
               a.start_date AS started, a.end_date AS ends
        FROM activities a
        WHERE a.type_id = 'peer_review' AND a.activity_id IN (SELECT activity_id FROM sa)
          AND a.start_date <= least($end::DATE, $as_of::DATE)
          AND coalesce(a.end_date, a.start_date) > least($end::DATE, $as_of::DATE)
        ORDER BY a.end_date NULLS LAST, a.start_date, a.title
    """, {"end": end, "as_of": data_as_of(db)})


def tools_not_counted(db: Database, f: Filters, kpi_id: str, start: date, end: date) -> pd.DataFrame:
    """Tools counted by ``kpi_id`` ("tools_showcased" or "tools_in_use") before the period but
    not in it. Columns: tool, last (the last day it was counted, on or before the period's
    start). Most recent first."""
    if kpi_id not in ("tools_showcased", "tools_in_use"):
        raise ValueError(f"no tool list for {kpi_id!r}")
    scope, extra = _one_period(f, start, end)
    showcase_only = "AND a.type_id = 'tool_showcase'" if kpi_id == "tools_showcased" else ""
    programmes = "" if kpi_id == "tools_showcased" else """
            UNION ALL
            SELECT tool_id, least(coalesce(end_date, $start::DATE), $start::DATE) FROM country_programs
            WHERE program_id IN (SELECT program_id FROM spr) AND tool_id IS NOT NULL
              AND status IN ('active', 'completed', 'paused') AND start_date < $start::DATE"""
    now = (f"SELECT tool_id FROM act WHERE tool_id IS NOT NULL {showcase_only.replace('a.', '')}"
           + ("" if kpi_id == "tools_showcased" else " UNION SELECT tool_id FROM run_pr WHERE tool_id IS NOT NULL"))
    return scoped(db, scope, _PERIOD_CTES + f"""
        , before AS (
            SELECT a.tool_id, a.start_date AS d FROM activities a
            WHERE a.activity_id IN (SELECT activity_id FROM sa) AND a.tool_id IS NOT NULL
              AND a.start_date < $start::DATE {showcase_only}{programmes}
        )
        SELECT t.name AS tool, max(b.d) AS last
        FROM before b JOIN tools t USING (tool_id)
        WHERE (len($kinds) = 0 OR t.kind = ANY($kinds))
          AND b.tool_id NOT IN ({now})
        GROUP BY t.name ORDER BY last DESC, tool
    """, {**extra, "start": start})
