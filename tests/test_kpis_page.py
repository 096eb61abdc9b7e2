"""The "KPIs & targets" page (AppTest): the values shown are the metric functions' and an
independent SQL's; the period selectors drive the shared period; only an admin changes a
target, and the status and the history on the page follow."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import open_tab as open_tab_in
from editors import ADMIN_CODE, PARIS_CODE, make_editor_app, sign_in
from streamlit.testing.v1 import AppTest
from test_metrics import independent_kpis

from collab_data import actions, metrics
from collab_data.db import WriteRejected, get_database
from collab_data.filters import Filters
from collab_data.views import kpis as VK

PAGE = "pages/kpis.py"


@pytest.fixture(scope="module")
def con(sample_db_path):
    with get_database(sample_db_path).cursor() as cur:
        yield cur


def make_app(hashes, db_path, monkeypatch, **query) -> AppTest:
    at = make_editor_app(hashes, PAGE, db_path, monkeypatch, **query)
    assert [t.value for t in at.title] == ["KPIs & targets"]
    return at


def open_tab(at: AppTest, key: str) -> AppTest:
    """Open a tab of the page (only the open tab is worked out and drawn)."""
    open_tab_in(at, "kpi_tab", VK.TABS[key])
    return at


def kpi_table(at: AppTest):
    return next(d.value for d in at.dataframe if "How it is counted" in d.value.columns)


def shown(at: AppTest) -> dict[str, int | None]:
    table = kpi_table(at)
    names = {spec.name: k for k, spec in metrics.KPIS.items()}
    return {names[r.KPI]: (None if r.Value is None or r.Value != r.Value else int(r.Value))
            for r in table.itertuples()}


def statuses(at: AppTest) -> dict[str, str]:
    names = {spec.name: k for k, spec in metrics.KPIS.items()}
    return {names[r.KPI]: r.Status for r in kpi_table(at).itertuples()}


def _meetings(con, start: date, end: date, collab: str | None = None) -> int:
    where = f" AND collab_id = '{collab}'" if collab else ""
    return con.execute("SELECT count(*) FROM activities WHERE type_id = 'meeting' AND collab_id IS NOT NULL "
                       f"AND team_id IS NULL AND start_date BETWEEN ? AND ?{where}", [start, end]).fetchone()[0]


def test_default_view_equals_metrics_and_independent_sql(hashes, sample_db_path, con, monkeypatch):
    at = make_app(hashes, sample_db_path, monkeypatch)
    assert any("KPIs · Q4 2026 (to 19 Nov 2026), compared with Q3 2026" in s.value for s in at.subheader)
    got = shown(at)
    # every KPI, worst first (was the registry's order: Overview and the page now put Off track first)
    assert sorted(got) == sorted(metrics.PAGE_KPIS)
    rank = {"🔴 Off track": 0, "🟠 At risk": 1, "🟢 On track": 2}
    order = [rank.get(s, 3) for s in statuses(at).values()]
    assert order == sorted(order)
    expected = metrics.compute_kpis(get_database(sample_db_path), Filters(), "quarter", date(2026, 10, 1),
                                    metrics.PAGE_KPIS)
    assert got == {r.kpi_id: int(r.value) for r in expected.itertuples()}
    independent = independent_kpis(con, date(2026, 10, 1), date(2026, 12, 31))
    assert {k: got[k] for k in independent} == independent
    assert got["meetings_held"] == _meetings(con, date(2026, 10, 1), date(2026, 12, 31))
    # status in words (and a coloured sign) against the quarter's targets
    targets = dict(con.execute("SELECT kpi_id, target FROM kpi_targets WHERE period_type = 'quarter' "
                               "AND period_start = DATE '2026-10-01'").fetchall())
    for kid, text in statuses(at).items():
        share = got[kid] / targets[kid]
        assert text == ("🟢 On track" if share >= 1 else "🟠 At risk" if share >= 0.8 else "🔴 Off track"), kid
    assert "dl_kpi_table" in {b.key for b in at.get("download_button")}
    # only the open tab is worked out and drawn: no cadence, collaborations or targets yet
    assert [s.value for s in at.subheader] == ["KPIs · Q4 2026 (to 19 Nov 2026), compared with Q3 2026"]
    assert not at.metric and "dl_cadence" not in {b.key for b in at.get("download_button")}
    # the cadence panel and the new-collaborations breakdown, each in its tab
    open_tab(at, "cadence")
    texts = " ".join(m.value for m in at.markdown)
    assert "Gender data collaborative" in texts and "On rhythm" in texts
    assert "dl_cadence" in {b.key for b in at.get("download_button")}
    open_tab(at, "new")
    metrics_shown = {m.label: m.value for m in at.metric}
    assert int(metrics_shown["New collaborations (KPI)"]) == got["new_collaborations"]
    assert int(metrics_shown["Recorded collaborations"]) + int(metrics_shown["First-time partner pairs"]) \
        == got["new_collaborations"]
    assert {"dl_recorded", "dl_pairs"} <= {b.key for b in at.get("download_button")}
    # visitors see no target editor, only how to sign in
    open_tab(at, "targets")
    assert not [b for b in at.button if b.key == "target_save"] and len(at.number_input) == 0
    assert any("needs an administrator sign-in" in i.value for i in at.info)
    # the tab is in the address: a link opens it
    linked = make_app(hashes, sample_db_path, monkeypatch, kpi_tab=VK.TABS["cadence"])
    assert [s.value for s in linked.subheader] == ["Meeting cadence"]


def test_filtered_year_view_and_period_selectors(hashes, sample_db_path, con, monkeypatch):
    at = make_app(hashes, sample_db_path, monkeypatch, period="2025", collab="LNOB")
    assert any("KPIs · 2025, compared with 2024" in s.value for s in at.subheader)
    got = shown(at)
    expected = independent_kpis(con, date(2025, 1, 1), date(2025, 12, 31), collab="lnob")
    assert {k: got[k] for k in expected} == expected
    assert got["meetings_held"] == _meetings(con, date(2025, 1, 1), date(2025, 12, 31), "lnob")
    f = Filters(collab="lnob", period="2025")
    assert got == {r.kpi_id: int(r.value) for r in metrics.compute_kpis(
        get_database(sample_db_path), f, "year", date(2025, 1, 1), metrics.PAGE_KPIS).itertuples()}
    # a filtered view is not judged against the targets of both collaboratives
    assert set(statuses(at).values()) == {"⚪ Not compared"}
    open_tab(at, "cadence")
    cadence = next(d.value for d in at.dataframe if "Expected rhythm" in d.value.columns)
    assert list(cadence["Collaborative"]) == ["Leave No One Behind data collaborative"]
    open_tab(at, "kpis")
    # the page's selectors set the shared period (sidebar and link)
    at.radio(key="kpi_period_type").set_value("quarter").run()
    assert not at.exception, at.exception
    assert at.session_state["period"] == "2025-Q4"
    at.selectbox(key="kpi_period").set_value("2025-Q2").run()
    assert at.session_state["period"] == "2025-Q2"
    assert any("KPIs · Q2 2025, compared with Q1 2025" in s.value for s in at.subheader)
    assert shown(at)["knowledge_sharing"] == independent_kpis(con, date(2025, 4, 1), date(2025, 6, 30),
                                                              collab="lnob")["knowledge_sharing"]


def test_empty_database_explains(hashes, empty_db_path, monkeypatch):
    at = make_app(hashes, empty_db_path, monkeypatch)
    # no KPI, only the reporting cycles (which exist before any record)
    assert len(at.metric) == 0
    assert [list(d.value.columns) for d in at.dataframe] == [["Collaborative", "Reporting cycle", "Set"]]
    info = " ".join(i.value for i in at.info)
    assert "No activities, country programmes or collaborations recorded yet" in info
    assert "No target has been changed" in " ".join(c.value for c in at.caption)


def test_partner_editor_cannot_change_targets(hashes, db_copy, monkeypatch):
    at = open_tab(make_app(hashes, db_copy, monkeypatch), "targets")
    sign_in(at, "PARIS21 data lead", PARIS_CODE)
    assert any("Only an administrator can change targets" in i.value for i in at.info)
    assert not [b for b in at.button if b.key == "target_save"] and len(at.number_input) == 0
    db = get_database(db_copy)
    before = db.table_checksums()
    editor = at.session_state["_editor"]
    assert editor.partner_id == "paris21"
    with pytest.raises(WriteRejected, match="only an administrator"):
        actions.set_target("knowledge_sharing", "quarter", date(2026, 10, 1), 1, editor, today=date(2026, 11, 22))
    assert db.table_checksums() == before


def test_admin_changes_a_target_and_the_page_follows(hashes, db_copy, monkeypatch):
    at = make_app(hashes, db_copy, monkeypatch)
    before = statuses(at)["knowledge_sharing"]
    value = shown(at)["knowledge_sharing"]
    assert before != "🟢 On track"  # the sample's Q4 2026 falls short of its target of 6
    open_tab(at, "targets")
    sign_in(at, "Secretariat", ADMIN_CODE)
    at.selectbox(key="target_kpi").set_value("knowledge_sharing").run()
    assert "Current target of **Knowledge-sharing activities** for Q4 2026: **6**" in " ".join(c.value for c in at.caption)
    at.number_input(key="target_value_knowledge_sharing_2026-Q4").set_value(float(value)).run()
    next(b for b in at.button if b.key == "target_save").click()
    at.run()
    assert not at.exception, at.exception
    assert any("set to" in s.value for s in at.success)
    history = next(d.value for d in at.dataframe if "Old target" in d.value.columns)
    assert history[["Editor", "KPI", "Period", "Old target", "New target"]].values.tolist() == [
        ["Secretariat", "Knowledge-sharing activities", "Q4 2026", 6.0, float(value)]]
    assert get_database(db_copy).rows("SELECT count(*) FROM kpi_target_changes") == [(1,)]
    open_tab(at, "kpis")
    assert statuses(at)["knowledge_sharing"] == "🟢 On track"
    assert kpi_table(at).set_index("KPI").loc["Knowledge-sharing activities", "Target"] == value
    open_tab(at, "targets")
    # an invalid change is refused on the page too, and writes nothing
    at.number_input(key="target_value_knowledge_sharing_2026-Q4").set_value(float(value)).run()
    next(b for b in at.button if b.key == "target_save").click()
    at.run()
    assert any("The target was not changed" in e.value and "already" in e.value for e in at.error)
    assert get_database(db_copy).rows("SELECT count(*) FROM kpi_target_changes") == [(1,)]
