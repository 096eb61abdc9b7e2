"""Overview: the collaboratives' KPIs against their targets, with trends, and recent activity."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from collab_data import metrics, queries, runtime, ui
from collab_data.charts import overview as charts
from collab_data.queries import overview as Q
from collab_data.views import freshness as VF

ui.require_router()
f = ui.current_filters()

today = ui.today()
ui.page_header("Overview", f, caption="the collaboratives' key figures against their targets, and recent activity.")

TILES_PER_ROW = 3
LATEST_ROWS = 15


def status_html(kpi) -> str:
    """Status in words, symbol and colour, and the target it is measured against."""
    disp = metrics.status_display(kpi.status, kpi.target, kpi.target_applies)
    pill = (
        f"<span style='display:inline-block;padding:0.05rem 0.55rem;border-radius:0.8rem;"
        f"border:1px solid {disp['color']};background:{disp['color']}1f;color:#1f2937;font-weight:600'>"
        f"<span style='color:{disp['color']}' aria-hidden='true'>{html.escape(disp['symbol'])}</span> "
        f"{html.escape(disp['label'])}</span>"
    )
    if pd.isna(kpi.target):
        target = "" if kpi.status == "no_target" else "no target set"
    elif kpi.target_applies:
        target = f"target <b>{kpi.target:g}</b>"
    else:
        target = f"overall target {kpi.target:g}"
    return f"<div style='margin:-0.5rem 0 0.6rem 0.2rem;font-size:0.95rem'>{pill}&nbsp; {target}</div>"


def kpi_tiles(period: dict, kpis) -> None:
    rows = list(kpis.itertuples())
    for i in range(0, len(rows), TILES_PER_ROW):
        cols = st.columns(TILES_PER_ROW)
        for col, kpi in zip(cols, rows[i:i + TILES_PER_ROW]):
            value = None if pd.isna(kpi.value) else int(kpi.value)
            delta = None if pd.isna(kpi.delta) else int(kpi.delta)
            spark = [v for v in kpi.spark if v is not None]
            trend = ", ".join(f"{q}: {'no data' if v is None else v}" for q, v in zip(kpi.spark_quarters, kpi.spark))
            with col:
                st.metric(
                    kpi.name,
                    value,
                    delta=delta,
                    delta_description=f"vs {period['previous_label']}" if delta is not None else None,
                    help=f"{kpi.formula}\n\nTrend line: per quarter ({trend}).",
                    border=True,
                    chart_data=spark if len(spark) > 1 else None,
                    chart_type="line",
                )
                st.markdown(status_html(kpi), unsafe_allow_html=True)


def render() -> None:
    counts = runtime.cached(queries.collab_counts)
    if not counts.get("activities") and not counts.get("programs") and not counts.get("collaborations"):
        ui.empty_state(
            "No activities, country programmes or collaborations recorded yet, so there are no KPIs to show.",
            ui.NO_COLLAB_DATA_HOW,
        )
        return

    # -- KPI tiles ---------------------------------------------------------------------
    period = runtime.cached(metrics.overview_period, f, today)
    kpis = runtime.cached(metrics.compute_kpis, f, period["type"], period["start"])
    st.subheader(f"Key figures · {period['sentence']}")
    notes = []
    if f.period in ("all", "last12"):
        notes.append("The tiles show the latest quarter; pick a quarter, half or year under Period to see another.")
    if period["partial"]:
        notes.append(f"{period['label']} is not over: its figures so far are compared with the whole of "
                     f"{period['previous_label']}.")
    if not metrics.targets_apply(f):
        notes.append("Targets are set for both collaboratives as a whole (overall target), so this filtered view "
                     "is not compared with them.")
    if f.has_country_scope:
        notes.append("Recorded collaborations are not tied to countries: the country filters narrow only the "
                     "first-time partner pairs counted as new collaborations.")
    if kpis["value"].isna().any():
        notes.append("— : no records cover the period for that figure (missing, not zero).")
    notes.append(f"Trend lines: the last {metrics.SPARK_QUARTERS} quarters. Each KPI's definition is under the ? next to its name.")
    st.caption(" ".join(notes))
    kpi_tiles(period, kpis)
    ui.download(metrics.kpi_table(kpis, period["label"], period["previous_label"]), label="KPIs (CSV)",
                file_stem=f"kpis_{period['label'].replace(' ', '_')}", title=f"KPIs, {period['sentence']}", f=f,
                key="dl_kpis")

    # -- reporting freshness -------------------------------------------------------------
    st.subheader("Reporting freshness")
    ui.reporting_panel(runtime.cached(VF.reporting_panel, f, today), f, key="fresh_overview")

    # -- timeline ----------------------------------------------------------------------
    st.subheader("Activities per quarter, by type")
    timeline = runtime.cached(Q.activity_timeline, f)
    if timeline.empty:
        ui.empty_state("No activities recorded in this view.",
                       "No activity of the collaboratives is recorded as starting in this period with these partners "
                       "and countries. Widen the filters in the sidebar.")
    else:
        types = runtime.cached(Q.activity_types)
        st.altair_chart(charts.activity_timeline(timeline, list(types["label"])), width="stretch")
        shown = timeline[["quarter", "type", "activities"]].rename(
            columns={"quarter": "Quarter", "type": "Activity type", "activities": "Activities"})
        ui.download(shown, label="Activities per quarter (CSV)", file_stem="activities_per_quarter",
                    title="Activities per quarter, by type", f=f, key="dl_timeline")

    # -- latest activities -------------------------------------------------------------
    st.subheader("Latest activities")
    latest = runtime.cached(Q.latest_activities, f, LATEST_ROWS)
    if latest.empty:
        ui.empty_state("No activities recorded in this view.", "Widen the filters in the sidebar to see recent activities.")
        return
    st.dataframe(
        latest,
        hide_index=True,
        width="stretch",
        placeholder="—",
        height=(len(latest) + 1) * 35 + 3,  # every row, no inner scrolling
        column_config={
            "date": st.column_config.DateColumn("Date", format="D MMM YYYY", width=95, pinned=True),
            "title": st.column_config.TextColumn("Title", width=320, pinned=True),
            "type": st.column_config.TextColumn("Type", width=170),
            "collaborative": st.column_config.TextColumn("Collaborative", width=105,
                                                         help="Gender, LNOB, or outside both collaboratives."),
            "partners": st.column_config.TextColumn("Partners", width=200),
            "countries": st.column_config.TextColumn("Countries", width=160,
                                                     help="— : the activity names no country."),
            "outcome": st.column_config.TextColumn("Outcome", width=280, help="— : no outcome recorded."),
        },
    )
    st.caption("Scroll the table sideways for partners, countries and outcomes; click a cell to read all of it.")
    ui.download(latest, label="Latest activities (CSV)", file_stem="latest_activities",
                title="Latest activities", f=f, key="dl_latest")


render()
