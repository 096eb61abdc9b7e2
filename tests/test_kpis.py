"""Every KPI of the "KPIs & targets" page against a tiny hand-built database whose values are
counted by hand below; the meeting cadence; and target changes (validation, write path, history).

The fixture (five partners, four programmes, fourteen activities, three collaborations):

    partners  PA, PB, PE: gender · PC, PD: LNOB
    programmes PR1 PE  KEN  tool t_one  active     2025-01-01 .. 2025-03-31  (ends the day before Q2)
               PR2 PE  UGA  no tool     active     2025-06-30 .. open        (starts the last day of Q2)
               PR3 PA  UGA  tool t_two  completed  2024-06-01 .. 2025-04-01  (ends the first day of Q2)
               PR4 PC  TZA  no tool     planned    2025-01-01 .. open        (never counts)
    activities M1  meeting, gender plenary          2024-10-15  PA PB
               L1  meeting, LNOB plenary            2025-01-20  PC PD
               R1  peer review, gender              2025-03-28 .. 2025-04-02  PA PD
               L2  meeting, LNOB plenary            2025-03-31  PC PD       (last day of Q1)
               M2  meeting, gender plenary          2025-04-01  PA PB PE    (first day of Q2)
               S1  tool showcase t_one, gender      2025-04-15  PA
               T1  meeting, LNOB task team          2025-05-05  PC PD
               R2  peer review, LNOB                2025-05-10  PC PD
               S2  tool showcase t_one, LNOB        2025-05-20  PC
               S3  tool showcase t_two, LNOB        2025-06-01  PD PB
               K1  knowledge exchange, gender, KEN  2025-06-30  PB PC       (last day of Q2)
               X1  training, outside both           2025-07-01  PA PC
               L3  meeting, LNOB plenary            2025-08-10  PC PD
               X2  advocacy, gender                 2025-11-20  PA          (the data date)
    collaborations C2 2025-03-31 PC PD · C1 2025-04-01 PA PB · C3 2025-06-30 PD PE

First joint activity of each pair: PA-PB 2024-10-15 (M1); PC-PD 2025-01-20 (L1); PA-PD 2025-03-28
(R1); PA-PE, PB-PE 2025-04-01 (M2); PB-PD 2025-06-01 (S3); PB-PC 2025-06-30 (K1); PA-PC
2025-07-01 (X1).
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest
from conftest import TODAY

from collab_data import actions, metrics, targets
from collab_data import db as dbmod
from collab_data.db import DB_ENV, WriteRejected, close_database, get_database
from collab_data.filters import Filters
from collab_data.ingest.activities import Editor
from collab_data.queries import overview as Q

Q1, Q2, Q3, Q4 = (date(2025, m, 1) for m in (1, 4, 7, 10))


def _frame(rows: list[dict], **common) -> pd.DataFrame:
    return pd.DataFrame([{**r, **common} for r in rows])


def build_tiny(path) -> dbmod.Database:
    db = get_database(path)
    with db.write(kind="reference", source="test reference") as b:
        b.insert("countries", pd.DataFrame([{"iso3": i, "name": n} for i, n in
                                            (("KEN", "Kenya"), ("UGA", "Uganda"), ("TZA", "Tanzania"))]))
        b.insert("collaboratives", pd.DataFrame([
            {"collab_id": "gender", "name": "Gender data collaborative", "cadence_min_months": 5, "cadence_max_months": 7},
            {"collab_id": "lnob", "name": "LNOB data collaborative", "cadence_min_months": 2, "cadence_max_months": 3}]))
        b.insert("task_teams", pd.DataFrame([{"team_id": "idc", "collab_id": "lnob", "name": "Inclusive Data Charter"}]))
        b.insert("activity_types", pd.DataFrame([
            {"type_id": t, "label": t.replace("_", " ").capitalize(), "is_knowledge_sharing": ks} for t, ks in (
                ("meeting", False), ("knowledge_exchange", True), ("peer_review", True), ("tool_showcase", True),
                ("training", False), ("advocacy", False), ("guideline", False))]))
        b.insert("kpis", pd.DataFrame([{"kpi_id": k.id, "name": k.name, "unit": k.unit} for k in metrics.KPIS.values()]))

    partners = [("p_a", "PA", "gender"), ("p_b", "PB", "gender"), ("p_c", "PC", "lnob"), ("p_d", "PD", "lnob"),
                ("p_e", "PE", "gender")]
    activities = [  # id, type, collab, team, start, end, tool, partners
        ("M1", "meeting", "gender", None, date(2024, 10, 15), None, None, "p_a p_b"),
        ("L1", "meeting", "lnob", None, date(2025, 1, 20), None, None, "p_c p_d"),
        ("R1", "peer_review", "gender", None, date(2025, 3, 28), date(2025, 4, 2), None, "p_a p_d"),
        ("L2", "meeting", "lnob", None, date(2025, 3, 31), None, None, "p_c p_d"),
        ("M2", "meeting", "gender", None, date(2025, 4, 1), None, None, "p_a p_b p_e"),
        ("S1", "tool_showcase", "gender", None, date(2025, 4, 15), None, "t_one", "p_a"),
        ("T1", "meeting", "lnob", "idc", date(2025, 5, 5), None, None, "p_c p_d"),
        ("R2", "peer_review", "lnob", None, date(2025, 5, 10), None, None, "p_c p_d"),
        ("S2", "tool_showcase", "lnob", None, date(2025, 5, 20), None, "t_one", "p_c"),
        ("S3", "tool_showcase", "lnob", None, date(2025, 6, 1), None, "t_two", "p_d p_b"),
        ("K1", "knowledge_exchange", "gender", None, date(2025, 6, 30), None, None, "p_b p_c"),
        ("X1", "training", None, None, date(2025, 7, 1), None, None, "p_a p_c"),
        ("L3", "meeting", "lnob", None, date(2025, 8, 10), None, None, "p_c p_d"),
        ("X2", "advocacy", "gender", None, date(2025, 11, 20), None, None, "p_a"),
    ]
    collaborations = [("C2", date(2025, 3, 31), "p_c p_d"), ("C1", date(2025, 4, 1), "p_a p_b"),
                      ("C3", date(2025, 6, 30), "p_d p_e")]
    tables = {
        "partners": _frame([{"partner_id": p, "name": f"Partner {a}", "acronym": a, "org_type": "ngo"}
                            for p, a, _ in partners], is_sample=False),
        "partner_memberships": _frame([{"partner_id": p, "collab_id": c} for p, _, c in partners], is_sample=False),
        "tools": _frame([{"tool_id": "t_one", "name": "Tool one", "kind": "platform", "stage": "pilot"},
                         {"tool_id": "t_two", "name": "Tool two", "kind": "dataset", "stage": "mature"}], is_sample=False),
        "tool_owners": _frame([{"tool_id": "t_one", "partner_id": "p_a"}, {"tool_id": "t_two", "partner_id": "p_c"}],
                              is_sample=False),
        "country_programs": _frame([
            {"program_id": "PR1", "partner_id": "p_e", "iso3": "KEN", "tool_id": "t_one", "status": "active",
             "start_date": date(2025, 1, 1), "end_date": date(2025, 3, 31)},
            {"program_id": "PR2", "partner_id": "p_e", "iso3": "UGA", "tool_id": None, "status": "active",
             "start_date": date(2025, 6, 30), "end_date": None},
            {"program_id": "PR3", "partner_id": "p_a", "iso3": "UGA", "tool_id": "t_two", "status": "completed",
             "start_date": date(2024, 6, 1), "end_date": date(2025, 4, 1)},
            {"program_id": "PR4", "partner_id": "p_c", "iso3": "TZA", "tool_id": None, "status": "planned",
             "start_date": date(2025, 1, 1), "end_date": None},
        ], support_type="technical_assistance", is_sample=False),
        "activities": _frame([{"activity_id": i, "title": f"Activity {i}", "type_id": t, "collab_id": c,
                               "team_id": tm, "start_date": s, "end_date": e, "tool_id": tool}
                              for i, t, c, tm, s, e, tool, _ in activities], is_sample=False),
        "activity_partners": _frame([{"activity_id": a[0], "partner_id": p} for a in activities for p in a[7].split()],
                                    is_sample=False),
        "activity_countries": _frame([{"activity_id": "K1", "iso3": "KEN"}], is_sample=False),
        "collaborations": _frame([{"collaboration_id": c, "title": f"Collaboration {c}", "kind": "joint_product",
                                   "started_date": d} for c, d, _ in collaborations], is_sample=False),
        "collaboration_partners": _frame([{"collaboration_id": c, "partner_id": p} for c, _, ps in collaborations
                                          for p in ps.split()], is_sample=False),
        "kpi_targets": _frame([
            {"kpi_id": "knowledge_sharing", "period_type": "quarter", "period_start": Q2, "target": 5.0},
            {"kpi_id": "new_collaborations", "period_type": "quarter", "period_start": Q2, "target": 7.0},
            {"kpi_id": "peer_reviews", "period_type": "quarter", "period_start": Q2, "target": 3.0},
            {"kpi_id": "meetings_held", "period_type": "year", "period_start": Q1, "target": 4.0},
        ], is_sample=False),
    }
    with db.write(kind="upload", source="tiny.csv", editor="pytest") as b:
        for table, frame in tables.items():
            b.rows_imported += b.insert(table, frame)
    return db


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = tmp_path_factory.mktemp("tiny") / "x.duckdb"
    db = build_tiny(path)
    yield db
    close_database(path)


@pytest.fixture()
def tiny_rw(tmp_path, monkeypatch):
    """A private tiny database that a test may change; also the app's database (COLLAB_DB)."""
    path = tmp_path / "x.duckdb"
    db = build_tiny(path)
    monkeypatch.setenv(DB_ENV, str(path))
    yield db
    close_database(path)


