"""The KPI views (collab_data.views.kpis): every KPI worst first, a "why" for each KPI that
misses its target, one definition of a collaborative meeting, the chart of KPIs against
targets, and status colours people can read (WCAG contrast)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from conftest import TODAY, open_tab

from collab_data import metrics, theme
from collab_data.charts import overview as charts
from collab_data.db import get_database
from collab_data.filters import Filters
from collab_data.views import kpis as VK

Q4 = date(2026, 10, 1)
RANK = {k: i for i, k in enumerate(VK.STATUS_ORDER)}


@pytest.fixture(scope="module")
def db(sample_db_path):
    return get_database(sample_db_path)


@pytest.fixture(scope="module")
def page(db):
    return VK.kpis_page(db, Filters(), "quarter", Q4, TODAY)


@pytest.fixture(scope="module")
def con(db):
    with db.cursor() as cur:
        yield cur


def _no_missing_words(frame: pd.DataFrame) -> None:
    for col in frame.columns:
        for v in frame[col]:
            assert not (v is None or (not isinstance(v, str) and pd.isna(v))), (col, v)
            assert str(v) not in ("None", "nan", "NaT", "<NA>"), (col, v)


# --------------------------------------------------------------------------------------
# Order
# --------------------------------------------------------------------------------------
def test_every_kpi_worst_first(db, page):
    kpis = VK.ordered_kpis(db, Filters(), "quarter", Q4)
    assert sorted(kpis["kpi_id"]) == sorted(metrics.PAGE_KPIS)
    ranks = [RANK[s] for s in kpis["status"]]
    assert ranks == sorted(ranks)
    # the sample's Q4 2026: three off track, two at risk, five on track
    assert list(kpis["status"]) == ["off_track"] * 3 + ["at_risk"] * 2 + ["on_track"] * 5
    assert set(kpis["kpi_id"][:3]) == {"knowledge_sharing", "meetings_held", "peer_reviews"}
    # within a status, the registry's order
    on = [k for k in kpis["kpi_id"] if kpis.set_index("kpi_id").loc[k, "status"] == "on_track"]
    assert on == [k for k in metrics.PAGE_KPIS if k in on]
    assert list(page.table["KPI"]) == list(kpis["name"])
    assert page.panel.summary == "3 Off track · 2 At risk · 5 On track"


def test_order_by_status_is_stable():
    df = pd.DataFrame({"kpi_id": list("abcde"),
                       "status": ["on_track", "no_data", "off_track", "at_risk", "off_track"]})
    assert list(VK.order_by_status(df)["kpi_id"]) == ["c", "e", "d", "a", "b"]


# --------------------------------------------------------------------------------------
# Why a KPI misses its target
# --------------------------------------------------------------------------------------
def test_each_missing_kpi_has_a_why(page):
    kpis = page.panel.kpis
    missing = list(kpis.loc[kpis["status"].isin(VK.MISSES), "kpi_id"])
    assert [w.kpi_id for w in page.panel.whys] == missing
    for w in page.panel.whys:
        assert w.headline and w.short, w.kpi_id
        assert "short)" in w.headline
        _no_missing_words(w.items)
    # on track KPIs have no why, and the table says so with an empty cell, not None
    table = page.table.set_index("KPI")
    assert table.loc["Tools in use", "Why it misses"] == ""
    _no_missing_words(page.table[["KPI", "Status", "Why it misses"]])


def test_why_countries_active_names_the_missing_countries(page, con):
    why = page.panel.why_of("countries_active")
    listed = set(why.items["Country"])
    assert listed == {"Uganda", "Haiti", "Mongolia", "Solomon Islands", "Laos"}
    # independently: countries with a programme recorded, none of which runs in Q4 2026
    expected = {r[0] for r in con.execute("""
        SELECT c.name FROM country_programs cp JOIN countries c USING (iso3)
        GROUP BY c.name
        HAVING NOT bool_or(cp.status IN ('active', 'completed', 'paused') AND cp.start_date <= DATE '2026-12-31'
                           AND coalesce(cp.end_date, DATE '9999-12-31') >= DATE '2026-10-01')
    """).fetchall()}
    assert listed == expected
    value = int(page.panel.kpis.set_index("kpi_id").loc["countries_active", "value"])
    assert value + len(listed) == con.execute("SELECT count(DISTINCT iso3) FROM country_programs").fetchone()[0]
    assert "Uganda" in why.short and "5 countries" in why.headline
    assert all(w.startswith(("programmes ended by", "planned")) for w in why.items["Why it is not counted"])


def test_why_partners_and_activities(page, con):
    partners = page.panel.why_of("partners_involved")
    assert list(partners.items["Partner"]) == ["DIHR"]
    assert partners.items["Last involved"].iloc[0] == "6 Aug 2026"
    ks = page.panel.why_of("knowledge_sharing")
    assert ks.items["Q4 2026"].sum() == 4 and ks.items["Q3 2026"].sum() == 6
    assert "knowledge exchange 3 → 1" in ks.headline
    reviews = page.panel.why_of("peer_reviews")
    assert reviews.items.empty and "none is recorded as under way" in reviews.headline
    assert "Below target in 4 of the last 8 quarters" in reviews.headline


def test_why_in_a_year_names_the_quarters_that_fell_short(db):
    panel = VK.kpis_page(db, Filters(period="2025"), "year", date(2025, 1, 1), TODAY).panel
    meetings = panel.why_of("meetings_held")
    assert meetings is not None
    assert "Quarters of 2025 below their quarterly target" in meetings.headline
    reviews = panel.why_of("peer_reviews")
    assert reviews is not None and list(reviews.items.columns) == ["Peer review", "Partners", "Started", "Ends"]


def test_filtered_view_has_no_why(db):
    panel = VK.overview(db, Filters(collab="lnob"), TODAY)
    assert panel.whys == [] and set(panel.kpis["status_label"]) <= {"Not compared", "No target", "No data"}


# --------------------------------------------------------------------------------------
# One definition of a collaborative meeting
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("collab, period_type, start", [
    ("both", "quarter", Q4), ("both", "year", date(2025, 1, 1)), ("gender", "half", date(2026, 1, 1)),
    ("lnob", "quarter", date(2026, 4, 1)),
])
def test_meeting_kpi_and_cadence_count_the_same_meetings(db, collab, period_type, start):
    f = Filters(collab=collab)
    kpi = metrics.compute_kpis(db, f, period_type, start, ("meetings_held",))
    cadence = metrics.meeting_cadence(db, f, period_type, start)
    assert int(kpi["value"].iloc[0]) == int(cadence["meetings_in_period"].sum())


def test_meeting_note_explains_off_track_next_to_on_rhythm(page):
    kpis = page.panel.kpis.set_index("kpi_id")
    assert kpis.loc["meetings_held", "status"] == "off_track"
    assert {c["status"] for c in page.cadence_cards} == {"on_rhythm"}
    note = page.panel.meeting_note
    assert note.startswith("Both count the same plenary meetings (2 in Q4 2026)")
    assert "target of 3" in note and "asks 1–3 meetings" in note
    why = page.panel.why_of("meetings_held")
    assert list(why.items["Rhythm"]) == ["On rhythm", "On rhythm"]
    assert "task team" in metrics.MEETING_DEFINITION


def test_cadence_table_reads_as_people_read_it(page):
    table = page.cadence_table
    assert table["Last plenary meeting"].tolist() == ["12 Oct 2026", "21 Oct 2026"]
    _no_missing_words(table)


# --------------------------------------------------------------------------------------
# KPIs against targets over time (pure chart builder)
# --------------------------------------------------------------------------------------
def test_history_and_chart(page):
    h = page.history
    assert len(h) == len(metrics.PAGE_KPIS) * metrics.SPARK_QUARTERS
    assert list(dict.fromkeys(h["kpi"])) == list(page.panel.kpis["name"])
    last = h[h["quarter"] == "Q4 2026"].set_index("kpi_id")
    assert last.loc["meetings_held", "value"] == 2 and last.loc["meetings_held", "target"] == 3
    assert last.loc["meetings_held", "status"] == "Off track"
    spec = charts.kpi_history(h).to_dict()
    assert spec["facet"]["field"] == "kpi" and spec["facet"]["sort"] == list(page.panel.kpis["name"])
    assert spec["resolve"]["scale"]["y"] == "independent"
    layers = spec["spec"]["layer"]
    assert [lay["mark"]["type"] for lay in layers] == ["line", "line", "point"]
    colour = layers[2]["encoding"]["color"]["scale"]
    assert dict(zip(colour["domain"], colour["range"]))["Off track"] == theme.STATUS["off_track"]["fill"]


def test_chart_leaves_missing_quarters_out():
    df = pd.DataFrame({"kpi": ["A", "A"], "quarter": ["Q1 2025", "Q2 2025"], "quarter_start": [date(2025, 1, 1),
                       date(2025, 4, 1)], "value": [float("nan"), 3.0], "target": [2.0, float("nan")],
                       "status": ["No data", "No target"], "status_fill": ["#9ca3af", "#9ca3af"]})
    spec = charts.kpi_history(df).to_dict()
    filters = [lay.get("transform", [{}])[0].get("filter") for lay in spec["spec"]["layer"]]
    assert filters == ["isValid(datum.target)", "isValid(datum.value)", "isValid(datum.value)"]


# --------------------------------------------------------------------------------------
# Status colours people can read
# --------------------------------------------------------------------------------------
def test_contrast_ratio_formula():
    assert theme.contrast_ratio("#000000") == pytest.approx(21.0)
    assert theme.contrast_ratio("#ffffff") == pytest.approx(1.0)
    assert theme.contrast_ratio("#E69F00") == pytest.approx(2.25, abs=0.01)  # the old At risk text


@pytest.mark.parametrize("name, disp", [*theme.STATUS.items(), *metrics.CADENCE_STATUS.items(),
                                        ("no_data", metrics.status_display("no_data")),
                                        ("not_compared", metrics.status_display("no_target", 5.0, False))])
def test_every_status_text_colour_has_wcag_aa_contrast(name, disp):
    assert theme.contrast_ratio(disp["color"]) >= theme.MIN_TEXT_CONTRAST, name
    # on the tinted pill of Overview too
    tint = theme.tint(disp.get("fill", disp["color"]), 0.12)
    assert theme.contrast_ratio(disp["color"], tint) >= theme.MIN_TEXT_CONTRAST, name


def test_fills_keep_the_colour_blind_safe_hues():
    assert [theme.STATUS[k]["fill"] for k in ("on_track", "at_risk", "off_track")] == [
        "#009E73", "#E69F00", "#D55E00"]
    assert all(theme.STATUS[k]["fill"] in theme.CATEGORICAL for k in ("on_track", "at_risk", "off_track"))


# --------------------------------------------------------------------------------------
# The pages (AppTest)
# --------------------------------------------------------------------------------------
def test_overview_lists_every_kpi_off_track_first(app_test, sample_db_path):
    at = app_test(sample_db_path, "pages/overview.py")
    assert not at.exception, at.exception
    labels = [m.label for m in at.metric]
    assert sorted(labels) == sorted(metrics.KPIS[k].name for k in metrics.PAGE_KPIS)
    assert labels[:3] == ["Knowledge-sharing activities", "Collaborative meetings held", "Peer reviews completed"]
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Why") and "Uganda" in c for c in captions)
    assert any("3 Off track · 2 At risk · 5 On track" in m.value for m in at.markdown)
    assert any(e.label.startswith("Why 5 KPIs miss their target") for e in at.expander)


def test_kpis_page_shows_whys_chart_and_meeting_note(app_test, sample_db_path):
    at = app_test(sample_db_path, "pages/kpis.py")
    assert not at.exception, at.exception
    expanders = [e.label for e in at.expander]
    assert "Why Countries with active programmes is at risk" in expanders
    assert "Why Collaborative meetings held is off track" in expanders
    table = next(d.value for d in at.dataframe if "Why it misses" in d.value.columns)
    assert table["Status"].iloc[0] == "🔴 Off track"
    note = "Both count the same plenary meetings"
    assert note in " ".join(c.value for c in at.caption), "next to the KPI"
    open_tab(at, "kpi_tab", VK.TABS["cadence"])
    assert note in " ".join(c.value for c in at.caption), "and next to the cadence panel"
    open_tab(at, "kpi_tab", VK.TABS["history"])
    assert len(at.get("vega_lite_chart")) >= 1
