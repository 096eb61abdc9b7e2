"""3W / operational-presence sheets ("who does what where") as country programmes.

A 3W sheet lists one row per organisation, place and activity: the organisation (name and
often an acronym), the country, sub-national areas (admin 1, 2, 3), the sector or cluster,
the activity, dates and a status. Humanitarian exports carry an HXL hashtag row right
under the header (``#org+acronym``, ``#adm1+name``, ``#sector+cluster`` ...).

Rules:

* The HXL row is recognised (not imported, and no finding: ``plan.hxl_row`` says where it
  was and ``plan.hxl_columns`` what each field was read from); row numbers stay the
  spreadsheet's. Columns are matched by their HXL tag first, then by their name
  (Organisation, Org acronym, Admin1, Cluster, Sector, Departement ...).
* A sheet without a start-date column (an operational-presence sheet: who works where now)
  records its programmes as present from today, said once for the file.
* Organisations that match no partner are kept in ``plan.unknown_orgs`` with their acronym
  and the sheet's organisation type, for an administrator to register.
* Sub-national rows collapse into one programme per partner and country: its areas and
  sectors are kept (joined with '; '), its start is the earliest start, its end the latest
  end, its status the rows' (active when any row is active).
* A sheet without a country column is imported only with the country chosen for the whole
  file (``country=``); otherwise nothing is imported.
* Organisation names are reconciled with the partner registry: name, acronym, an acronym
  written as the name, "Name (ACRONYM)", names cut short by the exporting tool (a prefix of
  at least :data:`MIN_PREFIX` characters of one registered name), case and accents. A
  match that is not certain is a warning naming what it was read as; a name close to
  several partners, or to none, is an error with suggestions: never a silent guess.
* A row the source itself flags (a column named warning, error, flag or issue with a
  value) is reported as a warning at that row.
* The support type comes from the sector and activity words when they name one, else it is
  technical assistance, with a warning.
* A partner editor imports only its own partner's rows; a programme already recorded (same
  partner, country, support type, tool and start date) is reported, not written twice.

Validation writes nothing; :func:`collab_data.records.programmes.write` writes the plan.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from collab_data import clock, countries
from collab_data.db import Database
from collab_data.ingest import activities as A
from collab_data.ingest.activities import CRITICAL, ERROR, WARNING, Finding, norm
from collab_data.ingest.dates import day_order_evidence, parse_date
from collab_data.ingest.reader import FileRejected, read_table
from collab_data.records import programmes as PR
from collab_data.records.base import Plan

SOURCE_FORMAT = "3w"
#: Characters a name cut short by the exporting tool must keep to be read as a registered name.
MIN_PREFIX = 12

#: Our field -> the HXL hashtags that fill it, best first ("+attribute" must all be present).
HXL_TAGS: dict[str, tuple[str, ...]] = {
    "organisation": ("#org+impl+name", "#org+impl", "#org+name", "#org"),
    "acronym": ("#org+impl+acronym", "#org+acronym", "#org+abbrev", "#org+impl+abbrev"),
    "country": ("#country+name", "#country+code", "#country"),
    "adm1": ("#adm1+name", "#adm1", "#adm1+code"),
    "adm2": ("#adm2+name", "#adm2", "#adm2+code"),
    "adm3": ("#adm3+name", "#adm3", "#adm3+code", "#loc+name", "#loc"),
    "sector": ("#sector+cluster", "#sector+name", "#sector"),
    "subsector": ("#subsector+name", "#subsector"),
    "activity": ("#activity+name", "#activity+type", "#activity"),
    "start_date": ("#date+start",),
    "end_date": ("#date+end",),
    "status": ("#status",),
    "notes": ("#description", "#meta+notes", "#meta+comments", "#narrative"),
    "flag": ("#meta+warning", "#meta+error", "#meta+flag", "#meta+issue"),
    "org_type": ("#org+type",),
}
#: HXL attributes that make an #org column another organisation than the implementer.
_OTHER_ORG = {"funder", "donor", "type", "code", "id", "prog", "programme", "program", "lead"}

#: Our field -> plain column names (compared after normalisation).
NAMES: dict[str, tuple[str, ...]] = {
    "organisation": ("organisation", "organization", "organisation name", "organization name", "org", "org name",
                     "implementing partner", "implementing organisation", "implementing organization", "partner",
                     "partner name", "agency", "actor", "reporting organisation", "reporting organization", "who"),
    "acronym": ("org acronym", "organisation acronym", "organization acronym", "acronym", "abbreviation",
                "org abbreviation", "short name", "org short name", "acronyme", "sigle"),
    "country": ("country", "country name", "country code", "iso3", "admin0", "admin 0", "adm0", "adm0 name",
                "admin0 name", "admin0 pcode"),
    "adm1": ("admin1", "admin 1", "adm1", "admin1 name", "adm1 name", "region", "province", "state", "governorate",
             "county", "department"),
    "adm2": ("admin2", "admin 2", "adm2", "admin2 name", "adm2 name", "district", "sub county", "subcounty",
             "municipality", "departement", "département"),
    "adm3": ("admin3", "admin 3", "adm3", "admin3 name", "adm3 name", "sub district", "ward", "location", "site",
             "village", "locality"),
    "sector": ("sector", "cluster", "sector cluster", "sector name", "cluster name", "what"),
    "subsector": ("subsector", "sub sector"),
    "activity": ("activity", "activities", "activity type", "activity name", "activity description",
                 "intervention", "programme", "program", "project"),
    "start_date": ("start date", "start", "date start", "from", "start_date"),
    "end_date": ("end date", "end", "date end", "to", "until", "end_date"),
    "status": ("status", "activity status", "project status", "state of activity"),
    "notes": ("notes", "comments", "remarks", "description"),
    "flag": ("warning", "warnings", "error", "errors", "flag", "flags", "issue", "issues", "data quality",
             "qa flag", "quality flag"),
    "org_type": ("organisation type", "organization type", "org type", "type of organisation", "type of organization",
                 "typeorganisation", "type organisation", "type d organisation", "organisation type name"),
}
LABELS = {"organisation": "Organisation", "acronym": "Org acronym", "country": "Country", "adm1": "Admin 1",
          "adm2": "Admin 2", "adm3": "Admin 3", "sector": "Sector", "subsector": "Sub-sector", "activity": "Activity",
          "start_date": "Start date", "end_date": "End date", "status": "Status", "notes": "Notes", "flag": "Flag",
          "org_type": "Organisation type"}
_KNOWN = {norm(s) for names in NAMES.values() for s in names}
#: Columns only our programme template has: a sheet with them is a programme file, not a 3W.
_TEMPLATE_ONLY = {norm(s) for s in ("support_type", "support type", "type of support", "tool")}
_TYPICAL_3W = {norm(s) for s in ("org acronym", "organisation acronym", "organization acronym", "admin1", "admin 1",
                                 "adm1", "admin1 name", "adm1 name", "admin2", "adm2", "admin2 name", "cluster",
                                 "sector", "sector cluster", "activity", "activities", "implementing partner",
                                 "organisation", "organization", "who")}


# --------------------------------------------------------------------------------------
# Reading the sheet
# --------------------------------------------------------------------------------------
def _is_hxl_row(cells: list[str]) -> bool:
    filled = [c.strip() for c in cells if c.strip()]
    return len(filled) >= 2 and sum(c.startswith("#") for c in filled) >= max(2, 0.6 * len(filled))


def _tag_parts(tag: str) -> tuple[str, set[str]]:
    parts = [p.strip().lower() for p in tag.strip().split("+") if p.strip()]
    return (parts[0].split()[0] if parts else ""), set(parts[1:])


def _map_columns(columns: list[str], tags: list[str] | None) -> dict[str, int]:
    """Our field -> column index: by HXL tag first, then by plain name."""
    mapping: dict[str, int] = {}
    used: set[int] = set()
    if tags:
        parsed = [_tag_parts(t) if t.strip().startswith("#") else ("", set()) for t in tags]
        for name, wanted in HXL_TAGS.items():
            for spec in wanted:
                base, attrs = _tag_parts(spec)
                for i, (b, a) in enumerate(parsed):
                    if i in used or b != base or not attrs <= a:
                        continue
                    if base == "#org" and name == "organisation" and a & ({"acronym", "abbrev"} | _OTHER_ORG):
                        continue
                    mapping[name] = i
                    used.add(i)
                    break
                if name in mapping:
                    break
    by_norm = {}
    for i, c in enumerate(columns):
        by_norm.setdefault(norm(c), i)
    for name, synonyms in NAMES.items():
        if name in mapping:
            continue
        for s in synonyms:
            i = by_norm.get(norm(s))
            if i is not None and i not in used:
                mapping[name] = i
                used.add(i)
                break
    if "flag" not in mapping:  # "Data quality warning", "Issues found": a column the source flags rows in
        for i, c in enumerate(columns):
            if i not in used and set(norm(c).split()) & _FLAG_WORDS:
                mapping["flag"] = i
                break
    return mapping


_FLAG_WORDS = {"warning", "warnings", "error", "errors", "flag", "flags", "flagged", "issue", "issues"}


@dataclass
class _Sheet:
    columns: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    header_row: int
    mapping: dict[str, int]
    hxl: bool
    table: object = None
    hxl_row: int | None = None


def _read(data: bytes, filename: str, max_bytes: int | None = None) -> _Sheet:
    table = read_table(data, filename, known_names=_KNOWN | _TEMPLATE_ONLY,
                       **({"max_bytes": max_bytes} if max_bytes else {}))
    rows, numbers = list(table.rows), list(table.row_numbers)
    tags, hxl_row = None, None
    if _is_hxl_row(table.columns):  # a sheet whose only header is the hashtag row
        tags = list(table.columns)
    elif rows and _is_hxl_row(rows[0]):
        tags, hxl_row = rows[0], numbers[0]
        rows, numbers = rows[1:], numbers[1:]
    return _Sheet(list(table.columns), rows, numbers, table.header_row, _map_columns(table.columns, tags),
                  tags is not None, table, hxl_row)


def looks_like_3w(data: bytes, filename: str) -> bool:
    """True for a 3W / operational-presence sheet: an HXL hashtag row under the header, or
    typical 3W column names (organisation, acronym, admin levels, cluster, sector ...)
    without the columns of our programme template."""
    try:
        sheet = _read(data, filename)
    except FileRejected:
        return False
    if sheet.hxl:
        return True
    names = {norm(c) for c in sheet.columns}
    if names & _TEMPLATE_ONLY:
        return False
    return len(names & _TYPICAL_3W) >= 2 and any(f in sheet.mapping for f in ("organisation", "acronym")) and any(
        f in sheet.mapping for f in ("adm1", "adm2", "adm3", "sector", "activity"))


# --------------------------------------------------------------------------------------
# Partner reconciliation
# --------------------------------------------------------------------------------------
def fold(text: str) -> str:
    """Case, accents, '&' and punctuation folded away: 'Médecins Sans Frontières' -> 'medecins sans frontieres'."""
    s = unicodedata.normalize("NFKD", str(text))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).casefold().replace("&", " and ")
    s = re.sub(r"[^a-z0-9]+", " ", s).strip()
    return re.sub(r"^the ", "", s)


_INITIAL_STOP = {"of", "for", "the", "and", "in", "on", "de", "du", "des", "la", "le", "et", "pour", "to"}


#: Registered names (closest by shared trigrams) compared in full with a name not found exactly.
APPROXIMATE_CANDIDATES = 25


def _trigrams(folded: str) -> set[str]:
    s = f"  {folded} "
    return {s[i:i + 3] for i in range(len(s) - 2)}


def _word_alike(a: str, b: str) -> bool:
    if a == b or (min(len(a), len(b)) >= 3 and (a.startswith(b) or b.startswith(a))):
        return True
    return min(len(a), len(b)) >= 4 and difflib.SequenceMatcher(None, a, b).ratio() >= 0.75


def _typo_of(text: str, name: str) -> bool:
    """Whether ``text`` differs from ``name`` only by typos inside its words (the same words in
    the same order): 'Equal Insights' / 'Equality Insights' yes, 'Solidarity Relief Women
    Foundation' / 'Solidarity Relief Food Foundation' no (another word: another organisation)."""
    a, b = text.split(), name.split()
    return len(a) == len(b) and all(_word_alike(x, y) for x, y in zip(a, b))


