"""What the "Manage records" page shows: the registered partners with readable labels,
and the choices of the partner form."""

from __future__ import annotations

import pandas as pd

from collab_data.db import Database
from collab_data.queries import records as QR
from collab_data.records.partners import ORG_TYPES


def partners_table(db: Database) -> pd.DataFrame:
    """Every partner: Partner, Name, Type, Headquarters, Collaboratives (with joining
    dates), Task teams, the records that name it (Tools, Programmes, Activities,
    Collaborations), Last change (UTC; empty: only build records), Origin (Sample or
    Registered), Batch, Id."""
    frame = QR.partner_registry(db)
    return pd.DataFrame({
        "Partner": frame["partner"], "Name": frame["name"], "Type": frame["org_type"].map(ORG_TYPES),
        "Headquarters": frame["hq"].fillna("—"), "Collaboratives": frame["collaboratives"].fillna("—"),
        "Task teams": frame["task_teams"].fillna("—"),
        "Tools": frame["tools"], "Programmes": frame["programmes"], "Activities": frame["activities"],
        "Collaborations": frame["collaborations"],
        "Last change (UTC)": frame["last_change"],
        "Origin": ["Sample" if s else "Registered" for s in frame["is_sample"]],
        "Batch": frame["batch_id"], "Id": frame["partner_id"],
    })


def backup_zip(db: Database) -> bytes:
    """The backup of every record, batch and history row (see :mod:`collab_data.backup`), as bytes."""
    import tempfile
    from pathlib import Path

    from collab_data.backup import backup

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "backup.zip"
        backup(db, out)
        return out.read_bytes()


def form_choices(db: Database) -> dict:
    """Options of the partner form: organisation types, collaboratives, task teams."""
    collabs, teams = QR.collaboratives_and_teams(db)
    return {"org_types": dict(ORG_TYPES), "collaboratives": collabs, "task_teams": teams,
            "partners": QR.partner_labels(db), "dimensions": QR.dimension_labels(db)}
