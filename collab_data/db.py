"""The one place that opens DuckDB.

* One connection per database file per process (:func:`get_database`); every read
  takes its own cursor, so Streamlit's session threads never share one.
* Schema creation and forward migrations from ``schema.sql``.
* The single write path (:meth:`Database.write`): a process-wide lock, one
  transaction, an ``import_batches`` record whose id is stamped on every row written.
  A failure rolls back everything, the batch record included.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DB_ENV = "COLLAB_DB"
DEFAULT_DB = DATA_DIR / "collab.duckdb"
SCHEMA_FILE = Path(__file__).with_name("schema.sql")

BUILD_KINDS = ("reference", "lnob", "sample")

_VERSION_RE = re.compile(r"^-- version: (\d+): (.+)$", re.MULTILINE)


def default_path() -> Path:
    """The database file: ``$COLLAB_DB`` if set, else ``data/collab.duckdb``."""
    env = os.environ.get(DB_ENV, "").strip()
    return Path(env) if env else DEFAULT_DB


def schema_versions() -> list[tuple[int, str, str]]:
    """``(version, description, ddl)`` for every version in schema.sql, in order."""
    text = SCHEMA_FILE.read_text(encoding="utf-8")
    marks = list(_VERSION_RE.finditer(text))
    out = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        out.append((int(m.group(1)), m.group(2).strip(), text[m.end():end]))
    numbers = [v for v, _, _ in out]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"schema.sql versions must be 1..n in order, found {numbers}")
    return out


def table_names_in_schema() -> list[str]:
    """Every table of the schema, once, in the order it was first created (parents before
    children: the order of a load; reversed, the order of a delete). A later version may
    re-create a table; it keeps its first place."""
    text = SCHEMA_FILE.read_text(encoding="utf-8")
    return list(dict.fromkeys(re.findall(r"^CREATE TABLE (\w+)", text, flags=re.MULTILINE)))


class WriteRejected(Exception):
    """A write that violated a rule of the data (constraint, scope, duplicate)."""


@dataclass
class Batch:
    """Handed to the body of :meth:`Database.write`: writes go through it.

    ``insert`` is for imports (the rows carry this batch's id, undo deletes them). ``add``,
    ``update`` and ``remove`` are for edits of records: each also writes a row of
    ``record_changes`` (what was added, each column's old and new value, the removed row),
    which is the history an administrator reads and what an undo puts back."""

    cursor: duckdb.DuckDBPyConnection
    batch_id: int
    tables: frozenset[str]
    keys: dict[str, list[str]] = field(default_factory=dict)
    rows_imported: int = 0
    changes: int = 0

    def insert(self, table: str, frame: pd.DataFrame) -> int:
        """Insert a DataFrame into ``table`` (columns by name), stamped with this batch."""
        if table not in self.tables:
            raise ValueError(f"unknown table {table!r}")
        if frame.empty:
            return 0
        frame = frame.copy()
        frame["batch_id"] = self.batch_id
        cols = ", ".join(f'"{c}"' for c in frame.columns)
        view = f"_incoming_{table}"
        self.cursor.register(view, frame)
        try:
            self.cursor.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {view}").fetchall()
        finally:
            try:
                self.cursor.unregister(view)
            except duckdb.Error:  # the transaction is already aborted: the insert's error is the one to see
                pass
        return len(frame)

    def execute(self, sql: str, params: Sequence[Any] | dict | None = None) -> list[tuple]:
        return self.cursor.execute(sql, params).fetchall()

    # -- edits, with history ---------------------------------------------------------
    def _log(self, table: str, key: dict, action: str, column: str | None, old: str | None, new: str | None) -> None:
        self.changes += 1
        self.cursor.execute("INSERT INTO record_changes VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            [self.batch_id, self.changes, table, record_key(key), action, column, old, new]).fetchall()

    def _key_of(self, table: str, key: dict) -> tuple[str, list]:
        if table not in self.tables:
            raise ValueError(f"unknown table {table!r}")
        cols = self.keys.get(table)
        if not cols or set(cols) != set(key):
            raise ValueError(f"{table} is keyed by {cols}, not {sorted(key)}")
        return " AND ".join(f'"{c}" = ?' for c in cols), [key[c] for c in cols]

    def current(self, table: str, key: dict) -> dict | None:
        """The row of ``table`` with primary key ``key`` as it stands in this transaction."""
        where, params = self._key_of(table, key)
        cur = self.cursor.execute(f"SELECT * FROM {table} WHERE {where}", params)
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
        return dict(zip(names, rows[0])) if rows else None

    def add(self, table: str, row: dict) -> None:
        """Insert one record (stamped with this batch) and note it in the history."""
        self.insert(table, pd.DataFrame([row]))
        key = {c: row[c] for c in self.keys[table]}
        self._log(table, key, "insert", None, None, row_json(self.current(table, key)))

    def update(self, table: str, key: dict, values: dict, *, restamp: bool = False) -> int:
        """Set columns of one existing record; each column that really changes is noted old
        -> new. Returns how many changed. The row keeps the batch that created it, unless
        ``restamp`` (a row that is rewritten as a whole, such as a KPI target): then it
        carries this batch, and an undo gives it back its own."""
        if restamp:
            values = {**values, "batch_id": self.batch_id}
        where, params = self._key_of(table, key)
        row = self.current(table, key)
        if row is None:
            raise WriteRejected(f"{table} has no record {record_key(key)}: it was removed meanwhile")
        bad = [c for c in values if c not in row or c in self.keys[table] or (c == "batch_id" and not restamp)]
        if bad:
            raise ValueError(f"cannot set {bad} of {table}")
        changed = {c: v for c, v in values.items() if _same(row[c], v) is False}
        if not changed:
            return 0
        sets = ", ".join(f'"{c}" = ?' for c in changed)
        self.cursor.execute(f"UPDATE {table} SET {sets} WHERE {where}", [*changed.values(), *params]).fetchall()
        for c, v in changed.items():
            self._log(table, key, "update", c, as_text(row[c]), as_text(v))
        return len(changed)

    def update_many(self, table: str, rows: Sequence[tuple[dict, dict]]) -> int:
        """:meth:`update` for many records at once: ``rows`` is (key, values) per record.
        The current rows are read in one query, the changed columns written in one UPDATE
        (joined to a registered frame) and their history (old -> new, as :meth:`update`
        notes it) in one INSERT, so an undo puts back exactly what :meth:`update` would.
        Returns how many columns changed. Raises WriteRejected when a record is missing."""
        if not rows:
            return 0
        if table not in self.tables:
            raise ValueError(f"unknown table {table!r}")
        kcols = self.keys.get(table)
        if not kcols:
            raise ValueError(f"{table} has no primary key")
        for key, _ in rows:
            if set(key) != set(kcols):
                raise ValueError(f"{table} is keyed by {kcols}, not {sorted(key)}")
        types = dict(self.cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
            "AND table_schema = current_schema()", [table]).fetchall())
        cols = list(dict.fromkeys(c for _, values in rows for c in values))
        bad = [c for c in cols if c not in types or c in kcols or c == "batch_id"]
        if bad:
            raise ValueError(f"cannot set {bad} of {table}")
        kframe = pd.DataFrame([[key[c] for c in kcols] for key, _ in rows], columns=kcols, dtype="object")
        view = f"_update_keys_{table}"
        self.cursor.register(view, kframe)
        try:
            on = " AND ".join(f't."{c}" = CAST(k."{c}" AS {types[c]})' for c in kcols)
            cur = self.cursor.execute(f"SELECT {', '.join(f't.{chr(34)}{c}{chr(34)}' for c in [*kcols, *cols])} "
                                      f"FROM {table} t JOIN {view} k ON {on}")
            current = {tuple(as_text(v) for v in r[:len(kcols)]): r[len(kcols):] for r in cur.fetchall()}
        finally:
            self._unregister(view)
        changed_rows, history = [], []
        for key, values in rows:
            old = current.get(tuple(as_text(key[c]) for c in kcols))
            if old is None:
                raise WriteRejected(f"{table} has no record {record_key(key)}: it was removed meanwhile")
            stored = dict(zip(cols, old))
            changed = {c: v for c, v in values.items() if _same(stored[c], v) is False}
            if not changed:
                continue
            changed_rows.append([*(key[c] for c in kcols), *(as_text(changed.get(c)) for c in cols),
                                 *(c in changed for c in cols)])
            rk = record_key(key)
            for c, v in changed.items():
                self.changes += 1
                history.append([self.batch_id, self.changes, table, rk, "update", c, as_text(stored[c]), as_text(v)])
        if not changed_rows:
            return 0
        flags = [f"_set_{i}" for i in range(len(cols))]
        vals = [f"_v_{i}" for i in range(len(cols))]
        frame = pd.DataFrame(changed_rows, columns=[*kcols, *vals, *flags])
        for c in [*kcols, *vals]:
            frame[c] = frame[c].astype("object")
        for c in flags:
            frame[c] = frame[c].astype(bool)
        view = f"_update_{table}"
        self.cursor.register(view, frame)
        try:
            sets = ", ".join(f'"{c}" = CASE WHEN u.{f} THEN CAST(u.{v} AS {types[c]}) ELSE t."{c}" END'
                             for c, v, f in zip(cols, vals, flags))
            on = " AND ".join(f't."{c}" = CAST(u."{c}" AS {types[c]})' for c in kcols)
            self.cursor.execute(f"UPDATE {table} AS t SET {sets} FROM {view} u WHERE {on}").fetchall()
        finally:
            self._unregister(view)
        hist = pd.DataFrame(history, columns=["batch_id", "seq", "table_name", "record_key", "action", "column_name",
                                              "old_value", "new_value"]).astype("object")
        self.cursor.register("_update_history", hist)
        try:
            self.cursor.execute("INSERT INTO record_changes (batch_id, seq, table_name, record_key, action, "
                                "column_name, old_value, new_value) SELECT CAST(batch_id AS INTEGER), "
                                "CAST(seq AS INTEGER), table_name, record_key, action, column_name, "
                                "CAST(old_value AS VARCHAR), CAST(new_value AS VARCHAR) FROM _update_history").fetchall()
        finally:
            self._unregister("_update_history")
        return len(history)

    def _unregister(self, view: str) -> None:
        try:
            self.cursor.unregister(view)
        except duckdb.Error:  # the transaction is already aborted: the statement's error is the one to see
            pass

    def remove(self, table: str, key: dict) -> bool:
        """Delete one record (a link row: an owner, a topic, a task team) and keep the whole
        old row in the history, so an undo puts it back as it was."""
        where, params = self._key_of(table, key)
        row = self.current(table, key)
        if row is None:
            return False
        self.cursor.execute(f"DELETE FROM {table} WHERE {where}", params).fetchall()
        self._log(table, key, "delete", None, row_json(row), None)
        return True


def _same(old, new) -> bool:
    """Whether a stored value and a new one are the same record value."""
    if old is None or new is None:
        return old is None and new is None
    return as_text(old) == as_text(new)


def as_text(value) -> str | None:
    """A value as the history writes it: ISO dates, true/false, numbers without noise."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def record_key(key: dict) -> str:
    return json.dumps({k: as_text(v) for k, v in key.items()}, sort_keys=True, ensure_ascii=False)


def row_json(row: dict | None) -> str:
    return json.dumps({k: as_text(v) for k, v in (row or {}).items()}, ensure_ascii=False)


class DatabaseUnreadable(Exception):
    """The database file cannot be opened as it is (a write-ahead log that does not belong
    to it, a damaged file); the message says what to do. Nothing was changed."""


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        wal = path.with_name(path.name + ".wal")
        if wal.exists() and "wal" in str(exc).lower():
            raise DatabaseUnreadable(
                f"The database {path.name} cannot be opened: its write-ahead log {wal.name} does not belong to it "
                f"({exc}). Nothing was changed. Keep both files; copy them aside, then either restore the latest "
                "backup (python -m collab_data restore) or move the .wal file away and open the database again "
                "(the changes only in that log are then lost).") from exc
        raise


def settle(path: str | Path) -> None:
    """Write a database's write-ahead log (left by a process that was killed) into the file
    itself, so that the file alone holds every committed change and can be copied or
    replaced safely. Raises :class:`DatabaseUnreadable` when the log does not belong to it."""
    path = Path(path)
    if not path.exists() or not path.with_name(path.name + ".wal").exists():
        return
    con = _connect(path, read_only=False)
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()


class Database:
    """One DuckDB file, opened once in this process."""

    def __init__(self, path: str | Path, *, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        self._con = _connect(self.path, read_only)
        self._lock = threading.RLock()
        self.tables = frozenset(table_names_in_schema())
        #: Counts the writes this process committed: the app's caches key on it. This
        #: process owns the file while it has it open read-write, so no other writer exists.
        self.generation = 0
        self._memo: dict[str, tuple[int, Any]] = {}
        self._recalled: OrderedDict = OrderedDict()
        self._recall_lock = threading.Lock()
        if not read_only:
            self.migrate()

    def memo(self, key: str, compute):
        """``compute()`` at most once per write generation: for a read that many callers
        repeat within one page run (the data date). Every write through this class moves
        the generation, so a memoised value is never stale."""
        generation = self.generation
        hit = self._memo.get(key)
        if hit is not None and hit[0] == generation:
            return hit[1]
        value = compute()
        self._memo[key] = (generation, value)
        return value

    #: How many results :meth:`recall` keeps (the most recently used).
    RECALL_SIZE = 64

    def recall(self, name: str, args: tuple, compute):
        """``compute()`` at most once per ``name``, hashable ``args`` and write generation,
        keeping the :data:`RECALL_SIZE` most recently used: a page's view and its chart
        builders (cached apart) share one run of the same query on a cold load. The values
        are shared: callers never change them in place."""
        key = (self.generation, name, args)
        with self._recall_lock:
            if key in self._recalled:
                self._recalled.move_to_end(key)
                return self._recalled[key]
        value = compute()
        with self._recall_lock:
            self._recalled[key] = value
            while len(self._recalled) > self.RECALL_SIZE:
                self._recalled.popitem(last=False)
        return value

    # -- reading ---------------------------------------------------------------
    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        cur = self._con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def query(self, sql: str, params: Sequence[Any] | dict | None = None) -> pd.DataFrame:
        with self.cursor() as cur:
            return cur.execute(sql, params).df()

    def rows(self, sql: str, params: Sequence[Any] | dict | None = None) -> list[tuple]:
        with self.cursor() as cur:
            return cur.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: Sequence[Any] | dict | None = None) -> Any:
        rows = self.rows(sql, params)
        return rows[0][0] if rows else None

    # -- schema ----------------------------------------------------------------
    def schema_version(self) -> int:
        with self.cursor() as cur:
            exists = cur.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
            ).fetchone()[0]
            if not exists:
                return 0
            return cur.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]

    def migrate(self) -> list[int]:
        """Apply every schema version above the database's; returns the versions applied."""
        applied = []
        with self._lock:
            current = self.schema_version()
            for version, description, ddl in schema_versions():
                if version <= current:
                    continue
                with self.cursor() as cur:
                    cur.execute("BEGIN")
                    try:
                        cur.execute(ddl)
                        cur.execute("INSERT INTO schema_version VALUES (?, ?)", [version, description])
                        cur.execute("COMMIT")
                    except Exception:
                        cur.execute("ROLLBACK")
                        raise
                applied.append(version)
            if applied:
                self.__dict__.pop("_pk", None)
        return applied

    # -- the single write path -------------------------------------------------
    @contextmanager
    def write(
        self,
        *,
        kind: str,
        source: str,
        sha256: str | None = None,
        size_bytes: int | None = None,
        rows_read: int | None = None,
        editor: str | None = None,
        note: str | None = None,
    ) -> Iterator[Batch]:
        """Open a transaction with a new import batch; commit on success, roll back on error.

        Build batches (kind reference / lnob / sample) carry no timestamp so that a
        rebuild gives identical content; every other write is timestamped (UTC).
        """
        if self.read_only:
            raise WriteRejected("the database is open read-only")
        created = None if kind in BUILD_KINDS else datetime.now(UTC).replace(tzinfo=None)
        with self._lock, self.cursor() as cur:
            cur.execute("BEGIN")
            try:
                batch_id = cur.execute("SELECT coalesce(max(batch_id), 0) + 1 FROM import_batches").fetchone()[0]
                cur.execute(
                    "INSERT INTO import_batches (batch_id, kind, source, sha256, size_bytes, rows_read, "
                    "editor, created_at, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [batch_id, kind, source, sha256, size_bytes, rows_read, editor, created, note],
                )
                batch = Batch(cur, batch_id, self.tables, self.primary_keys())
                yield batch
                skipped = None if rows_read is None else max(rows_read - batch.rows_imported, 0)
                cur.execute(
                    "UPDATE import_batches SET rows_imported = ?, rows_skipped = ? WHERE batch_id = ?",
                    [batch.rows_imported, skipped, batch_id],
                )
                cur.execute("COMMIT")
                self.generation += 1
            except BaseException:
                cur.execute("ROLLBACK")
                raise

    def primary_keys(self) -> dict[str, list[str]]:
        """The primary-key columns of every table that has one."""
        def compute():
            return {t: list(cols) for t, cols in self.rows(
                "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
                "WHERE constraint_type = 'PRIMARY KEY' AND database_name = current_database()")}
        if not hasattr(self, "_pk"):
            self._pk = compute()
        return self._pk

    def foreign_keys(self) -> list[tuple[str, str, str, str]]:
        """(child table, child column, parent table, parent column) for every single-column FK."""
        out = []
        for table, text in self.rows("SELECT table_name, constraint_text FROM duckdb_constraints() "
                                     "WHERE constraint_type = 'FOREIGN KEY'"):
            m = re.fullmatch(r"FOREIGN KEY \((\w+)\) REFERENCES (\w+)\((\w+)\)", text)
            if m:
                out.append((table, m.group(1), m.group(2), m.group(3)))
        return out

    def remove_sample(self, *, by: str) -> dict[str, int]:
        """Delete every sample row (the sample batch of the build) and nothing else, as an
        undo of that batch: refused, before anything is deleted, while a record of another
        batch refers to a sample row (the message names the table and the batch). Returns
        the rows deleted per table; raises WriteRejected when there is no sample."""
        rows = self.rows("SELECT batch_id FROM import_batches WHERE kind = 'sample' AND status <> 'undone'")
        if not rows:
            raise WriteRejected("this database holds no sample records")
        deleted: dict[str, int] = {}
        for (batch_id,) in rows:
            try:
                done = self.undo_batch(batch_id, by=by, allow_sample=True)
            except WriteRejected as exc:
                raise WriteRejected(f"the sample records cannot be removed: {exc}") from None
            for table, n in done.items():
                deleted[table] = deleted.get(table, 0) + n
        return deleted

    def undo_batch(self, batch_id: int, *, by: str, allow_sample: bool = False) -> dict[str, int]:
        """Delete every row a batch wrote and mark the batch undone.

        DuckDB cannot delete a parent row in the transaction that deleted its children,
        so the undo runs table by table (children first), each delete its own
        transaction, between a status of 'undoing' and 'undone'. It refuses up front when
        another batch's rows depend on this one's; an interrupted undo resumes when run
        again (every step is idempotent).
        """
        with self._lock, self.cursor() as cur:
            row = cur.execute("SELECT kind, status FROM import_batches WHERE batch_id = ?", [batch_id]).fetchone()
            if row is None:
                raise WriteRejected(f"there is no import batch {batch_id}")
            if row[0] in BUILD_KINDS and not (allow_sample and row[0] == "sample"):
                raise WriteRejected(f"batch {batch_id} is part of the database build and cannot be undone")
            if row[1] == "undone":
                raise WriteRejected(f"batch {batch_id} was already undone")
            for child, col, parent, pcol in self.foreign_keys():
                if parent == "import_batches" or child == "import_batches":
                    continue
                n, other = cur.execute(
                    f"SELECT count(*), min(c.batch_id) FROM {child} c WHERE c.batch_id <> $b AND c.{col} IN "
                    f"(SELECT {pcol} FROM {parent} WHERE batch_id = $b)", {"b": batch_id}).fetchone()
                if n:
                    raise WriteRejected(f"batch {batch_id} cannot be undone: {n} row(s) of {child} from batch {other} "
                                        f"refer to its {parent}; undo batch {other} first")
            later = self._later_changes(cur, batch_id)
            if later:
                raise WriteRejected(f"batch {batch_id} cannot be undone: batch {later[0]} changed the same records "
                                    f"afterwards; undo batch {later[0]} first")
            cur.execute("UPDATE import_batches SET status = 'undoing' WHERE batch_id = ?", [batch_id])
            self.generation += 1
            self._put_back(cur, batch_id)
            deleted: dict[str, int] = {}
            for table in reversed(table_names_in_schema()):
                if table in ("import_batches", "schema_version", "record_changes"):
                    continue
                n = cur.execute(f"DELETE FROM {table} WHERE batch_id = ?", [batch_id]).fetchall()
                if n and n[0][0]:
                    deleted[table] = int(n[0][0])
            now = datetime.now(UTC).replace(tzinfo=None)
            cur.execute("UPDATE import_batches SET status = 'undone', undone_at = ?, undone_by = ? WHERE batch_id = ?",
                        [now, by, batch_id])
            self.generation += 1
        return deleted

    def _later_changes(self, cur, batch_id: int) -> list[int]:
        """Batches after ``batch_id`` (not undone) that edited a record this batch wrote or
        edited: undoing this one first would overwrite their changes or orphan their history."""
        mine = {(t, k) for t, k in cur.execute(
            "SELECT table_name, record_key FROM record_changes WHERE batch_id = ?", [batch_id]).fetchall()}
        found = set()
        keys = self.primary_keys()
        for other, table, key, action, old in cur.execute(
                "SELECT c.batch_id, c.table_name, c.record_key, c.action, c.old_value FROM record_changes c "
                "JOIN import_batches b USING (batch_id) WHERE c.batch_id > ? AND b.status <> 'undone' "
                "ORDER BY c.batch_id", [batch_id]).fetchall():
            if (table, key) in mine:
                found.add(other)
                continue
            if action == "delete":
                if str(json.loads(old).get("batch_id")) == str(batch_id):
                    found.add(other)
                continue
            k = json.loads(key)
            where = " AND ".join(f'CAST("{c}" AS VARCHAR) = ?' for c in keys[table])
            if cur.execute(f"SELECT count(*) FROM {table} WHERE batch_id = ? AND {where}",
                           [batch_id, *[k[c] for c in keys[table]]]).fetchone()[0]:
                found.add(other)
        return sorted(found, reverse=True)

    def _put_back(self, cur, batch_id: int) -> None:
        """Reverse the edits of a batch, newest first, in one transaction: old values back,
        removed rows back (as they were, with their own batch). Idempotent, for a resumed undo."""
        changes = cur.execute("SELECT table_name, record_key, action, column_name, old_value FROM record_changes "
                              "WHERE batch_id = ? AND action <> 'insert' ORDER BY seq DESC", [batch_id]).fetchall()
        if not changes:
            return
        types = {}
        # each (record, column) the batch updated gets back its value from before the batch: the
        # old value of its first change; written per table and column in one UPDATE, after the
        # removed rows are back (newest first), which is the order a one-by-one reversal ends in
        first_old: dict[tuple[str, str, str], str | None] = {}
        cur.execute("BEGIN")
        try:
            for table, key, action, column, old in changes:
                if table not in types:
                    types[table] = dict(self.columns_of(table))
                if action == "update":
                    first_old[(table, column, key)] = old  # newest first: the last one seen is the first change
                    continue
                row = json.loads(old)
                cols = [c for c in types[table] if c in row]
                values = ", ".join(f"CAST(? AS {types[table][c]})" for c in cols)
                cur.execute(f"INSERT OR IGNORE INTO {table} ({', '.join(cols)}) VALUES ({values})",
                            [row[c] for c in cols])
            by_column: dict[tuple[str, str], list[tuple[dict, str | None]]] = {}
            for (table, column, key), old in first_old.items():
                by_column.setdefault((table, column), []).append((json.loads(key), old))
            for (table, column), items in by_column.items():
                kcols = list(items[0][0])
                frame = pd.DataFrame([[*(k[c] for c in kcols), old] for k, old in items],
                                     columns=[*kcols, "_old_value"], dtype="object")
                cur.register("_put_back_values", frame)
                try:
                    on = " AND ".join(f't."{c}" = CAST(u."{c}" AS {types[table][c]})' for c in kcols)
                    cur.execute(f'UPDATE {table} AS t SET "{column}" = CAST(u._old_value AS {types[table][column]}) '
                                f"FROM _put_back_values u WHERE {on}").fetchall()
                finally:
                    cur.unregister("_put_back_values")
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    # -- inspection ------------------------------------------------------------
    def table_counts(self) -> dict[str, int]:
        with self.cursor() as cur:
            return {t: cur.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in sorted(self.tables)}

    def table_checksums(self) -> dict[str, tuple[int, str]]:
        """Row count and an order-independent MD5 of every table's full content."""
        out = {}
        with self.cursor() as cur:
            for t in sorted(self.tables):
                n, digest = cur.execute(
                    f"SELECT count(*), coalesce(md5(string_agg(CAST(r AS VARCHAR), chr(10) "
                    f"ORDER BY CAST(r AS VARCHAR))), '') FROM {t} r"
                ).fetchone()
                out[t] = (n, digest)
        return out

    def adopt_records(self, source: str | Path, tables: Sequence[str], batch_kinds: Sequence[str]) -> dict[str, int]:
        """Copy the import batches of ``batch_kinds`` and every row of ``tables`` from the
        database file ``source`` (same schema version, not open in this process) into this
        one, in one transaction: all of it or, on any error, nothing.

        Batch ids are kept, or shifted past this database's own batches when they would
        clash (every ``batch_id`` column moves by the same amount). A row that refers to a
        key this database lacks (a country the new reference files no longer list) raises
        :class:`WriteRejected` naming table, column and values, before anything is written.
        Returns the rows copied per table.
        """
        tables = list(tables)
        unknown = [t for t in tables if t not in self.tables or t in ("import_batches", "schema_version")]
        if unknown:
            raise ValueError(f"cannot adopt tables {unknown}")
        src = str(Path(source)).replace("'", "''")
        copied: dict[str, int] = {}
        with self._lock, self.cursor() as cur:
            cur.execute(f"ATTACH '{src}' AS adopt_src (READ_ONLY)")
            try:
                versions = cur.execute("SELECT (SELECT max(version) FROM adopt_src.schema_version), "
                                       "(SELECT max(version) FROM main.schema_version)").fetchone()
                if versions[0] != versions[1]:
                    raise WriteRejected(f"the source database has schema version {versions[0]}, this one {versions[1]}")
                low, high_here = cur.execute(
                    "SELECT (SELECT min(batch_id) FROM adopt_src.import_batches WHERE kind = ANY($k)), "
                    "(SELECT coalesce(max(batch_id), 0) FROM main.import_batches)", {"k": list(batch_kinds)}).fetchone()
                offset = 0 if low is None or low > high_here else high_here - low + 1
                missing = []
                for child, col, parent, pcol in self.foreign_keys():
                    if child not in tables or parent in tables or parent == "import_batches":
                        continue
                    gone = [v for (v,) in cur.execute(
                        f"SELECT DISTINCT c.{col} FROM adopt_src.{child} c WHERE c.{col} IS NOT NULL AND c.{col} "
                        f"NOT IN (SELECT {pcol} FROM main.{parent}) ORDER BY 1 LIMIT 10").fetchall()]
                    if gone:
                        missing.append(f"{child}.{col} refers to {parent} {', '.join(map(repr, gone))}, which the "
                                       "reference files no longer have")
                if missing:
                    raise WriteRejected("; ".join(missing))
                cur.execute("BEGIN")
                try:
                    for table in ["import_batches", *tables]:
                        cols = [c for (c,) in cur.execute(
                            "SELECT column_name FROM information_schema.columns WHERE table_catalog = current_database() "
                            "AND table_schema = 'main' AND table_name = ? ORDER BY ordinal_position", [table]).fetchall()]
                        select = ", ".join(f"{c} + {offset}" if c == "batch_id" else c for c in cols)
                        where = " WHERE kind = ANY($k)" if table == "import_batches" else ""
                        params = {"k": list(batch_kinds)} if where else None
                        n = cur.execute(f"INSERT INTO main.{table} ({', '.join(cols)}) SELECT {select} "
                                        f"FROM adopt_src.{table}{where}", params).fetchone()
                        copied[table] = int(n[0]) if n else 0
                    cur.execute("COMMIT")
                except BaseException:
                    cur.execute("ROLLBACK")
                    raise
            finally:
                cur.execute("DETACH adopt_src")
            self.generation += 1
        return copied

    # -- backup ----------------------------------------------------------------
    def columns_of(self, table: str) -> list[tuple[str, str]]:
        """(column, DuckDB type) of a table of the schema, in order."""
        if table not in self.tables:
            raise ValueError(f"unknown table {table!r}")
        return [(c, t) for c, t in self.rows(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = current_database() "
            "AND table_schema = 'main' AND table_name = ? ORDER BY ordinal_position", [table])]

    def export_csv(self, table: str, out: Path, *, batch_kinds: Sequence[str] | None = None) -> int:
        """Write a table (for ``import_batches``: the batches of ``batch_kinds``) to a CSV file
        that :meth:`load_csvs` reads back exactly: a header, NULL written as ``\\N``. Returns
        the rows written."""
        if table not in self.tables:
            raise ValueError(f"unknown table {table!r}")
        order = ", ".join(c for c, _ in self.columns_of(table))
        where = ""
        params = None
        if batch_kinds is not None:
            where, params = " WHERE kind = ANY(?)", [list(batch_kinds)]
        target = str(out).replace("'", "''")
        with self.cursor() as cur:
            n = cur.execute(f"COPY (SELECT * FROM {table}{where} ORDER BY {order}) TO '{target}' "
                            "(HEADER, NULLSTR '\\N')", params).fetchone()
        return int(n[0]) if n else 0

    def load_csvs(self, files: dict[str, Path], columns: dict[str, list[str]] | None = None) -> dict[str, int]:
        """Insert CSV files written by :meth:`export_csv` ({table: file}, parents first) in one
        transaction: every row, or nothing. ``columns``: the columns a file holds when it was
        written by an earlier schema version (a subset of today's; the others take their
        default). Returns the rows loaded per table."""
        loaded: dict[str, int] = {}
        with self._lock, self.cursor() as cur:
            cur.execute("BEGIN")
            try:
                for table, path in files.items():
                    cols = self.columns_of(table)
                    if columns and table in columns:
                        types = dict(cols)
                        cols = [(c, types[c]) for c in columns[table]]
                    spec = "{" + ", ".join(f"'{c}': '{t}'" for c, t in cols) + "}"
                    source = str(path).replace("'", "''")
                    n = cur.execute(
                        f"INSERT INTO {table} ({', '.join(c for c, _ in cols)}) SELECT * FROM read_csv('{source}', "
                        f"header = true, nullstr = '\\N', allow_quoted_nulls = false, auto_detect = false, "
                        f"columns = {spec})").fetchone()
                    loaded[table] = int(n[0]) if n else 0
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            self.generation += 1
        return loaded

    def close(self) -> None:
        self._con.close()


