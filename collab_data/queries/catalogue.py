"""Reads of the Partners & tools page: the catalogue, the profiles and the tool pipeline.

Partners are those in scope (``sp``: collaborative, chosen partners), tools those in
scope (``stl``: tool kind, owned by a partner in scope). Counts of countries and
programmes, and the lists in the profiles, use the programmes, activities and
collaborations in scope (``spr``, ``sa``, ``scb``), so they follow every filter.

With a country filter (region, income group, LNOB group, countries) the page is about
those countries: partners in view are those with a programme or an activity in view
there (``spc``), tools those used by a programme in view there (``stc``). Without one,
every partner and tool in scope is listed.

Search is a case-insensitive substring match of every word of the search text against
the names, acronyms, descriptions, topics (and, for partners, their tools' names; for
tools, their owners' names and LNOB dimensions).
"""

from __future__ import annotations

import pandas as pd

from collab_data.db import Database
from collab_data.filters import Filters
from collab_data.queries import scoped

ORG_TYPE_LABELS = {
    "multilateral": "Multilateral", "un_agency": "UN agency", "bilateral": "Bilateral", "ngo": "NGO",
    "foundation": "Foundation", "academic": "Academic", "government": "Government", "network": "Network",
    "private": "Private sector",
}
COLLAB_LABELS = {"gender": "Gender", "lnob": "LNOB"}
SUPPORT_LABELS = {
    "technical_assistance": "Technical assistance", "training": "Training", "data_production": "Data production",
    "tool_deployment": "Tool deployment", "peer_review": "Peer review", "advocacy": "Advocacy",
    "financing": "Financing",
}
COLLABORATION_KIND_LABELS = {
    "joint_product": "Joint product", "joint_programme": "Joint programme", "data_sharing": "Data sharing",
    "co_funding": "Co-funding", "joint_advocacy": "Joint advocacy",
    "peer_review_partnership": "Peer-review partnership",
}


#: Partners (``spc``) and tools (``stc``) in view: with a country filter, only those present in the countries.
_IN_VIEW = """
, spc AS (
    SELECT partner_id FROM sp
    WHERE NOT $country_scoped
       OR partner_id IN (SELECT partner_id FROM country_programs WHERE program_id IN (SELECT program_id FROM spr))
       OR partner_id IN (SELECT partner_id FROM activity_partners WHERE activity_id IN (SELECT activity_id FROM sa))
),
stc AS (
    SELECT tool_id FROM stl
    WHERE NOT $country_scoped
       OR tool_id IN (SELECT tool_id FROM country_programs WHERE program_id IN (SELECT program_id FROM spr))
)
"""


def search_terms(text: str) -> tuple[str, ...]:
    """The lower-cased words of a search text (every one must match)."""
    return tuple(w for w in (text or "").lower().split() if w)


def _search_clause(haystack: str, terms: tuple[str, ...]) -> tuple[str, dict]:
    if not terms:
        return "true", {}
    parts, params = [], {}
    for i, t in enumerate(terms):
        params[f"t{i}"] = t
        parts.append(f"contains(lower({haystack}), $t{i})")
    return " AND ".join(parts), params


