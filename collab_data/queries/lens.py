"""Reads of "my partner's lens": where one partner works and who else works there.

Definitions (also written on the pages):

* the **lens partner's programmes**: its rows of ``country_programs`` in the countries,
  tool kinds and period of the filters. The collaborative and Partners filters do not
  apply to the lens partner itself (it is *my* partner, whatever else is chosen);
* its **countries**: countries with at least one such programme (planned ones included,
  as on the Overlap page);
* **other partners** there: partners in scope (collaborative filter) other than the lens
  partner with a programme in scope in one of those countries. The Partners filter does
  not narrow them: the lens asks who *else* works there, so it never hides anyone;
* **shared countries** of the lens partner and another partner: its countries where the
  other partner also has a programme; ranked in SQL, at most ``top`` rows returned;
* it **works alone** in a country of its own where no other partner has a programme.

Every read is linear in the programmes (no self-join of partner-country pairs) and
returns a bounded number of rows: one per lens country, ``per_country`` partners per
country, ``top`` partners ranked.
"""

from __future__ import annotations

import pandas as pd

from collab_data.db import Database
from collab_data.filters import Filters
from collab_data.queries import scoped

#: How many partners "shares most countries with" lists, and how many other partners a
#: country row names before "and N more".
TOP_SHARED = 10
NAMES_PER_COUNTRY = 8
PARTNERS_PER_COUNTRY = 12

_LENS_CTES = """
, mine AS (
    SELECT cp.program_id, cp.iso3, cp.tool_id, cp.start_date
    FROM country_programs cp
    WHERE cp.partner_id = $lens
      AND cp.iso3 IN (SELECT iso3 FROM sc)
      AND (len($kinds) = 0 OR cp.tool_id IN (SELECT tool_id FROM tools WHERE kind = ANY($kinds)))
      AND ($p_start::DATE IS NULL OR coalesce(cp.end_date, DATE '9999-12-31') >= $p_start::DATE)
      AND ($p_end::DATE IS NULL OR cp.start_date <= $p_end::DATE)
),
my_c AS (SELECT DISTINCT iso3 FROM mine),
theirs AS (
    SELECT cp.partner_id, cp.iso3, cp.tool_id
    FROM country_programs cp
    WHERE cp.program_id IN (SELECT program_id FROM spr)
      AND cp.partner_id <> $lens
      AND cp.iso3 IN (SELECT iso3 FROM my_c)
),
per_pc AS (
    SELECT th.iso3, th.partner_id, coalesce(p.acronym, p.name) AS partner, count(*)::INTEGER AS programmes,
           string_agg(DISTINCT t.name, '; ' ORDER BY t.name) AS tools
    FROM theirs th
    JOIN partners p USING (partner_id)
    LEFT JOIN tools t ON t.tool_id = th.tool_id
    GROUP BY th.iso3, th.partner_id, partner
)
"""


def _run(db: Database, f: Filters, lens: str, body: str, extra: dict | None = None) -> pd.DataFrame:
    """The lens CTEs and ``body`` under the filters, the Partners filter and the lens left out."""
    others = f.with_(partners=(), lens=None)
    return scoped(db, others, _LENS_CTES + body, {"lens": lens, **(extra or {})})


def lens_partner(db: Database, partner_id: str) -> pd.DataFrame:
    """The lens partner (one row, none for an unknown id): partner_id, partner (acronym or
    name), name, programmes (all it has recorded, whatever the filters)."""
    return db.query("""
        SELECT p.partner_id, coalesce(p.acronym, p.name) AS partner, p.name,
               (SELECT count(*) FROM country_programs cp WHERE cp.partner_id = p.partner_id)::INTEGER AS programmes
        FROM partners p WHERE p.partner_id = $pid
    """, {"pid": partner_id})