_registry: dict[Path, Database] = {}
_registry_lock = threading.Lock()


def get_database(path: str | Path | None = None) -> Database:
    """The process-wide :class:`Database` for ``path`` (default :func:`default_path`)."""
    key = Path(path or default_path()).resolve()
    with _registry_lock:
        db = _registry.get(key)
        if db is None:
            db = _registry[key] = Database(key)
        return db


def close_database(path: str | Path | None = None) -> None:
    key = Path(path or default_path()).resolve()
    with _registry_lock:
        db = _registry.pop(key, None)
    if db is not None:
        db.close()


def close_all() -> None:
    with _registry_lock:
        dbs = list(_registry.values())
        _registry.clear()
    for db in dbs:
        db.close()


def batch_kinds_in(path: str | Path) -> dict[str, int]:
    """How many import batches of each kind the database file at ``path`` holds (opened
    read-only for a moment, or through this process's handle when it has one)."""
    key = Path(path).resolve()
    with _registry_lock:
        db = _registry.get(key)
    sql = "SELECT kind, count(*) FROM import_batches GROUP BY kind ORDER BY kind"
    if db is not None:
        return dict(db.rows(sql))
    con = duckdb.connect(str(key), read_only=True)
    try:
        return dict(con.execute(sql).fetchall())
    finally:
        con.close()


def sha256_of(*blobs: bytes) -> str:
    h = hashlib.sha256()
    for b in blobs:
        h.update(b)
    return h.hexdigest()
