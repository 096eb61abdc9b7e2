"""The Overlap page at scale: bounded SQL output, "All others" totals that add up,
vectorised seriation, full CSV exports and chart specs cached across reruns.

Caps are set small here (a handful of rows and columns) so the sample and a database
grown twice (``collab_data.scale``) exercise every cut; expectations are computed with
plain SQL and Python sets, independently of ``collab_data.queries.overlap``.
"""

from __future__ import annotations

import inspect
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from conftest import open_tab

from collab_data import exports
from collab_data.charts import overlap as charts
from collab_data.db import get_database
from collab_data.filters import Filters
from collab_data.queries import overlap as Q
from collab_data.views import overlap as VO

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/overlap.py"


@pytest.fixture(scope="module")
def grown_path(sample_db_path, tmp_path_factory) -> Path:
    from collab_data.scale import scale

    path = tmp_path_factory.mktemp("overlap_scale") / "x2.duckdb"
    scale(path, 2, source=sample_db_path)
    return path


@pytest.fixture(scope="module", params=["sample", "x2"])
def db(request, sample_db_path, grown_path):
    return get_database(sample_db_path if request.param == "sample" else grown_path)


def partner_country_sql(db) -> pd.DataFrame:
    return db.query("""
        SELECT cp.partner_id, coalesce(p.acronym, p.name) AS partner, cp.iso3, c.name AS country, count(*) AS n
        FROM country_programs cp JOIN partners p USING (partner_id) JOIN countries c USING (iso3) GROUP BY ALL""")


def country_sets(db) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for r in partner_country_sql(db).itertuples():
        out.setdefault(r.partner, set()).add(r.iso3)
    return out


# --------------------------------------------------------------------------------------
# Capped matrices: bounded, and the "All others" row and column keep every total
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("n_rows, n_cols", [(5, 4), (1, 1), (40, 25)])
def test_partner_country_capped_is_bounded_and_totals_add_up(db, n_rows, n_cols):
    full = partner_country_sql(db)
    capped = Q.partner_country_capped(db, Filters(), n_cols=n_cols, n_rows=n_rows)
    shown_rows = capped.loc[~capped["other_row"], "partner"].unique()
    shown_cols = capped.loc[~capped["other_col"], "country"].unique()
    assert len(shown_rows) <= n_rows and len(shown_cols) <= n_cols
    assert capped["partner"].nunique() <= n_rows + 1 and capped["country"].nunique() <= n_cols + 1
    assert len(capped) <= (n_rows + 1) * (n_cols + 1)
    # the rule: most programmes first (ties by name)
    totals = full.groupby("partner")["n"].sum()
    if len(shown_rows) < len(totals):
        assert totals[list(shown_rows)].min() >= totals.drop(list(shown_rows)).max()
    ctotals = full.groupby("country")["n"].sum()
    if len(shown_cols) < len(ctotals):
        assert ctotals[list(shown_cols)].min() >= ctotals.drop(list(shown_cols)).max()
    # every total adds up with "All others"
    assert capped["programmes"].sum() == full["n"].sum()
    for country in shown_cols:
        assert capped.loc[capped["country"] == country, "programmes"].sum() == ctotals[country]
    for partner in shown_rows:
        assert capped.loc[capped["partner"] == partner, "programmes"].sum() == totals[partner]
    shown_cells = capped[~capped["other_row"] & ~capped["other_col"]]
    expected = {(r.partner, r.country): r.n for r in full.itertuples()
                if r.partner in set(shown_rows) and r.country in set(shown_cols)}
    assert dict(zip(zip(shown_cells["partner"], shown_cells["country"]), shown_cells["programmes"])) == expected
    others = capped[capped["other_row"]]
    if len(others):
        n_other = len(totals) - len(shown_rows)
        assert others["partner"].iloc[0] == f"All others ({n_other} partners)"
        assert others["programmes"].sum() == totals.drop(list(shown_rows)).sum()


