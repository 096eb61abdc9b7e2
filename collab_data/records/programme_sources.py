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


# --------------------------------------------------------------------------------------
# Organisations the file names that match no partner
# --------------------------------------------------------------------------------------
#: IATI OrganisationType codes -> our organisation types.
IATI_ORG_TYPES = {"10": "government", "11": "government", "15": "government", "21": "ngo", "22": "ngo", "23": "ngo",
                  "24": "ngo", "30": "network", "40": "multilateral", "60": "foundation", "70": "private",
                  "71": "private", "72": "private", "73": "private", "80": "academic"}
#: Words of a sheet's organisation-type column (English and French, as 3W sheets write them), first match wins.
_TYPE_WORDS = [("agence un", "un_agency"), ("un agency", "un_agency"), ("nations unies", "un_agency"),
               ("united nations", "un_agency"), ("croix rouge", "ngo"), ("red cross", "ngo"), ("red crescent", "ngo"),
               ("ong", "ngo"), ("ngo", "ngo"), ("cso", "ngo"), ("civil", "ngo"), ("societe civile", "ngo"),
               ("gouvern", "government"), ("government", "government"), ("ministr", "government"),
               ("etat", "government"), ("public", "government"), ("multilat", "multilateral"),
               ("bilat", "bilateral"), ("donor", "bilateral"), ("bailleur", "bilateral"), ("cooperation", "bilateral"),
               ("fondation", "foundation"), ("foundation", "foundation"), ("univers", "academic"),
               ("academ", "academic"), ("research", "academic"), ("recherche", "academic"), ("prive", "private"),
               ("private", "private"), ("entreprise", "private"), ("company", "private"), ("network", "network"),
               ("reseau", "network")]
#: The type an organisation gets when the file does not say (the administrator corrects it on Manage records).
DEFAULT_ORG_TYPE = "ngo"


def org_type_of(raw: str) -> tuple[str, bool]:
    """Our organisation type for what a file says (an IATI code or a sheet's words), and
    whether it was read (False: the default, :data:`DEFAULT_ORG_TYPE`)."""
    from collab_data.records.threew import fold

    raw = (raw or "").strip()
    if raw in IATI_ORG_TYPES:
        return IATI_ORG_TYPES[raw], True
    words = f" {fold(raw)} "
    for word, kind in _TYPE_WORDS:
        if f" {word}" in words:
            return kind, True
    return DEFAULT_ORG_TYPE, False


def unknown_organisations(plan) -> list[dict]:
    """The organisations a validated programmes file names that match no partner, in the
    order they first appear: name, acronym, IATI identifier, organisation type (as the file
    says it), the registered partners it is close to (``suggestions``) and how many
    rows or activities name it."""
    return list(getattr(plan, "unknown_orgs", {}).values())


def register_unknown(db: Database, plan, *, editor: str, today: date) -> tuple:
    """Register the organisations of :func:`unknown_organisations` as partners, in one batch
    through the partner writer (an administrator's, undoable like any batch; it cannot be
    undone while programmes of those partners remain). The type is read from the file (an
    IATI organisation type, a sheet's type column), else :data:`DEFAULT_ORG_TYPE`. Returns
    (batch id or None, [(partner_id, name, org type, type read?, close to)], [(name,
    reason)] not registered). Raises WriteRejected when the write fails."""
    from collab_data.records import partners as P
    from collab_data.records.threew import fold

    rows, skipped, seen = [], [], set()
    for org in unknown_organisations(plan):
        name = (org.get("name") or "").strip()
        if not name:
            skipped.append((org.get("shown") or org.get("iati_org_id") or "?",
                            "the file gives only an identifier, no name"))
            continue
        keys = {fold(name), fold(org.get("acronym") or "")} - {""}
        if keys & seen:
            continue
        seen |= keys
        kind, read = org_type_of(org.get("org_type") or "")
        ref = (org.get("iati_org_id") or "").strip()
        rows.append({"name": name, "acronym": org.get("acronym") or "", "org_type": kind,
                     "iati_org_id": ref if P._IATI_ORG.match(ref) else "", "_read": read,
                     "_close": " or ".join(org.get("suggestions") or [])})
    if not rows:
        return None, [], skipped
    import csv
    import io

    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["name", "acronym", "org_type", "iati_org_id"])
    w.writerows([[r["name"], r["acronym"], r["org_type"], r["iati_org_id"]] for r in rows])
    pplan = P.validate_file(out.getvalue().encode("utf-8"), "organisations.csv", db, today=today)
    pplan.source = f"Partners named in {plan.source}"
    for f in pplan.findings:
        if f.tier in ("error", "critical"):
            who = rows[f.row - 2]["name"] if f.row is not None and 2 <= f.row <= len(rows) + 1 else "all"
            skipped.append((who, f.message))
    if not pplan.records:
        return None, [], skipped
    batch = P.register(db, pplan, editor=editor, kind="upload")
    by_name = {r["name"]: r for r in rows}
    done = [(r["partner_id"], r["name"], r["org_type"], by_name[r["name"]]["_read"], by_name[r["name"]]["_close"])
            for r in pplan.records]
    return batch, done, skipped


# --------------------------------------------------------------------------------------
# The choices of the upload (the Manage records page draws them; the rules are here)
# --------------------------------------------------------------------------------------
#: IATI roles, in the order the page offers them, with their labels.
ROLE_LABELS = {"reporting": "Reporting organisation", "funding": "Funding (1)", "accountable": "Accountable (2)",
               "extending": "Extending (3)", "implementing": "Implementing (4)"}
DEFAULT_ROLES = iati.DEFAULT_ROLES


def roles_sentence(roles=None) -> str:
    """Which organisations of an IATI activity get its programmes, in one sentence."""
    chosen = iati.parse_roles(roles)
    return (f"Each activity becomes a programme of every partner among its {iati.roles_text(chosen)} "
            f"(matched by IATI organisation identifier, else by name or acronym), one per recipient country. "
            "Organisations of other roles are not counted; an organisation that matches no partner is listed "
            "below, with suggestions.")


def needs_country(data: bytes, filename: str) -> bool:
    """True for a 3W sheet without a country column: it is imported with one country chosen
    for the whole file."""
    tw = _threew()
    if tw is None or detect(data, filename) != "3w":
        return False
    try:
        return "country" not in tw._read(data, filename).mapping
    except Exception:  # noqa: BLE001 - the validation says what is wrong with the file
        return False
