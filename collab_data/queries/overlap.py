"""Reads of the Overlap page: where partners work side by side, and where nobody does.

Every function respects all shared filters through the scope CTEs of
:func:`collab_data.queries.scoped` (programmes in ``spr``, countries in ``sc``).

Definitions (also written on the page):

* **programmes** of a partner in a country: rows of ``country_programs`` in scope
  (partner, country, tool kind, running at some time in the period).
* **shared countries** of two partners: countries where both have a programme in scope;
  **Jaccard similarity**: shared countries / countries of either partner.
* **coordination opportunity**: a country where two or more partners work on the same
  topic (``country_programs.topic``) or on the same LNOB dimension (the
  ``tool_dimensions`` of the tools their programmes use).
* **gap**: a low- or middle-income country with at most one partner in scope, ranked by
  the share of the UN minimum set of gender indicators with any data (``gda_pct_any``,
  latest year); a country without a value is "No data", never 0.
"""

from __future__ import annotations

import pandas as pd

from collab_data.db import Database
from collab_data.filters import Filters
from collab_data.queries import LMIC, scoped

#: The indicator that measures data availability in the gaps list.
AVAILABILITY_INDICATOR = "gda_pct_any"


def partner_country(db: Database, f: Filters) -> pd.DataFrame:
    """One row per partner and country with at least one programme in scope.

    Columns: partner_id, partner, partner_name, iso3, country, programmes.
    Pairs without a programme have no row (an empty cell, not a 0).
    """
    return scoped(db, f, """
        SELECT cp.partner_id, coalesce(p.acronym, p.name) AS partner, p.name AS partner_name,
               cp.iso3, c.name AS country, count(*)::INTEGER AS programmes
        FROM country_programs cp
        JOIN partners p USING (partner_id)
        JOIN countries c USING (iso3)
        WHERE cp.program_id IN (SELECT program_id FROM spr)
        GROUP BY ALL
        ORDER BY partner, country
    """)


def tool_country(db: Database, f: Filters) -> pd.DataFrame:
    """One row per tool and country with at least one programme in scope using the tool.

    Columns: tool_id, tool, kind, iso3, country, programmes, partners (acronyms, "; ").
    """
    return scoped(db, f, """
        SELECT cp.tool_id, t.name AS tool, t.kind, cp.iso3, c.name AS country,
               count(*)::INTEGER AS programmes,
               string_agg(DISTINCT coalesce(p.acronym, p.name), '; ' ORDER BY coalesce(p.acronym, p.name)) AS partners
        FROM country_programs cp
        JOIN tools t USING (tool_id)
        JOIN partners p USING (partner_id)
        JOIN countries c USING (iso3)
        WHERE cp.program_id IN (SELECT program_id FROM spr) AND cp.tool_id IS NOT NULL
        GROUP BY ALL
        ORDER BY tool, country
    """)


def partner_pairs(db: Database, f: Filters) -> pd.DataFrame:
    """Every ordered pair of two different partners that share at least one country in scope.

    Columns: partner_a_id, partner_a, partner_b_id, partner_b, shared_countries,
    countries_a, countries_b, either_countries, jaccard, shared_names.
    Both (a, b) and (b, a) are present, so the matrix is symmetric; the diagonal is absent.
    """
    return scoped(db, f, """
        , pc AS (
            SELECT DISTINCT partner_id, iso3 FROM country_programs
            WHERE program_id IN (SELECT program_id FROM spr)
        ),
        n AS (SELECT partner_id, count(*) AS n FROM pc GROUP BY partner_id),
        shared AS (
            SELECT a.partner_id AS a_id, b.partner_id AS b_id, count(*) AS shared,
                   string_agg(c.name, '; ' ORDER BY c.name) AS shared_names
            FROM pc a JOIN pc b ON a.iso3 = b.iso3 AND a.partner_id <> b.partner_id
            JOIN countries c ON c.iso3 = a.iso3
            GROUP BY ALL
        )
        SELECT s.a_id AS partner_a_id, coalesce(pa.acronym, pa.name) AS partner_a,
               s.b_id AS partner_b_id, coalesce(pb.acronym, pb.name) AS partner_b,
               s.shared::INTEGER AS shared_countries, na.n::INTEGER AS countries_a, nb.n::INTEGER AS countries_b,
               (na.n + nb.n - s.shared)::INTEGER AS either_countries,
               s.shared / (na.n + nb.n - s.shared) AS jaccard,
               s.shared_names
        FROM shared s
        JOIN n na ON na.partner_id = s.a_id
        JOIN n nb ON nb.partner_id = s.b_id
        JOIN partners pa ON pa.partner_id = s.a_id
        JOIN partners pb ON pb.partner_id = s.b_id
        ORDER BY partner_a, partner_b
    """)


