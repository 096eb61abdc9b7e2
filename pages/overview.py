"""Overview: every KPI against its target (Off track first, each miss with its why), with
trends, and recent activity. What the tiles show comes from :mod:`collab_data.views.kpis`."""

from __future__ import annotations

import jinja2
import markupsafe
import pandas as pd
import streamlit as st

from collab_data import labels, lens_panel, metrics, queries, runtime, theme, ui
from collab_data.charts.sparkline import sparkline
from collab_data.views import freshness as VF
from collab_data.views import kpis as VK
from collab_data.views import overview as VO

ui.require_router()
f = ui.current_filters()

today = ui.today()
ui.page_header("Overview", f, caption="the collaboratives' key figures against their targets, and recent activity.")

TILES_PER_ROW = 3
LATEST_ROWS = 15

#: The status pill under a tile: the word and symbol in a text colour with at least 4.5:1
#: contrast, on a light tint of the colour-blind-safe hue (autoescaped: no markup from data).
PILL = jinja2.Environment(autoescape=True).from_string(
    "<div style='margin:-0.5rem 0 0.6rem 0.2rem;font-size:0.95rem'>"
    "<span style='display:inline-block;padding:0.05rem 0.55rem;border-radius:0.8rem;"
    "border:1px solid {{ fill }};background:{{ tint }};color:{{ color }};font-weight:600'>"
    "<span aria-hidden='true'>{{ symbol }}</span> {{ label }}</span>"
    "{% if target %}&nbsp; {{ target }}{% endif %}{% if spark %}&nbsp; {{ spark }}{% endif %}</div>"
)


def status_html(kpi, trend: str) -> str:
    """Status in words, symbol and colour, the target it is measured against, and the trend line
    (an SVG image: one Vega chart per tile was the slowest thing the browser drew here)."""
    spark = sparkline([None if v is None else float(v) for v in kpi.spark], color=kpi.status_color,
                      alt=f"Trend per quarter: {trend}")
    return PILL.render(fill=kpi.status_fill, tint=theme.tint(kpi.status_fill, 0.12), color=kpi.status_color,
                       symbol=kpi.status_symbol, label=kpi.status_label, target=kpi.target_text,
                       spark=markupsafe.Markup(spark))


def kpi_tiles(panel: VK.KpiPanel) -> None:
    rows = list(panel.kpis.itertuples())
    for i in range(0, len(rows), TILES_PER_ROW):
        cols = st.columns(TILES_PER_ROW)
        for col, kpi in zip(cols, rows[i:i + TILES_PER_ROW]):
            value = None if pd.isna(kpi.value) else int(kpi.value)
            delta = None if pd.isna(kpi.delta) else int(kpi.delta)
            trend = ", ".join(f"{q}: {'no data' if v is None else v}" for q, v in zip(kpi.spark_quarters, kpi.spark))
            with col:
                st.metric(
                    kpi.name,
                    value,
                    delta=delta,
                    delta_description=f"vs {panel.period['previous_label']}" if delta is not None else None,
                    help=f"{kpi.formula}\n\nTrend line: per quarter ({trend}).",
                    border=True,
                )
                st.markdown(status_html(kpi, trend), unsafe_allow_html=True)
                why = panel.why_of(kpi.kpi_id)
                if why is not None:
                    st.caption("Why: " + ui.escape(why.short))


def kpi_section() -> None:
    panel = runtime.cached(VK.overview, f, today)
    st.subheader(f"Key figures · {panel.period['sentence']}")
    st.markdown(f"**{ui.escape(panel.summary)}** — every KPI, those off track first.")
    st.caption(" ".join(panel.notes))
    kpi_tiles(panel)
    if panel.whys:
        n = len(panel.whys)
        with st.expander(f"Why {n} KPI{'s miss their' if n > 1 else ' misses its'} target", expanded=False):
            st.markdown("\n".join(f"- **{ui.escape(w.name)}** ({ui.escape(w.status_label)}): {ui.escape(w.headline)}"
                                   for w in panel.whys))
            if panel.meeting_note:
                st.caption(ui.escape(panel.meeting_note))
    st.page_link("pages/kpis.py", label="KPIs & targets: the lists behind each why, the meeting rhythm and the "
                 "KPIs against their targets over time", icon="🎯")
    ui.download(metrics.kpi_table(panel.kpis, panel.period["label"], panel.period["previous_label"]),
                label="KPIs (CSV)", file_stem=f"kpis_{panel.period['label'].replace(' ', '_')}",
                title=f"KPIs, {panel.period['sentence']}", f=f, key="dl_kpis")


def render() -> None:
    counts = runtime.cached(queries.collab_counts)
    if not counts.get("activities") and not counts.get("programs") and not counts.get("collaborations"):
        ui.empty_state(
            "No activities, country programmes or collaborations recorded yet, so there are no KPIs to show.",
            ui.NO_COLLAB_DATA_HOW,
        )
        return

    # -- KPI tiles ---------------------------------------------------------------------
    kpi_section()

    # -- reporting freshness -------------------------------------------------------------
    st.subheader("Reporting freshness")
    ui.reporting_panel(runtime.cached(VF.reporting_panel, f, today), f, key="fresh_overview")

    # -- timeline ----------------------------------------------------------------------
    acts = runtime.cached(VO.activity_panel, f, LATEST_ROWS)
    st.subheader("Activities per quarter, by type")
    if acts.timeline.empty:
        ui.empty_state("No activities recorded in this view.",
                       "No activity of the collaboratives is recorded as starting in this period with these partners "
                       "and countries. Widen the filters in the sidebar.")
    else:
        runtime.show_chart(runtime.cached_spec(VO.timeline_chart, f), width="stretch")
        ui.download(acts.timeline_csv, label="Activities per quarter (CSV)", file_stem="activities_per_quarter",
                    title="Activities per quarter, by type", f=f, key="dl_timeline")

    # -- latest activities -------------------------------------------------------------
    st.subheader("Latest activities")
    latest = acts.latest
    if latest.empty:
        ui.empty_state("No activities recorded in this view.", "Widen the filters in the sidebar to see recent activities.")
        return
    st.dataframe(
        latest,
        hide_index=True,
        width="stretch",
        placeholder=labels.MISSING,
        height=(len(latest) + 1) * 35 + 3,  # every row, no inner scrolling
        column_config={
            "Date": st.column_config.TextColumn("Date", width=95, pinned=True),
            "Title": st.column_config.TextColumn("Title", width=320, pinned=True),
            "Type": st.column_config.TextColumn("Type", width=170),
            "Collaborative": st.column_config.TextColumn("Collaborative", width=105,
                                                         help="Gender, LNOB, or outside both collaboratives."),
            "Partners": st.column_config.TextColumn("Partners", width=200),
            "Countries": st.column_config.TextColumn("Countries", width=160,
                                                     help=f"{labels.MISSING} : the activity names no country."),
            "Outcome": st.column_config.TextColumn("Outcome", width=280,
                                                   help=f"{labels.MISSING} : no outcome recorded."),
        },
    )
    st.caption("Scroll the table sideways for partners, countries and outcomes; click a cell to read all of it.")
    ui.download(acts.latest_csv, label="Latest activities (CSV)", file_stem="latest_activities",
                title="Latest activities", f=f, key="dl_latest")


render()

# -- my partner's lens: who else works where the chosen partner works (its own section) --
lens_panel.render(f, key="overview", short=True)
