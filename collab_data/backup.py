"""Backup and restore of the collaboratives' own records.

A backup is a zip of one CSV file per record table (partners, tools, programmes,
activities, collaborations, targets, mappings, cycles and their link and history tables)
and of the import batches that wrote them, with ``manifest.json``: the format, the schema
version, and per file its table, row count and SHA-256. The reference, vocabulary and LNOB
tables are not in it: they come from the bundled files in ``data/``.

Restoring builds those reference tables from ``data/`` into a new file, loads every CSV
in one transaction, checks the row counts against the manifest, and only then moves the
file into place. A zip that is not a backup, is truncated, or whose files do not match
their manifest is refused with a message, and nothing is written.

In the CSV files an empty cell is an empty text and ``\\N`` is "no value" (NULL), so the
restored tables are equal to the backed-up ones, row for row.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from collab_data import clock
from collab_data.build import RECORD_KINDS, BuildReport, fresh_file_beside, load_bundled, move_in, record_tables
from collab_data.db import DATA_DIR, Database
from collab_data.sources import Skipped

FORMAT = "collaborative-data-dashboard-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup that cannot be written or restored; nothing was written."""


@dataclass
class BackupReport:
    path: Path
    rows: dict[str, int] = field(default_factory=dict)
    schema_version: int = 0
    seconds: float = 0.0

    def lines(self) -> list[str]:
        total = sum(self.rows.values())
        out = [f"{self.path}: {total:,} rows of the collaboratives' records and batches "
               f"(schema version {self.schema_version}) in {self.seconds:.2f} s"]
        out += [f"  {t:<26}{n:>8,}" for t, n in self.rows.items() if n]
        return out


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def backup(db: Database, out: str | Path) -> BackupReport:
    """Write the backup zip of ``db`` to ``out`` (written beside and moved in whole)."""
    out = Path(out)
    started = time.perf_counter()
    tables = ["import_batches", *record_tables()]
    report = BackupReport(path=out, schema_version=db.schema_version())
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "schema_version": report.schema_version,
                "batch_kinds": list(RECORD_KINDS), "files": []}
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with tempfile.TemporaryDirectory() as tmp:
        for table in tables:
            path = Path(tmp) / f"{table}.csv"
            n = db.export_csv(table, path, batch_kinds=RECORD_KINDS if table == "import_batches" else None)
            report.rows[table] = n
            manifest["files"].append({"file": path.name, "table": table, "rows": n, "sha256": _sha256(path),
                                      "columns": [c for c, _ in db.columns_of(table)]})
        try:
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as z:
                z.writestr(MANIFEST, json.dumps(manifest, indent=2))
                for entry in manifest["files"]:
                    z.write(Path(tmp) / entry["file"], entry["file"])
            os.replace(partial, out)
        finally:
            partial.unlink(missing_ok=True)
    report.seconds = time.perf_counter() - started
    return report


