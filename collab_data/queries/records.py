"""Reads behind the "Manage records" page: the registered partners and the form's options."""

from __future__ import annotations

import pandas as pd

from collab_data.db import Database


def partner_registry(db: Database) -> pd.DataFrame:
    """Every partner. Columns: partner_id, partner (acronym or name), name, org_type, hq,
    collaboratives ("Gender (since 15 Mar 2022), LNOB"), task_teams, is_sample, batch_id, and
    who has reported what: tools, programmes, activities, collaborations (records that name
    the partner) and last_change (UTC: the newest upload or edit that wrote one of them;
    NaT when they all came with the build)."""
    return db.query("""
        SELECT p.partner_id, coalesce(p.acronym, p.name) AS partner, p.name, p.org_type, c.name AS hq,
               (SELECT string_agg(CASE m.collab_id WHEN 'gender' THEN 'Gender' ELSE 'LNOB' END
                                  || CASE WHEN m.joined_date IS NULL AND m.left_date IS NULL THEN ''
                                          ELSE ' (' || concat_ws(', ', 'since ' || strftime(m.joined_date, '%d %b %Y'),
                                                                 'left ' || strftime(m.left_date, '%d %b %Y')) || ')'
                                     END, ', ' ORDER BY m.collab_id)
                  FROM partner_memberships m WHERE m.partner_id = p.partner_id) AS collaboratives,
               (SELECT string_agg(t.name || CASE WHEN tm.left_date IS NOT NULL
                                                 THEN ' (left ' || strftime(tm.left_date, '%d %b %Y') || ')' ELSE '' END,
                                  ', ' ORDER BY t.name) FROM task_team_members tm
                  JOIN task_teams t USING (team_id) WHERE tm.partner_id = p.partner_id) AS task_teams,
               p.iati_org_id, p.idc_champion,
               p.is_sample, p.batch_id,
               (SELECT count(*) FROM tool_owners o WHERE o.partner_id = p.partner_id) AS tools,
               (SELECT count(*) FROM country_programs cp WHERE cp.partner_id = p.partner_id) AS programmes,
               (SELECT count(*) FROM activity_partners ap WHERE ap.partner_id = p.partner_id) AS activities,
               (SELECT count(*) FROM collaboration_partners cb WHERE cb.partner_id = p.partner_id) AS collaborations,
               (SELECT max(b.created_at) FROM import_batches b WHERE b.status = 'imported' AND b.batch_id IN (
                    SELECT batch_id FROM partners WHERE partner_id = p.partner_id
                    UNION ALL SELECT batch_id FROM tool_owners WHERE partner_id = p.partner_id
                    UNION ALL SELECT batch_id FROM country_programs WHERE partner_id = p.partner_id
                    UNION ALL SELECT batch_id FROM activity_partners WHERE partner_id = p.partner_id
                    UNION ALL SELECT batch_id FROM collaboration_partners WHERE partner_id = p.partner_id
                    UNION ALL SELECT batch_id FROM record_changes
                              WHERE json_extract_string(record_key, '$.partner_id') = p.partner_id
                    UNION ALL SELECT rc.batch_id FROM record_changes rc JOIN country_programs cp
                              ON cp.program_id = json_extract_string(rc.record_key, '$.program_id')
                              WHERE cp.partner_id = p.partner_id))
                   AS last_change
        FROM partners p LEFT JOIN countries c ON c.iso3 = p.hq_iso3
        ORDER BY lower(coalesce(p.acronym, p.name))
    """)


def collaboratives_and_teams(db: Database) -> tuple[dict[str, str], dict[str, str]]:
    """({collab_id: name}, {team_id: name})."""
    return (dict(db.rows("SELECT collab_id, name FROM collaboratives ORDER BY collab_id")),
            dict(db.rows("SELECT team_id, name FROM task_teams ORDER BY name")))


def sample_rows(db: Database) -> int:
    """How many sample rows the collaboratives' tables hold (0: none, or removed)."""
    return int(db.scalar(
        "SELECT (SELECT count(*) FROM partners WHERE is_sample) + (SELECT count(*) FROM tools WHERE is_sample) "
        "+ (SELECT count(*) FROM country_programs WHERE is_sample) + (SELECT count(*) FROM activities WHERE is_sample) "
        "+ (SELECT count(*) FROM collaborations WHERE is_sample) + (SELECT count(*) FROM kpi_targets WHERE is_sample)"))


