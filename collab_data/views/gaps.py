"""What the Data gaps page says about its rows: the sort orders offered, the default
(the biggest gaps first: a facilitator opens the page on the countries that need data
most), and the sentence that states the sort rule under each heatmap."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from collab_data.charts import gaps as C
from collab_data.db import Database
from collab_data.filters import Filters
from collab_data.queries import gaps as Q

#: The page opens on the largest gaps.
DEFAULT_ORDER = C.ORDER_FEWEST

#: The tabs of the Data gaps page: key -> label (the label is what the address holds). Only the
#: open tab is worked out and drawn.
TABS = {"dims": "🧩 Breakdowns by country", "series": "📚 Minimum-set series", "odin": "🔓 ODIN coverage & openness",
        "surveys": "📋 Surveys held"}
#: The sort orders, in the order the control offers them.
ORDER_LABELS = {C.ORDER_FEWEST: "Largest gaps first", C.ORDER_MOST: "Most data first", C.ORDER_NAME: "By name"}


def sort_rule(order: str, measure: str) -> str:
    """The sort rule in one sentence, e.g. "Sorted with the largest gaps first: the fewest series
    broken down (summed over the five dimensions) at the top; countries without any data last."."""
    if order == C.ORDER_NAME:
        return "Sorted by country name; countries without any data last."
    if order == C.ORDER_MOST:
        return f"Sorted with the most data first: the most {measure} at the top; countries without any data last."
    return (f"Sorted with the largest gaps first: the fewest {measure} at the top; countries without any data "
            "last (missing is not zero, so they are not ranked).")


# --------------------------------------------------------------------------------------
# The tabs' view functions and chart builders read the same few queries (a chart is built
# once per arguments, usually right after its tab's view): a small memo keyed on the
# database, its write generation and the hashable arguments keeps a cold page from running
# each query several times. The frames it returns are shared: never changed in place.
# --------------------------------------------------------------------------------------
def _query(db: Database, fn, *args):
    return db.recall("gaps." + fn.__name__, args, lambda: fn(db, *args))


# --------------------------------------------------------------------------------------
# What each tab shows (labelled frames, captions) and its charts. The chart builders take
# the database and small hashable values only (a Filters value, flags, strings, ints), so
# the page caches their finished specs per arguments and data generation
# (:func:`collab_data.runtime.cached_spec`): Altair builds and validates a chart once.
# --------------------------------------------------------------------------------------
#: How many countries a heatmap shows ("all": None).
SHOW = {"30": 30, "60": 60, "all": None}
SHOW_LABELS = {"30": "Top 30", "60": "Top 60", "all": "All"}
DEFAULT_SHOW = "30"
SERIES_TOTAL = 89  # the minimum set's series, when the database has none to count


def source_line(db: Database, ids: tuple[str, ...]) -> str:
    """"Source: ..." — the source, data years and licence of a section, from the indicators table."""
    src = _query(db, Q.indicator_sources, ids)
    parts = []
    for (source, url, licence), g in src.groupby(["source", "source_url", "licence"], dropna=False, sort=False):
        years = sorted({int(y) for y in pd.concat([g["first_year"], g["last_year"]]).dropna()})
        year = f"{years[0]}" if len(years) == 1 else f"{years[0]}–{years[-1]}" if years else "no values loaded"
        name = f"[{source}]({url})" if isinstance(url, str) and url else source
        parts.append(f"{name}; data year {year}" + (f"; {licence}" if isinstance(licence, str) and licence else ""))
    return "Source: " + " · ".join(parts)


@dataclass(frozen=True)
class Scope:
    """The partner scope of the page: the toggle's default and what it says."""
    in_scope: int
    with_programmes: int
    no_programmes: bool
    partner_filter: bool  # a partner or collaborative filter is set: the toggle opens on


def scope(db: Database, f: Filters) -> Scope:
    s = _query(db, Q.scope_summary, f)
    return Scope(in_scope=int(s["in_scope"]), with_programmes=int(s["with_programmes"]),
                 no_programmes=s["programmes_total"] == 0, partner_filter=bool(f.partners) or f.collab != "both")


@dataclass(frozen=True)
class RowsInView:
    """What a heatmap's controls need before the rows are chosen."""
    countries: int
    series_total: int = SERIES_TOTAL


def dimension_rows(db: Database, f: Filters, partner_only: bool) -> RowsInView:
    cells = _query(db, Q.dimension_availability, f, partner_only)
    total = int(cells["series_total"].iloc[0]) if not cells.empty else SERIES_TOTAL
    return RowsInView(countries=int(cells["iso3"].nunique()), series_total=total)


def survey_rows(db: Database, f: Filters, partner_only: bool) -> RowsInView:
    return RowsInView(countries=int(_query(db, Q.survey_availability, f, partner_only)["iso3"].nunique()))


def _shown(cells: pd.DataFrame, order: str, limit: int | None) -> pd.DataFrame:
    keep = C.pick_rows(cells, order=order, limit=limit)
    return cells.set_index("iso3").loc[keep].reset_index() if keep else cells.iloc[0:0]


@dataclass
class Heatmap:
    """A heatmap tab: the cells shown (in display order), their table and the caption under the chart."""
    shown: pd.DataFrame
    table: pd.DataFrame
    caption: str
    series_total: int = SERIES_TOTAL

    @property
    def empty(self) -> bool:
        return self.shown.empty