def _read(zip_path: Path, into: Path, db: Database) -> tuple[dict, dict[str, Path], dict[str, list[str]]]:
    """Check the zip against its manifest and extract it; returns (manifest, {table: csv})."""
    try:
        with zipfile.ZipFile(zip_path) as z:
            names = set(z.namelist())
            if MANIFEST not in names:
                raise BackupError(f"{zip_path.name} is not a backup of this dashboard: it has no {MANIFEST}")
            try:
                manifest = json.loads(z.read(MANIFEST))
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise BackupError(f"the {MANIFEST} of {zip_path.name} cannot be read ({exc})") from None
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise BackupError(f"{zip_path.name} is not a backup of this dashboard (its manifest names another "
                                  "format)")
            if manifest.get("format_version") != FORMAT_VERSION:
                raise BackupError(f"{zip_path.name} is a backup format version {manifest.get('format_version')}; this "
                                  f"version reads {FORMAT_VERSION}")
            if int(manifest.get("schema_version", 0)) > db.schema_version():
                raise BackupError(f"{zip_path.name} was made by a newer version of the dashboard (schema "
                                  f"{manifest['schema_version']}, this one {db.schema_version()}): update first")
            files: dict[str, Path] = {}
            columns: dict[str, list[str]] = {}
            known = set(record_tables()) | {"import_batches"}
            for entry in manifest.get("files", []):
                table, name = entry.get("table"), entry.get("file")
                if table not in known or name not in names or Path(name).name != name:
                    raise BackupError(f"{zip_path.name}: the manifest lists {name!r} for {table!r}, which is "
                                      "missing or not a table of the records")
                now = [c for c, _ in db.columns_of(table)]
                had = entry.get("columns")
                # a backup of an earlier version lacks the columns added since: they take their default
                if not isinstance(had, list) or not had or not set(had) <= set(now) or (
                        had != now and int(manifest.get("schema_version", 0)) >= db.schema_version()):
                    raise BackupError(f"{zip_path.name}: the columns of {table} differ from this version's "
                                      f"({had})")
                columns[table] = had
                target = into / name
                target.write_bytes(z.read(name))
                if _sha256(target) != entry.get("sha256"):
                    raise BackupError(f"{zip_path.name}: {name} does not match its checksum in the manifest "
                                      "(the file was changed or damaged)")
                files[table] = target
            if "import_batches" not in files:
                raise BackupError(f"{zip_path.name}: the manifest lists no import batches")
    except zipfile.BadZipFile as exc:
        raise BackupError(f"{zip_path.name} is not a readable zip file ({exc}); it may be truncated") from None
    except (zipfile.LargeZipFile, OSError, KeyError) as exc:
        raise BackupError(f"{zip_path.name} cannot be read ({exc})") from None
    order = ["import_batches", *record_tables()]
    return manifest, {t: files[t] for t in order if t in files}, columns


def _dates_outside(db: Database, tables: list[str], limit: int = 10) -> list[str]:
    """'table.column = value (row key)' for every stored date outside the dates the
    dashboard accepts anywhere (clock.EARLIEST .. clock.LATEST), the first ``limit``."""
    found = []
    keys = db.primary_keys()
    for table in tables:
        for column, kind in db.columns_of(table):
            if kind != "DATE":
                continue
            key = " || ' ' || ".join(f"CAST({c} AS VARCHAR)" for c in keys.get(table, [])) or "''"
            for value, k in db.rows(f"SELECT CAST({column} AS VARCHAR), {key} FROM {table} WHERE {column} < ? OR "
                                    f"{column} > ? LIMIT ?", [clock.EARLIEST, clock.LATEST, limit]):
                found.append(f"{table}.{column} = {value} ({k})")
    return found[:limit]


def restore(zip_path: str | Path, db_path: str | Path, *, data_dir: str | Path = DATA_DIR) -> BuildReport:
    """Make a new database at ``db_path`` from the bundled files in ``data_dir`` and the
    records of the backup ``zip_path``. Refuses an existing ``db_path``."""
    zip_path, db_path = Path(zip_path), Path(db_path)
    if db_path.exists():
        raise BackupError(f"{db_path} exists: restore into a new file (nothing is overwritten)")
    if not zip_path.is_file():
        raise BackupError(f"no backup at {zip_path}")
    started = time.perf_counter()
    report = BuildReport(path=db_path, sample=False)
    with fresh_file_beside(db_path, ".restoring") as db:
        load_bundled(db, Path(data_dir), False, report, Skipped(), lambda _name, _i: time.perf_counter())
        with tempfile.TemporaryDirectory() as unpacked:
            manifest, files, columns = _read(zip_path, Path(unpacked), db)
            try:
                loaded = db.load_csvs(files, columns)
            except Exception as exc:  # noqa: BLE001 - DuckDB's constraint and conversion errors, said plainly
                raise BackupError(f"the records of {zip_path.name} do not fit this database: {exc}") from None
        outside = _dates_outside(db, list(files))
        if outside:
            raise BackupError(f"{zip_path.name} holds dates the dashboard does not accept (outside "
                              f"{clock.EARLIEST.isoformat()} – {clock.LATEST.isoformat()}): " + "; ".join(outside)
                              + ". Nothing was restored: correct them in the database the backup came from "
                              "(Manage records) and back it up again.")
        expected = {e["table"]: int(e["rows"]) for e in manifest["files"]}
        short = {t: (n, expected[t]) for t, n in loaded.items() if n != expected[t]}
        if short:
            raise BackupError(f"rows loaded differ from the manifest: {short}")
        report.counts = db.table_counts()
    move_in(db.path, db_path)
    report.seconds = time.perf_counter() - started
    return report
