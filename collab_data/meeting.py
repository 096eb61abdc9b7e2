"""Meeting mode: the agenda of slides a facilitator walks through, and the small
meeting-sized chart builders of those slides (pure functions, no Streamlit).

The agenda for a filter value is fixed by :func:`agenda`:

1. key figures (KPI summary),
2. a map of the partners active,
3. one spotlight per chosen country (the shared ``country`` filter), or, when no
   country is chosen, on the top 3 countries by partners active (the slide says so),
4. overlap (who works where, where to coordinate),
5. data gaps,
6. the latest activities and new collaborations.

Slides are numbered from 1 (the number is in the URL, ``?slide=3``); :func:`clamp`
turns any number (or none) into one that exists, so a link stays valid when the filters
change the number of spotlights.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import altair as alt
import pandas as pd

from collab_data.charts import gaps as gaps_charts
from collab_data.charts import overlap as overlap_charts
from collab_data.charts import sequential_scale
from collab_data.filters import ALL_TIME, period_label, period_range
from collab_data.labels import person_date

#: Countries spotlighted when none is chosen in the filter.
TOP_N = 3

#: How the slides look on a shared screen: readable from the back of a room.
LABEL_SIZE = 18
TITLE_SIZE = 18
#: Axis labels in the text colour (the default grey is faint on a shared screen).
INK = "#1B1F24"


@dataclass(frozen=True)
class SlideType:
    """Font sizes (pixels) of the charts of a slide. Vega draws text in pixels whatever the
    chart's size, so the builders take them: :data:`ROOM` is sized so that axis labels,
    legends and the numbers in cells read at 16 px or more on a 1920 x 1080 screen and
    still leave the plot most of a 1280 x 720 slide."""

    label: int = LABEL_SIZE  # axis labels, legend labels and titles
    value: int = LABEL_SIZE  # numbers written in heatmap cells and next to bars
    title: int = TITLE_SIZE


#: The slides' type: a room's shared screen.
ROOM = SlideType()


@dataclass(frozen=True)
class Slide:
    """One slide of the agenda."""

    kind: str  # "kpis" | "map" | "spotlight" | "overlap" | "gaps" | "latest"
    title: str
    icon: str
    iso3: str | None = None  # spotlight: the country (None: there is no country to spotlight)
    chosen: bool = False  # spotlight: the country was chosen in the filter (else one of the top countries)


KINDS = ("kpis", "map", "spotlight", "overlap", "gaps", "latest")

TITLES = {
    "kpis": ("📊", "Key figures"),
    "map": ("🗺️", "Where partners work"),
    "overlap": ("🔗", "Overlap: who works where"),
    "gaps": ("📉", "Data gaps"),
    "latest": ("📅", "Latest activities and new collaborations"),
}
NO_SPOTLIGHT_TITLE = "Country spotlight"


def spotlight_title(country: str) -> str:
    return f"{country} spotlight"


def agenda(chosen: Sequence[tuple[str, str]], top: Sequence[tuple[str, str]] = ()) -> list[Slide]:
    """The slides, in order, for the chosen countries (iso3, name) or, when none is chosen,
    the top countries by partners active. Without either, one spotlight slide without a
    country (it explains why)."""

    def fixed(kind: str) -> Slide:
        icon, title = TITLES[kind]
        return Slide(kind, title, icon)

    spotlights = [Slide("spotlight", spotlight_title(name), "📍", iso3, True) for iso3, name in chosen]
    if not spotlights:
        spotlights = [Slide("spotlight", spotlight_title(name), "📍", iso3, False) for iso3, name in top]
    if not spotlights:
        spotlights = [Slide("spotlight", NO_SPOTLIGHT_TITLE, "📍")]
    return [fixed("kpis"), fixed("map"), *spotlights, fixed("overlap"), fixed("gaps"), fixed("latest")]


def chosen_countries(codes: Sequence[str], names: dict[str, str]) -> list[tuple[str, str]]:
    """The countries of the filter as (iso3, name), by name (the order of the spotlights)."""
    return sorted(((c, names.get(c, c)) for c in codes), key=lambda x: (x[1].casefold(), x[0]))


def top_countries(measures: pd.DataFrame, n: int = TOP_N) -> list[tuple[str, str]]:
    """The ``n`` countries in scope with the most partners active (then most programmes,
    then by name), from :func:`collab_data.queries.countries.country_measures`.
    Countries without any partner active are never "top"."""
    if measures.empty:
        return []
    inside = measures[measures["in_scope"].astype(bool)].copy()
    inside["partners"] = pd.to_numeric(inside["partners"], errors="coerce").fillna(0)
    inside["programmes"] = pd.to_numeric(inside["programmes"], errors="coerce").fillna(0)
    inside = inside[inside["partners"] > 0]
    inside = inside.sort_values(["partners", "programmes", "name"], ascending=[False, False, True], kind="mergesort")
    return list(zip(inside["iso3"].head(n), inside["name"].head(n)))


# --------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------
def parse_number(raw: object) -> int | None:
    """A slide number from the URL or the session (``"3"``, ``3``, ``3.0``); None if unreadable."""
    if isinstance(raw, (list, tuple)):
        raw = raw[-1] if raw else None
    if raw is None or isinstance(raw, bool):
        return None
    try:
        number = float(str(raw).strip())
    except ValueError:
        return None
    if number != number or number in (float("inf"), float("-inf")):  # NaN, infinities
        return None
    return int(number)


def clamp(number: object, total: int) -> int:
    """A slide number that exists: 1..total (1 for anything unreadable)."""
    n = parse_number(number)
    if total < 1:
        return 1
    if n is None:
        return 1
    return min(max(n, 1), total)


def next_number(number: int, total: int) -> int:
    """The next slide (the last one stays)."""
    return clamp(clamp(number, total) + 1, total)


def previous_number(number: int, total: int) -> int:
    """The previous slide (the first one stays)."""
    return clamp(clamp(number, total) - 1, total)


def indicator(number: int, slides: Sequence[Slide]) -> str:
    """Where the meeting is: "3 / 8 · Kenya spotlight"."""
    n = clamp(number, len(slides))
    return f"{n} / {len(slides)} · {slides[n - 1].title}"


def agenda_label(number: int, slide: Slide) -> str:
    """A line of the clickable agenda: "3 · Kenya spotlight"."""
    return f"{number} · {slide.title}"


# --------------------------------------------------------------------------------------
# Text of the slides
# --------------------------------------------------------------------------------------
def day(d: date | pd.Timestamp | None) -> str:
    """"6 Nov 2026"; "" for no date."""
    if d is None or pd.isna(d):
        return ""
    return person_date(d)


def shorten(text: object, limit: int = 90) -> str:
    """One line of text at most ``limit`` characters (cut at a word, with "…")."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    s = " ".join(str(text).split())
    if len(s) <= limit:
        return s
    cut = s[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:-–— ")
    return (cut or s[: limit - 1]) + "…"


def more(shown: int, total: int, one: str, many: str | None = None) -> str:
    """"and 4 more partners" / "and 1 more partner" (empty when everything is shown).

    ``one`` is the singular ("partner"), ``many`` the plural (default ``one + "s"``); a
    phrase that does not inflect ("on the Overlap page") is passed as both."""
    rest = total - shown
    if rest <= 0:
        return ""
    return f"and {rest} more {one if rest == 1 else (many or one + 's')}"


def partner_lines(partners: pd.DataFrame, limit: int = 6) -> list[str]:
    """The partners of a spotlight (:func:`collab_data.queries.countries.country_partners`),
    one line each: partner, programmes and the tools used; partners with a running
    programme first. Plain text (the page escapes it)."""
    lines = []
    for r in partners.head(limit).itertuples():
        n = int(r.programmes)
        line = f"{r.partner} — {n} programme{'s' if n != 1 else ''}"
        if not bool(r.active):
            line += " (planned)"
        if isinstance(r.tools, str) and r.tools:
            line += f" · {shorten(r.tools, 110)}"
        lines.append(line)
    return lines


def uncovered_dimensions(dimensions: pd.DataFrame) -> list[str]:
    """LNOB dimensions no partner tool active in the country addresses
    (:func:`collab_data.queries.countries.country_dimensions`)."""
    if dimensions.empty:
        return []
    return [str(d) for d, n in zip(dimensions["dimension"], dimensions["n_tools"]) if not n]


def activity_lines(activities: pd.DataFrame, limit: int = 6, title_limit: int = 80,
                   partners_limit: int = 40) -> list[str]:
    """Activities (newest first), one line each: "date · title (partners)" (the titles name
    the kind of activity themselves)."""
    lines = []
    for r in activities.head(limit).itertuples():
        partners = getattr(r, "partners", None)
        who = f" ({shorten(partners, partners_limit)})" if isinstance(partners, str) and partners else ""
        lines.append(f"{day(r.date)} · {shorten(r.title, title_limit)}{who}")
    return lines


def collaboration_lines(recorded: pd.DataFrame, pairs: pd.DataFrame, limit: int = 6) -> list[str]:
    """The new collaborations of a period, newest first: recorded collaborations and
    partners working together for the first time, one line each."""
    items: list[tuple[pd.Timestamp, str]] = []
    for r in recorded.itertuples():
        items.append((pd.Timestamp(r.started), f"{day(r.started)} · {shorten(r.title, 110)} ({shorten(r.partners, 60)})"))
    for r in pairs.itertuples():
        items.append((pd.Timestamp(r.first_together),
                      f"{day(r.first_together)} · First time together: {r.partner_a} and {r.partner_b} "
                      f"({shorten(r.activity, 90)})"))
    items.sort(key=lambda x: x[0], reverse=True)
    return [text for _, text in items[:limit]]


def coordination_lines(opportunities: pd.DataFrame, limit: int = 5) -> list[str]:
    """Where partners could coordinate (:func:`collab_data.queries.overlap.coordination_opportunities`,
    most partners first): "Kenya · Sex: Data2X, EM2030, GPSDD, UNSD"."""
    lines = []
    for r in opportunities.head(limit).itertuples():
        partners = str(r.partners).replace("; ", ", ")
        lines.append(f"{r.country} · {r.theme}: {shorten(partners, 100)}")
    return lines


# --------------------------------------------------------------------------------------
# Charts sized for a slide
# --------------------------------------------------------------------------------------
def meeting_look(chart: alt.TopLevelMixin, type_: SlideType = ROOM) -> alt.TopLevelMixin:
    return (
        chart.configure_axis(labelFontSize=type_.label, titleFontSize=type_.label, labelLimit=260, labelColor=INK,
                             titleColor=INK)
        .configure_legend(labelFontSize=type_.label, titleFontSize=type_.label, labelLimit=260, titleLimit=400)
        .configure_title(fontSize=type_.title, anchor="start")
        .configure_view(strokeWidth=0)
    )


#: Overlap heatmap: the countries with the most partners (rows) x the partners working there.
OVERLAP_COUNTRIES = 10
OVERLAP_CELL = 36


def overlap_view(partner_country: pd.DataFrame, n: int = OVERLAP_COUNTRIES) -> overlap_charts.MatrixView:
    """Countries x partners for the ``n`` countries with the most partners (then programmes),
    from :func:`collab_data.queries.overlap.partner_country`; rows and columns in
    similarity order, so partners working in the same countries sit side by side.
    ``total_cols`` holds the number of countries before the cut (the rows here)."""
    if partner_country.empty:
        return overlap_charts.MatrixView(partner_country.copy(), [], [], 0)
    per = partner_country.groupby("country").agg(partners=("partner", "nunique"), programmes=("programmes", "sum"))
    per = per.reset_index().sort_values(["partners", "programmes", "country"], ascending=[False, False, True],
                                        kind="mergesort")
    keep = per["country"].head(n).tolist()
    frame = partner_country[partner_country["country"].isin(keep)]
    view = overlap_charts.matrix_view(frame, row="country", col="partner", value="programmes", order="similarity")
    return overlap_charts.MatrixView(view.cells, view.rows, view.cols, per["country"].nunique())


#: The overlap slide's bounded heatmap: the top partners and countries by programmes in view.
OVERLAP_TOP = 15


def overlap_slide_view(capped: pd.DataFrame) -> overlap_charts.MatrixView:
    """Countries (rows) x partners (columns) for a slide, from the heatmap cut in SQL
    (:func:`collab_data.queries.overlap.partner_country_capped`: the top partners and countries
    by programmes, the rest summed into "All others"); shown rows and columns in similarity
    order, "All others" last. ``total_rows``: countries in view, ``total_cols``: partners in view."""
    view = overlap_charts.capped_view(capped, row="partner", col="country", value="programmes", order="similarity")
    return overlap_charts.MatrixView(view.cells, view.cols, view.rows, view.total_rows, view.total_cols,
                                     view.other_col, view.other_row)


def overlap_rule(view: overlap_charts.MatrixView) -> str:
    """The rule of the slide's cut, short enough for a slide, e.g. "top 15 of 1,500 partners x
    top 15 of 51 countries by programmes; grey “All others”: the rest, summed"."""
    def part(shown: int, total: int, noun: str) -> str:
        return f"top {shown:,} of {total:,} {noun}" if shown < total else f"all {total:,} {noun}"

    n_countries = len(view.rows) - (view.other_row is not None)
    n_partners = len(view.cols) - (view.other_col is not None)
    text = f"{part(n_partners, view.total_cols, 'partners')} × {part(n_countries, view.total_rows, 'countries')} by programmes"
    if view.other_row or view.other_col:
        text += "; grey “All others”: the rest, summed"
    return text


#: The fill of the "All others" cells.
OTHERS_GREY = "#d9d9d9"


def overlap_heatmap(view: overlap_charts.MatrixView, cell: int = OVERLAP_CELL, fill: bool = False,
                    type_: SlideType = ROOM) -> alt.TopLevelMixin:
    """The overlap heatmap of a slide: countries (rows) x partners (columns), the number of
    programmes written in each cell (so no colour legend is needed); an empty cell: no programme.
    Cells are ``cell`` pixels square; with ``fill`` the chart fills its container (width and height)."""
    cells = view.cells
    if "summary" not in cells.columns:
        cells = cells.assign(summary=False)
    inner = cells.loc[~cells["summary"].astype(bool), "programmes"]
    vmax = float(inner.max()) if not inner.empty else 1.0
    vmin = float(inner.min()) if not inner.empty else 0.0
    if vmin == vmax:
        vmin = 0.0
    base = alt.Chart(cells).encode(
        x=alt.X("partner:N", title=None, scale=alt.Scale(domain=view.cols),
                axis=alt.Axis(orient="top", labelAngle=-40, labelLimit=200, labelOverlap=False, ticks=False,
                              domain=False, labelPadding=4)),
        y=alt.Y("country:N", title=None, scale=alt.Scale(domain=view.rows),
                axis=alt.Axis(labelLimit=200, labelOverlap=False, ticks=False, domain=False)),
        tooltip=[alt.Tooltip("country:N", title="Country"), alt.Tooltip("partner_name:N", title="Partner"),
                 alt.Tooltip("programmes:Q", title="Programmes")],
    )
    # "All others" cells are grey (their sums would flatten the colour scale of the cells shown)
    rect = base.mark_rect(stroke="white", strokeWidth=1.5).encode(
        color=alt.condition(alt.datum.summary, alt.value(OTHERS_GREY),
                            alt.Color("programmes:Q", scale=sequential_scale(domain=[vmin, vmax], zero=False),
                                      legend=None)))
    mid = vmin + (vmax - vmin) * 0.5
    text = base.mark_text(fontSize=type_.value, fontWeight="bold").encode(
        text=alt.Text("programmes:Q", format="d"),
        color=alt.condition((alt.datum.programmes > mid) & ~alt.datum.summary, alt.value("white"),
                            alt.value("black")),
    )
    chart = alt.layer(rect, text).properties(width=alt.Step(cell), height=alt.Step(cell))
    if fill:
        chart = chart.properties(width="container", height="container",
                                 autosize=alt.AutoSizeParams(type="fit", contains="padding"))
    return meeting_look(chart, type_)


def gap_countries(gaps: pd.DataFrame, limit: int = 8) -> tuple[pd.DataFrame, int]:
    """The low- and middle-income countries with at most one partner and the least gender
    data (:func:`collab_data.queries.overlap.gaps`): the ``limit`` with the lowest
    availability value, and how many have no value at all (missing is not zero, so
    those are counted apart, not ranked)."""
    has = gaps[gaps["availability"].notna()].sort_values(["availability", "country"], kind="mergesort")
    return has.head(limit).reset_index(drop=True), int(gaps["availability"].isna().sum())


def gap_bars(frame: pd.DataFrame, *, height: int | str = 300, type_: SlideType = ROOM) -> alt.TopLevelMixin:
    """Horizontal bars: gender data availability (%) of the countries of :func:`gap_countries`,
    each labelled with its value and its partners ("no partner" / the partner's name)."""
    data = pd.DataFrame({
        "country": frame["country"].astype(str),
        "availability": pd.to_numeric(frame["availability"], errors="coerce").astype(float),
        "who": ["no partner" if int(n) == 0 else shorten(p, 40) for n, p in zip(frame["n_partners"], frame["partners"])],
    })
    data["label"] = [f"{v:.0f} % · {w}" for v, w in zip(data["availability"], data["who"])]
    order = data["country"].tolist()
    base = alt.Chart(data).encode(
        y=alt.Y("country:N", sort=order, title=None, scale=alt.Scale(paddingInner=0.3),
                axis=alt.Axis(ticks=False, domain=False, labelLimit=200, labelOverlap=False)),
        x=alt.X("availability:Q", title="Gender data availability (%)",
                # room on the right for the labels; the axis stops at 100 %
                scale=alt.Scale(domain=[0, 140], nice=False), axis=alt.Axis(format="d", values=[0, 20, 40, 60, 80, 100])),
        tooltip=[alt.Tooltip("country:N", title="Country"),
                 alt.Tooltip("availability:Q", title="Data availability (%)", format=".1f"),
                 alt.Tooltip("who:N", title="Partners")],
    )
    bars = base.mark_bar(color="#D55E00")
    text = base.mark_text(align="left", dx=6, fontSize=type_.value, color="#1B1F24").encode(text="label:N")
    return meeting_look(alt.layer(bars, text).properties(
        height=height, width="container", autosize=alt.AutoSizeParams(type="fit", contains="padding")), type_)


def breakdown_heatmap(cells: pd.DataFrame, *, series_total: int = 89, cell: int | None = 34,
                      type_: SlideType = ROOM) -> alt.TopLevelMixin:
    """The data-gaps heatmap (country x LNOB dimension, :func:`collab_data.charts.gaps.dimension_heatmap`)
    with taller rows and larger type for a slide; ``cell=None``: the rows share the container's height."""
    chart = (gaps_charts.dimension_heatmap(cells, series_total=series_total, text_size=type_.value,
                                           label_line=round(type_.label * 1.2))
             .configure_axis(labelFontSize=type_.label, titleFontSize=type_.label, labelLimit=220,
                             labelOverlap=False, labelColor=INK)
             .configure_legend(labelFontSize=type_.label, titleFontSize=type_.label, titleLimit=400, labelLimit=260)
             .configure_title(fontSize=type_.title, anchor="start"))
    if cell is None:
        return chart.properties(height="container", autosize=alt.AutoSizeParams(type="fit", contains="padding"))
    return chart.properties(height=alt.Step(cell))


def collaboration_window(period: str, as_of: date | None) -> tuple[date | None, date | None, str]:
    """The dates whose new collaborations the last slide lists: the filter's period, or
    for "all time" the 12 months up to the data date. (None, None, ...) without data."""
    if as_of is None:
        return None, None, "no records yet"
    if period in (ALL_TIME, "last12"):
        return as_of - timedelta(days=364), as_of, "the last 12 months"
    start, end = period_range(period, as_of)
    return start, end, period_label(period)


def slide_view(view: dict, world_view: dict, world_zoom: float) -> dict:
    """A map's initial view on a slide: the view fitted to the countries in scope, or, when
    that is the whole world, the world a little closer (a slide's map is larger)."""
    if dict(view) == dict(world_view):
        return {**view, "zoom": world_zoom, "latitude": 15.0}
    return dict(view)


def row_step(rows: int, room: int, smallest: int = 30, largest: int = 46) -> int:
    """Pixels per heatmap row so that ``rows`` rows fill about ``room`` pixels (within bounds)."""
    if rows <= 0:
        return largest
    return int(min(max(room // rows, smallest), largest))
