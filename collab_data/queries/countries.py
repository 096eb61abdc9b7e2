"""Reads of the Countries page: the map's measures per country and a country's profile.

Definitions (also stated on the page):

* **partners active** in a country: partners in scope with a programme in scope there
  (running during the period, any tool of the chosen kinds) that is not ``planned``
  (a planned programme has not started; the Overview page counts the same way);
* **programmes**: every programme in scope there, planned ones included;
* **tools deployed**: distinct tools used by those non-planned programmes;
* the LNOB measures are the latest value of an indicator (``indicator_values``); a
  country without a row has "No data", a row without a value keeps its status
  (``not_disaggregated`` ...): neither is ever 0;
* **underserved score** (:data:`UNDERSERVED_FORMULA`):
  ``100 × (100 − gda_pct_any) / 100 × 1 / (1 + partners active)``, 0..100, higher is
  more underserved: a large gap in gender data with few partners working there. No data
  when ``gda_pct_any`` has no value. Scored for low- and middle-income countries only
  (the collaboratives' target countries); high-income countries and territories without
  an income group are ``not_scored`` (otherwise small territories top the list).

Countries outside the country filters (region, income group, LNOB group, countries) are
returned with ``in_scope = false`` and no measure values, so the map can draw them as flat land.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from collab_data.db import Database
from collab_data.filters import Filters
from collab_data.queries import LMIC, scoped
from collab_data.sources import INDICATORS


@dataclass(frozen=True)
class Measure:
    """A measure the map can show: its column in :func:`country_measures` and how to show it."""

    key: str
    label: str
    column: str
    unit: str            # "count", "percent", "score"
    partner_based: bool  # needs the collaboratives' own records (programmes)
    help: str


MEASURES: dict[str, Measure] = {m.key: m for m in (
    Measure("partners", "Partners active", "partners", "count", True,
            "Partners with a programme in the country during the period (planned programmes not counted)."),
    Measure("programmes", "Programmes", "programmes", "count", True,
            "Programmes of partners in the country during the period, planned ones included."),
    Measure("tools", "Tools deployed", "tools", "count", True,
            "Distinct partner tools used by the programmes in the country (planned programmes not counted)."),
    Measure("gda_pct_any", "LNOB data availability (%)", "gda_pct_any", "percent", False,
            "Share of the 89 UN minimum-set gender series for which the country has any data (UNSD)."),
    Measure("gda_n_sex", "Series disaggregated by sex", "gda_n_sex", "count", False,
            "Number of the 89 minimum-set gender series with a breakdown by sex (UNSD)."),
    Measure("odin_gender_coverage", "ODIN gender coverage", "odin_gender_coverage", "score", False,
            "Open Data Inventory 2022: coverage subscore of gender statistics, 0-100 (Open Data Watch)."),
    Measure("underserved", "Underserved score", "underserved", "score", True,
            "Large data gap combined with few partners: see the formula below the map."),
)}

#: Indicators behind the LNOB measures of the map.
MAP_INDICATORS = ("gda_pct_any", "gda_n_sex", "odin_gender_coverage")

UNDERSERVED_FORMULA = "underserved = 100 × (100 − data availability %) / 100 × 1 / (1 + partners active)"
UNDERSERVED_SCOPE = "low- and middle-income countries only"

# Programmes in scope that have started (planned ones have not).
_RUNNING = "status IN ('active', 'completed', 'paused')"

_LATEST_VALUES = """
latest AS (
    SELECT indicator_id, iso3, year, value, status, note FROM indicator_values
    QUALIFY row_number() OVER (PARTITION BY indicator_id, iso3 ORDER BY year DESC) = 1
)
"""


def country_measures(db: Database, f: Filters) -> pd.DataFrame:
    """One row per country: reference columns, ``in_scope``, the partner counts and the LNOB measures.

    For every LNOB measure ``m`` there are ``m`` (the value, NULL when missing) and
    ``m_status`` (``value``, ``not_disaggregated``, ``not_collected``, ``not_published``
    or ``no_data`` when the source has no row for the country). Partner counts are NULL
    outside the scope, 0 inside it when nothing is recorded.
    """
    ind_cols = ",\n".join(
        f"max(value) FILTER (WHERE indicator_id = '{i}') AS {i}, "
        f"coalesce(max(status) FILTER (WHERE indicator_id = '{i}'), 'no_data') AS {i}_status"
        for i in MAP_INDICATORS
    )
    body = f"""
    , {_LATEST_VALUES}
    , ind AS (
        SELECT iso3, {ind_cols}
        FROM latest WHERE indicator_id IN {MAP_INDICATORS!r} GROUP BY iso3
    )
    , prog AS (
        SELECT iso3,
               count(*) AS programmes,
               count(DISTINCT partner_id) FILTER (WHERE {_RUNNING}) AS partners,
               count(DISTINCT tool_id) FILTER (WHERE {_RUNNING}) AS tools
        FROM country_programs WHERE program_id IN (SELECT program_id FROM spr)
        GROUP BY iso3
    )
    , base AS (
        SELECT c.iso3, c.name, c.wb_region, c.income_group, c.lon, c.lat,
               c.iso3 IN (SELECT iso3 FROM sc) AS in_scope,
               EXISTS (SELECT 1 FROM country_shapes s WHERE s.iso3 = c.iso3) AS has_shape,
               p.programmes, p.partners, p.tools,
               {", ".join(f"i.{m}, coalesce(i.{m}_status, 'no_data') AS {m}_status" for m in MAP_INDICATORS)}
        FROM countries c
        LEFT JOIN prog p USING (iso3)
        LEFT JOIN ind i USING (iso3)
    )
    SELECT iso3, name, wb_region, income_group, lon, lat, in_scope, has_shape,
           CASE WHEN in_scope THEN coalesce(partners, 0) END::INTEGER AS partners,
           CASE WHEN in_scope THEN coalesce(programmes, 0) END::INTEGER AS programmes,
           CASE WHEN in_scope THEN coalesce(tools, 0) END::INTEGER AS tools,
           {", ".join(f"{m}, {m}_status" for m in MAP_INDICATORS)},
           CASE WHEN in_scope AND gda_pct_any IS NOT NULL AND list_contains($lmic, income_group)
                THEN round(100 * (100 - gda_pct_any) / 100 / (1 + coalesce(partners, 0)), 1) END AS underserved,
           CASE WHEN income_group IS NULL OR NOT list_contains($lmic, income_group) THEN 'not_scored'
                WHEN gda_pct_any IS NOT NULL THEN 'value' ELSE gda_pct_any_status END AS underserved_status
    FROM base
    ORDER BY name
    """
    frame = scoped(db, f, body, {"lmic": list(LMIC)})
    for m in ("partners", "programmes", "tools"):
        frame[f"{m}_status"] = "value"
    return frame


def country_shapes(db: Database) -> pd.DataFrame:
    """Country outlines: iso3 and the GeoJSON geometry text (Natural Earth 1:110m)."""
    return db.query("SELECT iso3, geometry FROM country_shapes ORDER BY iso3")


def scope_countries(db: Database, f: Filters) -> pd.DataFrame:
    """The countries the filters select (iso3, name), by name: the profile's choices."""
    return scoped(db, f, "SELECT c.iso3, c.name FROM countries c WHERE c.iso3 IN (SELECT iso3 FROM sc) ORDER BY c.name")


