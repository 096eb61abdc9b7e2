"""The map builders are pure: DataFrame in, offline pydeck Deck out; the selection parser reads Streamlit's state."""

from __future__ import annotations

import json

import pandas as pd
import pydeck as pdk
import pytest

from collab_data import maps, theme

SQUARE = json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]]})
MULTI = json.dumps({"type": "MultiPolygon", "coordinates": [[[[20, 0], [30, 0], [30, 10], [20, 0]]]]})


def measures() -> pd.DataFrame:
    """Five countries: two with values, one without a row, one not disaggregated, one island without outline,
    and one outside the filters."""
    return pd.DataFrame({
        "iso3": ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF"],
        "name": ["Alpha", "Beta", "Gamma", "Delta", "Epsilon <Isle>", "Phi"],
        "in_scope": [True, True, True, True, True, False],
        "lon": [5.0, 25.0, 45.0, 65.0, 170.123456, 90.0],
        "lat": [5.0, 5.0, 5.0, 5.0, -8.5, 5.0],
        "partners": [3, 0, 1, 2, 0, None],
        "m": [10.0, 40.0, None, None, 25.0, 99.0],
        "m_status": ["value", "value", "no_data", "not_disaggregated", "value", "value"],
    })


def shapes() -> pd.DataFrame:
    return pd.DataFrame({"iso3": ["AAA", "BBB", "CCC", "DDD", "FFF"], "geometry": [SQUARE, MULTI, SQUARE, SQUARE, SQUARE]})


def build(**kw) -> tuple[pdk.Deck, dict]:
    rows = maps.map_rows(measures(), shapes(), "m")
    deck = maps.choropleth(rows, measure_label="Measure", unit="count", **kw)
    return deck, json.loads(deck.to_json())


def layer(spec: dict, layer_id: str) -> dict:
    return next(x for x in spec["layers"] if x["id"] == layer_id)


def features(spec: dict, layer_id: str) -> dict[str, dict]:
    return {ft["properties"]["iso3"]: ft for ft in layer(spec, layer_id)["data"]["features"]}


def test_deck_is_offline_without_basemap():
    deck, spec = build()
    assert isinstance(deck, pdk.Deck)
    assert deck.map_provider is None
    assert spec.get("mapStyle") in (None, "__MAP_STYLE__"), "map_style must be left unset (None fetches a basemap)"
    assert "mapProvider" not in spec
    text = deck.to_json()
    for host in ("http://", "https://", "cartocdn", "mapbox"):
        assert host not in text


def test_layer_ids_are_stable_and_json_deterministic():
    deck1, spec1 = build()
    deck2, spec2 = build()
    ids = [x["id"] for x in spec1["layers"]]
    assert ids == [maps.OUTSIDE_LAYER_ID, maps.POLYGON_LAYER_ID, maps.POINT_LAYER_ID]
    assert deck1.to_json() == deck2.to_json(), "the same input gives the same JSON (no random ids)"
    assert "\n" not in deck1.to_json(), "compact JSON"


def test_polygons_points_and_outside():
    _, spec = build()
    poly = features(spec, maps.POLYGON_LAYER_ID)
    assert set(poly) == {"AAA", "BBB", "CCC", "DDD"}
    assert poly["BBB"]["geometry"]["type"] == "MultiPolygon"
    points = layer(spec, maps.POINT_LAYER_ID)["data"]
    assert [p["iso3"] for p in points] == ["EEE"], "a country without outline is a point at its centroid"
    assert points[0]["position"] == [170.1235, -8.5]
    outside = features(spec, maps.OUTSIDE_LAYER_ID)
    assert set(outside) == {"FFF"}
    assert outside["FFF"]["properties"]["color"] == theme.hex_to_rgb(maps.OUTSIDE)
    assert layer(spec, maps.OUTSIDE_LAYER_ID)["pickable"] is False
    # outside the filters: flat land without borders (outlines cost the most to draw, at every change)
    assert layer(spec, maps.OUTSIDE_LAYER_ID)["stroked"] is False
    assert layer(spec, maps.POLYGON_LAYER_ID)["stroked"] is True
    assert layer(spec, maps.POLYGON_LAYER_ID)["pickable"] is True


def test_no_data_is_grey_and_never_zero():
    _, spec = build()
    poly = features(spec, maps.POLYGON_LAYER_ID)
    no_data = poly["CCC"]["properties"]
    assert no_data["color"] == theme.hex_to_rgb(theme.NO_DATA)
    assert no_data["value_text"] == "No data"
    nd = poly["DDD"]["properties"]
    assert nd["color"] == theme.hex_to_rgb(theme.NOT_DISAGGREGATED)
    assert nd["value_text"] == "Not disaggregated"
    scale = {tuple(theme.sequential_rgb(i / 20)) for i in range(21)}
    assert tuple(no_data["color"]) not in scale and tuple(nd["color"]) not in scale
    # the scale runs over the values in scope (10..40): the outside country's 99 does not stretch it
    assert poly["AAA"]["properties"]["color"] == theme.sequential_rgb(0.0)
    assert poly["BBB"]["properties"]["color"] == theme.sequential_rgb(1.0)
    assert poly["BBB"]["properties"]["value_text"] == "40"


