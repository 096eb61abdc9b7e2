"""Charts of the Overview page (pure: DataFrame in, Altair chart out)."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd

from collab_data.charts import categorical_scale, finish

BAR_WIDTH = 40
MAX_FIXED_BARS = 14


def quarter_labels(first: date, last: date) -> list[str]:
    """Every quarter from the one of ``first`` to the one of ``last``, as "Q1 2025"."""
    out = []
    y, q = first.year, (first.month - 1) // 3 + 1
    end = (last.year, (last.month - 1) // 3 + 1)
    while (y, q) <= end:
        out.append(f"Q{q} {y}")
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)
    return out


def activity_timeline(df: pd.DataFrame, type_order: list[str], *, height: int = 320) -> alt.TopLevelMixin:
    """Stacked bars: activities per quarter, coloured by activity type.

    ``df`` has columns quarter_start (date), quarter (label), type (label), activities.
    ``type_order`` is every activity type label, so a type keeps its colour under any
    filter. Quarters between the first and last without activities are kept on the axis
    (an empty slot: no activity that quarter).
    """
    starts = pd.to_datetime(df["quarter_start"])
    domain = quarter_labels(starts.min().date(), starts.max().date()) if len(df) else []
    order = {t: i for i, t in enumerate(type_order)}
    data = df[["quarter", "type", "activities"]].copy()
    data["type_order"] = data["type"].map(order).fillna(len(order)).astype(int)
    many = len(domain) > 8
    # a fixed bar width while the quarters fit, so one quarter is not one wall of colour
    mark = alt.MarkDef(type="bar", size=BAR_WIDTH) if len(domain) <= MAX_FIXED_BARS else alt.MarkDef(type="bar")
    return finish(
        alt.Chart(data, mark=mark)
        .encode(
            x=alt.X("quarter:O", title=None, sort=domain, scale=alt.Scale(domain=domain),
                    axis=alt.Axis(labelAngle=-40 if many else 0)),
            y=alt.Y("sum(activities):Q", title="Activities", axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color("type:N", title="Activity type", scale=categorical_scale(list(type_order)),
                            legend=alt.Legend(orient="bottom", columns=4)),
            order=alt.Order("type_order:Q", sort="ascending"),
            tooltip=[alt.Tooltip("quarter:O", title="Quarter"), alt.Tooltip("type:N", title="Type"),
                     alt.Tooltip("activities:Q", title="Activities")],
        )
        .properties(height=height, width="container")
    )


def kpi_history(df: pd.DataFrame, *, columns: int = 3, width: int = 250, height: int = 150) -> alt.TopLevelMixin:
    """Each KPI per quarter against its target: one small panel per KPI (its own y scale),
    the value as a line with points coloured by status, the target as a dashed step line.

    ``df`` has columns kpi (name), quarter (label), quarter_start, value, target (NaN: none
    / not compared), status (label) and status_fill, in display order (see
    :func:`collab_data.views.kpis.kpi_history`). Missing values leave a gap, never a 0.
    """
    order = list(dict.fromkeys(df["kpi"]))
    quarters = list(dict.fromkeys(df["quarter"]))
    statuses = list(dict.fromkeys(df["status"]))
    fills = [df.loc[df["status"] == s, "status_fill"].iloc[0] for s in statuses]
    data = df[["kpi", "quarter", "value", "target", "status"]].copy()
    x = alt.X("quarter:O", title=None, sort=quarters, axis=alt.Axis(labelAngle=-40))
    tooltip = [alt.Tooltip("kpi:N", title="KPI"), alt.Tooltip("quarter:O", title="Quarter"),
               alt.Tooltip("value:Q", title="Value", format="d"), alt.Tooltip("target:Q", title="Target", format="g"),
               alt.Tooltip("status:N", title="Status")]
    base = alt.Chart().encode(x=x)
    target = base.transform_filter("isValid(datum.target)").mark_line(
        interpolate="step", strokeDash=[5, 4], color="#4b5563", strokeWidth=1.5,
    ).encode(y=alt.Y("target:Q", title=None), tooltip=tooltip)
    value = base.transform_filter("isValid(datum.value)")
    line = value.mark_line(color="#374151", strokeWidth=2).encode(y=alt.Y("value:Q", title=None))
    points = value.mark_point(filled=True, size=80, opacity=1).encode(
        y=alt.Y("value:Q", title=None),
        color=alt.Color("status:N", title="Status", scale=alt.Scale(domain=statuses, range=fills),
                        legend=alt.Legend(orient="top")),
        shape=alt.Shape("status:N", title="Status", scale=alt.Scale(
            domain=statuses, range=[_SHAPES.get(s, "circle") for s in statuses])),
        tooltip=tooltip,
    )
    layered = alt.layer(target, line, points).properties(width=width, height=height)
    return finish(
        layered.facet(facet=alt.Facet("kpi:N", title=None, sort=order, header=alt.Header(labelFontSize=14,
                                                                                       labelFontWeight="bold",
                                                                                       labelLimit=width)),
                      columns=columns, data=data)
        .resolve_scale(y="independent")
    )


#: A shape per status, so the status reads without colour too.
_SHAPES = {"On track": "triangle-up", "At risk": "circle", "Off track": "triangle-down", "No target": "square",
           "Not compared": "square", "No data": "square"}
