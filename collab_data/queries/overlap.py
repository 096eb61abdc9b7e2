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
* **what a heatmap shows** (bounded in SQL, never every pair into Python): the
  ``MAX_ROWS`` partners (or tools) and the top-N countries with the most programmes in
  scope, plus partners chosen in a search; everything else is summed into an "All others"
  row and column, so every total still adds up. The partner x partner matrix covers the
  ``MAX_ROWS`` partners with the most countries in scope; "top pairs" are ranked with
  ``QUALIFY row_number() ... <= k``. The full partner x country and tool x country
  matrices (long form) are the CSV exports.
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
        JOIN spr USING (program_id)
        JOIN partners p USING (partner_id)
        JOIN countries c USING (iso3)
        GROUP BY ALL
        ORDER BY partner, country
    """)


def tool_country(db: Database, f: Filters) -> pd.DataFrame:
    """One row per tool and country with at least one programme in scope using the tool.

    Columns: tool_id, tool, kind, iso3, country, programmes, partners (acronyms, "; ").
    """
    return scoped(db, f, """
        , tp AS (  -- per partner first: the names then need no DISTINCT
            SELECT cp.tool_id, cp.iso3, cp.partner_id, count(*) AS n
            FROM country_programs cp JOIN spr USING (program_id)
            WHERE cp.tool_id IS NOT NULL
            GROUP BY ALL
        )
        SELECT tp.tool_id, t.name AS tool, t.kind, tp.iso3, c.name AS country,
               sum(tp.n)::INTEGER AS programmes,
               string_agg(coalesce(p.acronym, p.name), '; ' ORDER BY coalesce(p.acronym, p.name)) AS partners
        FROM tp
        JOIN tools t USING (tool_id)
        JOIN partners p USING (partner_id)
        JOIN countries c USING (iso3)
        GROUP BY tp.tool_id, t.name, t.kind, tp.iso3, c.name
        ORDER BY tool, country
    """)


#: Rows and columns a heatmap shows at most (before the "All others" summary row/column).
MAX_ROWS = 40
MAX_COLS = 40
#: Partners a search may add to the heatmaps on top of the top ``MAX_ROWS``.
MAX_PINNED = 10
#: Pairs listed per partner shown in the "top pairs" table.
TOP_PAIRS = 5
#: The key of the "All others" row or column (never an ISO3 code nor a partner id).
OTHERS = "~others"


def _capped_matrix(db: Database, f: Filters, cells: str, *, n_rows: int, n_cols: int, pinned: tuple[str, ...],
                   row_noun: str) -> pd.DataFrame:
    """A count matrix cut in SQL to the top ``n_rows`` rows (plus the ``pinned`` row labels)
    and the top ``n_cols`` countries, the rest summed into an "All others" row and column.

    ``cells`` is a CTE body with one row per non-empty cell and partner: row_id, row_label,
    detail, iso3, country, partner_id, programmes. Rows and
    countries are ranked by programmes in view, ties by label. The sum of every column
    (and row) equals the uncapped one; the output has at most (rows + 1) x (cols + 1) cells.
    """
    return scoped(db, f, f"""
        , cells AS ({cells}),
        rr AS (SELECT row_id, row_number() OVER (ORDER BY sum(programmes) DESC, any_value(row_label)) AS rk
               FROM cells GROUP BY row_id),
        cr AS (SELECT iso3, row_number() OVER (ORDER BY sum(programmes) DESC, any_value(country)) AS rk
               FROM cells GROUP BY iso3),
        rs AS (SELECT row_id FROM rr WHERE rk <= $n_rows
               UNION SELECT DISTINCT row_id FROM cells WHERE row_label = ANY($pinned)),
        cs AS (SELECT iso3 FROM cr WHERE rk <= $n_cols),
        k AS (SELECT (SELECT count(*) FROM rr) AS total_rows, (SELECT count(*) FROM cr) AS total_cols,
                     (SELECT count(*) FROM rr) - (SELECT count(*) FROM rs) AS other_rows,
                     (SELECT count(*) FROM cr) - (SELECT count(*) FROM cs) AS other_cols),
        g AS (
            SELECT CASE WHEN rs.row_id IS NULL THEN '{OTHERS}' ELSE c.row_id END AS row_id,
                   CASE WHEN cs.iso3 IS NULL THEN '{OTHERS}' ELSE c.iso3 END AS iso3,
                   c.row_id AS orig_row, c.row_label, c.detail, c.country, c.programmes, c.partner_id
            FROM cells c LEFT JOIN rs USING (row_id) LEFT JOIN cs USING (iso3)
        )
        SELECT g.row_id, g.iso3,
               CASE WHEN g.row_id = '{OTHERS}' THEN printf('All others (%d {row_noun})', any_value(k.other_rows))
                    ELSE any_value(g.row_label) END AS row_label,
               CASE WHEN g.row_id = '{OTHERS}' THEN printf('%d {row_noun}', count(DISTINCT g.orig_row))
                    ELSE any_value(g.detail) END AS detail,
               CASE WHEN g.iso3 = '{OTHERS}' THEN printf('All others (%d countries)', any_value(k.other_cols))
                    ELSE any_value(g.country) END AS country,
               sum(g.programmes)::INTEGER AS programmes,
               CASE WHEN g.row_id = '{OTHERS}' OR g.iso3 = '{OTHERS}'
                    THEN printf('%d partners', count(DISTINCT g.partner_id))
                    ELSE string_agg(DISTINCT coalesce(pl.acronym, pl.name), '; ' ORDER BY coalesce(pl.acronym, pl.name))
               END AS partners,
               g.row_id = '{OTHERS}' AS other_row, g.iso3 = '{OTHERS}' AS other_col,
               any_value(k.total_rows)::INTEGER AS total_rows, any_value(k.total_cols)::INTEGER AS total_cols
        FROM g CROSS JOIN k JOIN partners pl ON pl.partner_id = g.partner_id
        GROUP BY g.row_id, g.iso3
        ORDER BY other_row, row_label, other_col, country
    """, {"n_rows": int(n_rows), "n_cols": int(n_cols), "pinned": list(pinned)})


def partner_country_capped(db: Database, f: Filters, n_cols: int = 25, n_rows: int = MAX_ROWS,
                           pinned: tuple[str, ...] = ()) -> pd.DataFrame:
    """The partner x country heatmap: the ``n_rows`` partners and ``n_cols`` countries with
    the most programmes in view (plus the partners labelled in ``pinned``), the rest summed
    into "All others" (see :func:`_capped_matrix`).

    Columns: row_id (partner id or OTHERS), iso3 (or OTHERS), partner, partner_name,
    country, programmes, partners, other_row, other_col, total_rows, total_cols.
    """
    frame = _capped_matrix(db, f, """
        SELECT cp.partner_id AS row_id, coalesce(p.acronym, p.name) AS row_label, p.name AS detail,
               cp.iso3, c.name AS country, cp.partner_id, count(*)::INTEGER AS programmes
        FROM country_programs cp
        JOIN spr USING (program_id)
        JOIN partners p USING (partner_id)
        JOIN countries c USING (iso3)
        GROUP BY ALL
    """, n_rows=n_rows, n_cols=n_cols, pinned=pinned, row_noun="partners")
    return frame.rename(columns={"row_label": "partner", "detail": "partner_name"})


def tool_country_capped(db: Database, f: Filters, n_cols: int = 25, n_rows: int = MAX_ROWS) -> pd.DataFrame:
    """The tool x country heatmap: the ``n_rows`` tools and ``n_cols`` countries with the
    most programmes in view using a tool, the rest summed into "All others".

    Columns: row_id (tool id or OTHERS), iso3 (or OTHERS), tool, kind, country,
    programmes, partners, other_row, other_col, total_rows, total_cols.
    """
    frame = _capped_matrix(db, f, """
        SELECT cp.tool_id AS row_id, t.name AS row_label, t.kind AS detail, cp.iso3, c.name AS country,
               cp.partner_id, count(*)::INTEGER AS programmes
        FROM country_programs cp
        JOIN spr USING (program_id)
        JOIN tools t USING (tool_id)
        JOIN countries c USING (iso3)
        WHERE cp.tool_id IS NOT NULL
        GROUP BY ALL
    """, n_rows=n_rows, n_cols=n_cols, pinned=(), row_noun="tools")
    return frame.rename(columns={"row_label": "tool", "detail": "kind"})


_PAIR_SCOPE = """
        , pc AS (
            SELECT DISTINCT partner_id, iso3 FROM country_programs JOIN spr USING (program_id)
        ),
        n AS (SELECT partner_id, count(*) AS n FROM pc GROUP BY partner_id),
        lab AS (SELECT partner_id, coalesce(acronym, name) AS label FROM partners),
        rk AS (SELECT n.partner_id, row_number() OVER (ORDER BY n.n DESC, lab.label) AS rk
               FROM n JOIN lab USING (partner_id)),
        shown AS (SELECT partner_id FROM rk WHERE rk <= $n_rows
                  UNION SELECT partner_id FROM lab WHERE label = ANY($pinned)
                                                   AND partner_id IN (SELECT partner_id FROM n))
