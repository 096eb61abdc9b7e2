"""Readers for the bundled public source files in ``data/``.

Each loader is a pure function: a file path in, a tidy DataFrame out. Each handles
the quirks of its file (listed in ``data/SOURCES.md``) and stops with a
:class:`SourceError` that names the file, the line and the problem when the file is
not what it should be.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from collab_data import countries


class SourceError(Exception):
    """A bundled source file is malformed."""

    def __init__(self, path: str | Path, line: int | None, problem: str, column: str | None = None):
        self.path = Path(path)
        self.line = line
        self.column = column
        self.problem = problem
        where = f"line {line}" if line is not None else "file"
        if column:
            where += f", column '{column}'"
        super().__init__(f"{self.path.name}: {where}: {problem}")


@dataclass
class Skipped:
    """Rows a loader left out on purpose (aggregates, former states ...), for the report."""

    items: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.items.append(text)


def clean_header(name: str) -> str:
    """Header names with BOMs, embedded newlines or runs of spaces, made plain."""
    return " ".join(name.replace("\ufeff", "").split())


def read_csv_lines(path: str | Path, *, required: list[str], delimiter: str = ",") -> pd.DataFrame:
    """Read a CSV as text, keeping the physical line number of every record in ``_line``.

    Every cell is a stripped string ("" for empty: no NA guessing, so Namibia's "NA"
    stays "NA"). Fails with the file and line when the file cannot be decoded, a
    record has more cells than the header, or a required column is missing.
    """
    path = Path(path)
    try:
        fh = path.open("r", encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise SourceError(path, None, f"cannot be opened ({exc.strerror})") from exc
    records: list[list[str]] = []
    lines: list[int] = []
    with fh:
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            header = next(reader, None)
            if not header:
                raise SourceError(path, 1, "the file is empty: a header row is expected")
            header = [clean_header(h) for h in header]
            missing = [c for c in required if c not in header]
            if missing:
                raise SourceError(path, 1, f"missing column(s) {', '.join(map(repr, missing))}; found {header}")
            width = len(header)
            start = reader.line_num + 1
            for row in reader:
                if len(row) > width and any(c.strip() for c in row[width:]):
                    raise SourceError(path, start, f"{len(row)} cells but the header has {width}")
                row = [c.strip() for c in row[:width]] + [""] * (width - len(row))
                records.append(row)
                lines.append(start)
                start = reader.line_num + 1
        except UnicodeDecodeError as exc:
            raise SourceError(path, None, f"is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
        except csv.Error as exc:
            raise SourceError(path, reader.line_num, f"is not valid CSV ({exc})") from exc
    frame = pd.DataFrame(records, columns=header, dtype=object)
    frame["_line"] = lines
    return frame


def to_int(frame: pd.DataFrame, column: str, path: Path, *, allow_blank: bool = True) -> pd.Series:
    def conv(value: str, line: int):
        if value == "":
            if allow_blank:
                return None
            raise SourceError(path, line, "a whole number is required, the cell is empty", column)
        try:
            f = float(value)
        except ValueError:
            raise SourceError(path, line, f"{value!r} is not a number", column) from None
        if f != int(f):
            raise SourceError(path, line, f"{value!r} is not a whole number", column)
        return int(f)

    return pd.Series([conv(v, ln) for v, ln in zip(frame[column], frame["_line"])], index=frame.index, dtype="Int64")


def to_float(frame: pd.DataFrame, column: str, path: Path, *, lo: float | None = None, hi: float | None = None) -> pd.Series:
    def conv(value: str, line: int):
        if value == "":
            return None
        try:
            f = float(value)
        except ValueError:
            raise SourceError(path, line, f"{value!r} is not a number", column) from None
        if (lo is not None and f < lo) or (hi is not None and f > hi):
            raise SourceError(path, line, f"{value} is outside {lo}..{hi}", column)
        return f

    return pd.Series([conv(v, ln) for v, ln in zip(frame[column], frame["_line"])], index=frame.index, dtype="Float64")


def check_values(frame: pd.DataFrame, column: str, allowed: set[str], path: Path) -> None:
    bad = frame[~frame[column].isin(allowed)]
    if not bad.empty:
        row = bad.iloc[0]
        raise SourceError(path, int(row["_line"]), f"{row[column]!r} is not one of {sorted(allowed)}", column)


# --------------------------------------------------------------------------------------
# Reference data
# --------------------------------------------------------------------------------------
INCOME_GROUPS = {"Low income", "Lower middle income", "Upper middle income", "High income"}
LENDING = {"IDA", "IBRD", "Blend"}


def load_wb_income(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """World Bank CLASS: (economies, aggregates).

    Economies come first; a blank separator row divides them from the aggregates
    (regions, income groups ...), which have no region or income group.
    """
    raw = read_csv_lines(path, required=["Economy", "Code", "Region", "Income group", "Lending category"])
    blank = (raw[["Economy", "Code", "Region", "Income group", "Lending category"]] == "").all(axis=1)
    if not blank.any():
        raise SourceError(path, None, "no blank separator row between economies and aggregates")
    first_blank = int(blank.values.argmax())
    econ = raw.iloc[:first_blank]
    aggr = raw.iloc[first_blank:][~blank.iloc[first_blank:]]
    for _, row in econ.iterrows():
        if not re.fullmatch(r"[A-Z]{3}", row["Code"]):
            raise SourceError(path, int(row["_line"]), f"economy code {row['Code']!r} is not three capital letters", "Code")
        if not row["Economy"]:
            raise SourceError(path, int(row["_line"]), "economy name is empty", "Economy")
    check_values(econ, "Income group", INCOME_GROUPS | {""}, path)
    check_values(econ, "Lending category", LENDING | {""}, path)
    economies = pd.DataFrame(
        {
            "wb_code": econ["Code"],
            "wb_name": econ["Economy"],
            "wb_region": econ["Region"].replace("", None),
            "income_group": econ["Income group"].replace("", None),
            "lending_category": econ["Lending category"].replace("", None),
        }
    ).reset_index(drop=True)
    aggregates = pd.DataFrame({"code": aggr["Code"], "name": aggr["Economy"]}).reset_index(drop=True)
    return economies, aggregates


def load_m49_groups(path: Path, skipped: Skipped | None = None) -> pd.DataFrame:
    """UN M49 areas with LDC / LLDC / SIDS flags (the flag columns hold "x" or nothing)."""
    flags = {
        "is_ldc": "Least Developed Countries (LDC)",
        "is_lldc": "Land Locked Developing Countries (LLDC)",
        "is_sids": "Small Island Developing States (SIDS)",
    }
    raw = read_csv_lines(
        path,
        required=["Region Name", "Sub-region Name", "Country or Area", "M49 Code", "ISO-alpha2 Code", "ISO-alpha3 Code", *flags.values()],
    )
    for col in flags.values():
        check_values(raw, col, {"x", "X", ""}, path)
    no_code = raw["ISO-alpha3 Code"] == ""  # Sark: an M49 area without an ISO code
    if skipped is not None:
        for name in raw.loc[no_code, "Country or Area"]:
            skipped.add(f"{path.name}: {name!r} has no ISO 3166 code")
    raw = raw[~no_code]
    bad = raw[~raw["ISO-alpha3 Code"].str.fullmatch(r"[A-Z]{3}")]
    if not bad.empty:
        r = bad.iloc[0]
        raise SourceError(path, int(r["_line"]), f"ISO3 code {r['ISO-alpha3 Code']!r} is not three capital letters", "ISO-alpha3 Code")
    out = pd.DataFrame(
        {
            "iso3": raw["ISO-alpha3 Code"],
            "iso2": raw["ISO-alpha2 Code"].replace("", None),
            "m49": to_int(raw, "M49 Code", path, allow_blank=False),
            "un_name": raw["Country or Area"],
            "un_region": raw["Region Name"].replace("", None),
            "un_subregion": raw["Sub-region Name"].replace("", None),
        }
    )
    for key, col in flags.items():
        out[key] = raw[col].str.lower().eq("x")
    return out.reset_index(drop=True)


def load_cl_area(path: Path) -> pd.DataFrame:
    """UNSD CL_AREA: centroid lon/lat, SDG region and UN membership of countries or areas."""
    raw = read_csv_lines(path, required=["REF_AREA", "REF_AREA_DESC", "ISO3", "X", "Y", "SDG_REGION", "UNmember", "GEOLEVEL_Desc"])
    rows = raw[(raw["GEOLEVEL_Desc"] == "Country or Area") & (raw["ISO3"] != "")]
    return pd.DataFrame(
        {
            "iso3": rows["ISO3"],
            "cl_name": rows["REF_AREA_DESC"],
            "lon": to_float(rows, "X", path, lo=-180, hi=180),
            "lat": to_float(rows, "Y", path, lo=-90, hi=90),
            "sdg_region": rows["SDG_REGION"].replace("", None),
            "un_member": rows["UNmember"].isin(["1", "1.0"]),
        }
    ).drop_duplicates("iso3").reset_index(drop=True)


def load_ne_shapes(path: Path, skipped: Skipped | None = None) -> pd.DataFrame:
    """Natural Earth 1:110m outlines as (iso3, GeoJSON geometry text).

    Features whose iso_a3 is "-99" (Kosovo, Northern Cyprus, Somaliland) are resolved
    by name; those that are no ISO country are left out.
    """
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SourceError(path, exc.lineno, f"is not valid JSON ({exc.msg})") from exc
    features = doc.get("features")
    if doc.get("type") != "FeatureCollection" or not isinstance(features, list):
        raise SourceError(path, 1, "is not a GeoJSON FeatureCollection")
    out = []
    for i, feat in enumerate(features):
        props = feat.get("properties") or {}
        geom = feat.get("geometry")
        if not geom or geom.get("type") not in ("Polygon", "MultiPolygon"):
            raise SourceError(path, None, f"feature {i} ({props.get('name')!r}) has no polygon geometry")
        code = str(props.get("iso_a3", ""))
        if not re.fullmatch(r"[A-Z]{3}", code):
            match = countries.resolve(str(props.get("name", "")))
            if match.iso3 is None:
                if skipped is not None:
                    skipped.add(f"map outline {props.get('name')!r} (no ISO code)")
                continue
            code = match.iso3
        out.append({"iso3": code, "geometry": json.dumps(geom, separators=(",", ":"))})
    return pd.DataFrame(out).drop_duplicates("iso3").reset_index(drop=True)


# --------------------------------------------------------------------------------------
# LNOB data-gap indicators
# --------------------------------------------------------------------------------------
UNSD = "UN Statistics Division, Minimum Set of Gender Indicators (2021 vintage)"
ODIN = "Open Data Watch, Open Data Inventory (ODIN) 2022"
GDC = "Open Data Watch, Gender Data Compass survey availability (retrieved 18 Nov 2025)"
UNSD_URL = "https://github.com/UNStats/gender_data_portal"
ODIN_URL = "https://odin.opendatawatch.com"
GDC_URL = "https://opendatawatch.com"

#: Every LNOB indicator the build loads: id -> metadata.
INDICATORS: dict[str, dict] = {
    "gda_pct_any": dict(name="Gender series with any data", unit="percent", dimension_id=None,
                        description="Share of the 89 minimum-set gender series for which the country has any data point.",
                        source=UNSD, source_url=UNSD_URL, licence="UN terms of use"),
    "gda_pct_recent": dict(name="Gender series with data in the last 5 years", unit="percent", dimension_id=None,
                           description="Share of the 89 minimum-set gender series with at least one observation in the 5 years to 2021.",
                           source=UNSD, source_url=UNSD_URL, licence="UN terms of use"),
    "gda_n_sex": dict(name="Series disaggregated by sex", unit="count", dimension_id="sex",
                      description="Number of the 89 minimum-set series with a breakdown by sex.",
                      source=UNSD, source_url=UNSD_URL, licence="UN terms of use"),
    "gda_n_age": dict(name="Series disaggregated by age", unit="count", dimension_id="age",
                      description="Number of the 89 minimum-set series with a breakdown by age.",
                      source=UNSD, source_url=UNSD_URL, licence="UN terms of use"),
    "gda_n_location": dict(name="Series disaggregated by location", unit="count", dimension_id="location",
                           description="Number of the 89 minimum-set series with an urban/rural breakdown.",
                           source=UNSD, source_url=UNSD_URL, licence="UN terms of use"),
    "gda_n_disability": dict(name="Series disaggregated by disability", unit="count", dimension_id="disability",
                             description="Number of the 89 minimum-set series with a breakdown by disability status.",
                             source=UNSD, source_url=UNSD_URL, licence="UN terms of use"),
    "gda_n_income": dict(name="Series disaggregated by income/wealth", unit="count", dimension_id="income",
                         description="Number of the 89 minimum-set series with a breakdown by income or wealth quintile.",
                         source=UNSD, source_url=UNSD_URL, licence="UN terms of use"),
    "odin_gender_coverage": dict(name="ODIN gender statistics coverage", unit="score", dimension_id=None,
                                 description="ODIN 2022 coverage sub-score (0-100) of the 'Gender statistics' element.",
                                 source=ODIN, source_url=ODIN_URL, licence="CC BY 4.0"),
    "odin_gender_openness": dict(name="ODIN gender statistics openness", unit="score", dimension_id=None,
                                 description="ODIN 2022 openness sub-score (0-100) of the 'Gender statistics' element.",
                                 source=ODIN, source_url=ODIN_URL, licence="CC BY 4.0"),
    "odin_overall": dict(name="ODIN overall score", unit="score", dimension_id=None,
                         description="ODIN 2022 overall score (0-100), all data categories.",
                         source=ODIN, source_url=ODIN_URL, licence="CC BY 4.0"),
}

SURVEY_TYPES = {
    "Agricultural Survey/Census": "agri",
    "Household Health Survey": "health",
    "Household Income and Expenditure Survey": "income",
    "Labour Force Survey": "labour",
    "Time Use Survey": "timeuse",
}
for _label, _key in SURVEY_TYPES.items():
    _plural = _label.replace("Survey/Census", "surveys/censuses") if "Census" in _label else _label + "s"
    INDICATORS[f"gdc_surveys_{_key}"] = dict(
        name=f"{_plural} held", unit="count", dimension_id=None,
        description=f"Number of {_plural.lower()} held in the reference period (Gender Data Compass).",
        source=GDC, source_url=GDC_URL, licence="CC BY 4.0")
    INDICATORS[f"gdc_complete_{_key}"] = dict(
        name=f"{_label}: share of standard met", unit="percent", dimension_id=None,
        description=f"Surveys held as a share of the Gender Data Compass standard for {_label.lower()}s.",
        source=GDC, source_url=GDC_URL, licence="CC BY 4.0")

_GDA_COUNTS = {
    "gda_n_sex": ("series_sex_disaggregated", "by_sex"),
    "gda_n_age": ("series_age_disaggregated", "by_age"),
    "gda_n_location": ("series_location_disaggregated", "by_location"),
    "gda_n_disability": ("series_disability_disaggregated", "by_disability"),
    "gda_n_income": ("series_income_wealth_disaggregated", "by_income_wealth"),
}


def _code_to_iso3(code: str, name: str, known: set[str], skipped: Skipped, path: Path) -> str | None:
    """A file's country code mapped to our key (ADO -> AND ...), or None when it is no country of ours."""
    if code in known:
        return code
    match = countries.resolve(code) if code else countries.resolve(name)
    if match.iso3 in known:
        return match.iso3
    skipped.add(f"{path.name}: {name or code!r} ({code or 'no code'}): {match.reason}")
    return None