def test_tool_country_capped_totals_add_up(db):
    full = db.query("""SELECT t.name AS tool, c.name AS country, count(*) AS n FROM country_programs cp
                       JOIN tools t USING (tool_id) JOIN countries c USING (iso3) GROUP BY ALL""")
    capped = Q.tool_country_capped(db, Filters(), n_cols=3, n_rows=4)
    assert capped["tool"].nunique() <= 5 and capped["country"].nunique() <= 4
    assert capped["programmes"].sum() == full["n"].sum()
    totals = full.groupby("tool")["n"].sum()
    for tool in capped.loc[~capped["other_row"], "tool"].unique():
        assert capped.loc[capped["tool"] == tool, "programmes"].sum() == totals[tool]
    assert capped["partners"].notna().all()


def test_a_searched_partner_is_added_to_the_rows(db):
    full = partner_country_sql(db)
    last = full.groupby("partner")["n"].sum().sort_values().index[0]  # fewest programmes: never in the top 2
    capped = Q.partner_country_capped(db, Filters(), n_cols=4, n_rows=2, pinned=(last,))
    shown = set(capped.loc[~capped["other_row"], "partner"])
    assert last in shown and len(shown) == 3


def test_capped_view_puts_all_others_last_and_keeps_every_cell(db):
    frame = Q.partner_country_capped(db, Filters(), n_cols=4, n_rows=5)
    view = charts.capped_view(frame, row="partner", col="country", value="programmes")
    assert view.rows[-1].startswith("All others") and view.cols[-1].startswith("All others")
    assert view.shown_rows == 5 and view.shown_cols == 4
    assert set(view.cells["partner"]) <= set(view.rows) and set(view.cells["country"]) <= set(view.cols)
    assert view.cells["summary"].tolist() == (view.cells["other_row"] | view.cells["other_col"]).tolist()
    assert len(charts.chart_data(charts.partner_country_heatmap(view))) == len(view.cells)


# --------------------------------------------------------------------------------------
# Pairs: bounded, computed in SQL, equal to hand-computed sets
# --------------------------------------------------------------------------------------
def test_pair_matrix_is_bounded_and_equals_sets(db):
    n = 6
    sets = country_sets(db)
    m = Q.pair_matrix(db, Filters(), n_rows=n)
    assert len(m) <= (n + 1) ** 2
    shown = set(m.loc[~m["other_a"], "partner_a"])
    assert len(shown) == n
    # the rule: most countries in view first
    sizes = pd.Series({p: len(s) for p, s in sets.items()})
    assert sizes[list(shown)].min() >= sizes.drop(list(shown)).max()
    others = set().union(*(s for p, s in sets.items() if p not in shown))
    group = {**{p: sets[p] for p in shown}, m.loc[m["other_a"], "partner_a"].iloc[0]: others}
    for r in m.itertuples():
        sa, sb = group[r.partner_a], group[r.partner_b]
        assert r.shared_countries == len(sa & sb)
        assert r.jaccard == pytest.approx(len(sa & sb) / len(sa | sb))
    got = {(r.partner_a, r.partner_b) for r in m.itertuples()}
    assert got == {(a, b) for a in group for b in group if group[a] & group[b]}


@pytest.mark.parametrize("k", [1, 3])
def test_top_pairs_are_at_most_n_times_k_and_the_best(db, k):
    n = 4
    sets = country_sets(db)
    top = Q.top_pairs(db, Filters(), k=k, n_rows=n)
    assert len(top) <= n * k
    assert top.groupby("partner_a").size().max() <= k
    for a, rows in top.groupby("partner_a"):
        sa = sets[a]
        ranked = sorted(((-len(sa & sb), -len(sa & sb) / len(sa | sb), b) for b, sb in sets.items()
                         if b != a and sa & sb))
        assert rows.sort_values("rank")["partner_b"].tolist() == [b for *_, b in ranked[:k]]
        for r in rows.itertuples():
            assert r.shared_names.split("; ") == sorted(
                db.query("SELECT name FROM countries WHERE iso3 = ANY(?)", [sorted(sa & sets[r.partner_b])])["name"])