# --------------------------------------------------------------------------------------
# Catalogue
# --------------------------------------------------------------------------------------
def partners_catalogue(db: Database, f: Filters, search: str = "") -> pd.DataFrame:
    """Partners in scope matching the search.

    Columns: partner_id, name, acronym, org_type, hq, collaboratives, tools, topics,
    countries, programmes, website, description.
    """
    where, params = _search_clause("hay", search_terms(search))
    return scoped(db, f, _IN_VIEW + f"""
        , tl AS (
            SELECT partner_id, string_agg(DISTINCT topic, '; ' ORDER BY topic) AS topics FROM (
                SELECT o.partner_id, tt.topic FROM tool_owners o JOIN tool_topics tt USING (tool_id)
                WHERE o.tool_id IN (SELECT tool_id FROM stl)
                UNION
                SELECT partner_id, topic FROM country_programs
                WHERE program_id IN (SELECT program_id FROM spr) AND topic IS NOT NULL
            ) GROUP BY partner_id
        ),
        tl2 AS (
            SELECT o.partner_id, string_agg(t.name, '; ' ORDER BY t.name) AS tools
            FROM tool_owners o JOIN tools t USING (tool_id)
            WHERE t.tool_id IN (SELECT tool_id FROM stl)
            GROUP BY o.partner_id
        ),
        pt AS (
            SELECT partner_id, count(DISTINCT iso3)::INTEGER AS countries, count(*)::INTEGER AS programmes
            FROM country_programs WHERE program_id IN (SELECT program_id FROM spr)
            GROUP BY partner_id
        ),
        mem AS (
            SELECT partner_id, string_agg(CASE collab_id WHEN 'gender' THEN 'Gender' ELSE 'LNOB' END
                                          || coalesce(' (left ' || strftime(left_date, '%d %b %Y') || ')', ''), '; '
                                          ORDER BY collab_id) AS collaboratives
            FROM partner_memberships GROUP BY partner_id
        ),
        rows AS (
            SELECT p.partner_id, p.name, p.acronym, p.org_type, h.name AS hq, mem.collaboratives,
                   tl2.tools,
                   tl.topics,
                   coalesce(pt.countries, 0) AS countries, coalesce(pt.programmes, 0) AS programmes, p.website, p.description,
                   concat_ws(' ', p.name, p.acronym, p.description, tl2.tools, tl.topics) AS hay
            FROM partners p
            LEFT JOIN countries h ON h.iso3 = p.hq_iso3
            LEFT JOIN mem USING (partner_id)
            LEFT JOIN tl USING (partner_id)
            LEFT JOIN tl2 USING (partner_id)
            LEFT JOIN pt USING (partner_id)
            WHERE p.partner_id IN (SELECT partner_id FROM spc)
        )
        SELECT * EXCLUDE (hay) FROM rows WHERE {where}
        ORDER BY coalesce(acronym, name)
    """, params)


def tools_catalogue(db: Database, f: Filters, search: str = "") -> pd.DataFrame:
    """Tools in scope matching the search.

    Columns: tool_id, name, kind, stage, owners, topics, dimensions, launched_year,
    countries, programmes, website, description.
    """
    where, params = _search_clause("hay", search_terms(search))
    return scoped(db, f, _IN_VIEW + f"""
        , ow AS (
            SELECT o.tool_id, string_agg(coalesce(p.acronym, p.name), '; ' ORDER BY coalesce(p.acronym, p.name)) AS owners,
                   string_agg(concat_ws(' ', p.name, p.acronym), ' ') AS owner_hay
            FROM tool_owners o JOIN partners p USING (partner_id) GROUP BY o.tool_id
        ),
        tp AS (SELECT tool_id, string_agg(topic, '; ' ORDER BY topic) AS topics FROM tool_topics GROUP BY tool_id),
        dm AS (
            SELECT td.tool_id, string_agg(d.label, '; ' ORDER BY d.sort_order) AS dimensions
            FROM tool_dimensions td JOIN lnob_dimensions d USING (dimension_id) GROUP BY td.tool_id
        ),
        use AS (
            SELECT tool_id, count(DISTINCT iso3)::INTEGER AS countries, count(*)::INTEGER AS programmes
            FROM country_programs WHERE program_id IN (SELECT program_id FROM spr) AND tool_id IS NOT NULL
            GROUP BY tool_id
        ),
        rows AS (
            SELECT t.tool_id, t.name || coalesce(' (discontinued ' || strftime(t.retired_date, '%b %Y') || ')', '')
                   AS name, t.kind, t.stage, ow.owners, tp.topics, dm.dimensions, t.launched_year,
                   coalesce(use.countries, 0) AS countries, coalesce(use.programmes, 0) AS programmes, t.website, t.description,
                   concat_ws(' ', t.name, t.description, tp.topics, dm.dimensions, ow.owner_hay, t.kind) AS hay
            FROM tools t
            LEFT JOIN ow USING (tool_id)
            LEFT JOIN tp USING (tool_id)
            LEFT JOIN dm USING (tool_id)
            LEFT JOIN use USING (tool_id)
            WHERE t.tool_id IN (SELECT tool_id FROM stc)
        )
        SELECT * EXCLUDE (hay) FROM rows WHERE {where}
        ORDER BY name
    """, params)


