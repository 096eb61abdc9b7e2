"""Charts of the Partners & tools page (pure: DataFrame in, Altair chart out)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from collab_data.charts import categorical_scale, finish

STAGES = ["concept", "pilot", "scaling", "mature"]
STAGE_LABELS = {"concept": "Concept", "pilot": "Pilot", "scaling": "Scaling", "mature": "Mature"}


def pipeline_totals(pipeline: pd.DataFrame) -> pd.DataFrame:
    """Tools per stage, every stage present in pipeline order (a stage without tools has 0 tools)."""
    counts = pipeline.groupby("stage")["tools"].sum() if not pipeline.empty else pd.Series(dtype=int)
    return pd.DataFrame({
        "stage": STAGES,
        "Stage": [STAGE_LABELS[s] for s in STAGES],
        "tools": [int(counts.get(s, 0)) for s in STAGES],
    })


def pipeline_chart(pipeline: pd.DataFrame) -> alt.Chart:
    """The tool pipeline: one horizontal bar per stage (concept -> mature), stacked by kind.

    ``pipeline`` has one row per stage and kind: stage, kind, tools (count), names.
    Every stage has its row on the axis, also when no tool is at that stage.
    """
    data = pipeline.copy()
    data["Stage"] = data["stage"].map(STAGE_LABELS)
    kinds = sorted(data["kind"].unique().tolist()) if not data.empty else []
    data["kind_order"] = data["kind"].map({k: i for i, k in enumerate(kinds)})
    order = [STAGE_LABELS[s] for s in STAGES]
    y = alt.Y("Stage:N", title=None, scale=alt.Scale(domain=order), sort=order,
              axis=alt.Axis(labelFontWeight="bold", ticks=False, domain=False))
    totals = pipeline_totals(pipeline)
    xmax = max(int(totals["tools"].max()), 1)
    bars = alt.Chart(data).mark_bar(height=30, stroke="white", strokeWidth=1).encode(
        y=y,
        x=alt.X("sum(tools):Q", title="Number of tools", scale=alt.Scale(domain=[0, xmax * 1.15]),
                axis=alt.Axis(tickMinStep=1, format="d")),
        color=alt.Color("kind:N", title="Kind", scale=categorical_scale(kinds),
                        legend=alt.Legend(orient="bottom", direction="horizontal", columns=4,
                                          labelExpr="upper(slice(datum.label, 0, 1)) + slice(datum.label, 1)")),
        order=alt.Order("kind_order:Q"),
        tooltip=[alt.Tooltip("Stage:N"), alt.Tooltip("kind:N", title="Kind"),
                 alt.Tooltip("tools:Q", title="Tools"), alt.Tooltip("names:N", title="Which")],
    )
    text = alt.Chart(totals).mark_text(align="left", dx=6, fontSize=13, fontWeight="bold").encode(
        y=y, x=alt.X("tools:Q"),
        text=alt.Text("label:N"),
    ).transform_calculate(label="datum.tools + (datum.tools == 1 ? ' tool' : ' tools')")
    return finish(alt.layer(bars, text).properties(height=alt.Step(46), width="container"))