def _value_rows(indicator_id: str, iso3: str, year: int, value, status_if_missing: str, source: str, note=None) -> dict:
    if value is None or pd.isna(value):
        return dict(indicator_id=indicator_id, iso3=iso3, year=year, value=None, status=status_if_missing, source=source, note=note)
    return dict(indicator_id=indicator_id, iso3=iso3, year=year, value=float(value), status="value", source=source, note=note)


def load_minset_catalog(path: Path) -> pd.DataFrame:
    raw = read_csv_lines(path, required=["indicator_label", "indicator_id", "indicator_desc", "minset_series", "minset_series_desc"])
    dup = raw[raw["minset_series"].duplicated()]
    if not dup.empty:
        r = dup.iloc[0]
        raise SourceError(path, int(r["_line"]), f"series {r['minset_series']!r} appears twice", "minset_series")
    return pd.DataFrame(
        {
            "series_id": raw["minset_series"],
            "indicator_label": raw["indicator_label"],
            "indicator_id": raw["indicator_id"],
            "indicator_desc": raw["indicator_desc"],
            "series_desc": raw["minset_series_desc"],
            "sort_order": range(1, len(raw) + 1),
        }
    )


BY_COLUMNS = ["by_sex", "by_age", "by_location", "by_disability", "by_income_wealth", "by_education"]
# When a country appears under two names for the same series, the better breakdown wins.
_BREAKDOWN_RANK = {"yes": 3, "female_only": 2, "no": 1, "n/a": 0}


