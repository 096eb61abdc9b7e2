"""What meeting mode shows: the deck (agenda, the current slide, the bar's words) and,
per slide, the sentences, figures and frames the page draws. The page reads the filters,
calls :func:`deck` and the current slide's function here, and renders what they return.

Text is plain (the page escapes it); HTML (the slide's style) comes from Jinja2 templates
with autoescape. The KPI slide draws :mod:`collab_data.metrics` directly (its list is
another piece of work).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import pandas as pd

from collab_data import maps
from collab_data import meeting as M
from collab_data import queries as Q
from collab_data.charts import gaps as CG
from collab_data.charts.overlap import MatrixView
from collab_data.db import Database
from collab_data.filters import Filters, describe
from collab_data.labels import person_date
from collab_data.queries import countries as QC
from collab_data.queries import gaps as QG
from collab_data.queries import overlap as QO
from collab_data.queries import overview as QV

TEMPLATES = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent.parent / "templates"),
                               autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                               lstrip_blocks=True)

#: Lines a slide lists at most (the browser cuts a line only when it runs out of room).
PARTNERS_SHOWN = 7
ACTIVITIES_SHOWN = 3
LATEST_SHOWN = 5
OPPORTUNITIES_SHOWN = 8
#: Characters a line may have before it is shortened (long enough never to cut a real title on a slide).
TITLE_LIMIT = 160


def style_html() -> str:
    """The style block of meeting mode (type that scales with the screen, the phone layout)."""
    return TEMPLATES.get_template("meeting_style.html.j2").render()


def fill_html(key: str, height: str, max_width: str | None = None, phone_height: str = "60vh",
              phone_min_width: str = "0") -> str:
    """The style that makes the container ``key`` as tall as ``height`` (a CSS length, e.g.
    ``min(calc(100vh - 11rem), 40rem)``): a chart in it with ``height="stretch"`` fills it.
    On a phone the box is ``phone_height`` tall and at least ``phone_min_width`` wide inside
    (it scrolls sideways within itself, the page never does)."""
    return TEMPLATES.get_template("meeting_fill.html.j2").render(key=key, height=height, max_width=max_width,
                                                                 phone_height=phone_height,
                                                                 phone_min_width=phone_min_width)


# --------------------------------------------------------------------------------------
# The deck
# --------------------------------------------------------------------------------------
@dataclass
class Deck:
    slides: list[M.Slide]
    has_programmes: bool
    has_records: bool
    as_of_words: str  # "data as of 19 Nov 2026"
    showing: str  # the filters in words
    measures: pd.DataFrame  # country_measures of the filters (the map and the spotlights)


def deck(db: Database, f: Filters) -> Deck:
    """The agenda of the filters and the words of the bar."""
    names = Q.country_names(db)
    counts = Q.collab_counts(db)
    measures = QC.country_measures(db, f)
    chosen = M.chosen_countries(f.countries, names)
    slides = M.agenda(chosen, [] if chosen else M.top_countries(measures))
    status = Q.data_status(db)
    as_of_words = "data as of " + person_date(status["as_of"]) if status["as_of"] else "no records yet"
    return Deck(slides=slides, has_programmes=counts.get("programs", 0) > 0,
                has_records=bool(counts.get("activities") or counts.get("programs") or counts.get("collaborations")),
                as_of_words=as_of_words,
                showing=describe(f, country_names=names, partner_names=Q.partner_names(db)), measures=measures)


def bar_words(number: int, d: Deck) -> tuple[str, str]:
    """(where the meeting is, the freshness): "3 / 8 · Senegal spotlight", "data as of 19 Nov 2026"."""
    return M.indicator(number, d.slides), d.as_of_words


# --------------------------------------------------------------------------------------
# Slides
# --------------------------------------------------------------------------------------
@dataclass
class Lines:
    """A heading's list: its lines, the "and 2 more ..." tail, or the sentence when empty."""

    lines: list[str] = field(default_factory=list)
    tail: str = ""
    empty: str = ""


@dataclass
class Spotlight:
    empty: tuple[str, str] | None = None  # (what, how) when there is nothing to show
    caption: str = ""
    metrics: list[tuple[str, object, str | None]] = field(default_factory=list)
    partners: Lines = field(default_factory=Lines)
    activities: Lines = field(default_factory=Lines)
    uncovered: str = ""


