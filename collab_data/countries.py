"""Country resolution: any spelling or code -> ISO 3166 alpha-3 (plus Kosovo, XKX).

``resolve(text)`` accepts ISO2 / ISO3 / M49 numeric codes, the names used by ISO 3166
(pycountry), the World Bank, the UN (M49, CL_AREA), the OECD, Natural Earth, Open Data
Watch and common short or former names, in any case, with or without accents,
punctuation, "&"/"and", "St."/"Saint", "The ..." or comma/bracket inversions, and repairs
mojibake ("CÃ´te d'Ivoire"). Regional and income groups come back as aggregates.

It never guesses silently: an ambiguous text ("Congo", "Korea", "Virgin Islands"), a
former entity ("Netherlands Antilles", "Sudan [former]") or something that is no ISO
country ("Somaliland", "-99") returns ``iso3=None`` with a reason and suggestions. A
typo is matched approximately (difflib) only when one country is clearly best and no
easily confused neighbour (Niger/Nigeria, Guinea/Guinea-Bissau, ...) is close; such
matches have ``score < 1``.

Notes in brackets are read, never ignored blindly: a former name ("Eswatini (formerly
Swaziland)"), a local name, what the figures include or exclude ("Serbia (excluding
Kosovo)"), a UN resolution ("Kosovo (UNSCR 1244/99)") or the sovereign of a territory
("Guam (US)", "Saint Martin (France)"). A note naming another country ("Georgia (US)",
"Sudan (including South Sudan)") or one not understood leaves the text unresolved.

The name tables are built once, lazily, from pycountry, the explicit tables below, the
alias and territory tables in ``data/vocabulary`` (country_aliases.csv,
country_territories.csv: each row says where the spelling comes from) and the reference
files in ``data/reference`` (each optional); ``resolve`` is cached.
"""

from __future__ import annotations

import csv
import difflib
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

import pycountry

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"
VOCABULARY_DIR = Path(__file__).resolve().parent.parent / "data" / "vocabulary"

Kind = Literal["country", "aggregate", "unknown"]


@dataclass(frozen=True)
class CountryMatch:
    """Outcome of resolving one text.

    iso3: ISO 3166 alpha-3 code (or "XKX" for Kosovo) when kind == "country", else None.
    score: 1.0 for an exact code, name or known alias; < 1 for an approximate match.
    reason: short human explanation of how the text was (or was not) matched.
    suggestions: ISO3 codes, best first, for unknown/ambiguous texts (may be empty);
        for approximate matches the runner-ups.
    """

    iso3: str | None
    kind: Kind
    score: float
    reason: str
    suggestions: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------
# Explicit tables (readable on purpose: extend here)
# --------------------------------------------------------------------------------------

#: Entities that are countries for this app although ISO 3166 has no code for them.
EXTRA_COUNTRIES: dict[str, str] = {"XKX": "Kosovo"}

#: Common, short, former and other-organisation names -> ISO3 live in
#: ``data/vocabulary/country_aliases.csv`` (with where each spelling comes from), and the
#: territories with their sovereign in ``data/vocabulary/country_territories.csv``; both
#: are read once, with the other tables (see :func:`_aliases` and :func:`_territories`).

#: Extra words for the reason of an alias.
ALIAS_NOTES: dict[str, str] = {"Micronesia": " (also the name of an M49 sub-region)"}

#: Code-like aliases (matched on the whole text, case-insensitively) -> ISO3, or
#: "AGG:<name>" for an aggregate.
CODE_ALIASES: dict[str, str] = {
    "XKX": "XKX",  # World Bank code for Kosovo
    "KSV": "XKX",  # IMF / older World Bank code
    "XK": "XKX",  # user-assigned ISO2 used for Kosovo (EU, IMF)
    "ADO": "AND",  # old Andorra code (World Bank, ODIN)
    "ZAR": "COD",  # Zaire
    "ROM": "ROU",  # old Romania code (World Bank until 2002)
    "TMP": "TLS",  # East Timor
    "WBG": "PSE",  # West Bank and Gaza (World Bank)
    "UK": "GBR",  # EU / Eurostat
    "EL": "GRC",  # EU / Eurostat
    "DHY": "BEN",
    "HVO": "BFA",
    "NHB": "VUT",
    "RHO": "ZWE",
    "BYS": "BLR",
    "UAE": "ARE",
    "DRC": "COD",
    "ROK": "KOR",
    "EU": "AGG:European Union",
    "CHI": "AGG:Channel Islands",  # World Bank economy code: Jersey + Guernsey
}

#: ISO 3166-3 (pycountry historic) entities that were renamed, not split -> successor ISO3.
HISTORIC_RENAMED: dict[str, str] = {
    "BUR": "MMR", "TMP": "TLS", "ZAR": "COD", "DHY": "BEN", "HVO": "BFA", "NHB": "VUT",
    "RHO": "ZWE", "BYS": "BLR", "ATF": "ATF",
}

#: Suggestions shown with an aggregate that is a group of a few ISO countries.
AGGREGATE_MEMBERS: dict[str, list[str]] = {"Channel Islands": ["JEY", "GGY"]}

#: Texts that are ambiguous on their own -> candidate ISO3 codes, best first.
AMBIGUOUS: dict[str, list[str]] = {
    "Congo": ["COG", "COD"],
    "Korea": ["KOR", "PRK"],
    "Virgin Islands": ["VGB", "VIR"],
    "Saint Martin": ["MAF", "SXM"],
    "America": ["USA"],
    "Republic of China": ["TWN", "CHN"],
    "BUR": ["MMR", "BFA"],  # ISO historic code of Burma, IOC code of Burkina Faso
}

