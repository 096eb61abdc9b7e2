"""Meeting mode: the dashboard as slides for a shared screen — no sidebar, large type,
one slide at a time, the slide number and the filters in the URL (``/meeting?slide=3``).

The agenda is :func:`collab_data.meeting.agenda`. ← / → (and PageUp / PageDown, what
presentation clickers send) move between slides; so do the Previous / Next buttons, the
agenda and the slide number.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from collab_data import clock, maps, metrics, queries, ui
from collab_data import meeting as M
from collab_data.charts import gaps as CG
from collab_data.filters import describe
from collab_data.queries import countries as QC
from collab_data.queries import gaps as QG
from collab_data.queries import overlap as QO
from collab_data.queries import overview as QV
from collab_data.runtime import cached

ui.require_router()
f = ui.current_filters()
today = ui.today()

#: The map's height at 1280 × 720 (pixels); larger screens zoom it.
MAP_HEIGHT = 465
#: The whole world fills a slide's map at this zoom (the pages' default world view is for a smaller map).
WORLD_ZOOM = 0.8
MAP_WIDTH = 1200

# Only a style block (no script): the sidebar, its toggle and the toolbar are hidden on this
# page only, and the type is larger, more so on larger screens; charts fill the screen's height
# (see ``filled``) and the map box is zoomed. (Zooming the whole slide with CSS ``zoom`` or
# ``transform`` was tried: Streamlit sizes sparklines and container-wide charts from the zoomed
# size, so they overflow, and Vega's hover misses its marks; deck.gl copes with zoom.)
STYLE = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
html { font-size: 19px; }
[data-testid="stMainBlockContainer"] { padding: 0.5rem 1.6rem 0.3rem 1.6rem !important; max-width: none !important; }
.st-key-meeting_bar { border-bottom: 1px solid #e3e6ea; padding-bottom: 0.4rem; }
.st-key-meeting_bar p { margin: 0; line-height: 1.35; }
.st-key-meeting_bar [data-testid="stMarkdownContainer"] { margin-bottom: 0; }
.st-key-meeting_bar p + p { display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 2;
  overflow: hidden; }
.st-key-meeting_keys, [data-testid="stLayoutWrapper"]:has(> .st-key-meeting_keys) { display: none !important; }
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] { gap: 0.6rem; }
.st-key-meeting_slide { gap: 0.6rem; }
.st-key-meeting_slide h1 { font-size: 1.7rem; padding: 0.15rem 0 0.3rem 0; }
.st-key-meeting_slide h4 { font-size: 1.1rem; padding: 0.1rem 0 0.35rem 0; }
.st-key-meeting_slide [data-testid="stMetricValue"] { font-size: 2rem; }
.st-key-meeting_slide [class*="st-key-meeting_kpi_"] { padding: 0.55rem 0.95rem !important; }
.st-key-meeting_slide [data-testid="stMetricChart"] { margin-top: 0.4rem; }
.st-key-meeting_slide li { margin-bottom: 0.15rem; }
.st-key-meeting_slide [data-testid="stHeading"] { margin-bottom: 0.3rem; }
@media (min-width: 1440px) and (min-height: 800px) { html { font-size: 21px; } .st-key-meeting_map_box { zoom: 1.1; } }
@media (min-width: 1600px) and (min-height: 880px) { html { font-size: 23px; } .st-key-meeting_map_box { zoom: 1.2; } }
@media (min-width: 1900px) and (min-height: 1000px) { html { font-size: 25px; } .st-key-meeting_map_box { zoom: 1.45; } }
</style>
"""
st.html(STYLE)

# --------------------------------------------------------------------------------------
# The agenda and the current slide
# --------------------------------------------------------------------------------------
names = cached(queries.country_names)
counts = cached(queries.collab_counts)
has_programmes = counts.get("programs", 0) > 0
has_records = bool(counts.get("activities") or counts.get("programs") or counts.get("collaborations"))
measures = cached(QC.country_measures, f)
chosen = M.chosen_countries(f.countries, names)
slides = M.agenda(chosen, [] if chosen else M.top_countries(measures))
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