def _initials(folded: str) -> str:
    return "".join(w[0] for w in folded.split() if w not in _INITIAL_STOP)


@dataclass(frozen=True)
class PartnerMatch:
    partner_id: str | None
    certain: bool
    how: str = ""                       # how an uncertain match was made (for the warning)
    suggestions: tuple[str, ...] = ()   # partner ids
    ambiguous: bool = False             # close to several partners


@dataclass
class Registry:
    """The partner registry as the reconciler reads it."""

    exact: dict[str, str]                 # folded id / name / acronym -> partner_id
    names: dict[str, str]                 # folded full name -> partner_id
    labels: dict[str, str]                # partner_id -> label (acronym or name)
    initials: dict[str, set[str]]         # initials of a full name -> partner_ids
    keys: list[tuple[str, str]] = field(default_factory=list)  # (folded key, partner_id) for approximate matching
    cache: dict[tuple[str, str], PartnerMatch] = field(default_factory=dict)
    grams: dict[str, list[int]] = field(default_factory=dict)  # trigram -> indexes in ``keys``

    def __post_init__(self) -> None:
        for i, (key, _) in enumerate(self.keys):
            for g in _trigrams(key):
                self.grams.setdefault(g, []).append(i)

    @classmethod
    def load(cls, db: Database) -> Registry:
        exact, names, labels, initials = {}, {}, {}, {}
        for pid, name, acronym in db.rows("SELECT partner_id, name, acronym FROM partners"):
            labels[pid] = acronym or name
            for key in (pid, name, acronym):
                if key and fold(key):
                    exact.setdefault(fold(key), pid)
            if name and fold(name):
                names[fold(name)] = pid
                ini = _initials(fold(name))
                if len(ini) >= 3:
                    initials.setdefault(ini, set()).add(pid)
        keys = sorted(set(exact.items()))
        return cls(exact, names, labels, initials, keys)

    def initials_of(self, pid: str) -> set[str]:
        return {_initials(name) for name, p in self.names.items() if p == pid}

    def label(self, pid: str) -> str:
        return self.labels.get(pid, pid)

    # --- one text
    def _one(self, text: str) -> PartnerMatch:
        got = self.cache.get((text, "\x00"))
        if got is None:
            got = self.cache[(text, "\x00")] = self._one_text(text)
        return got

    def _one_text(self, text: str) -> PartnerMatch:
        f = fold(text)
        if not f:
            return PartnerMatch(None, False)
        if f in self.exact:
            return PartnerMatch(self.exact[f], True)
        # "Name (ACRONYM)" / "ACRONYM - Name"
        inner = re.findall(r"\(([^)]+)\)", text)
        outer = re.sub(r"\s*\([^)]*\)\s*", " ", text).strip()
        if inner and outer:
            a, b = self._one(outer), self._one(inner[0])
            if a.partner_id and b.partner_id and a.partner_id != b.partner_id:
                return PartnerMatch(None, False, suggestions=(a.partner_id, b.partner_id), ambiguous=True)
            if a.partner_id and (a.certain or b.partner_id == a.partner_id):
                return PartnerMatch(a.partner_id, a.certain or b.certain, a.how)
            if b.partner_id and b.certain:
                if not fold(outer) or a.partner_id == b.partner_id:
                    return b
                return PartnerMatch(b.partner_id, False, f"by its acronym '{inner[0].strip()}'")
        # a name cut short by the exporting tool ("... International Developm", "Partnership in Stat...")
        cut = re.sub(r"\s*(\.\.\.|…)\s*$", "", text)
        fc = fold(cut)
        if len(fc) >= MIN_PREFIX:
            hits = sorted({pid for name, pid in self.names.items() if name.startswith(fc) and name != fc})
            if len(hits) == 1:
                return PartnerMatch(hits[0], False, "the start of its name, cut short")
            if len(hits) > 1:
                return PartnerMatch(None, False, suggestions=tuple(hits[:5]), ambiguous=True)
        # an acronym written as the name: the initials of one registered name
        compact = f.replace(" ", "")
        if 3 <= len(compact) <= 10 and " " not in f:
            hits = sorted(self.initials.get(compact, ()))
            if len(hits) == 1:
                return PartnerMatch(hits[0], False, "the initials of its name")
            if len(hits) > 1:
                return PartnerMatch(None, False, suggestions=tuple(hits), ambiguous=True)
        if compact in self.exact:  # "UN-Women" / "UNWomen"
            return PartnerMatch(self.exact[compact], True)
        return self._approximate(f)

    def _approximate(self, f: str) -> PartnerMatch:
        """Difflib similarity against the registered names that share the most trigrams with
        the text (a few dozen, however large the registry)."""
        mine = _trigrams(f)
        shared: Counter = Counter()
        for g in mine:
            shared.update(self.grams.get(g, ()))
        n = len(mine)
        ranked_keys = sorted(shared.items(), key=lambda kv: -2 * kv[1] / (n + len(self.keys[kv[0]][0]) + 2))
        best: dict[str, float] = {}
        m = difflib.SequenceMatcher(autojunk=False)
        m.set_seq2(f)
        for i, _ in ranked_keys[:APPROXIMATE_CANDIDATES]:
            key, pid = self.keys[i]
            m.set_seq1(key)
            if m.real_quick_ratio() < 0.5 or m.quick_ratio() < 0.5:
                continue
            r = m.ratio()
            if r >= 0.5 and r > best.get(pid, 0.0):
                best[pid] = r
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
        if not ranked:
            return PartnerMatch(None, False)
        top, score = ranked[0]
        close = [pid for pid, r in ranked[1:] if r >= max(0.75, score - 0.06)]
        if score >= 0.88 and len(f) >= 5 and not close and any(
                _typo_of(f, key) for key, pid in self.keys if pid == top):
            return PartnerMatch(top, False, f"the closest registered name, {score:.0%} alike")
        if score >= 0.75 and close:
            return PartnerMatch(None, False, suggestions=tuple([top, *close][:4]), ambiguous=True)
        return PartnerMatch(None, False, suggestions=tuple(pid for pid, r in ranked[:3] if r >= 0.6))

    def reconcile(self, name: str, acronym: str = "") -> PartnerMatch:
        """The partner of an organisation cell and its acronym cell (either may be empty)."""
        key = (name, acronym)
        if key not in self.cache:
            self.cache[key] = self._reconcile(name, acronym)
        return self.cache[key]

    def _reconcile(self, name: str, acronym: str) -> PartnerMatch:
        a = self._one(name) if name else None
        b = self._one(acronym) if acronym else None
        if a is None:
            return b or PartnerMatch(None, False)
        if b is None:
            return a
        if b.partner_id is None:
            if a.partner_id and not a.certain and fold(acronym).replace(" ", "") not in self.initials_of(a.partner_id):
                # an acronym the registry does not know, nor the initials of the name read: the
                # organisation is likely one that is not registered
                return PartnerMatch(None, False, suggestions=(a.partner_id,))
            return a
        if a.partner_id is None:
            if a.ambiguous and b.partner_id in a.suggestions:
                return PartnerMatch(b.partner_id, b.certain, b.how)
            if not a.suggestions and b.certain:  # a name the registry lacks, with a registered acronym
                return PartnerMatch(b.partner_id, False, f"by its acronym '{acronym}'")
            return PartnerMatch(None, False, suggestions=tuple(dict.fromkeys((b.partner_id, *a.suggestions))),
                                ambiguous=a.ambiguous)
        if a.partner_id != b.partner_id:  # the name and the acronym name different partners
            return PartnerMatch(None, False, suggestions=(a.partner_id, b.partner_id), ambiguous=True)
        return PartnerMatch(a.partner_id, a.certain or b.certain, "" if (a.certain or b.certain) else a.how)


