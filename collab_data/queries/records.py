"""Reads behind the "Manage records" page: the registered partners and the form's options."""

from __future__ import annotations

import pandas as pd

from collab_data.db import Database


def partner_registry(db: Database) -> pd.DataFrame:
    """Every partner. Columns: partner_id, partner (acronym or name), name, org_type, hq,
    collaboratives ("Gender (since 15 Mar 2022), LNOB"), task_teams, is_sample, batch_id."""
    return db.query("""
        SELECT p.partner_id, coalesce(p.acronym, p.name) AS partner, p.name, p.org_type, c.name AS hq,
               (SELECT string_agg(CASE m.collab_id WHEN 'gender' THEN 'Gender' ELSE 'LNOB' END
                                  || coalesce(' (since ' || strftime(m.joined_date, '%d %b %Y') || ')', ''), ', '
                                  ORDER BY m.collab_id)
                  FROM partner_memberships m WHERE m.partner_id = p.partner_id) AS collaboratives,
               (SELECT string_agg(t.name, ', ' ORDER BY t.name) FROM task_team_members tm
                  JOIN task_teams t USING (team_id) WHERE tm.partner_id = p.partner_id) AS task_teams,
               p.is_sample, p.batch_id
        FROM partners p LEFT JOIN countries c ON c.iso3 = p.hq_iso3
        ORDER BY lower(coalesce(p.acronym, p.name))
    """)


def collaboratives_and_teams(db: Database) -> tuple[dict[str, str], dict[str, str]]:
    """({collab_id: name}, {team_id: name})."""
    return (dict(db.rows("SELECT collab_id, name FROM collaboratives ORDER BY collab_id")),
            dict(db.rows("SELECT team_id, name FROM task_teams ORDER BY name")))
