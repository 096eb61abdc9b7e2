"""Scale of the KPI, Overview and Network views: what is computed once per data generation,
what the network draws on a grown database, and the SQL degree table against pandas."""

from __future__ import annotations

import itertools
from contextlib import contextmanager
from datetime import date

import pandas as pd
import pytest

from collab_data import metrics, network
from collab_data.db import Database
from collab_data.filters import Filters
from collab_data.queries import network as QN
from collab_data.queries import overview as Q
from collab_data.scale import scale
from collab_data.views import network as VN


@pytest.fixture(scope="module")
def grown(sample_db_path, tmp_path_factory):
    """The sample grown three times with denser activity links: more partners than the chart draws."""
    path = tmp_path_factory.mktemp("grown") / "x3.duckdb"
    scale(path, 3, source=sample_db_path, link_density=2.0)
    db = Database(path, read_only=True)
    yield db
    db.close()


class Counting:
    """Counts the statements run on ``db`` (through any cursor) that contain ``marker``."""

    def __init__(self, db: Database, marker: str, monkeypatch):
        self.n = 0
        original = db.cursor
        counter = self

        class Cursor:
            def __init__(self, cur):
                self._cur = cur

            def _count(self, sql):
                if marker in sql:
                    counter.n += 1

            def execute(self, sql, *args, **kwargs):
                self._count(sql)
                return self._cur.execute(sql, *args, **kwargs)

            def sql(self, sql, *args, **kwargs):
                self._count(sql)
                return self._cur.sql(sql, *args, **kwargs)

            def __getattr__(self, name):
                return getattr(self._cur, name)

        @contextmanager
        def cursor():
            with original() as cur:
                yield Cursor(cur)

        monkeypatch.setattr(db, "cursor", cursor)


# --------------------------------------------------------------------------------------
# pair_first: once per generation, again after a write
# --------------------------------------------------------------------------------------
def _never_together(db: Database) -> tuple[str, str]:
    met = {tuple(x) for x in Q.pair_first(db).to_pandas()[["partner_a", "partner_b"]].itertuples(index=False)}
    partners = sorted(p for (p,) in db.rows("SELECT partner_id FROM partners WHERE partner_id IN "
                                            "(SELECT partner_id FROM partner_memberships)"))
    return next(pair for pair in itertools.combinations(partners, 2) if pair not in met)


def test_pair_first_is_computed_once_per_generation_and_again_after_a_write(writable_db, monkeypatch):
    db = writable_db
    calls = Counting(db, Q.PAIR_FIRST_SQL, monkeypatch)
    as_of = Q.data_as_of(db)
    p = metrics.Period.containing("quarter", as_of)
    ids = tuple(k for k in metrics.PAGE_KPIS if k not in metrics.PYTHON_KPIS)
    before = Q.kpi_values(db, Filters(), ids, ((p.start, p.end), (p.previous().start, p.previous().end)))
    Q.first_time_pairs(db, Filters(), p.start, p.end)
    Q.first_time_pairs(db, Filters(collab="lnob"), p.previous().start, p.previous().end)
    metrics.compute_kpis(db, Filters(), "quarter", p.start, metrics.PAGE_KPIS)
    assert calls.n == 1

    a, b = _never_together(db)
    template = db.query("SELECT * FROM activities WHERE type_id <> 'meeting' ORDER BY activity_id LIMIT 1")
    row = template.iloc[0].to_dict()
    row.update(activity_id="ZZ_SCALE_1", start_date=p.start, end_date=None, title="A first meeting of two",
               is_sample=False, batch_id=None)
    row = {k: v for k, v in row.items() if k != "batch_id"}
    with db.write(kind="edit", source="test_scale_views", editor="pytest") as batch:
        batch.rows_imported += batch.insert("activities", pd.DataFrame([row]))
        batch.rows_imported += batch.insert("activity_partners", pd.DataFrame([
            {"activity_id": "ZZ_SCALE_1", "partner_id": a, "is_sample": False},
            {"activity_id": "ZZ_SCALE_1", "partner_id": b, "is_sample": False}]))

    pairs = Q.first_time_pairs(db, Filters(), p.start, p.end)
    assert calls.n == 2  # the write moved the generation: recomputed, not stale
    names = dict(db.rows("SELECT partner_id, coalesce(acronym, name) FROM partners"))
    assert {names[a], names[b]} in [{x, y} for x, y in zip(pairs["partner_a"], pairs["partner_b"])]
    after = Q.kpi_values(db, Filters(), ("new_collaborations",), ((p.start, p.end),))
    mine = (before["kpi_id"] == "new_collaborations") & (pd.to_datetime(before["period_start"]) == pd.Timestamp(p.start))
    was = before.loc[mine, "value"].iloc[0]
    assert after["value"].iloc[0] == was + 1
    assert calls.n == 2


