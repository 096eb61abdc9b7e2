"""Charts of the Data gaps page (pure: DataFrame in, Altair chart out).

Missing data is never drawn as zero: the states "No data" (the country is not in the
source), "Not disaggregated", "Not collected" and "None held" are categorical layers in
greys, with their own legend, under the sequential colour layer of the values; every
cell also carries a word, so the difference never rests on the shade of grey alone.
"""

from __future__ import annotations

import json
import math
import textwrap

import altair as alt
import pandas as pd

from collab_data import theme
from collab_data.charts import TITLE_SIZE, categorical_scale, sequential_scale
from collab_data.charts import finish as _finish

#: A status of the data model (or ``no_data``) -> the words on screen.
STATE_LABELS = {
    "no_data": theme.NO_DATA_LABEL,
    "not_disaggregated": "Not disaggregated",
    "not_collected": "Not collected",
    "not_published": "Not assessable",
}
#: The short word written in a heatmap cell of that state.
STATE_CELL_TEXT = {
    "no_data": "no data",
    "not_disaggregated": "not disagg.",
    "not_collected": "none",
    "not_published": "n/a",
}
#: Greys for the states (never a colour of the sequential scale). "Not collected" is
#: white with the grid's outline: there is nothing, which is different from not knowing.
NOT_COLLECTED = "#f7f7f7"
STATE_COLORS = {
    "no_data": theme.NO_DATA,
    "not_disaggregated": theme.NOT_DISAGGREGATED,
    "not_collected": NOT_COLLECTED,
    "not_published": theme.NOT_DISAGGREGATED,
}

def finish(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The shared look, sized to the container's width with the heights given here
    (Streamlit's default "fit" would squeeze the plot into the height, legends and labels included)."""
    return _finish(chart).properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))


CELL_STEP = 24          # px per heatmap row
DARK_INK_FROM = 0.55    # share of the scale above which a cell's text turns white

ORDER_MOST = "most"
ORDER_FEWEST = "fewest"
ORDER_NAME = "name"


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def state_label(status: str, labels: dict[str, str] | None = None) -> str:
    return (labels or STATE_LABELS).get(status, status)


def pick_rows(frame: pd.DataFrame, *, key: str = "iso3", name: str = "country", total: str = "total",
              order: str = ORDER_MOST, limit: int | None = None) -> list[str]:
    """The row keys to show, in order: by ``total`` (most or fewest first, then name) or by name.

    Rows without any value (``total`` missing) always come last, in name order: "no data"
    is not "fewest". ``limit`` keeps the first N.
    """
    if frame.empty:
        return []
    rows = frame[[key, name, total]].drop_duplicates(key)
    has = rows[rows[total].notna()]
    none = rows[rows[total].isna()].sort_values(name)
    if order == ORDER_NAME:
        ordered = pd.concat([has, none]).sort_values(name)
    else:
        ordered = pd.concat([has.sort_values([total, name], ascending=[order == ORDER_FEWEST, True]), none])
    keys = ordered[key].tolist()
    return keys[:limit] if limit else keys


LABEL_LINE = 15   # px per line of a wrapped column label
LABEL_WRAP = 18   # characters per line


def wrap_labels_expr(labels: list[str], width: int = LABEL_WRAP) -> str:
    """A Vega label expression that writes each long axis label on several lines."""
    lines = {label: textwrap.wrap(label, width) or [label] for label in labels}
    return f"({json.dumps(lines)})[datum.label] || datum.label"


def label_lines(labels: list[str], width: int = LABEL_WRAP) -> int:
    """The most lines any of the labels wraps to."""
    return max((len(textwrap.wrap(label, width)) for label in labels), default=1) or 1


