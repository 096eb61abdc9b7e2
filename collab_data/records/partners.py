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

import json
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
    Field("left_gender", "Left the gender collaborative", False, ("left gender", "left_gender", "gender left"),
          "YYYY-MM-DD; only for a partner that has left."),
    Field("left_lnob", "Left the LNOB collaborative", False, ("left lnob", "left_lnob", "lnob left"),
          "YYYY-MM-DD; only for a partner that has left."),
    Field("iati_org_id", "IATI organisation identifier", False,
          ("iati org id", "iati organisation identifier", "iati organization identifier", "iati id", "iati identifier",
           "organisation identifier", "organization identifier", "org id", "iati ref", "ref"),
          "e.g. XM-DAC-41304 (UN Women), as the partner publishes it to IATI; optional."),
    Field("idc_champion", "Inclusive Data Charter champion", False,
          ("idc champion", "inclusive data charter champion", "champion", "idc", "charter champion"),
          "yes or no (empty: no)."),
)
_YES = {"yes", "y", "true", "1", "x", "champion", "oui", "si", "sí"}
_NO = {"", "no", "n", "false", "0", "non"}
#: IATI organisation identifiers: an agency prefix (XM-DAC, GB-CHC, US-EIN ...) then the code.
_IATI_ORG = re.compile(r"^[A-Z]{2}(-[A-Za-z0-9]+)+$")
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
    iati_ids: dict[str, str] = None   # upper-case IATI organisation identifier -> partner_id

    @classmethod
    def load(cls, db: Database, today: date, *, editing: str | None = None) -> Context:
        """What a partner is checked against; ``editing``: the partner being edited, whose own
        name, acronym and identifier are not duplicates of itself."""
        names, ids, iati = {}, set(), {}
        for pid, name, acronym, org in db.rows("SELECT partner_id, name, acronym, iati_org_id FROM partners"):
            ids.add(pid)
            if pid == editing:
                continue
            for key in (name, acronym):
                if key:
                    names[norm(key)] = pid
            if org:
                iati[org.upper()] = pid
        teams, team_collab = {}, {}
        for tid, collab, name in db.rows("SELECT team_id, collab_id, name FROM task_teams"):
            team_collab[tid] = collab
            for key in (tid, name, re.sub(r"\s*task team$", "", name, flags=re.I)):
                teams[norm(key)] = tid
        return cls(names, ids, {c for (c,) in db.rows("SELECT collab_id FROM collaboratives")}, teams, team_collab,
                   today, iati)


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
        left: dict[str, date] = {}
        for cid in ("gender", "lnob"):
            raw = v[f"left_{cid}"]
            if not raw:
                continue
            got = parse_date(raw)
            joined = dict(memberships).get(cid)
            if got.value is None:
                rc.err(f"left_{cid}", raw, f"Invalid date: {got.problem}.", "Write it as YYYY-MM-DD.")
            elif not lo <= got.value <= hi:
                rc.err(f"left_{cid}", raw, f"The date {got.value.isoformat()} is outside the dates the dashboard "
                       f"accepts ({clock.window_text(ctx.today)}).", "Correct the year.")
            elif cid not in [m for m, _ in memberships]:
                rc.err(f"left_{cid}", raw, f"A date of leaving the {cid} collaborative, but the partner is not "
                       "named as its member.", "Name the collaborative under Collaboratives, or clear the date.")
            elif joined is not None and got.value < joined:
                rc.err(f"left_{cid}", raw, f"The partner leaves ({got.value.isoformat()}) before it joined "
                       f"({joined.isoformat()}).", "Correct one of the two dates.")
            else:
                left[cid] = got.value
        iati_id = v["iati_org_id"].strip()
        if iati_id:
            if iati_id.upper() in ctx.iati_ids:
                rc.err("iati_org_id", iati_id, f"The IATI identifier {iati_id!r} is already recorded for partner "
                       f"'{ctx.iati_ids[iati_id.upper()]}'.", "Each organisation has its own identifier: correct it.")
            elif not _IATI_ORG.match(iati_id):
                rc.warn("iati_org_id", iati_id, f"{iati_id!r} does not look like an IATI organisation identifier "
                        "(an agency prefix such as XM-DAC- or GB-CHC- and a code).",
                        "Copy it from the partner's IATI publisher page.")
        champion = norm(v["idc_champion"])
        if champion not in _YES and champion not in _NO:
            rc.err("idc_champion", v["idc_champion"], f"{v['idc_champion']!r} is not yes or no.",
                   "Write yes for an Inclusive Data Charter champion, no (or nothing) otherwise.")
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
                             "left": left, "iati_org_id": iati_id or None, "idc_champion": champion in _YES,
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