# --------------------------------------------------------------------------------------
# Profiles
# --------------------------------------------------------------------------------------
def partner_choices(db: Database, f: Filters) -> pd.DataFrame:
    """Partners in view for the profile selector: partner_id, label, name, records (programmes,
    activities and collaborations in view). :func:`default_partner` opens on one with records."""
    return scoped(db, f, _IN_VIEW + """
        , rec AS (
            SELECT partner_id, count(*) AS n FROM (
                SELECT partner_id FROM country_programs WHERE program_id IN (SELECT program_id FROM spr)
                UNION ALL
                SELECT partner_id FROM activity_partners WHERE activity_id IN (SELECT activity_id FROM sa)
                UNION ALL
                SELECT partner_id FROM collaboration_partners WHERE collaboration_id IN (SELECT collaboration_id FROM scb)
            ) GROUP BY partner_id
        )
        SELECT partner_id, coalesce(acronym, name)
               || CASE WHEN EXISTS (SELECT 1 FROM partner_memberships m WHERE m.partner_id = p.partner_id)
                        AND NOT EXISTS (SELECT 1 FROM partner_memberships m WHERE m.partner_id = p.partner_id
                                        AND m.left_date IS NULL) THEN ' (former partner)' ELSE '' END AS label, name,
               coalesce(rec.n, 0)::INTEGER AS records
        FROM partners p LEFT JOIN rec USING (partner_id)
        WHERE partner_id IN (SELECT partner_id FROM spc) ORDER BY lower(coalesce(acronym, name))
    """)


def default_partner(choices: pd.DataFrame) -> int:
    """Index of the partner a profile opens on: the first (by name) with the most records in view."""
    if choices.empty:
        return 0
    return int(choices["records"].to_numpy().argmax())


def tool_choices(db: Database, f: Filters) -> pd.DataFrame:
    """Tools in scope for the profile selector: tool_id, label."""
    return scoped(db, f, _IN_VIEW + """
        SELECT tool_id, name AS label FROM tools WHERE tool_id IN (SELECT tool_id FROM stc) ORDER BY label
    """)


