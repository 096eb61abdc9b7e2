"""Records people entered survive the commands that rebuild the database.

* ``build`` refuses to replace a database holding uploads or edits (naming ``refresh``);
  ``--force`` keeps a copy of the file first.
* ``refresh`` reloads the bundled reference, vocabulary and LNOB files and keeps every
  record, batch and history row exactly; a record that refers to something the new files
  no longer have stops it, and the database stays as it was.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date

import pytest
from conftest import TODAY

from collab_data import cycles, targets
from collab_data.build import REFERENCE_TABLES, BuildRefused, build, record_tables, refresh
from collab_data.db import PROJECT_ROOT, Database, WriteRejected, close_database, get_database, table_names_in_schema
from collab_data.ingest import activities as A

ADMIN = A.Editor("Secretariat", None)


@pytest.fixture()
def with_records(sample_db_path, tmp_path):
    """A copy of the sample with an upload, a target change, a cycle change and an undone upload."""
    path = tmp_path / "records.duckdb"
    shutil.copy(sample_db_path, path)
    db = get_database(path)
    plan = A.validate(A.template_csv(example=True), "example.csv", db, editor=ADMIN, today=TODAY)
    A.import_activities(db, plan, editor=ADMIN)
    targets.set_target(db, "peer_reviews", "quarter", date(2026, 10, 1), 4, editor="Secretariat", today=TODAY)
    cycles.set_cycle(db, "lnob", 2, editor="Secretariat")
    data = b"title,type,start_date,partners\nA later exchange,knowledge exchange,2026-11-03,ODW\n"
    undone = A.import_activities(db, A.validate(data, "later.csv", db, editor=ADMIN, today=TODAY), editor=ADMIN)
    db.undo_batch(undone, by="Secretariat")
    yield path
    close_database(path)


def _checksums(path):
    close_database(path)
    db = Database(path, read_only=True)
    try:
        return db.table_checksums()
    finally:
        db.close()


def test_every_table_is_either_reference_or_records():
    tables = set(table_names_in_schema()) - {"import_batches", "schema_version"}
    assert REFERENCE_TABLES <= tables
    assert set(record_tables()) == tables - REFERENCE_TABLES
    assert {"partners", "activities", "kpi_target_changes", "reporting_cycle_changes"} <= set(record_tables())


def test_build_refuses_to_replace_records(with_records):
    before = _checksums(with_records)
    with pytest.raises(BuildRefused, match=r"python -m collab_data refresh.*--force"):
        build(with_records)
    assert _checksums(with_records) == before
    out = subprocess.run([sys.executable, "-m", "collab_data", "build", "--db", str(with_records)],
                         cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert out.returncode == 2 and "nothing was changed" in out.stderr and "refresh" in out.stderr
    assert _checksums(with_records) == before


def test_forced_build_keeps_a_copy_first(with_records):
    before = _checksums(with_records)
    report = build(with_records, force=True)
    assert report.kept is not None and report.kept.exists()
    assert _checksums(report.kept) == before, "the copy holds every record"
    assert "kept in" in "\n".join(report.lines())
    after = _checksums(with_records)
    assert after["import_batches"][0] == 4 and after["reporting_cycle_changes"][0] == 0


def test_a_sample_only_database_is_rebuilt_without_fuss(sample_db_path, tmp_path):
    path = tmp_path / "plain.duckdb"
    shutil.copy(sample_db_path, path)
    assert build(path).kept is None


def test_refresh_keeps_every_record_and_reloads_the_reference(with_records, data_copy):
    before = _checksums(with_records)
    wb = data_copy / "reference" / "wb_class_income_groups_fy26.csv"
    text = wb.read_text(encoding="utf-8-sig")
    assert "Kenya,KEN,Sub-Saharan Africa,Lower middle income,Blend" in text
    wb.write_text(text.replace("Kenya,KEN,Sub-Saharan Africa,Lower middle income,Blend",
                               "Kenya,KEN,Sub-Saharan Africa,Upper middle income,IBRD"), encoding="utf-8-sig")
    report = refresh(with_records, data_dir=data_copy)
    after = _checksums(with_records)
    for table in record_tables():
        assert after[table] == before[table], f"{table} changed"
    db = get_database(with_records)
    assert db.rows("SELECT income_group, lending_category FROM countries WHERE iso3 = 'KEN'") == [
        ("Upper middle income", "IBRD")]
    kinds = dict(db.rows("SELECT kind, count(*) FROM import_batches GROUP BY kind"))
    assert kinds == {"reference": 2, "lnob": 1, "sample": 1, "upload": 2, "edit": 2}
    assert db.rows("SELECT status FROM import_batches WHERE kind = 'upload' ORDER BY batch_id") == [
        ("imported",), ("undone",)]
    assert report.kept.exists() and _checksums(report.kept) == before
    assert "every record of the collaboratives was kept" in "\n".join(report.lines())
    # the app's numbers on the records are the same
    from collab_data.queries import data_as_of
    assert data_as_of(db) == date(2026, 11, 19)


def test_refresh_stops_when_a_record_refers_to_what_the_files_dropped(with_records, data_copy):
    before = _checksums(with_records)
    types = data_copy / "vocabulary" / "activity_types.csv"
    types.write_text("\n".join(ln for ln in types.read_text(encoding="utf-8").splitlines()
                               if not ln.startswith("peer_review,")) + "\n", encoding="utf-8")
    with pytest.raises(WriteRejected, match=r"activities\.type_id refers to activity_types 'peer_review'"):
        refresh(with_records, data_dir=data_copy)
    assert _checksums(with_records) == before
    assert not list(with_records.parent.glob("*.refreshing*")), "no half-built file is left"
    out = subprocess.run([sys.executable, "-m", "collab_data", "refresh", "--db", str(with_records),
                          "--data", str(data_copy)], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert out.returncode == 2 and "the database is as it was" in out.stderr and "peer_review" in out.stderr


def test_cli_refresh(with_records):
    before = _checksums(with_records)
    out = subprocess.run([sys.executable, "-m", "collab_data", "refresh", "--db", str(with_records)],
                         cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "every record of the collaboratives was kept" in out.stdout
    after = _checksums(with_records)
    assert after == before, "refreshing from the same files changes nothing"


# --------------------------------------------------------------------------------------
# Backup and restore
# --------------------------------------------------------------------------------------
def test_backup_then_restore_gives_equal_tables(with_records, tmp_path):
    from collab_data.backup import backup, restore

    before = _checksums(with_records)
    zip_path = tmp_path / "backup.zip"
    report = backup(get_database(with_records), zip_path)
    assert report.rows["activities"] == 155 and report.rows["import_batches"] == 5  # sample + 2 uploads + 2 edits
    restored = tmp_path / "restored.duckdb"
    restore(zip_path, restored)
    assert _checksums(restored) == before, "every table, reference and records, has the same content"
    # and through the command line
    again = tmp_path / "again.duckdb"
    out = subprocess.run([sys.executable, "-m", "collab_data", "restore", str(zip_path), "--db", str(again)],
                         cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert _checksums(again) == before


def _damaged(zip_path, tmp_path, how: str):
    import json
    import zipfile

    bad = tmp_path / f"{how}.zip"
    if how == "truncated":
        data = zip_path.read_bytes()
        bad.write_bytes(data[: len(data) // 2])
    elif how == "foreign":
        with zipfile.ZipFile(bad, "w") as z:
            z.writestr("data.csv", "a,b\n1,2\n")
    elif how == "other-format":
        with zipfile.ZipFile(bad, "w") as z:
            z.writestr("manifest.json", json.dumps({"format": "something else"}))
    elif how == "changed-file":
        with zipfile.ZipFile(zip_path) as src, zipfile.ZipFile(bad, "w") as z:
            for name in src.namelist():
                data = src.read(name)
                if name == "activities.csv":
                    data = data.replace(b"Training on", b"Trainings on", 1)
                z.writestr(name, data)
    elif how == "not-a-zip":
        bad.write_text("hello")
    return bad


@pytest.mark.parametrize(("how", "message"), [
    ("truncated", "not a readable zip file"),
    ("foreign", "has no manifest.json"),
    ("other-format", "another format"),
    ("changed-file", "does not match its checksum"),
    ("not-a-zip", "not a readable zip file"),
])
def test_a_damaged_or_foreign_backup_is_refused_and_writes_nothing(with_records, tmp_path, how, message):
    from collab_data.backup import BackupError, backup, restore

    zip_path = tmp_path / "backup.zip"
    backup(get_database(with_records), zip_path)
    bad = _damaged(zip_path, tmp_path, how)
    target = tmp_path / "new.duckdb"
    with pytest.raises(BackupError, match=message):
        restore(bad, target)
    assert not target.exists() and not list(tmp_path.glob("new.duckdb*"))
    out = subprocess.run([sys.executable, "-m", "collab_data", "restore", str(bad), "--db", str(target)],
                         cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert out.returncode == 2 and "nothing was restored" in out.stderr and "Traceback" not in out.stderr


def test_restore_never_overwrites(with_records, tmp_path):
    from collab_data.backup import BackupError, backup, restore

    zip_path = tmp_path / "backup.zip"
    backup(get_database(with_records), zip_path)
    with pytest.raises(BackupError, match="restore into a new file"):
        restore(zip_path, with_records)


def test_restore_refuses_dates_outside_the_window(with_records, tmp_path):
    """A database filled before dates were bounded may hold a typo year: its backup is refused
    with the row named, never restored into pages that cannot show it."""
    from collab_data.backup import BackupError, backup, restore

    db = get_database(with_records)
    with db.write(kind="edit", source="an old typo", editor="t") as b:
        b.execute("UPDATE activities SET start_date = DATE '2206-03-10' WHERE activity_id = "
                  "(SELECT min(activity_id) FROM activities)")
    zip_path = tmp_path / "backup.zip"
    backup(db, zip_path)
    target = tmp_path / "new.duckdb"
    with pytest.raises(BackupError, match=r"activities.start_date = 2206-03-10 \(A\d+\).*Nothing was restored"):
        restore(zip_path, target)
    assert not target.exists() and not list(tmp_path.glob("new.duckdb*"))


# --------------------------------------------------------------------------------------
# Sample out, real data in
# --------------------------------------------------------------------------------------
def test_remove_sample_leaves_exactly_the_other_rows(sample_db_path, tmp_path):
    path = tmp_path / "real.duckdb"
    shutil.copy(sample_db_path, path)
    db = get_database(path)
    targets.set_target(db, "peer_reviews", "quarter", date(2026, 10, 1), 4, editor="Secretariat", today=TODAY)
    cycles.set_cycle(db, "lnob", 2, editor="Secretariat")
    keep = {t: db.rows(f"SELECT count(*) FROM {t} WHERE batch_id <> 4")[0][0] for t in record_tables()}
    reference = {t: v for t, v in db.table_checksums().items() if t in REFERENCE_TABLES}
    close_database(path)  # the command needs the file to itself
    out = subprocess.run([sys.executable, "-m", "collab_data", "remove-sample", "--db", str(path), "--editor",
                          "Secretariat"], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "removed the sample records: " in out.stdout and "from activities" in out.stdout
    db = get_database(path)
    after = db.table_counts()
    assert {t: after[t] for t in record_tables()} == keep
    assert db.rows("SELECT count(*) FROM kpi_targets") == [(1,)], "the admin's own target stays"
    assert sum(db.rows(f"SELECT count(*) FROM {t} WHERE is_sample")[0][0] for t in record_tables()
               if "is_sample" in dict(db.columns_of(t))) == 0
    assert {t: v for t, v in db.table_checksums().items() if t in REFERENCE_TABLES} == reference
    assert db.rows("SELECT status, undone_by FROM import_batches WHERE kind = 'sample'") == [("undone", "Secretariat")]
    with pytest.raises(WriteRejected, match="no sample records"):
        db.remove_sample(by="Secretariat")


def test_a_record_that_uses_a_sample_partner_blocks_the_removal(with_records):
    db = get_database(with_records)
    before = db.table_checksums()
    with pytest.raises(WriteRejected,
                       match=r"sample records cannot be removed: .*row\(s\) of \w+ from batch \d+ refer to its \w+"):
        db.remove_sample(by="Secretariat")
    assert db.table_checksums() == before


def test_a_backup_of_an_earlier_version_restores(tmp_path, monkeypatch, data_copy):
    """A backup made before records became editable (schema 3) restores into today's schema;
    the columns added since take their defaults."""
    from collab_data import db as dbmod
    from collab_data.backup import backup, restore

    text = dbmod.SCHEMA_FILE.read_text(encoding="utf-8")
    old_schema = tmp_path / "schema_v3.sql"
    old_schema.write_text(text[:text.index("-- version: 4:")], encoding="utf-8")
    monkeypatch.setattr(dbmod, "SCHEMA_FILE", old_schema)
    old_path = tmp_path / "v3.duckdb"
    build(old_path, data_dir=data_copy)
    old = get_database(old_path)
    assert old.schema_version() == 3
    zip_path = tmp_path / "v3-backup.zip"
    backup(old, zip_path)
    partners = old.rows("SELECT partner_id, name, acronym FROM partners ORDER BY 1")
    programmes = old.rows("SELECT program_id, partner_id, iso3, start_date FROM country_programs ORDER BY 1")
    close_database(old_path)
    monkeypatch.undo()
    new = tmp_path / "restored.duckdb"
    restore(zip_path, new, data_dir=data_copy)
    db = get_database(new)
    assert db.schema_version() == len(dbmod.schema_versions())
    assert db.rows("SELECT partner_id, name, acronym FROM partners ORDER BY 1") == partners
    assert db.rows("SELECT program_id, partner_id, iso3, start_date FROM country_programs ORDER BY 1") == programmes
    assert db.scalar("SELECT count(*) FROM partners WHERE idc_champion") == 0
    close_database(new)
