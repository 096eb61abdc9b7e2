"""Activities from a partner's spreadsheet: column mapping, tiered validation, atomic import.

Tiers, as in the IATI validator:

* **critical** — the whole file is refused (unreadable, empty, no header, a required
  column unmapped, over the size limit, already imported);
* **error** — the row is dropped (country or partner unknown, invalid or ambiguous date,
  a date outside 1990-01-01 .. ten years after today (:func:`collab_data.clock.date_window`),
  end before start, unknown activity type, duplicate, outside the editor's partner);
* **warning** — the row is imported with a flag (date in the future or before 2015,
  approximate country or partner match, a cell a spreadsheet would run as a formula ...).

Each finding names the row *in the user's file*, the column, the value, what is wrong
and how to fix it. Nothing is written until :func:`import_activities` is called, and it
writes everything in one transaction or nothing.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from collab_data import clock, countries
from collab_data.db import Database, WriteRejected
from collab_data.ingest.dates import day_order_evidence, parse_date
from collab_data.ingest.reader import FileRejected, Table, read_table
from collab_data.labels import EITHER_COLLABORATIVE, MISSING, person_date, person_datetime

CRITICAL, ERROR, WARNING = "critical", "error", "warning"
TIERS = (CRITICAL, ERROR, WARNING)
EARLIEST_SENSIBLE = date(2015, 1, 1)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    required: bool
    synonyms: tuple[str, ...]
    help: str


FIELDS: dict[str, FieldSpec] = {f.name: f for f in [
    FieldSpec("title", "Title", True,
              ("title", "activity", "activity title", "activity name", "name", "event", "event name", "subject",
               "event title", "title of activity", "title of the activity"),
              "What happened, in a few words."),
    FieldSpec("type", "Type", True,
              ("type", "activity type", "type of activity", "kind", "category", "format", "type of event", "event type",
               "activity category", "modality", "kind of activity"),
              "meeting, knowledge exchange, peer review, tool showcase, training, advocacy or guideline work."),
    FieldSpec("start_date", "Start date", True,
              ("start date", "start", "date", "from", "begin", "date from", "event date", "start_date", "when",
               "date of activity", "activity date", "start of activity", "starting date", "date start",
               "date started", "begins", "date of event", "dates"),
              "YYYY-MM-DD (also dd/mm/yyyy, 5 Mar 2025, or an Excel date), from 1990-01-01 up to "
              f"{clock.YEARS_AHEAD} years after today."),
    FieldSpec("end_date", "End date", False,
              ("end date", "end", "to", "until", "date to", "finish", "end_date", "end of activity", "ending date",
               "date end", "date ended", "ends", "finish date", "completion date", "closing date"),
              f"Optional; not before the start date, and at most {clock.YEARS_AHEAD} years after today."),
    FieldSpec("partners", "Partners", True,
              ("partners", "partner", "org", "orgs", "organisation", "organization", "organisations", "organizations",
               "participating partners", "participants", "agency", "agencies", "lead partner", "partner organisation",
               "partner organization", "who", "partner s", "partner organisations", "partner organizations",
               "participating organisations", "participating organizations", "implementing partners",
               "lead organisation", "lead organization", "lead org", "orgs involved", "members", "member organisations"),
              "Partner names or acronyms; several separated by ';'."),
    FieldSpec("countries", "Countries", False,
              ("countries", "country", "recipient", "recipient country", "recipient countries", "country code",
               "iso3", "location", "where", "target country", "target countries", "country name",
               "programme countries", "program countries", "programme country", "program country", "country ies",
               "countries covered", "focus countries", "focus country", "beneficiary countries", "country iso",
               "iso code", "iso3 code", "countries involved", "country s"),
              "Country names or ISO codes; several separated by ';'."),
    FieldSpec("collaborative", "Collaborative", False,
              ("collaborative", "collaboration", "network", "community", "data collaborative", "collab",
               "collab.", "collaborative name", "collab name", "which collaborative", "collaborative s",
               "data collab"),
              "gender, LNOB, or empty."),
    FieldSpec("tool", "Tool", False, ("tool", "tools", "product", "tool used", "tool name", "tools used", "product used",
                                         "tool product", "product tool", "tool s"),
              "A tool of the catalogue, by name."),
    FieldSpec("outcome", "Outcome", False,
              ("outcome", "outcomes", "result", "results", "follow up", "follow-up", "notes", "comments", "output",
               "outputs", "key outcomes", "follow up actions", "next steps", "remarks", "outcome s", "result s"),
              "What came out of it."),
]}
REQUIRED = [f.name for f in FIELDS.values() if f.required]
TEMPLATE_COLUMNS = ["title", "type", "start_date", "end_date", "partners", "countries", "collaborative", "tool", "outcome"]

TYPE_SYNONYMS = {
    "meeting": "meeting", "plenary": "meeting", "collaborative meeting": "meeting", "task team meeting": "meeting",
    "knowledge exchange": "knowledge_exchange", "knowledge sharing": "knowledge_exchange", "exchange": "knowledge_exchange",
    "webinar": "knowledge_exchange", "learning exchange": "knowledge_exchange", "peer review": "peer_review",
    "review": "peer_review", "peer-review": "peer_review", "tool showcase": "tool_showcase", "showcase": "tool_showcase",
    "demo": "tool_showcase", "tool demo": "tool_showcase", "training": "training", "workshop": "training",
    "capacity building": "training", "course": "training", "advocacy": "advocacy", "side event": "advocacy",
    "guideline": "guideline", "guidelines": "guideline", "guideline work": "guideline", "guidance": "guideline",
}
#: When no synonym matches exactly, a keyword in the cell decides (reported as a warning).
TYPE_KEYWORDS = [
    ("peer review", "peer_review"), ("review", "peer_review"), ("showcase", "tool_showcase"), ("demo", "tool_showcase"),
    ("launch", "advocacy"), ("advocacy", "advocacy"), ("side event", "advocacy"), ("conference", "advocacy"),
    ("panel", "advocacy"), ("training", "training"), ("workshop", "training"), ("course", "training"),
    ("learning", "training"), ("bootcamp", "training"), ("exchange", "knowledge_exchange"),
    ("webinar", "knowledge_exchange"), ("seminar", "knowledge_exchange"), ("sharing", "knowledge_exchange"),
    ("guideline", "guideline"), ("guidance", "guideline"), ("meeting", "meeting"), ("plenary", "meeting"),
]
#: How the collaborative of an activity reads in a preview (empty: not tied to one of them).
COLLAB_LABELS = {"gender": "Gender", "lnob": "LNOB", None: EITHER_COLLABORATIVE}
COLLAB_SYNONYMS = {"gender": "gender", "gender data collaborative": "gender", "gender collaborative": "gender",
                   "lnob": "lnob", "leave no one behind": "lnob", "lnob data collaborative": "lnob",
                   "both": None, "none": None, "-": None}


def norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text).lower().replace("&", " and ")).strip()


KNOWN_COLUMN_NAMES = {norm(s) for f in FIELDS.values() for s in (f.name, f.label, *f.synonyms)}


def title_key(text: str) -> str:
    """The form of a title that two rows must share to be duplicates, in any script:
    Unicode-normalised (NFKC: full-width and other look-alike forms become the plain ones),
    case-folded, punctuation and symbols removed, whitespace collapsed. Letters, digits and
    marks of every script are kept, so different Arabic, Chinese or Russian titles never
    match, while 'ＴＲＡＩＮＩＮＧ' and 'training' do."""
    text = unicodedata.normalize("NFKC", str(text)).casefold().replace("&", " and ")
    text = "".join("" if unicodedata.category(ch) == "Cf" else " " if unicodedata.category(ch)[0] in "PSZC" else ch
                   for ch in text)
    return " ".join(text.split())


@dataclass
class Finding:
    tier: str
    row: int | None          # row number in the user's file (None: the whole file)
    column: str | None       # the user's column name
    value: str | None
    message: str
    fix: str
    #: how many findings this one stands for (more than 1: a summary of findings not listed)
    stands_for: int = field(default=1, compare=False, repr=False)
    #: the rows of the findings a summary stands for
    rows: set | None = field(default=None, compare=False, repr=False)

    def as_dict(self) -> dict:
        return {"tier": self.tier, "row": self.row, "column": self.column, "value": self.value,
                "message": self.message, "fix": self.fix}


#: Findings listed per (tier, column, kind of message); the others are counted in one summary
#: finding, so a file with 100,000 bad rows does not hold (or show) 100,000 findings.
FINDINGS_PER_KIND = 200


def _message_kind(message: str) -> str:
    """A message without its values: 'Unknown partner 'X'.' and 'Unknown partner 'Y'.' are one kind."""
    return re.split(r"['\"\d(]", message or "", maxsplit=1)[0].strip()


class FindingList(list):
    """The findings of a plan: the first :data:`FINDINGS_PER_KIND` of each (tier, column,
    kind of message) are kept, the rest are counted (with their rows) in one summary finding
    per kind. ``Plan.counts()`` still counts every finding and every row."""

    def __init__(self, items: Iterable[Finding] = ()):
        super().__init__()
        self._seen: dict[tuple, int] = {}
        self._summaries: dict[tuple, Finding] = {}
        self.extend(items)

    def append(self, f: Finding) -> None:  # noqa: D102
        if f.rows is not None:  # a summary (copied or unpickled with its list)
            super().append(f)
            return
        kind = _message_kind(f.message)
        key = (f.tier, f.column, kind)
        seen = self.__dict__.setdefault("_seen", {})  # (unpickling appends before it sets the state)
        n = seen[key] = seen.get(key, 0) + 1
        if n <= FINDINGS_PER_KIND:
            super().append(f)
            return
        summaries = self.__dict__.setdefault("_summaries", {})
        summary = summaries.get(key)
        if summary is None:
            summary = Finding(f.tier, None, f.column, None, "", f.fix, stands_for=0, rows=set())
            summary.first, summary.last = f.row, f.row
            summaries[key] = summary
            super().append(summary)
        summary.stands_for += 1
        if f.row is not None:
            summary.rows.add(f.row)
            summary.first = f.row if summary.first is None else min(summary.first, f.row)
            summary.last = f.row if summary.last is None else max(summary.last, f.row)
        where = f" (rows {summary.first}-{summary.last})" if summary.first is not None else ""
        summary.message = (f"{summary.stands_for:,} more finding(s) like the ones above ({kind or f.message[:40]}...)"
                           f"{where} are not listed: only the first {FINDINGS_PER_KIND} of a kind are shown, "
                           "all are counted.")

    def extend(self, items: Iterable[Finding]) -> None:  # noqa: D102
        for f in items:
            self.append(f)

    def __reduce__(self):  # copy and pickle: the same findings and counts
        return (_restore_findings, (list(self), self.__dict__.get("_seen", {}), self.__dict__.get("_summaries", {})))

    def __iadd__(self, items):
        self.extend(items)
        return self


def _restore_findings(items: list, seen: dict, summaries: dict) -> FindingList:
    out = FindingList()
    list.extend(out, items)
    out._seen, out._summaries = dict(seen), dict(summaries)
    return out


def count_findings(findings: Iterable[Finding], error_tier: str = "error") -> tuple[dict[str, int], int]:
    """Findings per tier (a summary counts as the findings it stands for) and the number of
    distinct rows with an error."""
    out = {t: 0 for t in TIERS}
    rows: set = set()
    for f in findings:
        out[f.tier] = out.get(f.tier, 0) + f.stands_for
        if f.tier == error_tier:
            if f.rows is not None:
                rows |= f.rows
            else:
                rows.add(f.row)
    return out, len(rows)


@dataclass(frozen=True)
class Editor:
    """Who is importing: a partner editor (``partner_id``) or an admin (``partner_id`` None)."""

    name: str
    partner_id: str | None

    @property
    def is_admin(self) -> bool:
        return self.partner_id is None


@dataclass
class Plan:
    """A validated upload: what would be written, and every finding. Nothing is written yet."""

    filename: str
    sha256: str
    size_bytes: int
    table: Table | None
    mapping: dict[str, str]
    findings: list[Finding] = field(default_factory=FindingList)
    records: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not isinstance(self.findings, FindingList):
            self.findings = FindingList(self.findings)

    @property
    def critical(self) -> bool:
        return any(f.tier == CRITICAL for f in self.findings)

    #: rows of the file identical to activities already in the database (skipped, not errors)
    already_imported: list[int] = field(default_factory=list)
    #: labels for the preview: {"partner": {id: label}, "type": {...}, "tool": {...}}
    labels: dict = field(default_factory=dict)

    @property
    def rows_read(self) -> int:
        return len(self.table) if self.table else 0

    def counts(self) -> dict[str, int]:
        out, dropped = count_findings(self.findings, ERROR)
        out["rows read"] = self.rows_read
        out["rows to import"] = 0 if self.critical else len(self.records)
        out["rows dropped"] = dropped
        out["rows already imported"] = len(self.already_imported)
        return out

    def findings_frame(self) -> pd.DataFrame:
        cols = ["tier", "row", "column", "value", "message", "fix"]
        frame = pd.DataFrame([f.as_dict() for f in self.findings], columns=cols)
        order = {t: i for i, t in enumerate(TIERS)}
        if not frame.empty:
            frame = frame.assign(_o=frame["tier"].map(order)).sort_values(["_o", "row"], kind="stable").drop(columns="_o")
        frame["row"] = frame["row"].astype("Int64")
        for col in ("column", "value"):  # a finding about the whole file names no column or value
            frame[col] = frame[col].astype(object).where(frame[col].notna(), MISSING)
        return frame.reset_index(drop=True)

    def preview_frame(self) -> pd.DataFrame:
        """The rows that would be written, as a person reads them: names and labels (never
        ids or codes), dates as "21 Sep 2026", "—" for what is empty."""
        cols = ["Row in your file", "Title", "Type", "Start", "End", "Partners", "Countries", "Collaborative", "Tool",
                "Outcome", "Import flags"]
        part, types, tools = (self.labels.get(k, {}) for k in ("partner", "type", "tool"))
        rows = [{
            "Row in your file": r["row"], "Title": r["title"],
            "Type": types.get(r["type_id"]) or r["type_id"].replace("_", " ").capitalize(),
            "Start": person_date(r["start_date"]), "End": person_date(r["end_date"]),
            "Partners": "; ".join(part.get(p, p) for p in r["partner_ids"]) or MISSING,
            "Countries": "; ".join(countries.name_of(c) or c for c in r["iso3s"]) or MISSING,
            "Collaborative": COLLAB_LABELS.get(r["collab_id"], MISSING),
            "Tool": tools.get(r["tool_id"], r["tool_id"]) if r["tool_id"] else MISSING,
            "Outcome": r["outcome"] or MISSING, "Import flags": r["flags"] or MISSING,
        } for r in self.records]
        return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------------------
# Mapping
# --------------------------------------------------------------------------------------
def stated_day_order(headers: list[str]) -> str | None:
    """'dmy' or 'mdy' when a date column's header states its format (dd/mm/yyyy, MM-DD-YY),
    and the headers do not disagree; else None."""
    found = set()
    for h in headers:
        t = str(h).lower()
        if re.search(r"\bdd?\W*mm?\W*(yy|aa|jj)", t) or re.search(r"\bjj\W*mm\W*aa", t):
            found.add("dmy")
        elif re.search(r"\bmm?\W*dd?\W*yy", t):
            found.add("mdy")
    return found.pop() if len(found) == 1 else None


def _bare(column: str) -> str:
    """A column name without what it says about the format: "End (dd/mm/yyyy)" -> "end"."""
    return norm(re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", str(column)))


def unmatched_columns(table, mapping: dict[str, str]) -> list[Finding]:
    """A warning for every column that holds values but is matched to no field: its name, a
    sample of its values, and the field it most likely is (never dropped without a word)."""
    used = set(mapping.values())
    free = [f for f in FIELDS if f not in mapping]
    out = []
    for i, col in enumerate(table.columns):
        if col in used or not str(col).strip():
            continue
        values = list(dict.fromkeys(v.strip() for v in (r[i] if i < len(r) else "" for r in table.rows) if v.strip()))
        if not values:
            continue
        sample = ", ".join(repr(v[:40]) for v in values[:3]) + (" …" if len(values) > 3 else "")
        guess = _closest_field(col, free)
        fix = (f"Match it to '{FIELDS[guess].label}' in step 3 if that is what it holds; otherwise leave it."
               if guess else "Match it to one of the fields in step 3 if it holds one; otherwise leave it.")
        out.append(Finding(WARNING, table.header_row, col, sample,
                           f"The column {col!r} is not matched to any field, so its values ({sample}) are not "
                           "imported.", fix))
    return out


def _closest_field(column: str, fields: list[str]) -> str | None:
    import difflib

    bare = _bare(column)
    best, score = None, 0.0
    for f in fields:
        spec = FIELDS[f]
        for syn in (spec.name, spec.label, *spec.synonyms):
            r = difflib.SequenceMatcher(None, bare, norm(syn)).ratio()
            if norm(syn) and (bare.startswith(norm(syn)) or norm(syn).startswith(bare)) and len(bare) >= 3:
                r = max(r, 0.8)
            if r > score:
                best, score = f, r
    return best if score >= 0.6 else None


def suggest_mapping(columns: Iterable[str], saved: dict[str, str] | None = None) -> dict[str, str]:
    """Our field -> the file's column. A saved mapping (for this partner) wins where its
    columns exist; then exact names and synonyms; then names that contain a synonym."""
    columns = list(columns)
    by_norm = {norm(c): c for c in columns}
    by_bare = {}  # "End (dd/mm/yyyy)" is the end date: what is in brackets says the format
    for c in columns:
        by_bare.setdefault(_bare(c), c)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for fld, col in (saved or {}).items():
        if fld in FIELDS and col in columns and col not in used:
            mapping[fld] = col
            used.add(col)
    for spec in FIELDS.values():
        if spec.name in mapping:
            continue
        for syn in (spec.name, norm(spec.label), *spec.synonyms):
            col = by_norm.get(norm(syn)) or by_bare.get(norm(syn))
            if col and col not in used:
                mapping[spec.name] = col
                used.add(col)
                break
    for spec in FIELDS.values():
        if spec.name in mapping:
            continue
        for col in columns:
            n = norm(col)
            if col not in used and any(re.search(rf"\b{re.escape(norm(s))}\b", n) for s in spec.synonyms if len(s) > 3):
                mapping[spec.name] = col
                used.add(col)
                break
    return mapping


# --------------------------------------------------------------------------------------
# Reference data the validation needs (read once per upload)
# --------------------------------------------------------------------------------------
@dataclass
class Context:
    partners: dict[str, str]                 # normalised name/acronym/id -> partner_id
    partner_labels: dict[str, str]           # partner_id -> display label
    tools: dict[str, str]                    # normalised name/id -> tool_id
    known_countries: set[str]
    existing_keys: set[tuple]
    imported_files: dict[str, tuple]         # sha256 -> (batch_id, created_at, editor)
    today: date
    type_labels: dict[str, str] = field(default_factory=dict)   # type_id -> label ("Knowledge exchange")
    tool_labels: dict[str, str] = field(default_factory=dict)   # tool_id -> name

    @classmethod
    def load(cls, db: Database, today: date | None = None, *, activities: bool = True) -> Context:
        """What validation looks up, read once. ``activities=False`` leaves out what only an
        activity upload needs (the keys of every recorded activity, the imported files): the
        other record types use the partner, tool and country look-ups alone."""
        partners, labels = {}, {}
        for pid, name, acronym in db.rows("SELECT partner_id, name, acronym FROM partners"):
            labels[pid] = acronym or name
            for key in (pid, name, acronym):
                if key:
                    partners[norm(key)] = pid
        tools = {}
        for tid, name in db.rows("SELECT tool_id, name FROM tools"):
            tools[norm(tid)] = tid
            tools[norm(name)] = tid
            short = re.sub(r"\s*\(.*\)\s*", " ", name).strip()
            tools.setdefault(norm(short), tid)
            paren = re.search(r"\(([^)]+)\)", name)
            if paren:
                tools.setdefault(norm(paren.group(1)), tid)
        keys = set() if not activities else {(t, d, title_key(title), tuple(sorted(p or [])))
                for t, d, title, p in db.rows(
                    "SELECT a.type_id, a.start_date, a.title, list(ap.partner_id) FROM activities a "
                    "LEFT JOIN activity_partners ap USING (activity_id) GROUP BY ALL")}
        files = {} if not activities else {sha: (bid, created, editor) for sha, bid, created, editor in db.rows(
            "SELECT sha256, batch_id, created_at, editor FROM import_batches "
            "WHERE kind = 'upload' AND status = 'imported' AND sha256 IS NOT NULL")}
        tool_labels = dict(db.rows("SELECT tool_id, name FROM tools"))
        type_labels = dict(db.rows("SELECT type_id, label FROM activity_types"))
        return cls(partners, labels, tools, {c for (c,) in db.rows("SELECT iso3 FROM countries")}, keys, files,
                   today or clock.today(), type_labels, tool_labels)

    def resolve_partner(self, text: str) -> tuple[str | None, float, list[str]]:
        key = norm(text)
        if key in self.partners:
            return self.partners[key], 1.0, []
        # "Open Data Watch (ODW)", "The World Bank", "UN-Women", "World Bank Group"
        variants = [re.sub(r"\s*\([^)]*\)\s*", " ", text), *re.findall(r"\(([^)]+)\)", text)]
        variants = [norm(v) for v in variants] + [re.sub(r"^the ", "", key), re.sub(r" group$", "", key)]
        for v in variants:
            if v in self.partners:
                return self.partners[v], 1.0, []
            if v.replace(" ", "") in self.partners:
                return self.partners[v.replace(" ", "")], 1.0, []
        # only names really close: one typo in an acronym ("PARIS2l"), a few in a name ("UN Woman"),
        # a name inside a longer one ("Sightsavers International"); never another acronym of
        # the same length that shares a few letters by chance (UNFPA is not UNICEF)
        scored = sorted(((r, c) for c in self.partners if (r := similarity(key, c)) > 0), reverse=True)
        suggestions = list(dict.fromkeys(self.partners[c] for _, c in scored))[:4]
        if len(suggestions) == 1 and scored[0][0] >= 0.88 and \
                _edits(key.replace(" ", ""), scored[0][1].replace(" ", "")) <= (1 if len(key) <= 6 else 2):
            return suggestions[0], 0.9, []  # a typo; another word ("Animal Rights") is only a suggestion
        return None, 0.0, suggestions


def _edits(a: str, b: str) -> int:
    """Edit distance (insertions, deletions, substitutions, swaps of neighbours)."""
    if abs(len(a) - len(b)) > 3:
        return 4
    prev2, prev = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def similarity(text: str, candidate: str) -> float:
    """How surely ``text`` is a misspelling of ``candidate`` (both normalised); 0 when it is not
    plausibly one. Short names (acronyms) allow one typo; longer ones a few, or a near-identical
    spelling; a name that is a whole-word part of the other (or the other cut short) counts too.
    Cheap tests first: it runs against every registered name for each unknown one."""
    a, b = text.replace(" ", ""), candidate.replace(" ", "")
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    shorter, longer = sorted((text, candidate), key=len)
    contained = (len(shorter) >= 6 and f" {shorter} " in f" {longer} ") or \
        (len(shorter) >= 12 and longer.startswith(shorter))  # "Sightsavers International", "... for Develop"
    short, long_ = sorted((len(a), len(b)))
    if not contained and (long_ - short > 3 if short <= 12 else 2 * short / (short + long_) < 0.8):
        return 0.0  # too different in length to be a typo (the ratio cannot reach the bar)

    def ratio() -> float:
        return max(difflib.SequenceMatcher(None, text, candidate).ratio(), difflib.SequenceMatcher(None, a, b).ratio())

    if not contained and len(set(a) ^ set(b)) > 4:
        return 0.0  # more than a few letters of one are not in the other at all: not a typo
    if short <= 3:  # two or three letters: only the same letters in another order
        typo = sorted(a) == sorted(b)
    elif short <= 6:
        typo = _edits(a, b) <= 1
    elif short <= 12:
        typo = _edits(a, b) <= 2 or ratio() >= 0.85
    else:
        typo = difflib.SequenceMatcher(None, a, b).quick_ratio() >= 0.8 and ratio() >= 0.8
    if typo:
        return ratio()
    return max(min(ratio(), 0.85), 0.75) if contained else 0.0


def _read_type(raw: str) -> tuple[str | None, bool]:
    """(type_id, exact): a known name or synonym, else a keyword in the text, else None."""
    if not raw:
        return None, True
    key = norm(raw).replace("_", " ")
    if key in TYPE_SYNONYMS:
        return TYPE_SYNONYMS[key], True
    for word, type_id in TYPE_KEYWORDS:
        if re.search(rf"\b{word}", key):
            return type_id, False
    return None, True


def _split_cell(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;|\n]", text) if p.strip()]


def _split_partners(text: str) -> list[str]:
    parts = _split_cell(text)
    # "Data2X, PARIS21" in a cell: commas separate partners too (no partner name has one)
    out = []
    for p in parts:
        out += [q.strip() for q in p.split(",") if q.strip()] if "," in p else [p]
    return out


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------
def validate(data: bytes, filename: str, db: Database, *, editor: Editor | None = None,
             mapping: dict[str, str] | None = None, saved_mapping: dict[str, str] | None = None,
             max_bytes: int | None = None, today: date | None = None) -> Plan:
    """Read, map and validate an upload. Writes nothing."""
    sha = hashlib.sha256(data).hexdigest()
    plan = Plan(filename=filename, sha256=sha, size_bytes=len(data), table=None, mapping={})
    try:
        kwargs = {"max_bytes": max_bytes} if max_bytes else {}
        plan.table = read_table(data, filename, known_names=KNOWN_COLUMN_NAMES, **kwargs)
    except FileRejected as exc:
        plan.findings.append(Finding(CRITICAL, exc.row, exc.column, exc.value, exc.message, exc.fix))
        return plan
    ctx = Context.load(db, today)
    plan.labels = {"partner": ctx.partner_labels, "type": ctx.type_labels, "tool": ctx.tool_labels}
    if sha in ctx.imported_files:
        bid, created, who = ctx.imported_files[sha]
        when = person_datetime(created) if created else "earlier"
        plan.findings.append(Finding(
            CRITICAL, None, None, filename,
            f"This exact file was already imported as batch {bid} ({when}, by {who or 'unknown'}).",
            "Nothing new to import. If the earlier import was wrong, undo batch "
            f"{bid} under 'Import history' first, then upload the corrected file."))
        return plan
    table = plan.table
    plan.mapping = mapping if mapping is not None else suggest_mapping(table.columns, saved_mapping)
    bad_cols = [c for c in plan.mapping.values() if c not in table.columns]
    for c in bad_cols:
        plan.findings.append(Finding(CRITICAL, table.header_row, c, c, f"The mapping names a column {c!r} that the file does not have.",
                                     "Choose one of the file's columns for it."))
    missing = [f for f in REQUIRED if f not in plan.mapping]
    for f in missing:
        spec = FIELDS[f]
        plan.findings.append(Finding(
            CRITICAL, table.header_row, None, None,
            f"No column is mapped to the required field '{spec.label}'. The file's columns are: {', '.join(table.columns)}.",
            f"Map one of the file's columns to '{spec.label}' ({spec.help}), or add a column named "
            f"'{spec.name}' to the file."))
    if bad_cols or missing:
        return plan
    if not table.rows:
        plan.findings.append(Finding(CRITICAL, table.header_row, None, None, "The file has a header row but no data rows.",
                                     "Add one row per activity below the header."))
        return plan
    for note in table.notes:
        plan.findings.append(Finding(WARNING, None, None, None, note, "Check that the right rows were read."))
    for rn in table.row_notes:
        plan.findings.append(Finding(rn.tier, rn.row, rn.column, rn.value, rn.message, rn.fix))
    plan.findings.extend(unmatched_columns(table, plan.mapping))
    # a row the reader found an error in (a cell over the limit) is not imported
    _validate_rows(plan, ctx, editor, skip={rn.row for rn in table.row_notes if rn.tier == ERROR})
    if plan.already_imported:
        rows = plan.already_imported
        listed = ", ".join(str(r) for r in rows[:20]) + (f" and {len(rows) - 20:,} more" if len(rows) > 20 else "")
        n = len(rows)
        plan.findings.append(Finding(
            WARNING, None, None, None,
            f"{n:,} row{'s' if n > 1 else ''} already imported, skipped: the same activit{'ies are' if n > 1 else 'y is'} "
            f"already in the database (same title, type, start date and partners) — row{'s' if n > 1 else ''} {listed}.",
            "Nothing to do: a running log can be uploaded again, and only its new rows are imported."))
    return plan


def _validate_rows(plan: Plan, ctx: Context, editor: Editor | None, skip: set | frozenset = frozenset()) -> None:
    table, m = plan.table, plan.mapping
    idx = {f: table.columns.index(c) for f, c in m.items()}
    # day/month order: settled by the unambiguous dates of the whole file, never guessed
    order = day_order_evidence([r[idx[f]] for f in ("start_date", "end_date") if f in idx for r in table.rows])
    if order is None:  # or by what a header says: "End (dd/mm/yyyy)"
        order = stated_day_order([m[f] for f in ("start_date", "end_date") if f in m])
    seen_in_file: dict[tuple, int] = {}
    resolved_partner: dict[str, tuple] = {}
    # real files repeat the same cells thousands of times: read each distinct text once
    dates_seen: dict[str, object] = {}
    types_seen: dict[str, str | None] = {}
    partner_cells: dict[str, list[str]] = {}
    country_cells: dict[str, list] = {}

    def read_date(text: str):
        if text not in dates_seen:
            dates_seen[text] = parse_date(text, order)
        return dates_seen[text]
    row_findings: list[Finding] = []
    add = row_findings.append

    def cell(row: list[str], f: str) -> str:
        return row[idx[f]] if f in idx else ""

    row_errors = [0]  # errors found in the current row

    for row, rn in zip(table.rows, table.row_numbers):
        if rn in skip:
            continue
        try:
            row_errors[0] = 0
            flags: list[str] = []

            def warn(f: str, value: str, message: str, fix: str, rn: int = rn, flags: list = flags) -> None:
                add(Finding(WARNING, rn, m.get(f), value, message, fix))
                flags.append(message)

            def err(f: str, value: str | None, message: str, fix: str, rn: int = rn) -> None:
                add(Finding(ERROR, rn, m.get(f), value, message, fix))
                row_errors[0] += 1

            title = cell(row, "title")
            if not title:
                err("title", "", "The title is empty.", "Write what the activity was, e.g. 'Training on time-use surveys'.")
            raw_type = cell(row, "type")
            if raw_type not in types_seen:
                types_seen[raw_type] = _read_type(raw_type)
            type_id, type_exact = types_seen[raw_type]
            if type_id and not type_exact:
                warn("type", raw_type, f"Activity type {raw_type!r} read as '{type_id.replace('_', ' ')}'.",
                     "Check it, or use one of the listed types.")
            if type_id is None:
                close = difflib.get_close_matches(norm(raw_type), list(TYPE_SYNONYMS), n=2, cutoff=0.6)
                hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
                err("type", raw_type, f"{'The type is empty' if not raw_type else f'Unknown activity type {raw_type!r}'}.{hint}",
                    "Use one of: meeting, knowledge exchange, peer review, tool showcase, training, advocacy, guideline.")

            def day(field: str, raw: str, what: str, fix: str, warn=warn, err=err):
                """A date cell read, or None with the finding that says what is wrong."""
                r = read_date(raw)
                if r.value is None:
                    err(field, raw, f"Invalid {what} date {r.problem}." if r.hint else
                        f"Invalid {what} date: {r.problem}.", r.hint or fix)
                elif r.note:
                    warn(field, raw, f"{what.capitalize()} date {r.note}.", "Check it, or write it as YYYY-MM-DD.")
                return r.value

            start_raw = cell(row, "start_date")
            start = None
            if not start_raw:
                err("start_date", "", "The start date is empty.", "Write the date the activity started, as YYYY-MM-DD.")
            else:
                start = day("start_date", start_raw, "start", "Write it as YYYY-MM-DD, e.g. 2025-03-14.")
            end_raw = cell(row, "end_date")
            end = day("end_date", end_raw, "end", "Write it as YYYY-MM-DD, or leave it empty.") if end_raw else None
            lo, hi = clock.date_window(ctx.today)
            for name, raw, value in (("start_date", start_raw, start), ("end_date", end_raw, end)):
                if value is not None and not lo <= value <= hi:
                    err(name, raw, f"The {'start' if name == 'start_date' else 'end'} date {person_date(value)} is outside "
                        f"the dates the dashboard accepts ({clock.window_text(ctx.today)}).",
                        "Correct the year (a typing error such as 0202 or 2206?); dates must lie "
                        f"{clock.window_text(ctx.today)}.")
            if start and not lo <= start <= hi:
                start = None  # reported above; no further checks on it
            if end and not lo <= end <= hi:
                end = None
            if start and end and end < start:
                err("end_date", end_raw, f"The activity ends ({person_date(end)}) before it starts ({person_date(start)}).",
                    "Swap the two dates or correct one of them.")
            if start and start > ctx.today:
                warn("start_date", start_raw, f"The start date {person_date(start)} is in the future.",
                     "Fine for a planned activity; otherwise correct the date.")
            if start and start < EARLIEST_SENSIBLE:
                warn("start_date", start_raw, f"The start date {person_date(start)} is before 2015.", "Check the year.")

            partner_ids: list[str] = []
            raw_partners = cell(row, "partners")
            if not raw_partners:
                err("partners", "", "No partner is named.", "Name at least one partner (name or acronym), several separated by ';'.")
            if raw_partners not in partner_cells:
                partner_cells[raw_partners] = _split_partners(raw_partners)
            for p in partner_cells[raw_partners]:
                if p not in resolved_partner:
                    resolved_partner[p] = ctx.resolve_partner(p)
                pid, score, sugg = resolved_partner[p]
                if pid is None:
                    names = ", ".join(ctx.partner_labels.get(s, s) for s in sugg)
                    err("partners", p, f"Unknown partner {p!r}." + (f" Did you mean {names}?" if names else ""),
                        "Use the partner's name or acronym as listed on the Partners & tools page"
                        + (f" (e.g. {names})." if names else ".")
                        + " A partner that is not registered yet is added by an administrator on the Manage records page.")
                else:
                    if score < 1:
                        warn("partners", p, f"Partner {p!r} read as {ctx.partner_labels[pid]} (approximate match).",
                             "Check it, or write the partner's exact name or acronym.")
                    if pid not in partner_ids:
                        partner_ids.append(pid)
            if editor is not None and not editor.is_admin and partner_ids and editor.partner_id not in partner_ids:
                err("partners", raw_partners,
                    f"You can import only activities in which {ctx.partner_labels.get(editor.partner_id, editor.partner_id)} "
                    "takes part.", "Remove this row, or ask that partner's editor (or an admin) to import it.")

            iso3s: list[str] = []
            raw_countries = cell(row, "countries")
            if raw_countries not in country_cells:
                country_cells[raw_countries] = [(c, countries.resolve(c)) for c in _split_cell(raw_countries)]
            for c, match in country_cells[raw_countries]:
                if match.kind == "country" and match.iso3 in ctx.known_countries:
                    if match.score < 1:
                        warn("countries", c, f"Country {c!r} read as {countries.name_of(match.iso3)} (approximate match).",
                             "Check it, or use the country's ISO code.")
                    if match.iso3 not in iso3s:
                        iso3s.append(match.iso3)
                elif match.kind == "aggregate":
                    err("countries", c, f"{c!r} is a region or group, not a country ({match.reason}).",
                        "List the countries themselves, separated by ';'.")
                else:
                    names = ", ".join(f"{countries.name_of(s)} ({s})" for s in match.suggestions[:4])
                    err("countries", c, f"Country {c!r} not recognised ({match.reason})." + (f" Did you mean {names}?" if names else ""),
                        "Use the country's English name or ISO3 code, e.g. 'Kenya' or 'KEN'.")

            raw_collab = cell(row, "collaborative")
            collab_id = None
            if raw_collab:
                key = norm(raw_collab)
                says_gender, says_lnob = "gender" in key, "lnob" in key or "leave no one" in key
                if key in COLLAB_SYNONYMS:
                    collab_id = COLLAB_SYNONYMS[key]
                elif says_gender != says_lnob:
                    collab_id = "gender" if says_gender else "lnob"
                elif says_gender and says_lnob:
                    collab_id = None
                else:
                    err("collaborative", raw_collab, f"Unknown collaborative {raw_collab!r}.",
                        "Write 'gender', 'LNOB', or leave it empty.")
            raw_tool = cell(row, "tool")
            tool_id = None
            if raw_tool:
                tool_id = ctx.tools.get(norm(raw_tool))
                if tool_id is None:
                    close = difflib.get_close_matches(norm(raw_tool), list(ctx.tools), n=2, cutoff=0.6)
                    err("tool", raw_tool, f"Unknown tool {raw_tool!r}." + (f" Did you mean {' or '.join(close)}?" if close else ""),
                        "Use a tool name from the Partners & tools page, or leave it empty.")
            outcome = cell(row, "outcome")
            for f, value in (("title", title), ("outcome", outcome)):
                if value.startswith(("=", "+", "-", "@")):
                    warn(f, value, "The cell starts like a spreadsheet formula; it is stored as plain text.",
                         "Nothing to do: exports neutralise it. Remove the leading sign if it is a mistake.")
                if re.search(r"<\s*/?\s*[a-zA-Z][^>]*>", value):
                    warn(f, value, "The cell contains HTML markup; it is stored and shown as plain text.",
                         "Remove the markup if it is not meant to be there.")

            if row_errors[0]:
                continue
            key = (type_id, start, title_key(title), tuple(sorted(partner_ids)))
            if key in ctx.existing_keys:
                # a running log uploaded again: reported once for all such rows, not as errors
                plan.already_imported.append(rn)
                row_findings.clear()
                continue
            if key in seen_in_file:
                err("title", title, f"Duplicate of row {seen_in_file[key]} of this file.", "Remove one of the two rows.")
                continue
            seen_in_file[key] = rn
            plan.records.append({
                "row": rn, "title": title, "type_id": type_id, "collab_id": collab_id, "start_date": start,
                "end_date": end, "tool_id": tool_id, "outcome": outcome or None, "partner_ids": partner_ids,
                "iso3s": iso3s, "flags": "; ".join(flags) or None,
            })

        finally:
            plan.findings.extend(row_findings)
            row_findings.clear()

# --------------------------------------------------------------------------------------
# Import (the single write path)
# --------------------------------------------------------------------------------------
def import_activities(db: Database, plan: Plan, *, editor: Editor) -> int:
    """Write the plan's valid rows in one transaction; returns the new batch id."""
    if plan.critical:
        raise WriteRejected("the file has critical problems: nothing can be imported")
    if not plan.records:
        raise WriteRejected("no valid rows to import")
    if editor.partner_id is not None:
        outside = [r["row"] for r in plan.records if editor.partner_id not in r["partner_ids"]]
        if outside:
            raise WriteRejected(f"rows {outside[:5]} are not activities of your partner")
    with db.write(kind="upload", source=plan.filename, sha256=plan.sha256, size_bytes=plan.size_bytes,
                  rows_read=plan.rows_read, editor=editor.name,
                  note=json.dumps({"partner": editor.partner_id, "partners": sorted({p for r in plan.records for p in r["partner_ids"]}), "mapping": plan.mapping})) as batch:
        ids = [f"U{batch.batch_id}-{i:06d}" for i in range(1, len(plan.records) + 1)]
        acts = pd.DataFrame({
            "activity_id": ids,
            "title": [r["title"] for r in plan.records],
            "type_id": [r["type_id"] for r in plan.records],
            "collab_id": [r["collab_id"] for r in plan.records],
            "start_date": [r["start_date"] for r in plan.records],
            "end_date": [r["end_date"] for r in plan.records],
            "tool_id": [r["tool_id"] for r in plan.records],
            "outcome": [r["outcome"] for r in plan.records],
            "flags": [r["flags"] for r in plan.records],
            "source_row": [r["row"] for r in plan.records],
            "is_sample": False,
        })
        batch.insert("activities", acts)
        batch.insert("activity_partners", pd.DataFrame(
            [(i, p, False) for i, r in zip(ids, plan.records) for p in r["partner_ids"]],
            columns=["activity_id", "partner_id", "is_sample"]))
        batch.insert("activity_countries", pd.DataFrame(
            [(i, c, False) for i, r in zip(ids, plan.records) for c in r["iso3s"]],
            columns=["activity_id", "iso3", "is_sample"]))
        batch.rows_imported = len(plan.records)
    return batch.batch_id