#: Former entities that have no single successor -> (description, successors).
FORMER: dict[str, tuple[str, list[str]]] = {
    "Netherlands Antilles": ("Netherlands Antilles (dissolved 2010)", ["CUW", "SXM", "BES"]),
    "ANT": ("Netherlands Antilles (dissolved 2010)", ["CUW", "SXM", "BES"]),
    "AN": ("Netherlands Antilles (dissolved 2010)", ["CUW", "SXM", "BES"]),
    "530": ("Netherlands Antilles (dissolved 2010)", ["CUW", "SXM", "BES"]),
    "Serbia and Montenegro": ("Serbia and Montenegro (until 2006)", ["SRB", "MNE"]),
    "SCG": ("Serbia and Montenegro (until 2006)", ["SRB", "MNE"]),
    "891": ("Serbia and Montenegro (until 2006)", ["SRB", "MNE"]),
    "Yugoslavia": ("Yugoslavia", ["SRB", "MNE", "HRV", "SVN", "BIH", "MKD", "XKX"]),
    "YUG": ("Yugoslavia", ["SRB", "MNE", "HRV", "SVN", "BIH", "MKD", "XKX"]),
    "890": ("Yugoslavia", ["SRB", "MNE", "HRV", "SVN", "BIH", "MKD", "XKX"]),
    "Czechoslovakia": ("Czechoslovakia (until 1992)", ["CZE", "SVK"]),
    "CSK": ("Czechoslovakia (until 1992)", ["CZE", "SVK"]),
    "200": ("Czechoslovakia (until 1992)", ["CZE", "SVK"]),
    "Soviet Union": ("USSR (until 1991)", ["RUS"]),
    "USSR": ("USSR (until 1991)", ["RUS"]),
    "SUN": ("USSR (until 1991)", ["RUS"]),
    "810": ("USSR (until 1991)", ["RUS"]),
    "East Germany": ("German Democratic Republic (until 1990)", ["DEU"]),
    "German Democratic Republic": ("German Democratic Republic (until 1990)", ["DEU"]),
    "DDR": ("German Democratic Republic (until 1990)", ["DEU"]),
    "278": ("German Democratic Republic (until 1990)", ["DEU"]),
    "West Germany": ("Federal Republic of Germany before 1990", ["DEU"]),
    "South Yemen": ("South Yemen (until 1990)", ["YEM"]),
    "YMD": ("South Yemen (until 1990)", ["YEM"]),
    "720": ("South Yemen (until 1990)", ["YEM"]),
    "North Vietnam": ("North Vietnam (until 1976)", ["VNM"]),
    "VDR": ("North Vietnam (until 1976)", ["VNM"]),
    "736": ("Sudan before the 2011 secession of South Sudan", ["SDN", "SSD"]),
}

#: Places that are no ISO 3166 country of their own -> (description, suggestions).
NOT_COUNTRIES: dict[str, tuple[str, list[str]]] = {
    "-99": ("Natural Earth placeholder code -99 (no ISO code)", []),
    "Somaliland": ("Somaliland: not an ISO 3166 country (part of Somalia)", ["SOM"]),
    "Northern Cyprus": ("Northern Cyprus: not an ISO 3166 country", ["CYP"]),
    "North Cyprus": ("Northern Cyprus: not an ISO 3166 country", ["CYP"]),
    "Turkish Republic of Northern Cyprus": ("Northern Cyprus: not an ISO 3166 country", ["CYP"]),
    "CYN": ("Natural Earth code for Northern Cyprus: not an ISO 3166 country", ["CYP"]),
    "SOL": ("non-ISO code: Natural Earth Somaliland or IOC Solomon Islands", ["SOM", "SLB"]),
    "Sark": ("Sark: part of the Bailiwick of Guernsey", ["GGY"]),
    "680": ("Sark: part of the Bailiwick of Guernsey", ["GGY"]),
    "England": ("England: part of the United Kingdom", ["GBR"]),
    "Scotland": ("Scotland: part of the United Kingdom", ["GBR"]),
    "Wales": ("Wales: part of the United Kingdom", ["GBR"]),
    "Northern Ireland": ("Northern Ireland: part of the United Kingdom", ["GBR"]),
    "Zanzibar": ("Zanzibar: part of Tanzania", ["TZA"]),
    "Abkhazia": ("Abkhazia: not an ISO 3166 country", ["GEO"]),
    "South Ossetia": ("South Ossetia: not an ISO 3166 country", ["GEO"]),
    "Transnistria": ("Transnistria: not an ISO 3166 country", ["MDA"]),
}

#: Aggregate names not (or not in this spelling) in the reference files.
AGGREGATE_NAMES: list[str] = [
    "World", "Global", "All countries",
    "Africa", "Americas", "Asia", "Europe", "Oceania", "Pacific Islands",
    "LDC", "LDCs", "Least Developed Countries",
    "LLDC", "LLDCs", "Landlocked developing countries", "Land-locked developing countries",
    "SIDS", "Small Island Developing States",
    "High income", "Upper middle income", "Lower middle income", "Middle income", "Low income",
    "Low and middle income",
    "OECD", "OECD members", "OECD countries",
    "European Union", "EU27", "EU28", "Euro area", "Eurozone",
    "Latin America & Caribbean", "East Asia & Pacific", "Europe & Central Asia",
    "Middle East & North Africa", "MENA", "South Asia", "Sub-Saharan Africa", "North America",
    "Arab States", "Arab World", "Asia and the Pacific", "Asia-Pacific",
    "Developing countries", "Developed countries", "Fragile states",
    "G7", "G20", "Channel Islands",
]

