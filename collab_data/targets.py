"""KPI targets: validated changes through the single write path, kept in history.

A target belongs to one KPI and one period (a quarter, half-year or year, keyed by its
first day). :func:`set_target` checks the change (a known KPI, a period start that is the
first day of such a period, a non-negative finite number that differs from the current
target), then writes it as one ``'edit'`` import batch: the ``kpi_targets`` row is
rewritten (or added) and one ``kpi_target_changes`` row keeps the old and the new value.
A rejected change writes nothing. Who may change targets (admins only) is checked by
:func:`collab_data.actions.set_target`; the history is read by
:func:`collab_data.queries.overview.target_changes`.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from numbers import Real

import pandas as pd

from collab_data import clock
from collab_data.db import Database, WriteRejected
from collab_data.metrics import KPIS, PERIOD_TYPES, Period

#: The largest target accepted (a guard against typing errors: KPIs count dozens, not millions).
MAX_TARGET = 100_000


class TargetRejected(WriteRejected):
    """A target change that is not valid; nothing was written."""


def _as_date(value) -> date:
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise TargetRejected(f"the period start {value} must be a date, not a time of day")
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise TargetRejected(f"the period start {value!r} is not a date (use YYYY-MM-DD)")


def parse_target(value) -> float:
    """A target as a finite number from 0 to :data:`MAX_TARGET` (text with thousands
    separators too), or :class:`TargetRejected` saying what is wrong."""
    if isinstance(value, bool) or value is None:
        raise TargetRejected(f"the target {value!r} is not a number")
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", ""))
        except ValueError:
            raise TargetRejected(f"the target {value!r} is not a number") from None
    if not isinstance(value, Real):
        raise TargetRejected(f"the target {value!r} is not a number")
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        raise TargetRejected("the target must be a finite number")
    if number < 0:
        raise TargetRejected(f"the target must not be negative (got {number:g})")
    if number > MAX_TARGET:
        raise TargetRejected(f"the target {number:g} is larger than {MAX_TARGET:,}: check the number")
    return number


def validate(db: Database, kpi_id: str, period_type: str, period_start, target,
             today: date | None = None) -> tuple[str, Period, float]:
    """Check a target change; returns (kpi_id, period, target) or raises :class:`TargetRejected`.

    The period must start inside :func:`collab_data.clock.date_window` of ``today`` (the
    app's clock when not given)."""
    if kpi_id not in KPIS:
        raise TargetRejected(f"unknown KPI {kpi_id!r}")
    if not db.scalar("SELECT count(*) FROM kpis WHERE kpi_id = ?", [kpi_id]):
        raise TargetRejected(f"the KPI {kpi_id!r} is not in this database's list of KPIs")
    if period_type not in PERIOD_TYPES:
        raise TargetRejected(f"unknown period type {period_type!r}: use one of {', '.join(PERIOD_TYPES)}")
    start = _as_date(period_start)
    if not Period.is_aligned(period_type, start):
        first_days = {"quarter": "1 January, 1 April, 1 July or 1 October", "half": "1 January or 1 July",
                      "year": "1 January"}[period_type]
        raise TargetRejected(f"a {PERIOD_TYPES[period_type].lower()} starts on {first_days}, not on {start:%d %B %Y}")
    today = today or clock.today()
    lo, hi = clock.date_window(today)
    if not lo <= start <= hi:
        raise TargetRejected(f"targets can be set for periods starting {clock.window_text(today)}, "
                             f"not {start.isoformat()}")
    return kpi_id, Period(period_type, start), parse_target(target)


def current_target(db: Database, kpi_id: str, period_type: str, period_start: date) -> float | None:
    """The target of one KPI and period, or None when none is set."""
    value = db.scalar("SELECT target FROM kpi_targets WHERE kpi_id = ? AND period_type = ? AND period_start = ?",
                      [kpi_id, period_type, period_start])
    return None if value is None else float(value)


def set_target(db: Database, kpi_id: str, period_type: str, period_start, target, *, editor: str,
               today: date | None = None) -> int:
    """Set the target of one KPI for one period; returns the id of the 'edit' batch.

    Raises :class:`TargetRejected` (nothing written) when the change is not valid or does
    not change anything. Permissions are the caller's business (see ``actions``).
    """
    if not editor or not str(editor).strip():
        raise TargetRejected("a target change needs the name of the editor who makes it")
    kpi_id, period, value = validate(db, kpi_id, period_type, period_start, target, today)
    note = json.dumps({"partner": None, "records": "kpi_targets", "kpi_id": kpi_id, "period_type": period.type,
                       "period_start": period.start.isoformat(), "target": value})
    return write_targets(db, [(kpi_id, period, value)], editor=editor,
                         source=f"KPI target: {KPIS[kpi_id].name}, {period.label}", note=note)


def write_targets(db: Database, changes: list[tuple[str, Period, float]], *, editor: str, source: str,
                  kind: str = "edit", sha256: str | None = None, rows_read: int | None = None,
                  note: str | None = None) -> int:
    """Write validated target changes ``(kpi_id, period, target)`` in one batch; returns its id.

    Each ``kpi_targets`` row is added or rewritten (then it carries this batch), and one
    ``kpi_target_changes`` row per change keeps the old and the new value; the record
    history keeps what an undo puts back. Used by :func:`set_target` (one change, an
    'edit' batch) and by a file of targets (:mod:`collab_data.records.targets`). Raises
    :class:`TargetRejected`, with nothing written, when a change does not change anything
    (checked inside the transaction), when a KPI and period come twice, or when the
    database keeps only one change per batch and there are several.
    """
    if not editor or not str(editor).strip():
        raise TargetRejected("a target change needs the name of the editor who makes it")
    if not changes:
        raise TargetRejected("there is no target to change")
    keys = [(k, p.type, p.start) for k, p, _ in changes]
    if len(set(keys)) < len(keys):
        raise TargetRejected("the same KPI and period are set twice")
    with db.write(kind=kind, source=source, sha256=sha256, rows_read=rows_read, editor=str(editor).strip(),
                  note=note) as batch:
        history = []
        for kpi_id, period, value in changes:
            key = [kpi_id, period.type, period.start]
            old_rows = batch.execute(
                "SELECT target FROM kpi_targets WHERE kpi_id = ? AND period_type = ? AND period_start = ?", key)
            old = float(old_rows[0][0]) if old_rows else None
            if old is not None and old == value:
                raise TargetRejected(f"the target of {KPIS[kpi_id].name} for {period.label} is already {value:g}")
            # through the history of changes, so that undoing the batch puts the old target back
            if old is None:
                batch.add("kpi_targets", {"kpi_id": kpi_id, "period_type": period.type, "period_start": period.start,
                                          "target": value, "is_sample": False})
            else:
                batch.update("kpi_targets", {"kpi_id": kpi_id, "period_type": period.type,
                                             "period_start": period.start},
                             {"target": value, "is_sample": False}, restamp=True)
            history.append({"kpi_id": kpi_id, "period_type": period.type, "period_start": period.start,
                            "old_target": old, "new_target": value})
        batch.insert("kpi_target_changes", pd.DataFrame(history))
        batch.rows_imported = len(changes)
        return batch.batch_id
