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

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from collab_data import clock, countries
from collab_data.db import Database, WriteRejected
from collab_data.ingest.activities import CRITICAL, ERROR, TIERS, WARNING, Finding, norm
from collab_data.ingest.dates import parse_date
from collab_data.ingest.reader import FileRejected, read_table

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

#: Columns of a partners file: field -> (label, required, synonyms, help).
FIELDS: dict[str, tuple[str, bool, tuple[str, ...], str]] = {
    "name": ("Name", True, ("name", "organisation", "organization", "partner", "partner name", "org", "full name"),
             "The organisation's full name, e.g. 'Open Data Watch'."),
    "acronym": ("Acronym", False, ("acronym", "abbreviation", "short name", "short"), "e.g. 'ODW'; optional."),
    "org_type": ("Type", True, ("type", "org type", "organisation type", "organization type", "kind", "category"),
                 "One of: " + ", ".join(ORG_TYPES.values()) + "."),
    "hq": ("Headquarters", False, ("headquarters", "hq", "hq country", "country", "based in", "head office"),
           "The country of the headquarters, by name or ISO code."),
    "website": ("Website", False, ("website", "web", "url", "site", "homepage"), "https://..."),
    "description": ("Description", False, ("description", "about", "notes", "summary"), "One or two sentences."),
    "collaboratives": ("Collaboratives", False, ("collaboratives", "collaborative", "member of", "membership",
                                                 "memberships"),
                       "gender, LNOB or both, separated by ';'."),
    "joined_gender": ("Joined the gender collaborative", False, ("joined gender", "joined_gender", "gender joined"),
                      "YYYY-MM-DD; optional."),
    "joined_lnob": ("Joined the LNOB collaborative", False, ("joined lnob", "joined_lnob", "lnob joined"),
                    "YYYY-MM-DD; optional."),
    "task_teams": ("Task teams", False, ("task teams", "task team", "teams"),
                   "Inclusive Data Charter, citizen-generated data; separated by ';'."),
}
REQUIRED = [f for f, spec in FIELDS.items() if spec[1]]
TEMPLATE_COLUMNS = list(FIELDS)
_KNOWN = {norm(s) for f, spec in FIELDS.items() for s in (f, spec[0], *spec[2])}
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


@dataclass
class Plan:
    """Validated partners: what would be written, and every finding. Nothing is written yet."""

    source: str
    sha256: str | None = None
    findings: list[Finding] = field(default_factory=list)
    records: list[dict] = field(default_factory=list)
    rows_read: int = 0
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def critical(self) -> bool:
        return any(f.tier == CRITICAL for f in self.findings)

    def counts(self) -> dict[str, int]:
        out = {t: sum(f.tier == t for f in self.findings) for t in TIERS}
        out["rows read"] = self.rows_read
        out["partners to register"] = 0 if self.critical else len(self.records)
        out["rows not registered"] = len({f.row for f in self.findings if f.tier == ERROR})
        return out

    def findings_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame([f.as_dict() for f in self.findings],
                             columns=["tier", "row", "column", "value", "message", "fix"])
        frame["row"] = frame["row"].astype("Int64")
        return frame

    def preview_frame(self) -> pd.DataFrame:
        """The partners that will be registered, with readable labels."""
        return pd.DataFrame([{
            "Row": r["row"], "Name": r["name"], "Acronym": r["acronym"] or "—",
            "Type": ORG_TYPES[r["org_type"]], "Headquarters": countries.name_of(r["hq_iso3"]) if r["hq_iso3"] else "—",
            "Collaboratives": ", ".join(f"{'Gender' if c == 'gender' else 'LNOB'}"
                                        + (f" (joined {clock.short_date(d)})" if d else "")
                                        for c, d in r["memberships"]) or "—",
            "Task teams": ", ".join(r["task_teams"]) or "—",
            "Id": r["partner_id"], "Warnings": "; ".join(r["flags"]) or "—",
        } for r in self.records], columns=["Row", "Name", "Acronym", "Type", "Headquarters", "Collaboratives",
                                           "Task teams", "Id", "Warnings"])


