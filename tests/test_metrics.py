"""KPI definitions (collab_data.metrics): every KPI against an independent SQL computation.

The expected values are computed here with plain SQL over the base tables, written from
the definitions in words (not with the scope CTEs or the query code of the app).
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest

from collab_data import metrics
from collab_data.db import Database
from collab_data.filters import Filters, period_range
from collab_data.queries import overview as Q

KNOWLEDGE_SHARING_TYPES = ("knowledge_exchange", "peer_review", "tool_showcase")


def _in(values) -> str:
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


def independent_kpis(con: duckdb.DuckDBPyConnection, start: date, end: date, *, collab: str = "both",
                     countries: tuple[str, ...] | None = None, partners: tuple[str, ...] | None = None,
                     tool_kinds: tuple[str, ...] | None = None) -> dict[str, int]:
    """The six Overview KPIs for one period, straight from the definitions. New collaborations:
    recorded collaborations plus first-time partner pairs.

    ``countries``: the ISO3 codes the country filters leave (None: no country filter).
    """
    p_where = ["TRUE"]
    if collab != "both":
        p_where.append(f"partner_id IN (SELECT partner_id FROM partner_memberships WHERE collab_id = '{collab}')")
    if partners:
        p_where.append(f"partner_id IN {_in(partners)}")
    partner_set = f"(SELECT partner_id FROM partners WHERE {' AND '.join(p_where)})"
    kind_tools = f"(SELECT tool_id FROM tools WHERE kind IN {_in(tool_kinds)})" if tool_kinds else None

    prog_where = [
        f"partner_id IN {partner_set}",
        "status <> 'planned'",
        f"start_date <= DATE '{end}'",
        f"(end_date IS NULL OR end_date >= DATE '{start}')",
    ]
    if countries is not None:
        prog_where.append(f"iso3 IN {_in(countries) if countries else '(NULL)'}")
    if kind_tools:
        prog_where.append(f"tool_id IN {kind_tools}")
    running = f"(SELECT * FROM country_programs WHERE {' AND '.join(prog_where)})"

    act_where = [
        f"start_date >= DATE '{start}'",
        f"start_date <= DATE '{end}'",
        f"activity_id IN (SELECT activity_id FROM activity_partners WHERE partner_id IN {partner_set})",
    ]
    if collab != "both":
        act_where.append(f"collab_id = '{collab}'")
    if countries is not None:
        act_where.append(f"activity_id IN (SELECT activity_id FROM activity_countries WHERE iso3 IN "
                         f"{_in(countries) if countries else '(NULL)'})")
    acts = f"(SELECT * FROM activities WHERE {' AND '.join(act_where)})"

    def one(sql: str) -> int:
        return int(con.execute(sql).fetchone()[0])

    # pairs of partners whose first joint activity ever (whole database) started in the period, on an
    # activity in scope, with at least one of the two in scope
    first_pairs = (
        f"SELECT count(*) FROM (SELECT x.partner_id AS pa, y.partner_id AS pb, min(a.start_date) AS first_date "
        f"FROM activity_partners x JOIN activity_partners y ON y.activity_id = x.activity_id "
        f"AND x.partner_id < y.partner_id JOIN activities a ON a.activity_id = x.activity_id GROUP BY 1, 2) pf "
        f"WHERE pf.first_date BETWEEN DATE '{start}' AND DATE '{end}' "
        f"AND (pf.pa IN {partner_set} OR pf.pb IN {partner_set}) "
        f"AND EXISTS (SELECT 1 FROM {acts} s "
        f"JOIN activity_partners x ON x.activity_id = s.activity_id AND x.partner_id = pf.pa "
        f"JOIN activity_partners y ON y.activity_id = s.activity_id AND y.partner_id = pf.pb "
        f"WHERE s.start_date = pf.first_date)")

    act_tools = f"SELECT tool_id FROM {acts} WHERE tool_id IS NOT NULL"
    if kind_tools:
        act_tools += f" AND tool_id IN {kind_tools}"
    return {
        "partners_involved": one(
            f"SELECT count(*) FROM (SELECT partner_id FROM activity_partners WHERE activity_id IN "
            f"(SELECT activity_id FROM {acts}) AND partner_id IN {partner_set} "
            f"UNION SELECT partner_id FROM {running})"),
        "knowledge_sharing": one(f"SELECT count(*) FROM {acts} WHERE type_id IN {_in(KNOWLEDGE_SHARING_TYPES)}"),
        "new_collaborations": one(
            f"SELECT count(*) FROM collaborations WHERE started_date BETWEEN DATE '{start}' AND DATE '{end}' "
            f"AND collaboration_id IN (SELECT collaboration_id FROM collaboration_partners "
            f"WHERE partner_id IN {partner_set})") + one(first_pairs),
        "countries_active": one(f"SELECT count(DISTINCT iso3) FROM {running}"),
        "countries_coordinated": one(
            f"SELECT count(*) FROM (SELECT iso3 FROM {running} GROUP BY iso3 HAVING count(DISTINCT partner_id) > 1)"),
        "tools_in_use": one(
            f"SELECT count(*) FROM (SELECT tool_id FROM {running} WHERE tool_id IS NOT NULL UNION {act_tools})"),
    }


#: (Filters, the same filters as arguments of independent_kpis)
CASES = {
    "all-2025Q2": (Filters(period="2025-Q2"), {}),
    "gender-KEN-UGA-2025": (Filters(collab="gender", countries=("KEN", "UGA"), period="2025"),
                            {"collab": "gender", "countries": ("KEN", "UGA")}),
    "low-income-ldc-lnob-2024H2": (
        Filters(collab="lnob", income=("Low income",), groups=("ldc",), period="2024-H2"),
        {"collab": "lnob", "countries": "SELECT iso3 FROM countries WHERE income_group = 'Low income' AND is_ldc"}),
    "partners-toolkinds-2026Q3": (
        Filters(partners=("paris21", "unwomen", "gpsdd"), tool_kinds=("platform", "methodology"), period="2026-Q3"),
        {"partners": ("paris21", "unwomen", "gpsdd"), "tool_kinds": ("platform", "methodology")}),
}


@pytest.fixture(scope="module")
def db(sample_db_path) -> Database:
    from collab_data.db import get_database

    return get_database(sample_db_path)


@pytest.fixture(scope="module")
def con(db):
    with db.cursor() as cur:
        yield cur


def _resolve(con, kwargs: dict) -> dict:
    kwargs = dict(kwargs)
    if isinstance(kwargs.get("countries"), str):
        kwargs["countries"] = tuple(r[0] for r in con.execute(kwargs["countries"]).fetchall())
    return kwargs


def _values(df: pd.DataFrame) -> dict[str, int | None]:
    return {r.kpi_id: (None if pd.isna(r.value) else int(r.value)) for r in df.itertuples()}


@pytest.mark.parametrize("case", list(CASES))
def test_kpis_match_independent_sql(db, con, case):
    f, kwargs = CASES[case]
    p = metrics.Period.from_code(f.period)
    start, end = period_range(f.period)
    got = metrics.compute_kpis(db, f, p.type, p.start)
    expected = independent_kpis(con, start, end, **_resolve(con, kwargs))
    assert _values(got) == expected
    assert list(got["kpi_id"]) == list(metrics.OVERVIEW_KPIS)
    # the previous period and the sparkline quarters are computed by the same rule
    prev = p.previous()
    exp_prev = independent_kpis(con, prev.start, prev.end, **_resolve(con, kwargs))
    assert {r.kpi_id: int(r.previous) for r in got.itertuples()} == exp_prev
    assert {r.kpi_id: int(r.delta) for r in got.itertuples()} == {k: expected[k] - exp_prev[k] for k in expected}
    last_q = metrics.spark_quarters(p, date(2026, 11, 19))[-1]
    exp_last = independent_kpis(con, last_q.start, last_q.end, **_resolve(con, kwargs))
    assert {r.kpi_id: r.spark[-1] for r in got.itertuples()} == exp_last


def test_kpis_not_trivial(db, con):
    """The filter cases really narrow the scope (so the comparisons above mean something)."""
    wide = _values(metrics.compute_kpis(db, Filters(), "year", date(2025, 1, 1)))
    narrow = _values(metrics.compute_kpis(db, CASES["gender-KEN-UGA-2025"][0], "year", date(2025, 1, 1)))
    assert all(wide[k] > 0 for k in wide)
    assert narrow["countries_active"] <= 2 < wide["countries_active"]
    assert narrow["partners_involved"] < wide["partners_involved"]


def test_kpi_values_one_query_many_periods(db, con):
    """kpi_values gives each period its own row, also periods sharing a start date."""
    periods = ((date(2025, 1, 1), date(2025, 12, 31)), (date(2025, 1, 1), date(2025, 3, 31)))
    df = Q.kpi_values(db, Filters(), ("knowledge_sharing",), periods)
    assert len(df) == 2
    got = {(r.period_start.date(), r.period_end.date()): r.value for r in df.itertuples()}
    assert got == {(s, e): independent_kpis(con, s, e)["knowledge_sharing"] for s, e in periods}


def test_current_period_targets_and_status(db, con):
    """All time: the tiles show the quarter of the data date, with that quarter's targets."""
    period = metrics.overview_period(db, Filters())
    assert period["start"] == date(2026, 10, 1) and period["type"] == "quarter"
    assert period["sentence"] == "Q4 2026 (to 19 Nov 2026), compared with Q3 2026"
    assert period["partial"]
    got = metrics.compute_kpis(db, Filters(), period["type"], period["start"])
    targets = dict(con.execute("SELECT kpi_id, target FROM kpi_targets WHERE period_type = 'quarter' "
                               "AND period_start = DATE '2026-10-01'").fetchall())
    for r in got.itertuples():
        assert r.target == targets[r.kpi_id]
        share = r.value / r.target
        assert r.status == ("on_track" if share >= 1 else "at_risk" if share >= 0.8 else "off_track")


