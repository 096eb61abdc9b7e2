"""The collaboration network: degrees against an independent computation, new edges, layout, chart, page."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date

import pandas as pd
import pytest

from collab_data import network
from collab_data.db import get_database
from collab_data.filters import Filters, period_range
from collab_data.queries import network as QN

PAGE = "pages/network.py"


def frame(path, sql, params=None) -> pd.DataFrame:
    return get_database(path).query(sql, params)


def independent_degrees(path, f: Filters, include_meetings: bool) -> dict[str, tuple[int, int, int]]:
    """partner_id -> (partners connected, through collaborations, through joint activities), in plain Python."""
    start, end = period_range(f.period)
    members = frame(path, "SELECT partner_id, collab_id FROM partner_memberships")
    partners = set(frame(path, "SELECT partner_id FROM partners")["partner_id"])
    if f.collab != "both":
        partners &= set(members.loc[members["collab_id"] == f.collab, "partner_id"])
    if f.partners:
        partners &= set(f.partners)
    acts = frame(path, "SELECT activity_id, type_id, collab_id, start_date FROM activities")
    ap = frame(path, "SELECT activity_id, partner_id FROM activity_partners")
    ac = frame(path, "SELECT activity_id, iso3 FROM activity_countries")
    cols = frame(path, "SELECT collaboration_id, started_date FROM collaborations")
    cp = frame(path, "SELECT collaboration_id, partner_id FROM collaboration_partners")

    def in_period(d) -> bool:
        d = d.date() if hasattr(d, "date") else d
        return (start is None or d >= start) and (end is None or d <= end)

    by_act = ap.groupby("activity_id")["partner_id"].apply(set).to_dict()
    countries = ac.groupby("activity_id")["iso3"].apply(set).to_dict()
    joint, collab = defaultdict(set), defaultdict(set)
    for a in acts.itertuples(index=False):
        ps = by_act.get(a.activity_id, set())
        if (f.collab != "both" and a.collab_id != f.collab) or not in_period(a.start_date) or not ps & partners:
            continue
        if f.countries and not countries.get(a.activity_id, set()) & set(f.countries):
            continue
        if a.type_id == "meeting" and not include_meetings:
            continue
        for x, y in itertools.permutations(sorted(ps), 2):
            if x in partners or y in partners:
                joint[x].add(y)
    by_col = cp.groupby("collaboration_id")["partner_id"].apply(set).to_dict()
    for c in cols.itertuples(index=False):
        ps = by_col.get(c.collaboration_id, set())
        if not in_period(c.started_date) or not ps & partners:
            continue
        for x, y in itertools.permutations(sorted(ps), 2):
            if x in partners or y in partners:
                collab[x].add(y)
    everyone = partners | set(joint) | set(collab)
    return {p: (len(joint[p] | collab[p]), len(collab[p]), len(joint[p])) for p in everyone}


@pytest.mark.parametrize(("f", "meetings"), [
    (Filters(), False),
    (Filters(collab="gender", period="2025", countries=("KEN", "SEN", "IND", "UGA", "PHL")), True),
    (Filters(partners=("odw",), period="2026-H1"), False),
], ids=["all", "gender-2025-countries-meetings", "one-partner-h1"])
def test_degree_table_matches_an_independent_computation(sample_db_path, f, meetings):
    db = get_database(sample_db_path)
    edges = QN.edges(db, f, meetings)
    table = network.degree_table(QN.nodes(db, f), edges)
    got = {r.partner_id: (r.degree, r.via_collaborations, r.via_joint_activities) for r in table.itertuples()}
    expected = independent_degrees(sample_db_path, f, meetings)
    assert got == expected
    assert len(got) >= 2


def test_first_seen_is_over_all_records(sample_db_path):
    db = get_database(sample_db_path)
    edges = QN.edges(db, Filters(period="2026"), False).set_index(["partner_a_id", "partner_b_id"])
    pairs = frame(sample_db_path, """
        SELECT x.partner_id AS a, y.partner_id AS b, min(act.start_date) AS d
        FROM activity_partners x JOIN activity_partners y ON x.activity_id = y.activity_id AND x.partner_id < y.partner_id
        JOIN activities act ON act.activity_id = x.activity_id WHERE act.type_id <> 'meeting' GROUP BY ALL
        UNION ALL
        SELECT x.partner_id, y.partner_id, min(c.started_date) FROM collaboration_partners x
        JOIN collaboration_partners y ON x.collaboration_id = y.collaboration_id AND x.partner_id < y.partner_id
        JOIN collaborations c ON c.collaboration_id = x.collaboration_id GROUP BY ALL""")
    first = pairs.groupby(["a", "b"])["d"].min()
    for key, row in edges.iterrows():
        assert row["first_seen"] == first[key]
    assert (edges["first_seen"] < pd.Timestamp("2026-01-01")).any(), "some 2026 edges existed before 2026"


def test_new_edges_on_a_hand_made_list():
    t = pd.Timestamp
    edges = pd.DataFrame({
        "partner_a_id": ["a", "a", "b", "c"], "partner_b_id": ["b", "c", "c", "d"],
        "partner_a": ["A", "A", "B", "C"], "partner_b": ["B", "C", "C", "D"],
        "collaborations": [1, 0, 2, 0], "joint_activities": [0, 3, 1, 1], "weight": [1, 3, 3, 1],
        "first_collaboration": [t("2025-03-01"), pd.NaT, t("2024-01-10"), pd.NaT],
        "first_joint_activity": [pd.NaT, t("2024-05-01"), t("2025-12-31"), t("2026-01-01")],
        "first_seen": [t("2025-03-01"), t("2024-05-01"), t("2024-01-10"), t("2026-01-01")],
    })
    flagged = network.flag_new(edges, date(2025, 1, 1), date(2025, 12, 31))
    assert flagged["is_new"].tolist() == [True, False, False, False]
    assert flagged["new_joint_activity"].tolist() == [False, False, True, False]  # b-c met before: not a new edge
    assert flagged["status"].tolist() == [network.NEW, network.EXISTING, network.EXISTING, network.EXISTING]
    assert not network.flag_new(edges, None, None)["is_new"].any()
    nodes = pd.DataFrame({"partner_id": list("abcde"), "partner": list("ABCDE"), "name": list("ABCDE"),
                          "membership": ["gender", "both", "lnob", "lnob", "none"],
                          "in_scope": [True, True, True, False, False], "activities": [3, 2, 1, 0, 0]})
    table = network.degree_table(nodes, flagged).set_index("partner_id")
    assert "e" not in table.index, "a partner outside the filters without an edge is not drawn"
    assert table.loc["a", "new_connections"] == 1 and table.loc["b", "new_connections"] == 1
    assert table.loc["c", "degree"] == 3 and table.loc["c", "via_collaborations"] == 1
    assert table.loc["c", "via_joint_activities"] == 3


def test_new_window():
    as_of = date(2026, 11, 19)
    start, end, words = network.new_window("all", as_of)
    assert (start, end) == (date(2025, 11, 20), as_of) and "last 12 months" in words and "All time" in words
    assert network.new_window("2025-Q2", as_of)[:2] == (date(2025, 4, 1), date(2025, 6, 30))
    assert network.new_window("all", None)[:2] == (None, None)


def test_layout_is_deterministic_and_grouped():
    nodes = pd.DataFrame({"partner_id": ["z", "y", "x", "w", "v"], "partner": ["Zeta", "Yak", "Xi", "Wu", "Vee"],
                          "membership": ["lnob", "gender", "both", "gender", "none"], "in_scope": [True] * 5,
                          "activities": [1, 2, 3, 4, 5]})
    a = network.circular_layout(nodes)
    b = network.circular_layout(nodes.iloc[::-1].reset_index(drop=True))
    pd.testing.assert_frame_equal(a, b)
    assert a["partner_id"].tolist() == ["w", "y", "x", "z", "v"]  # gender, both, lnob, none; then by name
    assert a.loc[0, ["x", "y"]].tolist() == [0.0, 1.0]  # first at 12 o'clock
    assert ((a["x"] ** 2 + a["y"] ** 2 - 1).abs() < 1e-5).all()


def test_chart_spec_is_valid(sample_db_path):
    db = get_database(sample_db_path)
    f = Filters()
    edges = network.flag_new(QN.edges(db, f, False), date(2026, 1, 1), date(2026, 12, 31))
    table = network.degree_table(QN.nodes(db, f), edges)
    spec = network.network_chart(table, edges).to_dict()
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]]
    assert marks[0] == "rule" and "circle" in marks and "text" in marks
    enc = spec["layer"][0]["encoding"]
    assert {"x2", "y2", "strokeWidth", "strokeDash", "color"} <= set(enc)
    assert enc["strokeDash"]["scale"]["range"] == [network.EDGE_DASH[network.EXISTING], network.EDGE_DASH[network.NEW]]
    spec.pop("$schema")
    assert "http" not in str(spec), "nothing is loaded from outside"


def test_network_page(app_test, sample_db_path, empty_db_path):
    at = app_test(sample_db_path, PAGE)
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Partners in the network"]) >= 2 and int(metrics["Connections (pairs)"]) >= 1
    assert at.get("vega_lite_chart")
    assert len(at.get("download_button")) == 2

    at = app_test(sample_db_path, PAGE, collab="Gender", period="2025", partner=["ODW"])
    assert not at.exception, at.exception

    at = app_test(empty_db_path, PAGE)
    assert not at.exception, at.exception
    assert not at.get("vega_lite_chart")
    assert any("no network to draw" in i.value for i in at.info)
