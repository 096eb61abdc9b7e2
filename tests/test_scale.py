"""The scale benchmark's database: the sample grown N times keeps every rule of the data,
grows each record table exactly N times, leaves reference and LNOB data alone, and the
app's queries run on it."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from datetime import date

import pytest

from collab_data.db import Database
from collab_data.filters import Filters
from collab_data.queries import scale as Q
from collab_data.scale import ScaleRefused, check_database, grow_database, scale


@pytest.fixture(scope="module")
def grown(sample_db_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("scale") / "x2.duckdb"
    report = scale(path, 2, source=sample_db_path)
    return path, report


def test_every_record_table_grows_exactly_twice_and_nothing_else_changes(grown):
    _, report = grown
    assert report.problems == []
    for table in Q.GROW:
        assert report.before[table] > 0, table
        assert report.after[table] == 2 * report.before[table], table
    others = {t: n for t, n in report.before.items() if t not in Q.GROW}
    assert others.pop("import_batches") + 1 == report.after["import_batches"]  # the one batch of the copies
    assert {t: report.after[t] for t in others} == others  # reference, LNOB, targets, history: unchanged


def test_grown_database_keeps_every_rule(grown):
    path, _ = grown
    db = Database(path, read_only=True)
    try:
        assert check_database(db) == []
        # the copies are sample records of their own batch, with unique names and ids
        batch = db.scalar("SELECT max(batch_id) FROM import_batches WHERE source LIKE 'bench scale%'")
        assert db.scalar("SELECT kind FROM import_batches WHERE batch_id = ?", [batch]) == "sample"
        assert db.scalar("SELECT count(*) FROM partners WHERE batch_id = ? AND NOT is_sample", [batch]) == 0
        # a copy's references point at the same copy of the other records
        assert db.scalar("SELECT count(*) FROM tool_owners WHERE batch_id = ? AND "
                         "regexp_extract(tool_id, '_x(\\d+)$', 1) <> regexp_extract(partner_id, '_x(\\d+)$', 1)",
                         [batch]) == 0
    finally:
        db.close()


def test_a_database_is_grown_once_and_targets_are_kept(grown, tmp_path):
    path, _ = grown
    with pytest.raises(ScaleRefused, match="exists"):
        scale(path, 2)
    db = Database(path)
    try:
        with pytest.raises(ScaleRefused, match="grown before"):
            grow_database(db, 2)
    finally:
        db.close()
    with pytest.raises(ScaleRefused, match="density"):
        scale(tmp_path / "x.duckdb", 2, programme_density=3)


def test_denser_links_stay_within_their_constraints(sample_db_path, tmp_path):
    report = scale(tmp_path / "dense.duckdb", 3, source=sample_db_path, programme_density=2, link_density=1.5)
    assert report.problems == []
    assert report.after["country_programs"] == 6 * report.before["country_programs"]
    assert 3 * report.before["activity_partners"] < report.after["activity_partners"] \
        < 6 * report.before["activity_partners"]


def _query_functions():
    import collab_data.queries as queries

    for info in pkgutil.iter_modules(queries.__path__):
        module = importlib.import_module(f"collab_data.queries.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and not name.startswith("_"):
                yield f"{info.name}.{name}", fn


def test_the_app_queries_run_on_the_grown_database(grown):
    """Every query function that takes the database, a Filters value and a period runs."""
    path, _ = grown
    db = Database(path, read_only=True)
    values = {"db": db, "f": Filters(), "start": date(2025, 1, 1), "end": date(2025, 12, 31),
              "prev_start": date(2024, 1, 1), "prev_end": date(2024, 12, 31)}
    ran = []
    try:
        for label, fn in _query_functions():
            params = [p for p in inspect.signature(fn).parameters.values() if p.default is inspect.Parameter.empty]
            if not params or params[0].name != "db" or any(p.name not in values for p in params):
                continue
            fn(*[values[p.name] for p in params])
            ran.append(label)
    finally:
        db.close()
    assert len(ran) >= 30, ran