#: ISO3 -> short display name where pycountry's name is long or inverted.
DISPLAY_NAMES: dict[str, str] = {
    "BOL": "Bolivia",
    "BRN": "Brunei",
    "CIV": "Côte d'Ivoire",
    "COD": "Democratic Republic of the Congo",
    "COG": "Republic of the Congo",
    "FLK": "Falkland Islands",
    "FSM": "Micronesia",
    "GBR": "United Kingdom",
    "IRN": "Iran",
    "KOR": "South Korea",
    "LAO": "Laos",
    "MDA": "Moldova",
    "PRK": "North Korea",
    "PSE": "Palestine",
    "RUS": "Russia",
    "SHN": "Saint Helena",
    "SYR": "Syria",
    "TWN": "Taiwan",
    "TZA": "Tanzania",
    "USA": "United States",
    "VAT": "Holy See",
    "VEN": "Venezuela",
    "VGB": "British Virgin Islands",
    "VIR": "U.S. Virgin Islands",
    "VNM": "Vietnam",
    "XKX": "Kosovo",
}

#: Pairs and groups easily confused: approximate matching never picks one of them when
#: another member of the group is also close to the text.
CONFUSABLE: list[set[str]] = [
    {"NER", "NGA"},
    {"GIN", "GNB", "GNQ", "PNG"},
    {"SDN", "SSD"},
    {"DMA", "DOM"},
    {"COG", "COD"},
    {"KOR", "PRK"},
    {"VGB", "VIR"},
    {"WSM", "ASM"},
    {"AUT", "AUS"},
    {"SVK", "SVN"},
    {"IRN", "IRQ"},
    {"MLI", "MWI"},
    {"GMB", "ZMB"},
    {"MAF", "SXM"},
    {"IRL", "ISL"},
    {"MRT", "MUS"},
    {"PRY", "URY"},
    {"BHR", "BHS"},
    {"GRD", "GRL"},
    {"IND", "IDN"},
]

_EMPTY = {"", "nan", "none", "null", "nil", "n/a", "#n/a", "n.a.", "n.a", "-", "--", "---", "—", "–", ".", "..",
          "?", "unknown", "not applicable", "not specified", "missing"}

# --------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------
_TRANSLATE = str.maketrans({
    "’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "′": "'",
    "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss",
    "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "ı": "i", "–": "-", "—": "-",
})
_ABBREVIATIONS = {
    "st": "saint", "ste": "sainte", "dem": "democratic", "rep": "republic", "repub": "republic",
    "fed": "fed", "federated": "fed", "federation": "fed", "federal": "fed", "sts": "states", "is": "islands", "isl": "islands", "isls": "islands",
    "herz": "herzegovina", "eq": "equatorial", "fr": "french", "pdr": "peoples democratic republic",
    "dpr": "democratic peoples republic", "rb": "bolivarian republic", "dr": "democratic republic",
    "sar": "special administrative region", "fyr": "former yugoslav republic", "utd": "united",
    "s": "south", "n": "north", "w": "western", "e": "east", "et": "and",
    "br": "british", "terr": "territory", "territories": "territory", "occ": "occupied",
}
_STOP = {"the", "of", "and"}
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# a lead byte of UTF-8 (Ã, Â, â ...) followed by a continuation byte as cp1252/latin-1 shows it
_MOJIBAKE_HINT = re.compile(
    r"[\u00c0-\u00ff][\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]")
_FORMER_MARK = re.compile(r"[\[(]\s*former\s*[\])]", re.IGNORECASE)
_NUMERIC = re.compile(r"[+-]?\d+(?:\.0*)?")


def _repair_mojibake(text: str) -> str:
    """Undo UTF-8 text decoded as cp1252/latin-1 ("CÃ´te" -> "Côte"), when it round-trips."""
    for _ in range(2):
        if not _MOJIBAKE_HINT.search(text):
            return text
        raw = bytearray()
        for ch in text:
            try:
                raw += ch.encode("cp1252")
            except UnicodeEncodeError:
                if ord(ch) < 256:
                    raw.append(ord(ch))
                else:
                    return text
        try:
            fixed = raw.decode("utf-8")
        except UnicodeDecodeError:
            return text
        if fixed == text:
            return text
        text = fixed
    return text


def _tokens(text: str) -> list[str]:
    s = unicodedata.normalize("NFKD", text.translate(_TRANSLATE))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()
    s = s.replace("'", "").replace("&", " and ")
    raw = _NON_ALNUM.sub(" ", s).split()
    # "u s a" -> "usa"; "d ivoire" -> "divoire"
    joined: list[str] = []
    i = 0
    while i < len(raw):
        tok = raw[i]
        if len(tok) == 1 and i + 1 < len(raw) and len(raw[i + 1]) == 1:
            j = i
            while j < len(raw) and len(raw[j]) == 1:
                j += 1
            joined.append("".join(raw[i:j]))
            i = j
            continue
        if tok in ("d", "l") and i + 1 < len(raw):
            joined.append(tok + raw[i + 1])
            i += 2
            continue
        joined.append(tok)
        i += 1
    out: list[str] = []
    for tok in joined:
        out.extend(_ABBREVIATIONS.get(tok, tok).split())
    return [t for t in out if t != "the"]


