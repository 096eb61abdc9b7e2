"""What the Overview page shows below the KPI tiles (the tiles come from
:mod:`collab_data.views.kpis`): activities per quarter by type, and the latest activities
with dates as a person reads them and no empty cell reading None."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from collab_data import labels
from collab_data.charts import overview as charts
from collab_data.db import Database
from collab_data.filters import Filters
from collab_data.queries import overview as Q

#: Columns of the latest-activities table, in order.
LATEST_COLUMNS = ["Date", "Title", "Type", "Collaborative", "Partners", "Countries", "Outcome"]


@dataclass(frozen=True)
class ActivityPanel:
    #: activities per quarter and type (for the chart: quarter_start, quarter, type_id, type, activities)
    timeline: pd.DataFrame
    #: every activity type label, so a type keeps its colour under any filter
    type_order: list[str]
    #: the timeline as downloaded
    timeline_csv: pd.DataFrame
    #: the latest activities as shown: dates "21 Sep 2026", "—" for what is not recorded
    latest: pd.DataFrame
    #: the same rows for the CSV (ISO dates, empty cells where nothing is recorded)
    latest_csv: pd.DataFrame


def activity_panel(db: Database, f: Filters, limit: int = 15) -> ActivityPanel:
    """The timeline and the ``limit`` latest activities in scope, newest first."""
    timeline = Q.activity_timeline(db, f)
    types = list(Q.activity_types(db)["label"])
    raw = Q.latest_activities(db, f, limit)
    csv = raw.rename(columns=dict(zip(raw.columns, LATEST_COLUMNS)))
    csv["Date"] = [pd.Timestamp(d).date().isoformat() for d in csv["Date"]]
    latest = csv.copy()
    latest["Date"] = [labels.person_date(d) for d in raw["date"]]
    for col in LATEST_COLUMNS[1:]:
        latest[col] = [labels.person_text(v) for v in latest[col]]
    return ActivityPanel(
        timeline=timeline, type_order=types,
        timeline_csv=timeline[["quarter", "type", "activities"]].rename(
            columns={"quarter": "Quarter", "type": "Activity type", "activities": "Activities"}),
        latest=latest, latest_csv=csv)


def timeline_chart(db: Database, f: Filters):
    """The "activities per quarter, by type" chart of the filters (an Altair chart; the page
    caches its finished spec per filters and data generation with ``runtime.cached_spec``)."""
    timeline = Q.activity_timeline(db, f)
    return charts.activity_timeline(timeline, list(Q.activity_types(db)["label"]))
