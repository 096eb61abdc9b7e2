"""The cache warm-up (collab_data/warmup.py): the default view of every page is worked out at
server start, the calls people made are made again after a write, and a page that then opens
finds its views ready (no query runs in its run)."""

from __future__ import annotations

import json
from datetime import date

import pytest
import streamlit as st
from conftest import TODAY

from collab_data import bench, runtime, warmup
from collab_data.db import DB_ENV, get_database
from collab_data.filters import Filters
from collab_data.views.network import NetworkOptions


def test_arguments_keep_their_types_and_today_is_the_day_of_the_replay():
    f = Filters(collab="gender", countries=("KEN", "GHA"), lens="unwomen")
    call = ("q", "collab_data.views.kpis", "overview", (f, TODAY, 15, ("a", "b"), None, NetworkOptions(kinds=("x",))),
            (("order", "similarity"),))
    stored = json.loads(json.dumps(warmup.call_to_json(call, TODAY)))
    assert stored["args"][1] == {"today": True}
    assert warmup.call_from_json(stored, TODAY) == call
    later = date(2027, 1, 5)
    again = warmup.call_from_json(stored, later)
    assert again[3][1] == later and again[3][0] == f and hash(again[3][0]) == hash(f)
    assert warmup.encode(date(2025, 3, 1), TODAY) == {"date": "2025-03-01"}
    with pytest.raises(TypeError, match="cannot keep"):
        warmup.encode(object(), TODAY)
    with pytest.raises(ValueError, match="not a value of the app"):
        warmup.decode({"value": "os:system", "fields": {}}, TODAY)


def test_the_list_is_what_the_pages_call_with_no_filters(sample_db_path):
    """The list in the repository is recorded from the pages: a page that calls something new
    fails here until the list is recorded again (python -m collab_data warm --record)."""
    recorded = [warmup.call_to_json(c, TODAY) for c in warmup.record(sample_db_path, bench.PAGES)]
    kept = [warmup.call_to_json(c, TODAY) for c in warmup.load_calls(today=TODAY)]
    assert recorded == kept, \
        "the pages' default calls changed: run COLLAB_TODAY=2026-11-22 python -m collab_data warm --record"
    assert {c["name"] for c in kept} >= {"overview", "kpis_page", "overlap_view", "network_view", "countries_view"}


@pytest.fixture()
def misses(monkeypatch):
    """Every query or chart computed for real (a cache miss), from here on."""
    seen: list[str] = []
    compute, compute_spec = runtime._compute, runtime._compute_spec
    monkeypatch.setattr(runtime, "_compute", lambda m, n, *a: seen.append(f"{m}.{n}") or compute(m, n, *a))
    monkeypatch.setattr(runtime, "_compute_spec",
                        lambda b, *a: seen.append(f"chart {b.__module__}.{b.__qualname__}") or compute_spec(b, *a))
    return seen


def _fresh(monkeypatch, path):
    monkeypatch.setenv(DB_ENV, str(path))
    st.cache_data.clear()
    warmup.WARMER._seen.clear()
    warmup.WARMER._recent.clear()  # the calls of earlier tests in this process (other databases) are not replayed


def test_after_the_start_warm_up_every_page_opens_without_a_query(app_test, sample_db_path, monkeypatch, misses):
    _fresh(monkeypatch, sample_db_path)
    monkeypatch.setenv(warmup.ENV, "1")
    done = runtime.keep_warm(background=False)
    assert done["done"] == len(warmup.load_calls(today=TODAY)) and done["failed"] == 0
    assert runtime.keep_warm(background=False) is None, "the same data is warmed once"
    monkeypatch.setenv(warmup.ENV, "0")
    misses.clear()
    for page in bench.PAGES:
        at = app_test(sample_db_path, page, keep_cache=True)
        assert not at.exception, at.exception
        assert misses == [], f"{page} computed {misses} (not warmed)"
    st.cache_data.clear()


def test_after_a_write_the_calls_people_made_are_made_again(app_test, sample_db_path, tmp_path, monkeypatch, misses):
    import shutil

    path = tmp_path / "w.duckdb"
    shutil.copy(sample_db_path, path)
    _fresh(monkeypatch, path)
    app_test(path, "pages/overlap.py", keep_cache=True, country=["Kenya", "Ghana"], ov_top="Top 15")  # no default
    db = get_database(path)
    with db.write(kind="edit", source="a real edit", editor="t", note='{"records": "partners"}') as b:
        b.update("partners", {"partner_id": "odw"}, {"website": "https://kept.example"})
    monkeypatch.setenv(warmup.ENV, "1")
    warmup.WARMER._seen[str(path)] = ("an earlier generation",)  # the server saw the data before the write
    done = runtime.keep_warm(background=False)
    assert done["done"] >= 5 and done["failed"] == 0
    monkeypatch.setenv(warmup.ENV, "0")
    misses.clear()
    at = app_test(path, "pages/overlap.py", keep_cache=True, country=["Kenya", "Ghana"], ov_top="Top 15")
    assert not at.exception, at.exception
    assert misses == [], f"computed again after the write: {misses}"
    st.cache_data.clear()


def test_a_warm_up_stops_when_the_data_changes_again_and_skips_a_failing_call():
    made = []

    def run(call):
        if call == "bad":
            raise RuntimeError("no such table")
        made.append(call)

    assert warmup.replay(["a", "bad", "b"], run, lambda: True)["failed"] == 1 and made == ["a", "b"]
    made.clear()
    current = iter([True, False])
    assert warmup.replay(["a", "b", "c"], run, lambda: next(current, False))["done"] == 1 and made == ["a"]


def test_the_warm_up_is_off_with_collab_warm_0(sample_db_path, monkeypatch):
    _fresh(monkeypatch, sample_db_path)
    monkeypatch.setenv(warmup.ENV, "0")
    assert runtime.keep_warm(background=False) is None
