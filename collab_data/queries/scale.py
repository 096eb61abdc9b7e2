"""SQL of the scale benchmark (:mod:`collab_data.scale`): grow the collaborative records of a
database N times, set-based (one ``INSERT ... SELECT`` per table), respecting every constraint.

Copy ``k`` (1..N-1) of a record gets the id ``<id>_x<k>``, and every reference to another
grown record points at that record's copy ``k``; references to reference data (countries,
collaboratives, task teams, activity types, LNOB dimensions) are left as they are. Names
that must stay unique get `` (copy k)``. Copy 0 is the original row.

Two link tables can grow more than N times, to reproduce a denser collaborative (many
partners per country, many partners per activity): with a density ``d`` (1 <= d <= N),
programme ``(k, j)`` and activity link ``(k, j)`` (``j`` in 0..ceil(d)-1) point at
partner copy ``(k + j) mod N``; ``j`` is kept when ``j + h < d`` for a deterministic
fraction ``h`` in [0, 1) of the row, so an integer ``d`` gives exactly ``d`` times N rows.

Every statement takes ``$batch`` (the batch that writes the copies: its rows are never
read as a source), and the growth tables ``scale_copies(k)`` (1..N-1), ``scale_all(k)``
(0..N-1), ``scale_prog(j)`` and ``scale_link(j)`` made by :data:`SETUP`.
"""

from __future__ import annotations


def _copy(col: str, k: str = "c.k") -> str:
    """``col`` of copy ``k`` (copy 0 keeps the id)."""
    return f"CASE WHEN {k} = 0 OR {col} IS NULL THEN {col} ELSE {col} || '_x' || {k} END"


#: The growth tables; formatted with integers only (validated by the caller).
SETUP = """
CREATE OR REPLACE TEMP TABLE scale_copies AS SELECT range::INTEGER AS k FROM range(1, {n});
CREATE OR REPLACE TEMP TABLE scale_all AS SELECT range::INTEGER AS k FROM range(0, {n});
CREATE OR REPLACE TEMP TABLE scale_prog AS SELECT range::INTEGER AS j FROM range(0, {prog_max});
CREATE OR REPLACE TEMP TABLE scale_link AS SELECT range::INTEGER AS j FROM range(0, {link_max});
"""

TEARDOWN = """
DROP TABLE IF EXISTS scale_copies; DROP TABLE IF EXISTS scale_all;
DROP TABLE IF EXISTS scale_prog; DROP TABLE IF EXISTS scale_link;
"""