def lens_countries(db: Database, f: Filters, lens: str, names: int = NAMES_PER_COUNTRY) -> pd.DataFrame:
    """One row per country where the lens partner has a programme in view.

    Columns: iso3, country, income_group, programmes (the lens partner's), tools (its
    tools used there, "; ", NULL when none), since (its earliest start there),
    n_others (other partners there), others (the first ``names`` of them by programmes,
    "; ", NULL when none), n_named (how many ``others`` names). Most other partners first, then by name.
    """
    return _run(db, f, lens, """
        , ranked AS (
            SELECT iso3, partner, programmes,
                   row_number() OVER (PARTITION BY iso3 ORDER BY programmes DESC, partner) AS r
            FROM per_pc
        ),
        oth AS (
            SELECT iso3, count(*)::INTEGER AS n_others, count(*) FILTER (WHERE r <= $names)::INTEGER AS n_named,
                   string_agg(partner, '; ' ORDER BY programmes DESC, partner) FILTER (WHERE r <= $names) AS others
            FROM ranked GROUP BY iso3
        ),
        my AS (
            SELECT m.iso3, count(*)::INTEGER AS programmes, string_agg(DISTINCT t.name, '; ' ORDER BY t.name) AS tools,
                   min(m.start_date) AS since
            FROM mine m LEFT JOIN tools t ON t.tool_id = m.tool_id
            GROUP BY m.iso3
        )
        SELECT my.iso3, c.name AS country, c.income_group, my.programmes, my.tools, my.since,
               coalesce(oth.n_others, 0)::INTEGER AS n_others, coalesce(oth.n_named, 0)::INTEGER AS n_named,
               oth.others
        FROM my
        JOIN countries c USING (iso3)
        LEFT JOIN oth USING (iso3)
        ORDER BY n_others DESC, country
    """, {"names": int(names)})


def lens_neighbours(db: Database, f: Filters, lens: str, per_country: int = PARTNERS_PER_COUNTRY) -> pd.DataFrame:
    """The other partners in each of the lens partner's countries, with their tools there.

    One row per country and other partner, at most ``per_country`` per country (most
    programmes first). Columns: iso3, country, partner_id, partner, programmes, tools
    (their tools used there, "; ", NULL when none), n_others (all other partners there).
    """
    return _run(db, f, lens, """
        SELECT pp.iso3, c.name AS country, pp.partner_id, pp.partner, pp.programmes, pp.tools,
               (count(*) OVER (PARTITION BY pp.iso3))::INTEGER AS n_others
        FROM per_pc pp JOIN countries c USING (iso3)
        QUALIFY row_number() OVER (PARTITION BY pp.iso3 ORDER BY pp.programmes DESC, pp.partner) <= $per_country
        ORDER BY c.name, pp.programmes DESC, pp.partner
    """, {"per_country": int(per_country)})


def lens_shared_most(db: Database, f: Filters, lens: str, top: int = TOP_SHARED) -> pd.DataFrame:
    """The partners the lens partner shares most countries with, ranked in SQL (``top`` rows at most).

    Columns: rank, partner_id, partner, shared (its countries where the other partner
    also works), mine (the lens partner's countries), theirs (the other partner's
    countries in view), jaccard (shared / countries of either), shared_names ("; "),
    candidates (how many partners share at least one country: the list's full length).
    """
    return _run(db, f, lens, """
        , sh AS (
            SELECT pp.partner_id, any_value(pp.partner) AS partner, count(*)::INTEGER AS shared,
                   string_agg(c.name, '; ' ORDER BY c.name) AS shared_names
            FROM per_pc pp JOIN countries c USING (iso3)
            GROUP BY pp.partner_id
        ),
        tc AS (
            SELECT partner_id, count(DISTINCT iso3)::INTEGER AS theirs
            FROM country_programs
            WHERE program_id IN (SELECT program_id FROM spr) AND partner_id IN (SELECT partner_id FROM sh)
            GROUP BY partner_id
        ),
        me AS (SELECT count(*)::INTEGER AS mine FROM my_c)
        SELECT (row_number() OVER (ORDER BY sh.shared DESC, sh.shared / (me.mine + tc.theirs - sh.shared) DESC,
                                   sh.partner))::INTEGER AS rank,
               sh.partner_id, sh.partner, sh.shared, me.mine, tc.theirs,
               sh.shared / (me.mine + tc.theirs - sh.shared) AS jaccard,
               sh.shared_names,
               (count(*) OVER ())::INTEGER AS candidates
        FROM sh JOIN tc USING (partner_id), me
        ORDER BY rank
        LIMIT $top
    """, {"top": int(top)})
