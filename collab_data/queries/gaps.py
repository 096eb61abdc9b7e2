"""Reads of the Data gaps page: real LNOB data-gap indicators for the countries in scope.

Sources (loaded by :mod:`collab_data.sources`): the UNSD Minimum Set of Gender Indicators
availability (2021 vintage; ``gda_*`` indicators, ``minset_series`` and
``series_availability``), ODIN 2022 (``odin_*``) and the Gender Data Compass survey
counts (``gdc_*``).

Every function narrows the countries to ``gsc``: the shared country scope ``sc``, and,
when ``partner_only`` is set, only the countries where programmes of the partners in
view run (``spr``: partner, collaborative, tool kind and period filters).

Missing data is never zero here. A country the source does not cover gets the status
``no_data``; the source's own statuses (``not_collected``, ``not_disaggregated``,
``not_published``) are passed through with a NULL value.
"""

from __future__ import annotations

import pandas as pd

from collab_data.db import Database
from collab_data.filters import Filters
from collab_data.queries import scoped

#: The per-dimension counts of the minimum set, by LNOB dimension.
GDA_DIMENSION_INDICATORS = ("gda_n_sex", "gda_n_age", "gda_n_location", "gda_n_disability", "gda_n_income")

ODIN_INDICATORS = ("odin_gender_coverage", "odin_gender_openness", "odin_overall")

#: Gender Data Compass survey types: key in the indicator id -> readable label.
SURVEY_TYPES = {
    "agri": "Agricultural survey / census",
    "health": "Household health survey",
    "income": "Household income & expenditure survey",
    "labour": "Labour force survey",
    "timeuse": "Time use survey",
}

#: The latest year of the UNSD availability data (the 2021 vintage): later years are projections.
GDA_VINTAGE_YEAR = 2021

_GSC = """
, gsc AS (
    SELECT iso3 FROM sc
    WHERE NOT $partner_only
       OR iso3 IN (SELECT iso3 FROM country_programs WHERE program_id IN (SELECT program_id FROM spr))
)
"""

# The latest year of an indicator per country (each source has one year today; a newer
# vintage loaded next to it must not double the rows).
_LATEST = """
, latest AS (
    SELECT v.indicator_id, v.iso3, v.year, v.value, v.status, v.note
    FROM indicator_values v
    WHERE v.indicator_id = ANY($ids)
    QUALIFY v.year = max(v.year) OVER (PARTITION BY v.indicator_id, v.iso3)
)
"""


def _run(db: Database, f: Filters, partner_only: bool, body: str, extra: dict | None = None) -> pd.DataFrame:
    params = {"partner_only": bool(partner_only)}
    if extra:
        params.update(extra)
    return scoped(db, f, _GSC + body, params)


# --------------------------------------------------------------------------------------
# Scope
# --------------------------------------------------------------------------------------
def scope_summary(db: Database, f: Filters) -> dict:
    """How many countries are in the country scope, and how many of them host programmes
    of the partners in view (what the "only countries where partners work" toggle keeps)."""
    df = scoped(
        db, f,
        "SELECT (SELECT count(*) FROM sc) AS in_scope, "
        "(SELECT count(DISTINCT iso3) FROM country_programs WHERE program_id IN (SELECT program_id FROM spr)) "
        "AS with_programmes, (SELECT count(*) FROM country_programs) AS programmes_total",
    )
    row = df.iloc[0]
    return {k: int(row[k]) for k in df.columns}


def indicator_sources(db: Database, ids: tuple[str, ...]) -> pd.DataFrame:
    """Name, source, licence and the years held, of the given indicators."""
    return db.query(
        "SELECT i.indicator_id, i.name, i.source, i.source_url, i.licence, "
        "min(v.year) AS first_year, max(v.year) AS last_year "
        "FROM indicators i LEFT JOIN indicator_values v USING (indicator_id) "
        "WHERE i.indicator_id = ANY(?) GROUP BY ALL ORDER BY i.indicator_id",
        [list(ids)],
    )


