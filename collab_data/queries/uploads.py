"""Reads about uploads that are not records: the saved column matchings (a setting each
partner's uploads reuse), kept apart from the import history but auditable."""

from __future__ import annotations

import pandas as pd

from collab_data.db import Database


def saved_matchings(db: Database) -> pd.DataFrame:
    """Every saving of a column matching, newest first: batch_id, created_at, editor, scope,
    status, and ``mapping`` (the JSON matching) for the one in force per scope (NULL for a
    matching that a later one replaced)."""
    return db.query("""
        SELECT b.batch_id, b.created_at, b.editor, json_extract_string(b.note, '$.scope') AS scope, b.status,
               m.mapping
        FROM import_batches b
        LEFT JOIN column_mappings m ON m.batch_id = b.batch_id
        WHERE b.kind = 'edit' AND b.source LIKE 'column mapping for %'
        ORDER BY b.batch_id DESC
    """)
