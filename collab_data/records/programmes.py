"""Country programmes: a partner's support to a country (with a tool or without), imported
from a file with the findings of every upload, written through the single write path.

A programme names its partner (name, acronym or id, spelled as partners' files spell
them), a country (any spelling the country resolver knows), optionally a tool of the
catalogue, a support type, a topic, start and end dates (inside the accepted window; the
end not before the start) and a status (planned, active, completed, paused; read from
common words, or worked out from the dates when empty, with a warning). A partner editor
imports only its own partner's programmes. A programme already recorded (same partner,
country, support type, tool and start date) is reported, not written twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from collab_data import clock, countries
from collab_data.db import Database, WriteRejected
from collab_data.ingest import activities as A
from collab_data.ingest.activities import norm
from collab_data.ingest.dates import day_order_evidence, parse_date
from collab_data.records.base import Field, Plan, RowCheck, check_rows, fields, read_rows
from collab_data.records.base import template_csv as template

SUPPORT_TYPES: dict[str, str] = {
    "technical_assistance": "Technical assistance", "training": "Training", "data_production": "Data production",
    "tool_deployment": "Tool deployment", "peer_review": "Peer review", "advocacy": "Advocacy",
    "financing": "Financing",
}
_SUPPORT_SYNONYMS = {
    **{norm(k): k for k in SUPPORT_TYPES}, **{norm(v): k for k, v in SUPPORT_TYPES.items()},
    "ta": "technical_assistance", "technical support": "technical_assistance", "advisory": "technical_assistance",
    "capacity building": "training", "capacity development": "training", "workshop": "training",
    "survey": "data_production", "data collection": "data_production", "statistics production": "data_production",
    "deployment": "tool_deployment", "implementation": "tool_deployment", "rollout": "tool_deployment",
    "review": "peer_review", "funding": "financing", "grant": "financing", "finance": "financing",
}
STATUSES = {"planned": "Planned", "active": "Active", "completed": "Completed", "paused": "Paused"}
_STATUS_SYNONYMS = {
    **{k: k for k in STATUSES}, "ongoing": "active", "on going": "active", "in progress": "active",
    "implementation": "active", "closed": "completed", "finished": "completed", "ended": "completed",
    "complete": "completed", "done": "completed", "pipeline": "planned", "proposed": "planned", "planning": "planned",
    "suspended": "paused", "on hold": "paused", "paused": "paused",
}

FIELDS: dict[str, Field] = fields(
    Field("partner", "Partner", True, ("partner", "partner id", "organisation", "organization", "org", "agency",
                                       "implementing partner", "implementer", "who"),
          "The partner's name or acronym (a partner editor's own partner when left empty)."),
    Field("country", "Country", True, ("country", "iso3", "country code", "recipient country", "where", "location"),
          "The country's name or ISO code."),
    Field("tool", "Tool", False, ("tool", "tool used", "product", "tool name"), "A tool of the catalogue; optional."),
    Field("support_type", "Support type", True, ("support type", "support", "type", "type of support", "modality",
                                                 "activity type"),
          "One of: " + ", ".join(SUPPORT_TYPES.values()) + "."),
    Field("topic", "Topic", False, ("topic", "theme", "sector", "subject"), "e.g. time use, disability data."),
    Field("start_date", "Start date", True, ("start date", "start", "from", "begin", "start_date"),
          f"YYYY-MM-DD (also dd/mm/yyyy or 5 Mar 2025), from 1990-01-01 up to {clock.YEARS_AHEAD} years after today."),
    Field("end_date", "End date", False, ("end date", "end", "to", "until", "end_date"),
          "Optional; not before the start date."),
    Field("status", "Status", False, ("status", "state", "stage"),
          "planned, active, completed or paused; worked out from the dates when empty."),
    Field("notes", "Notes", False, ("notes", "description", "comments", "details"), "Optional."),
)


@dataclass
class Context:
    activities: A.Context        # partner and tool resolution, known countries, today
    editor: A.Editor | None
    existing: set[tuple]         # (partner, iso3, support, tool, start) already recorded
    ids: set[str]

    @classmethod
    def load(cls, db: Database, today: date, editor: A.Editor | None, *, editing: str | None = None) -> Context:
        """``editing``: the programme being edited (not a duplicate of itself)."""
        existing = {(p, c, s, t, d) for p, c, s, t, d in db.rows(
            "SELECT partner_id, iso3, support_type, tool_id, start_date FROM country_programs "
            "WHERE program_id IS DISTINCT FROM ?", [editing])}
        ids = {i for (i,) in db.rows("SELECT program_id FROM country_programs")}
        return cls(A.Context.load(db, today, activities=False), editor, existing, ids)


def _checker(ctx: Context, order: str | None):
    seen: dict[tuple, int | None] = {}
    taken = set(ctx.ids)
    today = ctx.activities.today
    lo, hi = clock.date_window(today)
    labels = ctx.activities.partner_labels

    def read(name: str, raw: str, rc: RowCheck) -> date | None:
        got = parse_date(raw, order)
        if got.value is None:
            rc.err(name, raw, f"Invalid date: {got.problem}.", "Write it as YYYY-MM-DD, e.g. 2025-03-14.")
            return None
        if not lo <= got.value <= hi:
            rc.err(name, raw, f"The date {got.value.isoformat()} is outside the dates the dashboard accepts "
                   f"({clock.window_text(today)}).", "Correct the year.")
            return None
        if got.note:
            rc.warn(name, raw, f"Date {got.note}.", "Check it, or write it as YYYY-MM-DD.")
        return got.value

    def check(v: dict[str, str], rc: RowCheck) -> dict | None:
        own = ctx.editor.partner_id if ctx.editor is not None and not ctx.editor.is_admin else None
        pid = None
        if not v["partner"]:
            if own:
                pid = own
            else:
                rc.err("partner", "", "No partner is named.", "Write the partner's name or acronym.")
        else:
            pid, score, sugg = ctx.activities.resolve_partner(v["partner"])
            if pid is None:
                names = ", ".join(labels.get(s, s) for s in sugg)
                rc.err("partner", v["partner"], f"Unknown partner {v['partner']!r}."
                       + (f" Did you mean {names}?" if names else ""),
                       "Use a registered partner's name or acronym; an administrator registers new partners on the "
                       "Manage records page.")
            elif score < 1:
                rc.warn("partner", v["partner"], f"Partner {v['partner']!r} read as {labels.get(pid, pid)}.",
                        "Check it, or write the partner's name or acronym.")
        if pid and own and pid != own:
            rc.err("partner", v["partner"], f"You may import only {labels.get(own, own)}'s programmes, not "
                   f"{labels.get(pid, pid)}'s.", "Leave that row out; that partner's editor imports it.")
        iso3 = None
        if not v["country"]:
            rc.err("country", "", "No country is named.", "Write the country's name or ISO code.")
        else:
            match = countries.resolve(v["country"])
            if match.kind == "country" and match.iso3 in ctx.activities.known_countries:
                iso3 = match.iso3
                if match.score < 1:
                    rc.warn("country", v["country"], f"Country {v['country']!r} read as {countries.name_of(iso3)}.",
                            "Check it, or write the country's name or ISO code.")
            else:
                sugg = ", ".join(countries.name_of(s) for s in match.suggestions[:3])
                what = "a region or group, not one country" if match.kind == "aggregate" else "an unknown country"
                rc.err("country", v["country"], f"{v['country']!r} is {what}."
                       + (f" Did you mean {sugg}?" if sugg else ""),
                       "Write one country per row, by name or ISO code (e.g. KEN).")
        tool = None
        if v["tool"]:
            tool = ctx.activities.tools.get(norm(v["tool"]))
            if tool is None:
                rc.err("tool", v["tool"], f"Unknown tool {v['tool']!r}.",
                       "Use a tool of the catalogue (Partners & tools page), or leave it empty.")
        support = _SUPPORT_SYNONYMS.get(norm(v["support_type"]))
        if support is None:
            rc.err("support_type", v["support_type"], "The support type is empty." if not v["support_type"] else
                   f"Unknown support type {v['support_type']!r}.", "Use one of: " + ", ".join(SUPPORT_TYPES.values()) + ".")
        start = read("start_date", v["start_date"], rc) if v["start_date"] else None
        if not v["start_date"]:
            rc.err("start_date", "", "The start date is empty.", "Write the date the programme started, as YYYY-MM-DD.")
        end = read("end_date", v["end_date"], rc) if v["end_date"] else None
        if start and end and end < start:
            rc.err("end_date", v["end_date"], f"The programme ends ({end}) before it starts ({start}).",
                   "Swap the two dates or correct one of them.")
        status = None
        if v["status"]:
            status = _STATUS_SYNONYMS.get(norm(v["status"]))
            if status is None:
                rc.err("status", v["status"], f"Unknown status {v['status']!r}.",
                       "Use planned, active, completed or paused, or leave it empty.")
        elif start:
            status = "planned" if start > today else "completed" if end and end < today else "active"
            rc.warn("status", "", f"No status given: read as {status} from the dates.", "Write the status to be sure.")
        if status == "planned" and start and start <= today:
            rc.warn("status", v["status"], f"Planned, but it started on {start}.", "Check the status.")
        if rc.errors:
            return None
        key = (pid, iso3, support, tool, start)
        if key in ctx.existing:
            rc.err("start_date", v["start_date"], "This programme is already recorded (same partner, country, support "
                   "type, tool and start date).", "Leave the row out, or correct it.")
            return None
        if key in seen:
            rc.err("start_date", v["start_date"], f"The same programme appears twice in this file (also row "
                   f"{seen[key]}).", "Keep one row per programme.")
            return None
        seen[key] = rc.row
        base = re.sub(r"[^a-z0-9]+", "_", f"{pid}_{iso3}_{start:%Y%m%d}".lower())
        program_id, n = base, 2
        while program_id in taken:
            program_id, n = f"{base}_{n}", n + 1
        taken.add(program_id)
        return {"program_id": program_id, "partner_id": pid, "iso3": iso3, "tool_id": tool, "support_type": support,
                "topic": v["topic"] or None, "start_date": start, "end_date": end, "status": status,
                "notes": v["notes"] or None}

    return check


def validate_file(data: bytes, filename: str, db: Database, *, today: date, editor: A.Editor | None = None,
                  max_bytes: int | None = None) -> Plan:
    """A file of country programmes (CSV, TSV or xlsx). Writes nothing."""
    plan, rows = read_rows(data, filename, FIELDS, "programmes", max_bytes=max_bytes)
    if rows:
        order = day_order_evidence([r[1].get(f, "") for r in rows for f in ("start_date", "end_date")])
        check_rows(plan, FIELDS, rows, _checker(Context.load(db, today, editor), order))
    return plan


def preview_frame(plan: Plan) -> pd.DataFrame:
    """The programmes that will be written, with readable labels."""
    return pd.DataFrame([{
        "Row": r["row"], "Partner": r["partner_id"], "Country": countries.name_of(r["iso3"]),
        "Tool": r["tool_id"] or "—", "Support": SUPPORT_TYPES[r["support_type"]], "Topic": r["topic"] or "—",
        "Start": r["start_date"], "End": r["end_date"], "Status": STATUSES[r["status"]],
        "Warnings": "; ".join(r["flags"]) or "—",
    } for r in plan.records], columns=["Row", "Partner", "Country", "Tool", "Support", "Topic", "Start", "End",
                                       "Status", "Warnings"])


def write(db: Database, plan: Plan, *, editor: A.Editor) -> int:
    """Write the plan's programmes in one 'upload' batch; returns its id. A partner editor's
    batch is tagged with its partner (it alone may undo it)."""
    if plan.critical:
        raise WriteRejected("the file has critical problems: nothing can be imported")
    if not plan.records:
        raise WriteRejected("no valid programme to import")
    if not editor.is_admin and any(r["partner_id"] != editor.partner_id for r in plan.records):
        raise WriteRejected("a partner editor imports only its own partner's programmes")
    import json

    note = json.dumps({"partner": editor.partner_id, "records": "country_programs"})
    with db.write(kind="upload", source=plan.source, sha256=plan.sha256, rows_read=plan.rows_read,
                  editor=editor.name, note=note) as batch:
        insert_records(batch, plan.records)
        batch.rows_imported = len(plan.records)
        return batch.batch_id


#: Optional columns of a programme (schema version 5) that a record may carry: written when present.
SOURCE_COLUMNS = ("external_id", "title", "description", "percentage", "gender_marker", "sectors", "source_format",
                  "areas")


def insert_records(batch, records: list[dict]) -> int:
    """Insert programme records in ``batch``: the base columns, and each optional column of
    :data:`SOURCE_COLUMNS` that a record carries (``source_format`` is 'sheet' unless given)."""
    if not records:
        return 0
    cols = ["program_id", "partner_id", "iso3", "tool_id", "support_type", "topic", "start_date", "end_date",
            "status", "notes"]
    extra = [c for c in SOURCE_COLUMNS if any(c in r for r in records)]
    rows = [{c: r[c] for c in cols} | {c: r.get(c) for c in extra}
            | {"source_format": r.get("source_format") or "sheet", "is_sample": False} for r in records]
    frame = pd.DataFrame(rows)
    for c in ("percentage",):
        if c in frame:
            frame[c] = frame[c].astype("Float64")
    for c in ("gender_marker",):
        if c in frame:
            frame[c] = frame[c].astype("Int64")
    for c in ("external_id", "title", "description", "sectors", "areas", "topic", "notes", "tool_id"):
        if c in frame:
            frame[c] = frame[c].astype("object")
    return batch.insert("country_programs", frame)


def template_csv(example: bool = False) -> bytes:
    """The programmes template (header only), or a filled example."""
    return template(FIELDS, [
        ["PARIS21", "Kenya", "", "technical assistance", "gender statistics", "2026-02-01", "2027-01-31", "active",
         "Support to the national strategy for the development of statistics"],
        ["UN Women", "Senegal", "Women Count Data Hub", "training", "time use", "2026-09-01", "", "", ""],
    ] if example else None)


# --------------------------------------------------------------------------------------
# Editing a programme (retiring one is giving it an end date and the status completed)
# --------------------------------------------------------------------------------------
PROGRAM_COLUMNS = ("partner_id", "iso3", "tool_id", "support_type", "topic", "start_date", "end_date", "status", "notes")


def may_edit(db: Database, program_id: str, editor: A.Editor | None) -> bool:
    if editor is None:
        return False
    owner = db.rows("SELECT partner_id FROM country_programs WHERE program_id = ?", [program_id])
    return bool(owner) and (editor.is_admin or owner[0][0] == editor.partner_id)


def form_values(db: Database, program_id: str) -> dict[str, str] | None:
    """The programme's stored values as the form's text fields."""
    from collab_data.queries.records import program_record

    rec = program_record(db, program_id)
    if rec is None:
        return None
    return {"partner": rec["partner_label"], "country": rec["iso3"], "tool": rec["tool_name"] or "",
            "support_type": rec["support_type"], "topic": rec["topic"] or "",
            "start_date": rec["start_date"].isoformat(), "end_date": rec["end_date"].isoformat() if rec["end_date"] else "",
            "status": rec["status"], "notes": rec["notes"] or ""}


def validate_edit(db: Database, program_id: str, values: dict[str, str], *, today: date,
                  editor: A.Editor | None) -> Plan:
    """The edited programme, checked by the rules of the import (a partner editor: its own
    partner's, and it stays its partner's). Writes nothing."""
    if not may_edit(db, program_id, editor):
        raise WriteRejected("a partner editor edits only its own partner's programmes; an administrator edits any")
    plan = Plan(source="form", noun="programmes", rows_read=1)
    check_rows(plan, FIELDS, [(None, values, {})], _checker(Context.load(db, today, editor, editing=program_id), "dmy"))
    for r in plan.records:
        r["program_id"] = program_id
    return plan


def save_edit(db: Database, plan: Plan, *, editor: A.Editor) -> int:
    """Write an edited programme in one 'edit' batch, each changed column old -> new in the
    history. Raises WriteRejected when nothing changed."""
    import json

    if plan.critical or len(plan.records) != 1:
        raise WriteRejected("the programme has problems to fix first")
    r = plan.records[0]
    if not editor.is_admin and r["partner_id"] != editor.partner_id:
        raise WriteRejected("a partner editor edits only its own partner's programmes")
    label = f"{r['partner_id']} in {countries.name_of(r['iso3'])}"
    with db.write(kind="edit", source=f"Programme edited: {label}", editor=editor.name,
                  note=json.dumps({"partner": editor.partner_id, "records": "country_programs"})) as b:
        owner = b.execute("SELECT partner_id FROM country_programs WHERE program_id = ?", [r["program_id"]])
        if not owner or (not editor.is_admin and owner[0][0] != editor.partner_id):
            raise WriteRejected("this programme was removed meanwhile, or is not your partner's")
        b.update("country_programs", {"program_id": r["program_id"]}, {c: r[c] for c in PROGRAM_COLUMNS})
        if not b.changes:
            raise WriteRejected("nothing was changed")
        b.rows_imported = 1
        return b.batch_id


def template_xlsx(example: bool = False) -> bytes:
    """The programmes template as an Excel workbook (the same columns and example, with a Help sheet)."""
    from collab_data.records import base

    return base.template_xlsx(FIELDS, base.csv_rows(template_csv(example)), title="Programmes")
