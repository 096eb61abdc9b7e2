"""KPIs & targets: every KPI for a chosen quarter, half-year or year against its target and
the period before, each collaborative's meeting cadence, the new collaborations behind the
KPI, and the targets (changed by an administrator, with their history)."""

from __future__ import annotations

import jinja2
import streamlit as st

from collab_data import actions, freshness, metrics, queries, theme, ui
from collab_data.filters import URL_KEYS
from collab_data.queries import overview as Q
from collab_data.runtime import cached, cached_spec, show_chart
from collab_data.views import freshness as VF
from collab_data.views import kpis as VK

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
#: A collaborative's rhythm status in its text colour (autoescaped: no markup from data).
CADENCE = jinja2.Environment(autoescape=True).from_string(
    "<span style='color:{{ color }};font-weight:700;font-size:1.1rem'>{{ status }}</span> — {{ sentence }}")
NO_DATA = "—"


def _show_period(code: str) -> None:
    """The page's period is the shared Period filter: the sidebar and the link follow it."""
    st.session_state[URL_KEYS["period"]] = code


def _on_type() -> None:
    _show_period(metrics.convert_period(period, st.session_state[PTYPE_KEY], as_of).code)


def _on_period() -> None:
    _show_period(st.session_state[PCODE_KEY])


def status_colour(text: str) -> str:
    """The text colour of a status cell (at least 4.5:1 on white; the words are in the cell too)."""
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


def kpi_section(view: VK.KpisPage) -> None:
    panel = view.panel
    st.subheader(f"KPIs · {panel.period['sentence']}")
    st.markdown(f"**{ui.escape(panel.summary)}** — worst first.")
    notes = []
    if f.period != period.code:
        notes.append(f"With \"{'All time' if f.period == 'all' else 'The last 12 months'}\" in the sidebar the KPIs "
                     "show the latest quarter; choose another period above.")
    notes += panel.notes
    notes.append("Status: 🟢 On track (at or above target), 🟠 At risk (at least "
                 f"{metrics.AT_RISK_SHARE:.0%} of it), 🔴 Off track, ⚪ No target / No data.")
    st.caption(" ".join(notes))
    table = view.table
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
            "Previous": st.column_config.NumberColumn("Previous", help=f"In {panel.period['previous_label']}."),
            "Change": st.column_config.NumberColumn("Change", format="%+d",
                                                    help=f"Value minus {panel.period['previous_label']}."),
            "Target": st.column_config.NumberColumn("Target", format="%g", help=f"The target for {period.label}."),
            "Status": st.column_config.TextColumn("Status", width=140),
            "Why it misses": st.column_config.TextColumn(
                "Why it misses", width="large", help="For a KPI off track or at risk: what the count leaves out "
                                                     "(the lists are below the table)."),
            "How it is counted": st.column_config.TextColumn("How it is counted", width="large"),
        },
    )
    ui.download(table, label="KPIs (CSV)", file_stem=f"kpis_{period.code}",
                title=f"KPIs, {panel.period['sentence']}", f=f_view, key="dl_kpi_table")
    for why in panel.whys:
        with st.expander(f"Why {why.name} is {why.status_label.lower()}", expanded=False):
            st.markdown(ui.escape(why.headline))
            if why.kpi_id == "meetings_held" and panel.meeting_note:
                st.caption(ui.escape(panel.meeting_note))
            if not why.items.empty:
                st.dataframe(why.items, hide_index=True, width="stretch", placeholder=NO_DATA,
                             height=min(36 * (len(why.items) + 1) + 3, 400))
    with st.expander("How each KPI is counted", expanded=False):
        st.markdown("\n".join(f"- **{metrics.KPIS[k].name}** — {ui.escape(metrics.KPIS[k].formula)}"
                              for k in metrics.PAGE_KPIS))
        st.markdown(f"- **Collaborative meeting** — {ui.escape(metrics.MEETING_DEFINITION)}")


def history_section(view: VK.KpisPage) -> None:
    st.subheader("KPIs against their targets over time")
    if view.history["value"].notna().sum() == 0:
        ui.empty_state("No quarter of the chart is covered by records.", "Pick a period between the first record "
                       "and the data date.")
        return
    applies = view.history["target"].notna().any()
    st.caption(f"Each KPI per quarter, the last {metrics.SPARK_QUARTERS} quarters up to {period.label}: the solid "
               "line is the value (a point's colour and shape give its status), the dashed line the quarter's target"
               + ("." if applies else " (none shown: a filtered view is not compared with the targets).")
               + " Each panel has its own scale; a quarter the records do not cover is left out, not drawn as 0.")
    show_chart(cached_spec(VK.history_chart, f, period.type, period.start), width="content")
    shown = view.history[["kpi", "quarter", "value", "target", "status"]].rename(columns={
        "kpi": "KPI", "quarter": "Quarter", "value": "Value", "target": "Target", "status": "Status"})
    ui.download(shown, label="KPIs per quarter (CSV)", file_stem=f"kpis_per_quarter_{period.code}",
                title=f"KPIs and targets per quarter, up to {period.label}", f=f_view, key="dl_kpi_history")