def load_gda_series(path: Path, known: set[str], series_ids: set[str], skipped: Skipped) -> pd.DataFrame:
    """UNSD availability per country x series.

    ``n/a`` (the series has no such dimension) is kept apart from ``no`` (totals only).
    Some countries appear under two names ("Bolivia" and "Bolivia (Plurinational State
    of)"); their rows are merged per ISO3 and series: earliest first year, latest last
    year, most years, best breakdown.
    """
    raw = read_csv_lines(path, required=["ISO3", "country_name", "minset_series", "n_subseries", "min_year", "max_year",
                                         "max_n_years", "max_n_years_last5", "max_n_years_last10", *BY_COLUMNS])
    check_values(raw, "by_sex", {"yes", "no", "n/a", "female_only"}, path)
    for c in BY_COLUMNS[1:]:
        check_values(raw, c, {"yes", "no", "n/a"}, path)
    unknown = raw[~raw["minset_series"].isin(series_ids)]
    if not unknown.empty:
        r = unknown.iloc[0]
        raise SourceError(path, int(r["_line"]), f"series {r['minset_series']!r} is not in the series catalogue", "minset_series")
    codes: dict[tuple[str, str], str | None] = {}
    for code, name in zip(raw["ISO3"], raw["country_name"]):
        if (code, name) not in codes:
            codes[(code, name)] = _code_to_iso3(code, name, known, skipped, path)
    raw = raw.assign(iso3=[codes[(c, n)] for c, n in zip(raw["ISO3"], raw["country_name"])])
    raw = raw[raw["iso3"].notna()]
    frame = pd.DataFrame(
        {
            "series_id": raw["minset_series"],
            "iso3": raw["iso3"],
            "n_subseries": to_int(raw, "n_subseries", path),
            "min_year": to_int(raw, "min_year", path),
            "max_year": to_int(raw, "max_year", path),
            "n_years": to_int(raw, "max_n_years", path),
            "n_years_last5": to_int(raw, "max_n_years_last5", path),
            "n_years_last10": to_int(raw, "max_n_years_last10", path),
            **{c: raw[c].map(_BREAKDOWN_RANK) for c in BY_COLUMNS},
        }
    )
    merged = frame.groupby(["series_id", "iso3"], as_index=False, sort=True).agg(
        n_subseries=("n_subseries", "max"), min_year=("min_year", "min"), max_year=("max_year", "max"),
        n_years=("n_years", "max"), n_years_last5=("n_years_last5", "max"), n_years_last10=("n_years_last10", "max"),
        **{c: (c, "max") for c in BY_COLUMNS},
    )
    by_rank = {v: k for k, v in _BREAKDOWN_RANK.items()}
    for c in BY_COLUMNS:
        merged[c] = merged[c].map(by_rank)
    return merged


