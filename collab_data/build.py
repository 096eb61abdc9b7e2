"""Build the database from the files in ``data/``.

The build writes into a new file next to the target and moves it into place only when
every step succeeded, so a failed build never leaves a half-built database behind.
It is idempotent: the same files give the same content, table by table.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from collab_data import countries, sources
from collab_data.db import (
    BUILD_KINDS,
    DATA_DIR,
    Batch,
    Database,
    batch_kinds_in,
    close_database,
    settle,
    sha256_of,
    table_names_in_schema,
)
from collab_data.sources import Skipped, SourceError, read_csv_lines

Progress = Callable[[str, float], None]

REFERENCE_FILES = {
    "wb": "reference/wb_class_income_groups_fy26.csv",
    "m49": "reference/unsd_m49_country_groups_ldc_lldc_sids.csv",
    "cl_area": "reference/unsd_m49_area_codelist_CL_AREA.csv",
    "shapes": "reference/ne_110m_countries.geojson",
}
LNOB_FILES = {
    "summary": "lnob/unsd_gender_data_availability_country_summary.csv",
    "series": "lnob/unsd_gender_data_availability_country_series.csv",
    "catalog": "lnob/unsd_gender_minset_series_catalog.csv",
    "odin": "lnob/odw_odin_scores_2022.csv",
    "surveys": "lnob/odw_gender_data_compass_survey_counts_2025-11-18.csv",
}
VOCABULARY = ["collaboratives", "task_teams", "activity_types", "lnob_dimensions", "kpis"]
SAMPLE_FILES = ["partners", "tools", "country_programs", "activities", "collaborations", "kpi_targets"]


@dataclass
class BuildReport:
    path: Path
    sample: bool
    counts: dict[str, int] = field(default_factory=dict)
    timings: list[tuple[str, float]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: a copy of the file as it was before (force build, refresh)
    kept: Path | None = None
    refreshed: bool = False

    def lines(self) -> list[str]:
        if self.refreshed:
            out = [f"Refreshed {self.path} from the bundled files in {self.seconds:.2f} s; every record of the "
                   "collaboratives was kept"]
        else:
            out = [f"Built {self.path} ({'with' if self.sample else 'without'} sample data) in {self.seconds:.2f} s"]
        if self.kept:
            out.append(f"The database as it was before is kept in {self.kept}")
        out.append("")
        out.append(f"{'table':<26}{'rows':>8}")
        for table, n in self.counts.items():
            out.append(f"{table:<26}{n:>8,}")
        out.append("")
        out.append("step timings:")
        for step, secs in self.timings:
            out.append(f"  {step:<30}{secs:>7.2f} s")
        if self.skipped:
            out.append("")
            out.append(f"left out on purpose ({len(self.skipped)}): aggregates, former states, non-ISO areas")
            for item in self.skipped[:12]:
                out.append(f"  - {item}")
            if len(self.skipped) > 12:
                out.append(f"  ... and {len(self.skipped) - 12} more")
        return out


def _files_digest(data_dir: Path, rels: list[str]) -> tuple[str, int]:
    blobs = [(data_dir / r).read_bytes() for r in rels]
    return sha256_of(*blobs), sum(len(b) for b in blobs)


def enum_values(db: Database, table: str, column: str) -> set[str]:
    """The values a CHECK (column IN (...)) constraint allows, read from the schema itself."""
    rows = db.rows(
        "SELECT expression FROM duckdb_constraints() WHERE table_name = ? AND constraint_type = 'CHECK' "
        "AND constraint_column_names = [?]",
        [table, column],
    )
    for (expr,) in rows:
        m = re.fullmatch(rf"\({column} IN \((.+)\)\)", expr)
        if m:
            return set(re.findall(r"'([^']*)'", m.group(1)))
    raise KeyError(f"no enumeration constraint on {table}.{column}")


# --------------------------------------------------------------------------------------
# Reference and LNOB steps
# --------------------------------------------------------------------------------------
def _countries_frame(data_dir: Path, skipped: Skipped) -> tuple[pd.DataFrame, pd.DataFrame]:
    wb, _aggregates = sources.load_wb_income(data_dir / REFERENCE_FILES["wb"])
    m49 = sources.load_m49_groups(data_dir / REFERENCE_FILES["m49"], skipped)
    cl = sources.load_cl_area(data_dir / REFERENCE_FILES["cl_area"])
    shapes = sources.load_ne_shapes(data_dir / REFERENCE_FILES["shapes"], skipped)

    frame = m49.merge(wb.rename(columns={"wb_code": "iso3"}), on="iso3", how="outer")
    # World Bank economies missing from M49 are kept when their code is ISO 3166
    # (Taiwan) or Kosovo's XKX, as the World Bank and the app key it; other non-ISO codes
    # (Channel Islands) are left out.
    is_iso = frame["iso3"].map(lambda c: countries.resolve(c).iso3 == c)
    not_iso = frame["m49"].isna() & ~is_iso
    for _, row in frame[not_iso].iterrows():
        skipped.add(f"World Bank economy {row['wb_name']!r} ({row['iso3']}): no ISO 3166 code")
    frame = frame[~not_iso]
    frame = frame.merge(cl, on="iso3", how="left")
    frame["name"] = [countries.name_of(c) for c in frame["iso3"]]
    for flag in ("is_ldc", "is_lldc", "is_sids"):
        frame[flag] = frame[flag].fillna(False).astype(bool)
    frame["m49"] = frame["m49"].astype("Int64")
    cols = ["iso3", "iso2", "m49", "name", "wb_name", "un_name", "wb_region", "sdg_region", "un_region",
            "un_subregion", "income_group", "lending_category", "is_ldc", "is_lldc", "is_sids", "un_member", "lon", "lat"]
    frame = frame[cols].sort_values("iso3").reset_index(drop=True)
    missing = sorted(set(shapes["iso3"]) - set(frame["iso3"]))
    for code in missing:
        skipped.add(f"map outline {code}: not in the country list")
    shapes = shapes[shapes["iso3"].isin(frame["iso3"])].sort_values("iso3").reset_index(drop=True)
    return frame, shapes


def _load_vocabulary(batch: Batch, data_dir: Path) -> None:
    for name in VOCABULARY:
        path = data_dir / "vocabulary" / f"{name}.csv"
        raw = read_csv_lines(path, required=[])
        frame = raw.drop(columns="_line").replace("", None)
        for col in frame.columns:
            if col.startswith(("is_", "higher_")):
                frame[col] = frame[col].str.lower().eq("true")
            elif col.endswith(("_months", "sort_order")) or col == "sort_order":
                frame[col] = frame[col].astype(int)
        batch.insert(name, frame)
        batch.rows_imported += len(frame)


def _indicator_frame() -> pd.DataFrame:
    rows = [{"indicator_id": k, **v} for k, v in sources.INDICATORS.items()]
    frame = pd.DataFrame(rows)
    frame["higher_is_better"] = True
    return frame[["indicator_id", "name", "description", "unit", "dimension_id", "higher_is_better", "source", "source_url", "licence"]]


# --------------------------------------------------------------------------------------
# Sample records (readable CSVs with ';'-separated list cells)
# --------------------------------------------------------------------------------------
def _split(cell: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;|]", cell or "") if p.strip()]


class _SampleChecker:
    """Checks a sample CSV before anything is written, naming file, line and column."""

    def __init__(self, path: Path, frame: pd.DataFrame):
        self.path, self.frame = path, frame

    def fail(self, row: pd.Series, column: str, problem: str) -> None:
        raise SourceError(self.path, int(row["_line"]), problem, column)

    def required(self, *cols: str) -> None:
        for col in cols:
            for _, row in self.frame[self.frame[col] == ""].iterrows():
                self.fail(row, col, "a value is required")

    def unique(self, col: str) -> None:
        for _, row in self.frame[self.frame[col].duplicated()].iterrows():
            self.fail(row, col, f"{row[col]!r} appears more than once")

    def one_of(self, col: str, allowed: set[str], *, blank_ok: bool = False) -> None:
        ok = allowed | ({""} if blank_ok else set())
        for _, row in self.frame[~self.frame[col].isin(ok)].iterrows():
            self.fail(row, col, f"{row[col]!r} is not one of: {', '.join(sorted(allowed))}")

    def refs(self, col: str, known: set[str], what: str, *, many: bool = False, blank_ok: bool = True) -> None:
        for _, row in self.frame.iterrows():
            values = _split(row[col]) if many else ([row[col]] if row[col] else [])
            if not values and not blank_ok:
                self.fail(row, col, f"at least one {what} is required")
            for v in values:
                if v not in known:
                    self.fail(row, col, f"unknown {what} {v!r}")

    def dates(self, *cols: str) -> dict[str, pd.Series]:
        out = {}
        for col in cols:
            parsed = []
            for _, row in self.frame.iterrows():
                v = row[col]
                if not v:
                    parsed.append(None)
                    continue
                try:
                    parsed.append(date.fromisoformat(v))
                except ValueError:
                    self.fail(row, col, f"{v!r} is not a date in the form YYYY-MM-DD")
            out[col] = pd.Series(parsed, index=self.frame.index, dtype=object)
        return out

    def order(self, start: pd.Series, end: pd.Series, col: str) -> None:
        for i, row in self.frame.iterrows():
            if end[i] is not None and start[i] is not None and end[i] < start[i]:
                self.fail(row, col, f"ends ({end[i]}) before it starts ({start[i]})")


def _explode(frame: pd.DataFrame, key: str, col: str, out_col: str) -> pd.DataFrame:
    rows = [(k, v) for k, cell in zip(frame[key], frame[col]) for v in dict.fromkeys(_split(cell))]
    return pd.DataFrame(rows, columns=[key, out_col])


def _load_sample(batch: Batch, db: Database, data_dir: Path, known_iso3: set[str]) -> None:
    sample_dir = data_dir / "sample"

    def read(name: str, required: list[str]) -> tuple[Path, pd.DataFrame, _SampleChecker]:
        path = sample_dir / f"{name}.csv"
        frame = read_csv_lines(path, required=required)
        return path, frame, _SampleChecker(path, frame)

    def put(table: str, frame: pd.DataFrame) -> None:
        frame = frame.copy()
        frame["is_sample"] = True
        batch.insert(table, frame.replace({"": None}))
        batch.rows_imported += len(frame)

    collabs = {r[0] for r in batch.execute("SELECT collab_id FROM collaboratives")}
    teams = {r[0] for r in batch.execute("SELECT team_id FROM task_teams")}
    types = {r[0] for r in batch.execute("SELECT type_id FROM activity_types")}
    dims = {r[0] for r in batch.execute("SELECT dimension_id FROM lnob_dimensions")}
    kpis = {r[0] for r in batch.execute("SELECT kpi_id FROM kpis")}

    # partners
    _, p, chk = read("partners", ["partner_id", "name", "acronym", "org_type", "hq_iso3", "website", "description",
                                  "collaboratives", "task_teams", "joined_gender", "joined_lnob"])
    chk.required("partner_id", "name", "org_type")
    chk.unique("partner_id")
    chk.unique("name")
    chk.one_of("org_type", enum_values(db, "partners", "org_type"))
    chk.refs("hq_iso3", known_iso3, "country code")
    chk.refs("collaboratives", collabs, "collaborative", many=True)
    chk.refs("task_teams", teams, "task team", many=True)
    joined = chk.dates("joined_gender", "joined_lnob")
    partner_ids = set(p["partner_id"])
    put("partners", p[["partner_id", "name", "acronym", "org_type", "hq_iso3", "website", "description"]])
    members = _explode(p, "partner_id", "collaboratives", "collab_id")
    row_of = dict(zip(p["partner_id"], p.index))
    members["joined_date"] = [
        joined[f"joined_{c}"][row_of[pid]] if f"joined_{c}" in joined else None
        for pid, c in zip(members["partner_id"], members["collab_id"])
    ]
    put("partner_memberships", members)
    put("task_team_members", _explode(p, "partner_id", "task_teams", "team_id")[["team_id", "partner_id"]])

    # tools
    _, t, chk = read("tools", ["tool_id", "name", "kind", "stage", "owners", "topics", "lnob_dimensions",
                               "launched_year", "website", "description"])
    chk.required("tool_id", "name", "kind", "stage")
    chk.unique("tool_id")
    chk.unique("name")
    chk.one_of("kind", enum_values(db, "tools", "kind"))
    chk.one_of("stage", enum_values(db, "tools", "stage"))
    chk.refs("owners", partner_ids, "partner", many=True, blank_ok=False)
    chk.refs("lnob_dimensions", dims, "LNOB dimension", many=True)
    tools = t[["tool_id", "name", "kind", "stage", "description", "website"]].copy()
    tools["launched_year"] = sources.to_int(t, "launched_year", chk.path)
    put("tools", tools)
    put("tool_owners", _explode(t, "tool_id", "owners", "partner_id"))
    put("tool_topics", _explode(t, "tool_id", "topics", "topic"))
    put("tool_dimensions", _explode(t, "tool_id", "lnob_dimensions", "dimension_id"))
    tool_ids = set(t["tool_id"])

    # country programmes
    _, cp, chk = read("country_programs", ["program_id", "partner_id", "iso3", "tool_id", "support_type", "topic",
                                           "start_date", "end_date", "status", "notes"])
    chk.required("program_id", "partner_id", "iso3", "support_type", "start_date", "status")
    chk.unique("program_id")
    chk.refs("partner_id", partner_ids, "partner")
    chk.refs("iso3", known_iso3, "country code")
    chk.refs("tool_id", tool_ids, "tool")
    chk.one_of("support_type", enum_values(db, "country_programs", "support_type"))
    chk.one_of("status", enum_values(db, "country_programs", "status"))
    d = chk.dates("start_date", "end_date")
    chk.order(d["start_date"], d["end_date"], "end_date")
    programs = cp.drop(columns="_line").assign(start_date=d["start_date"], end_date=d["end_date"])
    put("country_programs", programs)

    # activities
    _, a, chk = read("activities", ["activity_id", "title", "type", "collaborative", "start_date", "end_date",
                                    "partners", "countries", "tool_id", "outcome", "task_team"])
    chk.required("activity_id", "title", "type", "start_date")
    chk.unique("activity_id")
    chk.one_of("type", types)
    chk.refs("collaborative", collabs, "collaborative")
    chk.refs("task_team", teams, "task team")
    chk.refs("partners", partner_ids, "partner", many=True, blank_ok=False)
    chk.refs("countries", known_iso3, "country code", many=True)
    chk.refs("tool_id", tool_ids, "tool")
    d = chk.dates("start_date", "end_date")
    chk.order(d["start_date"], d["end_date"], "end_date")
    acts = pd.DataFrame(
        {
            "activity_id": a["activity_id"], "title": a["title"], "type_id": a["type"], "collab_id": a["collaborative"],
            "team_id": a["task_team"],
            "start_date": d["start_date"], "end_date": d["end_date"], "tool_id": a["tool_id"], "outcome": a["outcome"],
        }
    )
    put("activities", acts)
    put("activity_partners", _explode(a, "activity_id", "partners", "partner_id"))
    put("activity_countries", _explode(a, "activity_id", "countries", "iso3"))
    activity_ids = set(a["activity_id"])

    # collaborations
    _, c, chk = read("collaborations", ["collaboration_id", "title", "kind", "started_date", "origin_activity_id",
                                        "partners", "description"])
    chk.required("collaboration_id", "title", "kind", "started_date")
    chk.unique("collaboration_id")
    chk.one_of("kind", enum_values(db, "collaborations", "kind"))
    chk.refs("origin_activity_id", activity_ids, "activity")
    chk.refs("partners", partner_ids, "partner", many=True, blank_ok=False)
    d = chk.dates("started_date")
    collabs_frame = c[["collaboration_id", "title", "kind", "origin_activity_id", "description"]].assign(started_date=d["started_date"])
    put("collaborations", collabs_frame)
    put("collaboration_partners", _explode(c, "collaboration_id", "partners", "partner_id"))

    # KPI targets
    _, k, chk = read("kpi_targets", ["kpi_id", "period_type", "period_start", "target"])
    chk.required("kpi_id", "period_type", "period_start", "target")
    chk.refs("kpi_id", kpis, "KPI")
    chk.one_of("period_type", enum_values(db, "kpi_targets", "period_type"))
    d = chk.dates("period_start")
    targets = k[["kpi_id", "period_type"]].assign(
        period_start=d["period_start"], target=sources.to_float(k, "target", chk.path, lo=0)
    )
    put("kpi_targets", targets)


# --------------------------------------------------------------------------------------
#: Tables the build loads from the bundled reference, vocabulary and LNOB files: a refresh
#: reloads them. Every other table holds the collaboratives' own records (sample, uploads,
#: edits) and their history: a refresh keeps them, a build refuses to drop them.
REFERENCE_TABLES = frozenset({
    "countries", "country_shapes", "collaboratives", "task_teams", "activity_types", "lnob_dimensions", "kpis",
    "indicators", "indicator_values", "minset_series", "series_availability",
})
#: Kinds of import batch that are the collaboratives' own (kept by a refresh).
RECORD_KINDS = ("sample", "upload", "edit")


class BuildRefused(Exception):
    """A build that would drop records people entered or imported; nothing was changed."""


def record_tables() -> list[str]:
    """The tables of the collaboratives' own records, parents before children."""
    return [t for t in table_names_in_schema() if t not in REFERENCE_TABLES and t not in ("import_batches",
                                                                                          "schema_version")]