# --------------------------------------------------------------------------------------
# 1. Country x LNOB dimension availability
# --------------------------------------------------------------------------------------
def dimension_availability(db: Database, f: Filters, partner_only: bool = False) -> pd.DataFrame:
    """One row per country in scope x LNOB dimension of the minimum set.

    ``n_series``: series of the minimum set broken down by the dimension (NULL unless
    ``status = 'value'``); ``share``: the same as a percentage of all series;
    ``status``: ``value``, ``not_disaggregated`` (series exist, none broken down),
    ``not_collected`` (no data at all) or ``no_data`` (the country is not in the source).
    ``total``: the sum of ``n_series`` over the dimensions (NULL when none has a value),
    ``any_series``: series with any data for the country.
    """
    return _run(db, f, partner_only, _LATEST + """
, dims AS (
    SELECT i.indicator_id, d.dimension_id, d.label, d.sort_order
    FROM indicators i JOIN lnob_dimensions d USING (dimension_id)
    WHERE i.indicator_id = ANY($ids)
),
n_total AS (SELECT count(*) AS n FROM minset_series),
any_series AS (SELECT iso3, count(DISTINCT series_id) AS n FROM series_availability GROUP BY iso3),
cells AS (
    SELECT c.iso3, c.name AS country, c.wb_region, c.income_group,
           dims.indicator_id, dims.dimension_id, dims.label AS dimension, dims.sort_order,
           coalesce(l.status, 'no_data') AS status,
           CAST(l.value AS INTEGER) AS n_series,
           round(100.0 * l.value / nullif((SELECT n FROM n_total), 0), 1) AS share,
           l.note,
           (SELECT n FROM n_total) AS series_total,
           a.n AS any_series
    FROM gsc JOIN countries c USING (iso3)
    CROSS JOIN dims
    LEFT JOIN latest l ON l.iso3 = c.iso3 AND l.indicator_id = dims.indicator_id
    LEFT JOIN any_series a ON a.iso3 = c.iso3
)
SELECT *, CAST(sum(n_series) OVER (PARTITION BY iso3) AS INTEGER) AS total
FROM cells
ORDER BY country, sort_order
""", {"ids": list(GDA_DIMENSION_INDICATORS)})


# --------------------------------------------------------------------------------------
# 2. The minimum-set series
# --------------------------------------------------------------------------------------
def minset_series(db: Database) -> pd.DataFrame:
    """The series of the Minimum Set of Gender Indicators, in catalogue order."""
    return db.query(
        "SELECT series_id, indicator_label, indicator_id, indicator_desc, series_desc, sort_order "
        "FROM minset_series ORDER BY sort_order"
    )


def series_overview(db: Database, f: Filters, partner_only: bool = False) -> pd.DataFrame:
    """Every series with the number of countries in scope that have data (any year / last 5 years)."""
    return _run(db, f, partner_only, """
, n_scope AS (SELECT count(*) AS n FROM gsc)
SELECT m.sort_order, m.series_id, m.indicator_label, m.indicator_desc, m.series_desc,
       count(a.iso3) AS countries_with_data,
       count(a.iso3) FILTER (WHERE coalesce(a.n_years_last5, 0) > 0) AS countries_recent,
       (SELECT n FROM n_scope) AS countries_in_scope,
       round(100.0 * count(a.iso3) / nullif((SELECT n FROM n_scope), 0), 1) AS share_with_data,
       max(a.max_year) FILTER (WHERE a.max_year <= $vintage) AS latest_observed_year
FROM minset_series m
LEFT JOIN series_availability a ON a.series_id = m.series_id AND a.iso3 IN (SELECT iso3 FROM gsc)
GROUP BY ALL
ORDER BY m.sort_order
""", {"vintage": GDA_VINTAGE_YEAR})


def series_countries(db: Database, f: Filters, series_id: str, partner_only: bool = False) -> pd.DataFrame:
    """The countries in scope with data for one series: years and breakdowns, by name."""
    return _run(db, f, partner_only, """
SELECT c.iso3, c.name AS country, c.wb_region, c.income_group,
       a.min_year, a.max_year, a.n_years, a.n_years_last5, a.n_years_last10, a.n_subseries,
       a.by_sex, a.by_age, a.by_location, a.by_disability, a.by_income_wealth, a.by_education
FROM series_availability a JOIN gsc USING (iso3) JOIN countries c USING (iso3)
WHERE a.series_id = $series_id
ORDER BY c.name
""", {"series_id": series_id})


