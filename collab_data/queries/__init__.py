"""Every read of the dashboard, parameterised, returning DataFrames.

Each function takes the :class:`~collab_data.db.Database` first and small hashable
arguments after it (a frozen :class:`~collab_data.filters.Filters`, strings, tuples), so
the app can cache it (see :func:`collab_data.runtime.cached`). No function here writes.

The shared filters become the CTEs of :func:`scope_sql`:

* ``sc``  countries in scope (region, income group, LNOB group, chosen countries)
* ``sp``  partners in scope (collaborative membership, chosen partners)
* ``stl`` tools in scope (tool kind, owned by a partner in scope)
* ``spr`` country programmes in scope (partner, country, tool kind, overlapping the period)
* ``sa``  activities in scope (collaborative, partner, country, starting in the period)
* ``scb`` collaborations in scope (a partner in scope, starting in the period)

Area modules (``overview``, ``countries``, ``overlap``, ``catalogue``, ``gaps``) build on it.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from collab_data import clock
from collab_data.db import Database
from collab_data.filters import Filters, period_range

LMIC = ("Low income", "Lower middle income", "Upper middle income")


def scope_params(f: Filters, as_of: date | None = None) -> dict:
    """The scope CTEs' parameters. ``as_of`` anchors "the last 12 months" (the data date)."""
    start, end = period_range(f.period, as_of)
    return {
        "collab": f.collab,
        "regions": list(f.regions),
        "income": list(f.income),
        "groups": list(f.groups),
        "countries": list(f.countries),
        "partners": list(f.partners),
        "kinds": list(f.tool_kinds),
        "p_start": start,
        "p_end": end,
        "country_scoped": f.has_country_scope,
    }


SCOPE_CTES = """
sc AS (
    SELECT iso3 FROM countries
    WHERE (len($regions) = 0 OR wb_region = ANY($regions))
      AND (len($income) = 0 OR income_group = ANY($income))
      AND (len($groups) = 0 OR (list_contains($groups, 'ldc') AND is_ldc)
           OR (list_contains($groups, 'lldc') AND is_lldc) OR (list_contains($groups, 'sids') AND is_sids))
      AND (len($countries) = 0 OR iso3 = ANY($countries))
),
sp AS (
    SELECT partner_id FROM partners p
    WHERE (len($partners) = 0 OR partner_id = ANY($partners))
      AND ($collab = 'both' OR EXISTS (SELECT 1 FROM partner_memberships m
                                        WHERE m.partner_id = p.partner_id AND m.collab_id = $collab))
),
stl AS (
    SELECT tool_id FROM tools t
    WHERE (len($kinds) = 0 OR kind = ANY($kinds))
      AND EXISTS (SELECT 1 FROM tool_owners o JOIN sp USING (partner_id) WHERE o.tool_id = t.tool_id)
),
spr AS (
    SELECT program_id FROM country_programs
    WHERE partner_id IN (SELECT partner_id FROM sp)
      AND iso3 IN (SELECT iso3 FROM sc)
      AND (len($kinds) = 0 OR tool_id IN (SELECT tool_id FROM tools WHERE kind = ANY($kinds)))
      AND ($p_start::DATE IS NULL OR coalesce(end_date, DATE '9999-12-31') >= $p_start::DATE)
      AND ($p_end::DATE IS NULL OR start_date <= $p_end::DATE)
),
sa AS (
    SELECT activity_id FROM activities a
    WHERE ($collab = 'both' OR collab_id = $collab)
      AND ($p_start::DATE IS NULL OR start_date >= $p_start::DATE)
      AND ($p_end::DATE IS NULL OR start_date <= $p_end::DATE)
      AND EXISTS (SELECT 1 FROM activity_partners ap JOIN sp USING (partner_id) WHERE ap.activity_id = a.activity_id)
      AND (NOT $country_scoped OR EXISTS (SELECT 1 FROM activity_countries ac JOIN sc USING (iso3)
                                          WHERE ac.activity_id = a.activity_id))
),
scb AS (
    SELECT collaboration_id FROM collaborations c
    WHERE ($p_start::DATE IS NULL OR started_date >= $p_start::DATE)
      AND ($p_end::DATE IS NULL OR started_date <= $p_end::DATE)
      AND EXISTS (SELECT 1 FROM collaboration_partners cp JOIN sp USING (partner_id)
                  WHERE cp.collaboration_id = c.collaboration_id)
)
"""


def scoped(db: Database, f: Filters, body: str, extra: dict | None = None, as_of: date | None = None) -> pd.DataFrame:
    """Run ``WITH <scope CTEs> <body>`` with the filter parameters (plus ``extra``).

    ``body`` is a SELECT, or starts with ``, name AS (...)`` to add CTEs of its own.
    """
    if f.period == "last12" and as_of is None:
        as_of = data_as_of(db)
    params = scope_params(f, as_of)
    if extra:
        params.update(extra)
    used = {k: v for k, v in params.items() if f"${k}" in SCOPE_CTES or f"${k}" in body}
    return db.query(f"WITH {SCOPE_CTES} {body}", used)