def _keys(text: str) -> tuple[str, str]:
    """(normalised string, sorted token set without stop words) of a text."""
    toks = _tokens(_repair_mojibake(text))
    return " ".join(toks), " ".join(sorted(set(toks) - _STOP))


# --------------------------------------------------------------------------------------
# Lookup tables
# --------------------------------------------------------------------------------------
_ALIAS, _NAME, _DERIVED = 0, 1, 2  # priorities: explicit aliases beat source names beat derived forms


@dataclass
class _Tables:
    valid: set[str] = field(default_factory=set)
    alpha2: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)  # upper-case code -> target
    numeric: dict[int, str] = field(default_factory=dict)  # M49 / ISO numeric -> target
    # normalised key -> {target: (priority, reason)}; a target is an ISO3 code, "AGG:<name>"
    # for an aggregate, or "SPECIAL:<key>" for an entry of `special`.
    names: dict[str, dict[str, tuple[int, str]]] = field(default_factory=dict)
    tokens: dict[str, dict[str, tuple[int, str]]] = field(default_factory=dict)
    special: dict[str, CountryMatch] = field(default_factory=dict)
    aggregates: dict[str, str] = field(default_factory=dict)  # "AGG:<name>" -> reason
    code_reason: dict[str, str] = field(default_factory=dict)  # aggregate code ("WLD", "#2") -> reason
    fuzzy: dict[str, set[str]] = field(default_factory=dict)  # normalised name -> targets
    fuzzy_by_letter: dict[str, list[tuple[str, set[str]]]] = field(default_factory=dict)
    keys_of: dict[str, set[str]] = field(default_factory=dict)  # target -> its normalised names
    # normalised sub-national name (state, province, ...) -> ISO3 of the countries that have one
    subdivisions: dict[str, list[str]] = field(default_factory=dict)


def _read_csv(path: Path) -> list[dict[str, str]]:
    # csv keeps every cell as a string: "NA" (Namibia) stays "NA".
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            return [{k.strip(): (v or "").strip() for k, v in row.items()
                     if isinstance(k, str) and isinstance(v, (str, type(None)))}
                    for row in csv.DictReader(fh)]
    except (FileNotFoundError, PermissionError, UnicodeDecodeError, csv.Error):
        return []


def _read_vocabulary(name: str) -> list[dict[str, str]]:
    """A CSV of ``data/vocabulary`` whose first lines may be ``#`` comments (where the rows come from)."""
    try:
        with open(VOCABULARY_DIR / name, encoding="utf-8-sig", newline="") as fh:
            lines = [line for line in fh if not line.lstrip().startswith("#")]
    except (FileNotFoundError, PermissionError, UnicodeDecodeError):
        return []
    return [{k.strip(): (v or "").strip() for k, v in row.items() if isinstance(k, str) and isinstance(v, (str, type(None)))}
            for row in csv.DictReader(lines)]


@lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    """Spelling -> ISO3, from ``data/vocabulary/country_aliases.csv`` (read once)."""
    return {r["spelling"]: r["iso3"].upper() for r in _read_vocabulary("country_aliases.csv")
            if r.get("spelling") and r.get("iso3")}


@lru_cache(maxsize=1)
def _territories() -> dict[str, str]:
    """Territory ISO3 -> the ISO3 of the country it belongs to (``data/vocabulary/country_territories.csv``)."""
    return {r["iso3"].upper(): r["sovereign_iso3"].upper() for r in _read_vocabulary("country_territories.csv")
            if r.get("iso3") and r.get("sovereign_iso3")}


def sovereign_of(iso3: str | None) -> str | None:
    """The country a territory belongs to ("GUM" -> "USA"); None for a country of its own."""
    return _territories().get((iso3 or "").upper())


