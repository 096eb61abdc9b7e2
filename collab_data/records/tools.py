"""Tools: a partner's products (methodologies, datasets, platforms, indices, trainings,
guidance, standards), added through a form or from a file, with the findings of every
upload. A partner editor adds its own partner's tools (its partner is always an owner);
an administrator adds any.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from collab_data import clock
from collab_data.db import Database, WriteRejected
from collab_data.ingest import activities as A
from collab_data.ingest.activities import norm
from collab_data.ingest.dates import parse_date
from collab_data.records.base import Field, Plan, RowCheck, check_rows, fields, read_rows
from collab_data.records.base import template_csv as template

KINDS = {"methodology": "Methodology", "dataset": "Dataset", "platform": "Platform", "index": "Index",
         "training": "Training", "guidance": "Guidance", "standard": "Standard"}
_KIND_SYNONYMS = {**{k: k for k in KINDS}, "method": "methodology", "survey module": "methodology",
                  "data set": "dataset", "database": "dataset", "data": "dataset", "portal": "platform",
                  "dashboard": "platform", "website": "platform", "hub": "platform", "indicator": "index",
                  "score": "index", "course": "training", "curriculum": "training", "e learning": "training",
                  "guide": "guidance", "guidelines": "guidance", "toolkit": "guidance", "handbook": "guidance",
                  "framework": "standard", "classification": "standard", "norm": "standard"}
STAGES = {"concept": "Concept", "pilot": "Pilot", "scaling": "Scaling", "mature": "Mature"}
_STAGE_SYNONYMS = {**{k: k for k in STAGES}, "idea": "concept", "design": "concept", "prototype": "pilot",
                   "testing": "pilot", "beta": "pilot", "scale up": "scaling", "scaling up": "scaling",
                   "expanding": "scaling", "in use": "mature", "established": "mature", "operational": "mature",
                   "live": "mature"}

FIELDS: dict[str, Field] = fields(
    Field("name", "Name", True, ("name", "tool", "tool name", "product", "title"), "The tool's name."),
    Field("kind", "Kind", True, ("kind", "type", "tool type", "category"), "One of: " + ", ".join(KINDS.values()) + "."),
    Field("stage", "Stage", True, ("stage", "maturity", "status", "phase"), "One of: " + ", ".join(STAGES.values()) + "."),
    Field("owners", "Owners", False, ("owners", "owner", "partner", "partners", "organisation", "organization"),
          "Partner names or acronyms, separated by ';' (a partner editor's own partner is always one)."),
    Field("topics", "Topics", False, ("topics", "topic", "themes", "theme"), "Separated by ';'."),
    Field("lnob_dimensions", "LNOB dimensions", False, ("lnob dimensions", "dimensions", "disaggregation",
                                                        "disaggregations", "breakdowns"),
          "Sex, age, disability, location, income, migratory status, ethnicity, education; separated by ';'."),
    Field("website", "Website", False, ("website", "url", "link", "web"), "https://..."),
    Field("launched_year", "Launched", False, ("launched", "launched year", "year", "launch year", "since"),
          "The year it was launched, e.g. 2019."),
    Field("description", "Description", False, ("description", "about", "summary", "notes"), "One or two sentences."),
    Field("retired", "Discontinued on", False, ("discontinued", "discontinued on", "retired", "retired on",
                                                "retirement date", "end of life"),
          "YYYY-MM-DD, only for a tool no longer offered; it then shows as discontinued."),
)


@dataclass
class Context:
    activities: A.Context
    editor: A.Editor | None
    names: dict[str, str]        # normalised tool name -> tool_id
    dimensions: dict[str, str]   # normalised id or label -> dimension_id

    @classmethod
    def load(cls, db: Database, today: date, editor: A.Editor | None, *, editing: str | None = None) -> Context:
        """``editing``: the tool being edited (its own name is not a duplicate of itself)."""
        dims = {}
        for did, label in db.rows("SELECT dimension_id, label FROM lnob_dimensions"):
            for key in (did, label, re.sub(r"\s*\(.*\)", "", label), *label.split("/")):
                dims[norm(key)] = did
        return cls(A.Context.load(db, today, activities=False), editor, {norm(n): t for t, n in db.rows("SELECT tool_id, name FROM tools") if t != editing},
                   dims)


def _split(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;|]", text or "") if p.strip()]


def _checker(ctx: Context):
    seen: dict[str, int | None] = {}
    taken = set(ctx.names.values())
    labels = ctx.activities.partner_labels
    this_year = ctx.activities.today.year

    def check(v: dict[str, str], rc: RowCheck) -> dict | None:
        own = ctx.editor.partner_id if ctx.editor is not None and not ctx.editor.is_admin else None
        key = norm(v["name"])
        if not key:
            rc.err("name", "", "The name is empty.", "Write the tool's name.")
        elif key in ctx.names:
            rc.err("name", v["name"], f"A tool called {v['name']!r} is already in the catalogue.",
                   "Leave it out, or correct the name.")
        elif key in seen:
            rc.err("name", v["name"], f"{v['name']!r} appears twice in this file.", "Keep one row per tool.")
        else:
            seen[key] = rc.row
        kind = _KIND_SYNONYMS.get(norm(v["kind"]))
        if kind is None:
            rc.err("kind", v["kind"], "The kind is empty." if not v["kind"] else f"Unknown kind {v['kind']!r}.",
                   "Use one of: " + ", ".join(KINDS.values()) + ".")
        stage = _STAGE_SYNONYMS.get(norm(v["stage"]))
        if stage is None:
            rc.err("stage", v["stage"], "The stage is empty." if not v["stage"] else f"Unknown stage {v['stage']!r}.",
                   "Use one of: " + ", ".join(STAGES.values()) + ".")
        owners = []
        for text in _split(v["owners"]):
            pid, score, sugg = ctx.activities.resolve_partner(text)
            if pid is None:
                names = ", ".join(labels.get(s, s) for s in sugg)
                rc.err("owners", text, f"Unknown partner {text!r}." + (f" Did you mean {names}?" if names else ""),
                       "Use registered partners' names or acronyms; an administrator registers new partners on the "
                       "Manage records page.")
            else:
                owners.append(pid)
        if own and own not in owners:
            owners.insert(0, own)
        if not owners and not v["owners"]:
            rc.err("owners", v["owners"], "No owner is named.", "Name at least one partner that owns the tool.")
        dims = []
        for text in _split(v["lnob_dimensions"]):
            did = ctx.dimensions.get(norm(text))
            if did is None:
                rc.err("lnob_dimensions", text, f"Unknown LNOB dimension {text!r}.",
                       "Use: sex, age, disability, location, income, migratory status, ethnicity, education.")
            else:
                dims.append(did)
        year = None
        if v["launched_year"]:
            if not re.fullmatch(r"\d{4}", v["launched_year"]) or not 1900 <= int(v["launched_year"]) <= this_year + 10:
                rc.err("launched_year", v["launched_year"], f"{v['launched_year']!r} is not a plausible launch year.",
                       f"Write a year between 1900 and {this_year + 10}, or leave it empty.")
            else:
                year = int(v["launched_year"])
        website = v["website"]
        if website and not re.match(r"^https?://\S+\.\S+$", website, re.I):
            rc.err("website", website, f"{website!r} is not a web address.", "Write it as https://example.org.")
        retired = None
        if v["retired"]:
            got = parse_date(v["retired"])
            lo, hi = clock.date_window(ctx.activities.today)
            if got.value is None:
                rc.err("retired", v["retired"], f"Invalid date: {got.problem}.", "Write it as YYYY-MM-DD.")
            elif not lo <= got.value <= hi:
                rc.err("retired", v["retired"], f"The date {got.value.isoformat()} is outside the dates the dashboard "
                       f"accepts ({clock.window_text(ctx.activities.today)}).", "Correct the year.")
            elif year and got.value.year < year:
                rc.err("retired", v["retired"], f"Discontinued ({got.value.year}) before it was launched ({year}).",
                       "Correct one of the two.")
            else:
                retired = got.value
        if rc.errors:
            return None
        base = re.sub(r"[^a-z0-9]+", "_", key).strip("_")[:40] or "tool"
        tool_id, n = base, 2
        while tool_id in taken:
            tool_id, n = f"{base}_{n}", n + 1
        taken.add(tool_id)
        return {"tool_id": tool_id, "name": v["name"], "kind": kind, "stage": stage, "owners": list(dict.fromkeys(owners)),
                "topics": list(dict.fromkeys(t.lower() for t in _split(v["topics"]))),
                "dimensions": list(dict.fromkeys(dims)), "website": website or None, "launched_year": year,
                "description": v["description"] or None, "retired_date": retired}

    return check


def validate_form(db: Database, values: dict[str, str], *, today: date, editor: A.Editor | None) -> Plan:
    plan = Plan(source="form", noun="tools", rows_read=1)
    check_rows(plan, FIELDS, [(None, values, {})], _checker(Context.load(db, today, editor)))
    return plan


def validate_file(data: bytes, filename: str, db: Database, *, today: date, editor: A.Editor | None = None,
                  max_bytes: int | None = None) -> Plan:
    plan, rows = read_rows(data, filename, FIELDS, "tools", max_bytes=max_bytes)
    if rows:
        check_rows(plan, FIELDS, rows, _checker(Context.load(db, today, editor)))
    return plan


def preview_frame(plan: Plan) -> pd.DataFrame:
    return pd.DataFrame([{
        "Row": r["row"], "Tool": r["name"], "Kind": KINDS[r["kind"]], "Stage": STAGES[r["stage"]],
        "Owners": "; ".join(r["owners"]), "Topics": "; ".join(r["topics"]) or "—",
        "LNOB dimensions": "; ".join(r["dimensions"]) or "—", "Warnings": "; ".join(r["flags"]) or "—",
    } for r in plan.records], columns=["Row", "Tool", "Kind", "Stage", "Owners", "Topics", "LNOB dimensions",
                                       "Warnings"])


TOOL_COLUMNS = ("tool_id", "name", "kind", "stage", "description", "website", "launched_year", "retired_date")


def write(db: Database, plan: Plan, *, editor: A.Editor) -> int:
    """Write the plan's tools with their owners, topics and dimensions in one batch."""
    if plan.critical:
        raise WriteRejected("the file has critical problems: nothing can be imported")
    if not plan.records:
        raise WriteRejected("no valid tool to add")
    if not editor.is_admin and any(editor.partner_id not in r["owners"] for r in plan.records):
        raise WriteRejected("a partner editor adds only tools its own partner owns")
    kind = "edit" if plan.source == "form" else "upload"
    source = f"Tool added: {plan.records[0]['name']}" if plan.source == "form" else plan.source
    with db.write(kind=kind, source=source, sha256=plan.sha256, rows_read=plan.rows_read, editor=editor.name,
                  note=json.dumps({"partner": editor.partner_id, "records": "tools"})) as batch:
        cols = list(TOOL_COLUMNS)
        batch.insert("tools", pd.DataFrame([{c: r[c] for c in cols} | {"is_sample": False} for r in plan.records]))
        batch.insert("tool_owners", pd.DataFrame([{"tool_id": r["tool_id"], "partner_id": p, "is_sample": False}
                                                  for r in plan.records for p in r["owners"]]))
        batch.insert("tool_topics", pd.DataFrame([{"tool_id": r["tool_id"], "topic": t, "is_sample": False}
                                                  for r in plan.records for t in r["topics"]],
                                                 columns=["tool_id", "topic", "is_sample"]))
        batch.insert("tool_dimensions", pd.DataFrame([{"tool_id": r["tool_id"], "dimension_id": d, "is_sample": False}
                                                      for r in plan.records for d in r["dimensions"]],
                                                     columns=["tool_id", "dimension_id", "is_sample"]))
        batch.rows_imported = len(plan.records)
        return batch.batch_id