def old_pair_order(pairs: pd.DataFrame, partners: list[str], order: str = "similarity") -> list[str]:
    """The loop implementation this page had before (iterrows and .loc), as the reference."""
    own = {}
    for _, r in pairs.iterrows():
        own[r["partner_a"]] = int(r["countries_a"])
    matrix = pd.DataFrame(0.0, index=list(partners), columns=list(partners))
    for _, r in pairs.iterrows():
        if r["partner_a"] in matrix.index and r["partner_b"] in matrix.columns:
            matrix.loc[r["partner_a"], r["partner_b"]] = float(r["shared_countries"])
    for p in partners:
        matrix.loc[p, p] = float(own.get(p, 1))
    if order == "totals":
        return charts._totals_order(matrix, 1)
    rows, _ = charts.first_axis_order(matrix)
    return rows


@pytest.mark.parametrize("order", list(charts.ORDER_CHOICES))
def test_vectorised_seriation_gives_the_order_it_gave_before(sample_db_path, order):
    db = get_database(sample_db_path)
    m = Q.pair_matrix(db, Filters(), n_rows=1000)
    assert not m["other_a"].any(), "every partner shown"
    pairs = m[m["partner_a_id"] != m["partner_b_id"]].reset_index(drop=True)
    partners = sorted(m["partner_a"].unique())
    assert charts.pair_order(pairs, partners, order) == old_pair_order(pairs, partners, order)
    # and a filtered view (some partners alone in their countries)
    f = Filters(countries=("KEN", "UGA", "NPL", "IND"))
    m = Q.pair_matrix(db, f, n_rows=1000)
    pairs = m[m["partner_a_id"] != m["partner_b_id"]].reset_index(drop=True)
    partners = sorted(m["partner_a"].unique())
    assert charts.pair_order(pairs, partners, order) == old_pair_order(pairs, partners, order)


def test_seriation_has_no_row_loops():
    source = inspect.getsource(charts.pair_order) + inspect.getsource(charts.capped_view)
    assert "iterrows" not in source and ".loc[" not in source.replace('cells.loc[cells["other_', "")


# --------------------------------------------------------------------------------------
# The view: bounded heatmaps, complete CSVs
# --------------------------------------------------------------------------------------
def test_view_heatmaps_are_capped_and_csv_is_complete(grown_path):
    db = get_database(grown_path)
    view = VO.overlap_view(db, Filters(), top_n=15)
    m = view.partner_country_matrix
    assert m.shown_cols <= 15 and m.shown_rows <= Q.MAX_ROWS and len(m.rows) <= Q.MAX_ROWS + 1
    assert len(view.pair_order) <= Q.MAX_ROWS + 1
    # the CSV: every partner x country cell, from SQL
    full = partner_country_sql(db)
    table = view.partner_country.table
    assert len(table) == len(full) and table["Programmes"].sum() == full["n"].sum()
    assert set(zip(table["Partner"], table["ISO3"])) == set(zip(full["partner"], full["iso3"]))
    tools = db.query("SELECT count(*) AS n FROM (SELECT DISTINCT tool_id, iso3 FROM country_programs "
                     "WHERE tool_id IS NOT NULL)")["n"].iloc[0]
    assert len(view.tool_country.table) == tools
    assert len(view.pairs.table) <= len(view.pair_order) * Q.TOP_PAIRS
    csv = exports.to_csv(table, title="t", filters_sentence="all", as_of=date(2026, 3, 1)).decode("utf-8-sig")
    lines = csv.splitlines()
    assert "# Data as of: 2026-03-01" in lines  # ISO dates in exports
    assert len(lines) == len(full) + 1 + sum(line.startswith("#") for line in lines)
    # a top_n beyond the cap is capped
    assert VO.overlap_view(db, Filters(), top_n=500).partner_country_matrix.shown_cols <= Q.MAX_COLS


