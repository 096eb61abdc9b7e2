"""Time is an input.

* One clock: only ``collab_data.clock`` reads the calendar; ``COLLAB_TODAY`` sets it and a
  malformed value is a clear message, never a crash.
* The data date comes from the records: planned programmes, events dated after their
  import and implausible years do not move it, and the calendar never does.
* Dates are bounded where they come in (imports, targets, the URL), and every page renders
  whatever dates are already stored.
* The same database shows the same numbers on any day (several ``COLLAB_TODAY`` values:
  before the newest record, on it, a year later, years later); only the reporting-freshness
  panel counts from today, and it says so.
* Reporting freshness: the rule, the sample's mix, the KPI, and an admin's cycle change
  (validated, kept in history, undone).
"""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from conftest import TODAY, open_tab
from editors import ADMIN_CODE, PARIS_CODE, make_editor_app, sign_in

from collab_data import actions, clock, cycles, freshness, metrics, targets
from collab_data.db import WriteRejected, get_database
from collab_data.filters import Filters
from collab_data.ingest import activities as A
from collab_data.queries import data_as_of, data_status
from collab_data.views import freshness as VF
from collab_data.views import gaps as VG
from collab_data.views import kpis as VK
from collab_data.views import partners as VP

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_AS_OF = date(2026, 11, 19)  # the sample's newest programme that actually started
#: before the newest record, on it, a year later, years later
DAYS = [date(2026, 11, 1), SAMPLE_AS_OF, date(2027, 11, 22), date(2034, 6, 30)]
ALL_PAGES = ["pages/overview.py", "pages/kpis.py", "pages/partners.py", "pages/overlap.py", "pages/network.py",
             "pages/activities.py", "pages/countries.py", "pages/brief.py", "pages/gaps.py", "pages/meeting.py",
             "pages/manage.py"]
ADMIN = A.Editor("Secretariat", None)


# --------------------------------------------------------------------------------------
# One clock
# --------------------------------------------------------------------------------------
def test_collab_today_sets_the_clock(monkeypatch):
    monkeypatch.setenv(clock.ENV, "2031-02-28")
    assert clock.today() == date(2031, 2, 28)
    assert clock.today_or_real() == (date(2031, 2, 28), None)
    monkeypatch.setenv(clock.ENV, " 2031-03-01 ")
    assert clock.today() == date(2031, 3, 1)


@pytest.mark.parametrize(("value", "problem"), [
    ("27/11/2026", "is not written as YYYY-MM-DD"),
    ("2026-02-30", "is not a date that exists"),
    ("0001-01-01", "is outside 1990–2100"),
    ("tomorrow", "is not written as YYYY-MM-DD"),
])
def test_a_malformed_collab_today_is_a_clear_message(monkeypatch, value, problem):
    monkeypatch.setenv(clock.ENV, value)
    with pytest.raises(clock.ClockError, match=re.escape(problem)):
        clock.today()
    real, message = clock.today_or_real()
    assert isinstance(real, date) and problem in message and "YYYY-MM-DD" in message


def test_a_malformed_collab_today_does_not_take_a_page_down(app_test, sample_db_path, monkeypatch):
    monkeypatch.setenv(clock.ENV, "2026-13-45")
    at = app_test(sample_db_path, "pages/overview.py")
    assert not at.exception, at.exception
    assert any("COLLAB_TODAY" in w.value and "real date" in w.value for w in at.warning)