def _heatmap(frame: pd.DataFrame, *, x: str, x_order: list[str], x_title: str | None, value: str, value_title: str,
             value_format: str, states: dict[str, str], tooltip: list[alt.Tooltip], y_title: str | None,
             domain_max: float | None = None, text_size: int = 12, label_line: int = LABEL_LINE) -> alt.LayerChart:
    """Rows = countries (in ``frame`` order), columns = ``x``; a value layer over state layers.

    ``frame`` needs ``country``, ``x``, ``value`` (NULL unless the status is ``value``),
    ``state`` (the readable state, or ``""`` for a value) and ``cell`` (the text shown).
    ``states``: state label -> colour, every one of them listed in the legend.
    """
    data = frame.copy()
    vmax = domain_max if domain_max is not None else (data[value].max() if data[value].notna().any() else 1)
    vmax = float(vmax) if vmax and not pd.isna(vmax) else 1.0
    data["_ink"] = [
        "#ffffff" if (pd.notna(v) and float(v) / vmax > DARK_INK_FROM) else "#1f1f1f" for v in data[value]
    ]
    y_order = list(dict.fromkeys(data["country"]))
    base = alt.Chart(data).encode(
        x=alt.X(f"{x}:N", sort=x_order, title=x_title,
                axis=alt.Axis(orient="top", labelAngle=0, labelLimit=200, ticks=False, domain=False,
                              labelPadding=6 + label_line * (label_lines(x_order) - 1), labelLineHeight=label_line,
                              labelOverlap=False, labelBaseline="bottom", labelExpr=wrap_labels_expr(x_order))),
        y=alt.Y("country:N", sort=y_order, title=y_title, axis=alt.Axis(ticks=False, domain=False, labelLimit=220)),
        tooltip=tooltip,
    )
    state_layer = base.transform_filter("datum.state != ''").mark_rect(stroke="#9e9e9e", strokeWidth=0.8).encode(
        color=alt.Color(
            "state:N",
            scale=alt.Scale(domain=list(states), range=list(states.values())),
            legend=alt.Legend(title="Missing", orient="top", symbolType="square", symbolStrokeColor="#9e9e9e",
                              symbolStrokeWidth=1, symbolSize=180),
        )
    )
    value_layer = base.transform_filter("isValid(datum.value)").mark_rect(stroke="white", strokeWidth=0.6).encode(
        color=alt.Color(f"{value}:Q", scale=sequential_scale(domainMin=0, domainMax=vmax, zero=True),
                        legend=alt.Legend(title=value_title, orient="top", format=value_format, gradientLength=200)),
    )
    # "No data" cells also get a dashed outline: not knowing is marked apart from "none".
    no_data_outline = base.transform_filter(f"datum.state == '{theme.NO_DATA_LABEL}'").mark_rect(
        filled=False, stroke="#757575", strokeWidth=1, strokeDash=[3, 2])
    text_layer = base.mark_text(fontSize=text_size).encode(text="cell:N", color=alt.Color("_ink:N", scale=None))
    return (
        alt.layer(state_layer, no_data_outline, value_layer, text_layer)
        .resolve_scale(color="independent")
        .properties(height=alt.Step(CELL_STEP))
    )


def dimension_heatmap(frame: pd.DataFrame, *, measure: str = "count", series_total: int = 89,
                      text_size: int = 12, label_line: int = LABEL_LINE) -> alt.TopLevelMixin:
    """Country x LNOB dimension: series of the minimum set with that breakdown.

    ``frame``: rows of :func:`collab_data.queries.gaps.dimension_availability` for the
    countries to show, in display order. ``measure``: ``count`` or ``share`` (% of the
    series). Cells without a value show their state, never 0.
    """
    share = measure == "share"
    data = pd.DataFrame({
        "country": frame["country"].astype(str),
        "iso3": frame["iso3"].astype(str),
        "dimension": frame["dimension"].astype(str),
        "status": frame["status"].astype(str),
        "n_series": pd.to_numeric(frame["n_series"], errors="coerce").astype("Float64"),
        "share": pd.to_numeric(frame["share"], errors="coerce").astype("Float64"),
        "any_series": pd.to_numeric(frame["any_series"], errors="coerce").astype("Float64"),
    })
    data["value"] = data["share"] if share else data["n_series"]
    data["state"] = [("" if s == "value" else state_label(s)) for s in data["status"]]
    data["cell"] = [
        STATE_CELL_TEXT.get(s, s) if s != "value" else (f"{v:.0f}%" if share else f"{v:.0f}")
        for s, v in zip(data["status"], data["value"])
    ]
    data["shown"] = [state_label(s) if s != "value" else c for s, c in zip(data["status"], data["cell"])]
    data["value"] = data["value"].astype(object).where(data["value"].notna(), None)
    dims = list(dict.fromkeys(frame.sort_values("sort_order")["dimension"].astype(str))) if "sort_order" in frame else \
        list(dict.fromkeys(data["dimension"]))
    states = {STATE_LABELS[s]: STATE_COLORS[s] for s in ("no_data", "not_disaggregated", "not_collected")}
    title = f"Share of the {series_total} series (%)" if share else f"Series broken down (of {series_total})"
    tooltip = [
        alt.Tooltip("country:N", title="Country"),
        alt.Tooltip("iso3:N", title="ISO3"),
        alt.Tooltip("dimension:N", title="Breakdown by"),
        alt.Tooltip("shown:N", title="Series broken down" if not share else "Share of series"),
        alt.Tooltip("any_series:Q", title=f"Series with any data (of {series_total})", format=".0f"),
    ]
    chart = _heatmap(data, x="dimension", x_order=dims, x_title=None, value="value", value_title=title,
                     value_format=".0f", states=states, tooltip=tooltip, y_title=None,
                     domain_max=100 if share else None, text_size=text_size, label_line=label_line)
    return finish(chart)