def spotlight(db: Database, f: Filters, s: M.Slide, has_programmes: bool) -> Spotlight:
    """A country's slide: facts, four figures, who works there, recent activities, uncovered dimensions."""
    if s.iso3 is None:
        return Spotlight(empty=(
            "No country to spotlight: no country is chosen in the filters, and no programme of the partners is "
            "recorded in the countries in view, so there is no top 3 by partners active.",
            "Choose countries in the Countries filter (outside meeting mode) and come back: each chosen country "
            "gets its own slide."))
    info = QC.country_info(db, s.iso3)
    measures = QC.country_measures(db, f)
    row = measures[measures["iso3"] == s.iso3]
    if info.empty or row.empty:
        return Spotlight(empty=(f"{s.title.removesuffix(' spotlight')} is not a country of the database.",
                                "Check the Countries filter."))
    info, me = info.iloc[0], row.iloc[0]
    in_scope = bool(me["in_scope"])
    groups = [g for g, flag in (("LDC", info["is_ldc"]), ("LLDC", info["is_lldc"]), ("SIDS", info["is_sids"])) if flag]
    facts = [info["wb_region"] or "No World Bank region", info["income_group"] or "No income group", *groups]
    why = ("chosen in the Countries filter" if s.chosen else
           f"no country is chosen in the filters, so this is one of the top {M.TOP_N} countries by partners active")
    if not in_scope:
        why += "; outside the other filters (region, income or LNOB group), so no partner figures are counted"
    metrics: list[tuple[str, object, str | None]] = []
    for label, key in (("Partners active", "partners"), ("Programmes", "programmes"), ("Tools deployed", "tools")):
        value = int(me[key]) if has_programmes and in_scope and not pd.isna(me[key]) else "—"
        metrics.append((label, value, None))
    metrics.append(("LNOB data availability", maps.format_value(me["gda_pct_any"], "percent", me["gda_pct_any_status"]),
                    "Share of the 89 UN minimum-set gender series with any data (UNSD)."))

    partners = QC.country_partners(db, f, s.iso3)
    if not has_programmes:
        who = Lines(empty="No programmes of the collaboratives are recorded yet.")
    elif partners.empty:
        who = Lines(empty="No partner in view has a programme here.")
    else:
        lines = M.partner_lines(partners, limit=PARTNERS_SHOWN)
        who = Lines(lines, M.more(len(lines), len(partners), "partner"))
    acts = QC.country_activities(db, f, s.iso3, ACTIVITIES_SHOWN)
    if acts.empty:
        recent = Lines(empty="No activity of the collaboratives in view concerns this country.")
    else:
        recent = Lines(M.activity_lines(acts, limit=ACTIVITIES_SHOWN, title_limit=TITLE_LIMIT, partners_limit=60))
    gaps = M.uncovered_dimensions(QC.country_dimensions(db, f, s.iso3))
    if not has_programmes or partners.empty:
        uncovered = "no partner tool is in use here"
    elif gaps:
        uncovered = ", ".join(gaps)
    else:
        uncovered = "none: every dimension is addressed by a partner tool in use here"
    return Spotlight(caption=" · ".join(str(x) for x in facts) + f" — {why}.", metrics=metrics, partners=who,
                     activities=recent, uncovered=uncovered)


@dataclass
class Overlap:
    empty: tuple[str, str] | None = None
    caption: str = ""
    view: MatrixView | None = None
    opportunities: Lines = field(default_factory=Lines)
    opportunities_caption: str = ""


def overlap(db: Database, f: Filters) -> Overlap:
    """Who works where (countries with the most partners x partners) and where partners could coordinate."""
    view = overlap_view(db, f)
    if not view.rows:
        return Overlap(empty=("No programmes match the filters.", "Widen the filters (outside meeting mode)."))
    opp = QO.coordination_opportunities(db, f)
    if opp.empty:
        lines = Lines(empty="No country has two or more partners on the same topic or LNOB dimension.")
        caption = ""
    else:
        found = M.coordination_lines(opp, limit=OPPORTUNITIES_SHOWN)
        lines = Lines(found, M.more(len(found), len(opp), "on the Overlap page", "on the Overlap page"))
        caption = "Two or more partners on the same topic or LNOB dimension; most partners first."
    return Overlap(caption=f"Programmes, {M.overlap_rule(view)}. Empty cell: none.",
                   view=view, opportunities=lines, opportunities_caption=caption)


@dataclass
class Gaps:
    breakdown: pd.DataFrame  # dimension cells of the countries shown, in display order (may be empty)
    series_total: int
    breakdown_caption: str
    bars: pd.DataFrame  # gap_countries
    bars_caption: str
    bars_empty: str