#: The grown tables in load order (parents first), each with its INSERT. Parameters:
#: $batch, and for the two dense link tables $n (the factor) and $density.
GROW: dict[str, str] = {
    "partners": f"""
        INSERT INTO partners BY NAME
        SELECT p.* REPLACE ({_copy('p.partner_id')} AS partner_id,
                            p.name || ' (copy ' || c.k || ')' AS name,
                            CASE WHEN p.acronym IS NULL THEN NULL ELSE p.acronym || '-' || c.k END AS acronym,
                            {_copy('p.iati_org_id')} AS iati_org_id,
                            true AS is_sample, $batch AS batch_id)
        FROM partners p CROSS JOIN scale_copies c WHERE p.batch_id <> $batch""",
    "partner_memberships": f"""
        INSERT INTO partner_memberships BY NAME
        SELECT m.* REPLACE ({_copy('m.partner_id')} AS partner_id, true AS is_sample, $batch AS batch_id)
        FROM partner_memberships m CROSS JOIN scale_copies c WHERE m.batch_id <> $batch""",
    "task_team_members": f"""
        INSERT INTO task_team_members BY NAME
        SELECT m.* REPLACE ({_copy('m.partner_id')} AS partner_id, true AS is_sample, $batch AS batch_id)
        FROM task_team_members m CROSS JOIN scale_copies c WHERE m.batch_id <> $batch""",
    "tools": f"""
        INSERT INTO tools BY NAME
        SELECT t.* REPLACE ({_copy('t.tool_id')} AS tool_id, t.name || ' (copy ' || c.k || ')' AS name,
                            true AS is_sample, $batch AS batch_id)
        FROM tools t CROSS JOIN scale_copies c WHERE t.batch_id <> $batch""",
    "tool_owners": f"""
        INSERT INTO tool_owners BY NAME
        SELECT o.* REPLACE ({_copy('o.tool_id')} AS tool_id, {_copy('o.partner_id')} AS partner_id,
                            true AS is_sample, $batch AS batch_id)
        FROM tool_owners o CROSS JOIN scale_copies c WHERE o.batch_id <> $batch""",
    "tool_topics": f"""
        INSERT INTO tool_topics BY NAME
        SELECT t.* REPLACE ({_copy('t.tool_id')} AS tool_id, true AS is_sample, $batch AS batch_id)
        FROM tool_topics t CROSS JOIN scale_copies c WHERE t.batch_id <> $batch""",
    "tool_dimensions": f"""
        INSERT INTO tool_dimensions BY NAME
        SELECT t.* REPLACE ({_copy('t.tool_id')} AS tool_id, true AS is_sample, $batch AS batch_id)
        FROM tool_dimensions t CROSS JOIN scale_copies c WHERE t.batch_id <> $batch""",
    # programme (k, j): partner copy (k + j) mod N, tool copy k; (0, 0) is the original
    "country_programs": f"""
        INSERT INTO country_programs BY NAME
        SELECT p.* REPLACE (
                   p.program_id || '_x' || c.k || CASE WHEN d.j = 0 THEN '' ELSE '_' || d.j END AS program_id,
                   {_copy('p.partner_id', '((c.k + d.j) % $n)')} AS partner_id,
                   {_copy('p.tool_id')} AS tool_id,
                   CASE WHEN p.external_id IS NULL THEN NULL
                        ELSE p.external_id || '-x' || c.k || '-' || d.j END AS external_id,
                   true AS is_sample, $batch AS batch_id)
        FROM country_programs p CROSS JOIN scale_all c CROSS JOIN scale_prog d
        WHERE p.batch_id <> $batch AND NOT (c.k = 0 AND d.j = 0)
          AND d.j + (hash(p.program_id, c.k, d.j) % 1000) / 1000.0 < $density""",
    "activities": f"""
        INSERT INTO activities BY NAME
        SELECT a.* REPLACE ({_copy('a.activity_id')} AS activity_id, {_copy('a.tool_id')} AS tool_id,
                            true AS is_sample, $batch AS batch_id)
        FROM activities a CROSS JOIN scale_copies c WHERE a.batch_id <> $batch""",
    # link (k, j) of activity copy k: partner copy (k + j) mod N; (0, 0) is the original
    "activity_partners": f"""
        INSERT INTO activity_partners BY NAME
        SELECT l.* REPLACE ({_copy('l.activity_id')} AS activity_id,
                            {_copy('l.partner_id', '((c.k + d.j) % $n)')} AS partner_id,
                            true AS is_sample, $batch AS batch_id)
        FROM activity_partners l CROSS JOIN scale_all c CROSS JOIN scale_link d
        WHERE l.batch_id <> $batch AND NOT (c.k = 0 AND d.j = 0)
          AND d.j + (hash(l.activity_id, l.partner_id, c.k, d.j) % 1000) / 1000.0 < $density""",
    "activity_countries": f"""
        INSERT INTO activity_countries BY NAME
        SELECT l.* REPLACE ({_copy('l.activity_id')} AS activity_id, true AS is_sample, $batch AS batch_id)
        FROM activity_countries l CROSS JOIN scale_copies c WHERE l.batch_id <> $batch""",
    "collaborations": f"""
        INSERT INTO collaborations BY NAME
        SELECT x.* REPLACE ({_copy('x.collaboration_id')} AS collaboration_id,
                            {_copy('x.origin_activity_id')} AS origin_activity_id,
                            true AS is_sample, $batch AS batch_id)
        FROM collaborations x CROSS JOIN scale_copies c WHERE x.batch_id <> $batch""",
    "collaboration_partners": f"""
        INSERT INTO collaboration_partners BY NAME
        SELECT x.* REPLACE ({_copy('x.collaboration_id')} AS collaboration_id, {_copy('x.partner_id')} AS partner_id,
                            true AS is_sample, $batch AS batch_id)
        FROM collaboration_partners x CROSS JOIN scale_copies c WHERE x.batch_id <> $batch""",
}

#: Tables whose links may be denser than N times (the parameter that sets their density).
DENSE = {"country_programs": "programme_density", "activity_partners": "link_density"}

#: Writer-side rules the schema cannot hold (names unique), one query each returning
#: offending rows.
DUPLICATE_NAMES = {
    "partners": "SELECT name, count(*) AS n FROM partners GROUP BY name HAVING count(*) > 1",
    "tools": "SELECT name, count(*) AS n FROM tools GROUP BY name HAVING count(*) > 1",
}

#: The batch the benchmark writes, recognised so a database is never grown twice.
SCALE_SOURCE_PREFIX = "bench scale"

GROWN_BEFORE = "SELECT count(*) FROM import_batches WHERE source LIKE 'bench scale%' AND status <> 'undone'"


def orphans_sql(child: str, column: str, parent: str, parent_column: str) -> str:
    """Rows of ``child`` whose ``column`` names no ``parent`` row (identifiers come from the
    database's own constraint list, never from a user)."""
    return (f"SELECT count(*) FROM {child} c WHERE c.{column} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {parent} p WHERE p.{parent_column} = c.{column})")