def dimensions(db: Database, f: Filters, partner_only: bool, order: str, limit: int | None) -> Heatmap:
    """Country x LNOB dimension: the cells of the countries shown, the download table, the caption."""
    cells = _query(db, Q.dimension_availability, f, partner_only)
    total = int(cells["series_total"].iloc[0]) if not cells.empty else SERIES_TOTAL
    shown = _shown(cells, order, limit)
    no_data = shown.loc[shown["status"] == "no_data", "iso3"].nunique()
    caption = ("**not disagg.** = the country has series, but none broken down by this dimension · **none** = not "
               "collected at all · **no data** = the country is not in the UNSD availability data"
               + (f" ({no_data} shown)" if no_data else "") + ". "
               + sort_rule(order, "series broken down (summed over the five dimensions)"))
    return Heatmap(shown, C.dimension_table(shown, series_total=total), caption, total)


def dimension_chart(db: Database, f: Filters, partner_only: bool, order: str, limit: int | None, measure: str):
    """The country x LNOB dimension heatmap of :func:`dimensions`."""
    view = dimensions(db, f, partner_only, order, limit)
    return C.dimension_heatmap(view.shown, measure=measure or "count", series_total=view.series_total)


def surveys(db: Database, f: Filters, partner_only: bool, order: str, limit: int | None) -> Heatmap:
    """Country x survey type: the cells shown, the download table, the caption."""
    shown = _shown(_query(db, Q.survey_availability, f, partner_only), order, limit)
    caption = ("**none held** = the source lists the country with no survey of this type · **no data** = the "
               "country is not in the Gender Data Compass. " + sort_rule(order, "surveys held (all types)"))
    return Heatmap(shown, C.survey_table(shown), caption)


def survey_chart(db: Database, f: Filters, partner_only: bool, order: str, limit: int | None):
    """The country x survey type heatmap of :func:`surveys`."""
    return C.survey_heatmap(surveys(db, f, partner_only, order, limit).shown)


@dataclass
class SeriesCatalogue:
    labels: dict[str, str]  # series id -> "indicator · series"
    overview: pd.DataFrame  # every series with the countries in view that have data


def series_catalogue(db: Database, f: Filters, partner_only: bool) -> SeriesCatalogue:
    catalogue = _query(db, Q.minset_series)
    labels = {r.series_id: f"{r.indicator_label} · {r.series_desc}" for r in catalogue.itertuples()}
    return SeriesCatalogue(labels, C.series_overview_table(_query(db, Q.series_overview, f, partner_only)))


@dataclass
class Series:
    """One series: the indicator line, the four figures, the countries with data and the note on projections."""
    indicator: str
    metrics: list[tuple[str, object]]
    table: pd.DataFrame
    note: str

    @property
    def empty(self) -> bool:
        return self.table.empty


def series(db: Database, f: Filters, series_id: str, partner_only: bool) -> Series:
    row = _query(db, Q.minset_series).set_index("series_id").loc[series_id]
    have = _query(db, Q.series_countries, f, series_id, partner_only)
    s = scope(db, f)
    observed = have.loc[have["max_year"] <= Q.GDA_VINTAGE_YEAR, "max_year"]
    metrics = [("Countries in view", s.with_programmes if partner_only else s.in_scope),
               ("With any data", len(have)),
               ("With data in the last 5 years", int((have["n_years_last5"].fillna(0) > 0).sum())),
               ("Latest observed year", int(observed.max()) if not observed.empty else "–")]
    projected = int((have["max_year"] > Q.GDA_VINTAGE_YEAR).sum())
    note = (f"The source is the {Q.GDA_VINTAGE_YEAR} vintage: a latest year after {Q.GDA_VINTAGE_YEAR} "
            f"is a modelled projection, not an observation ({projected} countries here). "
            "“Last 5 years” is counted by UNSD in that vintage.")
    return Series(f"Indicator {row['indicator_label']}: {row['indicator_desc']}", metrics, C.series_table(have), note)


def series_chart(db: Database, f: Filters, series_id: str, partner_only: bool):
    """Countries by the latest year with data of one series."""
    return C.latest_year_chart(_query(db, Q.series_countries, f, series_id, partner_only), vintage=Q.GDA_VINTAGE_YEAR)


@dataclass
class Odin:
    table: pd.DataFrame
    missing: list[str]  # countries in view not assessed
    not_assessable: int  # countries with no gender statistics found (drawn apart)
    has_strip: bool

    @property
    def empty(self) -> bool:
        return self.table.empty

    def caption(self, y: str) -> str:
        apart = self.not_assessable
        return ("Coverage and openness are ODIN sub-scores (0–100) of the “Gender statistics” element; countries with "
                "the same scores are spread slightly around their point (hover for the values). "
                + (f"{C.plural(apart, 'country', 'countries')} with no gender statistics found (coverage 0): openness "
                   "cannot be assessed there, so they are listed apart, not drawn at 0. " if apart and y == "openness"
                   else "")
                + (f"{C.plural(len(self.missing), 'country', 'countries')} in view not in ODIN 2022."
                   if self.missing else ""))


def odin(db: Database, f: Filters, partner_only: bool) -> Odin:
    scores = _query(db, Q.odin_scores, f, partner_only)
    missing = _query(db, Q.countries_without, f, Q.ODIN_INDICATORS, partner_only)
    apart = scores[scores["coverage"].notna() & scores["openness"].isna()] if not scores.empty else scores
    return Odin(C.odin_table(scores), missing["country"].tolist(),
                int((scores["openness_status"] == "not_published").sum()), not apart.empty)


def odin_chart(db: Database, f: Filters, partner_only: bool, y: str):
    """ODIN coverage against openness (or the overall score)."""
    return C.odin_chart(_query(db, Q.odin_scores, f, partner_only), y=y)


def odin_strip_chart(db: Database, f: Filters, partner_only: bool):
    """The countries whose openness cannot be assessed (only when :attr:`Odin.has_strip`)."""
    return C.odin_strip(_query(db, Q.odin_scores, f, partner_only))