def kpis(db, period_type: str, start: date, f: Filters | None = None) -> pd.DataFrame:
    return metrics.compute_kpis(db, f or Filters(), period_type, start, metrics.PAGE_KPIS)


def values(df: pd.DataFrame, col: str = "value") -> dict[str, int | None]:
    return {r.kpi_id: (None if pd.isna(getattr(r, col)) else int(getattr(r, col))) for r in df.itertuples()}


# --------------------------------------------------------------------------------------
# KPI values, counted by hand
# --------------------------------------------------------------------------------------
# Q2 2025 (1 April - 30 June)
HAND_Q2 = {
    # activities starting in Q2: M2 PA PB PE, S1 PA, T1/R2 PC PD, S2 PC, S3 PD PB, K1 PB PC; programmes PR2 PE, PR3 PA
    "partners_involved": 5,
    "knowledge_sharing": 5,       # S1, R2, S2, S3, K1 (30 June); R1 started in Q1; M2 and T1 are meetings
    "meetings_held": 1,           # M2 (1 April); T1 is a task-team meeting
    "new_collaborations": 6,      # recorded C1 (1 April), C3 (30 June) + first-time pairs PA-PE, PB-PE, PB-PD, PB-PC
    "peer_reviews": 2,            # R1 (ends 2 April), R2 (10 May, no end date)
    "countries_coordinated": 1,   # UGA: PE (PR2 from 30 June) and PA (PR3 to 1 April)
    "tools_showcased": 2,         # t_one (S1, S2), t_two (S3)
    "countries_active": 1,        # UGA; PR1 in Kenya ended 31 March; PR4 is planned
    "tools_in_use": 2,            # t_two (PR3, S3), t_one (S1, S2)
    "partners_on_time": 5,        # on 30 June every partner had reported within its (quarterly) cycle
}
# Q1 2025 (1 January - 31 March)
HAND_Q1 = {
    "partners_involved": 4,       # PC PD (L1, L2), PA PD (R1) + PE only through programme PR1
    "knowledge_sharing": 1,       # R1 (started 28 March)
    "meetings_held": 2,           # L1, L2 (31 March)
    "new_collaborations": 3,      # recorded C2 (31 March) + pairs PC-PD (L1), PA-PD (R1)
    "peer_reviews": 0,            # R1 is completed only on 2 April
    "countries_coordinated": 0,   # KEN: PE only; UGA: PA only
    "tools_showcased": 0,
    "countries_active": 2,        # KEN (PR1), UGA (PR3)
    "tools_in_use": 2,            # t_one (PR1), t_two (PR3)
    "partners_on_time": 4,        # on 31 March PB's last report was M1 (15 Oct 2024): overdue after 15 Feb
}
# Q3 2025: X1 (1 July, PA PC), L3 (PC PD); programme PR2 (PE, UGA)
HAND_Q3 = {"partners_involved": 4, "knowledge_sharing": 0, "meetings_held": 1, "new_collaborations": 1,  # PA-PC
           "peer_reviews": 0, "countries_coordinated": 0, "tools_showcased": 0, "countries_active": 1,
           "tools_in_use": 0,
           "partners_on_time": 5}  # on 30 Sep PB's last report (K1, 30 June) is exactly one cycle old: up to date
