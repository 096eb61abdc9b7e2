"""One entry point for a file of country programmes, whatever its format: an IATI activity
file (XML, or a .zip of XML files), a 3W sheet (who does what where; when
:mod:`collab_data.records.threew` is there and recognises the file) or the programmes
sheet of :mod:`collab_data.records.programmes` (CSV, TSV, xlsx).

``detect`` says which; ``validate`` reads and checks the file with that format's module
(writes nothing); ``write`` writes the plan through the format's writer. The module also
stands for the programmes record type on the Manage records page (template, columns,
preview), so the page offers one uploader for every format.
"""

from __future__ import annotations

import importlib
import io
import re
import zipfile
from datetime import date

import pandas as pd

from collab_data.db import Database
from collab_data.ingest import activities as A
from collab_data.records import iati
from collab_data.records import programmes as PR

# the programmes record type, for the page's template buttons and column help
FIELDS = PR.FIELDS
template_csv = PR.template_csv
template_xlsx = PR.template_xlsx

#: Upload types the programmes uploader accepts.
UPLOAD_TYPES = ["csv", "tsv", "txt", "xlsx", "xml", "zip"]


def _threew():
    """The 3W module, when it exists (another format's module; optional)."""
    try:
        return importlib.import_module("collab_data.records.threew")
    except ImportError:
        return None


def _looks_like_iati_xml(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            head = data[:8192].decode("utf-16", errors="ignore").encode("utf-8").lstrip()
        except UnicodeError:
            return False
    # skip the XML declaration, comments and processing instructions before the root
    head = re.sub(rb"^(\s*(<\?.*?\?>|<!--.*?-->))*\s*", b"", head, flags=re.DOTALL)
    return head.startswith(b"<iati-activities") or head.startswith(b"<!DOCTYPE iati-activities")


def detect(data: bytes, filename: str) -> str:
    """"iati" (an XML file whose root is iati-activities, or a zip of XML files), "3w" (when
    the 3W module recognises it) or "sheet"."""
    if iati.is_zip(data):
        try:
            names = [n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if not n.endswith("/")]
        except zipfile.BadZipFile:
            names = []
        if names and "[Content_Types].xml" not in names and all(
                n.lower().endswith(".xml") or n.startswith("__MACOSX/") for n in names):
            return "iati"
    elif _looks_like_iati_xml(data) or filename.lower().endswith(".xml") or data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
        return "iati"  # any other XML is refused by the IATI reader, with the reason
    tw = _threew()
    if tw is not None:
        try:
            if tw.looks_like_3w(data, filename):
                return "3w"
        except Exception:  # noqa: BLE001 - a format guess that fails is not a 3W file
            pass
    return "sheet"


def validate(data: bytes, filename: str, db: Database, *, today: date, editor: A.Editor | None = None, roles=None,
             country: str | None = None, max_bytes: int | None = None):
    """The file's programmes, checked by its format's rules (writes nothing). The plan
    carries ``source_format``."""
    kind = detect(data, filename)
    if kind == "iati":
        plan = iati.validate_file(data, filename, db, today=today, editor=editor, roles=roles, max_bytes=max_bytes)
    elif kind == "3w":
        plan = _threew().validate_file(data, filename, db, today=today, editor=editor, country=country,
                                       max_bytes=max_bytes)
    else:
        plan = PR.validate_file(data, filename, db, today=today, editor=editor, max_bytes=max_bytes)
    plan.source_format = kind
    return plan


def write(db: Database, plan, *, editor: A.Editor) -> int:
    """Write a plan of :func:`validate` with its format's writer; returns the batch id."""
    kind = getattr(plan, "source_format", "sheet")
    if kind == "iati":
        return iati.write(db, plan, editor=editor)
    if kind == "3w":
        tw = _threew()
        if hasattr(tw, "write"):
            return tw.write(db, plan, editor=editor)
    return PR.write(db, plan, editor=editor)


def preview_frame(plan) -> pd.DataFrame:
    if getattr(plan, "source_format", "sheet") == "iati":
        return iati.preview_frame(plan)
    tw = _threew() if getattr(plan, "source_format", None) == "3w" else None
    if tw is not None and hasattr(tw, "preview_frame"):
        return tw.preview_frame(plan)
    return PR.preview_frame(plan)


def rules_caption(roles=None) -> str:
    """What the page says about IATI files: the roles that count and the status mapping."""
    return (f"IATI activity files (.xml, or a .zip of them): one programme per recipient country and per partner "
            f"among the {iati.roles_text(roles)}; re-importing a file updates its programmes. "
            f"Status: {iati.status_text()}. Support type: technical assistance, data production for sector 16062 "
            "(statistical capacity building).")
