"""KPIs & targets: every KPI for a chosen quarter, half-year or year against its target and
the period before, each collaborative's meeting cadence, the new collaborations behind the
KPI, and the targets (changed by an administrator, with their history)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from collab_data import actions, freshness, metrics, queries, theme, ui
from collab_data.filters import URL_KEYS
from collab_data.queries import overview as Q
from collab_data.runtime import cached
from collab_data.views import freshness as VF

ui.require_router()
f = ui.current_filters()
today = ui.today()
as_of = cached(queries.data_as_of)
period = metrics.current_period(f, as_of, today)
f_view = f.with_(period=period.code)  # what the page shows: the sentence and the downloads say so

ui.page_header(
    "KPIs & targets", f_view,
    caption="every KPI against its target and the period before, the meeting rhythm of each collaborative, "
            "and the targets.",
)

PTYPE_KEY, PCODE_KEY = "kpi_period_type", "kpi_period"
NO_DATA = "—"


def _show_period(code: str) -> None:
    """The page's period is the shared Period filter: the sidebar and the link follow it."""
    st.session_state[URL_KEYS["period"]] = code


def _on_type() -> None:
    _show_period(metrics.convert_period(period, st.session_state[PTYPE_KEY], as_of).code)


def _on_period() -> None:
    _show_period(st.session_state[PCODE_KEY])


def status_colour(text: str) -> str:
    """The colour of a status cell (the words are in the cell too)."""
    for disp in (*theme.STATUS.values(), *metrics.CADENCE_STATUS.values()):
        if text.endswith(disp["label"]):
            return f"color: {disp['color']}; font-weight: 600"
    return f"color: {theme.STATUS['no_target']['color']}"


def period_selectors(years: list[int]) -> None:
    st.session_state[PTYPE_KEY] = period.type
    st.session_state[PCODE_KEY] = period.code
    options = [p.code for p in metrics.period_options(period.type, min(years), max(years), as_of)]
    if period.code not in options:
        options.insert(0, period.code)
    c1, c2, _ = st.columns([2, 2, 3])
    c1.radio("Period type", list(metrics.PERIOD_TYPES), key=PTYPE_KEY, horizontal=True, on_change=_on_type,
             format_func=metrics.PERIOD_TYPES.get,
             help="KPIs are counted per quarter, half-year or year and compared with the period before.")
    c2.selectbox("Period", options, key=PCODE_KEY, on_change=_on_period,
                 format_func=lambda c: metrics.Period.from_code(c).label,
                 help="The same as the Period filter in the sidebar (a link to this page keeps it).")


def kpi_section() -> None:
    info = cached(metrics.overview_period, f, today)
    kpis = cached(metrics.compute_kpis, f, period.type, period.start, metrics.PAGE_KPIS)
    st.subheader(f"KPIs · {info['sentence']}")
    table = metrics.kpi_page_table(kpis)
    notes = []
    if f.period != period.code:
        notes.append(f"With \"{'All time' if f.period == 'all' else 'The last 12 months'}\" in the sidebar the KPIs "
                     "show the latest quarter; choose another period above.")
    if info["partial"]:
        notes.append(f"{period.label} is not over: its figures so far are compared with the whole of "
                     f"{info['previous_label']}.")
    if not metrics.targets_apply(f):
        notes.append("Targets are set for both collaboratives as a whole, so this filtered view is not compared "
                     "with them (Not compared).")
    if table["Value"].isna().any() or table["Previous"].isna().any():
        notes.append(f"{NO_DATA} : no records cover the period for that figure (missing, not zero).")
    notes.append("Status: 🟢 On track (at or above target), 🟠 At risk (at least "
                 f"{metrics.AT_RISK_SHARE:.0%} of it), 🔴 Off track, ⚪ No target / No data.")
    st.caption(" ".join(notes))
    st.dataframe(
        table.style.map(status_colour, subset=["Status"]),
        hide_index=True, width="stretch", placeholder=NO_DATA, row_height=38,
        height=38 * (len(table) + 1) + 3,  # every KPI, no inner scrolling
        column_config={
            "KPI": st.column_config.TextColumn("KPI", width=250, pinned=True),
            "Value": st.column_config.NumberColumn("Value", help=f"In {period.label}."),
            "Per quarter": st.column_config.TextColumn(
                "Per quarter", help="For counts of events: the count divided by the quarters of the period that "
                                    "have begun by the data date. Blank: not a count of events."),
            "Previous": st.column_config.NumberColumn("Previous", help=f"In {info['previous_label']}."),
            "Change": st.column_config.NumberColumn("Change", format="%+d", help=f"Value minus {info['previous_label']}."),
            "Target": st.column_config.NumberColumn("Target", format="%g", help=f"The target for {period.label}."),
            "Status": st.column_config.TextColumn("Status", width=140),
            "How it is counted": st.column_config.TextColumn("How it is counted", width="large"),
        },
    )
    ui.download(table, label="KPIs (CSV)", file_stem=f"kpis_{period.code}", title=f"KPIs, {info['sentence']}",
                f=f_view, key="dl_kpi_table")
    with st.expander("How each KPI is counted", expanded=False):
        st.markdown("\n".join(f"- **{metrics.KPIS[k].name}** — {ui.escape(metrics.KPIS[k].formula)}"
                              for k in metrics.PAGE_KPIS))