def template_csv(example: bool = False) -> bytes:
    return template(FIELDS, [
        ["Time-use survey toolkit", "guidance", "pilot", "PARIS21; UN Women", "time use; household surveys",
         "sex; age; location", "https://example.org/time-use", "2026",
         "Step-by-step guidance for adding a light time-use module to a household survey."],
    ] if example else None)


# --------------------------------------------------------------------------------------
# Editing and retiring a tool
# --------------------------------------------------------------------------------------
def may_edit(db: Database, tool_id: str, editor: A.Editor | None) -> bool:
    """An administrator edits any tool; a partner editor the tools its partner owns."""
    if editor is None:
        return False
    if editor.is_admin:
        return True
    return bool(db.rows("SELECT 1 FROM tool_owners WHERE tool_id = ? AND partner_id = ?", [tool_id, editor.partner_id]))


def form_values(db: Database, tool_id: str) -> dict[str, str] | None:
    """The tool's stored values as the form's text fields."""
    from collab_data.queries.records import tool_record

    rec = tool_record(db, tool_id)
    if rec is None:
        return None
    return {"name": rec["name"], "kind": rec["kind"], "stage": rec["stage"], "owners": "; ".join(rec["owners"]),
            "topics": "; ".join(rec["topics"]), "lnob_dimensions": "; ".join(rec["dimensions"]),
            "website": rec["website"] or "", "launched_year": str(rec["launched_year"] or ""),
            "description": rec["description"] or "",
            "retired": rec["retired_date"].isoformat() if rec["retired_date"] else ""}