def test_last_reports_agree_with_the_freshness_query(sample_db_path):
    from collab_data.db import get_database
    from collab_data.queries import freshness as QF

    db = get_database(sample_db_path)
    refs = (date(2024, 6, 30), date(2025, 3, 31), date(2025, 12, 31), date(2026, 9, 30))
    for f in (Filters(), Filters(collab="lnob"), Filters(collab="gender")):
        full = QF.partner_reports(db, f, refs)[["ref", "partner_id", "cycle_months", "last_report"]]
        fast = Q.last_reports(db, f, refs)
        key = ["ref", "partner_id"]
        a = full.sort_values(key).reset_index(drop=True).astype(str)
        b = fast.sort_values(key).reset_index(drop=True).astype(str)
        pd.testing.assert_frame_equal(a, b)


# --------------------------------------------------------------------------------------
# The degree table in SQL equals the pandas computation
# --------------------------------------------------------------------------------------
FILTERS = [Filters(), Filters(period="2026"), Filters(collab="lnob"), Filters(period="2025", collab="gender")]


def _pandas_degrees(db, f: Filters, meetings: bool) -> pd.DataFrame:
    start, end, _ = network.new_window(f.period, Q.data_as_of(db))
    edges = network.flag_new(QN.edges(db, f, meetings), start, end)
    return network.degree_table(QN.nodes(db, f), edges)


@pytest.mark.parametrize("f", FILTERS, ids=str)
@pytest.mark.parametrize("meetings", [False, True])
def test_sql_degree_table_equals_pandas_on_the_sample(sample_db_path, f, meetings):
    from collab_data.db import get_database

    db = get_database(sample_db_path)
    start, end, _ = network.new_window(f.period, Q.data_as_of(db))
    sql = QN.degree_table(db, f, meetings, (), start, end)
    plain = _pandas_degrees(db, f, meetings)
    assert len(sql) > 0
    pd.testing.assert_frame_equal(sql.reset_index(drop=True), plain.reset_index(drop=True), check_dtype=False)


# --------------------------------------------------------------------------------------
# The network stays bounded on a grown database
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("options", [
    VN.NetworkOptions(),
    VN.NetworkOptions(top=None, min_weight=1),
    VN.NetworkOptions(top=25, min_weight=1, meetings=True),
    VN.NetworkOptions(top=8, only_new=True, min_weight=1),
], ids=["automatic", "all-partners", "top25-meetings", "top8-new"])
def test_network_is_bounded_on_a_grown_database(grown, options):
    view = VN.network_view(grown, Filters(), options)
    assert not view.empty
    partners = len(view.degrees)
    assert partners > QN.MAX_NODES  # the grown network is larger than what is drawn
    drawn = view.nodes[view.nodes["partner_id"] != network.OTHERS_ID]
    assert len(drawn) <= QN.MAX_NODES
    assert len(view.edges) <= QN.MAX_DRAWN_EDGES
    assert len(view.all_edges) <= VN.TABLE_ROWS < view.n_edges
    ends = set(view.edges["partner_a_id"]) | set(view.edges["partner_b_id"])
    assert ends <= set(view.nodes["partner_id"])
    if network.OTHERS_ID in set(view.nodes["partner_id"]):
        others = view.nodes.set_index("partner_id").loc[network.OTHERS_ID]
        assert others["partner"] == network.others_label(len(view.degrees) - len(drawn)) or "other partner" in \
            others["partner"]
        assert "grey circle" in view.drawn_sentence
    assert f"of {view.n_edges} connections" in view.drawn_sentence