def cadence_section() -> None:
    st.subheader("Meeting cadence")
    cad = cached(metrics.meeting_cadence, f, period.type, period.start)
    if cad.empty:
        ui.empty_state("No collaborative in view.", "Choose a collaborative in the sidebar.")
        return
    ref = cad["reference_date"].iloc[0]
    st.caption(f"Plenary meetings of each collaborative against its own rhythm, as of {ref.day} {ref:%b %Y} (the end "
               "of the period, or the data date when the period is not over). Task-team meetings are counted "
               "apart. The rhythm belongs to the collaborative: partner, country and tool filters do not apply.")
    cols = st.columns(len(cad))
    for col, r in zip(cols, cad.itertuples()):
        with col.container(border=True):
            colour = metrics.CADENCE_STATUS[r.status]["color"]
            st.markdown(f"**{ui.escape(r.collaborative)}** · meets {r.rhythm}")
            st.markdown(f"<span style='color:{colour};font-weight:700;font-size:1.1rem'>{r.status_text}</span> "
                        f"— {ui.escape(r.sentence)}", unsafe_allow_html=True)
            last = f"{r.last_meeting.day} {r.last_meeting:%b %Y}" if r.last_meeting else "none recorded"
            held = NO_DATA if pd.isna(r.meetings_in_period) else int(r.meetings_in_period)
            st.caption(f"Last plenary meeting: {last} · in {period.label}: {held} (the rhythm asks "
                       f"{r.expected_in_period})")
    shown = metrics.cadence_table(cad)
    st.dataframe(
        shown.style.map(status_colour, subset=["Status"]), hide_index=True, width="stretch", placeholder=NO_DATA,
        column_config={
            "Last plenary meeting": st.column_config.DateColumn(format="D MMM YYYY"),
            "Next meeting expected from": st.column_config.DateColumn(format="D MMM YYYY"),
            "Next meeting expected by": st.column_config.DateColumn(
                format="D MMM YYYY", help="Last plenary meeting + the longest gap of the rhythm; overdue after it."),
            "As of": st.column_config.DateColumn(format="D MMM YYYY"),
            "Typical gap (months)": st.column_config.NumberColumn(
                format="%.1f", help="Median gap between consecutive plenary meetings up to the date of the status."),
        },
    )
    ui.download(shown, label="Meeting cadence (CSV)", file_stem=f"meeting_cadence_{period.code}",
                title=f"Meeting cadence, {period.label}", f=f_view, key="dl_cadence")


def freshness_section() -> None:
    st.subheader("Reporting freshness")
    ui.reporting_panel(cached(VF.reporting_panel, f, today), f, key="fresh_kpis")