def survey_heatmap(frame: pd.DataFrame) -> alt.TopLevelMixin:
    """Country x survey type: surveys held (Gender Data Compass); "None held" and "No data" apart.

    ``frame``: rows of :func:`collab_data.queries.gaps.survey_availability`, in display order.
    """
    labels = {"no_data": theme.NO_DATA_LABEL, "not_collected": "None held"}
    data = pd.DataFrame({
        "country": frame["country"].astype(str),
        "iso3": frame["iso3"].astype(str),
        "survey_type": frame["survey_type"].astype(str),
        "status": frame["status"].astype(str),
        "n_surveys": pd.to_numeric(frame["n_surveys"], errors="coerce").astype("Float64"),
        "pct_complete": pd.to_numeric(frame["pct_complete"], errors="coerce").astype("Float64"),
    })
    data["state"] = [("" if s == "value" else state_label(s, labels)) for s in data["status"]]
    data["cell"] = [
        {"no_data": "no data", "not_collected": "none held"}.get(s, s) if s != "value" else f"{v:.0f}"
        for s, v in zip(data["status"], data["n_surveys"])
    ]
    data["shown"] = [state_label(s, labels) if s != "value" else c for s, c in zip(data["status"], data["cell"])]
    data["standard"] = [f"{p:.0f}%" if pd.notna(p) else "–" for p in data["pct_complete"]]
    data["value"] = data["n_surveys"].astype(object).where(data["n_surveys"].notna(), None)
    types = list(dict.fromkeys(frame.sort_values("type_order")["survey_type"].astype(str))) if "type_order" in frame \
        else list(dict.fromkeys(data["survey_type"]))
    states = {"No data": theme.NO_DATA, "None held": NOT_COLLECTED}
    tooltip = [
        alt.Tooltip("country:N", title="Country"),
        alt.Tooltip("survey_type:N", title="Survey type"),
        alt.Tooltip("shown:N", title="Surveys held"),
        alt.Tooltip("standard:N", title="Share of the standard met"),
    ]
    chart = _heatmap(data, x="survey_type", x_order=types, x_title=None, value="value", value_title="Surveys held",
                     value_format=".0f", states=states, tooltip=tooltip, y_title=None)
    return finish(chart)