def _validate(plan: Plan, ctx: Context, rows: list[tuple[int | None, dict[str, str], dict[str, str]]]) -> None:
    """``rows``: (row number, {field: text}, {field: the user's column name})."""
    seen: dict[str, int | None] = {}
    taken = set(ctx.ids)
    lo, hi = clock.date_window(ctx.today)
    for rn, values, columns in rows:
        flags: list[str] = []
        errors = [0]

        def err(f: str, value, message: str, fix: str, rn=rn, columns=columns, errors=errors) -> None:
            plan.findings.append(Finding(ERROR, rn, columns.get(f, FIELDS[f][0]), value, message, fix))
            errors[0] += 1

        def warn(f: str, value, message: str, fix: str, rn=rn, columns=columns, flags=flags) -> None:
            plan.findings.append(Finding(WARNING, rn, columns.get(f, FIELDS[f][0]), value, message, fix))
            flags.append(message)

        v = {f: " ".join(str(values.get(f) or "").split()) for f in FIELDS}
        if not v["name"]:
            err("name", "", "The name is empty.", "Write the organisation's full name.")
        for f in ("name", "acronym"):
            key = norm(v[f])
            if not key:
                continue
            if key in ctx.names:
                err(f, v[f], f"A partner called {v[f]!r} is already registered.",
                    "Leave it out of the file (it is there already), or correct the name.")
            elif key in seen:
                err(f, v[f], f"{v[f]!r} appears twice in this file" + (f" (also row {seen[key]})" if seen[key] else "")
                    + ".", "Keep one row per partner.")
            else:
                seen[key] = rn
        org = _ORG_SYNONYMS.get(norm(v["org_type"]))
        if org is None:
            err("org_type", v["org_type"], "The type is empty." if not v["org_type"] else
                f"Unknown organisation type {v['org_type']!r}.", "Use one of: " + ", ".join(ORG_TYPES.values()) + ".")
        hq = None
        if v["hq"]:
            match = countries.resolve(v["hq"])
            if match.kind == "country":
                hq = match.iso3
                if match.score < 1:
                    warn("hq", v["hq"], f"Headquarters {v['hq']!r} read as {countries.name_of(hq)}.",
                         "Check it, or write the country's name or ISO code.")
            else:
                sugg = ", ".join(countries.name_of(s) for s in match.suggestions[:3])
                err("hq", v["hq"], f"Unknown country {v['hq']!r}" + (f"; did you mean {sugg}?" if sugg else "."),
                    "Write the country's name or its ISO code (e.g. KEN), or leave it empty.")
        website = v["website"]
        if website and not re.match(r"^https?://[^\s/$.?#].[^\s]*$", website, re.I):
            if re.match(r"^[\w-]+(\.[\w-]+)+(/\S*)?$", website):
                warn("website", website, f"Website {website!r} read as https://{website}.", "Write the full address.")
                website = "https://" + website
            else:
                err("website", website, f"{website!r} is not a web address.", "Write it as https://example.org.")
        memberships: list[tuple[str, date | None]] = []
        for word in filter(None, (w.strip() for w in re.split(r"[;,|/]| and ", v["collaboratives"]))):
            c = _COLLAB_WORDS.get(norm(word))
            if c is None or (c != "both" and c not in ctx.collaboratives):
                err("collaboratives", word, f"Unknown collaborative {word!r}.", "Write gender, LNOB or both.")
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
                err(f"joined_{cid}", raw, f"Invalid date: {got.problem}.", "Write it as YYYY-MM-DD.")
            elif not lo <= got.value <= hi:
                err(f"joined_{cid}", raw, f"The date {got.value.isoformat()} is outside the dates the dashboard "
                    f"accepts ({clock.window_text(ctx.today)}).", "Correct the year.")
            elif cid not in [m for m, _ in memberships]:
                memberships.append((cid, got.value))
                warn(f"joined_{cid}", raw, f"A joining date for the {cid} collaborative makes the partner a member.",
                     "Name the collaborative under Collaboratives too.")
            else:
                memberships = [(m, got.value if m == cid else d) for m, d in memberships]
        teams = []
        for word in filter(None, (w.strip() for w in re.split(r"[;|]", v["task_teams"]))):
            tid = ctx.teams.get(norm(word)) or ctx.teams.get(norm(re.sub(r"\s*task team$", "", word, flags=re.I)))
            if tid is None:
                err("task_teams", word, f"Unknown task team {word!r}.",
                    "Use one of: " + ", ".join(sorted(set(ctx.teams.values()))) + ".")
            else:
                teams.append(tid)
                if ctx.team_collab[tid] not in [m for m, _ in memberships]:
                    memberships.append((ctx.team_collab[tid], None))
                    warn("task_teams", word, f"Task team {word!r} belongs to the {ctx.team_collab[tid]} collaborative: "
                         "the partner is recorded as its member too.", "Name the collaborative too.")
        if errors[0]:
            continue
        pid = partner_id_for(v["name"], v["acronym"], taken)
        taken.add(pid)
        plan.records.append({"row": rn, "partner_id": pid, "name": v["name"], "acronym": v["acronym"] or None,
                             "org_type": org, "hq_iso3": hq, "website": website or None,
                             "description": v["description"] or None, "memberships": memberships,
                             "task_teams": list(dict.fromkeys(teams)), "flags": flags})