def gaps(db: Database, f: Filters, focus: tuple[str, ...]) -> Gaps:
    """The data-gaps slide: the breakdowns of the spotlight countries (or of those with the least
    data) and the low- and middle-income countries with the least data and at most one partner."""
    bars, no_value = M.gap_countries(QO.gaps(db, f), limit=10)
    cells = QG.dimension_availability(db, f)
    keys = list(focus) or bars["iso3"].head(6).tolist()
    shown = cells[cells["iso3"].isin(keys)]
    total, caption = 89, ""
    if not shown.empty:
        order = CG.pick_rows(shown, order=CG.ORDER_MOST)
        shown = shown.set_index("iso3").loc[order].reset_index()
        total = int(shown["series_total"].iloc[0])
        which = "the spotlight countries" if focus else "the countries with the least data"
        caption = f"Series of the UN minimum set (of {total}) broken down by each dimension, for {which}."
    missing = (f" {no_value} {'country' if no_value == 1 else 'countries'} without a value, not ranked "
               "(missing is not zero).") if no_value else ""
    empty = ("Every low- or middle-income country in view has two or more partners"
             + (f", or no availability value ({no_value})." if no_value else ".")) if bars.empty else ""
    return Gaps(breakdown=shown, series_total=total, breakdown_caption=caption, bars=bars,
                bars_caption="Low- and middle-income countries with at most one partner, least data first." + missing,
                bars_empty=empty)


@dataclass
class Latest:
    activities: Lines
    heading: str  # "New collaborations · the last 12 months"
    collaborations: Lines
    caption: str = ""


def latest(db: Database, f: Filters) -> Latest:
    """The latest activities and the new collaborations of the period."""
    acts = QV.latest_activities(db, f, LATEST_SHOWN)
    activities = (Lines(empty="No activity in view.") if acts.empty else
                  Lines(M.activity_lines(acts, limit=LATEST_SHOWN, title_limit=TITLE_LIMIT, partners_limit=60)))
    start, end, label = M.collaboration_window(f.period, Q.data_as_of(db))
    heading = f"New collaborations · {label}"
    if start is None:
        return Latest(activities, heading, Lines(empty="No dated records yet."))
    recorded = QV.recorded_collaborations(db, f, start, end)
    pairs = QV.first_time_pairs(db, f, start, end)
    lines = M.collaboration_lines(recorded, pairs, limit=LATEST_SHOWN)
    caption = ("Recorded collaborations are not tied to countries: the country filters narrow only the partners "
               "working together for the first time.") if f.has_country_scope else ""
    collaborations = (Lines(empty="No new collaboration in this period.") if not lines else
                      Lines(lines, M.more(len(lines), len(recorded) + len(pairs), "on the KPIs & targets page",
                                          "on the KPIs & targets page")))
    return Latest(activities, heading, collaborations, caption)


# --------------------------------------------------------------------------------------
# The slides' charts: pure functions of the database and small hashable values (a Filters
# value, a tuple of countries, a SlideType), so the page caches their finished specs per
# arguments and data generation; the sizes and type are those of :mod:`collab_data.meeting`.
# --------------------------------------------------------------------------------------
#: The map slide's legend: at most this wide (pixels).
LEGEND_MAX_WIDTH = 1100


def map_measure(has_programmes: bool) -> QC.Measure:
    """The map slide's measure: partners active, or the data availability while no programme is recorded."""
    return QC.MEASURES["partners" if has_programmes else "gda_pct_any"]


def map_legend_chart(db: Database, f: Filters, has_programmes: bool):
    """The legend under the map slide's map."""
    m = map_measure(has_programmes)
    rows = maps.map_rows(QC.country_measures(db, f), QC.country_shapes(db), m.column)
    return maps.legend_chart(rows, measure_label=m.label, unit=m.unit, zero_apart=m.key == "partners",
                             max_width=LEGEND_MAX_WIDTH)


def overlap_view(db: Database, f: Filters) -> MatrixView:
    """The overlap slide's bounded matrix: the top :data:`M.OVERLAP_TOP` partners and countries
    by programmes in view (cut in SQL, like the Overlap page's heatmap), the rest in "All others"."""
    return M.overlap_slide_view(QO.partner_country_capped(db, f.without_lens, M.OVERLAP_TOP, M.OVERLAP_TOP))


def overlap_chart(db: Database, f: Filters, type_: M.SlideType = M.ROOM):
    """The overlap slide's heatmap (the top countries x the top partners, "All others" grey), filling its box."""
    return M.overlap_heatmap(overlap_view(db, f), fill=True, type_=type_)


def breakdown_chart(db: Database, f: Filters, focus: tuple[str, ...], type_: M.SlideType = M.ROOM):
    """The data-gaps slide's breakdown heatmap; its rows share the box's height."""
    view = gaps(db, f, focus)
    return M.breakdown_heatmap(view.breakdown, series_total=view.series_total, cell=None, type_=type_)


def gap_bars_chart(db: Database, f: Filters, type_: M.SlideType = M.ROOM):
    """The data-gaps slide's bars: least data, at most one partner."""
    bars, _ = M.gap_countries(QO.gaps(db, f), limit=10)
    return M.gap_bars(bars, height="container", type_=type_)
