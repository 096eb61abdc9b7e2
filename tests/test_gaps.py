"""The Data gaps page: what it draws equals plain SQL on the database, and missing data is never 0."""

from __future__ import annotations

import json

import altair as alt
import duckdb
import pandas as pd
import pytest
from conftest import open_tab
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from collab_data import theme
from collab_data.charts import gaps as C
from collab_data.queries import gaps as Q

PAGE = "pages/gaps.py"
GDA = ("gda_n_sex", "gda_n_age", "gda_n_location", "gda_n_disability", "gda_n_income")
STATE_WORDS = {"not_disaggregated": "Not disaggregated", "not_collected": "Not collected", None: "No data"}


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------
def sql(db_path, query: str, params=None) -> pd.DataFrame:
    con = duckdb.connect(str(db_path))  # the app holds the file open in this process: same configuration
    try:
        return con.execute(query, params or []).df()
    finally:
        con.close()


def tab(at, label_start: str):
    """The tab whose label (after its icon) starts with ``label_start``, opened first: only the
    open tab is worked out and drawn."""
    label = next(t.label for t in at.tabs if t.label.split(" ", 1)[1].startswith(label_start))
    open_tab(at, "gaps_tab", label)
    return next(t for t in at.tabs if t.label == label)


def chart_data(element) -> tuple[dict, pd.DataFrame]:
    """The Vega-Lite spec of a chart element and its (single) dataset as a DataFrame."""
    proto = element.proto
    spec = json.loads(proto.spec)
    assert len(proto.datasets) == 1, "one dataset per chart"
    return spec, convert_arrow_bytes_to_pandas_df(proto.datasets[0].data.data)


def charts(block) -> list:
    return list(block.get("vega_lite_chart"))


def metric(block, label: str) -> str:
    return next(m.value for m in block.get("metric") if m.label == label)


def expected_cells(db_path, where: str, params=None) -> pd.DataFrame:
    """Country x dimension cells, written independently of the app's queries."""
    return sql(db_path, f"""
        SELECT c.iso3, c.name, d.label AS dimension, v.status, v.value
        FROM countries c
        CROSS JOIN indicators i JOIN lnob_dimensions d ON d.dimension_id = i.dimension_id
        LEFT JOIN indicator_values v ON v.iso3 = c.iso3 AND v.indicator_id = i.indicator_id
        WHERE i.indicator_id IN {GDA} AND ({where})
    """, params)