as_of = cached(queries.data_as_of)
showing = describe(f, country_names=names, partner_names=cached(queries.partner_names))

bar = st.container(horizontal=True, vertical_alignment="center", gap="small", wrap=False, key="meeting_bar")
data_status = cached(queries.data_status)
as_of_words = ("data as of " + clock.short_date(data_status["as_of"]) if data_status["as_of"]
               else "no records yet")
bar.markdown(f"**{ui.escape(M.indicator(number, slides))}** :gray[:small[· {ui.escape(as_of_words)}]]\n\n"
             f":gray[:small[{ui.escape(showing)}]]", width="stretch")  # no help icon: it would take a Tab stop
bar.button("Previous", icon="⬅️", key="meeting_prev", on_click=go, args=(prev_n,), disabled=number <= 1,
           shortcut="Left", help="Previous slide (← or PageUp)")
bar.button("Next", icon="➡️", key="meeting_next", on_click=go, args=(next_n,), disabled=number >= total,
           shortcut="Right", type="primary", help="Next slide (→ or PageDown)")
with bar.popover("Agenda", icon="📋", key="meeting_agenda", on_change="rerun"):
    for i, s in enumerate(slides, start=1):
        st.button(M.agenda_label(i, s), icon=s.icon, key=f"meeting_goto_{i}", on_click=go, args=(i, True),
                  type="primary" if i == number else "secondary", width="stretch")
number = int(bar.number_input("Slide", min_value=1, max_value=total, step=1, key="slide", bind="query-params",
                              width=165, label_visibility="collapsed", help="Slide number (also in the link)") or 1)
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
# The slides
# --------------------------------------------------------------------------------------
def bullets(lines: list[str], tail: str = "") -> None:
    text = "\n".join(f"- {ui.escape(line)}" for line in lines)
    if tail:
        text += f"\n\n:gray[*{ui.escape(tail)}*]"
    st.markdown(text)


def filled(key: str, height: str, max_width: int | None = None):
    """A container whose height follows the screen (a CSS length, e.g. ``calc(100vh - 11rem)``):
    a chart in it with ``height="stretch"`` fills the slide at any screen size."""
    width = f" max-width: {max_width}px;" if max_width else ""
    st.html(f"<style>.st-key-{key} {{ height: {height}; max-height: {height}; flex: 0 0 auto !important;{width} }}"
            "</style>")
    return st.container(key=key)


def kpi_slide() -> None:
    if not has_records:
        ui.empty_state("No activities, country programmes or collaborations are recorded yet, so there are no key "
                       "figures to show.", ui.NO_COLLAB_DATA_HOW)
        return
    period = cached(metrics.overview_period, f, today)
    kpis = cached(metrics.compute_kpis, f, period["type"], period["start"])
    notes = [period["sentence"], f"trend lines: the last {metrics.SPARK_QUARTERS} quarters"]
    if not metrics.targets_apply(f):
        notes.append("a filtered view is not compared with the overall targets")
    if kpis["value"].isna().any():
        notes.append("— : no records cover the period (missing, not zero)")
    st.caption(" · ".join(notes))
    rows = list(kpis.itertuples())
    for i in range(0, len(rows), 3):
        for col, kpi in zip(st.columns(3), rows[i:i + 3]):
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
    m = QC.MEASURES["partners" if has_programmes else "gda_pct_any"]
    if has_programmes:
        st.caption(f"{m.help} Countries outside the filters are faded; small island states are dots.")
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
        st.altair_chart(maps.legend_chart(rows, measure_label=m.label, unit=m.unit, zero_apart=zero_apart,
                                          max_width=1100), width="content")