def coordination_opportunities(db: Database, f: Filters) -> pd.DataFrame:
    """Countries where two or more partners work on the same topic or LNOB dimension.

    Columns: iso3, country, basis ("Topic" / "LNOB dimension"), theme, partners
    (acronyms, "; "), n_partners, programmes. Ranked by partners, then programmes.
    """
    return scoped(db, f, """
        , prog AS (
            SELECT cp.program_id, cp.partner_id, cp.iso3, cp.topic, cp.tool_id
            FROM country_programs cp WHERE cp.program_id IN (SELECT program_id FROM spr)
        ),
        themes AS (
            SELECT iso3, 'Topic' AS basis, topic AS theme, 1 AS basis_order, partner_id, program_id
            FROM prog WHERE topic IS NOT NULL AND trim(topic) <> ''
            UNION ALL
            SELECT prog.iso3, 'LNOB dimension', d.label, 2, prog.partner_id, prog.program_id
            FROM prog
            JOIN tool_dimensions td ON td.tool_id = prog.tool_id
            JOIN lnob_dimensions d ON d.dimension_id = td.dimension_id
        )
        SELECT th.iso3, c.name AS country, th.basis, th.theme,
               string_agg(DISTINCT coalesce(p.acronym, p.name), '; ' ORDER BY coalesce(p.acronym, p.name)) AS partners,
               count(DISTINCT th.partner_id)::INTEGER AS n_partners,
               count(DISTINCT th.program_id)::INTEGER AS programmes
        FROM themes th
        JOIN partners p USING (partner_id)
        JOIN countries c ON c.iso3 = th.iso3
        GROUP BY th.iso3, c.name, th.basis, th.basis_order, th.theme
        HAVING count(DISTINCT th.partner_id) >= 2
        ORDER BY n_partners DESC, programmes DESC, country, th.basis_order, th.theme
    """)


def gaps(db: Database, f: Filters) -> pd.DataFrame:
    """Low- and middle-income countries in scope with at most one partner, least data first.

    Columns: iso3, country, income_group, availability (percent, missing when there is
    no value), availability_year, availability_status ("value" or why it is missing),
    n_partners, partners (names, "; ").
    Countries without a value come first, then by availability ascending.
    """
    return scoped(db, f, """
        , av AS (
            SELECT iso3, arg_max(value, year) AS value, max(year) AS year
            FROM indicator_values
            WHERE indicator_id = $indicator AND status = 'value'
            GROUP BY iso3
        ),
        why AS (
            SELECT iso3, arg_max(status, year) AS status
            FROM indicator_values WHERE indicator_id = $indicator GROUP BY iso3
        ),
        pp AS (
            SELECT cp.iso3, count(DISTINCT cp.partner_id)::INTEGER AS n,
                   string_agg(DISTINCT coalesce(p.acronym, p.name), '; ' ORDER BY coalesce(p.acronym, p.name)) AS names
            FROM country_programs cp JOIN partners p USING (partner_id)
            WHERE cp.program_id IN (SELECT program_id FROM spr)
            GROUP BY cp.iso3
        )
        SELECT c.iso3, c.name AS country, c.income_group,
               av.value AS availability, av.year AS availability_year,
               CASE WHEN av.value IS NOT NULL THEN 'value' ELSE coalesce(why.status, 'no_record') END
                   AS availability_status,
               coalesce(pp.n, 0)::INTEGER AS n_partners, pp.names AS partners
        FROM countries c
        LEFT JOIN av USING (iso3)
        LEFT JOIN why USING (iso3)
        LEFT JOIN pp USING (iso3)
        WHERE c.iso3 IN (SELECT iso3 FROM sc)
          AND c.income_group = ANY($lmic)
          AND coalesce(pp.n, 0) <= 1
        ORDER BY (av.value IS NOT NULL), av.value, c.name
    """, {"indicator": AVAILABILITY_INDICATOR, "lmic": list(LMIC)})