def gda_indicators(series: pd.DataFrame, n_series: int, known: set[str]) -> pd.DataFrame:
    """Per-country availability indicators from the (merged) series table.

    A country with no row in any series gets ``not_collected`` everywhere; a country with
    data but no series broken down by a dimension gets ``not_disaggregated`` for that
    dimension: neither is stored as 0. Countries the source does not cover get no rows.
    """
    per = series.assign(
        recent=series["n_years_last5"].fillna(0) > 0,
        **{ind: series[col] == "yes" for ind, (_, col) in _GDA_COUNTS.items()},
    ).groupby("iso3").agg(any=("series_id", "nunique"), recent=("recent", "sum"),
                          **{ind: (ind, "sum") for ind in _GDA_COUNTS})
    out = []
    for iso3, row in per.iterrows():
        any_data, recent = int(row["any"]), int(row["recent"])
        out.append(_value_rows("gda_pct_any", iso3, 2021, round(100 * any_data / n_series, 1), "not_collected", UNSD))
        out.append(_value_rows("gda_pct_recent", iso3, 2021, round(100 * recent / n_series, 1) if recent else None,
                               "not_collected", UNSD, None if recent else "no series with data in the last 5 years"))
        for ind in _GDA_COUNTS:
            n = int(row[ind])
            out.append(_value_rows(ind, iso3, 2021, n or None, "not_disaggregated", UNSD,
                                   None if n else "series exist, none broken down by this dimension"))
    return pd.DataFrame(out)