def cadence_section(view: VK.KpisPage) -> None:
    st.subheader("Meeting cadence")
    if not view.cadence_cards:
        ui.empty_state("No collaborative in view.", "Choose a collaborative in the sidebar.")
        return
    st.caption(ui.escape(view.cadence_caption))
    if view.panel.meeting_note:
        st.caption(ui.escape(view.panel.meeting_note))
    cols = st.columns(len(view.cadence_cards))
    for col, card in zip(cols, view.cadence_cards):
        with col.container(border=True):
            st.markdown(f"**{ui.escape(card['collaborative'])}** · meets {ui.escape(card['rhythm'])}")
            st.markdown(CADENCE.render(color=card["color"], status=card["status_text"], sentence=card["sentence"]),
                        unsafe_allow_html=True)
            st.caption(ui.escape(card["detail"]))
    shown = view.cadence_table
    st.dataframe(
        shown.style.map(status_colour, subset=["Status"]), hide_index=True, width="stretch", placeholder=NO_DATA,
        column_config={
            "Next meeting expected by": st.column_config.TextColumn(
                help="Last plenary meeting + the longest gap of the rhythm; overdue after it."),
            "Typical gap (months)": st.column_config.TextColumn(
                help="Median gap between consecutive plenary meetings up to the date of the status."),
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
    st.dataframe(cached(VF.cycles_table), placeholder="—", hide_index=True, width="stretch")
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
        st.dataframe(history, placeholder="—", hide_index=True, width="stretch",
                     column_config={"When (UTC)": st.column_config.DatetimeColumn(format="D MMM YYYY HH:mm")})
        ui.download(history, label="Cycle history (CSV)", file_stem="reporting_cycle_history",
                    title="History of reporting-cycle changes", f=f_view, key="dl_cycle_history",
                    note="The history of cycles is not filtered.")


def new_collaborations_section() -> None:
    st.subheader(f"New collaborations · {period.label}")
    new = cached(VK.new_collaborations, f, period.type, period.start)
    if not new.covered:
        ui.empty_state(f"No records of activities cover {period.label}.",
                       "Pick a period between the first record and the data date.")
        return
    n_rec, n_pairs = len(new.recorded), len(new.pairs)
    c = st.columns(3)
    c[0].metric("Recorded collaborations", n_rec, border=True,
                help="Joint products, programmes and agreements recorded as starting in the period.")
    c[1].metric("First-time partner pairs", n_pairs, border=True,
                help="Pairs of partners who took part in the same activity for the first time ever in the period.")
    c[2].metric("New collaborations (KPI)", n_rec + n_pairs, border=True,
                help=metrics.KPIS["new_collaborations"].formula)
    if new.note:
        st.caption(new.note)
    st.markdown(f"**Recorded collaborations ({n_rec})**")
    if new.recorded.empty:
        st.caption("None recorded as starting in this period.")
    else:
        st.dataframe(new.recorded, hide_index=True, width="stretch", placeholder=NO_DATA,
                     column_config={"Title": st.column_config.TextColumn("Title", width="large"),
                                    "Partners": st.column_config.TextColumn("Partners", width="medium"),
                                    "Grew out of": st.column_config.TextColumn(
                                        "Grew out of", width="large",
                                        help=f"{NO_DATA} : no originating activity recorded.")})
    ui.download(new.recorded_csv, label="Recorded collaborations (CSV)", file_stem=f"new_collaborations_{period.code}",
                title=f"Recorded collaborations that started in {period.label}", f=f_view, key="dl_recorded")
    st.markdown(f"**First-time partner pairs ({n_pairs})**")
    if new.pairs.empty:
        st.caption("No pair of partners worked together for the first time in this period.")
    else:
        st.dataframe(new.pairs, placeholder="—", hide_index=True, width="stretch", height=min(36 * (n_pairs + 1), 400),
                     column_config={"First joint activity": st.column_config.TextColumn(width="large")})
    ui.download(new.pairs_csv, label="First-time pairs (CSV)", file_stem=f"first_time_pairs_{period.code}",
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
    shown = cached(VK.target_history)
    if shown.empty:
        st.caption("No target has been changed in the app yet (the targets in use came with the data).")
        return editor
    st.dataframe(shown, hide_index=True, width="stretch", placeholder="none",
                 column_config={"Old target": st.column_config.NumberColumn(format="%g",
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
        cycles_section(targets_section())
        return
    period_selectors(cached(queries.filter_options)["years"] or [period.start.year])
    tabs, open_tab = ui.lazy_tabs(VK.TABS, key="kpi_tab")
    view = (cached(VK.kpis_page, f, period.type, period.start, today)
            if open_tab in ("kpis", "history", "cadence") else None)
    with tabs[open_tab]:
        if open_tab == "kpis":
            kpi_section(view)
        elif open_tab == "history":
            history_section(view)
        elif open_tab == "cadence":
            cadence_section(view)
        elif open_tab == "new":
            new_collaborations_section()
        elif open_tab == "freshness":
            freshness_section()
        else:
            cycles_section(targets_section())


render()
