"""The Overview page (AppTest on the sample and the empty database) and its chart builder."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest
from test_metrics import independent_kpis

from collab_data import metrics, theme
from collab_data.charts import overview as charts
from collab_data.db import get_database

PAGE = "pages/overview.py"


@pytest.fixture(scope="module")
def con(sample_db_path):
    with get_database(sample_db_path).cursor() as cur:
        yield cur


def _tiles(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _expected_tiles(expected: dict[str, int]) -> dict[str, str]:
    return {metrics.KPIS[k].name: str(v) for k, v in expected.items()}


def _status_lines(at) -> list[str]:
    """The status line under each tile, as plain text."""
    lines = [re.sub(r"<[^>]+>", "", m.value) for m in at.markdown if "target" in m.value and "<span" in m.value]
    return [re.sub(r"\s+", " ", s.replace("&nbsp;", " ")).strip() for s in lines]


def test_default_view_shows_latest_quarter_against_targets(app_test, sample_db_path, con):
    at = app_test(sample_db_path, PAGE)
    assert not at.exception, at.exception
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "Data as of 19 November 2026" in text
    assert any("Q4 2026 (to 19 Nov 2026), compared with Q3 2026" in s.value for s in at.subheader)
    expected = independent_kpis(con, date(2026, 10, 1), date(2026, 12, 31))
    # Overview now shows every KPI (it showed 6 and left out the ones off track): compare those an
    # independent SQL covers, and check that all of them are there
    tiles = _tiles(at)
    assert set(tiles) == {metrics.KPIS[k].name for k in metrics.PAGE_KPIS}
    assert {n: tiles[n] for n in _expected_tiles(expected)} == _expected_tiles(expected)
    ids = {metrics.KPIS[k].name: k for k in metrics.PAGE_KPIS}
    shown_ids = [ids[m.label] for m in at.metric]
    # deltas against Q3 2026
    before = independent_kpis(con, date(2026, 7, 1), date(2026, 9, 30))
    deltas = {ids[m.label]: m.delta for m in at.metric}
    assert {k: deltas[k] for k in expected} == {k: str(expected[k] - before[k]) for k in expected}
    # status in words, against the quarter's targets, worst first
    targets = dict(con.execute("SELECT kpi_id, target FROM kpi_targets WHERE period_type = 'quarter' "
                               "AND period_start = DATE '2026-10-01'").fetchall())
    lines = _status_lines(at)
    assert len(lines) == len(metrics.PAGE_KPIS)
    words = []
    for line, kid in zip(lines, shown_ids):
        word = re.search(r"(On track|At risk|Off track)", line).group(1)
        words.append(word)
        assert line.endswith(f"{word} target {targets[kid]:g}"), line
        if kid in expected:
            share = expected[kid] / targets[kid]
            assert word == ("On track" if share >= 1 else "At risk" if share >= 0.8 else "Off track"), kid
    rank = {"Off track": 0, "At risk": 1, "On track": 2}
    assert [rank[w] for w in words] == sorted(rank[w] for w in words)
    assert words[0] == "Off track"
    # every KPI explains its formula
    assert all(m.proto.help.startswith(metrics.KPIS[k].formula[:40]) for m, k in zip(at.metric, shown_ids))


def test_filters_from_url_gender_kenya_uganda_2025(app_test, sample_db_path, con):
    at = app_test(sample_db_path, PAGE, period="2025", collab="Gender", country=["Kenya", "Uganda"])
    assert not at.exception, at.exception
    assert at.session_state["country"] == ["KEN", "UGA"] and at.session_state["period"] == "2025"
    expected = independent_kpis(con, date(2025, 1, 1), date(2025, 12, 31), collab="gender", countries=("KEN", "UGA"))
    assert {n: _tiles(at)[n] for n in _expected_tiles(expected)} == _expected_tiles(expected)
    assert any("2025, compared with 2024" in s.value for s in at.subheader)
    # a filtered view is not judged against the targets of both collaboratives
    assert all(re.fullmatch(r"– Not compared overall target \d+", line) for line in _status_lines(at)), _status_lines(at)


def test_filters_from_url_quarter_and_partner(app_test, sample_db_path, con):
    at = app_test(sample_db_path, PAGE, period="Q2 2025", partner=["PARIS21", "GPSDD"])
    assert not at.exception, at.exception
    assert at.session_state["period"] == "2025-Q2"
    expected = independent_kpis(con, date(2025, 4, 1), date(2025, 6, 30), partners=("gpsdd", "paris21"))
    assert {n: _tiles(at)[n] for n in _expected_tiles(expected)} == _expected_tiles(expected)


def test_latest_activities_match_sql(app_test, sample_db_path, con):
    at = app_test(sample_db_path, PAGE, collab="LNOB", period="2026")
    assert not at.exception, at.exception
    shown = next(d.value for d in at.dataframe if "Title" in d.value.columns)
    expected = con.execute("""
        SELECT a.start_date, a.title, t.label,
               (SELECT string_agg(coalesce(p.acronym, p.name), '; ' ORDER BY coalesce(p.acronym, p.name))
                  FROM activity_partners ap JOIN partners p ON p.partner_id = ap.partner_id
                  WHERE ap.activity_id = a.activity_id),
               (SELECT string_agg(c.name, '; ' ORDER BY c.name) FROM activity_countries ac
                  JOIN countries c ON c.iso3 = ac.iso3 WHERE ac.activity_id = a.activity_id),
               a.outcome
        FROM activities a JOIN activity_types t ON t.type_id = a.type_id
        WHERE a.collab_id = 'lnob' AND year(a.start_date) = 2026
          AND EXISTS (SELECT 1 FROM activity_partners ap JOIN partner_memberships m ON m.partner_id = ap.partner_id
                      WHERE ap.activity_id = a.activity_id AND m.collab_id = 'lnob')
        ORDER BY a.start_date DESC, a.activity_id DESC
        LIMIT 15
    """).fetchall()
    # readable column names, dates as a person reads them, "—" for what is not recorded (the table
    # showed ISO-typed dates and None before; the CSV keeps ISO dates)
    assert len(shown) == len(expected) == 15
    assert list(shown.columns) == ["Date", "Title", "Type", "Collaborative", "Partners", "Countries", "Outcome"]
    for row, exp in zip(shown.itertuples(index=False), expected):
        assert row.Date == f"{exp[0].day} {exp[0]:%b %Y}"
        assert (row.Title, row.Type, row.Collaborative) == (exp[1], exp[2], "LNOB")
        assert row.Partners == exp[3]
        assert row.Countries == (exp[4] if exp[4] is not None else "—")
        assert row.Outcome == (exp[5] if exp[5] is not None else "—")
    # every table and the chart can be downloaded
    assert len(at.get("download_button")) >= 3


def test_empty_database_explains_instead_of_zero_tiles(app_test, empty_db_path):
    at = app_test(empty_db_path, PAGE)
    assert not at.exception, at.exception
    assert len(at.metric) == 0
    assert len(at.dataframe) == 0
    info = " ".join(i.value for i in at.info)
    assert "No activities, country programmes or collaborations recorded yet" in info
    assert "CSV upload" in info  # how to add them


# --------------------------------------------------------------------------------------
# Chart builder (pure)
# --------------------------------------------------------------------------------------
def test_activity_timeline_chart():
    types = ["Collaborative meeting", "Knowledge exchange", "Peer review"]
    df = pd.DataFrame({
        "quarter_start": [date(2025, 1, 1), date(2025, 1, 1), date(2025, 7, 1)],
        "quarter": ["Q1 2025", "Q1 2025", "Q3 2025"],
        "type": ["Knowledge exchange", "Peer review", "Collaborative meeting"],
        "activities": [2, 1, 4],
    })
    spec = charts.activity_timeline(df, types).to_dict()
    enc = spec["encoding"]
    assert spec["mark"]["type"] == "bar"
    assert enc["x"]["field"] == "quarter"
    # the empty quarter in between stays on the axis
    assert enc["x"]["scale"]["domain"] == ["Q1 2025", "Q2 2025", "Q3 2025"]
    assert enc["y"]["field"] == "activities" and enc["y"]["aggregate"] == "sum"
    assert enc["color"]["field"] == "type"
    assert enc["color"]["scale"]["domain"] == types
    assert enc["color"]["scale"]["range"] == theme.CATEGORICAL[:3]
    assert {t["field"] for t in enc["tooltip"]} == {"quarter", "type", "activities"}


def test_quarter_labels():
    assert charts.quarter_labels(date(2024, 11, 5), date(2025, 2, 1)) == ["Q4 2024", "Q1 2025"]
