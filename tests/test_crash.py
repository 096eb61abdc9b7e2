"""Crash safety: a process killed in the middle of a write (kill -9) leaves a database that
opens, with every operation either complete or resumable; a write-ahead log left beside the
file is written into it before a build replaces the file, never left stale; a log that does
not belong to its file stops with what to do, and nothing is changed."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from collab_data import build as B
from collab_data.db import PROJECT_ROOT, Database, DatabaseUnreadable, close_database, get_database

ROWS = 20_000


def _python(code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=PROJECT_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _write_and_die(path) -> None:
    """A process that commits an edit and is killed before it closes the file: the change is
    only in the write-ahead log."""
    proc = _python(f"""
        import os
        from collab_data.db import Database
        db = Database({str(path)!r})
        with db.write(kind="edit", source="left in the log", editor="t", note='{{"records": "partners"}}') as b:
            b.update("partners", {{"partner_id": "odw"}}, {{"website": "https://in-the-log.example"}})
        print("committed", flush=True)
        os.kill(os.getpid(), 9)
    """)
    out, err = proc.communicate(timeout=60)
    assert b"committed" in out, err.decode()
    assert path.with_name(path.name + ".wal").exists(), "the change is in the write-ahead log"


def test_a_build_takes_in_a_log_left_by_a_killed_process(sample_db_path, tmp_path):
    path = tmp_path / "c.duckdb"
    shutil.copy(sample_db_path, path)
    _write_and_die(path)
    report = B.build(path, force=True)
    assert not path.with_name(path.name + ".wal").exists(), "no stale log beside the new file"
    db = Database(path, read_only=True)
    assert db.scalar("SELECT count(*) FROM partners") == 15
    db.close()
    kept = Database(report.kept, read_only=True)
    assert kept.rows("SELECT website FROM partners WHERE partner_id = 'odw'") == [("https://in-the-log.example",)], \
        "the copy kept before the build has the change that was only in the log"
    kept.close()


def test_a_log_that_is_not_the_files_own_stops_with_what_to_do(sample_db_path, tmp_path):
    donor = tmp_path / "donor.duckdb"
    shutil.copy(sample_db_path, donor)
    _write_and_die(donor)
    path = tmp_path / "victim.duckdb"
    B.build(path, sample=False)
    close_database(path)
    shutil.copy(donor.with_name(donor.name + ".wal"), path.with_name(path.name + ".wal"))
    before = path.read_bytes()
    with pytest.raises(DatabaseUnreadable, match="does not belong to it.*Nothing was changed"):
        Database(path)
    with pytest.raises(DatabaseUnreadable):
        B.build(path, force=True)
    assert path.read_bytes() == before and path.with_name(path.name + ".wal").exists(), "both files left as they were"
    from collab_data import cli

    assert cli.main(["build", "--db", str(path), "--force"]) == 2


@pytest.mark.parametrize("after", [0.2, 0.8, 2.0])
def test_an_undo_killed_at_any_moment_can_be_finished(sample_db_path, tmp_path, after):
    path = tmp_path / "u.duckdb"
    shutil.copy(sample_db_path, path)
    db = get_database(path)
    import pandas as pd

    with db.write(kind="upload", source="big.csv", editor="t", note='{"partner": null}') as batch:
        batch.insert("country_programs", pd.DataFrame({
            "program_id": [f"P{i}" for i in range(ROWS)], "partner_id": "paris21", "iso3": "KEN",
            "support_type": "training", "start_date": pd.Timestamp("2025-01-01"), "status": "active",
            "is_sample": False}))
    big = batch.batch_id
    close_database(path)
    proc = _python(f"""
        from collab_data.db import Database
        Database({str(path)!r}).undo_batch({big}, by="t")
        print("done", flush=True)
    """)
    time.sleep(after)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    db = get_database(path)  # it opens
    status, = db.rows("SELECT status FROM import_batches WHERE batch_id = ?", [big])[0]
    left = db.scalar("SELECT count(*) FROM country_programs WHERE batch_id = ?", [big])
    assert (status, left) in {("imported", ROWS), ("undoing", ROWS), ("undoing", 0), ("undone", 0)}
    if status != "undone":
        db.undo_batch(big, by="t")  # finished (or done) as a whole
    assert db.scalar("SELECT count(*) FROM country_programs WHERE batch_id = ?", [big]) == 0
    assert db.rows("SELECT status FROM import_batches WHERE batch_id = ?", [big]) == [("undone",)]
    assert db.scalar("SELECT count(*) FROM country_programs") == 239
    close_database(path)


@pytest.mark.parametrize("command,after", [("refresh", 0.6), ("refresh", 1.8), ("build", 1.2)])
def test_a_refresh_or_build_killed_midway_leaves_the_database_as_it_was(sample_db_path, tmp_path, command, after):
    """Both build the new file beside the old one and move it in only when whole: a kill at
    any moment leaves the old database, every record in it, and a next run that succeeds."""
    path = tmp_path / "k.duckdb"
    shutil.copy(sample_db_path, path)
    db = get_database(path)
    with db.write(kind="edit", source="a real edit", editor="t", note='{"records": "partners"}') as b:
        b.update("partners", {"partner_id": "odw"}, {"website": "https://kept.example"})
    before = db.table_checksums()
    close_database(path)
    args = [sys.executable, "-m", "collab_data", command, "--db", str(path)] + (["--force"] if command == "build" else [])
    proc = subprocess.Popen(args, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(after)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    db = get_database(path)  # it opens
    after_kill = db.table_checksums()
    edited = db.rows("SELECT website FROM partners WHERE partner_id = 'odw'")
    close_database(path)
    if command == "refresh":
        assert after_kill == before, "a killed refresh changes nothing"
    elif after_kill != before:  # the forced build had finished: the old file, edit included, was kept first
        kept = sorted(tmp_path.glob("k.before-build-*.duckdb"))
        assert kept and edited != [("https://kept.example",)]
        old = Database(kept[0], read_only=True)
        assert old.rows("SELECT website FROM partners WHERE partner_id = 'odw'") == [("https://kept.example",)]
        old.close()
    if command == "refresh":
        assert subprocess.run(args, cwd=PROJECT_ROOT, capture_output=True).returncode == 0, "the next run succeeds"
        db = get_database(path)
        assert db.rows("SELECT website FROM partners WHERE partner_id = 'odw'") == [("https://kept.example",)]
        close_database(path)