def load_bundled(db: Database, data_dir: Path, sample: bool, report: BuildReport, skipped: Skipped,
                 step: Callable[[str, int], float]) -> None:
    """Load the bundled reference, vocabulary and LNOB files (and the sample) into an empty
    database, one batch per step (``step(name, i)`` reports progress, returns a clock)."""
    t0 = step("countries and map outlines", 0)
    country_frame, shape_frame = _countries_frame(data_dir, skipped)
    sha, size = _files_digest(data_dir, list(REFERENCE_FILES.values()))
    with db.write(kind="reference", source=", ".join(REFERENCE_FILES.values()), sha256=sha, size_bytes=size,
                  rows_read=len(country_frame)) as batch:
        batch.insert("countries", country_frame)
        batch.insert("country_shapes", shape_frame)
        batch.rows_imported = len(country_frame)
    report.timings.append(("countries and map outlines", time.perf_counter() - t0))

    t0 = step("vocabularies", 1)
    rels = [f"vocabulary/{n}.csv" for n in VOCABULARY]
    sha, size = _files_digest(data_dir, rels)
    with db.write(kind="reference", source=", ".join(rels), sha256=sha, size_bytes=size) as batch:
        _load_vocabulary(batch, data_dir)
    report.timings.append(("vocabularies", time.perf_counter() - t0))

    t0 = step("LNOB data-gap indicators", 2)
    known = set(country_frame["iso3"])
    catalog = sources.load_minset_catalog(data_dir / LNOB_FILES["catalog"])
    series = sources.load_gda_series(data_dir / LNOB_FILES["series"], known, set(catalog["series_id"]), skipped)
    summary = sources.load_gda_summary(data_dir / LNOB_FILES["summary"], known, skipped)
    sources.check_gda_summary(summary, series, data_dir / LNOB_FILES["summary"])
    values = pd.concat(
        [
            sources.gda_indicators(series, len(catalog), known),
            sources.load_odin(data_dir / LNOB_FILES["odin"], known, skipped),
            sources.load_survey_counts(data_dir / LNOB_FILES["surveys"], known, skipped),
        ],
        ignore_index=True,
    ).sort_values(["indicator_id", "iso3", "year"])
    sha, size = _files_digest(data_dir, list(LNOB_FILES.values()))
    with db.write(kind="lnob", source=", ".join(LNOB_FILES.values()), sha256=sha, size_bytes=size,
                  rows_read=len(values) + len(series)) as batch:
        batch.insert("indicators", _indicator_frame())
        batch.insert("indicator_values", values)
        batch.insert("minset_series", catalog)
        batch.insert("series_availability", series)
        batch.rows_imported = len(values) + len(series)
    report.timings.append(("LNOB data-gap indicators", time.perf_counter() - t0))

    if sample:
        t0 = step("sample collaborative records", 3)
        rels = [f"sample/{n}.csv" for n in SAMPLE_FILES]
        sha, size = _files_digest(data_dir, rels)
        with db.write(kind="sample", source=", ".join(rels), sha256=sha, size_bytes=size) as batch:
            _load_sample(batch, db, data_dir, known)
        report.timings.append(("sample collaborative records", time.perf_counter() - t0))


