"""The page benchmark's parts (without running the pages) and the chart-spec cache:
a finished spec is built and validated once per arguments and database generation, and
rendered exactly as st.altair_chart renders the chart."""

from __future__ import annotations

from types import SimpleNamespace

import altair as alt
import pandas as pd
import pytest
import streamlit as st

from collab_data import bench, runtime

CALLS: list[tuple] = []


@runtime.cached_chart
def bars(db, label: str, n: int = 3) -> alt.Chart:
    """A pure builder of the test: reads 'its data' from db, returns an Altair chart."""
    CALLS.append((db.path, label, n))
    frame = pd.DataFrame({"name": [f"{label} {i}" for i in range(n)], "value": range(n)})
    return alt.Chart(frame).mark_bar().encode(x="value:Q", y=alt.Y("name:N", sort="-x"))


@pytest.fixture()
def fake_db(monkeypatch):
    db = SimpleNamespace(path="fake.duckdb", generation=0)
    monkeypatch.setattr(runtime, "database", lambda: db)
    monkeypatch.setattr(runtime, "get_database", lambda _path: db)
    st.cache_data.clear()
    CALLS.clear()
    yield db
    st.cache_data.clear()


def test_a_spec_is_built_once_per_arguments_and_generation(fake_db, monkeypatch):
    validations = []
    original = alt.Chart.to_dict
    monkeypatch.setattr(alt.Chart, "to_dict", lambda self, *a, **k: validations.append(1) or original(self, *a, **k))
    first = bars("Kenya")
    assert bars("Kenya") == first and len(CALLS) == 1 and len(validations) == 1  # cached: no Altair at all
    bars("Kenya", n=4)
    bars("Uganda")
    assert len(CALLS) == 3
    fake_db.generation += 1  # an import, edit or undo: nothing stale is shown
    bars("Kenya")
    assert len(CALLS) == 4 and len(validations) == 4


def plain_bars(db, label: str) -> alt.Chart:
    """An undecorated builder, as views keep them (no Streamlit import there)."""
    return bars.__wrapped__(db, label)


def test_cached_spec_calls_a_plain_builder_once(fake_db):
    assert runtime.cached_spec(plain_bars, "Ghana") == runtime.cached_spec(plain_bars, "Ghana")
    assert len(CALLS) == 1
    fake_db.generation += 1
    runtime.cached_spec(plain_bars, "Ghana")
    assert len(CALLS) == 2


def test_a_cached_spec_is_a_private_copy_with_its_data_serialised(fake_db):
    spec = bars("Kenya")
    assert spec["mark"]["type"] == "bar" if isinstance(spec["mark"], dict) else spec["mark"] == "bar"
    assert all(isinstance(v, bytes) for v in spec["datasets"].values())  # Arrow, once
    spec.pop("datasets")  # what st.vega_lite_chart does to the spec it is given
    assert "datasets" in bars("Kenya")


def test_the_builder_is_validated_in_tests_not_on_each_rerun(fake_db):
    chart = bars.__wrapped__(SimpleNamespace(path="x"), "Kenya")
    chart.to_dict(validate=True)  # the full schema validation, here and not in the page


def _rendered(script) -> list:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(script, default_timeout=90)
    at.run()
    assert not at.exception
    return [e.proto for e in at.get("vega_lite_chart")]


def _altair_page():
    import altair as alt
    import pandas as pd
    import streamlit as st

    frame = pd.DataFrame({"name": ["a", "b"], "value": [1, 2]})
    st.altair_chart(alt.Chart(frame).mark_bar().encode(x="value:Q", y="name:N"), width="stretch")


def _spec_page():
    import altair as alt
    import pandas as pd

    from collab_data.runtime import chart_spec, show_chart

    frame = pd.DataFrame({"name": ["a", "b"], "value": [1, 2]})
    show_chart(chart_spec(alt.Chart(frame).mark_bar().encode(x="value:Q", y="name:N")), width="stretch")


def test_show_chart_sends_what_altair_chart_sends():
    (a,), (b,) = _rendered(_altair_page), _rendered(_spec_page)
    assert a.spec == b.spec
    assert [(d.name, d.data.data) for d in a.datasets] == [(d.name, d.data.data) for d in b.datasets]