def _m49(code: str) -> int | None:
    return int(float(code)) if _NUMERIC.fullmatch(code or "") and not code.startswith("-") else None


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    t = _Tables()

    def add_name(text: str, target: str, prio: int, reason: str, derive: bool = True) -> None:
        if not text or not text.strip():
            return
        key, tok = _keys(text)
        if not key:
            return
        for index, k in ((t.names, key), (t.tokens, tok)):
            slot = index.setdefault(k, {})
            if target not in slot or slot[target][0] > prio:
                slot[target] = (prio, reason)
        if len(key) >= 4:
            t.fuzzy.setdefault(key, set()).add(target)
            t.keys_of.setdefault(target, set()).add(key)
        if derive and prio == _NAME:
            # "Bolivia (Plurinational State of)" -> "Bolivia"; "X, Republic of" is covered
            # by the token-set key.
            outer = re.sub(r"\s*[\[(][^\])]*[\])]", " ", text).strip()
            if outer and outer != text:
                add_name(outer, target, _DERIVED, f"short form of '{text}'", derive=False)
                for inner in re.findall(r"[\[(]([^\])]*)[\])]", text):
                    if target.startswith("AGG:") and inner.strip().upper() not in ("WB", "UN"):
                        add_name(inner, target, _DERIVED, f"short form of '{text}'", derive=False)

    def add_aggregate(name: str, source: str, code: str = "", prio: int = _NAME,
                      code_key: str | int | None = None) -> str:
        """Register an aggregate name (and optionally its code, str or M49 int)."""
        target = f"AGG:{' '.join(name.split())}"
        label = f"aggregate: {source} '{' '.join(name.split())}'" + (f" ({code})" if code else "")
        t.aggregates.setdefault(target, label)
        add_name(name, target, prio, t.aggregates[target])
        if isinstance(code_key, int):
            if code_key not in t.numeric:
                t.numeric[code_key] = target
                t.code_reason[f"#{code_key}"] = label
        elif code_key and code_key not in t.codes:
            t.codes[code_key] = target
            t.code_reason[code_key] = label
        return target

    def add_special(text: str, match: CountryMatch) -> None:
        if _NUMERIC.fullmatch(text.strip()):
            t.numeric[int(float(text))] = f"SPECIAL:{text}"
            t.special[f"SPECIAL:{text}"] = match
            return
        target = f"SPECIAL:{text}"
        t.special[target] = match
        if re.fullmatch(r"[A-Za-z]{2,3}", text):
            t.codes[text.upper()] = target
            return
        add_name(text, target, _ALIAS, match.reason, derive=False)

    # --- ISO 3166 via pycountry
    for c in pycountry.countries:
        t.valid.add(c.alpha_3)
        t.alpha2[c.alpha_2] = c.alpha_3
        t.codes[c.alpha_3] = c.alpha_3
        t.codes[c.alpha_2] = c.alpha_3
        t.numeric[int(c.numeric)] = c.alpha_3
        add_name(c.name, c.alpha_3, _NAME, "ISO 3166 name")
        for attr, label in (("official_name", "ISO 3166 official name"), ("common_name", "common name")):
            value = getattr(c, attr, None)
            if value:
                add_name(value, c.alpha_3, _NAME, label)
    for code, name in EXTRA_COUNTRIES.items():
        t.valid.add(code)
        t.codes[code] = code
        add_name(name, code, _NAME, "World Bank name")

    # --- reference files (each optional)
    wb = _read_csv(REFERENCE_DIR / "wb_class_income_groups_fy26.csv")
    blank = next((i for i, row in enumerate(wb) if not row.get("Economy") and not row.get("Code")), len(wb))
    # aggregate block first (after the blank separator rows), so its codes label the groups
    for row in wb[blank:]:
        name, code = row.get("Economy", ""), row.get("Code", "").upper()
        if name:
            add_aggregate(name, "World Bank", code, code_key=code)
    for row in wb[:blank]:
        name, code = row.get("Economy", ""), row.get("Code", "").upper()
        if code in t.valid:
            add_name(name, code, _NAME, "World Bank name")
        elif CODE_ALIASES.get(code, "") in t.valid:
            add_name(name, CODE_ALIASES[code], _NAME, "World Bank name")
        elif name and code not in CODE_ALIASES:  # an economy without an ISO code
            add_aggregate(name, "World Bank economy without ISO code", code, code_key=code)
        for group in (row.get("Region", ""), row.get("Income group", "")):
            if group:
                add_aggregate(group, "World Bank group")

    for row in _read_csv(REFERENCE_DIR / "unsd_m49_country_groups_ldc_lldc_sids.csv"):
        iso3, name = row.get("ISO-alpha3 Code", "").upper(), row.get("Country or Area", "")
        num = _m49(row.get("M49 Code", ""))
        if iso3 in t.valid:
            add_name(name, iso3, _NAME, "UN M49 name")
            if num is not None:
                t.numeric.setdefault(num, iso3)
        for code_col, name_col in (("Global Code", "Global Name"), ("Region Code", "Region Name"),
                                   ("Sub-region Code", "Sub-region Name"),
                                   ("Intermediate Region Code", "Intermediate Region Name")):
            gname, gnum = row.get(name_col, ""), _m49(row.get(code_col, ""))
            if gname:
                add_aggregate(gname, "UN M49 region", row.get(code_col, "").zfill(3), code_key=gnum)

    cl_rows = _read_csv(REFERENCE_DIR / "unsd_m49_area_codelist_CL_AREA.csv")
    for row in cl_rows:
        level, name, iso3 = row.get("GEOLEVEL_Desc", ""), row.get("REF_AREA_DESC", ""), row.get("ISO3", "").upper()
        num = _m49(row.get("REF_AREA", ""))
        if level == "Country or Area":
            if iso3 in t.valid:
                add_name(name, iso3, _NAME, "UN M49 name")
                if num is not None:
                    t.numeric.setdefault(num, iso3)
        elif level and level != "Subnational":
            add_aggregate(name, f"UN M49 {level.lower()}", row.get("REF_AREA", "").zfill(3), code_key=num)

    try:
        doc = json.loads((REFERENCE_DIR / "ne_110m_countries.geojson").read_text(encoding="utf-8"))
        features = doc.get("features", [])
    except (OSError, ValueError):
        features = []
    for feat in features:
        props = feat.get("properties") or {}
        name, iso3 = str(props.get("name", "")), str(props.get("iso_a3", "")).upper()
        if iso3 in t.valid:
            add_name(name, iso3, _NAME, "Natural Earth name")

    # --- explicit tables
    for text, iso3 in _aliases().items():
        add_name(text, iso3, _ALIAS, f"alias of '{name_of_code(iso3)}'" + ALIAS_NOTES.get(text, ""))
    for code, target in CODE_ALIASES.items():
        if target.startswith("AGG:"):
            target = add_aggregate(target[4:], "group", prio=_ALIAS)
            t.code_reason[code] = f"{t.aggregates[target]}, code {code}"
        t.codes[code] = target
    for text, cands in AMBIGUOUS.items():
        add_special(text, CountryMatch(None, "unknown", 0.0, "ambiguous: could be " + " or ".join(cands), list(cands)))
    for text, (desc, succ) in FORMER.items():
        add_special(text, CountryMatch(None, "unknown", 0.0, f"former entity: {desc}", list(succ)))
    for text, (desc, sugg) in NOT_COUNTRIES.items():
        add_special(text, CountryMatch(None, "unknown", 0.0, desc, list(sugg)))
    for h in pycountry.historic_countries:  # former entities pycountry knows
        successor = HISTORIC_RENAMED.get(h.alpha_3)
        if successor:
            add_name(h.name, successor, _DERIVED, f"former name of '{name_of_code(successor)}'", derive=False)
            continue
        former = CountryMatch(None, "unknown", 0.0, f"former entity: {h.name}", [])
        if h.alpha_3 not in t.codes:
            add_special(h.alpha_3, former)
        if _keys(h.name)[0] not in t.names:
            add_special(h.name, former)
    for name in AGGREGATE_NAMES:
        add_aggregate(name, "group", prio=_ALIAS)


    # --- sub-national names (pycountry ISO 3166-2 and CL_AREA's subnational rows): never a
    # country themselves, they only stop "Lagos" or "Somali" from matching a country approximately
    subdivisions = [(sub.name, sub.country_code) for sub in pycountry.subdivisions]
    subdivisions += [(row.get("REF_AREA_DESC", ""), row.get("REF_AREA", "")[:2].upper())
                     for row in cl_rows if row.get("GEOLEVEL_Desc") == "Subnational"]
    for name, alpha2 in subdivisions:
        parent = t.alpha2.get(alpha2)
        if not parent or not name:
            continue
        for k in _keys(name):
            if k and k not in t.names and k not in t.tokens:
                parents = t.subdivisions.setdefault(k, [])
                if parent not in parents:
                    parents.append(parent)

    for key, targets in t.fuzzy.items():
        t.fuzzy_by_letter.setdefault(key[0], []).append((key, targets))
    return t