def validate_edit(db: Database, tool_id: str, values: dict[str, str], *, today: date, editor: A.Editor | None) -> Plan:
    """The edited tool, checked by the rules of adding one. Writes nothing."""
    if not may_edit(db, tool_id, editor):
        raise WriteRejected("a partner editor edits only the tools its own partner owns; an administrator edits any")
    plan = Plan(source="form", noun="tools", rows_read=1)
    check_rows(plan, FIELDS, [(None, values, {})], _checker(Context.load(db, today, editor, editing=tool_id)))
    for r in plan.records:
        r["tool_id"] = tool_id
    return plan


def _sync(b, table: str, tool_id: str, column: str, wanted: list[str]) -> None:
    have = {v for (v,) in b.execute(f"SELECT {column} FROM {table} WHERE tool_id = ?", [tool_id])}
    for v in wanted:
        if v not in have:
            b.add(table, {"tool_id": tool_id, column: v, "is_sample": False})
    for v in sorted(have - set(wanted)):
        b.remove(table, {"tool_id": tool_id, column: v})


def save_edit(db: Database, plan: Plan, *, editor: A.Editor) -> int:
    """Write an edited tool in one 'edit' batch (history old -> new; owners, topics and
    dimensions added or removed). Raises WriteRejected when nothing changed."""
    if plan.critical or len(plan.records) != 1:
        raise WriteRejected("the tool has problems to fix first")
    r = plan.records[0]
    if not editor.is_admin and editor.partner_id not in r["owners"]:
        raise WriteRejected("your partner must stay an owner of the tools you edit")
    with db.write(kind="edit", source=f"Tool edited: {r['name']}", editor=editor.name,
                  note=json.dumps({"partner": editor.partner_id, "records": "tools"})) as b:
        if not may_edit_in(b, r["tool_id"], editor):
            raise WriteRejected("a partner editor edits only the tools its own partner owns")
        clash = b.execute("SELECT name FROM tools WHERE tool_id <> ? AND lower(name) = lower(?)", [r["tool_id"], r["name"]])
        if clash:
            raise WriteRejected(f"another tool is already called {clash[0][0]!r}")
        b.update("tools", {"tool_id": r["tool_id"]}, {c: r[c] for c in TOOL_COLUMNS if c != "tool_id"})
        _sync(b, "tool_owners", r["tool_id"], "partner_id", r["owners"])
        _sync(b, "tool_topics", r["tool_id"], "topic", r["topics"])
        _sync(b, "tool_dimensions", r["tool_id"], "dimension_id", r["dimensions"])
        if not b.changes:
            raise WriteRejected("nothing was changed")
        b.rows_imported = 1
        return b.batch_id