"""


def pair_matrix(db: Database, f: Filters, n_rows: int = MAX_ROWS, pinned: tuple[str, ...] = ()) -> pd.DataFrame:
    """Shared countries between the partners shown: the ``n_rows`` partners with the most
    countries in view (plus ``pinned`` labels), and "All others" (every other partner in
    view taken together: a country is shared with them when any of them works there).

    One row per ordered pair sharing a country, plus the diagonal (a = b, shared = own
    countries), so every partner shown has a row. Columns: partner_a_id, partner_a,
    partner_b_id, partner_b, shared_countries, countries_a, countries_b,
    either_countries, jaccard, shared_names, other_a, other_b, total_partners.
    At most (rows + pinned + 1)^2 rows, computed in SQL.
    """
    return scoped(db, f, _PAIR_SCOPE + f"""
        , gc AS (
            SELECT DISTINCT CASE WHEN partner_id IN (SELECT partner_id FROM shown) THEN partner_id
                                 ELSE '{OTHERS}' END AS g, iso3
            FROM pc
        ),
        gn AS (SELECT g, count(*) AS n FROM gc GROUP BY g),
        k AS (SELECT (SELECT count(*) FROM n) AS total, (SELECT count(*) FROM n) - (SELECT count(*) FROM shown) AS others),
        names AS (SELECT g, CASE WHEN g = '{OTHERS}' THEN printf('All others (%d partners)', (SELECT others FROM k))
                                 ELSE (SELECT label FROM lab WHERE lab.partner_id = gn.g) END AS label
                  FROM gn),
        s AS (
            SELECT a.g AS a_id, b.g AS b_id, count(*) AS shared, string_agg(c.name, '; ' ORDER BY c.name) AS shared_names
            FROM gc a JOIN gc b ON a.iso3 = b.iso3
            JOIN countries c ON c.iso3 = a.iso3
            GROUP BY ALL
        )
        SELECT s.a_id AS partner_a_id, na.label AS partner_a, s.b_id AS partner_b_id, nb.label AS partner_b,
               s.shared::INTEGER AS shared_countries, ca.n::INTEGER AS countries_a, cb.n::INTEGER AS countries_b,
               (ca.n + cb.n - s.shared)::INTEGER AS either_countries,
               s.shared / (ca.n + cb.n - s.shared) AS jaccard, s.shared_names,
               s.a_id = '{OTHERS}' AS other_a, s.b_id = '{OTHERS}' AS other_b,
               (SELECT total FROM k)::INTEGER AS total_partners
        FROM s
        JOIN gn ca ON ca.g = s.a_id JOIN gn cb ON cb.g = s.b_id
        JOIN names na ON na.g = s.a_id JOIN names nb ON nb.g = s.b_id
        ORDER BY other_a, partner_a, other_b, partner_b
    """, {"n_rows": int(n_rows), "pinned": list(pinned)})


def top_pairs(db: Database, f: Filters, k: int = TOP_PAIRS, n_rows: int = MAX_ROWS,
              pinned: tuple[str, ...] = ()) -> pd.DataFrame:
    """For each partner shown (as in :func:`pair_matrix`), its ``k`` partners in view with
    the most shared countries (then Jaccard similarity, then name): at most
    (rows + pinned) x k rows, ranked in SQL.

    Columns: partner_a_id, partner_a, partner_b_id, partner_b, shared_countries,
    countries_a, countries_b, either_countries, jaccard, shared_names, rank.
    """
    return scoped(db, f, _PAIR_SCOPE + """
        , s AS (
            SELECT a.partner_id AS a_id, b.partner_id AS b_id, count(*) AS shared
            FROM pc a JOIN pc b ON a.iso3 = b.iso3 AND a.partner_id <> b.partner_id
            WHERE a.partner_id IN (SELECT partner_id FROM shown)
            GROUP BY ALL
        ),
        ranked AS (
            SELECT s.a_id, s.b_id, s.shared, na.n AS n_a, nb.n AS n_b, s.shared / (na.n + nb.n - s.shared) AS jaccard,
                   row_number() OVER (PARTITION BY s.a_id ORDER BY s.shared DESC, jaccard DESC, lb.label) AS rank
            FROM s
            JOIN n na ON na.partner_id = s.a_id JOIN n nb ON nb.partner_id = s.b_id
            JOIN lab lb ON lb.partner_id = s.b_id
            QUALIFY rank <= $k
        ),
        names AS (  -- the names of the shared countries, for the ranked pairs only
            SELECT r.a_id, r.b_id, string_agg(c.name, '; ' ORDER BY c.name) AS shared_names
            FROM ranked r
            JOIN pc a ON a.partner_id = r.a_id JOIN pc b ON b.partner_id = r.b_id AND b.iso3 = a.iso3
            JOIN countries c ON c.iso3 = a.iso3
            GROUP BY ALL
        )
        SELECT r.a_id AS partner_a_id, la.label AS partner_a, r.b_id AS partner_b_id, lb.label AS partner_b,
               r.shared::INTEGER AS shared_countries, r.n_a::INTEGER AS countries_a, r.n_b::INTEGER AS countries_b,
               (r.n_a + r.n_b - r.shared)::INTEGER AS either_countries, r.jaccard, names.shared_names,
               r.rank::INTEGER AS rank
        FROM ranked r JOIN names USING (a_id, b_id)
        JOIN lab la ON la.partner_id = r.a_id JOIN lab lb ON lb.partner_id = r.b_id
        ORDER BY partner_a, rank
    """, {"n_rows": int(n_rows), "pinned": list(pinned), "k": int(k)})


def partners_in_view(db: Database, f: Filters) -> list[str]:
    """Labels of the partners with a programme in view, most countries first (for the search box)."""
    frame = scoped(db, f, _PAIR_SCOPE + """
        SELECT lab.label FROM n JOIN lab USING (partner_id) ORDER BY n.n DESC, lab.label
    """, {"n_rows": 0, "pinned": []})
    return frame["label"].tolist()


def coordination_opportunities(db: Database, f: Filters) -> pd.DataFrame:
    """Countries where two or more partners work on the same topic or LNOB dimension.

    Columns: iso3, country, basis ("Topic" / "LNOB dimension"), theme, partners
    (acronyms, "; "), n_partners, programmes. Ranked by partners, then programmes.
    """
    return scoped(db, f, """
        , prog AS (
            SELECT cp.program_id, cp.partner_id, cp.iso3, cp.topic, cp.tool_id
            FROM country_programs cp JOIN spr USING (program_id)
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
        ,
        -- one row per partner first (a programme has one partner): the final aggregate needs no DISTINCT
        thp AS (
            SELECT iso3, basis, basis_order, theme, partner_id, count(DISTINCT program_id) AS programmes
            FROM themes GROUP BY ALL
        ),
        multi AS (
            SELECT iso3, basis, theme FROM thp GROUP BY ALL HAVING count(*) >= 2
        )
        SELECT th.iso3, c.name AS country, th.basis, th.theme,
               string_agg(coalesce(p.acronym, p.name), '; ' ORDER BY coalesce(p.acronym, p.name)) AS partners,
               count(*)::INTEGER AS n_partners,
               sum(th.programmes)::INTEGER AS programmes
        FROM thp th
        SEMI JOIN multi m ON m.iso3 = th.iso3 AND m.basis = th.basis AND m.theme = th.theme
        JOIN partners p USING (partner_id)
        JOIN countries c ON c.iso3 = th.iso3
        GROUP BY th.iso3, c.name, th.basis, th.basis_order, th.theme
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
