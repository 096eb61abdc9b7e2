"""Partners: registering the collaboratives' member organisations, one at a time (a form)
or from a file, validated by the same rules, written through the single write path.

A partner is a name (required, unique), an acronym (unique when given), an organisation
type, a headquarters country (any spelling the country resolver knows), a website, a
description, the collaboratives it belongs to with the date it joined each, and its task
teams. Findings use the tiers of the activity upload: *error* (the row is not
registered) and *warning* (registered, with the reason shown), each with the row of the
file, the column, the value, what is wrong and how to fix it. A column the program does
not use is reported, never dropped without a word. Nothing is written until
:func:`register` is called, and it writes every partner of a plan or none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from collab_data import clock, countries
from collab_data.db import Database, WriteRejected
from collab_data.ingest.activities import norm
from collab_data.ingest.dates import parse_date
from collab_data.records.base import Field, Plan, RowCheck, check_rows, fields, read_rows
from collab_data.records.base import template_csv as template

#: Organisation types: id -> label (the schema's CHECK constraint lists the same ids).
ORG_TYPES: dict[str, str] = {
    "multilateral": "Multilateral organisation", "un_agency": "UN agency", "bilateral": "Bilateral agency",
    "ngo": "NGO / civil society", "foundation": "Foundation", "academic": "Academic / research",
    "government": "Government", "network": "Network or partnership", "private": "Private sector",
}
_ORG_SYNONYMS = {
    **{norm(k): k for k in ORG_TYPES}, **{norm(v): k for k, v in ORG_TYPES.items()},
    "un": "un_agency", "united nations": "un_agency", "un entity": "un_agency", "un agency": "un_agency",
    "multilateral": "multilateral", "international organisation": "multilateral",
    "international organization": "multilateral", "igo": "multilateral", "development bank": "multilateral",
    "bilateral": "bilateral", "donor": "bilateral", "ngo": "ngo", "non governmental organisation": "ngo",
    "non governmental organization": "ngo", "civil society": "ngo", "cso": "ngo", "ingo": "ngo",
    "foundation": "foundation", "philanthropy": "foundation", "academic": "academic", "university": "academic",
    "research": "academic", "think tank": "academic", "government": "government", "national statistical office": "government",
    "nso": "government", "ministry": "government", "network": "network", "partnership": "network",
    "alliance": "network", "private": "private", "private sector": "private", "company": "private",
}

#: Columns of a partners file.
FIELDS: dict[str, Field] = fields(
    Field("name", "Name", True, ("name", "organisation", "organization", "partner", "partner name", "org", "full name"),
          "The organisation's full name, e.g. 'Open Data Watch'."),
    Field("acronym", "Acronym", False, ("acronym", "abbreviation", "short name", "short"), "e.g. 'ODW'; optional."),
    Field("org_type", "Type", True, ("type", "org type", "organisation type", "organization type", "kind", "category"),
          "One of: " + ", ".join(ORG_TYPES.values()) + "."),
    Field("hq", "Headquarters", False, ("headquarters", "hq", "hq country", "country", "based in", "head office"),
          "The country of the headquarters, by name or ISO code."),
    Field("website", "Website", False, ("website", "web", "url", "site", "homepage"), "https://..."),
    Field("description", "Description", False, ("description", "about", "notes", "summary"), "One or two sentences."),
    Field("collaboratives", "Collaboratives", False, ("collaboratives", "collaborative", "member of", "membership",
                                                      "memberships"), "gender, LNOB or both, separated by ';'."),
    Field("joined_gender", "Joined the gender collaborative", False, ("joined gender", "joined_gender", "gender joined"),
          "YYYY-MM-DD; optional."),
    Field("joined_lnob", "Joined the LNOB collaborative", False, ("joined lnob", "joined_lnob", "lnob joined"),
          "YYYY-MM-DD; optional."),
    Field("task_teams", "Task teams", False, ("task teams", "task team", "teams"),
          "Inclusive Data Charter, citizen-generated data; separated by ';'."),
)
TEMPLATE_COLUMNS = list(FIELDS)
_COLLAB_WORDS = {"gender": "gender", "gender data collaborative": "gender", "gender collaborative": "gender",
                 "lnob": "lnob", "leave no one behind": "lnob", "leave no one behind data collaborative": "lnob",
                 "lnob data collaborative": "lnob", "both": "both"}


def partner_id_for(name: str, acronym: str, taken: set[str]) -> str:
    """A stable id from the acronym (else the name): lower case, a-z 0-9 and _, unique."""
    base = re.sub(r"[^a-z0-9]+", "_", norm(acronym or name)).strip("_")[:40] or "partner"
    pid, n = base, 2
    while pid in taken:
        pid, n = f"{base}_{n}", n + 1
    return pid


@dataclass
class Context:
    names: dict[str, str]          # normalised name or acronym -> partner_id
    ids: set[str]
    collaboratives: set[str]
    teams: dict[str, str]          # normalised team name or id -> team_id
    team_collab: dict[str, str]
    today: date

    @classmethod
    def load(cls, db: Database, today: date) -> Context:
        names, ids = {}, set()
        for pid, name, acronym in db.rows("SELECT partner_id, name, acronym FROM partners"):
            ids.add(pid)
            for key in (name, acronym):
                if key:
                    names[norm(key)] = pid
        teams, team_collab = {}, {}
        for tid, collab, name in db.rows("SELECT team_id, collab_id, name FROM task_teams"):
            team_collab[tid] = collab
            for key in (tid, name, re.sub(r"\s*task team$", "", name, flags=re.I)):
                teams[norm(key)] = tid
        return cls(names, ids, {c for (c,) in db.rows("SELECT collab_id FROM collaboratives")}, teams, team_collab,
                   today)


def preview_frame(plan: Plan) -> pd.DataFrame:
    """The partners that will be registered, with readable labels."""
    return pd.DataFrame([{
        "Row": r["row"], "Name": r["name"], "Acronym": r["acronym"] or "—",
        "Type": ORG_TYPES[r["org_type"]], "Headquarters": countries.name_of(r["hq_iso3"]) if r["hq_iso3"] else "—",
        "Collaboratives": ", ".join(("Gender" if c == "gender" else "LNOB")
                                    + (f" (joined {clock.short_date(d)})" if d else "")
                                    for c, d in r["memberships"]) or "—",
        "Task teams": ", ".join(r["task_teams"]) or "—",
        "Id": r["partner_id"], "Warnings": "; ".join(r["flags"]) or "—",
    } for r in plan.records], columns=["Row", "Name", "Acronym", "Type", "Headquarters", "Collaboratives",
                                       "Task teams", "Id", "Warnings"])


def _checker(ctx: Context):
    """The row check of a partner, with the names seen so far in the file."""
    seen: dict[str, int | None] = {}
    taken = set(ctx.ids)
    lo, hi = clock.date_window(ctx.today)

    def check(v: dict[str, str], rc: RowCheck) -> dict | None:
        if not v["name"]:
            rc.err("name", "", "The name is empty.", "Write the organisation's full name.")
        for f in ("name", "acronym"):
            key = norm(v[f])
            if not key:
                continue
            if key in ctx.names:
                rc.err(f, v[f], f"A partner called {v[f]!r} is already registered.",
                    "Leave it out of the file (it is there already), or correct the name.")
            elif key in seen:
                rc.err(f, v[f], f"{v[f]!r} appears twice in this file" + (f" (also row {seen[key]})" if seen[key] else "")
                    + ".", "Keep one row per partner.")
            else:
                seen[key] = rc.row
        org = _ORG_SYNONYMS.get(norm(v["org_type"]))
        if org is None:
            rc.err("org_type", v["org_type"], "The type is empty." if not v["org_type"] else
                f"Unknown organisation type {v['org_type']!r}.", "Use one of: " + ", ".join(ORG_TYPES.values()) + ".")
        hq = None
        if v["hq"]:
            match = countries.resolve(v["hq"])
            if match.kind == "country":
                hq = match.iso3
                if match.score < 1:
                    rc.warn("hq", v["hq"], f"Headquarters {v['hq']!r} read as {countries.name_of(hq)}.",
                         "Check it, or write the country's name or ISO code.")
            else:
                sugg = ", ".join(countries.name_of(s) for s in match.suggestions[:3])
                rc.err("hq", v["hq"], f"Unknown country {v['hq']!r}" + (f"; did you mean {sugg}?" if sugg else "."),
                    "Write the country's name or its ISO code (e.g. KEN), or leave it empty.")
        website = v["website"]
        if website and not re.match(r"^https?://[^\s/$.?#].[^\s]*$", website, re.I):
            if re.match(r"^[\w-]+(\.[\w-]+)+(/\S*)?$", website):
                rc.warn("website", website, f"Website {website!r} read as https://{website}.", "Write the full address.")
                website = "https://" + website
            else:
                rc.err("website", website, f"{website!r} is not a web address.", "Write it as https://example.org.")
        memberships: list[tuple[str, date | None]] = []
        for word in filter(None, (w.strip() for w in re.split(r"[;,|/]| and ", v["collaboratives"]))):
            c = _COLLAB_WORDS.get(norm(word))
            if c is None or (c != "both" and c not in ctx.collaboratives):
                rc.err("collaboratives", word, f"Unknown collaborative {word!r}.", "Write gender, LNOB or both.")
                continue
            for cid in (("gender", "lnob") if c == "both" else (c,)):
                if cid not in [m for m, _ in memberships]:
                    memberships.append((cid, None))
        for cid in ("gender", "lnob"):
            raw = v[f"joined_{cid}"]
            if not raw:
                continue
            got = parse_date(raw)
            if got.value is None:
                rc.err(f"joined_{cid}", raw, f"Invalid date: {got.problem}.", "Write it as YYYY-MM-DD.")
            elif not lo <= got.value <= hi:
                rc.err(f"joined_{cid}", raw, f"The date {got.value.isoformat()} is outside the dates the dashboard "
                    f"accepts ({clock.window_text(ctx.today)}).", "Correct the year.")
            elif cid not in [m for m, _ in memberships]:
                memberships.append((cid, got.value))
                rc.warn(f"joined_{cid}", raw, f"A joining date for the {cid} collaborative makes the partner a member.",
                     "Name the collaborative under Collaboratives too.")
            else:
                memberships = [(m, got.value if m == cid else d) for m, d in memberships]
        teams = []
        for word in filter(None, (w.strip() for w in re.split(r"[;|]", v["task_teams"]))):
            tid = ctx.teams.get(norm(word)) or ctx.teams.get(norm(re.sub(r"\s*task team$", "", word, flags=re.I)))
            if tid is None:
                rc.err("task_teams", word, f"Unknown task team {word!r}.",
                    "Use one of: " + ", ".join(sorted(set(ctx.teams.values()))) + ".")
            else:
                teams.append(tid)
                if ctx.team_collab[tid] not in [m for m, _ in memberships]:
                    memberships.append((ctx.team_collab[tid], None))
                    rc.warn("task_teams", word, f"Task team {word!r} belongs to the {ctx.team_collab[tid]} collaborative: "
                         "the partner is recorded as its member too.", "Name the collaborative too.")
        if rc.errors:
            return None
        pid = partner_id_for(v["name"], v["acronym"], taken)
        taken.add(pid)
        return {"partner_id": pid, "name": v["name"], "acronym": v["acronym"] or None,
                             "org_type": org, "hq_iso3": hq, "website": website or None,
                             "description": v["description"] or None, "memberships": memberships,
                             "task_teams": list(dict.fromkeys(teams))}

    return check


def validate_form(db: Database, values: dict[str, str], *, today: date) -> Plan:
    """One partner typed into the form ({field: text}). Writes nothing."""
    plan = Plan(source="form", noun="partners", rows_read=1)
    check_rows(plan, FIELDS, [(None, values, {})], _checker(Context.load(db, today)))
    return plan


def validate_file(data: bytes, filename: str, db: Database, *, today: date, max_bytes: int | None = None) -> Plan:
    """A partners file (CSV, TSV or xlsx). Writes nothing."""
    plan, rows = read_rows(data, filename, FIELDS, "partners", max_bytes=max_bytes)
    if rows:
        check_rows(plan, FIELDS, rows, _checker(Context.load(db, today)))
    return plan


def register(db: Database, plan: Plan, *, editor: str, kind: str = "edit") -> int:
    """Write every partner of the plan in one batch (with its memberships and task teams);
    returns the batch id. Raises WriteRejected (nothing written) when the plan has critical
    findings or no partner, or when a partner was registered meanwhile."""
    if plan.critical:
        raise WriteRejected("the file has critical problems: nothing can be registered")
    if not plan.records:
        raise WriteRejected("no valid partner to register")
    names = ", ".join(r["name"] for r in plan.records[:3]) + (" …" if len(plan.records) > 3 else "")
    with db.write(kind=kind, source=f"Partners registered: {names}" if plan.source == "form" else plan.source,
                  sha256=plan.sha256, rows_read=plan.rows_read, editor=editor) as batch:
        batch.insert("partners", pd.DataFrame([{k: r[k] for k in ("partner_id", "name", "acronym", "org_type", "hq_iso3",
                                                                  "website", "description")} | {"is_sample": False}
                                               for r in plan.records]))
        batch.insert("partner_memberships", pd.DataFrame(
            [{"partner_id": r["partner_id"], "collab_id": c, "joined_date": d, "is_sample": False}
             for r in plan.records for c, d in r["memberships"]],
            columns=["partner_id", "collab_id", "joined_date", "is_sample"]))
        batch.insert("task_team_members", pd.DataFrame(
            [{"team_id": t, "partner_id": r["partner_id"], "is_sample": False} for r in plan.records
             for t in r["task_teams"]], columns=["team_id", "partner_id", "is_sample"]))
        batch.rows_imported = len(plan.records)
        return batch.batch_id


def template_csv(example: bool = False) -> bytes:
    """The partners template (header only), or a filled example."""
    return template(FIELDS, [
        ["Open Data Watch", "ODW", "NGO", "United States", "https://opendatawatch.com",
         "Monitors the coverage and openness of official statistics.", "gender; LNOB", "2022-03-15", "2023-09-12",
         "Citizen-generated data"],
        ["Partnership in Statistics for Development in the 21st Century", "PARIS21", "Multilateral", "France",
         "https://www.paris21.org", "", "gender", "2022-03-15", "", ""],
    ] if example else None)