# --------------------------------------------------------------------------------------
# Support type from the sector and activity words
# --------------------------------------------------------------------------------------
_SUPPORT_WORDS = sorted(((k, v) for k, v in PR._SUPPORT_SYNONYMS.items() if len(k) >= 4),
                        key=lambda kv: -len(kv[0]))
_SUPPORT_WORDS += [("train", "training"), ("capacity", "training"), ("census", "data_production"),
                   ("data collect", "data_production"), ("assessment", "data_production"),
                   ("advoca", "advocacy"), ("cash", "financing"), ("fund", "financing"),
                   ("advis", "technical_assistance"), ("technical", "technical_assistance")]


def support_from_text(*texts: str) -> str | None:
    for text in texts:
        n = norm(text or "")
        if not n:
            continue
        if n in PR._SUPPORT_SYNONYMS:
            return PR._SUPPORT_SYNONYMS[n]
        padded = f" {n} "
        for word, support in _SUPPORT_WORDS:
            if f" {word}" in padded:
                return support
    return None


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------
#: Values of a source's flag column that say "no flag".
_NO_FLAG = {"", "0", "no", "n", "false", "none", "ok", "nil", "na", "n a", "no issue", "no issues", "fine", "valid"}
_STATUS_RANK = {"active": 0, "planned": 1, "paused": 2, "completed": 3}