def assert_cells_match(shown: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Every expected cell is drawn once: its value, or its state and no value."""
    assert len(shown) == len(expected)
    exp = expected.rename(columns={"status": "exp_status", "value": "exp_value"})
    merged = exp.merge(shown, on=["iso3", "dimension"], how="left", validate="one_to_one")
    assert merged["cell"].notna().all(), "every expected cell is drawn"
    for r in merged.itertuples():
        if r.exp_status == "value":
            assert r.value == pytest.approx(r.exp_value), (r.iso3, r.dimension)
            assert r.state == ""
        else:
            assert r.value is None or pd.isna(r.value), f"{r.iso3} {r.dimension}: missing drawn as a value"
            assert r.state == STATE_WORDS[r.exp_status if isinstance(r.exp_status, str) else None]
            assert r.cell not in ("0", "0%")


def assert_no_missing_as_zero(data: pd.DataFrame) -> None:
    missing = data[data["state"] != ""]
    assert missing["value"].isna().all()
    assert not missing["cell"].isin(["0", "0%"]).any()


# --------------------------------------------------------------------------------------
# page tests
# --------------------------------------------------------------------------------------
def test_heatmap_equals_sql_region_and_income(app_test, sample_db_path):
    at = app_test(sample_db_path, PAGE, region=["Sub-Saharan Africa"], income=["Low income"])
    assert not at.exception, at.exception
    t = tab(at, "Breakdowns")
    spec, data = chart_data(charts(t)[0])
    expected = expected_cells(sample_db_path, "c.wb_region = 'Sub-Saharan Africa' AND c.income_group = 'Low income'")
    assert expected["iso3"].nunique() <= 30  # all fit: no top-N cut
    assert_cells_match(data, expected)
    assert_no_missing_as_zero(data)
    # rows: the page opens on the largest gaps (fewest series broken down first), and says so
    totals = expected.groupby(["iso3", "name"], as_index=False)["value"].sum(min_count=1)
    order = totals.sort_values(["value", "name"], ascending=[True, True], na_position="last")["name"].tolist()
    assert list(dict.fromkeys(data["country"])) == order
    assert "largest gaps first" in " ".join(c.value for c in t.get("caption"))
    # the source is stated
    captions = " ".join(c.value for c in t.get("caption"))
    assert "UN Statistics Division" in captions and "2021" in captions


def test_heatmap_top_n_ldc_and_share(app_test, sample_db_path):
    at = app_test(sample_db_path, PAGE, group=["Least developed countries (LDC)"])
    assert not at.exception, at.exception
    expected = expected_cells(sample_db_path, "c.is_ldc")
    totals = expected.groupby(["iso3", "name"], as_index=False)["value"].sum(min_count=1)
    assert len(totals) > 30
    top = totals.sort_values(["value", "name"], ascending=[True, True], na_position="last").head(30)  # the largest gaps first
    _, data = chart_data(charts(tab(at, "Breakdowns"))[0])
    assert list(dict.fromkeys(data["country"])) == top["name"].tolist()
    assert_cells_match(data, expected[expected["iso3"].isin(top["iso3"])])

    # all countries, as a share of the series
    at.button_group(key="gaps_dim_show").set_value("all").run()
    at.button_group(key="gaps_dim_measure").set_value("share").run()
    assert not at.exception, at.exception
    _, data = chart_data(charts(tab(at, "Breakdowns"))[0])
    assert data["iso3"].nunique() == len(totals)
    n_series = int(sql(sample_db_path, "SELECT count(*) AS n FROM minset_series")["n"].iloc[0])
    merged = expected.rename(columns={"value": "exp_value"}).merge(data, on=["iso3", "dimension"], suffixes=("_exp", ""))
    has = merged[merged["status_exp"] == "value"]
    assert (has["value"] - (100 * has["exp_value"] / n_series).round(1)).abs().max() < 1e-9
    assert_no_missing_as_zero(data)


def test_no_data_and_not_disaggregated_are_not_zero(app_test, sample_db_path):
    # Antarctica is not in the UNSD data; Åland Islands has series but none broken down by age.
    at = app_test(sample_db_path, PAGE, country=["Kenya", "Antarctica", "Åland Islands"])
    assert not at.exception, at.exception
    _, data = chart_data(charts(tab(at, "Breakdowns"))[0])
    cells = data.set_index(["iso3", "dimension"])
    assert cells.loc[("ATA", "Sex"), "state"] == "No data"
    assert cells.loc[("ALA", "Age"), "state"] == "Not disaggregated"
    assert_cells_match(data, expected_cells(sample_db_path, "c.iso3 IN ('KEN', 'ATA', 'ALA')"))
    assert_no_missing_as_zero(data)
    # No data comes last even when the fewest come first
    at.button_group(key="gaps_dim_order").set_value(C.ORDER_FEWEST).run()
    _, data = chart_data(charts(tab(at, "Breakdowns"))[0])
    assert list(dict.fromkeys(data["country"]))[-1] == "Antarctica"


def test_series_browser_counts(app_test, sample_db_path):
    at = app_test(sample_db_path, PAGE, region=["Sub-Saharan Africa"])
    assert not at.exception, at.exception
    series = sql(sample_db_path, "SELECT series_id FROM minset_series WHERE indicator_label = 'I.10' ORDER BY sort_order")
    sid = series["series_id"].iloc[0]
    tab(at, "Minimum-set")
    at.selectbox(key="gaps_series").set_value(sid).run()
    assert not at.exception, at.exception
    t = tab(at, "Minimum-set")
    want = sql(sample_db_path, """
        SELECT a.iso3, a.n_years_last5 FROM series_availability a JOIN countries c USING (iso3)
        WHERE a.series_id = ? AND c.wb_region = 'Sub-Saharan Africa'""", [sid])
    in_region = sql(sample_db_path, "SELECT count(*) AS n FROM countries WHERE wb_region = 'Sub-Saharan Africa'")["n"][0]
    assert len(want) > 0
    assert metric(t, "With any data") == str(len(want))
    assert metric(t, "With data in the last 5 years") == str(int((want["n_years_last5"] > 0).sum()))
    assert metric(t, "Countries in view") == str(in_region)
    listed = t.get("dataframe")[0].value
    assert sorted(listed["ISO3"]) == sorted(want["iso3"])
    assert set(listed["Sex"]) <= set(C.BREAKDOWN_LABELS.values())
    # the latest-year chart counts every listed country once
    _, years = chart_data(charts(t)[0])
    assert years["countries"].sum() == len(want)
    # the overview of all series agrees
    overview = t.get("dataframe")[1].value
    n_series = sql(sample_db_path, "SELECT count(*) AS n FROM minset_series")["n"][0]
    assert len(overview) == n_series
    row = overview[overview["Series id"] == sid].iloc[0]
    assert row["Countries with data"] == len(want)
    per_series = sql(sample_db_path, """
        SELECT m.series_id, count(a.iso3) AS n FROM minset_series m
        LEFT JOIN series_availability a ON a.series_id = m.series_id
             AND a.iso3 IN (SELECT iso3 FROM countries WHERE wb_region = 'Sub-Saharan Africa')
        GROUP BY 1""").set_index("series_id")["n"]
    assert (overview.set_index("Series id")["Countries with data"] == per_series.reindex(overview["Series id"])).all()


def test_odin_not_assessable_apart(app_test, sample_db_path):
    at = app_test(sample_db_path, PAGE, group=["Least developed countries (LDC)"])
    assert not at.exception, at.exception
    t = tab(at, "ODIN")
    scatter, strip = charts(t)[:2]
    _, points = chart_data(scatter)
    spec, apart = chart_data(strip)
    want = sql(sample_db_path, """
        SELECT c.iso3, v.status, v.value FROM countries c JOIN indicator_values v USING (iso3)
        WHERE c.is_ldc AND v.indicator_id = 'odin_gender_openness'""")
    assert sorted(points["iso3"]) == sorted(want.loc[want["status"] == "value", "iso3"])
    assert sorted(apart["iso3"]) == sorted(want.loc[want["status"] == "not_published", "iso3"])
    assert apart["openness"].isna().all(), "openness that cannot be assessed is not drawn as 0"
    assert "Openness not assessable" in json.dumps(spec)
    values = want[want["status"] == "value"].set_index("iso3")["value"]
    assert (points.set_index("iso3")["openness"] - values).abs().max() < 1e-9


def test_surveys_none_held_vs_no_data(app_test, sample_db_path):
    at = app_test(sample_db_path, PAGE, country=["Liberia", "Antarctica", "Kenya"])
    assert not at.exception, at.exception
    _, data = chart_data(charts(tab(at, "Surveys"))[0])
    want = sql(sample_db_path, """
        SELECT c.iso3, k.key, v.status, v.value FROM countries c
        CROSS JOIN (VALUES ('agri'), ('health'), ('income'), ('labour'), ('timeuse')) k(key)
        LEFT JOIN indicator_values v ON v.iso3 = c.iso3 AND v.indicator_id = 'gdc_surveys_' || k.key
        WHERE c.iso3 IN ('LBR', 'ATA', 'KEN')""")
    assert len(data) == len(want) == 15
    assert data.loc[data["iso3"] == "ATA", "state"].eq("No data").all()
    none_held = want[want["status"] == "not_collected"]
    assert len(none_held) > 0
    held = data.set_index(["iso3", "survey_type"])
    for r in none_held.itertuples():
        label = Q.SURVEY_TYPES[r.key]
        assert held.loc[(r.iso3, label), "state"] == "None held"
        assert pd.isna(held.loc[(r.iso3, label), "value"])
    got = data[data["state"] == ""].set_index(["iso3", "survey_type"])["value"].astype(float).sort_index()
    exp = want[want["status"] == "value"].assign(survey_type=lambda d: d["key"].map(Q.SURVEY_TYPES))
    exp = exp.set_index(["iso3", "survey_type"])["value"].astype(float).sort_index()
    pd.testing.assert_series_equal(got, exp, check_names=False)


def test_partner_toggle_defaults_on_with_collab_filter(app_test, sample_db_path):
    at = app_test(sample_db_path, PAGE, collab="Gender", region=["Sub-Saharan Africa"])
    assert not at.exception, at.exception
    assert at.toggle[0].value is True
    _, data = chart_data(charts(tab(at, "Breakdowns"))[0])
    want = sql(sample_db_path, """
        SELECT DISTINCT p.iso3 FROM country_programs p
        JOIN partner_memberships m ON m.partner_id = p.partner_id AND m.collab_id = 'gender'
        JOIN countries c ON c.iso3 = p.iso3 WHERE c.wb_region = 'Sub-Saharan Africa'""")
    assert 0 < len(want) <= 30
    assert sorted(data["iso3"].unique()) == sorted(want["iso3"])
    # switched off: every country of the region
    at.toggle[0].set_value(False).run()
    _, data = chart_data(charts(tab(at, "Breakdowns"))[0])
    n = sql(sample_db_path, "SELECT count(*) AS n FROM countries WHERE wb_region = 'Sub-Saharan Africa'")["n"][0]
    assert data["iso3"].nunique() == min(n, 30)


def test_partner_toggle_with_no_programme_in_view_explains(app_test, sample_db_path):
    at = app_test(sample_db_path, PAGE, collab="Gender", country=["Antarctica"])
    assert not at.exception, at.exception
    assert at.toggle[0].value is True
    assert "No partner works in the countries in view" in at.info[0].value
    assert not at.get("vega_lite_chart")
    at.toggle[0].set_value(False).run()
    _, data = chart_data(charts(tab(at, "Breakdowns"))[0])
    assert set(data["iso3"]) == {"ATA"} and data["state"].eq("No data").all()


def test_default_view_partner_toggle_off(app_test, sample_db_path):
    at = app_test(sample_db_path, PAGE)
    assert not at.exception, at.exception
    assert at.toggle[0].value is False
    # only the open tab is drawn; each tab has its downloads
    assert len(at.get("download_button")) == 1 and len(charts(at)) == 1
    assert sum(len(tab(at, label).get("download_button")) for label in ("Breakdowns", "Minimum-set", "ODIN",
                                                                          "Surveys")) >= 4


def test_empty_database_shows_the_real_data(app_test, empty_db_path):
    at = app_test(empty_db_path, PAGE, region=["South Asia"])
    assert not at.exception, at.exception
    assert at.toggle[0].proto.disabled
    assert "no partner programmes" in " ".join(c.value for c in at.caption)
    _, data = chart_data(charts(tab(at, "Breakdowns"))[0])
    assert_cells_match(data, expected_cells(empty_db_path, "c.wb_region = 'South Asia'"))
    for label in ("Minimum-set", "ODIN", "Surveys"):
        assert charts(tab(at, label)), label


# --------------------------------------------------------------------------------------
# chart builders
# --------------------------------------------------------------------------------------
def _cells(rows) -> pd.DataFrame:
    out = []
    for iso3, country, dim, order, status, n in rows:
        out.append(dict(iso3=iso3, country=country, dimension=dim, sort_order=order, status=status,
                        n_series=n, share=None if n is None else round(100 * n / 89, 1), any_series=40))
    frame = pd.DataFrame(out)
    frame["total"] = frame.groupby("iso3")["n_series"].transform(lambda s: s.sum(min_count=1))
    return frame


def _state_layer(spec: dict) -> dict:
    return next(layer for layer in spec["layer"] if layer["encoding"].get("color", {}).get("field") == "state")


def test_dimension_heatmap_spec_has_state_legend():
    frame = _cells([("KEN", "Kenya", "Sex", 1, "value", 30), ("KEN", "Kenya", "Age", 2, "not_disaggregated", None),
                    ("ATA", "Antarctica", "Sex", 1, "no_data", None), ("ATA", "Antarctica", "Age", 2, "no_data", None)])
    spec = C.dimension_heatmap(frame).to_dict()
    color = _state_layer(spec)["encoding"]["color"]
    assert color["scale"]["domain"] == ["No data", "Not disaggregated", "Not collected"]
    assert color["scale"]["range"][0] == theme.NO_DATA and color["scale"]["range"][1] == theme.NOT_DISAGGREGATED
    assert color["legend"]["title"] == "Missing"
    assert spec["resolve"]["scale"]["color"] == "independent"
    data = pd.DataFrame(next(iter(spec["datasets"].values())))
    assert_no_missing_as_zero(data)
    assert data.set_index(["iso3", "dimension"]).loc[("KEN", "Sex"), "value"] == 30


def test_legend_lists_no_data_even_when_all_have_values():
    frame = _cells([("KEN", "Kenya", "Sex", 1, "value", 30)])
    spec = C.dimension_heatmap(frame, measure="share").to_dict()
    assert "No data" in _state_layer(spec)["encoding"]["color"]["scale"]["domain"]


def test_survey_heatmap_spec():
    frame = pd.DataFrame({
        "iso3": ["LBR", "LBR", "ATA", "ATA"], "country": ["Liberia", "Liberia", "Antarctica", "Antarctica"],
        "survey_type": ["Time use survey", "Labour force survey"] * 2, "type_order": [5, 4, 5, 4],
        "status": ["not_collected", "value", "no_data", "no_data"], "n_surveys": [None, 3, None, None],
        "pct_complete": [None, 60.0, None, None],
    })
    spec = C.survey_heatmap(frame).to_dict()
    assert _state_layer(spec)["encoding"]["color"]["scale"]["domain"] == ["No data", "None held"]
    data = pd.DataFrame(next(iter(spec["datasets"].values())))
    assert_no_missing_as_zero(data)
    assert set(data["cell"]) == {"none held", "3", "no data"}


def test_odin_charts():
    frame = pd.DataFrame({
        "iso3": ["AAA", "BBB", "CCC", "DDD"], "country": ["A", "B", "C", "D"],
        "wb_region": ["Sub-Saharan Africa", "Sub-Saharan Africa", None, "South Asia"],
        "income_group": ["Low income", None, None, "Low income"],
        "coverage": [40.0, 40.0, 0.0, 50.0], "openness": [60.0, 60.0, None, 70.0],
        "openness_status": ["value", "value", "not_published", "value"], "overall": [30.0, 31.0, 12.0, 40.0],
    })
    scatter = C.odin_chart(frame).to_dict()
    pts = pd.DataFrame(next(iter(scatter["datasets"].values())))
    assert sorted(pts["iso3"]) == ["AAA", "BBB", "DDD"]
    tied = pts[pts["iso3"].isin(["AAA", "BBB"])]
    assert tied[["x_pos", "y_pos"]].drop_duplicates().shape[0] == 2, "tied points are spread apart"
    strip = C.odin_strip(frame).to_dict()
    apart = pd.DataFrame(next(iter(strip["datasets"].values())))
    assert apart["iso3"].tolist() == ["CCC"] and apart["openness"].isna().all()
    legend = next(layer for layer in strip["layer"] if "color" in layer["encoding"])["encoding"]["color"]
    assert legend["scale"]["domain"] == ["Openness not assessable"] and legend["scale"]["range"] == [theme.NO_DATA]
    overall = C.odin_chart(frame, y="overall").to_dict()
    assert len(next(iter(overall["datasets"].values()))) == 4
    assert C.odin_strip(frame[frame["openness_status"] == "value"]) is None
    only_apart = frame[frame["openness_status"] == "not_published"]
    assert not next(iter(C.odin_chart(only_apart).to_dict()["datasets"].values()))
    assert C.odin_strip(only_apart).to_dict()["title"]["text"].endswith(": 1 country")


def test_latest_year_chart_marks_projections():
    spec = C.latest_year_chart(pd.DataFrame({"max_year": [2015, 2019, 2019, 2030]}), vintage=2021).to_dict()
    data = pd.DataFrame(next(iter(spec["datasets"].values())))
    counts = data.set_index("year")["countries"]
    assert counts.index.tolist() == list(range(2011, 2031))  # from a decade before the vintage
    assert counts[counts > 0].to_dict() == {2015: 1, 2019: 2, 2030: 1}
    assert data.set_index("year").loc[2030, "kind"].startswith("After 2021")
    assert "After 2021: modelled projection" in spec["encoding"]["color"]["scale"]["domain"]


def test_pick_rows_orders_and_puts_no_data_last():
    frame = pd.DataFrame({"iso3": ["A", "B", "C", "D"], "country": ["Alpha", "Beta", "Gamma", "Delta"],
                          "total": [5, None, 9, 5]})
    assert C.pick_rows(frame, order=C.ORDER_MOST) == ["C", "A", "D", "B"]
    assert C.pick_rows(frame, order=C.ORDER_FEWEST) == ["A", "D", "C", "B"]
    assert C.pick_rows(frame, order=C.ORDER_NAME) == ["A", "B", "D", "C"]
    assert C.pick_rows(frame, order=C.ORDER_MOST, limit=2) == ["C", "A"]
    assert C.pick_rows(frame.iloc[0:0]) == []


def test_builders_give_valid_specs_on_empty_frames():
    empty = _cells([("KEN", "Kenya", "Sex", 1, "value", 1)]).iloc[0:0]
    assert isinstance(C.dimension_heatmap(empty), alt.TopLevelMixin)
    C.dimension_heatmap(empty).to_dict()
    C.latest_year_chart(pd.DataFrame({"max_year": []})).to_dict()