def test_targets_only_compared_without_narrowing_filters(db):
    got = metrics.compute_kpis(db, CASES["gender-KEN-UGA-2025"][0], "year", date(2025, 1, 1))
    assert not got["target_applies"].any()
    assert set(got["status"]) == {"no_target"}
    assert got["target"].notna().all()  # the target is still known, just not compared
    assert metrics.status_display("no_target", 15.0, False)["label"] == "Not compared"
    assert metrics.targets_apply(Filters(period="2025"))


def test_half_year_has_no_target(db):
    got = metrics.compute_kpis(db, Filters(period="2025-H1"), "half", date(2025, 1, 1))
    assert set(got["status"]) == {"no_target"} and got["target"].isna().all()


def test_periods_without_records_have_no_value(db):
    """Before the first activity there is no activity KPI (missing, never 0); programme KPIs exist."""
    got = _values(metrics.compute_kpis(db, Filters(period="2023-Q4"), "quarter", date(2023, 10, 1)))
    assert got["knowledge_sharing"] is None and got["new_collaborations"] is None
    assert got["partners_involved"] is None and got["tools_in_use"] is None
    assert got["countries_active"] is not None and got["countries_active"] > 0
    # after the data date: not reported yet
    future = _values(metrics.compute_kpis(db, Filters(), "quarter", date(2027, 1, 1)))
    assert set(future.values()) == {None}


