"""The Partners & tools page: catalogue search, partner and tool profiles, tool pipeline.

Expectations are computed here with plain SQL on the sample database, independently of
``collab_data.queries.catalogue``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from conftest import open_tab as open_tab_in

from collab_data.charts import catalogue as charts
from collab_data.db import get_database
from collab_data.views import partners as VP

PAGE = "pages/partners.py"
ROOT = Path(__file__).resolve().parent.parent


def sql(db_path, query: str, params=None) -> pd.DataFrame:
    """Plain SQL on the database file (through the process's one connection to it)."""
    return get_database(db_path).query(query, params)


def open_tab(at, key: str):
    """Open a tab of the page (only the open tab is worked out and drawn)."""
    open_tab_in(at, "pt_tab", VP.TABS[key])
    return at


def table_with(at, *columns: str) -> pd.DataFrame:
    for df in at.dataframe:
        if all(c in df.value.columns for c in columns):
            return df.value
    raise AssertionError(f"no table with columns {columns}")


def tables_with(at, *columns: str) -> list[pd.DataFrame]:
    return [df.value for df in at.dataframe if all(c in df.value.columns for c in columns)]


def pipeline_data(at) -> pd.DataFrame:
    for el in at.get("vega_lite_chart"):
        spec = json.loads(el.proto.spec)
        frames = [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in el.proto.datasets]
        for frame in frames:
            if {"stage", "kind", "tools"} <= set(frame.columns):
                return frame
        assert spec
    raise AssertionError("no pipeline chart")


SCOPES = {
    # label -> (URL parameters, SQL of the partners in view, SQL of the tools in view, SQL of programmes in view)
    "all": (
        {},
        "SELECT partner_id FROM partners",
        "SELECT tool_id FROM tools",
        "SELECT * FROM country_programs",
    ),
    "lnob_methodology_2025": (
        {"collab": "LNOB", "tool_kind": ["methodology"], "period": "2025"},
        "SELECT partner_id FROM partner_memberships WHERE collab_id = 'lnob'",
        "SELECT tool_id FROM tools WHERE kind = 'methodology' AND tool_id IN (SELECT tool_id FROM tool_owners "
        "WHERE partner_id IN (SELECT partner_id FROM partner_memberships WHERE collab_id = 'lnob'))",
        "SELECT * FROM country_programs WHERE partner_id IN (SELECT partner_id FROM partner_memberships "
        "WHERE collab_id = 'lnob') AND tool_id IN (SELECT tool_id FROM tools WHERE kind = 'methodology') "
        "AND start_date <= DATE '2025-12-31' AND coalesce(end_date, DATE '9999-12-31') >= DATE '2025-01-01'",
    ),
}


@pytest.fixture(scope="module", params=list(SCOPES))
def page(request, sample_db_path):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from collab_data.db import DB_ENV

    mp = pytest.MonkeyPatch()
    mp.setenv(DB_ENV, str(sample_db_path))
    st.cache_data.clear()
    query, partners_sql, tools_sql, progs_sql = SCOPES[request.param]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in {**query, "pt_partner": "UNICEF", "pt_tool": "Child Functioning Module"}.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(PAGE)
    at.run()
    yield at, partners_sql, tools_sql, progs_sql
    mp.undo()
    st.cache_data.clear()


def test_runs_without_exception(page):
    at, *_ = page
    assert not at.exception, at.exception
    assert at.title[0].value == "Partners & tools"


def test_catalogue_lists_partners_and_tools_in_scope(page, sample_db_path):
    at, partners_sql, tools_sql, progs_sql = page
    partners = table_with(open_tab(at, "partners"), "Partner", "Headquarters")
    assert not tables_with(at, "Tool", "LNOB dimensions"), "only the open tab is drawn"
    tools = table_with(open_tab(at, "tools"), "Tool", "LNOB dimensions")
    exp_p = sql(sample_db_path, f"SELECT coalesce(acronym, name) AS label, name FROM partners "
                                f"WHERE partner_id IN ({partners_sql})")
    exp_t = sql(sample_db_path, f"SELECT name FROM tools WHERE tool_id IN ({tools_sql})")
    assert sorted(partners["Name"]) == sorted(exp_p["name"])
    assert sorted(tools["Tool"]) == sorted(exp_t["name"])
    # programme counts per partner follow the filters
    n = sql(sample_db_path, f"SELECT p.name, count(cp.program_id) AS n FROM partners p "
                            f"LEFT JOIN ({progs_sql}) cp ON cp.partner_id = p.partner_id GROUP BY 1")
    expected = dict(zip(n["name"], n["n"], strict=True))
    assert {r["Name"]: r["Programmes"] for _, r in partners.iterrows()} == {k: expected[k] for k in partners["Name"]}


def test_partner_profile_matches_sql(page, sample_db_path):
    at, partners_sql, tools_sql, progs_sql = page
    open_tab(at, "partner")
    assert at.selectbox(key="pt_partner").value == "unicef"
    tools = table_with(at, "Tool", "Co-owners")
    exp_tools = sql(sample_db_path, f"SELECT t.name FROM tools t JOIN tool_owners o USING (tool_id) "
                                    f"WHERE o.partner_id = 'unicef' AND t.tool_id IN ({tools_sql})")
    assert sorted(tools["Tool"]) == sorted(exp_tools["name"])
    countries = table_with(at, "Country", "Other partners there")
    exp = sql(sample_db_path, f"SELECT c.name, count(*) AS n FROM ({progs_sql}) cp JOIN countries c USING (iso3) "
                              f"WHERE cp.partner_id = 'unicef' GROUP BY 1")
    assert dict(zip(countries["Country"], countries["Programmes"], strict=True)) == dict(
        zip(exp["name"], exp["n"], strict=True))
    programmes = table_with(at, "Programme", "Support")
    assert len(programmes) == exp["n"].sum()
    # who else works in those countries (within the same filters)
    others = sql(sample_db_path, f"""
        SELECT c.name, list(DISTINCT coalesce(p.acronym, p.name)) AS who FROM ({progs_sql}) cp
        JOIN countries c USING (iso3) JOIN partners p USING (partner_id)
        WHERE cp.partner_id <> 'unicef' AND cp.iso3 IN (SELECT iso3 FROM ({progs_sql}) WHERE partner_id = 'unicef')
        GROUP BY 1""")
    exp_others = {r.name: sorted(r.who) for r in others.itertuples()}
    for _, r in countries.iterrows():
        alone = r["Other partners there"] == "None: works alone"
        got = None if alone else sorted(r["Other partners there"].split("; "))
        assert got == exp_others.get(r["Country"])


def test_partner_profile_activities_and_collaborations(app_test, sample_db_path):
    at = app_test(sample_db_path, PAGE, pt_partner="PARIS21", pt_tab=VP.TABS["partner"])
    assert not at.exception
    acts = table_with(at, "Activity", "With")
    exp = sql(sample_db_path, "SELECT count(*) FROM activity_partners WHERE partner_id = 'paris21'").iloc[0, 0]
    assert len(acts) == exp
    collabs = table_with(at, "Collaboration", "With partners")
    exp_c = sql(sample_db_path, """
        SELECT c.title, list(coalesce(p.acronym, p.name)) FILTER (WHERE cp.partner_id <> 'paris21') AS others
        FROM collaborations c JOIN collaboration_partners cp USING (collaboration_id) JOIN partners p USING (partner_id)
        WHERE c.collaboration_id IN (SELECT collaboration_id FROM collaboration_partners WHERE partner_id = 'paris21')
        GROUP BY 1""")
    assert {r["Collaboration"]: sorted(r["With partners"].split("; ")) for _, r in collabs.iterrows()} == {
        r.title: sorted(r.others) for r in exp_c.itertuples()}


def test_tool_profile_matches_sql(app_test, sample_db_path):
    at = app_test(sample_db_path, PAGE, pt_tool="Copenhagen Framework on Citizen Data", pt_tab=VP.TABS["tool"])
    assert not at.exception
    assert at.selectbox(key="pt_tool").value == "copenhagen_framework"
    text = " ".join(m.value for m in at.markdown)
    dims = sql(sample_db_path, "SELECT d.label FROM tool_dimensions td JOIN lnob_dimensions d USING (dimension_id) "
                               "WHERE td.tool_id = 'copenhagen_framework'")["label"]
    assert len(dims) > 0 and all(f"[{d}]" in text for d in dims)
    owners = sql(sample_db_path, "SELECT p.name FROM tool_owners o JOIN partners p USING (partner_id) "
                                 "WHERE o.tool_id = 'copenhagen_framework'")["name"]
    assert all(o in text for o in owners)
    countries = table_with(at, "Country", "First start")
    exp = sql(sample_db_path, "SELECT c.name, count(*) AS n FROM country_programs cp JOIN countries c USING (iso3) "
                              "WHERE cp.tool_id = 'copenhagen_framework' GROUP BY 1")
    assert dict(zip(countries["Country"], countries["Programmes"], strict=True)) == dict(
        zip(exp["name"], exp["n"], strict=True))


def test_pipeline_matches_sql(page, sample_db_path):
    at, _, tools_sql, _ = page
    data = pipeline_data(open_tab(at, "pipeline"))
    exp = sql(sample_db_path, f"SELECT stage, kind, count(*) AS n FROM tools WHERE tool_id IN ({tools_sql}) GROUP BY 1, 2")
    assert {(r["stage"], r["kind"]): r["tools"] for _, r in data.iterrows()} == {
        (r.stage, r.kind): r.n for r in exp.itertuples()}
    per_stage = next(df.value for df in at.dataframe
                     if list(df.value.columns) == ["Stage", "Tool", "Kind", "Owners", "Launched", "Countries"])
    assert len(per_stage) == exp["n"].sum()
    order = [charts.STAGE_LABELS[s] for s in charts.STAGES]
    positions = [order.index(s) for s in per_stage["Stage"]]
    assert positions == sorted(positions), "concept -> pilot -> scaling -> mature"


@pytest.mark.parametrize("term", ["disability", "open data"])
def test_search_finds_every_match_and_only_matches(app_test, sample_db_path, term):
    at = app_test(sample_db_path, PAGE, pt_q=term)
    assert not at.exception
    words = term.lower().split()
    partners = tables_with(at, "Partner", "Headquarters")
    assert any("match the search" in c.value for c in at.caption)
    hay_p = sql(sample_db_path, """
        SELECT p.name, lower(concat_ws(' ', p.name, p.acronym, p.description,
            (SELECT string_agg(t.name || ' ' || coalesce((SELECT string_agg(topic, ' ') FROM tool_topics tt
                                                          WHERE tt.tool_id = t.tool_id), ''), ' ')
             FROM tool_owners o JOIN tools t USING (tool_id) WHERE o.partner_id = p.partner_id),
            (SELECT string_agg(topic, ' ') FROM country_programs cp WHERE cp.partner_id = p.partner_id))) AS hay
        FROM partners p""")
    exp_p = sorted(r.name for r in hay_p.itertuples() if all(w in r.hay for w in words))
    assert sorted(partners[0]["Name"]) == exp_p if partners else exp_p == []
    hay_t = sql(sample_db_path, """
        SELECT t.name, lower(concat_ws(' ', t.name, t.description, t.kind,
            (SELECT string_agg(topic, ' ') FROM tool_topics tt WHERE tt.tool_id = t.tool_id),
            (SELECT string_agg(d.label, ' ') FROM tool_dimensions td JOIN lnob_dimensions d USING (dimension_id)
             WHERE td.tool_id = t.tool_id),
            (SELECT string_agg(p.name || ' ' || coalesce(p.acronym, ''), ' ') FROM tool_owners o
             JOIN partners p USING (partner_id) WHERE o.tool_id = t.tool_id))) AS hay
        FROM tools t""")
    exp_t = sorted(r.name for r in hay_t.itertuples() if all(w in r.hay for w in words))
    assert exp_t or exp_p
    open_tab(at, "tools")
    assert at.text_input(key="pt_q").value == term, "the search is shared by both catalogue tabs"
    tools = tables_with(at, "Tool", "LNOB dimensions")
    assert sorted(tools[0]["Tool"]) == exp_t if tools else exp_t == []


def test_search_without_match_explains(app_test, sample_db_path):
    at = app_test(sample_db_path, PAGE, pt_q="zzzz-no-such-thing")
    assert not at.exception
    text = " ".join(i.value for i in at.info)
    assert "No partner matches the search" in text
    text = " ".join(i.value for i in open_tab(at, "tools").info)
    assert "No tool matches the search" in text


def test_empty_database_explains(app_test, empty_db_path):
    at = app_test(empty_db_path, PAGE)
    assert not at.exception
    text = " ".join(i.value for i in at.info)
    assert "No partners or tools are recorded yet" in text and "Manage records" in text  # where to start, not a command that loads the sample
    assert not at.get("vega_lite_chart") and not at.dataframe


# --------------------------------------------------------------------------------------
# Chart builder (pure)
# --------------------------------------------------------------------------------------
def test_pipeline_chart_orders_stages_and_keeps_empty_ones():
    pipeline = pd.DataFrame({"stage": ["mature", "pilot", "mature"], "stage_order": [4, 2, 4],
                             "kind": ["dataset", "guidance", "index"], "tools": [3, 1, 2],
                             "names": ["a; b; c", "d", "e; f"]})
    spec = charts.pipeline_chart(pipeline).to_dict()
    bars, text = spec["layer"]
    assert bars["encoding"]["y"]["scale"]["domain"] == ["Concept", "Pilot", "Scaling", "Mature"]
    assert bars["encoding"]["color"]["field"] == "kind"
    totals = charts.pipeline_totals(pipeline)
    assert totals["stage"].tolist() == charts.STAGES
    assert totals["tools"].tolist() == [0, 1, 0, 5]


def test_who_has_reported_lists_every_partner_with_its_records(app_test, sample_db_path):
    at = app_test(sample_db_path, "pages/partners.py", pt_tab=VP.TABS["reporting"])
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "Last change (UTC)" in d.value.columns)
    assert len(table) == 15 and table["Programmes"].sum() == 239
    assert set(table["Status"]) == {"Member"}
