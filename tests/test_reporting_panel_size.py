"""The reporting-freshness table colours its Status cells through pandas' Styler only while
the table is small: the Styler formats every cell on every rerun, so a long table (a
collaborative of a thousand partners) is sent as the plain frame, its status still read from
the sign and the words."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from pandas.io.formats.style import Styler

from collab_data import freshness, ui
from collab_data.filters import Filters
from collab_data.views.freshness import COLUMNS, ReportingPanel


def panel(n: int) -> ReportingPanel:
    statuses = ["overdue"] * n
    table = pd.DataFrame({c: [None] * n for c in COLUMNS})
    table["Partner"] = [f"P{i}" for i in range(n)]
    table["Status"] = freshness.status_text("overdue")
    counts = {k: 0 for k in freshness.STATUS}
    counts["overdue"] = n
    return ReportingPanel(today=date(2025, 6, 30), counts=counts, total=n, headline="h", notes=["n"],
                          table=table, statuses=statuses)


@pytest.mark.parametrize("n, styled", [(3, True), (ui.STYLED_ROWS, True), (ui.STYLED_ROWS + 1, False)])
def test_status_colour_only_on_a_readable_table(monkeypatch, n, styled):
    sent = []
    monkeypatch.setattr(ui.st, "dataframe", lambda data, **kw: sent.append(data))
    monkeypatch.setattr(ui, "download", lambda *a, **kw: None)
    monkeypatch.setattr(ui.st, "columns", lambda k: [type("C", (), {"container": lambda *a, **kw: _Null()})()] * k)
    monkeypatch.setattr(ui.st, "markdown", lambda *a, **kw: None)
    monkeypatch.setattr(ui.st, "caption", lambda *a, **kw: None)
    ui.reporting_panel(panel(n), Filters(), key="t", full=True)
    assert len(sent) == 1
    assert isinstance(sent[0], Styler) is styled
    data = sent[0].data if styled else sent[0]
    assert len(data) == n and list(data.columns) == COLUMNS


class _Null:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def test_country_period_and_tool_filters_reuse_the_table_and_say_they_do_not_apply(sample_db_path):
    """Reporting is the partner's wherever it works: under a country, region, tool or period filter
    the panel is the same table (worked out once per collaborative and partner filters), with a note."""
    from collab_data.db import get_database
    from collab_data.views.freshness import reporting_panel

    sample_db = get_database(sample_db_path)
    today = date(2026, 11, 22)
    plain = reporting_panel(sample_db, Filters(), today)
    for f in (Filters(countries=("KEN",)), Filters(regions=("Sub-Saharan Africa",), tool_kinds=("methodology",)),
              Filters(period="2025")):
        scoped = reporting_panel(sample_db, f, today)
        assert scoped.table is plain.table, f
        assert scoped.counts == plain.counts
        assert any("do not apply" in n for n in scoped.notes) == (f.has_country_scope or bool(f.tool_kinds))
    lnob = reporting_panel(sample_db, Filters(collab="lnob"), today)
    assert lnob.table is not plain.table and len(lnob.table) < len(plain.table)