def partner_profile(db: Database, f: Filters, partner_id: str) -> dict[str, pd.DataFrame]:
    """Everything about one partner, within the filters.

    Keys: ``info`` (one row, or none for an unknown partner), ``tools``, ``countries``,
    ``programmes``, ``activities``, ``collaborations``.
    """
    x = {"pid": partner_id}
    info = scoped(db, f, """
        SELECT p.partner_id, p.name, p.acronym, p.org_type, h.name AS hq, p.website, p.description,
               (SELECT string_agg(CASE m.collab_id WHEN 'gender' THEN 'Gender data collaborative'
                                  ELSE 'LNOB data collaborative' END
                                  || coalesce(' (since ' || strftime(m.joined_date, '%Y-%m-%d') || ')', '')
                                  || coalesce(' — left on ' || strftime(m.left_date, '%Y-%m-%d'), ''),
                                  '; ' ORDER BY m.collab_id)
                FROM partner_memberships m WHERE m.partner_id = p.partner_id) AS collaboratives,
               (SELECT string_agg(tt.name, '; ' ORDER BY tt.name) FROM task_team_members tm
                JOIN task_teams tt USING (team_id) WHERE tm.partner_id = p.partner_id) AS task_teams
        FROM partners p LEFT JOIN countries h ON h.iso3 = p.hq_iso3
        WHERE p.partner_id = $pid
    """, x)
    tools = scoped(db, f, """
        SELECT t.tool_id, t.name AS tool, t.kind, t.stage,
               (SELECT string_agg(coalesce(p2.acronym, p2.name), '; ' ORDER BY coalesce(p2.acronym, p2.name))
                FROM tool_owners o2 JOIN partners p2 USING (partner_id)
                WHERE o2.tool_id = t.tool_id AND o2.partner_id <> $pid) AS co_owners,
               (SELECT count(DISTINCT cp.iso3) FROM country_programs cp
                WHERE cp.tool_id = t.tool_id AND cp.program_id IN (SELECT program_id FROM spr))::INTEGER AS countries
        FROM tools t JOIN tool_owners o USING (tool_id)
        WHERE o.partner_id = $pid AND t.tool_id IN (SELECT tool_id FROM stl)
        ORDER BY t.name
    """, x)
    countries = scoped(db, f, """
        SELECT cp.iso3, c.name AS country, c.income_group, count(*)::INTEGER AS programmes,
               string_agg(DISTINCT cp.topic, '; ' ORDER BY cp.topic) AS topics,
               string_agg(DISTINCT t.name, '; ' ORDER BY t.name) AS tools,
               (SELECT string_agg(DISTINCT coalesce(p2.acronym, p2.name), '; ' ORDER BY coalesce(p2.acronym, p2.name))
                FROM country_programs o JOIN partners p2 USING (partner_id)
                WHERE o.iso3 = cp.iso3 AND o.partner_id <> $pid
                  AND o.program_id IN (SELECT program_id FROM spr)) AS other_partners
        FROM country_programs cp JOIN countries c USING (iso3) LEFT JOIN tools t USING (tool_id)
        WHERE cp.partner_id = $pid AND cp.program_id IN (SELECT program_id FROM spr)
        GROUP BY cp.iso3, c.name, c.income_group
        ORDER BY programmes DESC, country
    """, x)
    programmes = scoped(db, f, """
        SELECT cp.program_id, c.name AS country, cp.iso3, t.name AS tool, cp.support_type, cp.topic,
               cp.start_date, cp.end_date, cp.status
        FROM country_programs cp JOIN countries c USING (iso3) LEFT JOIN tools t USING (tool_id)
        WHERE cp.partner_id = $pid AND cp.program_id IN (SELECT program_id FROM spr)
        ORDER BY cp.start_date DESC, c.name
    """, x)
    activities = scoped(db, f, """
        SELECT a.activity_id, a.start_date, a.title, aty.label AS type,
               CASE a.collab_id WHEN 'gender' THEN 'Gender' WHEN 'lnob' THEN 'LNOB' END AS collaborative,
               (SELECT string_agg(coalesce(p2.acronym, p2.name), '; ' ORDER BY coalesce(p2.acronym, p2.name))
                FROM activity_partners ap2 JOIN partners p2 USING (partner_id)
                WHERE ap2.activity_id = a.activity_id AND ap2.partner_id <> $pid) AS with_partners,
               a.outcome
        FROM activities a JOIN activity_types aty USING (type_id)
        JOIN activity_partners ap ON ap.activity_id = a.activity_id AND ap.partner_id = $pid
        WHERE a.activity_id IN (SELECT activity_id FROM sa)
        ORDER BY a.start_date DESC, a.title
    """, x)
    collaborations = scoped(db, f, """
        SELECT c.collaboration_id, c.started_date, c.title, c.kind,
               (SELECT string_agg(coalesce(p2.acronym, p2.name), '; ' ORDER BY coalesce(p2.acronym, p2.name))
                FROM collaboration_partners cp2 JOIN partners p2 USING (partner_id)
                WHERE cp2.collaboration_id = c.collaboration_id AND cp2.partner_id <> $pid) AS with_partners,
               a.title AS origin_activity
        FROM collaborations c
        JOIN collaboration_partners cp ON cp.collaboration_id = c.collaboration_id AND cp.partner_id = $pid
        LEFT JOIN activities a ON a.activity_id = c.origin_activity_id
        WHERE c.collaboration_id IN (SELECT collaboration_id FROM scb)
        ORDER BY c.started_date DESC, c.title
    """, x)
    return {"info": info, "tools": tools, "countries": countries, "programmes": programmes,
            "activities": activities, "collaborations": collaborations}