# --------------------------------------------------------------------------------------
# Resolution
# --------------------------------------------------------------------------------------
def _unknown(reason: str, suggestions: list[str] | None = None) -> CountryMatch:
    return CountryMatch(None, "unknown", 0.0, reason, list(suggestions or []))


def _from_target(t: _Tables, target: str, reason: str, score: float = 1.0,
                 suggestions: list[str] | None = None) -> CountryMatch:
    if target.startswith("SPECIAL:"):
        return t.special[target]
    if target.startswith("AGG:"):
        return CountryMatch(None, "aggregate", score, reason or t.aggregates.get(target, "aggregate"),
                            list(suggestions or AGGREGATE_MEMBERS.get(target[4:], [])))
    return CountryMatch(target, "country", score, reason, list(suggestions or []))


def _pick(t: _Tables, slot: dict[str, tuple[int, str]], variant: str = "") -> CountryMatch:
    """The match for one key: the targets of its best priority; several countries -> ambiguous."""
    best = min(p for p, _ in slot.values())
    top = {target: reason for target, (p, reason) in slot.items() if p == best}
    countries = [target for target in top if not target.startswith("AGG:")]
    if not countries:  # only aggregates (several sources may name the same group)
        target = next(iter(top))
        return _from_target(t, target, top[target] + variant)
    if len(countries) == 1:
        return _from_target(t, countries[0], top[countries[0]] + variant)
    cands = [c for c in countries if not c.startswith("SPECIAL:")]
    return _unknown("ambiguous: could be " + " or ".join(cands), cands)


def _confusable_with(iso3: str) -> set[str]:
    out: set[str] = set()
    for group in CONFUSABLE:
        if iso3 in group:
            out |= group - {iso3}
    return out


_FUZZY_MIN = 0.85  # similarity needed for an approximate match
_FUZZY_MIN_SHORT = 0.9  # ... of a text shorter than 7 characters
_FUZZY_MARGIN = 0.05  # ... and lead over the runner-up


def _similarity(key: str, candidates, floor: float = 0.6) -> dict[str, float]:
    """Best difflib ratio (>= floor) of `key` per target over (name, targets) candidates."""
    scores: dict[str, float] = {}
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(key)
    for cand, targets in candidates:
        matcher.set_seq1(cand)
        if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
            continue
        r = matcher.ratio()
        if r < floor:
            continue
        for target in targets:
            if scores.get(target, 0.0) < r:
                scores[target] = r
    return scores