# --------------------------------------------------------------------------------------
# Saved mappings and templates
# --------------------------------------------------------------------------------------
def saved_mapping(db: Database, scope: str) -> dict[str, str]:
    row = db.rows("SELECT mapping FROM column_mappings WHERE scope = ?", [scope])
    return json.loads(row[0][0]) if row else {}


def save_mapping(db: Database, scope: str, mapping: dict[str, str], *, editor: str) -> None:
    """Remember a partner's column mapping (through the single write path)."""
    clean = {k: v for k, v in mapping.items() if k in FIELDS and v}
    with db.write(kind="edit", source=f"column mapping for {scope}", editor=editor,
                  note=json.dumps({"setting": "column mapping", "scope": scope})) as batch:
        batch.execute("DELETE FROM column_mappings WHERE scope = ?", [scope])
        batch.insert("column_mappings", pd.DataFrame([{"scope": scope, "mapping": json.dumps(clean, sort_keys=True)}]))
        batch.rows_imported = 1


def template_csv(example: bool = False) -> bytes:
    """The CSV template (header and one commented hint row), or a filled example."""
    import csv
    import io

    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(TEMPLATE_COLUMNS)
    if example:
        w.writerows([
            ["Training on time-use survey analysis", "training", "2026-09-15", "2026-09-17", "PARIS21; UN Women",
             "Kenya; Uganda", "gender", "", "Two national statistical offices trained"],
            ["Peer review of the SDG Gender Index methodology", "peer review", "2026-10-02", "", "EM2030; ODW",
             "", "gender", "SDG Gender Index", "Review notes shared with the index team"],
            ["Knowledge exchange: disability data in censuses", "knowledge exchange", "2026-10-21", "",
             "Sightsavers; UNICEF; GPSDD", "Ghana; Nepal", "LNOB", "", ""],
            ["LNOB collaborative meeting", "meeting", "2026-11-05", "", "GPSDD; DI; UNICEF; ODW", "", "LNOB", "",
             "Agreed the 2027 work plan"],
        ])
    return out.getvalue().encode("utf-8")


def template_xlsx(example: bool = False) -> bytes:
    """The activities template as an Excel workbook (the same columns and example, with a Help sheet)."""
    from collab_data.ingest import templates

    return templates.template_xlsx({c: FIELDS[c] for c in TEMPLATE_COLUMNS}, templates.csv_rows(template_csv(example)),
                                   title="Activities")
