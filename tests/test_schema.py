"""The schema's constraints, migrations and the single write path."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest

from collab_data import db as dbmod
from collab_data.db import Database, WriteRejected


def _program(**over) -> pd.DataFrame:
    row = dict(program_id="T1", partner_id="paris21", iso3="KEN", tool_id=None, support_type="training",
               topic=None, start_date=date(2025, 1, 1), end_date=date(2025, 6, 30), status="completed",
               notes=None, is_sample=False)
    row.update(over)
    return pd.DataFrame([row])


def test_valid_row_is_written_and_stamped_with_its_batch(writable_db):
    with writable_db.write(kind="upload", source="t.csv", editor="tester") as batch:
        batch.rows_imported += batch.insert("country_programs", _program())
    row = writable_db.rows("SELECT p.batch_id, b.kind, b.editor, b.rows_imported, b.created_at IS NOT NULL "
                           "FROM country_programs p JOIN import_batches b USING (batch_id) WHERE program_id = 'T1'")
    assert row == [(batch.batch_id, "upload", "tester", 1, True)]


@pytest.mark.parametrize(
    "override, fragment",
    [
        (dict(support_type="consulting"), "CHECK"),            # bad enumeration value
        (dict(status="done"), "CHECK"),
        (dict(end_date=date(2024, 12, 31)), "CHECK"),          # end before start
        (dict(partner_id="nobody"), "foreign key"),            # unknown partner
        (dict(iso3="XXX"), "foreign key"),                     # unknown country
        (dict(tool_id="no_such_tool"), "foreign key"),
        (dict(start_date=None), "NOT NULL"),
    ],
)
def test_constraints_reject_bad_rows_and_roll_back_everything(writable_db, override, fragment):
    before = writable_db.table_checksums()
    with pytest.raises(duckdb.Error) as err:
        with writable_db.write(kind="upload", source="bad.csv", editor="tester") as batch:
            batch.insert("country_programs", _program(program_id="OK1"))  # a good row first
            batch.insert("country_programs", _program(**override))
    assert fragment.lower() in str(err.value).lower()
    assert writable_db.table_checksums() == before, "a failed write must leave every table unchanged"


def test_other_constraints(writable_db):
    cases = [
        ("activities", dict(activity_id="A-X", title="t", type_id="party", start_date=date(2025, 1, 1), is_sample=False)),
        ("activities", dict(activity_id="A-Y", title="t", type_id="meeting", start_date=date(2025, 2, 1),
                            end_date=date(2025, 1, 1), is_sample=False)),
        ("indicator_values", dict(indicator_id="gda_pct_any", iso3="KEN", year=2030, value=0.0,
                                  status="not_collected", source="x")),  # a missing value is never a number
        ("indicator_values", dict(indicator_id="gda_pct_any", iso3="KEN", year=2030, value=None,
                                  status="value", source="x")),
        ("partners", dict(partner_id="Bad Id", name="Bad", org_type="ngo", is_sample=False)),
        ("tools", dict(tool_id="t1", name="T", kind="methodology", stage="done", is_sample=False)),
    ]
    for table, row in cases:
        with pytest.raises(duckdb.Error):
            with writable_db.write(kind="upload", source="bad.csv", editor="t") as batch:
                batch.insert(table, pd.DataFrame([row]))


def test_failed_write_uses_no_batch_number(writable_db):
    last = writable_db.scalar("SELECT max(batch_id) FROM import_batches")
    with pytest.raises(duckdb.Error):
        with writable_db.write(kind="upload", source="bad.csv", editor="t") as batch:
            batch.insert("country_programs", _program(status="nope"))
    with writable_db.write(kind="upload", source="good.csv", editor="t") as batch:
        batch.insert("country_programs", _program(program_id="T9"))
    assert batch.batch_id == last + 1


def test_undo_removes_exactly_the_batch(writable_db):
    before = writable_db.table_checksums()
    with writable_db.write(kind="upload", source="a.csv", editor="t") as batch:
        batch.insert("country_programs", _program(program_id="U1"))
        batch.insert("country_programs", _program(program_id="U2", iso3="UGA"))
    deleted = writable_db.undo_batch(batch.batch_id, by="t")
    assert deleted == {"country_programs": 2}
    after = writable_db.table_checksums()
    changed = {t for t in before if before[t] != after[t]}
    assert changed == {"import_batches"}  # only the batch list records the upload and its undo
    status = writable_db.rows("SELECT status, undone_by FROM import_batches WHERE batch_id = ?", [batch.batch_id])
    assert status == [("undone", "t")]
    with pytest.raises(WriteRejected, match="already undone"):
        writable_db.undo_batch(batch.batch_id, by="t")
    with pytest.raises(WriteRejected, match="build"):
        writable_db.undo_batch(1, by="t")


def test_unknown_table_is_refused(writable_db):
    with pytest.raises(ValueError, match="unknown table"):
        with writable_db.write(kind="upload", source="x", editor="t") as batch:
            batch.insert("countries; DROP TABLE partners", pd.DataFrame([{"a": 1}]))


def test_forward_migration_applies_only_new_versions(tmp_path, monkeypatch):
    path = tmp_path / "m.duckdb"
    db = Database(path)
    assert db.schema_version() == len(dbmod.schema_versions())
    db.close()
    extended = tmp_path / "schema.sql"
    n = len(dbmod.schema_versions())
    extended.write_text(
        dbmod.SCHEMA_FILE.read_text(encoding="utf-8")
        + f"\n-- version: {n + 1}: add a test column\nALTER TABLE partners ADD COLUMN motto VARCHAR;\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(dbmod, "SCHEMA_FILE", extended)
    db = Database(path)
    assert db.schema_version() == n + 1
    assert "motto" in db.query("SELECT * FROM partners LIMIT 0").columns
    assert Database.migrate(db) == []  # nothing left to apply
    db.close()


def test_one_database_per_process(tmp_path):
    path = tmp_path / "one.duckdb"
    a = dbmod.get_database(path)
    b = dbmod.get_database(str(path))
    assert a is b
    dbmod.close_database(path)


def test_cursor_per_call_is_thread_safe(sample_db_path):
    import concurrent.futures as cf

    db = dbmod.get_database(sample_db_path)

    def count(table):
        return table, db.scalar(f"SELECT count(*) FROM {table}")

    tables = ["countries", "indicator_values", "activities", "partners"] * 25
    with cf.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(count, tables))
    expected = {t: db.scalar(f"SELECT count(*) FROM {t}") for t in set(tables)}
    assert all(n == expected[t] for t, n in results)
