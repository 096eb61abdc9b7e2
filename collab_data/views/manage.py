"""What the "Manage records" page shows: the registered partners with readable labels,
and the choices of the partner form."""

from __future__ import annotations

import pandas as pd

from collab_data.db import Database
from collab_data.labels import MISSING
from collab_data.queries import records as QR
from collab_data.records.partners import ORG_TYPES

STATUS_LABELS = {"member": "Member", "former": "Former partner", "not a member": "Not in a collaborative"}


def partners_table(db: Database, today=None) -> pd.DataFrame:
    """Every partner: Partner, Name, Type, Headquarters, Collaboratives (with joining
    dates), Task teams, the records that name it (Tools, Programmes, Activities,
    Collaborations), Last change (UTC; empty: only build records), Origin (Sample or
    Registered), Batch, Id."""
    frame = QR.partner_registry(db)
    status = QR.partner_status(db, today) if today is not None else {}
    return pd.DataFrame({
        "Partner": frame["partner"], "Name": frame["name"],
        "Status": [STATUS_LABELS.get(status.get(p), "") for p in frame["partner_id"]],
        "Type": frame["org_type"].map(ORG_TYPES),
        "Headquarters": frame["hq"].fillna("—"), "Collaboratives": frame["collaboratives"].fillna("—"),
        "Task teams": frame["task_teams"].fillna("—"),
        "IATI identifier": frame["iati_org_id"].fillna("—"),
        "IDC champion": ["Yes" if c else "" for c in frame["idc_champion"]],
        "Tools": frame["tools"], "Programmes": frame["programmes"], "Activities": frame["activities"],
        "Collaborations": frame["collaborations"],
        "Last change (UTC)": [_when(t) for t in frame["last_change"]],
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


# --------------------------------------------------------------------------------------
# Editing records, and the history of changes
# --------------------------------------------------------------------------------------
TABLE_LABELS = {
    "partners": "Partner", "partner_memberships": "Membership", "task_team_members": "Task team",
    "tools": "Tool", "tool_owners": "Tool owner", "tool_topics": "Tool topic", "tool_dimensions": "Tool LNOB dimension",
    "country_programs": "Country programme", "activities": "Activity", "activity_partners": "Activity partner",
    "activity_countries": "Activity country", "collaborations": "Collaboration",
    "collaboration_partners": "Collaboration partner", "kpi_targets": "KPI target", "column_mappings": "Column matching",
}
COLUMN_LABELS = {
    "name": "Name", "acronym": "Acronym", "org_type": "Type", "hq_iso3": "Headquarters", "website": "Website",
    "description": "Description", "iati_org_id": "IATI identifier", "idc_champion": "IDC champion",
    "joined_date": "Joined", "left_date": "Left", "kind": "Kind", "stage": "Stage", "launched_year": "Launched",
    "retired_date": "Discontinued", "partner_id": "Partner", "iso3": "Country", "tool_id": "Tool",
    "support_type": "Support type", "topic": "Topic", "start_date": "Start", "end_date": "End", "status": "Status",
    "notes": "Notes", "title": "Title", "started_date": "Started", "origin_activity_id": "Grew out of",
}


def partner_edit_choices(db: Database, today) -> dict[str, str]:
    """{partner_id: "PARIS21 — Partnership in … (former)"} for the edit picker."""
    status = QR.partner_status(db, today)
    out = {}
    for pid, label, name in QR.partner_names(db):
        text = name if label == name else f"{label} — {name}"
        out[pid] = text + (" (former partner)" if status.get(pid) == "former" else "")
    return out


def programme_edit_choices(db: Database, partner_id: str | None) -> dict[str, str]:
    frame = QR.programme_choices(db, partner_id)
    return dict(zip(frame["program_id"], frame["label"]))


def collaboration_edit_choices(db: Database, partner_id: str | None) -> dict[str, str]:
    return QR.collaboration_choices(db, partner_id)


def tool_edit_choices(db: Database, partner_id: str | None) -> dict[str, str]:
    return QR.tool_choices(db, partner_id)


def _record_label(table: str, key: dict, labels: dict) -> str:
    parts = []
    for col, what in (("collaboration_id", "collaboration"), ("partner_id", "partner"), ("tool_id", "tool"),
                      ("program_id", "program")):
        if col in key:
            parts.append(labels.get((what, key[col]), key[col]))
    parts += [str(v) for c, v in key.items() if c not in ("partner_id", "tool_id", "program_id", "collaboration_id")]
    return " · ".join(parts)


def _value(column: str | None, text) -> str:
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return "—"
    if column in ("joined_date", "left_date", "retired_date", "start_date", "end_date", "started_date"):
        from collab_data.labels import person_date

        return person_date(text)
    if column == "hq_iso3":
        from collab_data import countries

        return countries.name_of(text) or text
    return str(text)


def status_text(status: str, undone_at, undone_by) -> str:
    """A batch's status in words ("In force", "Undone on 21 Sep 2026 by X"): one wording on
    the Activities and Manage records pages."""
    from collab_data.views.activities import status_text as text

    return text(status, undone_at, undone_by)


def history_batches(db: Database) -> pd.DataFrame:
    """Uploads and edits, newest first, readable: Batch, When (UTC), Who, What, Kind,
    Records, Status; plus the raw ``kind``, ``status`` and ``note`` for the undo rule."""
    frame = QR.edit_batches(db)
    return pd.DataFrame({
        "Batch": frame["batch_id"], "When (UTC)": frame["created_at"], "Who": frame["editor"].fillna("—"),
        "What": frame["source"].fillna(MISSING), "Kind": frame["kind"].map({"upload": "Import", "edit": "Edit"}),
        "Records": frame["rows_imported"].fillna(0).astype(int),
        "Status": [status_text(s, u, b) for s, u, b in zip(frame["status"], frame["undone_at"], frame["undone_by"])],
        "kind": frame["kind"], "status": frame["status"], "note": frame["note"],
    })


def removed_text(deleted: dict[str, int]) -> str:
    """What an undo removed, in words: "4 activities, 6 activity partners"; "" for nothing."""
    plural = {"Activity": "activities", "Activity partner": "activity partners", "Activity country": "activity countries",
              "Country programme": "country programmes", "Tool LNOB dimension": "tool LNOB dimensions",
              "Membership": "memberships", "Task team": "task team memberships"}
    parts = []
    for table, n in reversed(list(deleted.items())):  # the undo removes children first: name the records first
        if not n:
            continue
        label = TABLE_LABELS.get(table, table.replace("_", " "))
        parts.append(f"{n} {label.lower() if n == 1 else plural.get(label, label.lower() + 's')}")
    return ", ".join(parts)


def batch_changes(db: Database, batch_id: int) -> pd.DataFrame:
    """What one batch did, readable. An edit: one line per change (Record type, Record,
    Change, Field, Before, After). An import: rows written per record type."""
    import json

    hist = QR.record_history(db, batch_id=batch_id, limit=5000)
    labels = QR.record_labels(db)
    if hist.empty:
        rows = QR.batch_rows(db, batch_id)
        return pd.DataFrame({"Record type": [TABLE_LABELS.get(t, t) for t in rows], "Rows written": list(rows.values())})
    out = []
    for r in hist.itertuples():
        key = json.loads(r.record_key)
        change = {"update": "changed", "insert": "added", "delete": "removed"}[r.action]
        if r.action == "update":
            before, after, field = _value(r.column_name, r.old_value), _value(r.column_name, r.new_value), \
                COLUMN_LABELS.get(r.column_name, r.column_name)
        else:
            row = json.loads(r.new_value if r.action == "insert" else r.old_value)
            shown = ", ".join(f"{COLUMN_LABELS.get(c, c)} {_value(c, v)}" for c, v in row.items()
                              if c not in ("batch_id", "is_sample") and c not in key and v is not None)
            field, before, after = "", ("—" if r.action == "insert" else shown or "(row)"), \
                ((shown or "(row)") if r.action == "insert" else "—")
        out.append({"Record type": TABLE_LABELS.get(r.table_name, r.table_name),
                    "Record": _record_label(r.table_name, key, labels), "Change": change, "Field": field,
                    "Before": before, "After": after})
    return pd.DataFrame(out, columns=["Record type", "Record", "Change", "Field", "Before", "After"])


def who_has_reported(db: Database, today) -> pd.DataFrame:
    """Per partner (the registry, not filtered): Partner, Status, the records it holds of
    each type, and the date of its last import or edit (UTC; empty when everything came with
    the database). Newest change first, then partners that never changed anything."""
    frame = QR.partner_registry(db).assign(order=lambda d: d["last_change"])
    status = QR.partner_status(db, today)
    frame = frame.sort_values(["order", "partner"], ascending=[False, True], na_position="last")
    return pd.DataFrame({
        "Partner": frame["partner"], "Status": [STATUS_LABELS.get(status.get(p), "") for p in frame["partner_id"]],
        "Last change (UTC)": [_when(t) for t in frame["last_change"]],
        "Tools": frame["tools"], "Programmes": frame["programmes"], "Activities": frame["activities"],
        "Collaborations": frame["collaborations"],
    }).reset_index(drop=True)


def _when(t) -> str:
    """A change's time as the pages write it; "—" when the records all came with the database."""
    from collab_data.labels import person_datetime

    return person_datetime(t)