@pytest.mark.parametrize(("value", "target", "expected"), [
    (10, 10, "on_track"), (11, 10, "on_track"), (8, 10, "at_risk"), (7.99, 10, "off_track"),
    (0, 0, "on_track"), (5, None, "no_target"), (None, 10, "no_data"), (None, None, "no_data"),
])
def test_status_rule(value, target, expected):
    assert metrics.status(value, target) == expected


def test_periods():
    assert metrics.current_period(Filters(), date(2026, 11, 19)) == metrics.Period("quarter", date(2026, 10, 1))
    assert metrics.current_period(Filters(period="last12"), date(2025, 3, 31)) == metrics.Period("quarter", date(2025, 1, 1))
    assert metrics.current_period(Filters(period="2025-H2"), None) == metrics.Period("half", date(2025, 7, 1))
    q1 = metrics.Period.from_code("2025-Q1")
    assert q1.previous() == metrics.Period("quarter", date(2024, 10, 1)) and q1.end == date(2025, 3, 31)
    assert metrics.Period.from_code("2025-H1").previous().code == "2024-H2"
    assert metrics.Period.from_code("2025").previous().label == "2024"
    quarters = metrics.spark_quarters(metrics.Period.from_code("2025"), date(2026, 11, 19))
    assert [q.code for q in quarters] == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4",
                                          "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    # the current year stops at the quarter of the data date
    assert metrics.spark_quarters(metrics.Period.from_code("2026"), date(2026, 5, 2))[-1].code == "2026-Q2"


def test_registry_and_sql_agree(db):
    assert set(metrics.KPIS) == set(Q.KPI_SQL) | set(metrics.PYTHON_KPIS)
    assert not set(Q.KPI_SQL) & set(metrics.PYTHON_KPIS)
    assert set(metrics.OVERVIEW_KPIS) <= set(metrics.KPIS)
    known = {k for (k,) in db.rows("SELECT kpi_id FROM kpis")}
    assert set(metrics.KPIS) <= known
    for spec in metrics.KPIS.values():
        assert spec.formula and spec.name and set(spec.sources) <= {"activities", "programmes"}
    with pytest.raises(ValueError):
        metrics.compute_kpis(db, Filters(), "quarter", date(2025, 1, 1), ("no_such_kpi",))