def cycles_section(editor) -> None:
    st.subheader("Reporting cycles")
    st.caption("How often the partners of each collaborative are expected to report; set by the secretariat (an "
               "administrator). Every change is kept below.")
    st.dataframe(cached(VF.cycles_table), hide_index=True, width="stretch")
    saved = st.session_state.pop("_cycle_saved", None)
    if saved:
        st.success(saved, icon="✅")
    if editor is not None and actions.can_set_targets(editor):
        names, in_force = cached(VF.cycle_choices)
        c1, c2, c3 = st.columns([3, 2, 1.3], vertical_alignment="bottom")
        collab = c1.selectbox("Collaborative", list(names), format_func=names.get, key="cycle_collab")
        months = c2.selectbox("Reporting cycle", list(freshness.CYCLES), index=list(freshness.CYCLES).index(
            in_force[collab]), format_func=freshness.cycle_name, key=f"cycle_months_{collab}")
        ui.save_button(
            "💾 Save cycle", "cycle_save", lambda: actions.set_cycle(collab, months, editor),
            lambda batch: (f"Reporting cycle of the {names[collab]} set to {freshness.cycle_name(months).lower()} "
                           f"(was {freshness.cycle_name(in_force[collab]).lower()}; change {batch})."),
            failed="The cycle was not changed", saved_key="_cycle_saved", where=c3, primary=False)
    history = cached(VF.cycle_history)
    if history.empty:
        st.caption("No reporting cycle has been changed in the app yet: every collaborative reports quarterly.")
    else:
        st.markdown("**History of cycle changes**")
        st.dataframe(history, hide_index=True, width="stretch",
                     column_config={"When (UTC)": st.column_config.DatetimeColumn(format="D MMM YYYY HH:mm")})
        ui.download(history, label="Cycle history (CSV)", file_stem="reporting_cycle_history",
                    title="History of reporting-cycle changes", f=f_view, key="dl_cycle_history",
                    note="The history of cycles is not filtered.")


def new_collaborations_section() -> None:
    st.subheader(f"New collaborations · {period.label}")
    recorded = cached(Q.recorded_collaborations, f, period.start, period.end)
    pairs = cached(Q.first_time_pairs, f, period.start, period.end)
    first = cached(Q.record_coverage)["activities"]
    if as_of is None or period.start > as_of or first is None or period.end < first:
        ui.empty_state(f"No records of activities cover {period.label}.",
                       "Pick a period between the first record and the data date.")
        return
    c = st.columns(3)
    c[0].metric("Recorded collaborations", len(recorded), border=True,
                help="Joint products, programmes and agreements recorded as starting in the period.")
    c[1].metric("First-time partner pairs", len(pairs), border=True,
                help="Pairs of partners who took part in the same activity for the first time ever in the period.")
    c[2].metric("New collaborations (KPI)", len(recorded) + len(pairs), border=True,
                help=metrics.KPIS["new_collaborations"].formula)
    if period.start <= first <= period.end:
        st.caption(f"The records start on {first.day} {first:%b %Y}: pairs seen together in this first period may "
                   "have worked together before the records began.")
    st.markdown(f"**Recorded collaborations ({len(recorded)})**")
    if recorded.empty:
        st.caption("None recorded as starting in this period.")
    else:
        st.dataframe(recorded, hide_index=True, width="stretch", placeholder=NO_DATA,
                     column_config={"started": st.column_config.DateColumn("Started", format="D MMM YYYY"),
                                    "title": st.column_config.TextColumn("Title", width="large"),
                                    "kind": st.column_config.TextColumn("Kind"),
                                    "partners": st.column_config.TextColumn("Partners", width="medium"),
                                    "origin": st.column_config.TextColumn(
                                        "Grew out of", width="large",
                                        help=f"{NO_DATA} : no originating activity recorded.")})
    ui.download(recorded, label="Recorded collaborations (CSV)", file_stem=f"new_collaborations_{period.code}",
                title=f"Recorded collaborations that started in {period.label}", f=f_view, key="dl_recorded")
    st.markdown(f"**First-time partner pairs ({len(pairs)})**")
    if pairs.empty:
        st.caption("No pair of partners worked together for the first time in this period.")
    else:
        st.dataframe(pairs, hide_index=True, width="stretch", height=min(36 * (len(pairs) + 1), 400),
                     column_config={"first_together": st.column_config.DateColumn("First together",
                                                                                  format="D MMM YYYY"),
                                    "partner_a": st.column_config.TextColumn("Partner"),
                                    "partner_b": st.column_config.TextColumn("Partner "),
                                    "activity": st.column_config.TextColumn("First joint activity", width="large"),
                                    "type": st.column_config.TextColumn("Type")})
    ui.download(pairs, label="First-time pairs (CSV)", file_stem=f"first_time_pairs_{period.code}",
                title=f"Partner pairs first together in {period.label}", f=f_view, key="dl_pairs")