def _held_records(path: Path) -> dict[str, int]:
    """Batches of uploads and edits in the database at ``path`` ({} for none); raises
    BuildRefused when the file cannot be read (it may hold records)."""
    try:
        kinds = batch_kinds_in(path)
    except Exception as exc:  # noqa: BLE001 - DuckDB's own errors: locked, corrupt, not a database
        raise BuildRefused(f"{path} exists but cannot be read ({exc}); it may hold the collaboratives' records. "
                           "Stop the app if it is running, or give --force to replace it (a copy of the file is "
                           "kept first).") from exc
    return {k: n for k, n in kinds.items() if k not in BUILD_KINDS}


@contextmanager
def fresh_file_beside(path: Path, suffix: str) -> Iterator[Database]:
    """A new, empty database file next to ``path`` (``<name><suffix>``), so that a build
    can move in only when whole. Yields it open; on success it is checkpointed and closed
    (move it in with :func:`move_in`), on any error closed and deleted."""
    tmp = path.with_name(path.name + suffix)
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(tmp)
    try:
        yield db
        with db.cursor() as cur:
            cur.execute("CHECKPOINT")
    except BaseException:
        db.close()  # a failed build leaves no partial file behind
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
        raise
    db.close()


def move_in(built: Path, path: Path) -> None:
    """Replace ``path`` by the finished file ``built``; the write-ahead logs of both go (a
    log of the replaced file does not belong to the new one)."""
    close_database(path)
    os.replace(built, path)
    for wal in (built.with_name(built.name + ".wal"), path.with_name(path.name + ".wal")):
        wal.unlink(missing_ok=True)