def _fuzzy(t: _Tables, key: str, shown: str) -> CountryMatch:
    """Approximate (difflib) match, only when one target is clearly best.

    Typos rarely hit the first letter, so only names with the same first letter compete
    (which also keeps this fast); short texts need a closer match.
    """
    if len(key) < 4:
        return _unknown(f"no match for '{shown}'")
    scores = _similarity(key, t.fuzzy_by_letter.get(key[0], []))
    needed = _FUZZY_MIN if len(key) >= 7 else _FUZZY_MIN_SHORT
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], len(kv[0])))
    countries = [(tg, r) for tg, r in ranked if not tg.startswith(("AGG:", "SPECIAL:"))]
    if not ranked or ranked[0][1] < needed:
        return _unknown(f"no match for '{shown}'", [tg for tg, r in countries[:5] if r >= 0.6])
    best, ratio = ranked[0]
    if best.startswith("AGG:"):
        # aggregates with near-identical names are one group here: compare with countries only
        runner = countries[0][1] if countries else 0.0
        if ratio - runner < _FUZZY_MARGIN:
            return _unknown(f"ambiguous: '{shown}' is close to several names", [tg for tg, _ in countries[:5]])
        return CountryMatch(None, "aggregate", round(ratio, 3),
                            f"approximate match to {t.aggregates.get(best, best)} ({ratio:.2f})", [])
    runner = ranked[1][1] if len(ranked) > 1 else 0.0
    if best.startswith("SPECIAL:"):
        return t.special[best] if ratio - runner >= _FUZZY_MARGIN else _unknown(
            f"ambiguous: '{shown}' is close to several names", [tg for tg, _ in countries[:5]])
    neighbours = _confusable_with(best)
    close = list(_similarity(key, [(k, {tg}) for tg in neighbours for k in t.keys_of.get(tg, ())], floor=0.5))
    if close:
        cands = [best] + close
        return _unknown("ambiguous: could be " + " or ".join(cands), cands)
    if ratio - runner < _FUZZY_MARGIN:
        return _unknown(f"ambiguous: '{shown}' is close to several names",
                        [tg for tg, r in countries[:5] if r >= _FUZZY_MIN - 0.1])
    others = [tg for tg, r in countries[1:4] if r >= 0.75]
    return CountryMatch(best, "country", round(ratio, 3),
                        f"approximate match of '{shown}' to '{name_of_code(best)}' ({ratio:.2f})", others)


@lru_cache(maxsize=131072)
def _resolve_text(text: str) -> CountryMatch:
    t = _tables()
    if text.casefold() in _EMPTY:
        return _unknown("empty")
    text = _repair_mojibake(text)
    if _FORMER_MARK.search(text):
        base = _FORMER_MARK.sub(" ", text).strip()
        inner = _resolve_text(base) if base else _unknown("empty")
        sugg = [inner.iso3, *sorted(_confusable_with(inner.iso3))] if inner.iso3 else list(inner.suggestions)
        return _unknown(f"former entity: '{text}'", sugg)

    # --- codes
    if _NUMERIC.fullmatch(text):
        n = int(float(text))
        target = t.numeric.get(n)
        if target is None:
            return _unknown(f"unknown numeric code '{text}'")
        if target.startswith("AGG:"):
            return _from_target(t, target, t.code_reason.get(f"#{n}", ""))
        return _from_target(t, target, "M49 / ISO numeric code")
    if re.fullmatch(r"[A-Za-z]{2,3}", text):
        code = text.upper()
        target = t.codes.get(code)
        if target is not None:
            if target.startswith(("AGG:", "SPECIAL:")):
                return _from_target(t, target, t.code_reason.get(code, ""))
            if code in CODE_ALIASES:
                return _from_target(t, target, f"non-ISO code {code} for '{name_of_code(target)}'")
            return _from_target(t, target, f"ISO{len(code)} code")
        if len(code) == 2 and _keys(text)[0] not in t.names:
            return _unknown(f"unknown code '{text}'")

    # --- names
    key, tok = _keys(text)
    if not key:
        return _unknown("empty")
    if key in t.names:
        return _pick(t, t.names[key])
    if tok in t.tokens:
        return _pick(t, t.tokens[tok], " (reordered)")
    if _NOTE.search(text):
        noted = _noted(t, text)
        if noted is not None:
            return noted
    parents = t.subdivisions.get(key) or t.subdivisions.get(tok)
    if parents:
        return _unknown("sub-national region of " + " or ".join(name_of_code(p) for p in parents[:3]), parents)
    return _fuzzy(t, key, text)


# --------------------------------------------------------------------------------------
# Notes in brackets: "Eswatini (formerly Swaziland)", "Serbia (excluding Kosovo)",
# "Cyprus (local name: Kypros)", "Kosovo (UNSCR 1244/99)", "Guam (US)"
# --------------------------------------------------------------------------------------
_NOTE = re.compile(r"\s*[\[(]([^\[\]()]*)[\])]")
_NOTE_FORMER = re.compile(r"^(?:formerly(?:\s+known\s+as)?|former(?:ly)?\s+name\s*:?|former|previously|ex\.?|old\s+name\s*:?)\s+(.+)$", re.I)
_NOTE_LOCAL = re.compile(r"^(?:local(?:\s+short)?|native|official)\s+name\s*:?", re.I)
_NOTE_INCLUDING = re.compile(r"^(?:including|incl\.?|inc\.?|with)\s+(.+)$", re.I)
_NOTE_EXCLUDING = re.compile(r"^(?:excluding|excl\.?|except|without|not\s+including)\b", re.I)
_NOTE_RESOLUTION = re.compile(r"\b(?:UNSCR|UNSC|UNGA|resolution|res\.?)\b|\b1244\b", re.I)
#: Notes that say nothing about which country it is.
_NOTE_NEUTRAL = {"disputed", "provisional", "country", "mainland", "metropolitan", "total", "national",
                 "whole country", "all", "estimate", "estimates"}
#: Places an "including ..." note may add to a country without naming a second one (a
#: territory of that country is fine too): Kosovo in Serbia's figures, Western Sahara in Morocco's.
_INCLUDED_DISPUTED = {"XKX", "ESH"}