def test_only_the_clock_reads_the_calendar():
    calendar = re.compile(r"date\.today\(|datetime\.(now|today|utcnow)\(|Timestamp\.(now|today)\(|time\.time\(|"
                          r"current_date|current_timestamp|(?<!performance\.)\bnow\(\)|get_current_time", re.I)
    # performance.now() is the browser's stopwatch (milliseconds since a page opened), not the calendar
    offenders = []
    for path in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "collab_data").rglob("*.py")),
                 *sorted((ROOT / "collab_data").rglob("*.sql"))]:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0] if path.suffix == ".py" else line.split("--", 1)[0]
            if not calendar.search(code):
                continue
            rel = path.relative_to(ROOT).as_posix()
            if rel == "collab_data/clock.py" or (rel == "collab_data/db.py" and "datetime.now(UTC)" in code):
                continue  # the clock itself, and the timestamp of a write batch (when it really happened)
            offenders.append(f"{rel}:{n}: {line.strip()}")
    assert not offenders, "read the day through collab_data.clock:\n" + "\n".join(offenders)


def test_date_window():
    assert clock.date_window(date(2026, 11, 22)) == (date(1990, 1, 1), date(2036, 11, 22))
    assert clock.date_window(date(2028, 2, 29)) == (date(1990, 1, 1), date(2038, 2, 28))
    assert clock.date_window(date(2095, 6, 1))[1] == date(2100, 12, 31)
    assert "1990-01-01" in clock.window_text(TODAY) and "2036-11-22" in clock.window_text(TODAY)


# --------------------------------------------------------------------------------------
# The data date
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample_db(sample_db_path):
    return get_database(sample_db_path)


@pytest.fixture()
def rw(sample_db_path, tmp_path):
    path = tmp_path / "rw.duckdb"
    shutil.copy(sample_db_path, path)
    return get_database(path)


def _activity(db, activity_id: str, start: date, *, kind: str = "upload", partner: str = "odw") -> None:
    with db.write(kind=kind, source=f"test {activity_id}", editor="pytest") as b:
        b.insert("activities", pd.DataFrame([{"activity_id": activity_id, "title": f"Test {activity_id}",
                                              "type_id": "knowledge_exchange", "collab_id": "gender",
                                              "start_date": start, "is_sample": kind == "sample"}]))
        b.insert("activity_partners", pd.DataFrame([{"activity_id": activity_id, "partner_id": partner,
                                                     "is_sample": kind == "sample"}]))


def test_the_data_date_comes_from_recorded_events(rw):
    assert data_as_of(rw) == SAMPLE_AS_OF
    status = data_status(rw)
    assert status["last_update"] is None and "planned programmes do not count" in status["definition"]
    # a planned programme, however soon, does not move it
    with rw.write(kind="upload", source="planned.csv", editor="pytest") as b:
        b.insert("country_programs", pd.DataFrame([{
            "program_id": "T1", "partner_id": "odw", "iso3": "KEN", "support_type": "training",
            "start_date": date(2026, 11, 20), "status": "planned", "is_sample": False}]))
    assert data_as_of(rw) == SAMPLE_AS_OF
    # an activity dated after the day it was imported had not happened yet
    imported_on = rw.scalar("SELECT max(created_at) FROM import_batches").date()
    _activity(rw, "T_LATER", imported_on + timedelta(days=30))
    assert data_as_of(rw) == SAMPLE_AS_OF
    # one held before its import counts, and the newest import is reported beside it
    _activity(rw, "T_HELD", date(2026, 11, 20))
    assert data_as_of(rw) == date(2026, 11, 20)
    assert data_status(rw)["last_update"] == imported_on


def test_implausible_stored_dates_do_not_move_the_data_date(rw):
    for i, d in enumerate((date(1, 1, 1), date(9999, 12, 31), date(2206, 3, 10))):
        _activity(rw, f"X{i}", d, kind="sample")
    assert data_as_of(rw) == SAMPLE_AS_OF


# --------------------------------------------------------------------------------------
# Dates are bounded where they come in
# --------------------------------------------------------------------------------------
def _csv(rows: list[tuple[str, str]]) -> bytes:
    lines = ["title,type,start_date,end_date,partners"]
    lines += [f"Exchange {i},knowledge exchange,{s},{e},ODW" for i, (s, e) in enumerate(rows, 1)]
    return ("\n".join(lines) + "\n").encode()