def keep_copy(path: Path, label: str) -> Path:
    """Copy the database file (and its write-ahead log) to ``<name>.<label>-N.duckdb``
    beside it, N the first free number; returns the copy's path."""
    n = 1
    while (copy := path.with_name(f"{path.stem}.{label}-{n}{path.suffix}")).exists():
        n += 1
    shutil.copy2(path, copy)
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        shutil.copy2(wal, copy.with_name(copy.name + ".wal"))
    return copy


def build(
    path: str | Path,
    *,
    data_dir: str | Path = DATA_DIR,
    sample: bool = True,
    progress: Progress | None = None,
    force: bool = False,
) -> BuildReport:
    """Build a fresh database at ``path`` from ``data_dir``.

    An existing file that holds uploads or edits (records people entered) is never
    replaced silently: the build raises :class:`BuildRefused` (naming ``refresh``, which
    reloads the bundled files and keeps every record) unless ``force`` is given, and then
    a copy of the file is kept first (``report.kept``).
    """
    path, data_dir = Path(path), Path(data_dir)
    report = BuildReport(path=path, sample=sample)
    if path.exists():
        close_database(path)
        settle(path)  # a log left by a killed process goes into the file first: it is kept, and never left stale
        held = _held_records(path) if not force else {}
        if held:
            raise BuildRefused(
                f"{path} holds the collaboratives' own records ({', '.join(f'{n} {k} batch(es)' for k, n in held.items())}"
                "): a build would replace them with the bundled files. To take in new reference or LNOB files and "
                "keep every record, run: python -m collab_data refresh. To replace the database anyway, give --force "
                "(a copy of the file is kept first).")
        if force:
            report.kept = keep_copy(path, "before-build")
    skipped = Skipped()
    started = time.perf_counter()
    steps = 4 if sample else 3

    def step(name: str, i: int) -> float:
        if progress:
            progress(name, i / steps)
        return time.perf_counter()

    with fresh_file_beside(path, ".building") as db:
        load_bundled(db, data_dir, sample, report, skipped, step)
        report.counts = db.table_counts()
    move_in(db.path, path)
    report.seconds = time.perf_counter() - started
    report.skipped = skipped.items
    if progress:
        progress("done", 1.0)
    return report


