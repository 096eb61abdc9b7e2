"""The Overlap page: heatmaps, coordination opportunities and gaps.

Every expectation is computed here with plain SQL on the sample database (and Python
sets for the Jaccard similarity), independently of ``collab_data.queries.overlap``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from conftest import open_tab

from collab_data.charts import overlap as charts
from collab_data.db import get_database
from collab_data.views import overlap as VO

PAGE = "pages/overlap.py"
ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------------------
# Independent SQL
# --------------------------------------------------------------------------------------
def sql(db_path, query: str, params=None) -> pd.DataFrame:
    """Plain SQL on the database file (through the process's one connection to it)."""
    return get_database(db_path).query(query, params)


def programmes_in_view(*, collab=None, countries=None, region=None, period=None, partners=None) -> str:
    """SQL of the programmes a filter combination selects (written out by hand)."""
    where = ["true"]
    if collab:
        where.append(f"cp.partner_id IN (SELECT partner_id FROM partner_memberships WHERE collab_id = '{collab}')")
    if countries:
        where.append("cp.iso3 IN ({})".format(", ".join(f"'{c}'" for c in countries)))
    if region:
        where.append(f"cp.iso3 IN (SELECT iso3 FROM countries WHERE wb_region = '{region}')")
    if partners:
        where.append("cp.partner_id IN ({})".format(", ".join(f"'{p}'" for p in partners)))
    if period:
        start, end = period
        where.append(f"cp.start_date <= DATE '{end}' AND coalesce(cp.end_date, DATE '9999-12-31') >= DATE '{start}'")
    return "SELECT cp.* FROM country_programs cp WHERE " + " AND ".join(where)


def expected_partner_country(db_path, progs: str) -> dict[tuple[str, str], int]:
    df = sql(db_path, f"""
        SELECT coalesce(p.acronym, p.name) AS partner, c.name AS country, count(*) AS n
        FROM ({progs}) cp JOIN partners p ON p.partner_id = cp.partner_id JOIN countries c ON c.iso3 = cp.iso3
        GROUP BY 1, 2""")
    return {(r.partner, r.country): int(r.n) for r in df.itertuples()}


def expected_tool_country(db_path, progs: str) -> dict[tuple[str, str], int]:
    df = sql(db_path, f"""
        SELECT t.name AS tool, c.name AS country, count(*) AS n
        FROM ({progs}) cp JOIN tools t ON t.tool_id = cp.tool_id JOIN countries c ON c.iso3 = cp.iso3
        GROUP BY 1, 2""")
    return {(r.tool, r.country): int(r.n) for r in df.itertuples()}


def country_sets(db_path, progs: str) -> dict[str, set[str]]:
    df = sql(db_path, f"""
        SELECT DISTINCT coalesce(p.acronym, p.name) AS partner, cp.iso3
        FROM ({progs}) cp JOIN partners p ON p.partner_id = cp.partner_id""")
    out: dict[str, set[str]] = {}
    for r in df.itertuples():
        out.setdefault(r.partner, set()).add(r.iso3)
    return out


def expected_opportunities(db_path, progs: str) -> set[tuple]:
    df = sql(db_path, f"""
        WITH prog AS ({progs}),
        themes AS (
            SELECT iso3, 'Topic' AS basis, topic AS theme, partner_id FROM prog WHERE topic IS NOT NULL
            UNION
            SELECT prog.iso3, 'Dimension', d.label, prog.partner_id FROM prog
            JOIN tool_dimensions td ON td.tool_id = prog.tool_id JOIN lnob_dimensions d ON d.dimension_id = td.dimension_id
        )
        SELECT c.name AS country, th.basis, th.theme, list(DISTINCT coalesce(p.acronym, p.name)) AS partners
        FROM themes th JOIN partners p ON p.partner_id = th.partner_id JOIN countries c ON c.iso3 = th.iso3
        GROUP BY 1, 2, 3""")
    return {(r.country, r.basis, r.theme, tuple(sorted(r.partners))) for r in df.itertuples() if len(r.partners) >= 2}


def expected_gaps(db_path, progs: str, country_where: str = "true") -> pd.DataFrame:
    return sql(db_path, f"""
        WITH n AS (SELECT iso3, count(DISTINCT partner_id) AS n FROM ({progs}) GROUP BY iso3),
        v AS (SELECT iso3, value FROM indicator_values WHERE indicator_id = 'gda_pct_any' AND status = 'value'
              AND year = (SELECT max(year) FROM indicator_values i2 WHERE i2.indicator_id = 'gda_pct_any'
                          AND i2.iso3 = indicator_values.iso3 AND i2.status = 'value'))
        SELECT c.name AS country, c.iso3, c.income_group, v.value, coalesce(n.n, 0) AS n
        FROM countries c LEFT JOIN n ON n.iso3 = c.iso3 LEFT JOIN v ON v.iso3 = c.iso3
        WHERE c.income_group IN ('Low income', 'Lower middle income', 'Upper middle income')
          AND coalesce(n.n, 0) <= 1 AND {country_where}""")


# --------------------------------------------------------------------------------------
# Reading the page
# --------------------------------------------------------------------------------------
def vega_charts(at) -> list[tuple[dict, pd.DataFrame]]:
    """(spec, data) of every Altair chart on the page."""
    out = []
    for el in at.get("vega_lite_chart"):
        spec = json.loads(el.proto.spec)
        frames = [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in el.proto.datasets]
        out.append((spec, frames[0] if frames else pd.DataFrame()))
    return out


#: The tab that draws the heatmap with these rows (the page draws only the open tab).
TAB_OF = {"partner": VO.TABS["pc"], "partner_a": VO.TABS["pp"], "tool": VO.TABS["tc"]}


def chart_by_row_field(at, field: str) -> tuple[dict, pd.DataFrame]:
    """The heatmap with rows ``field``, opening its tab first when another one is open."""
    for attempt in range(2):
        for spec, data in vega_charts(at):
            ys = [layer["encoding"].get("y", {}).get("field") for layer in spec.get("layer", [])]
            if field in ys:
                return spec, data
        if attempt == 0:
            open_tab(at, "ov_tab", TAB_OF[field])
    raise AssertionError(f"no heatmap with rows {field!r}")


def cells(data: pd.DataFrame, row: str, col: str, value: str) -> dict[tuple[str, str], float]:
    return {(r[row], r[col]): r[value] for _, r in data.iterrows()}


def check_capped(data: pd.DataFrame, row: str, col: str, value: str, expected: dict[tuple[str, str], int]) -> None:
    """A capped heatmap: the cells shown equal ``expected`` on the rows and columns shown,
    and with the "All others" row and column every row, column and the total add up."""
    inner = data[~data["summary"]]
    rows, cols = set(inner[row]), set(inner[col])
    assert cells(inner, row, col, value) == {k: v for k, v in expected.items() if k[0] in rows and k[1] in cols}
    assert data[value].sum() == sum(expected.values())
    for r in rows:
        assert data.loc[data[row] == r, value].sum() == sum(v for (a, _), v in expected.items() if a == r)
    for c in cols:
        assert data.loc[data[col] == c, value].sum() == sum(v for (_, b), v in expected.items() if b == c)


def table_with(at, column: str) -> pd.DataFrame:
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with a column {column!r}")


COMBOS = {
    "all": (dict(ov_top="Top 40"), dict()),  # was "All": unbounded at scale, now the widest view
    "gender_africa_2025": (
        dict(collab="Gender", region=["Sub-Saharan Africa"], period="2025", ov_top="Top 40"),
        dict(collab="gender", region="Sub-Saharan Africa", period=("2025-01-01", "2025-12-31")),
    ),
    "three_countries_lnob": (
        dict(collab="LNOB", country=["Kenya", "Uganda", "Rwanda"]),
        dict(collab="lnob", countries=["KEN", "UGA", "RWA"]),
    ),
}


@pytest.fixture(scope="module", params=list(COMBOS))
def page(request, sample_db_path):
    """The page run once per filter combination (module scope keeps the suite fast)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from collab_data.db import DB_ENV

    mp = pytest.MonkeyPatch()
    mp.setenv(DB_ENV, str(sample_db_path))
    st.cache_data.clear()
    query, sql_filters = COMBOS[request.param]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(PAGE)
    at.run()
    yield at, programmes_in_view(**sql_filters), request.param
    mp.undo()
    st.cache_data.clear()


def test_page_runs_without_exception(page):
    at, _, _ = page
    assert not at.exception, at.exception
    assert at.title[0].value == "Overlap"


def test_partner_country_cells_equal_sql(page, sample_db_path):
    at, progs, _ = page
    _, data = chart_by_row_field(at, "partner")
    expected = expected_partner_country(sample_db_path, progs)
    assert expected, "the combination selects programmes"
    # capped at 40 countries (the sample has 51): the rest in "All others", totals unchanged
    check_capped(data, "partner", "country", "programmes", expected)
    assert (data["programmes"] > 0).all(), "no 0-valued cell is drawn"


def test_tool_country_cells_equal_sql(page, sample_db_path):
    at, progs, _ = page
    _, data = chart_by_row_field(at, "tool")
    check_capped(data, "tool", "country", "programmes", expected_tool_country(sample_db_path, progs))


def test_partner_pairs_equal_hand_computed_sets(page, sample_db_path):
    at, progs, _ = page
    sets = country_sets(sample_db_path, progs)
    expected = {}
    for a, sa in sets.items():
        for b, sb in sets.items():
            if a != b and sa & sb:
                expected[(a, b)] = (len(sa & sb), len(sa & sb) / len(sa | sb))
    _, data = chart_by_row_field(at, "partner_a")
    assert not data["summary"].any(), "the sample's partners are fewer than the cap: all shown, no All others"
    got = {(r["partner_a"], r["partner_b"]): (int(r["shared_countries"]), float(r["jaccard"])) for _, r in data.iterrows()}
    assert got.keys() == expected.keys()
    for key, (shared, jac) in expected.items():
        assert got[key][0] == shared
        assert got[key][1] == pytest.approx(jac)
    # symmetric and never on the diagonal
    assert all((b, a) in got for a, b in got) and all(a != b for a, b in got)


def test_coordination_opportunities_equal_sql(page, sample_db_path):
    at, progs, _ = page
    table = table_with(at, "Topic or LNOB dimension")
    got = {(r["Country"], r["Shared"], r["Topic or LNOB dimension"], tuple(sorted(r["Partners"].split("; "))))
           for _, r in table.iterrows()}
    assert got == expected_opportunities(sample_db_path, progs)
    assert (table["Partners (n)"] == table["Partners"].str.split("; ").map(len)).all()
    assert (table["Partners (n)"] >= 2).all()
    ranks = table["Partners (n)"].tolist()
    assert ranks == sorted(ranks, reverse=True), "most partners first"


def test_gaps_equal_sql_and_missing_is_no_data(page, sample_db_path):
    at, progs, combo = page
    country_where = {
        "all": "true",
        "gender_africa_2025": "c.wb_region = 'Sub-Saharan Africa'",
        "three_countries_lnob": "c.iso3 IN ('KEN', 'UGA', 'RWA')",
    }[combo]
    expected = expected_gaps(sample_db_path, progs, country_where)
    shown = table_with(at, "Data availability") if len(expected) else None
    if not len(expected):
        assert not any("Data availability" in df.value.columns for df in at.dataframe)
        return
    assert set(shown["ISO3"]) == set(expected["iso3"])
    exp = expected.set_index("iso3")
    for _, r in shown.iterrows():
        value = exp.loc[r["ISO3"], "value"]
        if pd.isna(value):
            assert r["Data availability"] == "No data"
        else:
            assert r["Data availability"] == f"{value:.1f} %"
        assert r["Partners"] == exp.loc[r["ISO3"], "n"] <= 1
    assert not shown["Data availability"].str.match(r"^0(\.0)? ?%?$").any()
    # "No data" first, then ascending availability
    nodata = (shown["Data availability"] == "No data").tolist()
    assert nodata == sorted(nodata, reverse=True)
    values = [float(v.rstrip(" %")) for v in shown["Data availability"] if v != "No data"]
    assert values == sorted(values)


def test_default_view_shows_top_25_countries(app_test, sample_db_path):
    at = app_test(sample_db_path, PAGE)
    assert not at.exception
    spec, data = chart_by_row_field(at, "partner")
    domain = spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
    totals = sql(sample_db_path, """SELECT c.name, count(*) AS n FROM country_programs cp
                                    JOIN countries c USING (iso3) GROUP BY 1""").set_index("name")["n"]
    # 25 countries and the "All others (26 countries)" column, last
    assert len(domain) == 26 and domain[-1] == "All others (26 countries)" and set(data["country"]) == set(domain)
    domain = domain[:-1]
    assert totals[domain].min() >= totals.drop(domain).max(), "the 25 countries with the most programmes"
    assert any("top 25 of 51 countries" in c.value for c in at.caption)


def test_kosovo_is_listed_as_no_data_first(app_test, sample_db_path):
    """Kosovo (upper-middle income) has no gender-availability value and no partner."""
    at = app_test(sample_db_path, PAGE, country=["Kosovo", "Somalia"])
    assert not at.exception
    gaps = table_with(at, "Data availability")
    assert gaps["Country"].tolist() == ["Kosovo", "Somalia"]
    assert gaps["Data availability"].tolist()[0] == "No data"
    assert gaps["Year"].tolist()[0] == "—"  # a missing year reads as a dash, never blank


def test_empty_database_explains(app_test, empty_db_path):
    at = app_test(empty_db_path, PAGE)
    assert not at.exception
    text = " ".join(i.value for i in at.info)
    assert "No country programmes are recorded yet" in text and "Manage records" in text  # where to start, not a command that loads the sample
    assert not at.get("vega_lite_chart")


def test_pair_metric_switch(app_test, sample_db_path):
    at = app_test(sample_db_path, PAGE, ov_pair="Jaccard similarity")
    assert not at.exception
    spec, _ = chart_by_row_field(at, "partner_a")
    assert spec["layer"][0]["encoding"]["color"]["field"] == "jaccard"


# --------------------------------------------------------------------------------------
# Chart builders (pure)
# --------------------------------------------------------------------------------------
def long_frame(matrix: dict[str, dict[str, int]]) -> pd.DataFrame:
    rows = [{"partner": p, "partner_name": p, "country": c, "iso3": c[:3].upper(), "programmes": n}
            for p, cs in matrix.items() for c, n in cs.items() if n]
    return pd.DataFrame(rows)


BLOCKS = long_frame({
    "A": {"Kenya": 2, "Uganda": 1, "Rwanda": 1},
    "X": {"Nepal": 1, "India": 3, "Bhutan": 1},
    "B": {"Kenya": 1, "Uganda": 2},
    "Y": {"India": 1, "Nepal": 2},
    "C": {"Rwanda": 1, "Kenya": 1, "Nepal": 1},
})


def test_top_columns_by_total_then_name():
    assert charts.top_columns(BLOCKS, "country", "programmes", 2) == ["India", "Kenya"]
    assert charts.top_columns(BLOCKS, "country", "programmes", None)[:4] == ["India", "Kenya", "Nepal", "Uganda"]


def test_totals_order_and_top_n_cut():
    view = charts.partner_country_view(BLOCKS, top_n=3, order="totals")
    assert view.cols == ["India", "Kenya", "Nepal"]
    assert view.total_cols == 6 and view.is_cut
    assert set(view.cells["country"]) == {"India", "Kenya", "Nepal"}
    assert view.rows == ["X", "Y", "A", "C", "B"]  # 4, 3, 2, 2 (ties by name), 1
    totals = view.cells.groupby("partner")["programmes"].sum()
    assert [totals[r] for r in view.rows] == sorted(totals, reverse=True)


def test_similarity_order_keeps_blocks_together():
    view = charts.partner_country_view(BLOCKS, order="similarity")
    africa, asia = {"A", "B"}, {"X", "Y"}
    pos = {p: i for i, p in enumerate(view.rows)}
    assert abs(pos["A"] - pos["B"]) == 1 and abs(pos["X"] - pos["Y"]) == 1
    assert {view.rows[0], view.rows[-1]} & africa and {view.rows[0], view.rows[-1]} & asia
    cpos = {c: i for i, c in enumerate(view.cols)}
    african = sorted(cpos[c] for c in ("Kenya", "Uganda", "Rwanda"))
    asian = sorted(cpos[c] for c in ("India", "Nepal", "Bhutan"))
    assert african[-1] < asian[0] or asian[-1] < african[0], "countries of a block are contiguous"
    # deterministic
    assert charts.partner_country_view(BLOCKS, order="similarity").rows == view.rows


def test_single_row_falls_back_to_totals():
    one = long_frame({"A": {"Kenya": 1, "Uganda": 3}})
    view = charts.partner_country_view(one)
    assert view.rows == ["A"] and view.cols == ["Uganda", "Kenya"]


def test_heatmap_spec_is_valid_and_scrolls():
    view = charts.partner_country_view(BLOCKS)
    spec = charts.partner_country_heatmap(view).to_dict()
    layers = spec["layer"]
    assert spec["width"] == {"step": charts.CELL} and spec["height"] == {"step": charts.CELL}
    rect = next(layer for layer in layers if layer["mark"]["type"] == "rect" and "color" in layer["encoding"])
    assert rect["encoding"]["x"]["scale"]["domain"] == view.cols
    assert rect["encoding"]["y"]["scale"]["domain"] == view.rows
    assert rect["encoding"]["color"]["scale"]["range"] == charts.sequential_scale().to_dict()["range"]
    assert rect["encoding"]["x"]["axis"]["labelOverlap"] is False
    data = charts.chart_data(charts.partner_country_heatmap(view))
    assert len(data) == len(BLOCKS) and (data["programmes"] > 0).all()


def test_wide_heatmap_repeats_row_labels_on_the_right():
    wide = long_frame({"A": {f"Country {i:02d}": 1 for i in range(40)}, "B": {"Country 00": 1}})
    spec = charts.partner_country_heatmap(charts.partner_country_view(wide)).to_dict()
    orients = [layer["encoding"]["y"]["axis"].get("orient") for layer in spec["layer"]]
    assert "right" in orients
    assert charts.heatmap_height(["A", "B"], [f"Country {i:02d}" for i in range(40)]) > 2 * charts.CELL


def test_pair_heatmap_and_order():
    pairs = pd.DataFrame([
        {"partner_a": a, "partner_b": b, "shared_countries": s, "countries_a": na, "countries_b": nb,
         "jaccard": s / (na + nb - s), "shared_names": ""}
        for a, b, s, na, nb in [("A", "B", 2, 3, 2), ("B", "A", 2, 2, 3), ("X", "Y", 2, 3, 2), ("Y", "X", 2, 2, 3)]
    ])
    order = charts.pair_order(pairs, ["A", "B", "C", "X", "Y"])
    assert sorted(order) == ["A", "B", "C", "X", "Y"]
    pos = {p: i for i, p in enumerate(order)}
    assert abs(pos["A"] - pos["B"]) == 1 and abs(pos["X"] - pos["Y"]) == 1
    spec = charts.partner_pair_heatmap(pairs, "jaccard", order).to_dict()
    assert spec["layer"][0]["encoding"]["y"]["scale"]["domain"] == order
    with pytest.raises(ValueError):
        charts.partner_pair_heatmap(pairs, "nonsense", order)