def latest_year_chart(frame: pd.DataFrame, *, vintage: int = 2021) -> alt.TopLevelMixin:
    """How recent the data are: countries by the latest year of a series.

    Years after ``vintage`` can only be modelled projections (the source is the 2021
    vintage): they get their own colour and legend entry.
    """
    years = pd.to_numeric(frame["max_year"], errors="coerce").dropna().astype(int)
    counts = years.value_counts().sort_index()
    if len(counts):
        # Every year from a decade before the vintage (or earlier) to the vintage (or later), so gaps between
        # years and the distance to the vintage show; a year without countries is a count of 0, not missing.
        first = min(int(counts.index.min()), vintage - 10)
        last = max(int(counts.index.max()), vintage)
        counts = counts.reindex(range(first, last + 1), fill_value=0)
    data = pd.DataFrame({"year": counts.index.astype(int), "countries": counts.values.astype(int)})
    observed = f"Up to {vintage}"
    projected = f"After {vintage}: modelled projection"
    data["kind"] = [projected if y > vintage else observed for y in data["year"]]
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("year:O", title="Latest year with data", axis=alt.Axis(labelAngle=-45 if len(data) > 12 else 0)),
            y=alt.Y("countries:Q", title="Countries", axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color("kind:N", scale=alt.Scale(domain=[observed, projected],
                                                      range=[theme.CATEGORICAL[0], theme.CATEGORICAL[1]]),
                            legend=alt.Legend(title=None, orient="top")),
            tooltip=[alt.Tooltip("year:O", title="Latest year"), alt.Tooltip("countries:Q", title="Countries"),
                     alt.Tooltip("kind:N", title="Kind")],
        )
        .properties(height=220)
    )
    return finish(chart)


ODIN_NOT_ASSESSABLE = "Openness not assessable (no gender statistics found)"
ODIN_LABEL_MAX = 30  # name the points when there are at most this many
NO_REGION = "No World Bank region"
_Y_EXTENT = 34       # px for the y labels of both ODIN charts, so their x axes line up


def spread_ties(x: pd.Series, y: pd.Series, *, radius: float = 1.4) -> tuple[list[float], list[float]]:
    """Positions for points that share the same (x, y): spread on small rings around it.

    ODIN scores are coarse (multiples of 5 or 10), so many countries share a point; drawn
    as they are, all but one would be hidden. The true values stay in the tooltip.
    """
    xs, ys = list(x.astype(float)), list(y.astype(float))
    seen: dict[tuple[float, float], int] = {}
    groups: dict[tuple[float, float], int] = {}
    for key in zip(xs, ys):
        groups[key] = groups.get(key, 0) + 1
    out_x, out_y = [], []
    for key in zip(xs, ys):
        i = seen.get(key, 0)
        seen[key] = i + 1
        if groups[key] == 1:
            out_x.append(key[0])
            out_y.append(key[1])
            continue
        ring, pos = divmod(i, 6)
        r = radius * (1 + ring)
        angle = (pos + 0.5 * ring) * math.pi / 3
        out_x.append(round(key[0] + r * math.cos(angle), 3))
        out_y.append(round(key[1] + r * math.sin(angle), 3))
    return out_x, out_y


def _odin_frame(frame: pd.DataFrame) -> pd.DataFrame:
    data = pd.DataFrame({
        "country": frame["country"].astype(str),
        "iso3": frame["iso3"].astype(str),
        "region": frame["wb_region"].fillna(NO_REGION).astype(str),
        "income": frame["income_group"].fillna("Not classified").astype(str),
        "coverage": pd.to_numeric(frame["coverage"], errors="coerce").astype("Float64"),
        "openness": pd.to_numeric(frame["openness"], errors="coerce").astype("Float64"),
        "overall": pd.to_numeric(frame["overall"], errors="coerce").astype("Float64"),
        "openness_status": frame["openness_status"].astype(str),
    })
    data["openness_shown"] = [f"{v:.0f}" if pd.notna(v) else ODIN_NOT_ASSESSABLE if s == "not_published"
                              else state_label(s) for v, s in zip(data["openness"], data["openness_status"])]
    return data


def _odin_tooltip() -> list[alt.Tooltip]:
    return [
        alt.Tooltip("country:N", title="Country"),
        alt.Tooltip("region:N", title="Region"),
        alt.Tooltip("income:N", title="Income group"),
        alt.Tooltip("coverage:Q", title="Gender coverage", format=".1f"),
        alt.Tooltip("openness_shown:N", title="Gender openness"),
        alt.Tooltip("overall:Q", title="ODIN overall", format=".1f"),
    ]


def _nullable(data: pd.DataFrame, cols: tuple[str, ...]) -> pd.DataFrame:
    data = data.astype({c: object for c in cols})
    for c in cols:
        data[c] = data[c].where(data[c].notna(), None)
    return data