# the year 2025
HAND_2025 = {"partners_involved": 5, "knowledge_sharing": 6, "meetings_held": 4,
             "new_collaborations": 10,  # recorded C1 C2 C3 + 7 pairs (all but PA-PB, first together in 2024)
             "peer_reviews": 2, "countries_coordinated": 1, "tools_showcased": 2, "countries_active": 2,
             "tools_in_use": 2,
             # judged on the data date (20 Nov): PA up to date (X2); PC, PD due (L3, 10 Aug); PB (K1) and PE
             # (PR2, C3), last reported on 30 June, overdue after 30 Oct
             "partners_on_time": 3}


def test_quarter_values_and_previous_period(tiny):
    got = kpis(tiny, "quarter", Q2)
    assert list(got["kpi_id"]) == list(metrics.PAGE_KPIS)
    assert values(got) == HAND_Q2
    assert values(got, "previous") == HAND_Q1
    assert values(got, "delta") == {k: HAND_Q2[k] - HAND_Q1[k] for k in HAND_Q2}
    assert values(kpis(tiny, "quarter", Q3)) == HAND_Q3


def test_year_and_half_year_with_frequency_per_quarter(tiny):
    year = kpis(tiny, "year", Q1)
    assert values(year) == HAND_2025
    # the data date (20 Nov 2025) is in Q4: all four quarters have begun
    per_q = dict(zip(year["kpi_id"], year["per_quarter"]))
    assert per_q["knowledge_sharing"] == 6 / 4 and per_q["meetings_held"] == 1.0
    assert per_q["new_collaborations"] == 10 / 4 and per_q["peer_reviews"] == 0.5
    assert math.isnan(per_q["partners_involved"]) and math.isnan(per_q["tools_showcased"])
    h2 = kpis(tiny, "half", Q3)
    assert values(h2)["meetings_held"] == 1                       # L3
    assert dict(zip(h2["kpi_id"], h2["per_quarter"]))["meetings_held"] == 0.5
    assert values(h2)["partners_involved"] == 4                   # PA PC (X1, X2), PD (L3), PE (PR2)
    assert metrics.quarters_begun(metrics.Period("half", Q3), date(2025, 8, 1)) == 1