def load_gda_summary(path: Path, known: set[str], skipped: Skipped) -> pd.DataFrame:
    """UNSD per-country summary counts, keyed by ISO3 (one row per country name in the file).

    The build derives the indicators from the series file (which merges countries listed
    under two names) and uses this file to cross-check them: see :func:`check_gda_summary`.
    """
    cols = ["ISO3", "country_name", "n_series_total", "series_with_any_data", "series_with_data_last5y",
            *(c for c, _ in _GDA_COUNTS.values())]
    raw = read_csv_lines(path, required=cols)
    frame = pd.DataFrame({"_line": raw["_line"], "country_name": raw["country_name"]})
    frame["iso3"] = [_code_to_iso3(c, n, known, skipped, path) for c, n in zip(raw["ISO3"], raw["country_name"])]
    for c in cols[2:]:
        frame[c] = to_int(raw, c, path, allow_blank=False)
    bad = frame[(frame["series_with_any_data"] > frame["n_series_total"])
                | (frame["series_with_data_last5y"] > frame["series_with_any_data"])]
    if not bad.empty:
        r = bad.iloc[0]
        raise SourceError(path, int(r["_line"]), "series counts are inconsistent (last 5 years <= any <= total expected)")
    return frame[frame["iso3"].notna()].reset_index(drop=True)