# --------------------------------------------------------------------------------------
# Period boundaries and programme-only partners, on controlled rows
# --------------------------------------------------------------------------------------
@pytest.fixture()
def boundary_db(writable_db):
    """The sample plus one test partner with rows exactly on quarter boundaries."""
    db = writable_db
    rows = {
        "partners": pd.DataFrame([{"partner_id": "zz_test", "name": "Boundary Test Org", "acronym": "ZZT",
                                   "org_type": "ngo", "is_sample": False}]),
        "tools": pd.DataFrame([{"tool_id": "zz_tool", "name": "Boundary Tool", "kind": "platform", "stage": "pilot",
                                "is_sample": False}]),
        "tool_owners": pd.DataFrame([{"tool_id": "zz_tool", "partner_id": "zz_test", "is_sample": False}]),
        "country_programs": pd.DataFrame([
            # ends on the first day of Q2 2025: running in Q1 and Q2, not in Q3
            {"program_id": "ZZ1", "partner_id": "zz_test", "iso3": "KEN", "tool_id": "zz_tool",
             "support_type": "training", "start_date": date(2024, 11, 1), "end_date": date(2025, 4, 1),
             "status": "completed", "is_sample": False},
            # starts on the last day of Q3 2025, open-ended
            {"program_id": "ZZ2", "partner_id": "zz_test", "iso3": "UGA", "tool_id": None,
             "support_type": "advocacy", "start_date": date(2025, 9, 30), "end_date": None,
             "status": "active", "is_sample": False},
            # planned: never counts
            {"program_id": "ZZ3", "partner_id": "zz_test", "iso3": "TZA", "tool_id": None,
             "support_type": "advocacy", "start_date": date(2025, 1, 1), "end_date": None,
             "status": "planned", "is_sample": False},
        ]),
        "activities": pd.DataFrame([
            {"activity_id": "ZZA1", "title": "Boundary exchange", "type_id": "knowledge_exchange",
             "collab_id": None, "start_date": date(2025, 12, 31), "tool_id": "zz_tool", "is_sample": False},
        ]),
        "activity_partners": pd.DataFrame([{"activity_id": "ZZA1", "partner_id": "zz_test", "is_sample": False}]),
        "collaborations": pd.DataFrame([
            {"collaboration_id": "ZZC1", "title": "Boundary collaboration", "kind": "joint_product",
             "started_date": date(2025, 10, 1), "is_sample": False},
        ]),
        "collaboration_partners": pd.DataFrame([{"collaboration_id": "ZZC1", "partner_id": "zz_test",
                                                 "is_sample": False}]),
    }
    with db.write(kind="edit", source="test_metrics boundaries", editor="pytest") as batch:
        for table, frame in rows.items():
            batch.rows_imported += batch.insert(table, frame)
    return db


def _zz(db, code: str) -> dict[str, int | None]:
    f = Filters(partners=("zz_test",), period=code)
    p = metrics.Period.from_code(code)
    return _values(metrics.compute_kpis(db, f, p.type, p.start))


def test_partner_active_only_through_programmes_counts(boundary_db):
    q2 = _zz(boundary_db, "2025-Q2")
    assert q2["partners_involved"] == 1  # no activity in Q2 2025, a programme running
    assert q2["knowledge_sharing"] == 0 and q2["new_collaborations"] == 0
    assert q2["countries_active"] == 1 and q2["tools_in_use"] == 1
    assert q2["countries_coordinated"] == 0  # one partner in Kenya is not coordination


def test_programme_boundaries(boundary_db):
    assert _zz(boundary_db, "2025-Q1")["countries_active"] == 1   # ZZ1 (ZZ3 is planned)
    assert _zz(boundary_db, "2025-Q3")["countries_active"] == 1   # ZZ1 ended 1 April; ZZ2 starts 30 Sep
    assert _zz(boundary_db, "2025-Q3")["tools_in_use"] == 0       # ZZ2 has no tool
    assert _zz(boundary_db, "2025")["countries_active"] == 2
    assert _zz(boundary_db, "2024-Q3")["partners_involved"] == 0  # before ZZ1 started


def test_activity_and_collaboration_boundaries(boundary_db):
    q4 = _zz(boundary_db, "2025-Q4")
    assert q4["knowledge_sharing"] == 1          # on 31 December, the last day of Q4
    assert q4["new_collaborations"] == 1         # on 1 October, the first day of Q4
    assert q4["tools_in_use"] == 1               # named by the activity
    q1 = _zz(boundary_db, "2026-Q1")
    assert q1["knowledge_sharing"] == 0 and q1["new_collaborations"] == 0
    # the tool-kind filter applies to the activity's tool too
    f = Filters(partners=("zz_test",), tool_kinds=("dataset",), period="2025-Q4")
    assert _values(metrics.compute_kpis(boundary_db, f, "quarter", date(2025, 10, 1)))["tools_in_use"] == 0