def odin_chart(frame: pd.DataFrame, *, y: str = "openness") -> alt.TopLevelMixin:
    """ODIN gender statistics coverage (x) against gender openness or the overall score (y).

    ``frame``: :func:`collab_data.queries.gaps.odin_scores`. Countries without a ``y``
    value (openness not assessable) are left out here and drawn by :func:`odin_strip`.
    """
    y_title = {"openness": "Gender statistics openness", "overall": "ODIN overall score"}[y]
    data = _odin_frame(frame)
    plotted = data[data["coverage"].notna() & data[y].notna()].copy()
    plotted["x_pos"], plotted["y_pos"] = spread_ties(plotted["coverage"], plotted[y]) if len(plotted) else ([], [])
    plotted = _nullable(plotted, ("coverage", "openness", "overall"))
    regions = sorted(plotted["region"].unique().tolist())
    colors = categorical_scale([r for r in regions if r != NO_REGION])
    region_scale = alt.Scale(domain=[*colors.domain, *([NO_REGION] if NO_REGION in regions else [])],
                             range=[*colors.range, *(["#8c8c8c"] if NO_REGION in regions else [])])
    base = alt.Chart(plotted).encode(
        x=alt.X("x_pos:Q", title="Gender statistics coverage (0-100)", scale=alt.Scale(domain=[-3, 103], nice=False),
                axis=alt.Axis(values=list(range(0, 101, 10)))),
        y=alt.Y("y_pos:Q", title=None, scale=alt.Scale(domain=[-3, 103], nice=False),
                axis=alt.Axis(values=list(range(0, 101, 10)), minExtent=_Y_EXTENT, maxExtent=_Y_EXTENT)),
        tooltip=_odin_tooltip(),
    )
    points = base.mark_circle(size=80, opacity=0.85, stroke="white", strokeWidth=0.6).encode(
        color=alt.Color("region:N", scale=region_scale,
                        legend=alt.Legend(title="Region", orient="top", columns=3, labelLimit=330)),
    )
    layers = [points]
    if 0 < len(plotted) <= ODIN_LABEL_MAX:
        layers.append(base.mark_text(align="left", dx=7, fontSize=12, color="#333333").encode(text="country:N"))
    chart = alt.layer(*layers).properties(
        height=400, title=alt.TitleParams(f"{y_title} (0-100, up) against coverage (0-100, across)", fontSize=TITLE_SIZE))
    return finish(chart)


def odin_strip(frame: pd.DataFrame) -> alt.TopLevelMixin | None:
    """The countries whose gender openness could not be assessed (coverage 0), one named
    marker each at their coverage, in a strip of their own: never at openness 0.

    ``None`` when there is no such country. Its x axis lines up with :func:`odin_chart`'s.
    """
    data = _odin_frame(frame)
    apart = data[data["coverage"].notna() & data["openness"].isna()].sort_values("country").reset_index(drop=True)
    if apart.empty:
        return None
    apart["slot"] = range(len(apart))
    apart["state"] = "Openness not assessable"
    apart = _nullable(apart, ("coverage", "openness", "overall"))
    base = alt.Chart(apart).encode(
        x=alt.X("coverage:Q", title="Gender statistics coverage (0-100)", scale=alt.Scale(domain=[-3, 103], nice=False),
                axis=alt.Axis(values=list(range(0, 101, 10)))),
        y=alt.Y("slot:O", title=None, axis=alt.Axis(labels=False, ticks=False, domain=False,
                                                    minExtent=_Y_EXTENT, maxExtent=_Y_EXTENT)),
        tooltip=_odin_tooltip(),
    )
    points = base.mark_point(size=80, shape="diamond", filled=True, stroke="#616161", strokeWidth=1).encode(
        color=alt.Color("state:N", scale=alt.Scale(domain=["Openness not assessable"], range=[theme.NO_DATA]),
                        legend=alt.Legend(title=None, orient="top", symbolStrokeColor="#616161")))
    names = base.mark_text(align="left", dx=9, fontSize=12, color="#333333").encode(text="country:N")
    chart = alt.layer(points, names).properties(
        height=alt.Step(17),
        title=alt.TitleParams(f"{ODIN_NOT_ASSESSABLE}: {plural(len(apart), 'country', 'countries')}",
                              fontSize=TITLE_SIZE))
    return finish(chart)