def test_partner_active_only_through_programmes(tiny):
    only_e = values(kpis(tiny, "quarter", Q1, Filters(partners=("p_e",))))
    assert only_e["partners_involved"] == 1       # PE took part in no activity in Q1
    assert only_e["knowledge_sharing"] == 0 and only_e["new_collaborations"] == 0
    assert only_e["countries_active"] == 1        # KEN
    assert values(kpis(tiny, "quarter", Q2, Filters(partners=("p_e",))))["countries_active"] == 1  # UGA (PR2), not KEN


def test_filters_narrow_as_defined(tiny):
    lnob = values(kpis(tiny, "quarter", Q2, Filters(collab="lnob")))
    assert lnob == {
        "partners_involved": 2,       # PC, PD (PB in S3 is not an LNOB member)
        "knowledge_sharing": 3,       # R2, S2, S3 (LNOB activities)
        "meetings_held": 0,           # T1 is a task-team meeting
        "new_collaborations": 2,      # C3 (PD) + pair PB-PD (S3); PB-PC met first in K1, a gender activity
        "peer_reviews": 1,            # R2
        "countries_coordinated": 0, "tools_showcased": 2, "countries_active": 0, "tools_in_use": 2,
        "partners_on_time": 2,        # PC, PD: the LNOB members
    }
    kenya = values(kpis(tiny, "quarter", Q2, Filters(countries=("KEN",))))
    assert kenya["partners_involved"] == 2        # K1: PB, PC
    assert kenya["knowledge_sharing"] == 1
    assert kenya["new_collaborations"] == 3       # C1, C3 (not tied to countries) + pair PB-PC (K1 in Kenya)
    assert kenya["meetings_held"] == 1            # the collaborative's own meetings: not narrowed by country