def partner_names(db: Database) -> list[tuple[str, str, str]]:
    """(partner_id, acronym or name, name) of every partner, alphabetical by the first label."""
    return db.rows("SELECT partner_id, coalesce(acronym, name), name FROM partners "
                   "ORDER BY lower(coalesce(acronym, name))")


def partner_labels(db: Database) -> dict[str, str]:
    """{partner_id: acronym or name}, alphabetical."""
    return dict(db.rows("SELECT partner_id, coalesce(acronym, name) FROM partners ORDER BY lower(coalesce(acronym, name))"))


def dimension_labels(db: Database) -> dict[str, str]:
    """{dimension_id: label} in the dimensions' order."""
    return dict(db.rows("SELECT dimension_id, label FROM lnob_dimensions ORDER BY sort_order"))


def _one(db: Database, sql: str, params: list) -> dict | None:
    """The first row of a query as {column: value}; None when there is none."""
    with db.cursor() as cur:
        cur.execute(sql, params)
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
    return dict(zip(names, rows[0])) if rows else None


def partner_record(db: Database, partner_id: str) -> dict | None:
    """One partner as stored: its columns, ``memberships`` [(collab_id, joined, left)] and
    ``teams`` [(team_id, joined, left)]; None when there is no such partner."""
    out = _one(db, "SELECT * FROM partners WHERE partner_id = ?", [partner_id])
    if out is None:
        return None
    out["memberships"] = db.rows("SELECT collab_id, joined_date, left_date FROM partner_memberships "
                                 "WHERE partner_id = ? ORDER BY collab_id", [partner_id])
    out["teams"] = db.rows("SELECT team_id, joined_date, left_date FROM task_team_members WHERE partner_id = ? "
                           "ORDER BY team_id", [partner_id])
    return out


def record_history(db: Database, table_names: list[str] | None = None, limit: int = 2000,
                   batch_id: int | None = None) -> pd.DataFrame:
    """Edits of records, newest first: batch_id, created_at (UTC), editor, status (imported /
    undone), source (what the edit was), table_name, record_key (JSON), action, column_name,
    old_value, new_value. ``table_names``: only these tables; ``batch_id``: only that batch."""
    return db.query("""
        SELECT c.batch_id, b.created_at, b.editor, b.status, b.source, c.table_name, c.record_key, c.action,
               c.column_name, c.old_value, c.new_value
        FROM record_changes c JOIN import_batches b USING (batch_id)
        WHERE ($tables IS NULL OR c.table_name = ANY($tables)) AND ($batch IS NULL OR c.batch_id = $batch)
        ORDER BY c.batch_id DESC, c.seq
        LIMIT $limit
    """, {"tables": table_names, "limit": limit, "batch": batch_id})


def tool_record(db: Database, tool_id: str) -> dict | None:
    """One tool as stored, with ``owners`` (partner ids), ``topics`` and
    ``dimensions`` (ids); None when there is no such tool."""
    out = _one(db, "SELECT * FROM tools WHERE tool_id = ?", [tool_id])
    if out is None:
        return None
    out["owners"] = [n for (n,) in db.rows("SELECT partner_id FROM tool_owners WHERE tool_id = ? ORDER BY 1", [tool_id])]
    out["topics"] = [t for (t,) in db.rows("SELECT topic FROM tool_topics WHERE tool_id = ? ORDER BY 1", [tool_id])]
    out["dimensions"] = [d for (d,) in db.rows("SELECT d.dimension_id FROM tool_dimensions t JOIN lnob_dimensions d "
                                               "USING (dimension_id) WHERE t.tool_id = ? ORDER BY d.sort_order", [tool_id])]
    return out


def program_record(db: Database, program_id: str) -> dict | None:
    """One country programme as stored, with its partner's and tool's names; None when
    there is no such programme."""
    return _one(db, "SELECT cp.*, coalesce(p.acronym, p.name) AS partner_label, t.name AS tool_name "
                "FROM country_programs cp JOIN partners p USING (partner_id) LEFT JOIN tools t USING (tool_id) "
                "WHERE cp.program_id = ?", [program_id])


def edit_batches(db: Database, limit: int = 500) -> pd.DataFrame:
    """Uploads and edits of the collaborative's records, newest first: batch_id, kind,
    source, editor, created_at, status, undone_at, undone_by, note, rows_imported, changes
    (rows of record_changes), and written (rows of the record tables that carry the batch)."""
    return db.query("""
        SELECT b.batch_id, b.kind, b.source, b.editor, b.created_at, b.status, b.undone_at, b.undone_by, b.note,
               b.rows_imported,
               (SELECT count(*) FROM record_changes c WHERE c.batch_id = b.batch_id) AS changes
        FROM import_batches b
        WHERE b.kind IN ('upload', 'edit') AND b.source NOT LIKE 'column mapping for %'
        ORDER BY b.batch_id DESC
        LIMIT $limit
    """, {"limit": limit})