PARTNER_COLUMNS = ("partner_id", "name", "acronym", "org_type", "hq_iso3", "website", "description", "iati_org_id",
                   "idc_champion")


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
                  sha256=plan.sha256, rows_read=plan.rows_read, editor=editor, note=_note(editor)) as batch:
        batch.insert("partners", pd.DataFrame([{k: r[k] for k in PARTNER_COLUMNS} | {"is_sample": False}
                                               for r in plan.records]))
        batch.insert("partner_memberships", pd.DataFrame(
            [{"partner_id": r["partner_id"], "collab_id": c, "joined_date": d, "left_date": r["left"].get(c),
              "is_sample": False} for r in plan.records for c, d in r["memberships"]],
            columns=["partner_id", "collab_id", "joined_date", "left_date", "is_sample"]))
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


# --------------------------------------------------------------------------------------
# Editing and retiring a registered partner
# --------------------------------------------------------------------------------------
def form_values(db: Database, partner_id: str) -> dict[str, str] | None:
    """The partner's stored values as the form's text fields (what ``validate_edit`` reads)."""
    from collab_data.queries.records import partner_record

    rec = partner_record(db, partner_id)
    if rec is None:
        return None
    members = {c: (j, left) for c, j, left in rec["memberships"]}

    def iso(d) -> str:
        return d.isoformat() if d else ""
    return {"name": rec["name"], "acronym": rec["acronym"] or "", "org_type": rec["org_type"],
            "hq": countries.name_of(rec["hq_iso3"]) if rec["hq_iso3"] else "", "website": rec["website"] or "", "description": rec["description"] or "",
            "collaboratives": "; ".join(members), "task_teams": "; ".join(t for t, _, left in rec["teams"] if left is None),
            "joined_gender": iso(members.get("gender", (None, None))[0]),
            "joined_lnob": iso(members.get("lnob", (None, None))[0]),
            "left_gender": iso(members.get("gender", (None, None))[1]),
            "left_lnob": iso(members.get("lnob", (None, None))[1]),
            "iati_org_id": rec["iati_org_id"] or "", "idc_champion": "yes" if rec["idc_champion"] else "no"}


def validate_edit(db: Database, partner_id: str, values: dict[str, str], *, today: date) -> Plan:
    """The edited partner ({field: text}), checked by the rules of registration (its own name,
    acronym and IATI identifier are not duplicates of itself). Writes nothing."""
    if partner_id not in {p for (p,) in db.rows("SELECT partner_id FROM partners")}:
        raise WriteRejected(f"there is no partner {partner_id!r}")
    plan = Plan(source="form", noun="partners", rows_read=1)
    check_rows(plan, FIELDS, [(None, values, {})], _checker(Context.load(db, today, editing=partner_id)))
    for r in plan.records:
        r["partner_id"] = partner_id
    return plan


def _note(editor: str) -> str:
    return json.dumps({"partner": None, "records": "partners", "editor": editor})


