"""Meeting mode: the dashboard as slides for a shared screen — no sidebar, type that scales
with the screen, one slide at a time, the slide number and the filters in the URL
(``/meeting?slide=3``). On a phone: one column, the controls kept on screen.

What each slide shows comes from :mod:`collab_data.views.meeting`; this page draws it.
← / → (and PageUp / PageDown, what presentation clickers send) move between slides; so do
the Previous / Next buttons, the agenda and the slide number.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from collab_data import maps, metrics, ui
from collab_data import meeting as M
from collab_data.queries import countries as QC
from collab_data.runtime import cached, cached_spec, show_chart
from collab_data.views import kpis as VK
from collab_data.views import meeting as VM

ui.require_router()
f = ui.current_filters()
today = ui.today()

#: The map's height at 1280 × 720 (pixels); larger screens zoom it.
MAP_HEIGHT = 450
#: The whole world fills a slide's map at this zoom (the pages' default world view is for a smaller map).
WORLD_ZOOM = 0.8
MAP_WIDTH = 1200

st.html(VM.style_html())

# --------------------------------------------------------------------------------------
# The agenda and the current slide
# --------------------------------------------------------------------------------------
deck = cached(VM.deck, f)
slides = deck.slides
has_programmes, has_records, measures = deck.has_programmes, deck.has_records, deck.measures
total = len(slides)

# The number from the session (or, on the first run, the URL): clamped before the widget is made.
raw = st.session_state["slide"] if "slide" in st.session_state else st.query_params.get("slide")
number = M.clamp(raw, total)
if M.parse_number(raw) is not None and M.parse_number(raw) != number:
    st.session_state["slide"] = number


def go(to: int, close_agenda: bool = False) -> None:
    st.session_state["slide"] = to
    if close_agenda:
        st.session_state["meeting_agenda"] = False


prev_n, next_n = M.previous_number(number, total), M.next_number(number, total)

bar = st.container(horizontal=True, vertical_alignment="center", gap="small", wrap=False, key="meeting_bar")
where, fresh = VM.bar_words(number, deck)
bar.markdown(f"**{ui.escape(where)}** :gray[:small[· {ui.escape(fresh)}]]\n\n"
             f":gray[:small[{ui.escape(deck.showing)}]]", width="stretch")  # no help icon: it would take a Tab stop
bar.button("Previous", icon="⬅️", key="meeting_prev", on_click=go, args=(prev_n,), disabled=number <= 1,
           shortcut="Left", help="Previous slide (← or PageUp)")
bar.button("Next", icon="➡️", key="meeting_next", on_click=go, args=(next_n,), disabled=number >= total,
           shortcut="Right", type="primary", help="Next slide (→ or PageDown)")
with bar.popover("Agenda", icon="📋", key="meeting_agenda", on_change="rerun"):
    for i, s in enumerate(slides, start=1):
        st.button(M.agenda_label(i, s), icon=s.icon, key=f"meeting_goto_{i}", on_click=go, args=(i, True),
                  type="primary" if i == number else "secondary", width="stretch")
number = int(bar.number_input("Slide", min_value=1, max_value=total, step=1, key="slide", bind="query-params",
                              width=120, label_visibility="collapsed", help="Slide number (also in the link)") or 1)
# The filters are bound to the URL by the (hidden) filter bar, so the Overview keeps them: passing
# them as query_params too would repeat every one of them in the URL.
bar.page_link("pages/overview.py", label="Exit", icon="✖️",
              help="Leave meeting mode: the Overview with the same filters")

# Presentation clickers send PageUp / PageDown: two more shortcuts, on buttons that are not shown.
with st.container(key="meeting_keys"):
    st.button("Previous slide", key="meeting_pageup", on_click=go, args=(prev_n,), shortcut="PageUp")
    st.button("Next slide", key="meeting_pagedown", on_click=go, args=(next_n,), shortcut="PageDown")

slide = slides[number - 1]


# --------------------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------------------
def bullets(lines: VM.Lines) -> None:
    if not lines.lines:
        st.markdown(ui.escape(lines.empty))
        return
    text = "\n".join(f"- {ui.escape(line)}" for line in lines.lines)
    if lines.tail:
        text += f"\n\n:gray[*{ui.escape(lines.tail)}*]"
    st.markdown(text)


def filled(key: str, height: str, max_width: str | None = None, phone_min_width: str = "0"):
    """A container whose height follows the screen (a CSS length): a chart in it with
    ``height="stretch"`` fills the slide at any screen size."""
    st.html(VM.fill_html(key, height, max_width, phone_min_width=phone_min_width))
    return st.container(key=key)


def kpi_slide() -> None:
    if not has_records:
        ui.empty_state("No activities, country programmes or collaborations are recorded yet, so there are no key "
                       "figures to show.", ui.NO_COLLAB_DATA_HOW)
        return
    period = cached(metrics.overview_period, f, today)
    kpis = cached(VK.ordered_kpis, f, period["type"], period["start"])  # every KPI, off track first
    notes = [period["sentence"], f"trend lines: the last {metrics.SPARK_QUARTERS} quarters"]
    if not metrics.targets_apply(f):
        notes.append("a filtered view is not compared with the overall targets")
    if kpis["value"].isna().any():
        notes.append("— : no records cover the period (missing, not zero)")
    st.caption(" · ".join(notes))
    rows = list(kpis.itertuples())
    per_row = 5  # every KPI on one slide: two rows of five
    for i in range(0, len(rows), per_row):
        for col, kpi in zip(st.columns(per_row), rows[i:i + per_row]):
            value = None if pd.isna(kpi.value) else int(kpi.value)
            delta = None if pd.isna(kpi.delta) else int(kpi.delta)
            spark = [v for v in kpi.spark if v is not None]
            target = ""
            if not pd.isna(kpi.target):
                target = f" · target {kpi.target:g}" if kpi.target_applies else f" · overall target {kpi.target:g}"
            with col.container(border=True, gap=None, key=f"meeting_kpi_{kpi.kpi_id}"):
                st.metric(kpi.name, "—" if value is None else value, delta=delta, help=kpi.formula,
                          delta_description=f"vs {period['previous_label']}" if delta is not None else None,
                          chart_data=spark if len(spark) > 1 else None, chart_type="line")
                st.markdown(":small[" + ui.escape(metrics.status_text(kpi.status, kpi.target, kpi.target_applies)
                                                  + target) + "]")


def map_slide() -> None:
    m = VM.map_measure(has_programmes)
    if has_programmes:
        st.caption(f"{m.help} Countries outside the filters are flat grey land; small island states are dots.")
    else:
        st.info("**No programmes of the collaboratives are recorded yet**, so there are no partners to map: the map "
                "shows the LNOB data availability (real UNSD data) instead.", icon="ℹ️")
    rows = maps.map_rows(measures, cached(QC.country_shapes), m.column)
    zero_apart = m.key == "partners"
    deck = maps.choropleth(rows, measure_label=m.label, unit=m.unit, partners_known=has_programmes,
                           show_partners=m.key != "partners", zero_apart=zero_apart,
                           view=M.slide_view(maps.view_for(rows, width=MAP_WIDTH, height=MAP_HEIGHT), maps.WORLD_VIEW,
                                             WORLD_ZOOM if has_programmes else WORLD_ZOOM - 0.2))
    # A fixed size for 1280 × 720; larger screens zoom this box (CSS above): deck.gl draws at the zoomed
    # size and picks correctly under it, so the map grows with the screen (Vega charts could not).
    with st.container(key="meeting_map_box"):
        st.pydeck_chart(deck, height=MAP_HEIGHT if has_programmes else MAP_HEIGHT - 75, key="meeting_map",
                        alt=f"Map of {m.label} by country")
        show_chart(cached_spec(VM.map_legend_chart, f, has_programmes), width="content")


def spotlight_slide(s: M.Slide) -> None:
    view = cached(VM.spotlight, f, s, has_programmes)
    if view.empty:
        ui.empty_state(view.empty[0], view.empty[1] + ("" if has_programmes else " " + ui.NO_COLLAB_DATA_HOW))
        return
    st.caption(view.caption)
    for col, (label, value, helptext) in zip(st.columns(4), view.metrics):
        col.metric(label, value, border=True, help=helptext)
    left, right = st.columns([1, 1], gap="large")
    with left:
        st.markdown("#### 🤝 Who works here")
        bullets(view.partners)
    with right:
        st.markdown("#### 📅 Recent activities")
        bullets(view.activities)
        st.markdown(f"**🧩 LNOB dimensions no partner tool covers:** {ui.escape(view.uncovered)}")


def overlap_slide() -> None:
    if not has_programmes:
        ui.empty_state("No country programmes are recorded yet, so there is no overlap to show.", ui.NO_COLLAB_DATA_HOW)
        return
    view = cached(VM.overlap, f)
    if view.empty:
        ui.empty_state(*view.empty)
        return
    left, right = st.columns([1.4, 1], gap="large")
    with left:
        st.caption(view.caption)
        rows, cols = len(view.view.rows), len(view.view.cols)
        with filled("meeting_fill_overlap", f"min(calc(100vh - 11rem), {rows * 3.4 + 7:.1f}rem)",
                    max_width=f"{cols * 3.6 + 9:.1f}rem", phone_min_width=f"{cols * 2.2 + 8:.1f}rem"):
            show_chart(cached_spec(VM.overlap_chart, f), width="stretch", height="stretch")
    with right:
        st.markdown("#### 🤝 Where partners could coordinate")
        if view.opportunities_caption:
            st.caption(view.opportunities_caption)
        bullets(view.opportunities)


def gaps_slide() -> None:
    focus = tuple(s.iso3 for s in slides if s.kind == "spotlight" and s.iso3)
    view = cached(VM.gaps, f, focus)
    if not has_programmes:
        st.info("**No programmes of the collaboratives are recorded yet**, so every country counts 0 partners. The "
                "data gaps are real public data (UNSD).", icon="ℹ️")
    room = "13.6rem" if has_programmes else "19.2rem"  # above the charts: the bar, title, headings, captions
    left, right = st.columns([1.3, 1], gap="large")
    with left:
        st.markdown("#### 🧩 How gender data are broken down")
        if view.breakdown.empty:
            st.markdown("No country in view.")
        else:
            st.caption(view.breakdown_caption)
            rows = view.breakdown["iso3"].nunique()
            with filled("meeting_fill_breakdown", f"min(calc(100vh - {room}), {rows * 6 + 9:.1f}rem)",
                        phone_min_width="34rem"):
                show_chart(cached_spec(VM.breakdown_chart, f, focus), width="stretch", height="stretch")
    with right:
        st.markdown("#### 📉 Least gender data, at most one partner")
        if view.bars.empty:
            st.markdown(ui.escape(view.bars_empty))
        else:
            st.caption(view.bars_caption)
            with filled("meeting_fill_gapbars", f"min(calc(100vh - {room}), {len(view.bars) * 2.9 + 5:.1f}rem)"):
                show_chart(cached_spec(VM.gap_bars_chart, f), width="stretch", height="stretch")


def latest_slide() -> None:
    if not has_records:
        ui.empty_state("No activities or collaborations are recorded yet.", ui.NO_COLLAB_DATA_HOW)
        return
    view = cached(VM.latest, f)
    left, right = st.columns([1, 1], gap="large")
    with left:
        st.markdown("#### 📅 Latest activities")
        bullets(view.activities)
    with right:
        st.markdown(f"#### ✨ {ui.escape(view.heading)}")
        if view.caption:
            st.caption(view.caption)
        bullets(view.collaborations)


with st.container(key="meeting_slide"):
    st.title(f"{slide.icon} {slide.title}", anchor=False)
    {"kpis": kpi_slide, "map": map_slide, "overlap": overlap_slide, "gaps": gaps_slide,
     "latest": latest_slide}.get(slide.kind, lambda: spotlight_slide(slide))()