def target_editor(editor) -> None:
    catalogue = dict(cached(Q.kpi_catalogue)[["kpi_id", "name"]].itertuples(index=False))
    kpi_ids = [k for k in metrics.PAGE_KPIS if k in catalogue]
    years = cached(queries.filter_options)["years"] or [period.start.year]
    first_year = min(min(years), period.start.year)
    last_year = max(max(years), period.start.year, (as_of.year if as_of else period.start.year)) + 1
    options = [p.code for p in metrics.period_options(period.type, first_year, last_year, None)]
    c1, c2, c3 = st.columns([3, 2, 2])
    kpi = c1.selectbox("KPI", kpi_ids, key="target_kpi", format_func=lambda k: metrics.KPIS[k].name)
    code = c2.selectbox(f"{metrics.PERIOD_TYPES[period.type]}", options, index=options.index(period.code),
                        key=f"target_period_{period.code}", format_func=lambda c: metrics.Period.from_code(c).label,
                        help="Change the period type above to set half-year or yearly targets.")
    chosen = metrics.Period.from_code(code)
    current = cached(Q.kpi_targets, (kpi,), chosen.type, chosen.start).get(kpi)
    value = c3.number_input("New target", min_value=0.0, value=current, step=1.0, format="%g",
                            key=f"target_value_{kpi}_{code}", placeholder="no target yet")
    st.caption(f"Current target of **{metrics.KPIS[kpi].name}** for {chosen.label}: "
               + (f"**{current:g}**" if current is not None else "none set") + ".")
    ui.save_button(
        "💾 Save target", "target_save", lambda: actions.set_target(kpi, chosen.type, chosen.start, value, editor,
                                                                   today=today),
        lambda batch: (f"Target of {metrics.KPIS[kpi].name} for {chosen.label} set to {value:g} (was "
                       f"{'none' if current is None else f'{current:g}'}; change {batch} in the history)."),
        failed="The target was not changed", saved_key="_target_saved")


def targets_section():
    st.subheader("Targets")
    st.caption("Targets are set per KPI and period for both collaboratives as a whole, by the secretariat "
               "(an administrator). Every change is kept below.")
    secret = ui.secrets()
    editor = ui.current_editor(secret)
    saved = st.session_state.pop("_target_saved", None)
    if saved:
        st.success(saved, icon="✅")
    if editor is None:
        st.info("Reading is open to everyone. **Changing targets needs an administrator sign-in.**", icon="🔒")
        with st.expander("Sign in", expanded=False):
            ui.sign_in_form(secret)
    elif not actions.can_set_targets(editor):
        top = st.columns([3, 1])
        top[0].info(f"Signed in as **{ui.escape(editor.name)}**. Only an administrator can change targets.", icon="🔒")
        top[1].button("Sign out", on_click=ui.sign_out, key="sign_out_targets")
    else:
        top = st.columns([3, 1])
        top[0].markdown(f"Signed in as **{ui.escape(editor.name)}** (administrator) — may change targets.")
        top[1].button("Sign out", on_click=ui.sign_out, key="sign_out_targets")
        target_editor(editor)

    st.markdown("**History of target changes**")
    history = cached(Q.target_changes)
    if history.empty:
        st.caption("No target has been changed in the app yet (the targets in use came with the data).")
        return editor
    shown = pd.DataFrame({
        "When (UTC)": history["changed_at"],
        "Editor": history["editor"],
        "KPI": history["kpi"],
        "Period": [metrics.Period(t, pd.Timestamp(s).date()).label
                   for t, s in zip(history["period_type"], history["period_start"])],
        "Old target": history["old_target"],
        "New target": history["new_target"],
    })
    st.dataframe(shown, hide_index=True, width="stretch", placeholder="none",
                 column_config={"When (UTC)": st.column_config.DatetimeColumn(format="D MMM YYYY HH:mm"),
                                "Old target": st.column_config.NumberColumn(format="%g",
                                                                            help="none: there was no target."),
                                "New target": st.column_config.NumberColumn(format="%g")})
    ui.download(shown, label="Target history (CSV)", file_stem="kpi_target_history", title="History of KPI target changes",
                f=f_view, key="dl_target_history", note="The history of targets is not filtered.")
    return editor


def render() -> None:
    counts = cached(queries.collab_counts)
    if not counts.get("activities") and not counts.get("programs") and not counts.get("collaborations"):
        ui.empty_state("No activities, country programmes or collaborations recorded yet, so there are no KPIs to show.",
                       ui.NO_COLLAB_DATA_HOW)
    else:
        period_selectors(cached(queries.filter_options)["years"] or [period.start.year])
        kpi_section()
        freshness_section()
        cadence_section()
        new_collaborations_section()
    editor = targets_section()
    cycles_section(editor)


render()