def test_tooltip_names_the_measure_and_partners():
    deck, spec = build()
    assert "{name}" in deck._tooltip["html"] and "{value_text}" in deck._tooltip["html"]
    assert "{partners_text}" in deck._tooltip["html"] and "Measure" in deck._tooltip["html"]
    assert features(spec, maps.POLYGON_LAYER_ID)["AAA"]["properties"]["partners_text"] == "3"
    _, spec = build(partners_known=False)
    assert features(spec, maps.POLYGON_LAYER_ID)["BBB"]["properties"]["partners_text"] == "none recorded yet"
    deck, _ = build(show_partners=False)
    assert "partners_text" not in deck._tooltip["html"]


def test_view_fits_the_countries_in_scope():
    rows = maps.map_rows(measures(), shapes(), "m")
    assert maps.view_for(rows.assign(in_scope=True)) == maps.WORLD_VIEW
    view = maps.view_for(rows)
    assert 0.6 <= view["zoom"] <= 4.5
    one = rows.assign(in_scope=rows["iso3"].eq("AAA"))
    v1 = maps.view_for(one)
    assert (v1["longitude"], v1["latitude"]) == (5.0, 5.0) and v1["zoom"] > view["zoom"]


def test_legend_lists_scale_and_states():
    rows = maps.map_rows(measures(), shapes(), "m")
    items = maps.legend_items(rows, "count")
    assert items["range"] == (10.0, 40.0) and (items["low"], items["high"]) == ("10", "40")
    labels = {label: n for label, _, n in items["extra"]}
    assert labels == {"No data": 1, "Not disaggregated": 1, "Outside the filters": 1}
    spec = maps.legend_chart(rows, measure_label="Measure", unit="count").to_dict()
    text = json.dumps(spec)
    assert theme.NO_DATA in text and theme.SEQUENTIAL[0] in text and theme.SEQUENTIAL[-1] in text
    assert "No data: 1 country" in text


@pytest.mark.parametrize("value,unit,status,expected", [
    (12.345, "percent", "value", "12.3 %"),
    (3.0, "count", "value", "3"),
    (None, "count", "value", "No data"),
    (float("nan"), "percent", "value", "No data"),
    (None, "count", "not_disaggregated", "Not disaggregated"),
    (None, "percent", "no_data", "No data"),
    (None, "score", "not_scored", "Not scored (high income or no income group)"),
])
def test_format_value(value, unit, status, expected):
    assert maps.format_value(value, unit, status) == expected


# --------------------------------------------------------------------------------------
# Selection: what st.pydeck_chart(on_select=..., selection_mode="single-object") returns
# --------------------------------------------------------------------------------------
def test_selection_of_a_polygon():
    _, spec = build()
    feature = features(spec, maps.POLYGON_LAYER_ID)["BBB"]  # deck.gl hands back the picked GeoJSON feature
    state = {"selection": {"indices": {maps.POLYGON_LAYER_ID: [1]}, "objects": {maps.POLYGON_LAYER_ID: [feature]}}}
    assert maps.selected_iso3(state) == "BBB"


def test_selection_of_a_point():
    _, spec = build()
    point = layer(spec, maps.POINT_LAYER_ID)["data"][0]
    state = {"selection": {"indices": {maps.POINT_LAYER_ID: [0]}, "objects": {maps.POINT_LAYER_ID: [point]}}}
    assert maps.selected_iso3(state) == "EEE"


def test_selection_with_streamlits_state_object():
    from streamlit.elements.deck_gl_json_chart import PydeckSelectionSerde

    raw = json.dumps({"selection": {"indices": {"countries": [0]},
                                    "objects": {"countries": [{"type": "Feature", "properties": {"iso3": "KEN"}}]}}})
    assert maps.selected_iso3(PydeckSelectionSerde().deserialize(raw)) == "KEN"
    assert maps.selected_iso3(PydeckSelectionSerde().deserialize(None)) is None


@pytest.mark.parametrize("state", [
    None,
    {},
    {"selection": {"indices": {}, "objects": {}}},
    {"selection": {"indices": {"countries": [0]}, "objects": {"countries": [{"properties": {"name": "x"}}]}}},
    {"selection": {"indices": {"countries": [0]}, "objects": {"countries": [{"properties": {"iso3": "not a code"}}]}}},
    {"selection": {"objects": {"countries": ["garbage"]}}},
    "garbage",
])
def test_no_or_unreadable_selection(state):
    assert maps.selected_iso3(state) is None


def test_real_outlines(sample_db_path):
    """On the built database every country in scope is drawn: outline, or point when it has none."""
    from collab_data.db import get_database
    from collab_data.filters import Filters
    from collab_data.queries import countries as QC

    db = get_database(sample_db_path)
    frame = QC.country_measures(db, Filters())
    rows = maps.map_rows(frame, QC.country_shapes(db), "gda_pct_any")
    spec = json.loads(maps.choropleth(rows, measure_label="x", unit="percent").to_json())
    n_poly = len(layer(spec, maps.POLYGON_LAYER_ID)["data"]["features"])
    n_points = len(layer(spec, maps.POINT_LAYER_ID)["data"])
    assert n_poly == int(frame["has_shape"].sum())
    assert n_points == int((~frame["has_shape"] & frame["lon"].notna()).sum()) > 0
    assert len(maps.choropleth(rows, measure_label="x", unit="percent").to_json()) < 400_000