def test_all_others_cells_are_outside_the_colour_scale():
    frame = pd.DataFrame({
        "partner": ["A", "A", "All others (3 partners)"], "partner_name": ["A", "A", "3 partners"],
        "country": ["Kenya", "All others (2 countries)", "Kenya"], "iso3": ["KEN", "~others", "KEN"],
        "programmes": [2, 5, 900], "other_row": [False, False, True], "other_col": [False, True, False],
        "total_rows": 4, "total_cols": 3})
    view = charts.capped_view(frame, row="partner", col="country", value="programmes")
    spec = charts.partner_country_heatmap(view).to_dict()
    scaled = next(layer for layer in spec["layer"] if "color" in layer["encoding"]
                  and layer["encoding"]["color"].get("field") == "programmes")
    assert scaled["encoding"]["color"]["scale"]["domain"][1] == 2  # 900 would swamp the scale
    assert view.rows == ["A", "All others (3 partners)"] and view.cols == ["Kenya", "All others (2 countries)"]


# --------------------------------------------------------------------------------------
# The page: capped frames on screen, chart specs cached across reruns
# --------------------------------------------------------------------------------------
def _charts(at) -> list[tuple[dict, pd.DataFrame]]:
    out = []
    for el in at.get("vega_lite_chart"):
        frames = [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in el.proto.datasets]
        out.append((json.loads(el.proto.spec), frames[0]))
    return out


def test_page_frames_are_capped_and_a_warm_rerun_does_no_altair_work(grown_path, monkeypatch):
    import altair as alt
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from collab_data.db import DB_ENV

    monkeypatch.setenv(DB_ENV, str(grown_path))
    st.cache_data.clear()
    from collab_data.db import get_database

    get_database(grown_path)._recalled.clear()  # start cold: no shaped heatmap remembered
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["ov_top"] = "Top 15"  # the URL holds the label shown
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    drawn = _charts(at)
    assert len(drawn) == 1, "only the open tab's heatmap is worked out and drawn"
    for label in list(VO.TABS.values())[1:]:
        open_tab(at, "ov_tab", label)
        assert len(_charts(at)) == 1
        drawn += _charts(at)
    for spec, data in drawn:
        x = spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
        y = spec["layer"][0]["encoding"]["y"]["scale"]["domain"]
        assert len(y) <= Q.MAX_ROWS + 1 and len(x) <= Q.MAX_ROWS + 1
        assert len(data) <= len(x) * len(y)
    pc_x = drawn[0][0]["layer"][0]["encoding"]["x"]["scale"]["domain"]
    assert len(pc_x) == 16 and pc_x[-1].startswith("All others")
    assert any("the top 15 of" in c.value for c in at.caption)
    calls = []
    original = alt.Chart.to_dict
    monkeypatch.setattr(alt.Chart, "to_dict", lambda self, *a, **k: calls.append(1) or original(self, *a, **k))
    monkeypatch.setattr(alt.LayerChart, "to_dict", lambda self, *a, **k: calls.append(1) or original(self, *a, **k))
    at.run()
    assert not at.exception
    assert calls == [], "a warm rerun converts no chart"
    assert [s for s, _ in _charts(at)] == [s for s, _ in drawn[-1:]]
    st.cache_data.clear()


def test_a_searched_partner_appears_in_both_partner_heatmaps(grown_path):
    db = get_database(grown_path)
    sets = country_sets(db)
    smallest = min(sets, key=lambda p: (len(sets[p]), p))
    view = VO.overlap_view(db, Filters(), pinned=(smallest,))
    assert smallest in view.partner_country_matrix.rows
    assert smallest in view.pair_order
    assert smallest in set(view.pairs.table["Partner"])  # and its top pairs are listed


@pytest.mark.parametrize("builder, args", [
    (VO.partner_country_chart, (15, "similarity", ())), (VO.partner_country_chart, (40, "totals", ())),
    (VO.pair_chart, ("shared_countries", "similarity", ())), (VO.pair_chart, ("jaccard", "totals", ())),
    (VO.tool_country_chart, (25, "similarity")),
])
def test_chart_builders_validate_once_here_not_on_each_rerun(db, builder, args):
    builder(db, Filters(), *args).to_dict(validate=True)  # the full schema validation


def test_an_old_all_link_falls_back_to_a_bounded_view(app_test, sample_db_path):
    at = app_test(sample_db_path, PAGE, ov_top="All")  # "All" used to draw every country
    assert not at.exception
    assert any("the top 25 of 51 countries" in c.value for c in at.caption)