# --------------------------------------------------------------------------------------
# 3. ODIN coverage and openness
# --------------------------------------------------------------------------------------
def odin_scores(db: Database, f: Filters, partner_only: bool = False) -> pd.DataFrame:
    """One row per country in scope that ODIN assessed: gender coverage, gender openness
    (with its status: ``not_published`` where coverage is 0, so openness cannot be
    assessed) and the overall score."""
    return _run(db, f, partner_only, _LATEST + """
SELECT c.iso3, c.name AS country, c.wb_region, c.income_group,
       max(l.year) AS year,
       max(l.value) FILTER (WHERE l.indicator_id = 'odin_gender_coverage') AS coverage,
       max(l.value) FILTER (WHERE l.indicator_id = 'odin_gender_openness') AS openness,
       coalesce(max(l.status) FILTER (WHERE l.indicator_id = 'odin_gender_openness'), 'no_data') AS openness_status,
       max(l.note) FILTER (WHERE l.indicator_id = 'odin_gender_openness') AS openness_note,
       max(l.value) FILTER (WHERE l.indicator_id = 'odin_overall') AS overall
FROM latest l JOIN gsc USING (iso3) JOIN countries c USING (iso3)
GROUP BY ALL
ORDER BY c.name
""", {"ids": list(ODIN_INDICATORS)})


def countries_without(db: Database, f: Filters, ids: tuple[str, ...], partner_only: bool = False) -> pd.DataFrame:
    """Countries in scope with no row at all for any of the indicators (not in the source)."""
    return _run(db, f, partner_only, """
SELECT c.iso3, c.name AS country
FROM gsc JOIN countries c USING (iso3)
WHERE NOT EXISTS (SELECT 1 FROM indicator_values v WHERE v.iso3 = c.iso3 AND v.indicator_id = ANY($ids))
ORDER BY c.name
""", {"ids": list(ids)})


# --------------------------------------------------------------------------------------
# 4. Gender Data Compass surveys
# --------------------------------------------------------------------------------------
def survey_availability(db: Database, f: Filters, partner_only: bool = False) -> pd.DataFrame:
    """One row per country in scope x survey type: surveys held, share of the standard met.

    ``status``: ``value`` (surveys held), ``not_collected`` (none held: the source lists
    the country with 0 surveys) or ``no_data`` (the country is not in the source).
    """
    keys = list(SURVEY_TYPES)
    types = pd.DataFrame({"survey_key": keys, "survey_type": [SURVEY_TYPES[k] for k in keys],
                          "type_order": range(1, len(keys) + 1)})
    ids = [f"gdc_surveys_{k}" for k in keys] + [f"gdc_complete_{k}" for k in keys]
    values = "VALUES " + ", ".join(f"('{k}', {i + 1})" for i, k in enumerate(keys))  # whitelisted constants
    frame = _run(db, f, partner_only, _LATEST + f"""
, types(survey_key, type_order) AS ({values})
SELECT c.iso3, c.name AS country, types.survey_key, types.type_order,
       coalesce(s.status, 'no_data') AS status,
       CAST(s.value AS INTEGER) AS n_surveys,
       p.value AS pct_complete,
       s.note, s.year,
       CAST(sum(s.value) OVER (PARTITION BY c.iso3) AS INTEGER) AS total
FROM gsc JOIN countries c USING (iso3)
CROSS JOIN types
LEFT JOIN latest s ON s.iso3 = c.iso3 AND s.indicator_id = 'gdc_surveys_' || types.survey_key
LEFT JOIN latest p ON p.iso3 = c.iso3 AND p.indicator_id = 'gdc_complete_' || types.survey_key
ORDER BY c.name, types.type_order
""", {"ids": ids})
    return frame.merge(types[["survey_key", "survey_type"]], on="survey_key", how="left")
