"""What the Activities page shows, readable: the activity log without empty cells reading
None, the upload history with statuses in words, and the saved column matchings."""

from __future__ import annotations

import json

import pandas as pd

from collab_data.db import Database
from collab_data.labels import EITHER_COLLABORATIVE, MISSING, person_date, person_datetime
from collab_data.queries import activities as QA
from collab_data.queries import records as QR
from collab_data.queries import uploads as QU

#: The text columns of the activity log, where an empty cell reads "—".
_LOG_TEXT = ("title", "type", "collaborative", "partners", "countries", "tool", "outcome", "import_flags", "source")


def log_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The activity log as shown: empty text cells read "—" (dates stay dates: the table
    writes them "21 Sep 2026" and shows nothing for no end date)."""
    out = frame.copy()
    if "collaborative" in out:
        out["collaborative"] = out["collaborative"].astype(object).where(
            out["collaborative"].notna() & (out["collaborative"].astype(str) != ""), EITHER_COLLABORATIVE)
    for col in _LOG_TEXT:
        if col in out:
            out[col] = out[col].astype(object).where(out[col].notna() & (out[col].astype(str) != ""), MISSING)
    return out.rename(columns=LOG_HEADERS)


#: The activity log's headers, on screen and in the export.
LOG_HEADERS = {"date": "Date", "end": "End", "title": "Title", "type": "Type", "collaborative": "Collaborative",
               "partners": "Partners", "countries": "Countries", "tool": "Tool", "outcome": "Outcome",
               "import_flags": "Import flags", "source": "Source"}


def status_text(status: str, undone_at, undone_by) -> str:
    """A batch's status in words: "In force", "Being undone", "Undone on 21 Sep 2026 by X"."""
    if status == "undone":
        return "Undone" + (f" on {person_date(undone_at)}" if undone_at is not None and pd.notna(undone_at) else "") \
            + (f" by {undone_by}" if isinstance(undone_by, str) and undone_by else "")
    if status == "undoing":
        return "Being undone (interrupted)"
    return "In force"


def upload_history(db: Database) -> pd.DataFrame:
    """Activity uploads, newest first, readable: Batch, When (UTC), File, Who, Rows read,
    Rows imported, Rows skipped, Activities now, Status; plus the raw ``kind``, ``status``
    and ``note`` (for the undo rule), which the page does not show."""
    frame = QA.upload_batches(db)
    return pd.DataFrame({
        "Batch": frame["batch_id"].astype(int),
        "When (UTC)": pd.to_datetime(frame["created_at"]),  # a date for the table and ISO in the export
        "File": frame["file"].fillna(MISSING), "Who": frame["editor"].fillna(MISSING),
        "Rows read": frame["rows_read"].astype("Int64"), "Rows imported": frame["rows_imported"].astype("Int64"),
        "Rows skipped": frame["rows_skipped"].astype("Int64"),
        "Activities now": frame["activities_now"].astype(int),
        "Status": [status_text(s, u, b) for s, u, b in zip(frame["status"], frame["undone_at"], frame["undone_by"])],
        "kind": frame["kind"], "status": frame["status"], "note": frame["note"],
    })


def batch_activities(db: Database, batch_id: int) -> pd.DataFrame:
    """The activities one upload wrote (none once it is undone), readable."""
    frame = QA.batch_activities(db, batch_id)
    out = pd.DataFrame({
        "Row in your file": frame["row in file"].astype("Int64"), "Date": [person_date(d) for d in frame["date"]],
        "Title": frame["title"], "Type": frame["type"],
        "Partners": frame["partners"], "Countries": frame["countries"], "Import flags": frame["import_flags"],
    })
    for col in ("Title", "Type", "Partners", "Countries", "Import flags"):
        out[col] = out[col].astype(object).where(out[col].notna(), MISSING)
    return out


def saved_matchings(db: Database) -> pd.DataFrame:
    """Every saving of a column matching, newest first: Saved (UTC), Who, For (the partner,
    or administrators), Matching (field ← the file's column), Status. A setting, not an
    import: it is listed here rather than in the import history."""
    frame = QU.saved_matchings(db)
    labels = QR.partner_labels(db)
    from collab_data.ingest.activities import FIELDS

    def matching(text) -> str:
        if not isinstance(text, str):
            return "(replaced by a later matching)"
        pairs = json.loads(text)
        return "; ".join(f"{FIELDS[k].label} ← {v!r}" for k, v in pairs.items() if k in FIELDS) or MISSING

    return pd.DataFrame({
        "Saved (UTC)": [person_datetime(t) for t in frame["created_at"]],
        "Who": frame["editor"].fillna(MISSING),
        "For": [("Administrators" if s == "admin" else labels.get(s, s)) if isinstance(s, str) else MISSING
                for s in frame["scope"]],
        "Matching": [matching(m) for m in frame["mapping"]],
        "Status": ["Undone" if s == "undone" else "In force" if isinstance(m, str) else "Replaced"
                   for s, m in zip(frame["status"], frame["mapping"])],
    })