def test_missing_is_not_zero(tiny):
    before_activities = values(kpis(tiny, "quarter", date(2024, 7, 1)))   # activities start 15 Oct 2024
    assert before_activities["knowledge_sharing"] is None and before_activities["meetings_held"] is None
    assert before_activities["new_collaborations"] is None and before_activities["partners_involved"] is None
    assert before_activities["countries_active"] == 1                         # PR3 from 1 June 2024
    assert values(kpis(tiny, "quarter", date(2024, 1, 1)))["countries_active"] is None  # before any programme
    assert set(values(kpis(tiny, "quarter", date(2026, 1, 1))).values()) == {None}   # after the data date


def test_first_time_pairs_and_recorded_collaborations_listed(tiny):
    pairs = Q.first_time_pairs(tiny, Filters(), Q2, date(2025, 6, 30))
    assert [(pd.Timestamp(r.first_together).date(), r.partner_a, r.partner_b, r.activity) for r in pairs.itertuples()] == [
        (date(2025, 4, 1), "PA", "PE", "Activity M2"),
        (date(2025, 4, 1), "PB", "PE", "Activity M2"),
        (date(2025, 6, 1), "PB", "PD", "Activity S3"),
        (date(2025, 6, 30), "PB", "PC", "Activity K1"),
    ]
    recorded = Q.recorded_collaborations(tiny, Filters(), Q2, date(2025, 6, 30))
    assert list(recorded["title"]) == ["Collaboration C1", "Collaboration C3"]
    assert list(recorded["partners"]) == ["PA; PB", "PD; PE"]
    # PA-PB first met in M1 (Q4 2024): new then, never again (M2 in Q2 2025 does not count them)
    q4_2024 = Q.first_time_pairs(tiny, Filters(), date(2024, 10, 1), date(2024, 12, 31))
    assert list(zip(q4_2024["partner_a"], q4_2024["partner_b"])) == [("PA", "PB")]
    assert len(pairs) + len(recorded) == HAND_Q2["new_collaborations"]


# --------------------------------------------------------------------------------------
# Meeting cadence against each collaborative's own rhythm
# --------------------------------------------------------------------------------------
def _cadence(db, period_type, start, f: Filters | None = None) -> dict[str, dict]:
    return {r["collab_id"]: r for r in metrics.meeting_cadence(db, f or Filters(), period_type, start).to_dict("records")}


def test_cadence_in_q2_due_on_the_last_day(tiny):
    c = _cadence(tiny, "quarter", Q2)
    g, lnob = c["gender"], c["lnob"]
    assert g["reference_date"] == date(2025, 6, 30)
    assert g["last_meeting"] == date(2025, 4, 1) and g["meetings_in_period"] == 1
    assert g["typical_gap_months"] == 5.5                     # 168 days, 15 Oct 2024 -> 1 Apr 2025
    assert (g["next_expected_from"], g["next_expected_by"]) == (date(2025, 9, 1), date(2025, 11, 1))
    assert g["status"] == "on_rhythm" and g["status_text"] == "🟢 On rhythm"
    assert g["rhythm"] == "every 5–7 months" and g["expected_in_period"] == "0–1"
    assert lnob["last_meeting"] == date(2025, 3, 31) and lnob["meetings_in_period"] == 0
    assert lnob["task_team_meetings_in_period"] == 1           # T1
    assert lnob["typical_gap_months"] == 2.3                   # 70 days, 20 Jan -> 31 Mar
    assert (lnob["next_expected_from"], lnob["next_expected_by"]) == (date(2025, 5, 31), date(2025, 6, 30))
    assert lnob["status"] == "due"                             # 30 June is the last day on rhythm, not overdue
    assert lnob["expected_in_period"] == "1–2"