def spotlight_slide(s: M.Slide) -> None:
    if s.iso3 is None:
        ui.empty_state(
            "No country to spotlight: no country is chosen in the filters, and no programme of the partners is "
            "recorded in the countries in view, so there is no top 3 by partners active.",
            "Choose countries in the Countries filter (outside meeting mode) and come back: each chosen country "
            "gets its own slide. " + (ui.NO_COLLAB_DATA_HOW if not has_programmes else ""))
        return
    info = cached(QC.country_info, s.iso3)
    row = measures[measures["iso3"] == s.iso3]
    if info.empty or row.empty:
        ui.empty_state(f"{s.iso3} is not a country of the database.", "Check the Countries filter.")
        return
    info, me = info.iloc[0], row.iloc[0]
    in_scope = bool(me["in_scope"])
    groups = [g for g, flag in (("LDC", info["is_ldc"]), ("LLDC", info["is_lldc"]), ("SIDS", info["is_sids"])) if flag]
    facts = [info["wb_region"] or "No World Bank region", info["income_group"] or "No income group", *groups]
    why = ("chosen in the Countries filter" if s.chosen else
           f"no country is chosen in the filters, so this is one of the top {M.TOP_N} countries by partners active")
    if not in_scope:
        why += "; outside the other filters (region, income or LNOB group), so no partner figures are counted"
    st.caption(" · ".join(str(x) for x in facts) + f" — {why}.")
    c = st.columns(4)
    for col, label, key in ((c[0], "Partners active", "partners"), (c[1], "Programmes", "programmes"),
                            (c[2], "Tools deployed", "tools")):
        value = int(me[key]) if has_programmes and in_scope and not pd.isna(me[key]) else "—"
        col.metric(label, value, border=True)
    c[3].metric("LNOB data availability", maps.format_value(me["gda_pct_any"], "percent", me["gda_pct_any_status"]),
                border=True, help="Share of the 89 UN minimum-set gender series with any data (UNSD).")
    partners = cached(QC.country_partners, f, s.iso3)
    left, right = st.columns([1, 1], gap="large")
    with left:
        st.markdown("#### 🤝 Who works here")
        if not has_programmes:
            st.markdown("No programmes of the collaboratives are recorded yet.")
        elif partners.empty:
            st.markdown("No partner in view has a programme here.")
        else:
            lines = M.partner_lines(partners, limit=5)
            bullets(lines, M.more(len(lines), len(partners), "partners"))
    with right:
        st.markdown("#### 📅 Recent activities")
        acts = cached(QC.country_activities, f, s.iso3, 3)
        if acts.empty:
            st.markdown("No activity of the collaboratives in view concerns this country.")
        else:
            bullets(M.activity_lines(acts, limit=3, title_limit=55, partners_limit=30))
        gaps = M.uncovered_dimensions(cached(QC.country_dimensions, f, s.iso3))
        if not has_programmes or partners.empty:
            text = "no partner tool is in use here"
        elif gaps:
            text = ", ".join(gaps)
        else:
            text = "none: every dimension is addressed by a partner tool in use here"
        st.markdown(f"**🧩 LNOB dimensions no partner tool covers:** {ui.escape(text)}")


def overlap_slide() -> None:
    if not has_programmes:
        ui.empty_state("No country programmes are recorded yet, so there is no overlap to show.", ui.NO_COLLAB_DATA_HOW)
        return
    pc = cached(QO.partner_country, f)
    if pc.empty:
        ui.empty_state("No programmes match the filters.", "Widen the filters (outside meeting mode).")
        return
    view = M.overlap_view(pc)
    left, right = st.columns([1.25, 1], gap="large")
    with left:
        shown = (f"the {len(view.rows)} countries with the most partners (of {view.total_cols})"
                 if len(view.rows) < view.total_cols else f"the {len(view.rows)} countries in view")
        st.caption(f"Number of programmes of each partner in {shown}. An empty cell: no programme.")
        with filled("meeting_fill_overlap", f"min(calc(100vh - 10.6rem), {len(view.rows) * 58 + 120}px)",
                    max_width=len(view.cols) * 64 + 170):
            st.altair_chart(M.overlap_heatmap(view, fill=True), width="stretch", height="stretch")
    with right:
        st.markdown("#### 🤝 Where partners could coordinate")
        opp = cached(QO.coordination_opportunities, f)
        if opp.empty:
            st.markdown("No country has two or more partners on the same topic or LNOB dimension.")
        else:
            st.caption("Two or more partners on the same topic or LNOB dimension; most partners first.")
            lines = M.coordination_lines(opp, limit=6)
            bullets(lines, M.more(len(lines), len(opp), "on the Overlap page"))