def batch_rows(db: Database, batch_id: int) -> dict[str, int]:
    """{record table: rows that carry the batch}, for the tables that have any."""
    tables = ["partners", "partner_memberships", "task_team_members", "tools", "tool_owners", "tool_topics",
              "tool_dimensions", "country_programs", "activities", "activity_partners", "activity_countries",
              "collaborations", "collaboration_partners", "kpi_targets", "column_mappings"]
    sql = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM {t} WHERE batch_id = $b" for t in tables)
    return {t: n for t, n in db.rows(sql, {"b": batch_id}) if n}


def record_labels(db: Database) -> dict[tuple[str, str], str]:
    """{("partner", id): acronym or name, ("tool", id): name, ("program", id): "PARIS21 · Kenya"}."""
    out = {("partner", p): n for p, n in db.rows("SELECT partner_id, coalesce(acronym, name) FROM partners")}
    out |= {("tool", t): n for t, n in db.rows("SELECT tool_id, name FROM tools")}
    out |= {("collaboration", c): t for c, t in db.rows("SELECT collaboration_id, title FROM collaborations")}
    out |= {("program", p): n for p, n in db.rows(
        "SELECT cp.program_id, coalesce(p.acronym, p.name) || ' · ' || c.name FROM country_programs cp "
        "JOIN partners p USING (partner_id) JOIN countries c USING (iso3)")}
    return out


def programme_choices(db: Database, partner_id: str | None) -> pd.DataFrame:
    """Programmes an editor may edit (``partner_id`` None: all): program_id, label."""
    return db.query("""
        SELECT cp.program_id, coalesce(p.acronym, p.name) || ' · ' || c.name || ' · ' || cp.support_type
               || ' · from ' || strftime(cp.start_date, '%Y-%m-%d') || ' (' || cp.status || ')' AS label
        FROM country_programs cp JOIN partners p USING (partner_id) JOIN countries c USING (iso3)
        WHERE $p IS NULL OR cp.partner_id = $p
        ORDER BY lower(coalesce(p.acronym, p.name)), c.name, cp.start_date
    """, {"p": partner_id})


def tool_choices(db: Database, partner_id: str | None) -> dict[str, str]:
    """Tools an editor may edit (``partner_id`` None: all): {tool_id: name (discontinued)}."""
    return dict(db.rows("""
        SELECT t.tool_id, t.name || CASE WHEN t.retired_date IS NOT NULL THEN ' (discontinued)' ELSE '' END
        FROM tools t
        WHERE $p IS NULL OR EXISTS (SELECT 1 FROM tool_owners o WHERE o.tool_id = t.tool_id AND o.partner_id = $p)
        ORDER BY lower(t.name)
    """, {"p": partner_id}))


def partner_status(db: Database, today) -> dict[str, str]:
    """{partner_id: "member" | "former" | "not a member"} on ``today``: former when it was a
    member of a collaborative and has left every one by then."""
    return dict(db.rows("""
        SELECT p.partner_id,
               CASE WHEN NOT EXISTS (SELECT 1 FROM partner_memberships m WHERE m.partner_id = p.partner_id)
                        THEN 'not a member'
                    WHEN EXISTS (SELECT 1 FROM partner_memberships m WHERE m.partner_id = p.partner_id
                                 AND (m.left_date IS NULL OR m.left_date > $today)) THEN 'member'
                    ELSE 'former' END
        FROM partners p
    """, {"today": today}))


def collaboration_choices(db: Database, partner_id: str | None) -> dict[str, str]:
    """Collaborations an editor may edit (``partner_id`` None: all): {id: "title · partners · from date"}."""
    return dict(db.rows("""
        SELECT c.collaboration_id, c.title || ' · ' || string_agg(coalesce(p.acronym, p.name), ', '
                                                                  ORDER BY coalesce(p.acronym, p.name))
               || ' · from ' || strftime(c.started_date, '%Y-%m-%d')
        FROM collaborations c JOIN collaboration_partners cp USING (collaboration_id) JOIN partners p USING (partner_id)
        WHERE $p IS NULL OR c.collaboration_id IN (SELECT collaboration_id FROM collaboration_partners
                                                    WHERE partner_id = $p)
        GROUP BY c.collaboration_id, c.title, c.started_date
        ORDER BY c.started_date DESC, c.title
    """, {"p": partner_id}))