def test_imports_refuse_dates_outside_the_window(rw):
    data = _csv([("0001-01-01", ""), ("9999-12-31", ""), ("2206-03-10", ""), ("1989-12-31", ""),
                 ("2036-11-23", ""), ("2025-03-01", "2206-03-10"),                       # refused
                 ("1990-01-01", ""), ("2036-11-22", ""), ("2025-03-02", "2025-03-04")])  # accepted
    before = rw.table_checksums()
    plan = A.validate(data, "dates.csv", rw, editor=ADMIN, today=TODAY)
    errors = {(f.row, f.column): f for f in plan.findings if f.tier == "error"}
    assert sorted(errors) == [(2, "start_date"), (3, "start_date"), (4, "start_date"), (5, "start_date"),
                              (6, "start_date"), (7, "end_date")]
    for f in errors.values():
        assert "outside the dates the dashboard accepts" in f.message
        assert "between 1990-01-01 and 2036-11-22" in f.message and "2036-11-22" in f.fix
    assert [r["start_date"] for r in plan.records] == [date(1990, 1, 1), date(2036, 11, 22), date(2025, 3, 2)]
    assert any(f.row == 9 and f.tier == "warning" and "future" in f.message for f in plan.findings)
    assert rw.table_checksums() == before, "validation writes nothing"
    # the window moves with the clock: ten years after the day of the import
    later = A.validate(data, "dates.csv", rw, editor=ADMIN, today=date(2030, 1, 1))
    assert (6, "start_date") not in {(f.row, f.column) for f in later.findings if f.tier == "error"}
    assert "10 years after today" in A.FIELDS["start_date"].help  # the template's column help says so


def test_targets_refuse_periods_outside_the_window(rw):
    with pytest.raises(targets.TargetRejected, match="between 1990-01-01 and 2036-11-22"):
        targets.set_target(rw, "peer_reviews", "year", date(2040, 1, 1), 3, editor="Secretariat", today=TODAY)
    with pytest.raises(targets.TargetRejected, match="not 1985-01-01"):
        targets.set_target(rw, "peer_reviews", "year", date(1985, 1, 1), 3, editor="Secretariat", today=TODAY)


@pytest.mark.parametrize("period", ["0001-Q1", "9999-Q4", "2206", "1-Q1", "20266"])
def test_a_url_period_outside_the_window_falls_back(app_test, sample_db_path, period):
    with pytest.raises(ValueError):
        Filters(period=period)
    at = app_test(sample_db_path, "pages/overview.py", period=period)
    assert not at.exception, at.exception


@pytest.fixture(scope="module")
def extreme_db(sample_db_path, tmp_path_factory):
    """The sample plus records with extreme dates written straight into the database (as an
    older version, a script or a restore could have left them)."""
    path = tmp_path_factory.mktemp("extreme") / "extreme.duckdb"
    shutil.copy(sample_db_path, path)
    db = get_database(path)
    extremes = [date(1, 1, 1), date(999, 12, 31), date(9999, 12, 31), date(2206, 3, 10)]
    with db.write(kind="sample", source="extreme dates") as b:
        b.insert("activities", pd.DataFrame([
            {"activity_id": f"EX{i}", "title": f"Extreme {d}", "type_id": t, "collab_id": c, "start_date": d,
             "end_date": date(9999, 12, 31), "is_sample": True}
            for i, (d, t, c) in enumerate((d, t, c) for d in extremes
                                          for t, c in (("meeting", "gender"), ("peer_review", "lnob")))]))
        b.insert("activity_partners", pd.DataFrame([{"activity_id": f"EX{i}", "partner_id": p, "is_sample": True}
                                                    for i in range(2 * len(extremes)) for p in ("odw", "unicef")]))
        b.insert("activity_countries", pd.DataFrame([{"activity_id": f"EX{i}", "iso3": "KEN", "is_sample": True}
                                                     for i in range(2 * len(extremes))]))
        b.insert("country_programs", pd.DataFrame([
            {"program_id": f"EXP{i}", "partner_id": "odw", "iso3": "KEN", "support_type": "training",
             "start_date": d, "end_date": date(9999, 12, 31), "status": s, "is_sample": True}
            for i, (d, s) in enumerate([(date(1, 1, 1), "active"), (date(9999, 12, 31), "active"),
                                        (date(2206, 3, 10), "completed"), (date(1, 1, 1), "planned")])]))
        b.insert("collaborations", pd.DataFrame([
            {"collaboration_id": f"EXC{i}", "title": f"Extreme collaboration {d}", "kind": "joint_product",
             "started_date": d, "is_sample": True} for i, d in enumerate(extremes)]))
        b.insert("collaboration_partners", pd.DataFrame([
            {"collaboration_id": f"EXC{i}", "partner_id": p, "is_sample": True}
            for i in range(len(extremes)) for p in ("odw", "unicef")]))
    return path


