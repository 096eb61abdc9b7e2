"""Reads behind reporting freshness: what each partner last reported, and each
collaborative's reporting cycle with its history.

A partner *reports* when a record of its work reaches the database: an activity it took
part in, a country programme of its that started or was completed, a collaboration it
joined. The date of such a report is the date of the event recorded, counted only when
the event had happened by the day it was imported (an upload dated later is a plan) and
only inside the dates the dashboard reads as real (:data:`collab_data.clock.EARLIEST` ..
:data:`collab_data.clock.LATEST`). None of this reads the calendar: the caller passes the
reference dates (today for the freshness panel, a period's end for the KPI).

The rule that turns a last report, a cycle and a reference date into Up to date / Due /
Overdue is :func:`collab_data.freshness.status`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from collab_data import clock
from collab_data.db import Database
from collab_data.filters import ALL_TIME, Filters
from collab_data.queries import scoped

#: The cycle of a collaborative that has never had one set in the app: quarterly.
DEFAULT_CYCLE_MONTHS = 3

_CYCLE_SQL = f"""
    SELECT c.collab_id, c.name,
           coalesce((SELECT r.new_months FROM reporting_cycle_changes r WHERE r.collab_id = c.collab_id
                     ORDER BY r.batch_id DESC LIMIT 1), {DEFAULT_CYCLE_MONTHS}) AS months
    FROM collaboratives c
"""

_REPORTS_CTES = f"""
, ev AS (
    SELECT ap.partner_id, a.start_date AS d, 'activity' AS what, a.title AS label, a.batch_id
    FROM activities a JOIN activity_partners ap USING (activity_id)
    UNION ALL
    SELECT p.partner_id, p.start_date, 'programme started', c.name || ' · ' || replace(p.support_type, '_', ' '),
           p.batch_id
    FROM country_programs p JOIN countries c USING (iso3)
    WHERE p.status IN ('active', 'completed', 'paused')
    UNION ALL
    SELECT p.partner_id, p.end_date, 'programme completed', c.name || ' · ' || replace(p.support_type, '_', ' '),
           p.batch_id
    FROM country_programs p JOIN countries c USING (iso3)
    WHERE p.status = 'completed' AND p.end_date IS NOT NULL
    UNION ALL
    SELECT cp.partner_id, c.started_date, 'collaboration started', c.title, c.batch_id
    FROM collaborations c JOIN collaboration_partners cp USING (collaboration_id)
)
, held AS (
    SELECT ev.partner_id, ev.d, ev.what, ev.label
    FROM ev JOIN import_batches b USING (batch_id)
    WHERE ev.d BETWEEN $earliest AND $latest AND (b.created_at IS NULL OR ev.d <= b.created_at::DATE)
)
, cyc AS ({_CYCLE_SQL})
, refs AS (SELECT unnest($refs)::DATE AS ref)
, members AS (
    -- partners in scope and, per reference date, the collaboratives in scope they had joined by then
    SELECT refs.ref, m.partner_id, min(cyc.months) AS cycle_months,
           string_agg(CASE m.collab_id WHEN 'gender' THEN 'Gender' ELSE 'LNOB' END, ', ' ORDER BY m.collab_id)
               AS collaboratives
    FROM refs
    JOIN partner_memberships m ON (m.joined_date IS NULL OR m.joined_date <= refs.ref)
                              AND (m.left_date IS NULL OR m.left_date > refs.ref)   -- a former partner reports no more
    JOIN cyc USING (collab_id)
    WHERE m.partner_id IN (SELECT partner_id FROM sp) AND ($collab = 'both' OR m.collab_id = $collab)
    GROUP BY refs.ref, m.partner_id
)
"""


def partner_reports(db: Database, f: Filters, refs: Sequence[date]) -> pd.DataFrame:
    """For each reference date, each partner in scope that was a member of a collaborative
    in scope by then: its reporting cycle and its last report on or before that date.

    The collaborative and partner filters apply; country, tool and period filters do not
    (reporting is the partner's, wherever it works). Columns: ref, partner_id, partner
    (acronym or name), name, collaboratives ("Gender, LNOB"), cycle_months (the shortest
    cycle of its collaboratives in scope), last_report (None: nothing reported by then),
    last_what (activity / programme started / programme completed / collaboration
    started), last_label (its title, or country and support type). Sorted by ref, partner.
    """
    if not refs:
        return pd.DataFrame(columns=["ref", "partner_id", "partner", "name", "collaboratives", "cycle_months",
                                     "last_report", "last_what", "last_label"])
    return scoped(db, f.with_(period=ALL_TIME), _REPORTS_CTES + """
        , last AS (
            SELECT mb.ref, mb.partner_id, max(h.d) AS last_report, arg_max(h.what, (h.d, h.what, h.label)) AS last_what,
                   arg_max(h.label, (h.d, h.what, h.label)) AS last_label
            FROM members mb LEFT JOIN held h ON h.partner_id = mb.partner_id AND h.d <= mb.ref
            GROUP BY mb.ref, mb.partner_id
        )
        SELECT mb.ref, mb.partner_id, coalesce(p.acronym, p.name) AS partner, p.name, mb.collaboratives,
               mb.cycle_months, l.last_report, l.last_what, l.last_label
        FROM members mb
        JOIN partners p USING (partner_id)
        JOIN last l ON l.ref = mb.ref AND l.partner_id = mb.partner_id
        ORDER BY mb.ref, lower(coalesce(p.acronym, p.name))
    """, {"refs": list(refs), "earliest": clock.EARLIEST, "latest": clock.LATEST})


def reporting_cycles(db: Database) -> pd.DataFrame:
    """Each collaborative's reporting cycle in force. Columns: collab_id, name, months,
    set_at (UTC; NaT: the default, never changed), set_by."""
    return db.query(f"""
        WITH cyc AS ({_CYCLE_SQL})
        SELECT cyc.collab_id, cyc.name, cyc.months,
               (SELECT b.created_at FROM reporting_cycle_changes r JOIN import_batches b USING (batch_id)
                WHERE r.collab_id = cyc.collab_id ORDER BY r.batch_id DESC LIMIT 1) AS set_at,
               (SELECT b.editor FROM reporting_cycle_changes r JOIN import_batches b USING (batch_id)
                WHERE r.collab_id = cyc.collab_id ORDER BY r.batch_id DESC LIMIT 1) AS set_by
        FROM cyc ORDER BY cyc.collab_id
    """)


def cycle_changes(db: Database, limit: int = 500) -> pd.DataFrame:
    """Changes of reporting cycles made in the app, newest first. Columns: changed_at
    (UTC), editor, collab_id, collaborative, old_months, new_months, batch_id."""
    return db.query("""
        SELECT b.created_at AS changed_at, b.editor, r.collab_id, c.name AS collaborative, r.old_months,
               r.new_months, r.batch_id
        FROM reporting_cycle_changes r
        JOIN import_batches b USING (batch_id)
        JOIN collaboratives c USING (collab_id)
        ORDER BY r.batch_id DESC
        LIMIT ?
    """, [int(limit)])


def reporting_cycles_in(execute) -> dict[str, int]:
    """The cycle in force per collaborative, read through ``execute`` (a write batch's, so
    that a change reads what it replaces inside its own transaction)."""
    return {collab_id: int(months) for collab_id, _name, months in execute(_CYCLE_SQL)}