# --------------------------------------------------------------------------------------
# The tables shown next to the charts (and downloaded): readable labels beside codes.
# --------------------------------------------------------------------------------------
BREAKDOWN_LABELS = {"yes": "Yes", "no": "Totals only", "n/a": "Not applicable", "female_only": "Women only"}


def dimension_table(frame: pd.DataFrame, *, series_total: int = 89) -> pd.DataFrame:
    """The cells of :func:`dimension_heatmap`, one row per country x dimension, in display order."""
    return pd.DataFrame({
        "Country": frame["country"].to_numpy(),
        "ISO3": frame["iso3"].to_numpy(),
        "Breakdown by": frame["dimension"].to_numpy(),
        "Status": [("Value" if s == "value" else state_label(s)) for s in frame["status"]],
        f"Series broken down (of {series_total})": frame["n_series"].astype("Int64").to_numpy(),
        f"Share of the {series_total} series (%)": frame["share"].astype("Float64").to_numpy(),
        f"Series with any data (of {series_total})": frame["any_series"].astype("Int64").to_numpy(),
    })


def series_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Countries with data for one series: years and breakdowns in words."""
    out = pd.DataFrame({
        "Country": frame["country"].to_numpy(),
        "ISO3": frame["iso3"].to_numpy(),
        "First year": frame["min_year"].astype("Int64").to_numpy(),
        "Latest year": frame["max_year"].astype("Int64").to_numpy(),
        "Years with data": frame["n_years"].astype("Int64").to_numpy(),
        "Years with data, last 5": frame["n_years_last5"].astype("Int64").to_numpy(),
    })
    for col, label in [("by_sex", "Sex"), ("by_age", "Age"), ("by_location", "Location"),
                       ("by_disability", "Disability"), ("by_income_wealth", "Income / wealth"),
                       ("by_education", "Education")]:
        out[label] = [BREAKDOWN_LABELS.get(v, v) for v in frame[col]]
    return out


def series_overview_table(frame: pd.DataFrame) -> pd.DataFrame:
    """All series with the countries in scope that have data."""
    return pd.DataFrame({
        "Indicator": frame["indicator_label"].to_numpy(),
        "Series": frame["series_desc"].to_numpy(),
        "Countries with data": frame["countries_with_data"].astype("Int64").to_numpy(),
        "With data in the last 5 years": frame["countries_recent"].astype("Int64").to_numpy(),
        "Share of countries in scope (%)": frame["share_with_data"].astype("Float64").to_numpy(),
        "Latest observed year": frame["latest_observed_year"].astype("Int64").to_numpy(),
        "Series id": frame["series_id"].to_numpy(),
    })


def odin_table(frame: pd.DataFrame) -> pd.DataFrame:
    """ODIN scores of the countries in scope; openness that cannot be assessed says so."""
    return pd.DataFrame({
        "Country": frame["country"].to_numpy(),
        "ISO3": frame["iso3"].to_numpy(),
        "Region": frame["wb_region"].to_numpy(),
        "Income group": frame["income_group"].to_numpy(),
        "Gender coverage": frame["coverage"].astype("Float64").to_numpy(),
        "Gender openness": frame["openness"].astype("Float64").to_numpy(),
        "Openness status": ["Value" if s == "value" else ODIN_NOT_ASSESSABLE if s == "not_published"
                            else state_label(s) for s in frame["openness_status"]],
        "ODIN overall": frame["overall"].astype("Float64").to_numpy(),
        "Year": frame["year"].astype("Int64").to_numpy(),
    })


def survey_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The cells of :func:`survey_heatmap`, one row per country x survey type, in display order."""
    status = {"value": "Surveys held", "not_collected": "None held", "no_data": theme.NO_DATA_LABEL}
    return pd.DataFrame({
        "Country": frame["country"].to_numpy(),
        "ISO3": frame["iso3"].to_numpy(),
        "Survey type": frame["survey_type"].to_numpy(),
        "Status": [status.get(s, s) for s in frame["status"]],
        "Surveys held": frame["n_surveys"].astype("Int64").to_numpy(),
        "Share of the standard met (%)": frame["pct_complete"].astype("Float64").to_numpy(),
    })