@pytest.mark.parametrize("page", ALL_PAGES)
@pytest.mark.parametrize("period", ["all", "last12"])
def test_every_page_renders_extreme_stored_dates(app_test, extreme_db, page, period):
    at = app_test(extreme_db, page, period="All time" if period == "all" else "The last 12 months")
    assert not at.exception, at.exception
    captions = " ".join(c.value for c in at.caption) + " ".join(m.value for m in at.markdown)
    as_of = "data as of 19 Nov 2026" if page == "pages/meeting.py" else "Data as of 19 November 2026"
    assert as_of in captions, "typing-error years never become the data date"


# --------------------------------------------------------------------------------------
# The same data gives the same numbers on any day
# --------------------------------------------------------------------------------------
def _numbers(at) -> dict:
    """Every number the page shows outside the reporting-freshness panel."""
    out = {f"metric {m.label}": (m.value, m.delta) for m in at.metric}
    for i, d in enumerate(at.dataframe):
        frame = d.value
        if "Days since" in frame.columns:  # the freshness panel counts from today
            continue
        frame = frame.drop(columns=["Reporting"], errors="ignore")  # the catalogue's freshness column too
        out[f"table {i} {list(frame.columns)}"] = frame.astype(str).values.tolist()
    freshness_words = ("**Reporting:**", "partners up to date", *(d["label"] for d in freshness.STATUS.values()))
    out["markdown"] = [m.value for m in at.markdown if not any(w in m.value for w in freshness_words)]
    out["subheaders"] = [s.value for s in at.subheader]
    out["captions"] = [c.value for c in at.caption if "Counted from today" not in c.value]
    return out


def _page_numbers(at, page: str) -> tuple[dict, str]:
    """:func:`_numbers` of the page and its captions; on the pages in tabs (KPIs & targets,
    Partners & tools, Data gaps), of every tab (only the open tab is drawn)."""
    tabs = {"pages/kpis.py": ("kpi_tab", VK.TABS), "pages/partners.py": ("pt_tab", VP.TABS),
            "pages/gaps.py": ("gaps_tab", VG.TABS)}.get(page)
    if tabs is None:
        return _numbers(at), " ".join(c.value for c in at.caption)
    out, captions = {}, []
    state_key, labels = tabs
    for key, label in labels.items():
        open_tab(at, state_key, label)
        out.update({f"{key}: {k}": v for k, v in _numbers(at).items()})
        captions += [c.value for c in at.caption]
    return out, " ".join(captions)