def _join(values: list[str]) -> str | None:
    out = list(dict.fromkeys(v for v in values if v))
    return "; ".join(out) or None


class _At:
    """The findings at one row: ``err`` keeps the row out, ``warn`` keeps it with the reason."""

    def __init__(self, plan: Plan, row: int | None, column, flags: list[str] | None = None):
        self.plan, self.row, self.column = plan, row, column
        self.errors = 0
        self.flags: list[str] = flags if flags is not None else []

    def err(self, f: str, value, message: str, fix: str) -> None:
        self.plan.findings.append(Finding(ERROR, self.row, self.column(f), value, message, fix))
        self.errors += 1

    def warn(self, f: str | None, value, message: str, fix: str) -> None:
        self.plan.findings.append(Finding(WARNING, self.row, self.column(f) if f else None, value, message, fix))
        self.flags.append(message)


def validate_file(data: bytes, filename: str, db: Database, *, today: date, editor: A.Editor | None = None,
                  country: str | None = None, max_bytes: int | None = None) -> Plan:
    """A 3W sheet (CSV, TSV or xlsx) as country programmes, one per partner and country.
    ``country``: the country of the whole file, for a sheet without a country column.
    Writes nothing."""
    plan = Plan(source=filename, noun="programmes", sha256=hashlib.sha256(data).hexdigest())
    plan.unknown_orgs = {}  # type: ignore[attr-defined]  # folded name -> what the file says of it
    try:
        sheet = _read(data, filename, max_bytes)
    except FileRejected as exc:
        plan.findings.append(Finding(CRITICAL, exc.row, exc.column, exc.value, exc.message, exc.fix))
        return plan
    plan.rows_read = len(sheet.rows)
    table, cols, mp = sheet.table, sheet.columns, sheet.mapping

    def column(f: str) -> str:
        return cols[mp[f]] if f in mp else LABELS[f]

    if "organisation" not in mp and "acronym" not in mp:
        plan.findings.append(Finding(CRITICAL, sheet.header_row, None, None,
                                     "No organisation column: the sheet must say who works where. The columns are: "
                                     + ", ".join(cols) + ".",
                                     "Add a column 'Organisation' (or the HXL tag #org) naming each row's partner."))
        return plan
    chosen = None
    if country:
        m = countries.resolve(country)
        if m.kind != "country":
            plan.findings.append(Finding(CRITICAL, None, "Country", country, f"{country!r} is not one country.",
                                         "Choose one country for the whole file."))
            return plan
        chosen = m.iso3
    elif "country" not in mp:
        plan.findings.append(Finding(CRITICAL, sheet.header_row, None, None,
                                     "The sheet has no country column: its rows cannot be placed in a country.",
                                     "Choose the country of the whole file before validating it, or add a column "
                                     "'Country' (HXL #country+name)."))
        return plan
    if not sheet.rows:
        plan.findings.append(Finding(CRITICAL, sheet.header_row, None, None, "The sheet has a header row but no data rows.",
                                     "Add one row per organisation and place below the header."))
        return plan
    # the HXL row (under the header, or as the only header) names the columns: not a finding
    plan.hxl_row = sheet.hxl_row if sheet.hxl else None  # type: ignore[attr-defined]
    plan.hxl_columns = {f: cols[i] for f, i in mp.items()} if sheet.hxl else {}  # type: ignore[attr-defined]
    if "start_date" not in mp:
        plan.findings.append(Finding(WARNING, sheet.header_row, None, None,
                                     "The sheet has no start-date column (an operational-presence sheet says who works "
                                     f"where now): its programmes are recorded as present from today, "
                                     f"{today.isoformat()}, with the status the rows give (else active).",
                                     "Add a column 'Start date' (HXL #date+start) to record when each one started."))
    used = set(mp.values())
    ignored = [c for i, c in enumerate(cols) if i not in used and c.strip()]
    plan.ignored_columns = ignored
    if ignored:
        plan.findings.append(Finding(WARNING, sheet.header_row, None, None,
                                     f"{len(ignored)} column(s) are not used: " + ", ".join(ignored) + ".",
                                     "Nothing to do unless one of them holds the organisation, country, place, "
                                     "sector, dates or status."))
    for note in table.notes:
        plan.findings.append(Finding(WARNING, None, None, None, note, "Check that the right rows were read."))
    for rn in table.row_notes:
        if rn.row == sheet.hxl_row:
            continue
        plan.findings.append(Finding(rn.tier, rn.row, rn.column, rn.value, rn.message, rn.fix))
    skip = {rn.row for rn in table.row_notes if rn.tier == ERROR}

    ctx = PR.Context.load(db, today, editor)
    reg = Registry.load(db)
    known = ctx.activities.known_countries
    lo, hi = clock.date_window(today)
    own = editor.partner_id if editor is not None and not editor.is_admin else None

    def cell(row: list[str], f: str) -> str:
        i = mp.get(f)
        return " ".join(row[i].split()) if i is not None and i < len(row) else ""

    order = day_order_evidence([cell(r, f) for r in sheet.rows for f in ("start_date", "end_date")])
    recorded_any_start = {(p, c, s) for p, c, s, t, _ in ctx.existing if t is None}
    already: list[tuple[int, str]] = []
    country_cache: dict[str, tuple] = {}
    groups: dict[tuple[str, str], dict] = {}

    for row, rn in zip(sheet.rows, sheet.row_numbers):
        if rn in skip or not any(c.strip() for c in row):
            continue
        at = _At(plan, rn, column)
        err, warn, flags = at.err, at.warn, at.flags
        flag = cell(row, "flag")
        if flag and norm(flag) not in _NO_FLAG:
            warn("flag", flag, f"The source flags this row: {flag!r}.", "Check the row in the source before importing.")
        # --- partner
        name, acr = cell(row, "organisation"), cell(row, "acronym")
        shown = name or acr
        f_org = "organisation" if name else "acronym"
        pid = None
        if not shown:
            if own:
                pid = own
            else:
                err(f_org, "", "No organisation is named.", "Write the organisation's name or acronym.")
        else:
            pm = reg.reconcile(name, acr)
            names = " or ".join(reg.label(s) for s in pm.suggestions)
            if pm.partner_id is None and pm.ambiguous:
                err(f_org, shown, f"Partner {shown!r} is close to several registered partners: it is not guessed. "
                    f"Did you mean {names}?", "Write the partner's registered name or acronym.")
            elif pm.partner_id is None:
                org = plan.unknown_orgs.setdefault(fold(shown), {  # what an administrator may register
                    "name": name or acr, "acronym": acr if name and fold(acr) != fold(name) else "",
                    "org_type": cell(row, "org_type"), "iati_org_id": "", "suggestions": [reg.label(s) for s in pm.suggestions],
                    "shown": shown, "rows": 0})
                org["rows"] += 1
                err(f_org, shown, f"Unknown partner {shown!r}." + (f" Did you mean {names}?" if names else ""),
                    "Use a registered partner's name or acronym; an administrator registers new partners on the "
                    "Manage records page.")
            else:
                pid = pm.partner_id
                if not pm.certain:
                    warn(f_org, shown, f"Partner {shown!r} read as {reg.label(pid)} ({pm.how}).",
                         "Check it, or write the partner's registered name or acronym.")
        if pid and own and pid != own:
            err(f_org, shown, f"You may import only {reg.label(own)}'s programmes, not {reg.label(pid)}'s.",
                "Leave that row out; that partner's editor imports it.")
        # --- country
        iso3, raw_c = None, cell(row, "country")
        if raw_c:
            if raw_c not in country_cache:
                country_cache[raw_c] = (countries.resolve(raw_c),)
            (m,) = country_cache[raw_c]
            if m.kind == "country" and m.iso3 in known:
                iso3 = m.iso3
                if m.score < 1:
                    warn("country", raw_c, f"Country {raw_c!r} read as {countries.name_of(iso3)}.",
                         "Check it, or write the country's name or ISO code.")
            else:
                sugg = ", ".join(countries.name_of(s) for s in m.suggestions[:3])
                what = "a region or group, not one country" if m.kind == "aggregate" else "an unknown country"
                err("country", raw_c, f"{raw_c!r} is {what}." + (f" Did you mean {sugg}?" if sugg else ""),
                    "Write one country per row, by name or ISO code (e.g. KEN).")
        elif chosen:
            iso3 = chosen
        else:
            err("country", "", "No country is named.", "Write the country's name or ISO code.")
        # --- dates
        dates = {}
        for f in ("start_date", "end_date"):
            raw = cell(row, f)
            if not raw:
                dates[f] = None
                continue
            got = parse_date(raw, order)
            if got.value is None:
                err(f, raw, f"Invalid date: {got.problem}.", "Write it as YYYY-MM-DD, e.g. 2025-03-14.")
            elif not lo <= got.value <= hi:
                err(f, raw, f"The date {got.value.isoformat()} is outside the dates the dashboard accepts "
                    f"({clock.window_text(today)}).", "Correct the year.")
            else:
                if got.note:
                    warn(f, raw, f"Date {got.note}.", "Check it, or write it as YYYY-MM-DD.")
                dates[f] = got.value
        if dates.get("start_date") and dates.get("end_date") and dates["end_date"] < dates["start_date"]:
            err("end_date", cell(row, "end_date"), f"The row ends ({dates['end_date']}) before it starts "
                f"({dates['start_date']}).", "Swap the two dates or correct one of them.")
        # --- status
        status = None
        raw_s = cell(row, "status")
        if raw_s:
            status = PR._STATUS_SYNONYMS.get(norm(raw_s))
            if status is None:
                warn("status", raw_s, f"Unknown status {raw_s!r}: not used.",
                     "Use planned, active, completed or paused, or leave it empty.")
        if at.errors:
            continue
        g = groups.setdefault((pid, iso3), {"rows": [], "areas": [], "sectors": [], "activities": [], "starts": [],
                                            "ends": [], "statuses": [], "supports": [], "flags": [], "notes": [],
                                            "shown": shown})
        g["rows"].append(rn)
        area = " > ".join(v for v in (cell(row, "adm1"), cell(row, "adm2"), cell(row, "adm3")) if v)
        g["areas"].append(area)
        g["sectors"] += [cell(row, "sector"), cell(row, "subsector")]
        g["activities"].append(cell(row, "activity"))
        g["notes"].append(cell(row, "notes"))
        if dates.get("start_date"):
            g["starts"].append(dates["start_date"])
        if dates.get("end_date"):
            g["ends"].append(dates["end_date"])
        if status:
            g["statuses"].append(status)
        s = support_from_text(cell(row, "activity"), cell(row, "subsector"), cell(row, "sector"))
        if s:
            g["supports"].append(s)
        g["flags"] += flags

    taken = set(ctx.ids)
    unread: list[tuple[int, str]] = []  # (first row, partner in country): no support type in the rows' words
    for (pid, iso3), g in groups.items():
        first = g["rows"][0]
        at = _At(plan, first, column, list(g["flags"]))
        gerr, gwarn, flags = at.err, at.warn, at.flags

        where = f"{reg.label(pid)} in {countries.name_of(iso3)}"
        rows_text = ", ".join(map(str, g["rows"][:10])) + (" ..." if len(g["rows"]) > 10 else "")
        if not g["starts"] and "start_date" in mp:
            gerr("start_date", "", f"No start date for {where} (rows {rows_text}): a programme needs one.",
                 "Fill in the start date of at least one of its rows.")
            continue
        start = min(g["starts"]) if g["starts"] else today  # a presence sheet without dates: present as of today
        end = max(g["ends"]) if g["ends"] else None
        if end and end < start:
            gerr("end_date", end.isoformat(), f"{where} ends ({end}) before it starts ({start}).",
                 "Correct the dates of its rows.")
            continue
        if g["statuses"]:
            status = min(g["statuses"], key=_STATUS_RANK.__getitem__)
        elif "start_date" not in mp and "status" not in mp:
            status = "active"  # said once for the file (no dates, no status: present now)
        else:
            status = "planned" if start > today else "completed" if end and end < today else "active"
            gwarn("status", "", f"No status given for {where}: read as {status} from the dates.",
                  "Write the status to be sure.")
        if g["supports"]:
            counts = Counter(g["supports"])
            support = counts.most_common(1)[0][0]
            if len(counts) > 1:
                gwarn("activity", None, f"The rows of {where} name several kinds of support "
                      f"({', '.join(PR.SUPPORT_TYPES[s] for s in counts)}): read as "
                      f"{PR.SUPPORT_TYPES[support]}, the most frequent.", "Check the support type after import.")
        else:
            support = "technical_assistance"
            flags.append("No support type in the sector or activity: read as technical assistance.")
            unread.append((first, where))
        key = (pid, iso3, support, None, start)
        if key in ctx.existing or (not g["starts"] and (pid, iso3, support) in recorded_any_start):
            # Re-importing the same sheet (a running presence list) is not an error: the programme is already
            # there. A sheet without dates matches on partner, country and support whatever day it was first read.
            already.append((first, where))
            continue
        base = re.sub(r"[^a-z0-9]+", "_", f"{pid}_{iso3}_{start:%Y%m%d}".lower())
        program_id, n = base, 2
        while program_id in taken:
            program_id, n = f"{base}_{n}", n + 1
        taken.add(program_id)
        sectors = _join(g["sectors"])
        activities = _join(g["activities"])
        notes = [f"From a 3W sheet ({len(g['rows'])} row(s))"]
        if activities:
            notes.append(f"activities: {activities}")
        if _join(g["notes"]):
            notes.append(_join(g["notes"]))
        text = "; ".join(notes)
        plan.records.append({
            "program_id": program_id, "partner_id": pid, "iso3": iso3, "tool_id": None, "support_type": support,
            "topic": (sectors[:200] if sectors else None), "start_date": start, "end_date": end, "status": status,
            "notes": text[:2000], "areas": _join(g["areas"]), "sectors": sectors, "source_format": SOURCE_FORMAT,
            "row": first, "rows": list(g["rows"]), "flags": flags,
        })
    if already:
        shown = ", ".join(w for _, w in already[:5]) + (f" and {len(already) - 5} more" if len(already) > 5 else "")
        plan.findings.append(Finding(WARNING, already[0][0], column("organisation" if "organisation" in mp else "acronym"), None,
                                     f"{len(already)} programme(s) of this sheet are already recorded (same partner, "
                                     f"country and support type{'' if 'start_date' not in mp else ' and start date'}): "
                                     f"skipped, nothing changes for them ({shown}).",
                                     "Nothing to do: a re-imported sheet only adds what is new."))
    if len(unread) == 1:
        plan.findings.append(Finding(WARNING, unread[0][0], column("activity"), None,
                                     f"No support type can be read from the sector or activity of {unread[0][1]}: read "
                                     "as technical assistance.", "Check the support type after import."))
    elif unread:
        plan.findings.append(Finding(WARNING, None, column("activity"), None,
                                     f"No support type can be read from the sector or activity of {len(unread)} "
                                     f"programme(s) (e.g. {', '.join(w for _, w in unread[:3])}): read as technical "
                                     "assistance (each says so in the preview).", "Check the support types after import."))
    return plan
