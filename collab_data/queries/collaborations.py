"""Reads behind the collaboration form: the activities a collaboration may have grown out of."""

from __future__ import annotations

from collab_data.db import Database


def activity_labels(db: Database, limit: int = 1000) -> dict[str, str]:
    """{activity_id: "title (5 Mar 2026, id)"}, the newest ``limit`` activities first."""
    return {aid: f"{title} ({start.day} {start:%b %Y}, {aid})" for aid, title, start in db.rows(
        "SELECT activity_id, title, start_date FROM activities ORDER BY start_date DESC, activity_id DESC LIMIT ?",
        [int(limit)])}
