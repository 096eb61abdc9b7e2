"""Reporting cycles: how often each collaborative's partners report, changed by an
administrator through the single write path and kept in history.

:func:`set_cycle` checks the change (a known collaborative, one of the cycles of
:data:`collab_data.freshness.CYCLES`, different from the cycle in force) and writes it as
one ``'edit'`` import batch that adds a ``reporting_cycle_changes`` row with the old and
the new cycle. The cycle in force is the newest row's (quarterly while there is none), so
undoing the batch restores the cycle before it. A rejected change writes nothing. Who may
change cycles (admins only) is checked by :func:`collab_data.actions.set_cycle`.
"""

from __future__ import annotations

import json

import pandas as pd

from collab_data.db import Database, WriteRejected
from collab_data.freshness import CYCLES, cycle_name
from collab_data.queries import freshness as QF


class CycleRejected(WriteRejected):
    """A cycle change that is not valid; nothing was written."""


def _months(value) -> int:
    if isinstance(value, bool):
        raise CycleRejected(f"the cycle {value!r} is not a number of months")
    try:
        months = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise CycleRejected(f"the cycle {value!r} is not a number of months") from None
    if months not in CYCLES:
        raise CycleRejected(f"a reporting cycle of {months} months is not offered: choose one of "
                            + ", ".join(f"{m} ({cycle_name(m).lower()})" for m in CYCLES))
    return months


def set_cycle(db: Database, collab_id: str, months, *, editor: str) -> int:
    """Set a collaborative's reporting cycle; returns the id of the 'edit' batch.

    Raises :class:`CycleRejected` (nothing written) when the change is not valid or does
    not change anything.
    """
    if not editor or not str(editor).strip():
        raise CycleRejected("a cycle change needs the name of the editor who makes it")
    new = _months(months)
    cycles = QF.reporting_cycles(db).set_index("collab_id")
    if collab_id not in cycles.index:
        raise CycleRejected(f"unknown collaborative {collab_id!r}: use one of {', '.join(cycles.index)}")
    name = cycles.loc[collab_id, "name"]
    with db.write(kind="edit", source=f"Reporting cycle: {name}", editor=str(editor).strip(),
                  note=json.dumps({"collab_id": collab_id, "months": new})) as batch:
        # read the cycle in force inside the write, under its lock: a concurrent change cannot slip in between
        old = int(QF.reporting_cycles_in(batch.execute)[collab_id])
        if old == new:
            raise CycleRejected(f"the reporting cycle of the {name} is already {cycle_name(new).lower()}")
        batch.insert("reporting_cycle_changes", pd.DataFrame([{
            "collab_id": collab_id, "old_months": old, "new_months": new}]))
        batch.rows_imported = 1
        return batch.batch_id