def check_gda_summary(summary: pd.DataFrame, series: pd.DataFrame, path: Path) -> None:
    """The derived counts must equal the published summary for every country listed once."""
    single = summary[~summary["iso3"].duplicated(keep=False)]
    derived = series.assign(recent=series["n_years_last5"].fillna(0) > 0).groupby("iso3").agg(
        any=("series_id", "nunique"), recent=("recent", "sum"))
    for _, row in single.iterrows():
        if row["iso3"] not in derived.index:
            if row["series_with_any_data"]:
                raise SourceError(path, int(row["_line"]), f"{row['iso3']} has data in the summary but no series rows")
            continue
        d = derived.loc[row["iso3"]]
        if (int(d["any"]), int(d["recent"])) != (row["series_with_any_data"], row["series_with_data_last5y"]):
            raise SourceError(path, int(row["_line"]),
                              f"{row['iso3']}: summary says {row['series_with_any_data']} series with data "
                              f"({row['series_with_data_last5y']} recent), the series file gives {int(d['any'])} ({int(d['recent'])})")


def load_odin(path: Path, known: set[str], skipped: Skipped) -> pd.DataFrame:
    """ODIN 2022 scores -> gender coverage / openness and the overall score.

    Header names carry embedded newlines (cleaned by :func:`read_csv_lines`); the last
    row holds only a timestamp and is dropped. Openness cannot be judged where no gender
    statistics were found (coverage 0): it is stored as ``not_published``, not 0.
    """
    raw = read_csv_lines(path, required=["Year", "Country", "Country Code", "Elements", "Coverage subscores", "Openness subscores", "Overall subscores"])
    is_year = raw["Year"].str.fullmatch(r"\d{4}")
    trailing = raw[~is_year]
    for _, r in trailing.iterrows():
        if (r.drop(["Year", "_line"]) != "").any():
            raise SourceError(path, int(r["_line"]), f"year {r['Year']!r} is not a 4-digit year", "Year")
    raw = raw[is_year]
    cov = to_float(raw, "Coverage subscores", path, lo=0, hi=100)
    opn = to_float(raw, "Openness subscores", path, lo=0, hi=100)
    ovr = to_float(raw, "Overall subscores", path, lo=0, hi=100)
    out = []
    seen_codes: dict[str, str | None] = {}
    for i, row in raw.iterrows():
        element = row["Elements"]
        if element not in ("Gender statistics", "All categories"):
            continue
        code = row["Country Code"]
        if code not in seen_codes:
            seen_codes[code] = _code_to_iso3(code, row["Country"], known, skipped, path)
        iso3 = seen_codes[code]
        if iso3 is None:
            continue
        year = int(row["Year"])
        if element == "All categories":
            out.append(_value_rows("odin_overall", iso3, year, ovr[i], "not_published", ODIN))
            continue
        out.append(_value_rows("odin_gender_coverage", iso3, year, cov[i], "not_published", ODIN,
                               "assessed: no gender statistics found" if cov[i] == 0 else None))
        if cov[i] == 0:
            out.append(_value_rows("odin_gender_openness", iso3, year, None, "not_published", ODIN,
                                   "no gender statistics found, so openness cannot be assessed"))
        else:
            out.append(_value_rows("odin_gender_openness", iso3, year, opn[i], "not_published", ODIN))
    frame = pd.DataFrame(out)
    dup = frame.duplicated(["indicator_id", "iso3", "year"])
    if dup.any():
        r = frame[dup].iloc[0]
        raise SourceError(path, None, f"{r['iso3']} appears twice for {r['indicator_id']}")
    return frame