def refresh(path: str | Path, *, data_dir: str | Path = DATA_DIR, progress: Progress | None = None) -> BuildReport:
    """Reload the bundled reference, vocabulary and LNOB files into the database at
    ``path`` and keep every record of the collaboratives (partners, tools, programmes,
    activities, collaborations, targets, mappings, cycles, their batches and history).

    The new database is built beside the old one and moved in only when every record was
    carried over (same rows, checked): a record that refers to something the new files no
    longer have (a country, an activity type) stops the refresh with a message naming it,
    and the database is left as it was. The previous file is kept as
    ``<name>.before-refresh-N.duckdb`` (``report.kept``).
    """
    path, data_dir = Path(path), Path(data_dir)
    if not path.exists():
        raise FileNotFoundError(f"no database at {path}: build it first (python -m collab_data build)")
    close_database(path)
    settle(path)
    Database(path).close()  # migrate the schema forward first, so both files have the same tables
    report = BuildReport(path=path, sample=False)
    skipped = Skipped()
    started = time.perf_counter()

    def step(name: str, i: int) -> float:
        if progress:
            progress(name, i / 4)
        return time.perf_counter()

    with fresh_file_beside(path, ".refreshing") as db:
        load_bundled(db, data_dir, False, report, skipped, step)
        t0 = step("the collaboratives' records", 3)
        tables = record_tables()
        copied = db.adopt_records(path, tables, RECORD_KINDS)
        old = Database(path, read_only=True)
        try:
            before = old.table_counts()
        finally:
            old.close()
        differ = [t for t in tables if copied.get(t, 0) != before[t]]
        if differ:
            raise BuildRefused(f"records were not all carried over ({', '.join(differ)}); nothing was changed")
        report.timings.append(("the collaboratives' records", time.perf_counter() - t0))
        report.counts = db.table_counts()
    report.kept = keep_copy(path, "before-refresh")
    move_in(db.path, path)
    report.seconds = time.perf_counter() - started
    report.skipped = skipped.items
    report.refreshed = True
    if progress:
        progress("done", 1.0)
    return report
