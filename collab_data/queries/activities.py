"""Reads for the Activities page: the activity log and the import history."""

from __future__ import annotations

import pandas as pd

from collab_data.db import Database
from collab_data.filters import Filters
from collab_data.queries import scoped


def activity_log(db: Database, f: Filters) -> pd.DataFrame:
    """Activities in scope, newest first, with readable labels."""
    frame = scoped(db, f, """
        SELECT a.start_date AS "date", a.end_date AS "end", a.title, t.label AS "type",
               CASE a.collab_id WHEN 'gender' THEN 'Gender' WHEN 'lnob' THEN 'LNOB' ELSE '' END AS collaborative,
               (SELECT string_agg(coalesce(p.acronym, p.name), '; ' ORDER BY coalesce(p.acronym, p.name))
                  FROM activity_partners ap JOIN partners p USING (partner_id) WHERE ap.activity_id = a.activity_id) AS partners,
               (SELECT string_agg(c.name, '; ' ORDER BY c.name)
                  FROM activity_countries ac JOIN countries c USING (iso3) WHERE ac.activity_id = a.activity_id) AS countries,
               tl.name AS tool, a.outcome, a.flags AS import_flags,
               CASE WHEN a.is_sample THEN 'sample' ELSE 'upload #' || a.batch_id END AS source,
               a.activity_id
        FROM activities a
        JOIN activity_types t USING (type_id)
        LEFT JOIN tools tl USING (tool_id)
        WHERE a.activity_id IN (SELECT activity_id FROM sa)
        ORDER BY a.start_date DESC, a.title
    """)
    for col in ("date", "end"):
        frame[col] = pd.to_datetime(frame[col])  # a missing end date is empty, not the text "None"
    return frame


def upload_batches(db: Database) -> pd.DataFrame:
    """Imports of activities, newest first (other record types and edits are in the history
    of changes on Manage records; a remembered column matching is a setting, not an import)."""
    return db.query("""
        SELECT batch_id, kind, source AS file, editor, created_at, rows_read, rows_imported, rows_skipped,
               status, undone_at, undone_by, note,
               (SELECT count(*) FROM activities a WHERE a.batch_id = b.batch_id) AS activities_now
        FROM import_batches b
        WHERE kind = 'upload' AND (coalesce(json_extract_string(note, '$.records'), 'activities') = 'activities')
        ORDER BY batch_id DESC
    """)


def batch_activities(db: Database, batch_id: int) -> pd.DataFrame:
    return db.query("""
        SELECT a.source_row AS "row in file", a.start_date AS "date", a.title, t.label AS "type",
               (SELECT string_agg(coalesce(p.acronym, p.name), '; ') FROM activity_partners ap
                  JOIN partners p USING (partner_id) WHERE ap.activity_id = a.activity_id) AS partners,
               (SELECT string_agg(c.name, '; ') FROM activity_countries ac JOIN countries c USING (iso3)
                  WHERE ac.activity_id = a.activity_id) AS countries,
               a.flags AS import_flags
        FROM activities a JOIN activity_types t USING (type_id)
        WHERE a.batch_id = ? ORDER BY a.source_row
    """, [batch_id])