def _note_country(t: _Tables, note: str) -> CountryMatch:
    """A note's own country ("US", "U.K.", "Fr.", "France")."""
    m = _resolve_text(note)
    if m.kind != "country":
        letters = re.sub(r"[^A-Za-z]", "", note)
        if 2 <= len(letters) <= 3 and letters.upper() in t.codes:
            m = _resolve_text(letters)
    return m


def _noted(t: _Tables, text: str) -> CountryMatch | None:
    """A name followed by notes in brackets: the name decides, and each note must agree with
    it (a former or local name of the same country, what the figures include or exclude, a UN
    resolution, the territory's sovereign). A note naming another country leaves the text
    unresolved with both as suggestions; with a note that is not understood, None (the whole
    text is then matched like any other: at most approximately, never by its first words)."""
    notes = [n.strip() for n in _NOTE.findall(text)]
    outer = " ".join(_NOTE.sub(" ", text).split()).rstrip("*").strip()
    if not outer or not notes:
        return None
    base = _resolve_text(outer)
    cands = [base.iso3] if base.kind == "country" else [s for s in base.suggestions if s in t.valid]
    ambiguous = base.kind != "country" and base.reason.startswith("ambiguous")
    if base.kind == "aggregate" or (base.kind != "country" and not ambiguous):
        return None
    chosen = base.iso3
    why: list[str] = []
    for note in notes:
        if not note or note.casefold().strip(". ") in _NOTE_NEUTRAL | {"the"}:
            continue
        if _NOTE_LOCAL.match(note) or _NOTE_EXCLUDING.match(note) or (_NOTE_RESOLUTION.search(note) and chosen):
            why.append(note)
            continue
        inc = _NOTE_INCLUDING.match(note)
        if inc:
            parts = [inc.group(1), *re.split(r",|;|/|&|\band\b", inc.group(1))]
            for part in parts:
                m = _resolve_text(part.strip()) if part.strip() else _unknown("empty")
                if (m.kind == "country" and m.iso3 not in cands and m.iso3 not in _INCLUDED_DISPUTED
                        and sovereign_of(m.iso3) not in cands):
                    return _unknown(f"'{text}' names two countries: {' and '.join([*cands, m.iso3])}",
                                    [*cands, m.iso3])
            why.append(note)
            continue
        former = _NOTE_FORMER.match(note)
        m = _note_country(t, former.group(1) if former else note)
        if m.kind != "country":
            if former and chosen and (m.iso3 is None and (not m.suggestions or chosen in m.suggestions)):
                why.append(note)  # a former name we do not know, or a former entity this country succeeded
                continue
            return None  # a note not understood: the whole text is matched as before (approximately at most)
        if m.iso3 in cands:
            chosen = m.iso3
        else:
            owned = [c for c in cands if sovereign_of(c) == m.iso3]
            if former or len(owned) != 1:
                return _unknown(f"ambiguous: '{text}' names {' and '.join([*cands, m.iso3])}", [*cands, m.iso3])
            chosen = owned[0]
        why.append(note)
    if chosen is None:
        return _unknown(f"ambiguous: could be {' or '.join(cands)}", cands)
    score = base.score if base.iso3 == chosen else 1.0
    return CountryMatch(chosen, "country", score, f"'{outer}' with the note(s) {', '.join(why) or 'ignored'}", [])


def resolve(text: str) -> CountryMatch:
    """Resolve a country name or code (any common spelling) to an ISO3 code.

    Returns a ``CountryMatch``: kind "country" with ``iso3`` set, kind "aggregate" for
    regional / income groups, or kind "unknown" (``iso3`` None) for empty, ambiguous,
    former or unrecognised texts, with ISO3 suggestions best first.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return _unknown("empty")
    m = _resolve_text(" ".join(str(text).split()))
    return CountryMatch(m.iso3, m.kind, m.score, m.reason, list(m.suggestions))


def resolve_many(cell: str) -> list[CountryMatch]:
    """Resolve every part of a multi-country cell split on ';' or '|' (not on commas)."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return []
    return [resolve(part) for part in re.split(r"[;|]", str(cell)) if part.strip()]


def name_of_code(iso3: str) -> str:
    """Display name of an ISO3 code (no name-table lookup); the code itself if unknown."""
    code = (iso3 or "").strip().upper()
    if code in DISPLAY_NAMES:
        return DISPLAY_NAMES[code]
    if code in EXTRA_COUNTRIES:
        return EXTRA_COUNTRIES[code]
    c = pycountry.countries.get(alpha_3=code) if len(code) == 3 else None
    if c is None:
        return iso3
    return getattr(c, "common_name", None) or c.name


def name_of(iso3: str) -> str:
    """Short readable display name of an ISO3 code ("COD" -> "Democratic Republic of the Congo").

    Also accepts other codes or spellings that resolve to a country, and aggregate codes
    ("WLD" -> "World"); falls back to the text given.
    """
    if iso3 is None:
        return ""
    code = str(iso3).strip()
    upper = code.upper()
    if upper in DISPLAY_NAMES or upper in EXTRA_COUNTRIES or (
            len(upper) == 3 and pycountry.countries.get(alpha_3=upper) is not None):
        return name_of_code(upper)
    m = resolve(code)
    if m.iso3:
        return name_of_code(m.iso3)
    if m.kind == "aggregate":
        found = re.search(r"'(.+)'", m.reason)
        if found:
            return found.group(1)
    return code