def test_grown_degree_table_and_drawn_edges_match_pandas(grown):
    f = Filters()
    options = VN.NetworkOptions(top=12, min_weight=2)
    view = VN.network_view(grown, f, options)
    start, end, _ = network.new_window(f.period, Q.data_as_of(grown))
    every = network.flag_new(QN.edges(grown, f, False), start, end)
    plain = network.degree_table(QN.nodes(grown, f), every)
    pd.testing.assert_frame_equal(view.degrees.reset_index(drop=True), plain.reset_index(drop=True),
                                  check_dtype=False)
    kept = network.filter_edges(every, min_weight=2)
    nodes, edges = network.top_partners(network.degree_table(QN.nodes(grown, f), kept), kept, 12)
    assert list(view.nodes["partner_id"]) == list(nodes["partner_id"])
    cols = ["partner_a_id", "partner_b_id", "collaborations", "joint_activities", "weight"]
    mine = view.edges[cols].sort_values(cols[:2]).reset_index(drop=True)
    theirs = edges[cols].sort_values(cols[:2]).reset_index(drop=True)
    if len(theirs) <= QN.MAX_DRAWN_EDGES:
        pd.testing.assert_frame_equal(mine, theirs, check_dtype=False)


def test_connections_csv_has_iso_dates_and_every_connection(sample_db_path):
    from collab_data.db import get_database

    db = get_database(sample_db_path)
    csv = VN.connections_csv(db, Filters())
    assert len(csv) == len(QN.edges(db, Filters()))
    dates = csv["First together"]
    assert dates.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    shown = VN.network_view(db, Filters()).edges_table["First together"]
    assert not shown.str.fullmatch(r"\d{4}-\d{2}-\d{2}").any()  # the screen reads "21 Sep 2026"


def test_chart_builders_give_valid_specs(sample_db_path):
    from collab_data.db import get_database
    from collab_data.views import kpis as VK
    from collab_data.views import overview as VO

    db = get_database(sample_db_path)
    p = metrics.Period.containing("quarter", Q.data_as_of(db))
    for chart in (VO.timeline_chart(db, Filters()), VK.history_chart(db, Filters(), "quarter", p.start),
                  VN.network_chart(db, Filters())):
        assert chart.to_dict()  # Altair validates the whole spec once, here, not on every rerun


def test_pages_send_cached_specs_not_altair(sample_db_path):
    import pathlib

    for page in ("pages/overview.py", "pages/kpis.py", "pages/network.py"):
        text = pathlib.Path(page).read_text()
        assert "st.altair_chart" not in text and "cached_spec(" in text, page




def test_partners_on_time_follows_the_freshness_rule(sample_db_path):
    """The KPI counts, per reference date, the partners whose freshness status is on time."""
    from collab_data import freshness
    from collab_data.db import get_database

    db = get_database(sample_db_path)
    as_of = Q.data_as_of(db)
    for kind in ("quarter", "year"):
        p = metrics.Period.containing(kind, as_of)
        periods = (p, p.previous(), *metrics.spark_quarters(p, as_of))
        got = metrics.partners_on_time(db, Filters(), periods, as_of)
        for x, value in zip(periods, got["value"]):
            ref = metrics.reference_date(x, as_of)
            rows = Q.last_reports(db, Filters(), (ref,))
            expected = sum(
                freshness.status(None if pd.isna(d) else pd.Timestamp(d).date(), ref, int(c)) in freshness.ON_TIME
                for d, c in zip(rows["last_report"], rows["cycle_months"]))
            assert value == expected