def load_survey_counts(path: Path, known: set[str], skipped: Skipped) -> pd.DataFrame:
    """Gender Data Compass survey counts. Region rows (blank code) and former states are left out.

    A survey type with no survey held is ``not_collected``, never 0.
    """
    raw = read_csv_lines(path, required=["country", "country_code", "indicator_name", "number_of_surveys", "percent_complete", "standard"])
    check_values(raw, "indicator_name", set(SURVEY_TYPES), path)
    n = to_int(raw, "number_of_surveys", path, allow_blank=False)
    pct = to_float(raw, "percent_complete", path, lo=0, hi=100)
    out = []
    seen: dict[str, str | None] = {}
    regions: set[str] = set()
    for i, row in raw.iterrows():
        code = row["country_code"]
        if not code:
            if row["country"] not in regions:
                regions.add(row["country"])
                skipped.add(f"{path.name}: region row {row['country']!r}")
            continue
        if code not in seen:
            seen[code] = _code_to_iso3(code, row["country"], known, skipped, path)
        iso3 = seen[code]
        if iso3 is None:
            continue
        key = SURVEY_TYPES[row["indicator_name"]]
        count = int(n[i])
        note = None if count else "no survey of this type held"
        out.append(_value_rows(f"gdc_surveys_{key}", iso3, 2025, count or None, "not_collected", GDC, note))
        out.append(_value_rows(f"gdc_complete_{key}", iso3, 2025, pct[i] if count else None, "not_collected", GDC, note))
    frame = pd.DataFrame(out)
    dup = frame.duplicated(["indicator_id", "iso3", "year"])
    if dup.any():
        r = frame[dup].iloc[0]
        raise SourceError(path, None, f"{r['iso3']} appears twice for {r['indicator_id']}")
    return frame