# --------------------------------------------------------------------------------------
# Profile of one country
# --------------------------------------------------------------------------------------
def country_info(db: Database, iso3: str) -> pd.DataFrame:
    """Reference facts of one country (one row, or none for an unknown code)."""
    return db.query(
        "SELECT iso3, name, wb_region, income_group, lending_category, is_ldc, is_lldc, is_sids, un_member "
        "FROM countries WHERE iso3 = ?",
        [iso3],
    )


def country_programmes(db: Database, f: Filters, iso3: str) -> pd.DataFrame:
    """The programmes in scope in one country, newest first."""
    return scoped(db, f, """
        SELECT coalesce(p.acronym, p.name) AS partner, t.name AS tool, t.kind AS tool_kind,
               replace(cp.support_type, '_', ' ') AS support, cp.topic, cp.status,
               cp.start_date AS start, cp.end_date AS "end"
        FROM country_programs cp
        JOIN partners p USING (partner_id)
        LEFT JOIN tools t USING (tool_id)
        WHERE cp.program_id IN (SELECT program_id FROM spr) AND cp.iso3 = $iso3
        ORDER BY cp.start_date DESC, partner, cp.program_id
    """, {"iso3": iso3})


def country_partners(db: Database, f: Filters, iso3: str) -> pd.DataFrame:
    """Partners with a programme in scope in one country: their programmes and the tools they use there."""
    return scoped(db, f, f"""
        SELECT coalesce(p.acronym, p.name) AS partner,
               bool_or(cp.{_RUNNING}) AS active,
               count(*) AS programmes,
               count(*) FILTER (WHERE cp.status = 'active') AS programmes_active_now,
               string_agg(DISTINCT t.name, '; ' ORDER BY t.name) AS tools,
               min(cp.start_date) AS since
        FROM country_programs cp
        JOIN partners p USING (partner_id)
        LEFT JOIN tools t USING (tool_id)
        WHERE cp.program_id IN (SELECT program_id FROM spr) AND cp.iso3 = $iso3
        GROUP BY partner
        ORDER BY active DESC, programmes DESC, partner
    """, {"iso3": iso3})