def test_cadence_later_periods_and_overdue(tiny):
    q3 = _cadence(tiny, "quarter", Q3)
    assert q3["gender"]["status"] == "due"                     # 30 Sep is after 1 Sep, before 1 Nov
    assert q3["lnob"]["last_meeting"] == date(2025, 8, 10) and q3["lnob"]["status"] == "on_rhythm"
    assert q3["lnob"]["typical_gap_months"] == 3.3             # median of 70 and 132 days
    q4 = _cadence(tiny, "quarter", Q4)                          # not over: judged on the data date, 20 Nov
    assert q4["gender"]["reference_date"] == date(2025, 11, 20)
    assert q4["gender"]["status"] == "overdue" and q4["gender"]["status_text"] == "🔴 Overdue"
    assert q4["lnob"]["status"] == "overdue" and q4["lnob"]["next_expected_by"] == date(2025, 11, 10)
    assert "expected by 10 Nov 2025" in q4["lnob"]["sentence"]
    y2024 = _cadence(tiny, "year", date(2024, 1, 1))
    assert y2024["gender"]["meetings_in_period"] == 1
    assert math.isnan(y2024["gender"]["typical_gap_months"])   # one meeting: no gap yet
    assert y2024["lnob"]["status"] == "no_meetings" and y2024["lnob"]["last_meeting"] is None
    assert y2024["lnob"]["meetings_in_period"] == 0
    assert set(_cadence(tiny, "quarter", Q2, Filters(collab="gender"))) == {"gender"}


def test_cadence_helpers():
    assert metrics.add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert metrics.add_months(date(2025, 3, 31), 3) == date(2025, 6, 30)
    assert metrics.add_months(date(2024, 10, 15), 7) == date(2025, 5, 15)
    assert metrics.expected_meetings(12, 5, 7) == (2, 2) and metrics.expected_meetings(12, 2, 3) == (4, 6)
    assert metrics.cadence_status(None, date(2025, 1, 1), 2, 3) == "no_meetings"


# --------------------------------------------------------------------------------------
# Targets and status
# --------------------------------------------------------------------------------------
def test_status_against_targets(tiny):
    got = kpis(tiny, "quarter", Q2).set_index("kpi_id")
    assert got.loc["knowledge_sharing", "status"] == "on_track"    # 5 of 5
    assert got.loc["new_collaborations", "status"] == "at_risk"    # 6 of 7
    assert got.loc["peer_reviews", "status"] == "off_track"        # 2 of 3
    assert got.loc["tools_showcased", "status"] == "no_target"
    table = metrics.kpi_page_table(kpis(tiny, "quarter", Q2))
    assert list(table["Status"][:5]) == ["⚪ No target", "⚪ No target", "🟢 On track", "⚪ No target", "🟠 At risk"]
    assert kpis(tiny, "year", Q1).set_index("kpi_id").loc["meetings_held", "status"] == "on_track"  # 4 of 4


@pytest.mark.parametrize(("change", "message"), [
    (dict(target=-1), "negative"),
    (dict(target=float("nan")), "finite"),
    (dict(target=True), "not a number"),
    (dict(target="lots"), "not a number"),
    (dict(target=None), "not a number"),
    (dict(kpi_id="happiness"), "unknown KPI"),
    (dict(period_type="month"), "unknown period type"),
    (dict(period_start=date(2025, 4, 2)), "starts on"),
    (dict(period_start=date(2025, 5, 1)), "starts on"),
    (dict(period_type="half", period_start=Q2), "starts on"),
    (dict(period_type="year", period_start=Q3), "starts on"),
    (dict(period_start="first of April"), "not a date"),
    (dict(target=3), "already 3"),                                # no change
])
def test_invalid_target_changes_are_rejected_and_write_nothing(tiny_rw, change, message):
    before = tiny_rw.table_checksums()
    args = dict(kpi_id="peer_reviews", period_type="quarter", period_start=Q2, target=4)
    args.update(change)
    with pytest.raises(targets.TargetRejected, match=message):
        targets.set_target(tiny_rw, **args, editor="Secretariat")
    assert tiny_rw.table_checksums() == before