def validate_form(db: Database, values: dict[str, str], *, today: date) -> Plan:
    """One partner typed into the form ({field: text}). Writes nothing."""
    plan = Plan(source="form", rows_read=1)
    _validate(plan, Context.load(db, today), [(None, values, {})])
    return plan


def suggest_mapping(columns: list[str]) -> dict[str, str]:
    """Our field -> the file's column, by name and synonyms."""
    by_norm = {norm(c): c for c in columns}
    mapping, used = {}, set()
    for f, (label, _req, syns, _help) in FIELDS.items():
        for s in (f, label, *syns):
            col = by_norm.get(norm(s))
            if col and col not in used:
                mapping[f] = col
                used.add(col)
                break
    return mapping


def validate_file(data: bytes, filename: str, db: Database, *, today: date, max_bytes: int | None = None) -> Plan:
    """A partners file (CSV, TSV or xlsx). Writes nothing."""
    plan = Plan(source=filename, sha256=hashlib.sha256(data).hexdigest())
    try:
        table = read_table(data, filename, known_names=_KNOWN, **({"max_bytes": max_bytes} if max_bytes else {}))
    except FileRejected as exc:
        plan.findings.append(Finding(CRITICAL, None, None, None, exc.message, exc.fix))
        return plan
    plan.rows_read = len(table)
    mapping = suggest_mapping(table.columns)
    missing = [f for f in REQUIRED if f not in mapping]
    for f in missing:
        plan.findings.append(Finding(CRITICAL, table.header_row, None, None,
                                     f"No column for the required field '{FIELDS[f][0]}'. The file's columns are: "
                                     f"{', '.join(table.columns)}.",
                                     f"Add a column named '{f}' ({FIELDS[f][3]})."))
    if missing:
        return plan
    if not table.rows:
        plan.findings.append(Finding(CRITICAL, table.header_row, None, None, "The file has a header row but no data rows.",
                                     "Add one row per partner below the header."))
        return plan
    plan.ignored_columns = [c for c in table.columns if c not in mapping.values() and c.strip()]
    for c in plan.ignored_columns:
        plan.findings.append(Finding(WARNING, table.header_row, c, None,
                                     f"The column {c!r} is not used: its values are not registered.",
                                     "Rename it to one of: " + ", ".join(FIELDS) + ", if it holds one of those."))
    for note in table.notes:
        plan.findings.append(Finding(WARNING, None, None, None, note, "Check that the right rows were read."))
    idx = {f: table.columns.index(c) for f, c in mapping.items()}
    rows = [(rn, {f: row[i] for f, i in idx.items()}, mapping) for row, rn in zip(table.rows, table.row_numbers)]
    _validate(plan, Context.load(db, today), rows)
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
    import csv
    import io

    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(TEMPLATE_COLUMNS)
    if example:
        w.writerows([
            ["Open Data Watch", "ODW", "NGO", "United States", "https://opendatawatch.com",
             "Monitors the coverage and openness of official statistics.", "gender; LNOB", "2022-03-15", "2023-09-12",
             "Citizen-generated data"],
            ["Partnership in Statistics for Development in the 21st Century", "PARIS21", "Multilateral", "France",
             "https://www.paris21.org", "", "gender", "2022-03-15", "", ""],
        ])
    return out.getvalue().encode("utf-8")
