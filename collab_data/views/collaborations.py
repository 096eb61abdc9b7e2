"""What the collaboration form offers: the kinds, the partners and the activities a
collaboration may have grown out of."""

from __future__ import annotations

from collab_data.db import Database
from collab_data.queries import collaborations as QC
from collab_data.queries import records as QR
from collab_data.records.collaborations import KINDS


def collaboration_choices(db: Database) -> dict:
    """{"kinds": {kind: label}, "partners": {partner_id: label}, "activities": {activity_id:
    label}} (activities newest first, at most 1,000: an older one is named by its id in a file)."""
    return {"kinds": dict(KINDS), "partners": QR.partner_labels(db), "activities": QC.activity_labels(db)}
