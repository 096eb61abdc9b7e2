"""Country programmes from IATI activity files (IATI standard 2.01-2.03): one XML file, or a
.zip of XML files, with or without a byte-order mark.

Each ``iati-activity`` gives one programme per recipient country and per partner that
takes part in it (see the rules below). The activity's ``iati-identifier`` is kept as the
programme's ``external_id``: importing a newer version of the same file updates the
programmes it wrote before (each changed column old -> new in the history, undoable)
instead of adding them twice, and says what changed; programmes recorded exactly as in the
file are reported as unchanged and not written.

Rules (also shown on screen):

- **Status** (``activity-status/@code``): see :data:`STATUS_MAP`. Finalisation (3) reads as
  *active*: the activity is still running its last disbursements and reports. Cancelled (5)
  activities are skipped, with a warning.
- **Dates** (``activity-date/@iso-date``): the actual start (type 2) else the planned start
  (type 1); the actual end (type 4) else the planned end (type 3). The order of the
  elements does not matter. No start date: the activity is not imported.
- **Partners**: organisations are matched to partners by their ``@ref`` (the partner's IATI
  organisation identifier), else by name or acronym (the organisation's narrative). By
  default the reporting organisation and the implementing organisations (participating-org
  role 4) that are partners each get the programme; ``roles`` chooses others (reporting,
  funding, accountable, extending, implementing, or the codes 1-4). An organisation of those
  roles that matches no partner is reported as "Unknown partner '<name>'" (with
  suggestions), so an administrator can register it and validate the file again.
- **Countries**: ``recipient-country/@code`` (ISO alpha-2), with its ``@percentage`` (the
  country's share of the activity). An activity with only ``recipient-region`` is not
  country-specific: skipped, with a warning.
- **Parents and children**: a parent activity (``@hierarchy`` 1, or one that a
  ``related-activity`` links as parent of another: ``@type`` 1 on the child, ``@type`` 2
  on the parent) whose child is in the same file is not imported: its children, which are
  more specific, stand for it (a warning says so). A parent without a child in the file
  is imported like any activity.
- **Support type**: technical assistance, except an activity with the sector 16062
  (statistical capacity building), which reads as data production. See :func:`support_type_of`.
- **Gender marker**: ``policy-marker`` of the OECD DAC vocabulary (``@vocabulary`` 1 or
  absent) with ``@code`` 1 (gender equality): its ``@significance`` 0, 1 or 2; an empty
  significance means not screened (stored as no value).
- **Text**: title and description in English (``xml:lang="en"``, or the activity's default
  language when it is English), else the first narrative.

Security: a document type declaration (and so any entity) is refused before parsing, and
a zip is read member by member within a size limit.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import date
from xml.etree import ElementTree as ET

import pandas as pd

from collab_data import clock, countries
from collab_data.db import Database, WriteRejected, as_text
from collab_data.ingest import activities as A
from collab_data.ingest.activities import CRITICAL, ERROR, WARNING, Finding
from collab_data.records import programmes as PR
from collab_data.records.base import Plan

#: activity-status code -> our status (None: skipped).
STATUS_MAP: dict[str, str | None] = {
    "1": "planned",     # Pipeline/identification
    "2": "active",      # Implementation
    "3": "active",      # Finalisation: still running its last disbursements and reports
    "4": "completed",   # Closed
    "5": None,          # Cancelled: not imported
    "6": "paused",      # Suspended
}
STATUS_NAMES = {"1": "Pipeline", "2": "Implementation", "3": "Finalisation", "4": "Closed", "5": "Cancelled",
                "6": "Suspended"}

#: participating-org role code -> its name; "reporting" is the reporting-org.
ROLE_NAMES = {"1": "funding", "2": "accountable", "3": "extending", "4": "implementing"}
ROLES = ("reporting", *ROLE_NAMES.values())
DEFAULT_ROLES = ("reporting", "implementing")

#: Sector codes that make a programme "data production" (else: technical assistance).
DATA_PRODUCTION_SECTORS = {"16062"}
DEFAULT_SUPPORT = "technical_assistance"

#: The largest file (or total of a zip's members) read, and the most files in a zip.
MAX_BYTES = 50 * 1024 * 1024
MAX_MEMBERS = 200

VERSIONS = ("2.01", "2.02", "2.03")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def status_text() -> str:
    """The status rule as one line, for the screen."""
    return "; ".join(f"{STATUS_NAMES[c]} ({c}) → {PR.STATUSES[s] if s else 'not imported'}"
                     for c, s in STATUS_MAP.items())


def roles_text(roles=None) -> str:
    chosen = parse_roles(roles)
    return ", ".join("reporting organisation" if r == "reporting" else f"{r} organisations" for r in chosen)


def parse_roles(roles) -> tuple[str, ...]:
    """Role names from None (the default), "reporting,funding", ["1", "implementing"] ...
    Raises ValueError for an unknown role."""
    if roles is None or roles == "" or roles == ():
        return DEFAULT_ROLES
    items = re.split(r"[,;\s]+", roles) if isinstance(roles, str) else list(roles)
    out = []
    for item in items:
        key = str(item).strip().lower()
        if not key:
            continue
        key = ROLE_NAMES.get(key, key)
        if key not in ROLES:
            raise ValueError(f"unknown role {item!r}: use " + ", ".join(ROLES) + " (or the codes 1-4)")
        if key not in out:
            out.append(key)
    return tuple(out) or DEFAULT_ROLES


def support_type_of(sectors: list[str]) -> str:
    return "data_production" if DATA_PRODUCTION_SECTORS & set(sectors) else DEFAULT_SUPPORT


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------
class Refused(Exception):
    def __init__(self, message: str, fix: str):
        super().__init__(message)
        self.message, self.fix = message, fix


_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _utf8(data: bytes) -> bytes:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
        return re.sub(r"^\s*<\?xml[^>]*\?>", "", text).encode("utf-8")
    return data


def is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def xml_documents(data: bytes, filename: str, max_bytes: int | None = None) -> list[tuple[str, bytes]]:
    """The XML documents of an upload: the file itself, or each .xml member of a zip.
    Raises Refused."""
    limit = max_bytes or MAX_BYTES
    if len(data) > limit:
        raise Refused(f"The file is {len(data) / 1e6:.1f} MB, over the limit of {limit / 1e6:.0f} MB.",
                      "Split it into smaller files.")
    if not is_zip(data):
        return [(filename, data)]
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise Refused("The file looks like a zip archive but cannot be opened.", "Upload the XML file itself.") from None
    members = [i for i in zf.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")]
    xml = [i for i in members if i.filename.lower().endswith(".xml")]
    if not xml:
        raise Refused("The zip archive holds no .xml file.", "Put the IATI activity files (.xml) in the archive.")
    if len(xml) > MAX_MEMBERS:
        raise Refused(f"The zip archive holds {len(xml)} XML files, over the limit of {MAX_MEMBERS}.",
                      "Split it into smaller archives.")
    total = 0
    out = []
    for info in sorted(xml, key=lambda i: i.filename):
        total += info.file_size
        if total > limit:
            raise Refused(f"The zip archive's files add up to more than {limit / 1e6:.0f} MB.",
                          "Split it into smaller archives.")
        with zf.open(info) as fh:
            blob = fh.read(limit + 1)
        total += max(len(blob) - info.file_size, 0)  # a member that lies about its size
        if total > limit:
            raise Refused(f"The zip archive's files add up to more than {limit / 1e6:.0f} MB.",
                          "Split it into smaller archives.")
        out.append((info.filename, blob))
    return out


def _narratives(el: ET.Element | None, default_lang: str | None) -> str | None:
    """The English narrative of an element, else the first."""
    if el is None:
        return None
    first = None
    for n in el.findall("narrative"):
        text = " ".join("".join(n.itertext()).split())
        if not text:
            continue
        lang = (n.get(XML_LANG) or default_lang or "").lower()
        if lang.startswith("en"):
            return text
        first = first or text
    if first is None and el.text and el.text.strip():  # 1.x style text directly in the element
        first = " ".join(el.text.split())
    return first


def _activity(el: ET.Element, position: int, source: str) -> dict:
    lang = el.get(XML_LANG) or el.get("default-language")
    dates: dict[str, str] = {}
    for d in el.findall("activity-date"):  # @iso-date (2.x), else the element's text (1.x style)
        t, v = (d.get("type") or "").strip(), (d.get("iso-date") or d.text or "").strip()
        if t and v and t not in dates:
            dates[t] = v
    desc = None
    for d in el.findall("description"):
        if d.get("type") in (None, "", "1"):
            desc = _narratives(d, lang)
            if desc:
                break
    gender, gender_seen = None, False
    for m in el.findall("policy-marker"):
        if m.get("vocabulary") in (None, "", "1") and (m.get("code") or "").strip() == "1":
            gender_seen = True
            gender = (m.get("significance") or "").strip() or None
            break
    rep = el.find("reporting-org")
    orgs = []
    if rep is not None:
        orgs.append(("reporting", (rep.get("ref") or "").strip(), _narratives(rep, lang), (rep.get("type") or "").strip()))
    for p in el.findall("participating-org"):
        role = ROLE_NAMES.get((p.get("role") or "").strip())
        if role:
            orgs.append((role, (p.get("ref") or "").strip(), _narratives(p, lang), (p.get("type") or "").strip()))
    related = [((r.get("type") or "").strip(), (r.get("ref") or "").strip()) for r in el.findall("related-activity")]
    status = el.find("activity-status")
    return {
        "position": position, "source": source,
        "identifier": " ".join((el.findtext("iati-identifier") or "").split()),
        "hierarchy": (el.get("hierarchy") or "").strip(),
        "status": (status.get("code") or "").strip() if status is not None else "",
        "dates": dates,
        "title": _narratives(el.find("title"), lang), "description": desc,
        "countries": [((c.get("code") or "").strip(), (c.get("percentage") or "").strip())
                      for c in el.findall("recipient-country")],
        # 2.03 lets a publisher give the countries per transaction instead (never both)
        "transaction_countries": list(dict.fromkeys(
            (c.get("code") or "").strip().upper() for c in el.findall("transaction/recipient-country")
            if (c.get("code") or "").strip())),
        "regions": len(el.findall("recipient-region")),
        "sectors": list(dict.fromkeys(s.get("code").strip() for s in el.findall("sector")
                                      if (s.get("code") or "").strip()
                                      and s.get("vocabulary") in (None, "", "1", "2"))),
        "gender": gender, "gender_seen": gender_seen, "orgs": orgs,
        "parents": [ref for t, ref in related if t == "1" and ref],
        "children": [ref for t, ref in related if t == "2" and ref],
    }


def _strip_namespace(el: ET.Element, ns: str) -> None:
    """The IATI elements of a file that puts them in a default namespace, read as plain names
    (elements of other namespaces, publishers' extensions, keep theirs)."""
    for node in el.iter():
        if isinstance(node.tag, str) and node.tag.startswith(ns):
            node.tag = node.tag[len(ns):]


def parse_activities(data: bytes, filename: str, max_bytes: int | None = None) -> tuple[list[dict], list[Finding]]:
    """Every activity of the upload, in order (position = 1-based over all files), and the
    file-level findings. Raises Refused when nothing can be read."""
    acts: list[dict] = []
    notes: list[Finding] = []
    for name, blob in xml_documents(data, filename, max_bytes):
        blob = _utf8(blob)
        if b"\x00" in blob[:200]:
            raise Refused(f"{name}: the file is not UTF-8 (UTF-16 without a byte-order mark?).",
                          "Save it as UTF-8, as IATI files are published.")
        if _DOCTYPE.search(blob):
            raise Refused(f"{name}: the file declares a document type or entities, which IATI files never do; it "
                          "is refused (entities can make a small file expand without limit).",
                          "Export the activities again from the publishing tool, without a DOCTYPE.")
        root_tag, ns, activity_tag = None, "", "iati-activity"
        try:
            for event, el in ET.iterparse(io.BytesIO(blob), events=("start", "end")):
                if root_tag is None:
                    root_tag = el.tag
                    # a default namespace on the root (some exporting tools add one) is read through
                    ns = root_tag[:root_tag.index("}") + 1] if root_tag.startswith("{") and "}" in root_tag else ""
                    activity_tag = f"{ns}iati-activity"
                    root_tag = root_tag[len(ns):]
                    if root_tag != "iati-activities":
                        raise Refused(f"{name}: the root element is <{root_tag}>, not <iati-activities>: this is not "
                                      "an IATI activity file.", "Upload an IATI activity file (XML), or a sheet.")
                    version = (el.get("version") or "").strip()
                    if version and version not in VERSIONS:
                        notes.append(Finding(WARNING, None, "iati-activities", version,
                                             f"{name}: IATI version {version}; this import reads 2.01-2.03.",
                                             "Check the programmes read from it, or export it as version 2.03."))
                    continue
                if event == "end" and el.tag == activity_tag:
                    if ns:
                        _strip_namespace(el, ns)
                    acts.append(_activity(el, len(acts) + 1, name))
                    el.clear()
        except ET.ParseError as exc:
            raise Refused(f"{name}: the XML cannot be read ({exc}).",
                          "Check that the file is a complete IATI XML export.") from None
        if root_tag is None:
            raise Refused(f"{name}: the file is empty.", "Upload an IATI activity file.")
    return acts, notes


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------
def program_id_of(identifier: str, iso3: str, partner_id: str) -> str:
    """Stable and unique: the same activity, country and partner give the same id on every import."""
    slug = re.sub(r"[^a-z0-9]+", "_", identifier.lower()).strip("_")[:60]
    digest = hashlib.sha1(identifier.encode("utf-8")).hexdigest()[:6]
    return f"iati_{slug}_{digest}_{iso3.lower()}_{partner_id}"


#: The columns an import sets (and a re-import updates); tool, topic and notes stay as edited.
UPDATED_COLUMNS = ("support_type", "start_date", "end_date", "status", "external_id", "title", "description",
                   "percentage", "gender_marker", "sectors", "source_format")


def _date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        return None


def validate_file(data: bytes, filename: str, db: Database, *, today: date, editor: A.Editor | None = None,
                  roles=None, max_bytes: int | None = None) -> Plan:
    """An IATI activity file (or a zip of them) as country programmes. Writes nothing.
    Records are those of :func:`collab_data.records.programmes.write` plus the IATI columns,
    each with ``action`` "new" or "update" (and ``changes``: column -> (old, new));
    programmes already recorded exactly as in the file are in ``plan.unchanged``."""
    plan = Plan(source=filename, noun="programmes", sha256=hashlib.sha256(data).hexdigest())
    plan.unchanged = []  # type: ignore[attr-defined]
    plan.updates = 0  # type: ignore[attr-defined]
    plan.unknown_orgs = {}  # type: ignore[attr-defined]  # (ref, name) -> what the file says of it
    try:
        chosen = parse_roles(roles)
    except ValueError as exc:
        plan.findings.append(Finding(CRITICAL, None, None, str(roles), f"{exc}.", "Choose the roles that count."))
        return plan
    try:
        acts, notes = parse_activities(data, filename, max_bytes)
    except Refused as exc:
        plan.findings.append(Finding(CRITICAL, None, None, None, exc.message, exc.fix))
        return plan
    plan.findings.extend(notes)
    plan.rows_read = len(acts)
    if not acts:
        plan.findings.append(Finding(CRITICAL, None, "iati-activity", None, "The file holds no iati-activity.",
                                     "Upload a file with at least one activity."))
        return plan

    ctx = A.Context.load(db, today, activities=False)
    labels = ctx.partner_labels
    by_ref = {(ref or "").strip().lower(): pid for pid, ref in db.rows(
        "SELECT partner_id, iati_org_id FROM partners WHERE iati_org_id IS NOT NULL")}
    stored = {}
    cur_cols = ("program_id", "partner_id", *UPDATED_COLUMNS)
    for row in db.rows(f"SELECT {', '.join(cur_cols)} FROM country_programs WHERE external_id IS NOT NULL"):
        stored[row[0]] = dict(zip(cur_cols, row))
    existing = {(p, c, s, t, d) for p, c, s, t, d in db.rows(  # programmes entered by hand (or from a sheet)
        "SELECT partner_id, iso3, support_type, tool_id, start_date FROM country_programs WHERE external_id IS NULL")}
    own = editor.partner_id if editor is not None and not editor.is_admin else None
    lo, hi = clock.date_window(today)

    # parents whose child is in the file are counted through the child
    ids = {a["identifier"] for a in acts if a["identifier"]}
    covered: dict[str, str] = {}
    for a in acts:
        for parent in a["parents"]:
            if parent in ids and parent != a["identifier"]:
                covered.setdefault(parent, a["identifier"])
        for child in a["children"]:
            if child in ids and child != a["identifier"]:
                covered.setdefault(a["identifier"], child)

    resolved: dict[tuple[str, str], tuple[str | None, str | None]] = {}  # (ref, name) -> (pid, note)
    seen_ids: dict[str, int] = {}
    for a in acts:
        row = a["position"]

        def err(column, value, message, fix, row=row):
            plan.findings.append(Finding(ERROR, row, column, value, message, fix))

        def warn(column, value, message, fix, row=row, flags=None):
            plan.findings.append(Finding(WARNING, row, column, value, message, fix))
            if flags is not None:
                flags.append(message)

        ident = a["identifier"]
        if not ident:
            err("iati-identifier", "", "The activity has no iati-identifier.",
                "Every IATI activity needs its identifier; export the file again.")
            continue
        if ident in seen_ids:
            err("iati-identifier", ident, f"The activity {ident!r} appears twice in this file (also activity "
                f"{seen_ids[ident]}).", "Keep one copy of each activity.")
            continue
        seen_ids[ident] = row
        if ident in covered:
            warn("related-activity", ident, f"Parent activity {ident!r} is counted through its child activities in "
                 f"this file (e.g. {covered[ident]!r}), not on its own.", "Nothing to do: children are more specific.")
            continue
        status_code = a["status"]
        flags: list[str] = []
        if status_code == "5":
            warn("activity-status", "5", f"Activity {ident!r} was cancelled: it is not imported.",
                 "Nothing to do.")
            continue
        if not a["countries"] and a["transaction_countries"]:
            a["countries"] = [(c, "") for c in a["transaction_countries"]]
            warn("transaction/recipient-country", ", ".join(a["transaction_countries"]),
                 f"Activity {ident!r} gives its recipient countries per transaction: each of them gets a programme, "
                 "without a share.", "Nothing to do.", flags=flags)
        if not a["countries"]:
            if a["regions"]:
                warn("recipient-region", ident, f"Activity {ident!r} is not country-specific (recipient regions only): "
                     "it is not imported.", "Programmes are per country; nothing to do.")
            else:
                warn("recipient-country", ident, f"Activity {ident!r} names no recipient country: it is not imported.",
                     "Add recipient-country elements in the publishing tool.")
            continue
        # dates
        start = end = None
        bad = False
        for col, types in (("start", ("2", "1")), ("end", ("4", "3"))):
            raw = next((a["dates"][t] for t in types if t in a["dates"]), None)
            if raw is None:
                continue
            got = _date(raw)
            if got is None:
                err("activity-date", raw, f"Invalid date {raw!r}.", "Dates are YYYY-MM-DD in @iso-date.")
                bad = True
            elif not lo <= got <= hi:
                err("activity-date", raw, f"The date {got.isoformat()} is outside the dates the dashboard accepts "
                    f"({clock.window_text(today)}).", "Correct the date in the publishing tool.")
                bad = True
            elif col == "start":
                start = got
            else:
                end = got
        if bad:
            continue
        if start is None:
            err("activity-date", "", f"Activity {ident!r} has no start date (activity-date type 1 or 2).",
                "Publish the planned or actual start date.")
            continue
        if end and end < start:
            err("activity-date", end.isoformat(), f"The activity ends ({end}) before it starts ({start}).",
                "Correct the dates in the publishing tool.")
            continue
        # status
        if status_code in STATUS_MAP:
            status = STATUS_MAP[status_code]
        else:
            status = "planned" if start > today else "completed" if end and end < today else "active"
            warn("activity-status", status_code, f"No known activity status ({status_code or 'none'}): read as "
                 f"{status} from the dates.", "Publish the activity status.", flags=flags)
        # partners
        pids: list[str] = []
        for role, ref, name, org_type in a["orgs"]:
            if role not in chosen:
                continue
            key = (ref.lower(), name or "")
            if key not in resolved:
                pid, note = by_ref.get(ref.lower()) if ref else None, None
                if pid is None and name:
                    pid, score, sugg = ctx.resolve_partner(name)
                    if pid is None:
                        names = ", ".join(labels.get(s, s) for s in sugg)
                        note = "unknown:" + names
                    elif score < 1:
                        note = f"read:{labels.get(pid, pid)}"
                elif pid is None:
                    note = "unknown:"
                resolved[key] = (pid, note)
            pid, note = resolved[key]
            label = name or ref
            if pid is None:
                sugg = note.split(":", 1)[1] if note else ""
                org = plan.unknown_orgs.setdefault((ref.lower(), name or ""), {  # what an administrator may register
                    "name": name or "", "acronym": "", "org_type": org_type, "iati_org_id": ref,
                    "suggestions": [s.strip() for s in sugg.split(",") if s.strip()], "shown": label, "rows": 0})
                org["rows"] += 1
                warn("reporting-org" if role == "reporting" else "participating-org", label,
                     f"Unknown partner {label!r} ({role} organisation{', ' + ref if ref and name else ''})."
                     + (f" Did you mean {sugg}?" if sugg else ""),
                     "Register it as a partner (with its IATI identifier) and validate the file again, or leave it: "
                     "its part is not imported.")
                continue
            if note and note.startswith("read:"):
                warn("participating-org" if role != "reporting" else "reporting-org", label,
                     f"Organisation {label!r} read as {note[5:]}.", "Check it, or record the partner's IATI "
                     "identifier.", flags=flags)
            if pid not in pids:
                pids.append(pid)
        if own:
            if own not in pids:
                if pids:
                    err("participating-org", ", ".join(labels.get(p, p) for p in pids),
                        f"You may import only {labels.get(own, own)}'s programmes: activity {ident!r} is "
                        f"{', '.join(labels.get(p, p) for p in pids)}'s.", "Leave it; that partner's editor imports it.")
                else:
                    err("participating-org", ident, f"{labels.get(own, own)} is not among the organisations of "
                        f"activity {ident!r} ({roles_text(chosen)}).", "Leave it, or choose other roles.")
                continue
            pids = [own]
        if not pids:
            err("participating-org", ident, f"No partner of the dashboard takes part in activity {ident!r} as "
                f"{roles_text(chosen)}.", "Register the partner, or choose other roles.")
            continue
        # what else
        sectors = a["sectors"]
        gender = None
        if a["gender"] is not None:
            if a["gender"] in ("0", "1", "2"):
                gender = int(a["gender"])
            else:
                warn("policy-marker", a["gender"], f"Gender marker significance {a['gender']!r} is not 0, 1 or 2: "
                     "read as not screened.", "Publish 0, 1 or 2.", flags=flags)
        base = {"tool_id": None, "topic": None, "notes": None, "support_type": support_type_of(sectors),
                "start_date": start, "end_date": end, "status": status, "external_id": ident,
                "title": a["title"], "description": a["description"], "gender_marker": gender,
                "sectors": "; ".join(sectors) or None, "source_format": "iati", "areas": None}
        for code, pct_raw in a["countries"]:
            match = countries.resolve(code) if code else None
            if match is None or match.kind != "country" or match.iso3 not in ctx.known_countries:
                warn("recipient-country", code, f"Unknown recipient country code {code!r}: that country is not "
                     "imported.", "Use ISO 3166-1 alpha-2 codes (e.g. KE).", flags=flags)
                continue
            pct = None
            if pct_raw:
                try:
                    pct = float(pct_raw)
                except ValueError:
                    pct = -1
                if not 0 <= pct <= 100:
                    warn("recipient-country", pct_raw, f"Percentage {pct_raw!r} for {code} is not between 0 and 100: "
                         "not kept.", "Publish the country's share as 0-100.", flags=flags)
                    pct = None
            for pid in pids:
                pgid = program_id_of(ident, match.iso3, pid)
                rec = {**base, "program_id": pgid, "partner_id": pid, "iso3": match.iso3, "percentage": pct,
                       "row": row, "flags": list(flags)}
                old = stored.get(pgid)
                if old is None:
                    k = (pid, match.iso3, rec["support_type"], None, start)
                    if k in existing:
                        err("iati-identifier", ident, f"A programme of {labels.get(pid, pid)} in "
                            f"{countries.name_of(match.iso3)} starting {start} is already recorded (not from this "
                            "activity).", "Leave it, or edit the recorded programme.")
                        continue
                    rec["action"], rec["changes"] = "new", {}
                    plan.records.append(rec)
                    continue
                changes = {c: (old[c], rec[c]) for c in UPDATED_COLUMNS if as_text(old[c]) != as_text(rec[c])}
                if not changes:
                    plan.unchanged.append(pgid)
                    continue
                rec["action"], rec["changes"] = "update", changes
                for c, (o, n) in changes.items():
                    warn(c, as_text(n), f"{labels.get(pid, pid)} in {countries.name_of(match.iso3)}: {c} changes from "
                         f"{as_text(o) or '(empty)'} to {as_text(n) or '(empty)'} (updates the recorded programme).",
                         "Nothing to do, if the file is the newer one.")
                plan.records.append(rec)
                plan.updates += 1
    if plan.unchanged:
        plan.findings.append(Finding(WARNING, None, None, None, f"{len(plan.unchanged)} programme(s) are already "
                                     "recorded exactly as in this file: unchanged.", "Nothing to do."))
    return plan


def preview_frame(plan: Plan) -> pd.DataFrame:
    frame = PR.preview_frame(plan)
    frame.insert(1, "Change", [("new" if r.get("action") == "new" else "update: " + ", ".join(r.get("changes", {})))
                               for r in plan.records])
    frame.insert(2, "IATI activity", [r.get("external_id") for r in plan.records])
    frame.insert(3, "Title", [r.get("title") or "—" for r in plan.records])
    return frame


def write(db: Database, plan: Plan, *, editor: A.Editor) -> int:
    """Insert the new programmes and update the changed ones in one 'upload' batch (each
    updated column in the history; an undo deletes the new ones and puts the old values
    back). Raises WriteRejected when nothing is to change."""
    import json

    if plan.critical:
        raise WriteRejected("the file has critical problems: nothing can be imported")
    if not plan.records:
        raise WriteRejected("nothing to change: every programme is already recorded as in this file"
                            if getattr(plan, "unchanged", None) else "no valid programme to import")
    if not editor.is_admin and any(r["partner_id"] != editor.partner_id for r in plan.records):
        raise WriteRejected("a partner editor imports only its own partner's programmes")
    note = json.dumps({"partner": editor.partner_id, "records": "country_programs"})
    new = [r for r in plan.records if r.get("action", "new") == "new"]
    updates = [r for r in plan.records if r.get("action") == "update"]
    with db.write(kind="upload", source=plan.source, sha256=plan.sha256, rows_read=plan.rows_read,
                  editor=editor.name, note=note) as batch:
        PR.insert_records(batch, new)
        owners = dict(batch.execute("SELECT program_id, partner_id FROM country_programs WHERE program_id = ANY(?)",
                                    [[r["program_id"] for r in updates]])) if updates else {}
        for r in updates:
            owner = owners.get(r["program_id"])
            if owner is None or (not editor.is_admin and owner != editor.partner_id):
                raise WriteRejected(f"programme {r['program_id']} was removed meanwhile, or is not your partner's")
        batch.update_many("country_programs", [({"program_id": r["program_id"]}, {c: r[c] for c in UPDATED_COLUMNS})
                                               for r in updates])
        batch.rows_imported = len(plan.records)
        return batch.batch_id


# --------------------------------------------------------------------------------------
# A generated file, for the import bench
# --------------------------------------------------------------------------------------
def synthetic_xml(n: int, seed: int = 7, revision: int = 0) -> bytes:
    """``n`` activities of sample partners (by name or acronym), 1-3 recipient countries each,
    dates, statuses, sectors and gender markers that vary. ``revision`` > 0: the same
    activities in a newer version of the file (every other one ends later, every third
    has another status)."""
    import random
    from xml.sax.saxutils import quoteattr

    rng = random.Random(seed)
    orgs = ["PARIS21", "Open Data Watch", "UN Women", "The World Bank", "Data2X", "ODW"]
    codes = ["KE", "SN", "TZ", "UG", "GH", "NG", "BD", "NP", "KH", "CO", "PE", "RW", "ET", "MW", "ZM"]
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">']
    for i in range(n):
        y = rng.randint(2018, 2027)
        ctry = rng.sample(codes, rng.randint(1, 3))
        pct = [100 // len(ctry)] * len(ctry)
        org = rng.choice(orgs)
        status, end_year, implementer = rng.choice("12346"), y + 2, rng.choice(orgs)
        if revision and i % 2 == 0:
            end_year += revision
        if revision and i % 3 == 0:
            status = {"1": "2", "2": "4", "3": "4", "4": "2", "6": "2"}[status]
        parts.append(
            f'<iati-activity default-currency="USD" xml:lang="en"><iati-identifier>XM-BENCH-{i:06d}</iati-identifier>'
            f'<reporting-org ref="XM-BENCH" type="40"><narrative>{org}</narrative></reporting-org>'
            f'<title><narrative>Statistics support {i}</narrative></title>'
            f'<description type="1"><narrative>Programme {i} of the bench.</narrative></description>'
            f'<participating-org role="4"><narrative>{implementer}</narrative></participating-org>'
            f'<activity-status code="{status}"/>'
            f'<activity-date type="1" iso-date="{y}-0{rng.randint(1, 9)}-01"/>'
            f'<activity-date type="3" iso-date="{end_year}-12-31"/>'
            + "".join(f'<recipient-country code="{c}" percentage={quoteattr(str(p))}/>' for c, p in zip(ctry, pct))
            + f'<sector code="{rng.choice(["16062", "15110", "13010"])}" vocabulary="1"/>'
            f'<policy-marker vocabulary="1" code="1" significance="{rng.choice(["", "0", "1", "2"])}"/>'
            "</iati-activity>")
    parts.append("</iati-activities>\n")
    return "\n".join(parts).encode("utf-8")