@pytest.fixture(scope="module")
def baseline(sample_db_path):
    return {}


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/kpis.py", "pages/network.py"])
@pytest.mark.parametrize("day", DAYS, ids=str)
@pytest.mark.parametrize("period", ["All time", "The last 12 months", "2025"])
def test_the_same_numbers_on_any_day(app_test, sample_db_path, monkeypatch, baseline, page, day, period):
    key = (page, period)
    if key not in baseline:
        monkeypatch.setenv(clock.ENV, TODAY.isoformat())
        ref = app_test(sample_db_path, page, period=period)
        assert not ref.exception, ref.exception
        baseline[key] = _page_numbers(ref, page)[0]
    monkeypatch.setenv(clock.ENV, day.isoformat())
    at = app_test(sample_db_path, page, period=period)
    assert not at.exception, at.exception
    numbers, captions = _page_numbers(at, page)
    assert numbers == baseline[key]
    if page != "pages/network.py":  # where the freshness panel is, it says that it counts from today
        assert f"Counted from today, {clock.long_date(day)}" in captions


@pytest.mark.parametrize("page", [p for p in ALL_PAGES if p not in ("pages/overview.py", "pages/kpis.py",
                                                                      "pages/network.py")])
def test_every_other_page_shows_the_same_on_another_day(app_test, sample_db_path, monkeypatch, page):
    ref = _page_numbers(app_test(sample_db_path, page), page)[0]
    monkeypatch.setenv(clock.ENV, DAYS[-1].isoformat())
    at = app_test(sample_db_path, page)
    assert not at.exception, at.exception
    assert _page_numbers(at, page)[0] == ref


def test_last_12_months_end_on_the_data_date(sample_db):
    f = Filters(period="last12")
    from collab_data.queries import scope_params
    params = scope_params(f, data_as_of(sample_db))
    assert (params["p_start"], params["p_end"]) == (date(2025, 11, 20), SAMPLE_AS_OF)


# --------------------------------------------------------------------------------------
# Reporting freshness
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("last", "ref", "months", "expected"), [
    (date(2026, 8, 22), date(2026, 11, 22), 3, "up_to_date"),   # exactly one cycle
    (date(2026, 8, 21), date(2026, 11, 22), 3, "due"),
    (date(2026, 7, 22), date(2026, 11, 22), 3, "due"),          # cycle + grace, to the day
    (date(2026, 7, 21), date(2026, 11, 22), 3, "overdue"),
    (date(2026, 11, 30), date(2026, 11, 22), 3, "up_to_date"),
    (None, date(2026, 11, 22), 3, "no_reports"),
    (date(2026, 10, 1), date(2026, 11, 22), 1, "due"),
    (date(2025, 12, 31), date(2026, 11, 22), 12, "up_to_date"),
    (date(2026, 8, 31), date(2026, 11, 30), 3, "up_to_date"),  # 31 Aug + 3 months = 30 Nov
])
def test_freshness_rule(last, ref, months, expected):
    assert freshness.status(last, ref, months) == expected


def _statuses(panel) -> dict[str, str]:
    return dict(zip(panel.table["Partner"], panel.statuses))


