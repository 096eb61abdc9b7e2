"""pydeck map builders: pure functions, DataFrame in, ``pydeck.Deck`` out (unit-tested without Streamlit).

The maps work offline: ``map_provider=None`` with ``map_style`` left unset draws no
basemap and makes no outside request. Every layer has a stable ``id`` (a random one
makes Streamlit resend the whole GeoJSON on every rerun), and the JSON is deterministic
for the same input.

Colours come from :mod:`collab_data.theme`: the sequential (viridis) scale for values,
:data:`theme.NO_DATA` for "No data" (never a colour of the scale),
:data:`theme.NOT_DISAGGREGATED` for a value that exists but not broken down, and flat land
without borders for countries outside the filters.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import altair as alt
import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from collab_data import theme

#: Layer ids (stable, so reruns do not resend the geometry; the selection is keyed by them).
POLYGON_LAYER_ID = "countries"
POINT_LAYER_ID = "country-points"
OUTSIDE_LAYER_ID = "countries-outside"
PICKABLE_LAYERS = (POLYGON_LAYER_ID, POINT_LAYER_ID)

#: Countries outside the filters: flat light-grey land, lighter than "No data", with no borders.
#: Borders are what costs most to draw (a software renderer spent about 2 s of its processor on
#: the outlines of the countries around a filtered view, at every filter change; the fills alone
#: cost a fifth of that), and outside the filters they carry nothing the reader needs.
OUTSIDE = "#eceef1"
OUTSIDE_LABEL = "Outside the filters"
NOT_DISAGGREGATED_LABEL = "Not disaggregated"
#: A measure defined only for some countries (the underserved score: low- and middle-income
#: countries): the others are "not scored", a pale sand, neither a colour of the scale nor "No data".
NOT_SCORED = "#ece5d8"
NOT_SCORED_LABEL = "Not scored"
#: A count of 0 (no partner, no programme) when counts are mapped with ``zero_apart``: a pale
#: yellow below the scale, so the map shows where partners are. It is a value, not "No data".
ZERO = "#fbf5d3"
ZERO_LABEL = "None (0)"


def _count_text(label: str, count: int) -> str:
    return f"{label}: {count} {'country' if count == 1 else 'countries'}"

STATUS_TEXT = {
    "no_data": "No data",
    "not_collected": "Not collected",
    "not_published": "Not published",
    "not_disaggregated": "Not disaggregated",
    "not_scored": "Not scored (high income or no income group)",
}

#: The map's height in pixels (the page passes it to ``st.pydeck_chart``; the zoom fits it).
MAP_HEIGHT = 480
_ASSUMED_WIDTH = 900  # pixels: the main column at 1280 wide with the sidebar open

WORLD_VIEW = {"latitude": 20.0, "longitude": 10.0, "zoom": 0.6}


# --------------------------------------------------------------------------------------
# Values and colours
# --------------------------------------------------------------------------------------
def format_value(value: Any, unit: str, status: str = "value") -> str:
    """A measure value as text, or the words of its status ("No data", "Not disaggregated" ...)."""
    if status != "value":
        return STATUS_TEXT.get(status, theme.NO_DATA_LABEL)
    if value is None or pd.isna(value):
        return theme.NO_DATA_LABEL
    v = float(value)
    if unit == "percent":
        return f"{v:.1f} %"
    if unit == "count":
        return f"{v:,.0f}"
    return f"{v:.1f}"


def value_range(values: pd.Series) -> tuple[float, float] | None:
    """(min, max) of the values present; None when there is none."""
    present = pd.to_numeric(values, errors="coerce").dropna()
    if present.empty:
        return None
    return float(present.min()), float(present.max())


def fraction(value: float, lo: float, hi: float) -> float:
    """Where ``value`` sits in [lo, hi] (the middle of the scale when lo == hi)."""
    if hi <= lo:
        return 0.5
    return min(max((value - lo) / (hi - lo), 0.0), 1.0)


def fill_for(value: Any, status: str, in_scope: bool, rng: tuple[float, float] | None,
             zero_apart: bool = False) -> list[int]:
    """RGBA fill of a country."""
    if not in_scope:
        return theme.hex_to_rgb(OUTSIDE)
    if status == "value" and value is not None and not pd.isna(value):
        if zero_apart and float(value) == 0:
            return theme.hex_to_rgb(ZERO)
        if rng is not None:
            return theme.sequential_rgb(fraction(float(value), *rng))
    if status == "not_disaggregated":
        return theme.hex_to_rgb(theme.NOT_DISAGGREGATED)
    if status == "not_scored":
        return theme.hex_to_rgb(NOT_SCORED)
    return theme.hex_to_rgb(theme.NO_DATA)


def _round_coords(node: Any, digits: int) -> Any:
    if isinstance(node, list):
        if node and isinstance(node[0], (int, float)):
            return [round(c, digits) for c in node]
        return [_round_coords(n, digits) for n in node]
    return node


@lru_cache(maxsize=512)
def _geometry(text: str) -> dict:
    """A GeoJSON geometry from its text, coordinates rounded to 0.001° (the outlines are 1:110m)."""
    geom = json.loads(text)
    return {"type": geom["type"], "coordinates": _round_coords(geom["coordinates"], 3)}


class Deck(pdk.Deck):
    """A ``pydeck.Deck`` whose JSON is compact (pydeck indents it, which triples a map's size)."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))


# --------------------------------------------------------------------------------------
# The map's rows
# --------------------------------------------------------------------------------------
MAP_COLUMNS = ["iso3", "name", "in_scope", "value", "status", "partners", "lon", "lat", "geometry"]


def map_rows(measures: pd.DataFrame, shapes: pd.DataFrame, column: str) -> pd.DataFrame:
    """The rows a map draws, from the per-country measures and the outlines.

    ``measures`` has ``iso3, name, in_scope, lon, lat, partners`` and the measure's
    ``column`` and ``column_status``; ``shapes`` has ``iso3, geometry`` (GeoJSON text).
    Countries outside the scope keep no value.
    """
    out = measures[["iso3", "name", "in_scope", "lon", "lat", "partners"]].copy()
    out["value"] = pd.to_numeric(measures[column], errors="coerce").astype("float64")
    status_col = f"{column}_status"
    out["status"] = measures[status_col] if status_col in measures else "value"
    out.loc[out["value"].isna() & (out["status"] == "value"), "status"] = "no_data"
    out.loc[~out["in_scope"].astype(bool), ["value"]] = float("nan")
    out["status"] = out["status"].astype(object)
    out.loc[~out["in_scope"].astype(bool), "status"] = "outside"
    geo = dict(zip(shapes["iso3"], shapes["geometry"]))
    out["geometry"] = [geo.get(i) for i in out["iso3"]]
    return out[MAP_COLUMNS].reset_index(drop=True)


def scale_range(rows: pd.DataFrame, zero_apart: bool = False) -> tuple[float, float] | None:
    """The colour scale's (min, max): over the values of the countries in scope (above 0 with ``zero_apart``)."""
    inside = rows[rows["in_scope"].astype(bool) & (rows["status"] == "value")]
    values = inside["value"]
    if zero_apart:
        values = values[values != 0]
    return value_range(values)


def _int_text(v: Any) -> str:
    return "–" if v is None or pd.isna(v) else f"{int(v):,}"


def view_for(rows: pd.DataFrame, *, width: int = _ASSUMED_WIDTH, height: int = MAP_HEIGHT) -> dict:
    """Initial view: the whole world, or fitted around the centroids of the countries in scope."""
    inside = rows[rows["in_scope"].astype(bool)].dropna(subset=["lon", "lat"])
    if inside.empty or len(inside) == len(rows.dropna(subset=["lon", "lat"])):
        return dict(WORLD_VIEW)
    lon0, lon1 = float(inside["lon"].min()), float(inside["lon"].max())
    lat0, lat1 = float(inside["lat"].min()), float(inside["lat"].max())
    lon_span = max(lon1 - lon0 + 16.0, 20.0)  # centroids: pad for the countries' extent
    lat_span = max(lat1 - lat0 + 12.0, 14.0)
    zoom_lon = math.log2(width / 512 * 360 / lon_span)
    # Mercator stretches latitudes away from the equator; this is a rough fit on purpose.
    zoom_lat = math.log2(height / 512 * 170 / lat_span)
    zoom = min(max(min(zoom_lon, zoom_lat), 0.6), 4.5)
    return {"latitude": round((lat0 + lat1) / 2, 3), "longitude": round((lon0 + lon1) / 2, 3), "zoom": round(zoom, 2)}


def choropleth(rows: pd.DataFrame, *, measure_label: str, unit: str, partners_known: bool = True,
               show_partners: bool = True, zero_apart: bool = False, view: Mapping[str, float] | None = None) -> pdk.Deck:
    """An offline choropleth of one measure.

    ``rows`` as made by :func:`map_rows`. Countries with an outline are polygons, the
    others (small island states) points at their centroid; countries outside the filters
    are drawn as flat land without borders and cannot be picked (small islands outside them are left out).
    ``partners_known=False`` (no programmes recorded at all) says so in the tooltip
    instead of showing 0 partners; ``show_partners=False`` leaves the partners line out of
    the tooltip (when the measure is the partners count itself). ``zero_apart`` (for counts of partners and programmes)
    draws 0 in :data:`ZERO` below the scale, which then runs from the smallest count above 0.
    """
    rng = scale_range(rows, zero_apart)
    polygons: list[dict] = []
    points: list[dict] = []
    outside: list[dict] = []
    for r in rows.itertuples(index=False):
        in_scope = bool(r.in_scope)
        props = {
            "iso3": r.iso3,
            "name": r.name,
            "value_text": format_value(r.value, unit, r.status) if in_scope else OUTSIDE_LABEL,
            "partners_text": (_int_text(r.partners) if partners_known else "none recorded yet") if in_scope else "–",
            "color": fill_for(r.value, r.status, in_scope, rng, zero_apart),
        }
        if isinstance(r.geometry, str) and r.geometry:
            feature = {"type": "Feature", "geometry": _geometry(r.geometry), "properties": props}
            (polygons if in_scope else outside).append(feature)
        elif in_scope and r.lon is not None and r.lat is not None and not pd.isna(r.lon) and not pd.isna(r.lat):
            points.append({**props, "position": [round(float(r.lon), 4), round(float(r.lat), 4)]})

    layers = [
        pdk.Layer(
            "GeoJsonLayer", id=OUTSIDE_LAYER_ID,
            data={"type": "FeatureCollection", "features": outside},
            get_fill_color="properties.color", stroked=False, filled=True, pickable=False,
        ),
        pdk.Layer(
            "GeoJsonLayer", id=POLYGON_LAYER_ID,
            data={"type": "FeatureCollection", "features": polygons},
            get_fill_color="properties.color", get_line_color=[255, 255, 255, 255],
            line_width_min_pixels=0.6, stroked=True, filled=True, pickable=True, auto_highlight=True,
            highlight_color=[0, 114, 178, 120],
        ),
        pdk.Layer(
            "ScatterplotLayer", id=POINT_LAYER_ID, data=points,
            get_position="position", get_fill_color="color", get_line_color=[110, 115, 125, 255],
            get_radius=3, radius_units="pixels", line_width_units="pixels", get_line_width=1,
            stroked=True, filled=True, pickable=True, auto_highlight=True,
        ),
    ]
    label = _html_escape(measure_label)
    tooltip = {
        "html": f"<b>{{name}}</b><br/>{label}: {{value_text}}"
                + ("<br/>Partners active: {partners_text}" if show_partners else ""),
        "style": {"fontSize": "14px", "backgroundColor": "#1B1F24", "color": "white"},
    }
    return Deck(
        layers=layers,
        initial_view_state=pdk.ViewState(**(view or WORLD_VIEW)),
        map_provider=None,
        tooltip=tooltip,
    )


def _html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("{", "(").replace("}", ")")


# --------------------------------------------------------------------------------------
# Legend (pydeck draws none)
# --------------------------------------------------------------------------------------
def legend_items(rows: pd.DataFrame, unit: str, zero_apart: bool = False) -> dict:
    """What the legend shows: the value range and which special states occur."""
    inside = rows[rows["in_scope"].astype(bool)]
    rng = scale_range(rows, zero_apart)
    extra = []
    if zero_apart:
        zeros = (inside["status"] == "value") & (inside["value"] == 0)
        if zeros.any():
            extra.append((ZERO_LABEL, ZERO, int(zeros.sum())))
    missing = inside["status"].isin(["no_data", "not_collected", "not_published"])
    extra.append((theme.NO_DATA_LABEL, theme.NO_DATA, int(missing.sum())))
    nd = inside["status"] == "not_disaggregated"
    if nd.any():
        extra.append((NOT_DISAGGREGATED_LABEL, theme.NOT_DISAGGREGATED, int(nd.sum())))
    ns = inside["status"] == "not_scored"
    if ns.any():
        extra.append((NOT_SCORED_LABEL, NOT_SCORED, int(ns.sum())))
    n_out = int((~rows["in_scope"].astype(bool)).sum())
    if n_out:
        extra.append((OUTSIDE_LABEL, OUTSIDE, n_out))
    return {
        "range": rng,
        "low": format_value(rng[0], unit) if rng else None,
        "high": format_value(rng[1], unit) if rng else None,
        "extra": extra,
    }


#: Legend layout (pixels): the width it may use before wrapping, a row's height, the swatch size.
LEGEND_MAX_WIDTH = 760
_ROW = 46
_SW = 26
_CHAR = 7.0  # average width of a character at 14 px


def _text_width(text: str) -> int:
    return round(_CHAR * len(text))


def legend_chart(rows: pd.DataFrame, *, measure_label: str, unit: str, zero_apart: bool = False,
                 max_width: int = LEGEND_MAX_WIDTH) -> alt.LayerChart:
    """A legend in one row (wrapping when it is too wide): "None (0)" when counts keep 0 apart,
    the colour scale from min to max under the measure's name, then a swatch per special
    state ("No data" always), each with its number of countries."""
    items = legend_items(rows, unit, zero_apart)
    blocks: list[tuple[str, tuple, int]] = []  # (kind, payload, width)
    extra = list(items["extra"])
    if extra and extra[0][0] == ZERO_LABEL:
        label, color, count = extra.pop(0)
        blocks.append(("swatch", (_count_text(label, count), color), _SW + 6 + _text_width(_count_text(label, count))))
    if items["range"] is not None:
        width = max(len(theme.SEQUENTIAL) * _SW, _text_width(measure_label))
        blocks.append(("scale", (measure_label, items["low"], items["high"]), width))
    for label, color, count in extra:
        blocks.append(("swatch", (_count_text(label, count), color), _SW + 6 + _text_width(_count_text(label, count))))

    rects, texts = [], []
    x, top, used = 0, 0, 0
    for kind, payload, width in blocks:
        if x > 0 and x + width > max_width:
            x, top = 0, top + _ROW
        if kind == "scale":
            title, low, high = payload
            for i, color in enumerate(theme.SEQUENTIAL):
                rects.append({"x": x + i * _SW, "x2": x + (i + 1) * _SW, "y": top + 16, "y2": top + 28,
                              "color": color, "stroke": color})
            texts.append({"x": x, "y": top + 7, "text": title, "align": "left"})
            texts.append({"x": x, "y": top + 39, "text": low, "align": "left"})
            texts.append({"x": x + len(theme.SEQUENTIAL) * _SW, "y": top + 39, "text": high, "align": "right"})
        else:
            text, color = payload
            rects.append({"x": x, "x2": x + _SW, "y": top + 16, "y2": top + 28, "color": color, "stroke": "#8a8f98"})
            texts.append({"x": x + _SW + 6, "y": top + 22, "text": text, "align": "left"})
        used = max(used, x + width)
        x += width + 28
    width, height = max(used + 4, 200), top + _ROW
    rect_df = pd.DataFrame(rects, columns=["x", "x2", "y", "y2", "color", "stroke"])
    text_df = pd.DataFrame(texts, columns=["x", "y", "text", "align"])
    xs = alt.Scale(domain=[0, width], nice=False, zero=True)
    ys = alt.Scale(domain=[0, height], nice=False, zero=True, reverse=True)
    bars = alt.Chart(rect_df).mark_rect(strokeWidth=1).encode(
        x=alt.X("x:Q", scale=xs, axis=None), x2="x2:Q",
        y=alt.Y("y:Q", scale=ys, axis=None), y2="y2:Q",
        color=alt.Color("color:N", scale=None), stroke=alt.Stroke("stroke:N", scale=None),
    )
    layers = [bars]
    for align in ("left", "right"):
        part = text_df[text_df["align"] == align]
        if part.empty:
            continue
        layers.append(alt.Chart(part).mark_text(align=align, baseline="middle", fontSize=14, color="#1B1F24").encode(
            x=alt.X("x:Q", scale=xs, axis=None), y=alt.Y("y:Q", scale=ys, axis=None), text="text:N"))
    # autosize "pad": the plot keeps its size in pixels (Streamlit's default squeezes a short chart)
    return (alt.layer(*layers).properties(width=width, height=height, autosize=alt.AutoSizeParams(type="pad"))
            .configure(padding={"left": 2, "right": 2, "top": 2, "bottom": 2}).configure_view(strokeWidth=0))


# --------------------------------------------------------------------------------------
# Selection (what ``st.pydeck_chart(on_select=...)`` returns)
# --------------------------------------------------------------------------------------
_ISO3 = re.compile(r"^[A-Z]{3}$")


def selected_iso3(state: Any) -> str | None:
    """The ISO3 code of the country clicked on the map, from Streamlit's selection state.

    ``state`` is ``{"selection": {"indices": {layer_id: [i]}, "objects": {layer_id:
    [object]}}}``; a polygon's object is its GeoJSON feature (the code in
    ``properties.iso3``), a point's object is the row (``iso3`` at the top). Returns None
    for no (or an unreadable) selection.
    """
    if not isinstance(state, Mapping):
        return None
    selection = state.get("selection")
    if not isinstance(selection, Mapping):
        return None
    objects = selection.get("objects")
    if not isinstance(objects, Mapping):
        return None
    layer_ids = [lid for lid in PICKABLE_LAYERS if lid in objects] + [lid for lid in objects if lid not in PICKABLE_LAYERS]
    for layer_id in layer_ids:
        for obj in objects.get(layer_id) or []:
            if not isinstance(obj, Mapping):
                continue
            code = obj.get("iso3")
            if code is None and isinstance(obj.get("properties"), Mapping):
                code = obj["properties"].get("iso3")
            if isinstance(code, str) and _ISO3.match(code):
                return code
    return None