def may_edit_in(b, tool_id: str, editor: A.Editor) -> bool:
    return editor.is_admin or bool(b.execute("SELECT 1 FROM tool_owners WHERE tool_id = ? AND partner_id = ?",
                                             [tool_id, editor.partner_id]))


def retire(db: Database, tool_id: str, when: date, *, editor: A.Editor, today: date) -> int:
    """Record that a tool was discontinued on ``when``: the catalogue shows it as such;
    programmes and activities that used it keep it. Returns the batch id."""
    lo, hi = clock.date_window(today)
    if not lo <= when <= hi:
        raise WriteRejected(f"the date {when.isoformat()} is outside the dates the dashboard accepts "
                            f"({clock.window_text(today)})")
    if not may_edit(db, tool_id, editor):
        raise WriteRejected("a partner editor retires only the tools its own partner owns")
    name, gone = (db.rows("SELECT name, retired_date FROM tools WHERE tool_id = ?", [tool_id]) or [(None, None)])[0]
    if name is None:
        raise WriteRejected(f"there is no tool {tool_id!r}")
    if gone is not None:
        raise WriteRejected(f"{name} was already discontinued on {gone.isoformat()}")
    with db.write(kind="edit", source=f"Tool discontinued: {name}", editor=editor.name,
                  note=json.dumps({"partner": editor.partner_id, "records": "tools"})) as b:
        b.update("tools", {"tool_id": tool_id}, {"retired_date": when})
        b.rows_imported = 1
        return b.batch_id


def template_xlsx(example: bool = False) -> bytes:
    """The tools template as an Excel workbook (the same columns and example, with a Help sheet)."""
    from collab_data.records import base

    return base.template_xlsx(FIELDS, base.csv_rows(template_csv(example)), title="Tools")