def test_the_sample_has_a_realistic_mix(sample_db):
    panel = VF.reporting_panel(sample_db, Filters(), TODAY)
    st = _statuses(panel)
    assert {p: s for p, s in st.items() if s != "up_to_date"} == {"DIHR": "due", "CIVICUS": "overdue",
                                                                  "Sightsavers": "overdue"}
    assert panel.counts == {"up_to_date": 12, "due": 1, "overdue": 2, "no_reports": 0}
    assert panel.headline == "12 of 15 partners up to date · 1 due · 2 overdue"
    assert list(panel.table["Partner"][:3]) == ["CIVICUS", "Sightsavers", "DIHR"], "worst first"
    dihr = panel.table.set_index("Partner").loc["DIHR"]
    assert dihr["Last report"] == date(2026, 8, 6) and dihr["Days since"] == 108
    assert dihr["Report due from"] == date(2026, 11, 6) and dihr["Overdue after"] == date(2026, 12, 6)
    assert dihr["What was reported"].startswith("programme completed: ")
    assert "Counted from today, 22 November 2026" in panel.notes[0]
    # the collaborative filter narrows to its members; the period and country filters do not apply
    gender = VF.reporting_panel(sample_db, Filters(collab="gender"), TODAY)
    assert gender.total == 7 and gender.counts["up_to_date"] == 7  # the gender members reported lately
    kenya = VF.reporting_panel(sample_db, Filters(countries=("KEN",), period="2024"), TODAY)
    assert kenya.counts == panel.counts and any("Country and tool filters do not apply" in n for n in kenya.notes)


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_freshness_counts_from_today_and_the_kpi_does_not(sample_db, day):
    panel = VF.reporting_panel(sample_db, Filters(), day)
    assert panel.total == 15
    if day >= date(2027, 11, 22):  # a year after the last record every partner is overdue
        assert panel.counts["overdue"] == 15
    if day == date(2026, 11, 1):   # before the newest records: what was known on that day
        assert _statuses(panel)["CIVICUS"] == "overdue" and _statuses(panel)["DIHR"] == "up_to_date"
        assert any("after today" in n for n in panel.notes)
    # the KPI is judged on the data date: the same on any day
    kpis = metrics.compute_kpis(sample_db, Filters(), "quarter", date(2026, 10, 1), ("partners_on_time",))
    assert int(kpis["value"].iloc[0]) == 13 and kpis["target"].iloc[0] == 12 and kpis["status"].iloc[0] == "on_track"


def test_kpi_and_panel_agree_on_the_same_day(sample_db):
    """Judged on the same day, the KPI counts exactly the partners the panel shows as not late."""
    panel = VF.reporting_panel(sample_db, Filters(), SAMPLE_AS_OF)
    kpis = metrics.compute_kpis(sample_db, Filters(), "quarter", date(2026, 10, 1), ("partners_on_time",))
    assert int(kpis["value"].iloc[0]) == panel.counts["up_to_date"] + panel.counts["due"]


def test_an_admin_changes_a_cycle_it_is_kept_and_can_be_undone(rw):
    before = rw.table_checksums()
    with pytest.raises(cycles.CycleRejected, match="already quarterly"):
        cycles.set_cycle(rw, "lnob", 3, editor="Secretariat")
    with pytest.raises(cycles.CycleRejected, match="5 months is not offered"):
        cycles.set_cycle(rw, "lnob", 5, editor="Secretariat")
    with pytest.raises(cycles.CycleRejected, match="unknown collaborative"):
        cycles.set_cycle(rw, "nope", 1, editor="Secretariat")
    assert rw.table_checksums() == before, "a refused change writes nothing"
    batch = cycles.set_cycle(rw, "lnob", 1, editor="Secretariat")
    monthly = _statuses(VF.reporting_panel(rw, Filters(), TODAY))
    assert monthly["DI"] == "due"               # last report 21 Oct: a month has passed
    assert monthly["PARIS21"] == "up_to_date"   # gender only: still quarterly
    assert monthly["Data2X"] == "up_to_date"    # in both: held to the shorter cycle, reported 13 Nov
    history = VF.cycle_history(rw)
    assert history[["Editor", "Collaborative", "Old cycle", "New cycle"]].values.tolist() == [
        ["Secretariat", "Leave No One Behind data collaborative", "Quarterly", "Monthly"]]
    assert VF.cycles_table(rw).set_index("Collaborative").loc[
        "Leave No One Behind data collaborative", "Reporting cycle"] == "Monthly"
    rw.undo_batch(batch, by="Secretariat")
    assert _statuses(VF.reporting_panel(rw, Filters(), TODAY))["DI"] == "up_to_date"
    assert VF.cycle_history(rw).empty


def test_only_admins_change_cycles(rw, monkeypatch):
    from collab_data.db import DB_ENV
    monkeypatch.setenv(DB_ENV, str(rw.path))
    with pytest.raises(WriteRejected, match="only an administrator"):
        actions.set_cycle("lnob", 1, A.Editor("PARIS21 data lead", "paris21"))
    with pytest.raises(WriteRejected, match="only an administrator"):
        actions.set_cycle("lnob", 1, None)
    assert actions.set_cycle("lnob", 6, ADMIN) > 0