def country_activities(db: Database, f: Filters, iso3: str, limit: int = 10) -> pd.DataFrame:
    """The latest activities in scope that concern one country."""
    return scoped(db, f, """
        SELECT a.start_date AS date, a.title, ty.label AS type,
               CASE a.collab_id WHEN 'gender' THEN 'Gender' WHEN 'lnob' THEN 'LNOB' ELSE 'Both or neither' END AS collaborative,
               (SELECT string_agg(coalesce(p.acronym, p.name), ', ' ORDER BY coalesce(p.acronym, p.name))
                  FROM activity_partners ap JOIN partners p USING (partner_id)
                 WHERE ap.activity_id = a.activity_id) AS partners,
               a.outcome
        FROM activities a
        JOIN activity_types ty USING (type_id)
        WHERE a.activity_id IN (SELECT activity_id FROM sa)
          AND EXISTS (SELECT 1 FROM activity_countries ac WHERE ac.activity_id = a.activity_id AND ac.iso3 = $iso3)
        ORDER BY a.start_date DESC, a.activity_id DESC
        LIMIT $limit
    """, {"iso3": iso3, "limit": int(limit)})


def country_indicators(db: Database, iso3: str) -> pd.DataFrame:
    """Every LNOB indicator for one country against the medians of its region and income group.

    The latest value per country counts; medians and n are over the countries of the
    group that have a value (the country itself included). The country's own cell keeps
    its status when it has no value (``no_data`` when the source has no row).
    """
    return db.query(f"""
        WITH {_LATEST_VALUES}
        , me AS (SELECT wb_region, income_group FROM countries WHERE iso3 = $iso3)
        , grp AS (
            SELECT l.indicator_id,
                   median(l.value) FILTER (WHERE c.wb_region = me.wb_region) AS region_median,
                   count(*) FILTER (WHERE c.wb_region = me.wb_region) AS region_n,
                   median(l.value) FILTER (WHERE c.income_group = me.income_group) AS income_median,
                   count(*) FILTER (WHERE c.income_group = me.income_group) AS income_n
            FROM latest l JOIN countries c USING (iso3), me
            WHERE l.status = 'value'
            GROUP BY l.indicator_id
        )
        SELECT i.indicator_id, i.name AS indicator, i.unit, i.dimension_id, i.source,
               own.year, own.value, coalesce(own.status, 'no_data') AS status, own.note,
               grp.region_median, coalesce(grp.region_n, 0) AS region_n,
               grp.income_median, coalesce(grp.income_n, 0) AS income_n
        FROM indicators i
        LEFT JOIN latest own ON own.indicator_id = i.indicator_id AND own.iso3 = $iso3
        LEFT JOIN grp ON grp.indicator_id = i.indicator_id
        ORDER BY coalesce(list_position($order, i.indicator_id), 999), i.indicator_id
    """, {"iso3": iso3, "order": list(INDICATORS)})


def country_dimensions(db: Database, f: Filters, iso3: str) -> pd.DataFrame:
    """Each LNOB dimension and the partner tools active in one country that address it.

    Tools counted: those used by the programmes in scope there that have started (not
    planned). ``tools`` is NULL for a dimension no such tool addresses.
    """
    return scoped(db, f, f"""
        , used AS (
            SELECT DISTINCT cp.tool_id FROM country_programs cp
            WHERE cp.program_id IN (SELECT program_id FROM spr) AND cp.iso3 = $iso3
              AND cp.tool_id IS NOT NULL AND cp.{_RUNNING}
        )
        SELECT d.dimension_id, d.label AS dimension,
               count(t.tool_id) AS n_tools,
               string_agg(t.name, '; ' ORDER BY t.name) AS tools
        FROM lnob_dimensions d
        LEFT JOIN tool_dimensions td ON td.dimension_id = d.dimension_id AND td.tool_id IN (SELECT tool_id FROM used)
        LEFT JOIN tools t ON t.tool_id = td.tool_id
        GROUP BY d.dimension_id, d.label, d.sort_order
        ORDER BY d.sort_order
    """, {"iso3": iso3})