def save_edit(db: Database, plan: Plan, *, editor: str, today: date) -> int:
    """Write an edited partner in one 'edit' batch: each changed column old -> new in the
    history, memberships added, changed or removed, task teams joined (today) or left
    (today). Raises WriteRejected (nothing written) when nothing changed or the name was
    taken meanwhile. Returns the batch id."""
    if plan.critical or len(plan.records) != 1:
        raise WriteRejected("the partner has problems to fix first")
    r = plan.records[0]
    pid = r["partner_id"]
    with db.write(kind="edit", source=f"Partner edited: {r['name']}", editor=editor, note=_note(editor)) as b:
        clash = b.execute("SELECT name FROM partners WHERE partner_id <> ? AND (lower(name) = lower(?) OR "
                          "lower(acronym) = lower(?))", [pid, r["name"], r["acronym"] or r["name"]])
        if clash:
            raise WriteRejected(f"another partner is already called {clash[0][0]!r}")
        b.update("partners", {"partner_id": pid}, {c: r[c] for c in PARTNER_COLUMNS if c != "partner_id"})
        current = {c: (j, left) for c, j, left in b.execute(
            "SELECT collab_id, joined_date, left_date FROM partner_memberships WHERE partner_id = ?", [pid])}
        wanted = dict(r["memberships"])
        for cid, joined in wanted.items():
            if cid in current:
                b.update("partner_memberships", {"partner_id": pid, "collab_id": cid},
                         {"joined_date": joined, "left_date": r["left"].get(cid)})
            else:
                b.add("partner_memberships", {"partner_id": pid, "collab_id": cid, "joined_date": joined,
                                              "left_date": r["left"].get(cid), "is_sample": False})
        for cid in set(current) - set(wanted):
            b.remove("partner_memberships", {"partner_id": pid, "collab_id": cid})
        teams = {t: left for t, left in b.execute(
            "SELECT team_id, left_date FROM task_team_members WHERE partner_id = ?", [pid])}
        for t in r["task_teams"]:
            if t not in teams:
                b.add("task_team_members", {"team_id": t, "partner_id": pid, "joined_date": today, "left_date": None,
                                            "is_sample": False})
            elif teams[t] is not None:
                b.update("task_team_members", {"team_id": t, "partner_id": pid}, {"left_date": None})
        for t, left in teams.items():
            if t not in r["task_teams"] and left is None:
                b.update("task_team_members", {"team_id": t, "partner_id": pid}, {"left_date": today})
        if not b.changes:
            raise WriteRejected("nothing was changed")
        b.rows_imported = 1
        return b.batch_id


def retire(db: Database, partner_id: str, left: date, *, editor: str, today: date) -> int:
    """Record that a partner left every collaborative and task team it is still in, on
    ``left``: it then shows as a former partner and no longer counts from that day, while
    its records and what it counted for in earlier periods stay. Returns the batch id."""
    lo, hi = clock.date_window(today)
    if not lo <= left <= hi:
        raise WriteRejected(f"the date {left.isoformat()} is outside the dates the dashboard accepts "
                            f"({clock.window_text(today)})")
    from collab_data.queries.records import partner_record

    rec = partner_record(db, partner_id)
    if rec is None:
        raise WriteRejected(f"there is no partner {partner_id!r}")
    open_ = [(c, j) for c, j, gone in rec["memberships"] if gone is None]
    if not open_:
        raise WriteRejected(f"{rec['name']} is not a current member of any collaborative: there is nothing to leave")
    early = [c for c, j in open_ if j is not None and j > left]
    if early:
        raise WriteRejected(f"{rec['name']} joined the {early[0]} collaborative after {left.isoformat()}: "
                            "choose a later date")
    with db.write(kind="edit", source=f"Partner left: {rec['name']}", editor=editor, note=_note(editor)) as b:
        for c, _ in open_:
            b.update("partner_memberships", {"partner_id": partner_id, "collab_id": c}, {"left_date": left})
        for t, j, gone in rec["teams"]:
            if gone is None:
                b.update("task_team_members", {"team_id": t, "partner_id": partner_id},
                         {"left_date": max(left, j) if j else left})
        b.rows_imported = 1
        return b.batch_id


def template_xlsx(example: bool = False) -> bytes:
    """The partners template as an Excel workbook (the same columns and example, with a Help sheet)."""
    from collab_data.records import base

    return base.template_xlsx(FIELDS, base.csv_rows(template_csv(example)), title="Partners")