def gaps_slide() -> None:
    gaps, no_value = M.gap_countries(cached(QO.gaps, f), limit=10)
    focus = [s.iso3 for s in slides if s.kind == "spotlight" and s.iso3]
    if not has_programmes:
        st.info("**No programmes of the collaboratives are recorded yet**, so every country counts 0 partners. The "
                "data gaps are real public data (UNSD).", icon="ℹ️")
    room = "13.6rem" if has_programmes else "19.2rem"  # above the charts: the bar, title, headings, captions
    left, right = st.columns([1.3, 1], gap="large")
    with left:
        st.markdown("#### 🧩 How gender data are broken down")
        cells = cached(QG.dimension_availability, f)
        keys = focus or gaps["iso3"].head(6).tolist()
        shown = cells[cells["iso3"].isin(keys)]
        if shown.empty:
            st.markdown("No country in view.")
        else:
            order = CG.pick_rows(shown, order=CG.ORDER_MOST)
            shown = shown.set_index("iso3").loc[order].reset_index()
            total = int(shown["series_total"].iloc[0])
            which = "the spotlight countries" if focus else "the countries with the least data"
            st.caption(f"Series of the UN minimum set (of {total}) broken down by each dimension, for {which}.")
            with filled("meeting_fill_breakdown", f"min(calc(100vh - {room}), {len(order) * 64 + 150}px)"):
                st.altair_chart(M.breakdown_heatmap(shown, series_total=total, cell=None), width="stretch",
                                height="stretch")
    with right:
        st.markdown("#### 📉 Least gender data, at most one partner")
        if gaps.empty:
            st.markdown("Every low- or middle-income country in view has two or more partners"
                        + (f", or no availability value ({no_value})." if no_value else "."))
        else:
            st.caption("Low- and middle-income countries with at most one partner, least data first."
                       + (f" {no_value} {'country' if no_value == 1 else 'countries'} without a value, not ranked "
                          "(missing is not zero)." if no_value else ""))
            with filled("meeting_fill_gapbars", f"min(calc(100vh - {room}), {len(gaps) * 52 + 90}px)"):
                st.altair_chart(M.gap_bars(gaps, height="container"), width="stretch", height="stretch")


def latest_slide() -> None:
    if not has_records:
        ui.empty_state("No activities or collaborations are recorded yet.", ui.NO_COLLAB_DATA_HOW)
        return
    left, right = st.columns([1, 1], gap="large")
    with left:
        st.markdown("#### 📅 Latest activities")
        latest = cached(QV.latest_activities, f, 6)
        if latest.empty:
            st.markdown("No activity in view.")
        else:
            bullets(M.activity_lines(latest, limit=6, title_limit=55, partners_limit=30))
    with right:
        start, end, label = M.collaboration_window(f.period, as_of)
        st.markdown(f"#### ✨ New collaborations · {ui.escape(label)}")
        if start is None:
            st.markdown("No dated records yet.")
            return
        recorded = cached(QV.recorded_collaborations, f, start, end)
        pairs = cached(QV.first_time_pairs, f, start, end)
        lines = M.collaboration_lines(recorded, pairs, limit=6)
        if f.has_country_scope:
            st.caption("Recorded collaborations are not tied to countries: the country filters narrow only the "
                       "partners working together for the first time.")
        if not lines:
            st.markdown("No new collaboration in this period.")
        else:
            bullets(lines, M.more(len(lines), len(recorded) + len(pairs), "on the KPIs & targets page"))


with st.container(key="meeting_slide"):
    st.title(f"{slide.icon} {slide.title}", anchor=False)
    {"kpis": kpi_slide, "map": map_slide, "overlap": overlap_slide, "gaps": gaps_slide,
     "latest": latest_slide}.get(slide.kind, lambda: spotlight_slide(slide))()