def test_valid_change_writes_one_batch_and_one_history_row(tiny_rw):
    db = tiny_rw
    before = db.table_checksums()
    n_batches = db.scalar("SELECT count(*) FROM import_batches")
    batch = targets.set_target(db, "peer_reviews", "quarter", "2025-04-01", 2, editor="Secretariat")
    assert db.scalar("SELECT count(*) FROM import_batches") == n_batches + 1
    assert db.rows("SELECT kind, editor, rows_imported, created_at IS NOT NULL FROM import_batches WHERE batch_id = ?",
                   [batch]) == [("edit", "Secretariat", 1, True)]
    assert db.rows("SELECT target, batch_id, is_sample FROM kpi_targets WHERE kpi_id = 'peer_reviews'") == [(2.0, batch, False)]
    assert db.rows("SELECT batch_id, kpi_id, period_type, period_start, old_target, new_target FROM kpi_target_changes") \
        == [(batch, "peer_reviews", "quarter", Q2, 3.0, 2.0)]
    after = db.table_checksums()
    assert {t for t in before if before[t] != after[t]} == {"import_batches", "kpi_targets", "kpi_target_changes",
                                                            "record_changes"}
    # the status follows: 2 of 2
    assert kpis(db, "quarter", Q2).set_index("kpi_id").loc["peer_reviews", "status"] == "on_track"
    # a target where there was none: the history says so
    second = targets.set_target(db, "tools_showcased", "half", Q3, 1.5, editor="Secretariat")
    history = Q.target_changes(db)
    assert list(history["batch_id"]) == [second, batch]
    assert math.isnan(history["old_target"].iloc[0]) and history["new_target"].iloc[0] == 1.5
    assert list(history["editor"]) == ["Secretariat", "Secretariat"]


def test_only_admins_change_targets_through_the_app(tiny_rw):
    before = tiny_rw.table_checksums()
    for who in (None, Editor("PARIS21 data lead", "p_a")):
        with pytest.raises(WriteRejected, match="only an administrator"):
            actions.set_target("peer_reviews", "quarter", Q2, 1, who, today=TODAY)
    assert tiny_rw.table_checksums() == before
    assert not actions.can_set_targets(Editor("PA lead", "p_a")) and actions.can_set_targets(Editor("Secretariat", None))
    batch = actions.set_target("peer_reviews", "quarter", Q2, 1, Editor("Secretariat", None), today=TODAY)
    assert tiny_rw.rows("SELECT editor FROM import_batches WHERE batch_id = ?", [batch]) == [("Secretariat",)]
    with pytest.raises(targets.TargetRejected):
        actions.set_target("peer_reviews", "quarter", Q2, -5, Editor("Secretariat", None), today=TODAY)


def test_schema_version_2_migrates_a_version_1_database(tmp_path, monkeypatch):
    v1 = tmp_path / "schema_v1.sql"
    text = dbmod.SCHEMA_FILE.read_text(encoding="utf-8")
    v1.write_text(text[:text.index("-- version: 2:")], encoding="utf-8")
    path = tmp_path / "old.duckdb"
    with monkeypatch.context() as m:
        m.setattr(dbmod, "SCHEMA_FILE", v1)
        old = dbmod.Database(path)
        assert old.schema_version() == 1
        old.close()
    db = dbmod.Database(path)
    assert db.schema_version() >= 2
    assert db.scalar("SELECT count(*) FROM kpi_target_changes") == 0
    db.close()


def test_period_helpers():
    assert metrics.Period.is_aligned("quarter", date(2025, 10, 1)) and not metrics.Period.is_aligned("half", Q2)
    assert metrics.Period.containing("half", date(2025, 8, 9)) == metrics.Period("half", Q3)
    assert metrics.convert_period(metrics.Period("quarter", Q4), "year", None) == metrics.Period("year", Q1)
    # going down: the last quarter that has begun by the data date
    assert metrics.convert_period(metrics.Period("year", Q1), "quarter", date(2025, 8, 1)) == metrics.Period("quarter", Q3)
    assert metrics.convert_period(metrics.Period("year", Q1), "half", None) == metrics.Period("half", Q3)
    opts = metrics.period_options("half", 2024, 2025, date(2025, 8, 1))
    assert [p.code for p in opts] == ["2025-H2", "2025-H1", "2024-H2", "2024-H1"]
    assert [p.code for p in metrics.period_options("quarter", 2025, 2025, date(2025, 5, 1))] == ["2025-Q2", "2025-Q1"]


def test_registry_covers_the_page():
    assert set(metrics.PAGE_KPIS) == set(metrics.KPIS) == set(Q.KPI_SQL) | set(metrics.PYTHON_KPIS)
    for k in metrics.PAGE_KPIS:
        assert len(metrics.KPIS[k].formula) > 60
