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
running in a period) and ``act`` (activities in scope starting in a period) and returns
``pstart, pend, value``; a period without a row counts as 0 (the records exist, nothing
happened), whether records exist at all is :func:`record_coverage`'s question.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from collab_data.db import Database
from collab_data.filters import ALL_TIME, Filters
from collab_data.queries import scoped

#: Programme statuses that count as running (a 'planned' programme has not started).
RUNNING_STATUSES = ("active", "completed", "paused")

_PERIOD_CTES = """
, per AS (
    SELECT unnest($per_starts)::DATE AS pstart, unnest($per_ends)::DATE AS pend
)
, run_pr AS (
    SELECT per.pstart, per.pend, cp.program_id, cp.partner_id, cp.iso3, cp.tool_id
    FROM per
    JOIN country_programs cp
      ON cp.start_date <= per.pend AND coalesce(cp.end_date, DATE '9999-12-31') >= per.pstart
    WHERE cp.program_id IN (SELECT program_id FROM spr)
      AND cp.status IN ('active', 'completed', 'paused')
)
, act AS (
    SELECT per.pstart, per.pend, a.activity_id, a.type_id, a.tool_id
    FROM per
    JOIN activities a ON a.start_date BETWEEN per.pstart AND per.pend
    WHERE a.activity_id IN (SELECT activity_id FROM sa)
)
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
        SELECT per.pstart, per.pend, count(DISTINCT c.collaboration_id) AS value
        FROM per JOIN collaborations c ON c.started_date BETWEEN per.pstart AND per.pend
        WHERE c.collaboration_id IN (SELECT collaboration_id FROM scb)
        GROUP BY per.pstart, per.pend
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
    body = f"""{_PERIOD_CTES}
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
    return scoped(db, f.with_(period=ALL_TIME), body, {"per_starts": starts, "per_ends": ends})


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
               CASE top.collab_id WHEN 'gender' THEN 'Gender' WHEN 'lnob' THEN 'LNOB' ELSE 'Outside both' END
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