def tool_profile(db: Database, f: Filters, tool_id: str) -> dict[str, pd.DataFrame]:
    """Everything about one tool, within the filters.

    Keys: ``info`` (one row: name, kind, stage, owners, launched_year, website,
    description), ``countries`` (programmes using it per country), ``dimensions``,
    ``topics``.
    """
    x = {"tid": tool_id}
    info = scoped(db, f, """
        SELECT t.tool_id, t.name, t.kind, t.stage, t.launched_year, t.website, t.description,
               (SELECT string_agg(p.name || coalesce(' (' || p.acronym || ')', ''), '; ' ORDER BY p.name)
                FROM tool_owners o JOIN partners p USING (partner_id) WHERE o.tool_id = t.tool_id) AS owners
        FROM tools t WHERE t.tool_id = $tid
    """, x)
    countries = scoped(db, f, """
        SELECT cp.iso3, c.name AS country, c.income_group, count(*)::INTEGER AS programmes,
               string_agg(DISTINCT coalesce(p.acronym, p.name), '; ' ORDER BY coalesce(p.acronym, p.name)) AS partners,
               string_agg(DISTINCT cp.status, '; ' ORDER BY cp.status) AS statuses,
               min(cp.start_date) AS first_start
        FROM country_programs cp JOIN countries c USING (iso3) JOIN partners p USING (partner_id)
        WHERE cp.tool_id = $tid AND cp.program_id IN (SELECT program_id FROM spr)
        GROUP BY cp.iso3, c.name, c.income_group
        ORDER BY programmes DESC, country
    """, x)
    dimensions = db.query("""
        SELECT d.dimension_id, d.label AS dimension FROM tool_dimensions td JOIN lnob_dimensions d USING (dimension_id)
        WHERE td.tool_id = $tid ORDER BY d.sort_order
    """, x)
    topics = db.query("SELECT topic FROM tool_topics WHERE tool_id = $tid ORDER BY topic", x)
    return {"info": info, "countries": countries, "dimensions": dimensions, "topics": topics}


# --------------------------------------------------------------------------------------
# Pipeline
# --------------------------------------------------------------------------------------
def tool_pipeline(db: Database, f: Filters) -> pd.DataFrame:
    """Tools in scope by stage and kind: stage, stage_order, kind, tools (count), names."""
    return scoped(db, f, _IN_VIEW + """
        SELECT t.stage, CASE t.stage WHEN 'concept' THEN 1 WHEN 'pilot' THEN 2 WHEN 'scaling' THEN 3 ELSE 4 END
                   AS stage_order,
               t.kind, count(*)::INTEGER AS tools, string_agg(t.name, '; ' ORDER BY t.name) AS names
        FROM tools t WHERE t.tool_id IN (SELECT tool_id FROM stc)
        GROUP BY t.stage, t.kind
        ORDER BY stage_order, t.kind
    """)


def tools_by_stage(db: Database, f: Filters) -> pd.DataFrame:
    """One row per tool in scope, for the per-stage tables: stage, name, kind, owners, countries."""
    return scoped(db, f, _IN_VIEW + """
        SELECT t.stage, CASE t.stage WHEN 'concept' THEN 1 WHEN 'pilot' THEN 2 WHEN 'scaling' THEN 3 ELSE 4 END
                   AS stage_order,
               t.tool_id, t.name, t.kind,
               (SELECT string_agg(coalesce(p.acronym, p.name), '; ' ORDER BY coalesce(p.acronym, p.name))
                FROM tool_owners o JOIN partners p USING (partner_id) WHERE o.tool_id = t.tool_id) AS owners,
               t.launched_year,
               (SELECT count(DISTINCT cp.iso3) FROM country_programs cp
                WHERE cp.tool_id = t.tool_id AND cp.program_id IN (SELECT program_id FROM spr))::INTEGER AS countries
        FROM tools t WHERE t.tool_id IN (SELECT tool_id FROM stc)
        ORDER BY stage_order, t.name
    """)
