"""The naive peer of the scale benchmark (collab_data/naive.py): every page has one, it runs
on the sample, and it computes the same things as the app (checked on two views)."""

from __future__ import annotations

from collab_data import bench, naive
from collab_data.db import get_database


def test_every_page_has_a_naive_view_that_runs(sample_db_path):
    assert set(naive.VIEWS) == set(bench.PAGES)
    rows = naive.bench_naive(sample_db_path, repeat=1, ours=False)
    assert [r["page"] for r in rows] == list(naive.VIEWS) and all(r["naive_ms"] > 0 for r in rows)
    text = naive.format_naive([{**rows[0], "naive_ms": 80.0, "ours_ms": 20.0, "data_ms": 5.0}, rows[1]], "sample.duckdb")
    line = next(x for x in text.splitlines() if x.startswith("overview.py"))
    assert line.split()[-2:] == ["4.0x", "4.8x"]  # 80/20, then (80 + 15 of drawing)/20
    assert "—" in text


def test_our_side_is_a_warm_rerun_of_the_page(sample_db_path):
    from collab_data import bench

    (row,) = bench.bench_pages(sample_db_path, repeat=2, pages=["pages/brief.py"], sql=False)
    ours, data = row["warm_ms"], row["warm_data_ms"]
    assert 0 < data < ours


def test_the_naive_views_count_what_the_app_counts(sample_db_path):
    tables = naive.load(sample_db_path)
    db = get_database(sample_db_path)
    pc, *_ = naive.overlap(tables)
    assert pc.to_numpy().sum() == db.scalar("SELECT count(*) FROM country_programs")
    acts = naive.activities(tables)
    assert len(acts) == db.scalar("SELECT count(*) FROM activities")
    kenya = acts.loc[acts["activity_id"] == db.scalar(
        "SELECT min(activity_id) FROM activity_countries WHERE iso3 = 'KEN'"), "countries"].iloc[0]
    assert "Kenya" in kenya
