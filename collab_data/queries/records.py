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
                                  || coalesce(' (since ' || strftime(m.joined_date, '%d %b %Y') || ')', ''), ', '
                                  ORDER BY m.collab_id)
                  FROM partner_memberships m WHERE m.partner_id = p.partner_id) AS collaboratives,
               (SELECT string_agg(t.name, ', ' ORDER BY t.name) FROM task_team_members tm
                  JOIN task_teams t USING (team_id) WHERE tm.partner_id = p.partner_id) AS task_teams,
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
                    UNION ALL SELECT batch_id FROM collaboration_partners WHERE partner_id = p.partner_id))
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


def partner_labels(db: Database) -> dict[str, str]:
    """{partner_id: acronym or name}, alphabetical."""
    return dict(db.rows("SELECT partner_id, coalesce(acronym, name) FROM partners ORDER BY lower(coalesce(acronym, name))"))


def dimension_labels(db: Database) -> dict[str, str]:
    """{dimension_id: label} in the dimensions' order."""
    return dict(db.rows("SELECT dimension_id, label FROM lnob_dimensions ORDER BY sort_order"))