# --------------------------------------------------------------------------------------
# Lookups used by the filter bar and every page
# --------------------------------------------------------------------------------------
def filter_options(db: Database) -> dict[str, list]:
    """Values offered by the filter widgets, in display order."""
    return {
        "regions": [r for (r,) in db.rows("SELECT DISTINCT wb_region FROM countries WHERE wb_region IS NOT NULL ORDER BY 1")],
        "income": [i for (i,) in db.rows(
            "SELECT DISTINCT income_group FROM countries WHERE income_group IS NOT NULL ORDER BY CASE income_group "
            "WHEN 'Low income' THEN 1 WHEN 'Lower middle income' THEN 2 WHEN 'Upper middle income' THEN 3 ELSE 4 END")],
        "countries": db.rows("SELECT iso3, name FROM countries ORDER BY name"),
        "partners": db.rows("SELECT partner_id, coalesce(acronym, name) FROM partners ORDER BY 2"),
        "tool_kinds": [k for (k,) in db.rows("SELECT DISTINCT kind FROM tools ORDER BY 1")],
        "years": [int(y) for (y,) in db.rows(
            "SELECT DISTINCT year(d) FROM (SELECT start_date AS d FROM activities UNION ALL "
            "SELECT start_date FROM country_programs UNION ALL SELECT started_date FROM collaborations) "
            "WHERE d BETWEEN ? AND coalesce(?, ?) ORDER BY 1", [clock.EARLIEST, data_as_of(db), clock.LATEST])],
    }


def country_names(db: Database) -> dict[str, str]:
    return dict(db.rows("SELECT iso3, name FROM countries"))


def partner_names(db: Database) -> dict[str, str]:
    return dict(db.rows("SELECT partner_id, coalesce(acronym, name) FROM partners"))


#: What "Data as of" means, shown wherever the date is.
AS_OF_DEFINITION = (
    "Data as of: the latest day on which something the collaboratives recorded happened — an activity held, "
    "a collaboration started, or a country programme that actually started (planned programmes do not count). "
    "An event dated after the day it was imported had not happened yet and does not count, and dates before "
    f"{clock.EARLIEST.year} or after {clock.LATEST.year} are read as typing errors. It comes from the records "
    "alone, not from today's date: the same data gives the same figures on any day."
)

_AS_OF_SQL = """
    SELECT max(d) FROM (
        SELECT a.start_date AS d, b.created_at FROM activities a JOIN import_batches b USING (batch_id)
        UNION ALL
        SELECT c.started_date, b.created_at FROM collaborations c JOIN import_batches b USING (batch_id)
        UNION ALL
        SELECT p.start_date, b.created_at FROM country_programs p JOIN import_batches b USING (batch_id)
        WHERE p.status IN ('active', 'completed', 'paused')
    )
    WHERE d BETWEEN ? AND ? AND (created_at IS NULL OR d <= created_at::DATE)
"""


def data_as_of(db: Database) -> date | None:
    """The data date (see :data:`AS_OF_DEFINITION`); None when nothing is recorded yet.

    Independent of today: it moves only when records change (so it is computed once per
    write generation of the database, however many queries of a page ask for it).
    """
    return db.memo("data_as_of", lambda: db.scalar(_AS_OF_SQL, [clock.EARLIEST, clock.LATEST]))


def data_status(db: Database) -> dict:
    """What the pages say about the data's date: ``as_of`` (see :func:`data_as_of`),
    ``last_update`` (the day of the newest import or edit that is not undone; None when
    the records came only with the build), ``definition``."""
    last = db.scalar("SELECT max(created_at) FROM import_batches WHERE kind IN ('upload', 'edit') "
                     "AND status = 'imported'")
    return {"as_of": data_as_of(db), "last_update": last.date() if last is not None else None,
            "definition": AS_OF_DEFINITION}


def sample_in_view(db: Database, f: Filters) -> bool:
    """Whether any sample row is among the records the filters select."""
    df = scoped(
        db, f,
        "SELECT (SELECT count(*) FROM country_programs WHERE is_sample AND program_id IN (SELECT program_id FROM spr)) "
        "+ (SELECT count(*) FROM activities WHERE is_sample AND activity_id IN (SELECT activity_id FROM sa)) "
        "+ (SELECT count(*) FROM partners WHERE is_sample AND partner_id IN (SELECT partner_id FROM sp)) AS n",
    )
    return bool(df["n"].iloc[0])


def collab_counts(db: Database) -> dict[str, int]:
    """How many collaborative records exist at all (to explain empty states)."""
    return dict(db.rows(
        "SELECT 'partners', count(*) FROM partners UNION ALL SELECT 'programs', count(*) FROM country_programs "
        "UNION ALL SELECT 'activities', count(*) FROM activities UNION ALL SELECT 'tools', count(*) FROM tools "
        "UNION ALL SELECT 'collaborations', count(*) FROM collaborations"
    ))