def test_freshness_is_shown_on_overview_kpis_and_partners(app_test, sample_db_path):
    for page in ("pages/overview.py", "pages/kpis.py", "pages/partners.py"):
        tab = ({"kpi_tab": VK.TABS["freshness"]} if page == "pages/kpis.py"
               else {"pt_tab": VP.TABS["reporting"]} if page == "pages/partners.py" else {})
        at = app_test(sample_db_path, page, **tab)
        assert not at.exception, at.exception
        text = " ".join(m.value for m in at.markdown)
        assert "12 of 15 partners up to date · 1 due · 2 overdue" in text, page
        assert "🔴 Overdue" in text and "🟠 Due" in text and "🟢 Up to date" in text, "words, sign and colour"
        frames = [d.value for d in at.dataframe if "Days since" in d.value.columns]
        assert frames and frames[0]["Status"].iloc[0] == "🔴 Overdue", page
    at = app_test(sample_db_path, "pages/partners.py")
    catalogue = next(d.value for d in at.dataframe if "Reporting" in d.value.columns)
    assert catalogue.set_index("Partner").loc["CIVICUS", "Reporting"] == "🔴 Overdue"
    open_tab(at, "pt_tab", VP.TABS["partner"])
    assert any("**Reporting:**" in m.value for m in at.markdown), "the partner profile says it too"


def test_the_kpis_page_shows_the_kpi_and_an_admin_changes_a_cycle(hashes, sample_db_path, tmp_path, monkeypatch):
    path = tmp_path / "kpis.duckdb"
    shutil.copy(sample_db_path, path)
    at = make_editor_app(hashes, "pages/kpis.py", path, monkeypatch)
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "How it is counted" in d.value.columns).set_index("KPI")
    assert table.loc["Partners reporting on time", "Value"] == 13
    assert table.loc["Partners reporting on time", "Target"] == 12
    open_tab(at, "kpi_tab", VK.TABS["targets"])
    assert not [b for b in at.button if b.key == "cycle_save"], "visitors see no cycle control"
    sign_in(at, "PARIS21 data lead", PARIS_CODE)
    assert not [b for b in at.button if b.key == "cycle_save"], "partner editors neither"
    at.button(key="sign_out_targets").click().run()
    sign_in(at, "Secretariat", ADMIN_CODE)
    at.selectbox(key="cycle_collab").set_value("lnob").run()
    at.selectbox(key="cycle_months_lnob").set_value(1).run()
    at.button(key="cycle_save").click().run()
    assert not at.exception, at.exception
    assert any("set to monthly (was quarterly" in s.value for s in at.success)
    history = next(d.value for d in at.dataframe if "New cycle" in d.value.columns)
    assert history[["Editor", "New cycle"]].values.tolist() == [["Secretariat", "Monthly"]]
    assert isinstance(history["When (UTC)"].iloc[0], (datetime, pd.Timestamp))


def test_a_running_app_moves_to_the_next_day_without_a_restart(app_test, sample_db_path, monkeypatch):
    at = app_test(sample_db_path, "pages/overview.py")
    assert any("Counted from today, 22 November 2026" in c.value for c in at.caption)
    tiles = [(m.label, m.value) for m in at.metric]
    monkeypatch.setenv(clock.ENV, "2027-11-22")  # the same session, caches kept, a year later
    at.run()
    assert not at.exception, at.exception
    assert any("Counted from today, 22 November 2027" in c.value for c in at.caption)
    assert any("0 of 15 partners up to date · 15 overdue" in m.value for m in at.markdown)
    assert [(m.label, m.value) for m in at.metric] == tiles, "the KPIs do not move with the calendar"
