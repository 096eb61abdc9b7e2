"""Collaborations: new joint initiatives between two or more partners (a joint product or
programme, a data-sharing agreement, co-funding, joint advocacy, a peer-review
partnership), recorded through a form or imported from a file, with the findings of every
upload, written through the single write path.

A collaboration names its title, its kind (read from common words: "joint product",
"co-funding", "data sharing agreement", "peer review" ...), two or more partners (names,
acronyms or ids, separated by ';', ',' or 'and'), the day it started (inside the accepted
window) and, optionally, the activity it grew out of (the activity's id or its exact
title) and a description. A partner editor records only collaborations its own partner
takes part in; an administrator records any. A collaboration already recorded (same
title, partners and start) is reported, not written twice.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from collab_data import clock
from collab_data.db import Database, WriteRejected
from collab_data.ingest import activities as A
from collab_data.ingest.activities import norm
from collab_data.ingest.dates import day_order_evidence, parse_date
from collab_data.records.base import Field, Plan, RowCheck, check_rows, fields, read_rows
from collab_data.records.base import template_csv as template

KINDS: dict[str, str] = {
    "joint_product": "Joint product", "joint_programme": "Joint programme", "data_sharing": "Data sharing",
    "co_funding": "Co-funding", "joint_advocacy": "Joint advocacy", "peer_review_partnership": "Peer-review partnership",
}
_KIND_SYNONYMS: dict[str, str] = {
    **{norm(k): k for k in KINDS}, **{norm(v): k for k, v in KINDS.items()},
    "product": "joint_product", "joint publication": "joint_product", "co publication": "joint_product",
    "joint report": "joint_product", "joint tool": "joint_product", "joint guidance": "joint_product",
    "co developed product": "joint_product", "joint products": "joint_product",
    "programme": "joint_programme", "program": "joint_programme", "joint program": "joint_programme",
    "joint project": "joint_programme", "joint initiative": "joint_programme", "joint work plan": "joint_programme",
    "data sharing agreement": "data_sharing", "data sharing arrangement": "data_sharing", "data exchange": "data_sharing",
    "data exchange agreement": "data_sharing", "dsa": "data_sharing", "shared data": "data_sharing",
    "co funding": "co_funding", "cofunding": "co_funding", "co financing": "co_funding", "cofinancing": "co_funding",
    "joint funding": "co_funding", "joint financing": "co_funding", "pooled funding": "co_funding",
    "funding": "co_funding", "advocacy": "joint_advocacy", "joint campaign": "joint_advocacy",
    "joint statement": "joint_advocacy", "campaign": "joint_advocacy",
    "peer review": "peer_review_partnership", "peer reviews": "peer_review_partnership",
    "peer review partnership": "peer_review_partnership", "reciprocal review": "peer_review_partnership",
    "mutual review": "peer_review_partnership",
}
#: When no word matches exactly, a keyword in the cell decides (reported as a warning).
_KIND_KEYWORDS = [
    ("review", "peer_review_partnership"), ("sharing", "data_sharing"), ("exchange", "data_sharing"),
    ("fund", "co_funding"), ("financ", "co_funding"), ("advoca", "joint_advocacy"), ("campaign", "joint_advocacy"),
    ("programme", "joint_programme"), ("program", "joint_programme"), ("project", "joint_programme"),
    ("product", "joint_product"), ("publication", "joint_product"), ("report", "joint_product"),
    ("guid", "joint_product"), ("tool", "joint_product"), ("module", "joint_product"),
]
_KIND_HELP = "One of: " + ", ".join(KINDS.values()) + "."

FIELDS: dict[str, Field] = fields(
    Field("title", "Title", True, ("title", "name", "collaboration", "collaboration title", "initiative",
                                   "partnership", "what"), "What the partners do together, in a few words."),
    Field("kind", "Kind", True, ("kind", "type", "collaboration type", "type of collaboration", "category"), _KIND_HELP),
    Field("partners", "Partners", True, ("partners", "partner", "organisations", "organizations", "organisation",
                                         "organization", "orgs", "members", "who"),
          "Two or more partners (names or acronyms), separated by ';' (a partner editor's own partner among them)."),
    Field("started_date", "Started", True, ("started date", "started", "start date", "start", "date", "since",
                                            "from", "started on", "start_date"),
          f"YYYY-MM-DD (also dd/mm/yyyy or 5 Mar 2025), from 1990-01-01 up to {clock.YEARS_AHEAD} years after today."),
    Field("origin_activity", "Grew out of", False, ("origin activity", "origin activity id", "origin_activity_id",
                                                   "activity", "activity id", "from activity", "grew out of",
                                                   "origin", "source activity"),
          "Optional: the activity it grew out of, by its id (e.g. A0004) or its exact title."),
    Field("description", "Description", False, ("description", "notes", "about", "summary", "details", "comments"),
          "Optional; one or two sentences."),
)


@dataclass
class Context:
    activities: A.Context                      # partner resolution, today
    editor: A.Editor | None
    activity_ids: dict[str, tuple[str, str, date]]   # lower-case id -> (activity_id, title, start)
    activity_titles: dict[str, list[str]]            # normalised title -> activity ids
    existing: dict[tuple, str]                       # (title, partners, start) -> collaboration_id

    @classmethod
    def load(cls, db: Database, today: date, editor: A.Editor | None, *, editing: str | None = None) -> Context:
        """``editing``: the collaboration being edited (not a duplicate of itself)."""
        ids, titles = {}, {}
        for aid, title, start in db.rows("SELECT activity_id, title, start_date FROM activities"):
            ids[aid.strip().lower()] = (aid, title, start)
            titles.setdefault(norm(title), []).append(aid)
        existing = {(norm(t), tuple(sorted(p or [])), d): cid for cid, t, d, p in db.rows(
            "SELECT c.collaboration_id, c.title, c.started_date, list(cp.partner_id) FROM collaborations c "
            "LEFT JOIN collaboration_partners cp USING (collaboration_id) GROUP BY ALL") if cid != editing}
        return cls(A.Context.load(db, today, activities=False), editor, ids, titles, existing)


def split_partners(text: str) -> list[str]:
    """The partners of a cell: separated by ';', ',', '|' or new lines (an 'and' between two
    names is read by :func:`_resolve_partners`, since some partners' names contain 'and')."""
    return [p.strip() for p in re.split(r"[;,|\n]", text or "") if p.strip()]


_AND = re.compile(r"\s+(?:and|&)\s+", re.IGNORECASE)


def _resolve_partners(ctx: Context, text: str) -> list[tuple[str, str | None, float, list[str]]]:
    """(the text, partner_id or None, score, suggestions) per partner named in a cell."""
    out = []
    for part in split_partners(text):
        pid, score, sugg = ctx.activities.resolve_partner(part)
        if norm(part) not in ctx.activities.partners and _AND.search(part):
            # "Development Initiatives and Open Data Watch (ODW)": two partners, even though the
            # whole cell loosely matches one of them (by the acronym in brackets)
            pieces = [(p, *ctx.activities.resolve_partner(p)) for p in _AND.split(part) if p.strip()]
            if all(r[1] is not None for r in pieces) or (pid is None and any(r[1] is not None for r in pieces)):
                out += pieces
                continue
        out.append((part, pid, score, sugg))
    return out


def _read_kind(raw: str) -> tuple[str | None, bool]:
    """(kind, exact): a known word, else a keyword in the text (inexact), else None."""
    key = norm(raw)
    if key in _KIND_SYNONYMS:
        return _KIND_SYNONYMS[key], True
    for word, kind in _KIND_KEYWORDS:
        if re.search(rf"\b{word}", key):
            return kind, False
    return None, True


def _checker(ctx: Context, order: str | None):
    seen: dict[tuple, int | None] = {}
    today = ctx.activities.today
    lo, hi = clock.date_window(today)
    labels = ctx.activities.partner_labels
    own = ctx.editor.partner_id if ctx.editor is not None and not ctx.editor.is_admin else None

    def check(v: dict[str, str], rc: RowCheck) -> dict | None:
        if not v["title"]:
            rc.err("title", "", "The title is empty.", "Write what the partners do together, e.g. 'Joint guidance on "
                   "time-use data'.")
        kind, exact = _read_kind(v["kind"]) if v["kind"] else (None, True)
        if kind is None:
            close = difflib.get_close_matches(norm(v["kind"]), list(_KIND_SYNONYMS), n=2, cutoff=0.6)
            hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            rc.err("kind", v["kind"], ("The kind is empty." if not v["kind"] else
                                       f"Unknown kind of collaboration {v['kind']!r}.{hint}"),
                   "Write one of: " + ", ".join(KINDS.values()) + " (common words such as 'co-funding' or 'data "
                   "sharing agreement' are read too).")
        elif not exact:
            rc.warn("kind", v["kind"], f"Kind {v['kind']!r} read as '{KINDS[kind]}'.",
                    "Check it, or write one of: " + ", ".join(KINDS.values()) + ".")
        partner_ids: list[str] = []
        if not v["partners"]:
            rc.err("partners", "", "No partner is named.",
                   "Name two or more partners (names or acronyms), separated by ';'.")
        unknown = False
        for text, pid, score, sugg in _resolve_partners(ctx, v["partners"]):
            if pid is None:
                unknown = True
                names = ", ".join(labels.get(s, s) for s in sugg)
                rc.err("partners", text, f"Unknown partner {text!r}." + (f" Did you mean {names}?" if names else ""),
                       "Use the partner's name or acronym as listed on the Partners & tools page; a partner that is "
                       "not registered yet is added by an administrator on the Manage records page.")
                continue
            if score < 1:
                rc.warn("partners", text, f"Partner {text!r} read as {labels.get(pid, pid)} (approximate match).",
                        "Check it, or write the partner's name or acronym.")
            if pid not in partner_ids:
                partner_ids.append(pid)
        if v["partners"] and not unknown and len(partner_ids) < 2:
            only = labels.get(partner_ids[0], partner_ids[0]) if partner_ids else "none"
            rc.err("partners", v["partners"], f"A collaboration needs at least two different partners; this names "
                   f"only {only}.", "Add the other partner(s), separated by ';'.")
        if own and partner_ids and own not in partner_ids:
            rc.err("partners", v["partners"], f"You can record only collaborations in which "
                   f"{labels.get(own, own)} takes part.", f"Add {labels.get(own, own)} to the partners if it takes "
                   "part; otherwise an administrator records this collaboration.")
        start = None
        if not v["started_date"]:
            rc.err("started_date", "", "The start date is empty.",
                   "Write the day the collaboration started (or was agreed), as YYYY-MM-DD.")
        else:
            got = parse_date(v["started_date"], order)
            if got.value is None:
                rc.err("started_date", v["started_date"], f"Invalid date: {got.problem}.",
                       "Write it as YYYY-MM-DD, e.g. 2025-03-14.")
            elif not lo <= got.value <= hi:
                rc.err("started_date", v["started_date"], f"The date {got.value.isoformat()} is outside the dates "
                       f"the dashboard accepts ({clock.window_text(today)}).",
                       "Correct the year (a typing error such as 0202 or 2206?).")
            else:
                start = got.value
                if got.note:
                    rc.warn("started_date", v["started_date"], f"Date {got.note}.",
                            "Check it, or write it as YYYY-MM-DD.")
                if start > today:
                    rc.warn("started_date", v["started_date"], f"The start date {start} is in the future.",
                            "Fine for a collaboration agreed to start later; otherwise correct the date.")
        origin = None
        if v["origin_activity"]:
            raw = v["origin_activity"]
            hit = ctx.activity_ids.get(raw.strip().lower())
            ids = [hit[0]] if hit else ctx.activity_titles.get(norm(raw), [])
            if len(ids) == 1:
                origin = ids[0]
                _, title, astart = ctx.activity_ids[origin.strip().lower()]
                if start and start < astart:
                    rc.warn("origin_activity", raw, f"The collaboration starts ({start}) before the activity it grew "
                            f"out of ({title!r}, {astart}).", "Check the start date, or the activity.")
            elif ids:
                rc.err("origin_activity", raw, f"{len(ids)} activities have this title ({', '.join(ids[:5])}).",
                       "Write the id of the one it grew out of (the Activities page shows ids).")
            else:
                close = difflib.get_close_matches(norm(raw), list(ctx.activity_titles), n=2, cutoff=0.75)
                names = [ctx.activity_ids[ctx.activity_titles[c][0].lower()] for c in close]
                hint = " Did you mean " + " or ".join(f"{t!r} ({i})" for i, t, _ in names) + "?" if names else ""
                rc.err("origin_activity", raw, f"Unknown activity {raw!r}.{hint}",
                       "Write the activity's id (e.g. A0004) or its exact title, or leave it empty.")
        if rc.errors:
            return None
        key = (norm(v["title"]), tuple(sorted(partner_ids)), start)
        if key in ctx.existing:
            rc.err("title", v["title"], f"This collaboration is already recorded ({ctx.existing[key]}: same title, "
                   "partners and start date).", "Leave the row out; it was recorded before.")
            return None
        if key in seen:
            rc.err("title", v["title"], f"The same collaboration appears twice in this file (also row {seen[key]}).",
                   "Keep one row per collaboration.")
            return None
        seen[key] = rc.row
        return {"title": v["title"], "kind": kind, "partners": partner_ids, "started_date": start,
                "origin_activity_id": origin, "description": v["description"] or None,
                "partner_labels": [labels.get(p, p) for p in partner_ids],
                "origin_title": ctx.activity_ids[origin.lower()][1] if origin else None}

    return check


def validate_form(db: Database, values: dict[str, str], *, today: date, editor: A.Editor | None) -> Plan:
    """One collaboration from a form (the same rules as a file row). Writes nothing."""
    plan = Plan(source="form", noun="collaborations", rows_read=1)
    order = day_order_evidence([str(values.get("started_date") or "")])
    check_rows(plan, FIELDS, [(None, values, {})], _checker(Context.load(db, today, editor), order))
    return plan


def validate_file(data: bytes, filename: str, db: Database, *, today: date, editor: A.Editor | None = None,
                  max_bytes: int | None = None) -> Plan:
    """A file of collaborations (CSV, TSV or xlsx). Writes nothing."""
    plan, rows = read_rows(data, filename, FIELDS, "collaborations", max_bytes=max_bytes)
    if rows:
        order = day_order_evidence([r[1].get("started_date", "") for r in rows])
        check_rows(plan, FIELDS, rows, _checker(Context.load(db, today, editor), order))
    return plan


def preview_frame(plan: Plan) -> pd.DataFrame:
    """The collaborations that will be written, with readable labels."""
    return pd.DataFrame([{
        "Row": r["row"], "Title": r["title"], "Kind": KINDS[r["kind"]], "Partners": "; ".join(r["partner_labels"]),
        "Started": r["started_date"],
        "Grew out of": f"{r['origin_title']} ({r['origin_activity_id']})" if r["origin_activity_id"] else "—",
        "Description": r["description"] or "—", "Warnings": "; ".join(r["flags"]) or "—",
    } for r in plan.records], columns=["Row", "Title", "Kind", "Partners", "Started", "Grew out of", "Description",
                                       "Warnings"])


def write(db: Database, plan: Plan, *, editor: A.Editor) -> int:
    """Write the plan's collaborations and their partners in one batch ('upload' for a file,
    'edit' for the form); returns its id. New ids are ``c_<n>``, numbered on from the
    largest such id in the database (inside the write, so two writes never clash). A
    partner editor's batch is tagged with its partner (it alone may undo it)."""
    if plan.critical:
        raise WriteRejected("the file has critical problems: nothing can be imported")
    if not plan.records:
        raise WriteRejected("no valid collaboration to record")
    if not editor.is_admin and any(editor.partner_id not in r["partners"] for r in plan.records):
        raise WriteRejected("a partner editor records only collaborations its own partner takes part in; an "
                            "administrator records the others")
    if any(len(set(r["partners"])) < 2 for r in plan.records):
        raise WriteRejected("a collaboration needs at least two different partners")
    kind = "edit" if plan.source == "form" else "upload"
    source = f"Collaboration added: {plan.records[0]['title']}" if plan.source == "form" else plan.source
    with db.write(kind=kind, source=source, sha256=plan.sha256, rows_read=plan.rows_read, editor=editor.name,
                  note=json.dumps({"partner": editor.partner_id, "records": "collaborations"})) as batch:
        taken = {i.lower() for (i,) in batch.execute("SELECT collaboration_id FROM collaborations")}
        n = max((int(m.group(1)) for i in taken if (m := re.fullmatch(r"c_(\d+)", i))), default=0)
        ids = []
        for _ in plan.records:
            n += 1
            while f"c_{n}" in taken:
                n += 1
            ids.append(f"c_{n}")
        batch.insert("collaborations", pd.DataFrame([{
            "collaboration_id": cid, "title": r["title"], "kind": r["kind"], "started_date": r["started_date"],
            "origin_activity_id": r["origin_activity_id"], "description": r["description"], "is_sample": False,
        } for cid, r in zip(ids, plan.records)]))
        batch.insert("collaboration_partners", pd.DataFrame(
            [{"collaboration_id": cid, "partner_id": p, "is_sample": False}
             for cid, r in zip(ids, plan.records) for p in r["partners"]],
            columns=["collaboration_id", "partner_id", "is_sample"]))
        batch.rows_imported = len(plan.records)
        return batch.batch_id


def template_csv(example: bool = False) -> bytes:
    """The collaborations template (header only), or a filled example (partners and an
    activity of the bundled sample)."""
    return template(FIELDS, [
        ["Joint guidance on time-use data", "joint product", "PARIS21; UN Women", "2026-09-01", "",
         "Co-developed guidance on adding a light time-use module to household surveys."],
        ["Disability data sharing agreement", "data sharing agreement", "Sightsavers, UNICEF and HelpAge",
         "2026-10-15", "", "Partners share disaggregated disability data and metadata."],
        ["Reciprocal review of the PRESS methodology", "peer review", "PARIS21; Equality Insights; World Bank",
         "2026-07-01", "A0124", "Grew out of the PRESS tool showcase."],
    ] if example else None)


def template_xlsx(example: bool = False) -> bytes:
    """The collaborations template as an Excel workbook (the same columns and example, with a Help sheet)."""
    from collab_data.records import base

    return base.template_xlsx(FIELDS, base.csv_rows(template_csv(example)), title="Collaborations")


# --------------------------------------------------------------------------------------
# Editing a collaboration
# --------------------------------------------------------------------------------------
def may_edit(db: Database, collaboration_id: str, editor: A.Editor | None) -> bool:
    """An administrator edits any collaboration; a partner editor those its partner takes part in."""
    if editor is None:
        return False
    if editor.is_admin:
        return bool(db.rows("SELECT 1 FROM collaborations WHERE collaboration_id = ?", [collaboration_id]))
    return bool(db.rows("SELECT 1 FROM collaboration_partners WHERE collaboration_id = ? AND partner_id = ?",
                        [collaboration_id, editor.partner_id]))


def form_values(db: Database, collaboration_id: str) -> dict[str, str] | None:
    """The collaboration's stored values as the form's text fields (partners by id)."""
    rows = db.rows("SELECT title, kind, started_date, origin_activity_id, description FROM collaborations "
                   "WHERE collaboration_id = ?", [collaboration_id])
    if not rows:
        return None
    title, kind, started, origin, description = rows[0]
    partners = [p for (p,) in db.rows("SELECT partner_id FROM collaboration_partners WHERE collaboration_id = ? "
                                      "ORDER BY partner_id", [collaboration_id])]
    return {"title": title, "kind": kind, "partners": "; ".join(partners), "started_date": started.isoformat(),
            "origin_activity": origin or "", "description": description or ""}


def validate_edit(db: Database, collaboration_id: str, values: dict[str, str], *, today: date,
                  editor: A.Editor | None) -> Plan:
    """The edited collaboration, checked by the rules of adding one. Writes nothing."""
    if not may_edit(db, collaboration_id, editor):
        raise WriteRejected("a partner editor edits only the collaborations its own partner takes part in")
    plan = Plan(source="form", noun="collaborations", rows_read=1)
    check_rows(plan, FIELDS, [(None, values, {})],
               _checker(Context.load(db, today, editor, editing=collaboration_id), "dmy"))
    for r in plan.records:
        r["collaboration_id"] = collaboration_id
    return plan


def save_edit(db: Database, plan: Plan, *, editor: A.Editor) -> int:
    """Write an edited collaboration in one 'edit' batch (each changed value old -> new,
    partners added or removed, in the history). Raises WriteRejected when nothing changed."""
    if plan.critical or len(plan.records) != 1:
        raise WriteRejected("the collaboration has problems to fix first")
    r = plan.records[0]
    cid = r["collaboration_id"]
    if len(set(r["partners"])) < 2:
        raise WriteRejected("a collaboration needs at least two different partners")
    if not editor.is_admin and editor.partner_id not in r["partners"]:
        raise WriteRejected("your partner must stay among the partners of the collaborations you edit")
    with db.write(kind="edit", source=f"Collaboration edited: {r['title']}", editor=editor.name,
                  note=json.dumps({"partner": editor.partner_id, "records": "collaborations"})) as b:
        if not editor.is_admin and not b.execute("SELECT 1 FROM collaboration_partners WHERE collaboration_id = ? "
                                                 "AND partner_id = ?", [cid, editor.partner_id]):
            raise WriteRejected("a partner editor edits only the collaborations its own partner takes part in")
        b.update("collaborations", {"collaboration_id": cid},
                 {c: r[c] for c in ("title", "kind", "started_date", "origin_activity_id", "description")})
        have = {p for (p,) in b.execute("SELECT partner_id FROM collaboration_partners WHERE collaboration_id = ?",
                                        [cid])}
        for p in r["partners"]:
            if p not in have:
                b.add("collaboration_partners", {"collaboration_id": cid, "partner_id": p, "is_sample": False})
        for p in sorted(have - set(r["partners"])):
            b.remove("collaboration_partners", {"collaboration_id": cid, "partner_id": p})
        if not b.changes:
            raise WriteRejected("nothing was changed")
        b.rows_imported = 1
        return b.batch_id