def test_call_recorder_sees_the_query_calls_and_restores_the_cache(monkeypatch):
    seen = []
    monkeypatch.setattr(runtime, "_cached_call", lambda *a: seen.append(a) or "rows")
    with bench._CallRecorder() as rec:
        assert runtime._cached_call("collab_data.queries.overlap", "partner_pairs", "db", (1, 0), ("f",), ()) == "rows"
    assert runtime._cached_call.__name__ == "<lambda>"
    (call,) = rec.calls.values()
    assert call["name"] == "partner_pairs" and call["done"] and call["args"] == ("f",)
    assert bench._label(call) == "queries.overlap.partner_pairs"


def test_format_pages_names_slow_big_and_unfinished_pages():
    rows = [{"page": "pages/overlap.py", "cold_ms": 120_000, "warm_ms": None, "warm_max_ms": None, "dnf": "cold",
             "queries": [{"function": "queries.overlap.partner_pairs", "ms": None, "page_ms": None}],
             "largest_bytes": 0, "rss_mb": 900.0},
            {"page": "pages/gaps.py", "cold_ms": 900, "warm_ms": 600, "warm_max_ms": 700, "dnf": None,
             "queries": [{"function": "queries.gaps.odin_scores", "ms": 12.5, "page_ms": 13}],
             "largest_bytes": 30e6, "rss_mb": 950.0, "restarted": True}]
    text = bench.format_pages(rows)
    assert "DID NOT FINISH (cold)" in text and "still running when the page was given up: queries.overlap.partner_pairs" in text
    assert "TOO BIG" in text and "queries.gaps.odin_scores" in text and "new process" in text


def test_format_browser_names_slow_pages_and_pages_without_a_filter():
    from collab_data import loadtest

    report = loadtest.BrowserReport("x100.duckdb", "Kenya", warm_up_s=3.2, start_rss_mb=50, end_rss_mb=400, rows=[
        loadtest.BrowserRow("Overview", 4.6, 2.1, 1.5),
        loadtest.BrowserRow("Countries", 2.0, 1.9, 2.4),
        loadtest.BrowserRow("Meeting mode", 2.5, 1.4, None),
        loadtest.BrowserRow("Data gaps", None, None, None, "TimeoutError: no title"),
    ])
    lines = loadtest.format_browser(report).splitlines()
    row = {line.split("  ")[0].strip(): line for line in lines[2:6]}
    assert row["Overview"].endswith("SLOW: first") and row["Countries"].endswith("SLOW: filter")
    assert "—" in row["Meeting mode"] and row["Meeting mode"].endswith("ok")  # no country filter on the page
    assert row["Data gaps"].endswith("TimeoutError: no title")
    assert "warm-up" in lines[0] and "3.20 s" in lines[0] and "400 MB after every page" in lines[-1]


@pytest.mark.browser
def test_the_browser_benchmark_times_a_page_in_chromium(sample_db_path, browser):
    """`bench browser` on one page: a real server on a copy of the database (never written) and Chromium;
    the page loads, reloads and takes a country filter, each timed (the times themselves are not judged)."""
    from collab_data import loadtest

    before = sample_db_path.stat().st_mtime_ns
    report = loadtest.run_browser(sample_db_path, pages=["activities"], browser=browser)
    (row,) = report.rows
    assert row.page == "Activities" and not row.error, row.error
    assert row.first_s > 0 and row.reload_s > 0 and row.change_s > 0
    assert report.warm_up_s > 0 and report.end_rss_mb > 0
    assert sample_db_path.stat().st_mtime_ns == before


def test_browser_rounds_give_the_median_of_each_measure():
    from collab_data import loadtest

    def report(first, change, error=""):
        return loadtest.BrowserReport("x", "Kenya", warm_up_s=first, end_rss_mb=first * 100,
                                      rows=[loadtest.BrowserRow("Overview", first, 1.0, change, error)])

    merged = loadtest.median_of_rounds([report(3.0, 1.0), report(5.0, None), report(4.0, 3.0, "TimeoutError")])
    (row,) = merged.rows
    assert (row.first_s, row.change_s, row.error) == (4.0, 2.0, "TimeoutError") and merged.end_rss_mb == 500
    assert "median of 3 rounds" in loadtest.format_browser(merged).splitlines()[0]
