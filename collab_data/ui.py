"""Streamlit building blocks shared by the pages: the filter bar, the filter sentence,
the sample badge, exports and empty states. No SQL here: data comes through
:func:`collab_data.runtime.cached` calls of :mod:`collab_data.queries`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from collab_data import clock, exports, queries, theme
from collab_data.filters import (
    ALL_TIME,
    COLLAB_CHOICES,
    GROUP_CHOICES,
    URL_KEYS,
    Filters,
    describe,
    period_choices,
    period_label,
)
from collab_data.ingest.reader import MAX_DATA_ROWS as MAX_UPLOAD_ROWS
from collab_data.plaintext import markdown_literal
from collab_data.runtime import cached

_LIST_FIELDS = ("regions", "income", "groups", "countries", "partners", "tool_kinds")


def _reset_filters() -> None:
    defaults = Filters()
    for field, key in URL_KEYS.items():
        value = getattr(defaults, field)
        st.session_state[key] = list(value) if isinstance(value, tuple) else value


def filter_bar() -> Filters:
    """The shared filters in the sidebar, every one bound to the URL; returns the value."""
    opts = cached(queries.filter_options)
    countries = dict(opts["countries"])
    partners = dict(opts["partners"])
    years = opts["years"] or [2024]
    with st.sidebar:
        st.markdown("### Filters")
        st.segmented_control(
            "Collaborative", list(COLLAB_CHOICES), default="both", key=URL_KEYS["collab"], bind="query-params",
            format_func=lambda c: {"both": "Both", "gender": "Gender", "lnob": "LNOB"}[c],
            help="Gender data collaborative, Leave No One Behind data collaborative, or both.",
        )
        st.selectbox(
            "Period", period_choices(min(years), max(years)), key=URL_KEYS["period"], bind="query-params",
            format_func=lambda p: "All time" if p == ALL_TIME else period_label(p).capitalize()
            if p == "last12" else period_label(p),
            help="Activities and collaborations that started in the period; programmes running during it.",
        )
        st.selectbox("My partner", list(partners), index=None, key=URL_KEYS["lens"], bind="query-params",
                     format_func=lambda p: partners.get(p, p), placeholder="None chosen",
                     help="See the dashboard through one partner's eyes: Overview, Overlap, Countries and the "
                          "country brief add where it works, every other partner working there with their tools, "
                          "the partners it shares most countries with, and where it works alone. Unlike "
                          "Partners below, it hides no one.")
        st.multiselect("Partners", list(partners), key=URL_KEYS["partners"], bind="query-params",
                       format_func=lambda p: partners.get(p, p), placeholder="All partners")
        st.multiselect("Countries", list(countries), key=URL_KEYS["countries"], bind="query-params",
                       format_func=lambda c: countries.get(c, c), placeholder="All countries")
        with st.expander("Country groups, tools", expanded=False):
            st.multiselect("Region (World Bank)", opts["regions"], key=URL_KEYS["regions"], bind="query-params",
                           placeholder="All regions")
            st.multiselect("Income group", opts["income"], key=URL_KEYS["income"], bind="query-params",
                           placeholder="All income groups")
            st.multiselect("LNOB group", list(GROUP_CHOICES), key=URL_KEYS["groups"], bind="query-params",
                           format_func=lambda g: GROUP_CHOICES[g], placeholder="Any",
                           help="Countries in any of the chosen UN groups.")
            st.multiselect("Tool kind", opts["tool_kinds"], key=URL_KEYS["tool_kinds"], bind="query-params",
                           placeholder="All kinds", help="Applies to tools and to the programmes that use them.")
        st.button("Reset filters", on_click=_reset_filters, icon="🔄", width="stretch")
    return current_filters()


def current_filters() -> Filters:
    """The filters as the widgets (or the URL, on first load) hold them."""
    state = st.session_state
    kwargs = {}
    for field, key in URL_KEYS.items():
        if key in state and state[key] is not None:
            value = state[key]
            kwargs[field] = tuple(value) if field in _LIST_FIELDS else value
    try:
        return Filters(**kwargs)
    except ValueError:
        return Filters()


def today():
    """The app's today (:func:`collab_data.clock.today`), read once at the top of a page and
    passed down. A malformed ``COLLAB_TODAY`` is shown as a warning and the real date is
    used: a misconfiguration never takes a page down."""
    value, problem = clock.today_or_real()
    if problem:
        st.warning(f"{problem} The real date ({clock.long_date(value)}) is used meanwhile.", icon="⚠️")
    return value


def as_of_text(status: dict, icon: str = "📅 ") -> str:
    """"📅 Data as of 19 November 2026 · last import 27 Nov 2026", or that nothing is recorded."""
    if status["as_of"] is None:
        text = f"{icon}No records of the collaboratives yet"
    else:
        text = f"{icon}Data as of {clock.long_date(status['as_of'])}"
    if status["last_update"] is not None:
        text += f" · last import or edit {clock.short_date(status['last_update'])}"
    return text


def page_header(title: str, f: Filters, *, caption: str | None = None) -> None:
    """Title, the active filters in one sentence, the data date (with its definition as
    help), and the sample badge when sample rows are in view."""
    st.title(title)
    sentence = describe(f, country_names=cached(queries.country_names), partner_names=cached(queries.partner_names))
    badge = cached(queries.sample_in_view, f)
    cols = st.columns([5, 1]) if badge else [st.container()]
    cols[0].markdown(f"**Showing:** {escape(sentence)}")
    if badge:
        cols[1].markdown(
            f":orange-badge[{theme.SAMPLE_BADGE}]",
            help="Some records in view are sample data for demonstration, until partners upload their own.",
        )
    status = cached(queries.data_status)
    st.caption(as_of_text(status) + (f" · {caption}" if caption else ""), help=status["definition"])


def escape(text: object) -> str:
    """User text as Markdown that shows exactly that text: no formatting, colour, emoji,
    icon, LaTeX or HTML, and no visible backslash (:func:`collab_data.plaintext.markdown_literal`).
    Only for Markdown (st.markdown, st.caption, st.info ..., widget labels); plain elements
    (dataframes, selectbox options, st.text) take the raw text."""
    return markdown_literal(text)


def lazy_tabs(tabs: dict[str, str], *, key: str) -> tuple[dict, str]:
    """Tabs of which only the open one is worked out and drawn: choosing another reruns the
    page, and the address keeps the open tab's label, so a link opens it. ``tabs``: key ->
    label. Returns the containers by key and the key of the open tab (the first by default)."""
    containers = dict(zip(tabs, st.tabs(list(tabs.values()), key=key, on_change="rerun", bind="query-params")))
    return containers, next((k for k, t in containers.items() if t.open), next(iter(tabs)))


def download(frame: pd.DataFrame, *, label: str, file_stem: str, title: str, f: Filters, key: str,
             note: str | None = None) -> None:
    """A CSV download of exactly ``frame``, with the filters and data date written into the file."""
    sentence = describe(f, country_names=cached(queries.country_names), partner_names=cached(queries.partner_names))
    as_of = cached(queries.data_as_of)
    query = {k: st.query_params.get_all(k) for k in st.query_params}
    st.download_button(
        f"⬇ {label}",
        data=lambda: exports.to_csv(frame, title=title, filters_sentence=sentence, query=query, as_of=as_of, note=note),
        file_name=f"{file_stem}.csv",
        mime="text/csv",
        key=key,
        on_click="ignore",
    )


def empty_state(what: str, how: str) -> None:
    """Explain what is missing and how to add it, instead of drawing empty axes; when the
    collaboratives have no records at all, with links to the pages where they are added."""
    st.info(f"**{what}**\n\n{how}", icon="ℹ️")
    if how == NO_COLLAB_DATA_HOW:
        c1, c2, _ = st.columns([1, 1, 2])
        c1.page_link("pages/manage.py", label="Register partners", icon="✏️")
        c2.page_link("pages/activities.py", label="Add activities", icon="📅")


NO_COLLAB_DATA_HOW = (
    "This database holds the real country reference and data-gap indicators but no records of the "
    "collaboratives yet. To start: an administrator registers the partners on the **Manage records** page (one "
    "through the form, or many from a file); partner data leads then add their activities on the **Activities** "
    "page (CSV upload)."
)


def require_router() -> None:
    """Make sure a page runs inside the app's router (``app.py``), also on a deep link.

    Streamlit treats a folder named ``pages/`` next to the entry script as a legacy
    multipage app until ``st.navigation`` has run once in the process; a first visit
    straight to ``/countries`` would then run the page without the router (no filters,
    no theme setup). Every page calls this first: it switches the process to the
    router and runs ``app.py`` in place, which lands on this same page, then stops the
    outer run. (Running in place, not rerunning, keeps a pending button click or upload.)
    """
    import runpy

    from streamlit.runtime.pages_manager import PagesManager

    from collab_data.db import PROJECT_ROOT

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        runpy.run_path(str(PROJECT_ROOT / "app.py"), run_name="__router__")
        st.stop()


# --------------------------------------------------------------------------------------
# Editors: sign-in, and the upload flow (mapping -> preview -> import or cancel)
# --------------------------------------------------------------------------------------
def secrets() -> dict:
    """The app's secrets, or {} when there is no secrets.toml (reading stays open)."""
    try:
        return st.secrets.to_dict()
    except Exception:  # noqa: BLE001 - Streamlit raises its own error when the file is absent
        return {}


def current_editor(secret: dict):
    """The signed-in editor: through OIDC + e-mail allow-list if configured, else the passcode sign-in."""
    from collab_data import auth

    if auth.oidc_configured(secret):
        try:
            if st.user.is_logged_in:
                return auth.editor_for_email(st.user.get("email"), auth.email_roles(secret))
        except AttributeError:
            pass
        return None
    return st.session_state.get("_editor")


def _session_token() -> str:
    """A random name for this browser session: the sign-in throttle counts its tries apart
    from other sessions' (see :class:`collab_data.auth.Throttle`)."""
    import secrets as _secrets

    token = st.session_state.get("_signin_session")
    if not token:
        token = st.session_state["_signin_session"] = _secrets.token_hex(16)
    return token


def sign_in_form(secret: dict) -> None:
    from collab_data import auth

    if auth.oidc_configured(secret):
        st.button("Sign in", on_click=st.login, key="oidc_login")
        return
    configs = auth.editors_from_secrets(secret)
    if not configs:
        st.caption("No editors are configured on this server (see `.streamlit/secrets.toml.example`).")
        return
    with st.form("sign_in", clear_on_submit=False, border=True):
        name = st.text_input("Editor name", key="signin_name")
        code = st.text_input("Passcode", type="password", key="signin_code")
        if st.form_submit_button("Sign in"):
            editor, message = auth.sign_in(name, code, configs, session=_session_token())
            if editor is None:
                st.error(escape(message))
            else:
                st.session_state["_editor"] = editor
                st.rerun()


def save_button(label: str, key: str, write, done, *, failed: str, saved_key: str, where=None,
                primary: bool = True) -> None:
    """A button that runs ``write()`` (a change through :mod:`collab_data.actions`, returning
    its batch). A refused change shows "``failed``: why" (nothing was written); a saved one
    leaves ``done(batch)`` in the session under ``saved_key`` for the next run to show."""
    from collab_data.db import WriteRejected

    if (where or st).button(label, key=key, type="primary" if primary else "secondary"):
        try:
            batch = write()
        except WriteRejected as exc:
            st.error(f"{failed}: {escape(exc)}")
            return
        st.session_state[saved_key] = done(batch)
        st.rerun()


def sign_out() -> None:
    st.session_state.pop("_editor", None)


def batch_label(batches: pd.DataFrame, batch_id) -> str:
    r = batches[batches["batch_id"] == batch_id].iloc[0]
    when = r["created_at"].strftime("%d %b %Y %H:%M") if pd.notna(r["created_at"]) else ""
    return f"#{batch_id} · {r['file']} · {r['editor'] or ''} · {when} · {r['status']}"


_NOT_MAPPED = "— not in the file —"
TIER_ICON = {"critical": "⛔ critical", "error": "❌ error", "warning": "⚠️ warning"}


def upload_flow(upload, editor, today_) -> None:
    """Mapping, validation preview and the import/cancel choice for one uploaded file."""
    from collab_data import actions
    from collab_data.db import WriteRejected
    from collab_data.ingest import activities as A

    data = upload.getvalue()
    max_bytes = int(st.get_option("server.maxUploadSize")) * 1024 * 1024
    first = actions.validate_upload(data, upload.name, editor, max_bytes=max_bytes, today=today_)
    if first.table is None or (first.critical and not first.mapping):
        _show_findings(first)
        _cancel_button()
        return
    columns = first.table.columns
    st.markdown(f"**3. Check how the columns are matched** — read as {escape(first.table.encoding)}"
                + (f", separated by {'tab' if first.table.delimiter == chr(9) else escape(repr(first.table.delimiter))}"
                   if first.table.delimiter else "")
                + f", header on row {first.table.header_row}, {len(first.table)} data rows.")
    mapping = {}
    cols = st.columns(3)
    for i, spec in enumerate(A.FIELDS.values()):
        options = [_NOT_MAPPED, *columns]
        current = first.mapping.get(spec.name)
        choice = cols[i % 3].selectbox(
            spec.label + (" *" if spec.required else ""), options,
            index=options.index(current) if current in options else 0,
            key=f"map_{first.sha256[:8]}_{spec.name}", help=spec.help)
        if choice != _NOT_MAPPED:
            mapping[spec.name] = choice
    remember = st.checkbox("Remember this matching for my next upload", value=True, key="remember_mapping")
    plan = first if mapping == first.mapping else actions.validate_upload(data, upload.name, editor, mapping=mapping,
                                                                          max_bytes=max_bytes, today=today_)
    st.markdown("**4. Preview** — nothing has been written yet.")
    _show_findings(plan)
    register_unknown_panel(plan.findings, editor, today_, key="upl")
    if plan.critical:
        _cancel_button()
        return
    preview = plan.preview_frame()
    st.markdown(f"**Rows that will be written ({len(preview)})**")
    st.dataframe(preview, placeholder="—", hide_index=True, width="stretch", height=min(36 * (len(preview) + 1), 360))
    b1, b2, _ = st.columns([1.4, 1, 2])
    if plan.records and b1.button(f"✅ Import the {len(plan.records)} valid rows", type="primary", key="do_import"):
        try:
            batch = actions.import_plan(plan, editor, remember_mapping=remember)
        except (WriteRejected, Exception) as exc:  # noqa: BLE001 - shown to the user; nothing was written
            st.error(f"Nothing was imported: {escape(exc)}")
            return
        st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
        st.session_state["_last_import"] = (batch, len(plan.records), upload.name)
        st.rerun()
    if b2.button("✖ Cancel", key="cancel_import"):
        _cancel()
        st.rerun()
    if not plan.records:
        st.warning("No row can be imported: fix the errors above and upload the file again.")


def _show_findings(plan) -> None:
    counts = plan.counts()
    c = st.columns(5)
    c[0].metric("Rows read", counts["rows read"])
    c[1].metric("Rows to import", counts["rows to import"])
    c[2].metric("⛔ Critical", counts["critical"])
    c[3].metric("❌ Rows not imported", counts["rows dropped"],
                help=f"Rows with at least one error ({counts['error']} error finding(s) in all); each is listed below.")
    c[4].metric("⚠️ Warnings", counts["warning"])
    findings = plan.findings_frame()
    again = getattr(plan, "already_imported", None)
    if again and not plan.critical:
        st.info(f"**{len(again):,} row{'s' if len(again) > 1 else ''} already imported, skipped**: "
                + ("they are" if len(again) > 1 else "it is") + " already in the database (rows "
                + ", ".join(str(r) for r in again[:20]) + (" …" if len(again) > 20 else "")
                + "). Only the new rows are imported.", icon="ℹ️")
    unmatched = [f for f in plan.findings if f.tier == "warning" and f.row == getattr(plan.table, "header_row", -1)
                 and f.column and "is not matched to any field" in f.message]
    for f in unmatched:
        st.warning(f"{escape(f.message)} {escape(f.fix)}", icon="⚠️")
    if plan.critical:
        for f in plan.findings:
            if f.tier == "critical":
                st.error(f"**The file cannot be imported.** {escape(f.message)}\n\n**How to fix:** {escape(f.fix)}")
    if not findings.empty:
        shown = findings.assign(tier=findings["tier"].map(TIER_ICON))
        st.dataframe(shown, placeholder="—", hide_index=True, width="stretch", height=min(36 * (len(shown) + 1), 320),
                     column_config={"row": st.column_config.NumberColumn("Row in your file", format="%d"),
                                    "message": st.column_config.TextColumn("What is wrong", width="large"),
                                    "fix": st.column_config.TextColumn("How to fix", width="large")})
        st.download_button("⬇ Findings (CSV)", data=lambda: exports.to_csv(
            findings, title=f"Upload findings for {plan.filename}", filters_sentence="(not filtered)"),
            file_name="upload-findings.csv", mime="text/csv", key="dl_findings", on_click="ignore")


def _cancel() -> None:
    st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1


def _cancel_button() -> None:
    if st.button("✖ Cancel", key="cancel_import"):
        _cancel()
        st.rerun()


def last_import_notice() -> None:
    done = st.session_state.pop("_last_import", None)
    if done:
        batch, n, name = done
        st.success(f"Imported {n} activities from {escape(name)} as batch {batch}. The KPIs and charts include them now; "
                   "the batch can be undone under 'Import history'.", icon="✅")


# --------------------------------------------------------------------------------------
# Reporting freshness (Overview, KPIs & targets, Partners & tools)
# --------------------------------------------------------------------------------------
def _freshness_colour(text: str) -> str:
    from collab_data import freshness

    for disp in freshness.STATUS.values():
        if isinstance(text, str) and text.endswith(disp["label"]):
            return f"color: {disp['color']}; font-weight: 600"
    return ""


#: The reporting table colours its Status cells up to this many rows.
STYLED_ROWS = 200


def reporting_panel(panel, f: Filters, *, key: str, full: bool = False) -> None:
    """Draw a :class:`collab_data.views.freshness.ReportingPanel`: a count per status (sign,
    words and colour), the headline, the notes, and the partners to look at (``full``:
    every partner), with a CSV of the table shown."""
    from collab_data import freshness

    cols = st.columns(4)
    for col, status_key in zip(cols, ("up_to_date", "due", "overdue", "no_reports")):
        disp = freshness.STATUS[status_key]
        with col.container(border=True, key=f"{key}_{status_key}"):
            st.markdown(f"<div style='font-size:0.95rem;color:{disp['color']};font-weight:700'>"
                        f"{disp['emoji']} {disp['label']}</div>"
                        f"<div style='font-size:2rem;font-weight:700;line-height:1.2'>{panel.counts[status_key]}</div>",
                        unsafe_allow_html=True)
    st.markdown(f"**{escape(panel.headline)}**")
    st.caption(" ".join(panel.notes))
    table = panel.table if full else panel.attention
    if table.empty:
        st.success("Every partner in view has reported within its reporting cycle.", icon="✅")
        return
    if not full:
        st.markdown("**Partners to follow up** (overdue first)")
    # Colouring the Status cells goes through pandas' Styler, which formats every cell of the
    # table on every rerun (about 0.5 s for 1,500 partners); above STYLED_ROWS the sign and
    # the words of the status (never colour alone) carry it.
    shown = table.style.map(_freshness_colour, subset=["Status"]) if len(table) <= STYLED_ROWS else table
    st.dataframe(
        shown, hide_index=True, width="stretch", placeholder="—",
        height=min(38 + 35 * len(table), 560),
        column_config={
            "Partner": st.column_config.TextColumn(width=150, pinned=True),
            "Status": st.column_config.TextColumn(width=170),
            "Last report": st.column_config.DateColumn(format="D MMM YYYY"),
            "What was reported": st.column_config.TextColumn(width=320),
            "Days since": st.column_config.NumberColumn(help="Days from the last report to today."),
            "Report due from": st.column_config.DateColumn(format="D MMM YYYY",
                                                           help="Last report + the reporting cycle."),
            "Overdue after": st.column_config.DateColumn(
                format="D MMM YYYY", help=f"Last report + the cycle + {freshness.GRACE_MONTHS} month's grace."),
            "Organisation": st.column_config.TextColumn(width=260),
        },
    )
    download(table, label="Reporting freshness (CSV)", file_stem=f"reporting_freshness_{panel.today.isoformat()}",
             title=f"Reporting freshness of the partners, on {clock.long_date(panel.today)}", f=f, key=f"dl_{key}",
             note=panel.notes[0])


# --------------------------------------------------------------------------------------
# Partners (Manage records)
# --------------------------------------------------------------------------------------
def form_keys(prefix: str):
    """Widget keys of a form that start afresh after each save: ``k("rp_name")`` is
    "rp_name" until the first save, then "rp_name_1", ... (see :func:`next_form`)."""
    n = st.session_state.get(f"_{prefix}_round", 0)
    return lambda name: name if n == 0 else f"{name}_{n}"


def next_form(prefix: str) -> None:
    """Give the form new (empty) widgets on the next run."""
    st.session_state[f"_{prefix}_round"] = st.session_state.get(f"_{prefix}_round", 0) + 1


def window(today_) -> tuple:
    """The dates an editor may enter (see :func:`collab_data.clock.date_window`)."""
    return clock.date_window(today_)


def register_partner(values: dict[str, str], editor, today_) -> None:
    """Validate the partner form and register it; errors are shown by field, nothing is written."""
    from collab_data import actions

    plan = actions.validate_partner_form(values, today=today_)
    notes = " ".join(f.message for f in plan.findings if f.tier == "warning")
    save_form(plan, lambda: actions.register_partners(plan, editor), "rp", failed="The partner was not registered",
              done=lambda batch: (f"Registered {plan.records[0]['name']} as partner '{plan.records[0]['partner_id']}' "
                                  f"(batch {batch})." + (f" Note: {notes}" if notes else "")))


def save_form(plan, write, prefix: str, *, failed: str, done) -> None:
    """After a form's validation: its errors by field (nothing written), or the write, an
    empty form for the next record and ``done(batch)`` shown on the next run."""
    from collab_data.db import WriteRejected

    if not plan.records:
        for finding in plan.findings:
            if finding.tier == "error":
                st.error(f"**{escape(finding.column)}** — {escape(finding.message)} {escape(finding.fix)}", icon="❌")
        return
    try:
        batch = write()
    except WriteRejected as exc:
        st.error(f"{failed}: {escape(exc)}")
        return
    next_form(prefix)
    st.session_state["_partners_registered"] = done(batch)
    st.rerun()


def partners_file_flow(editor, today_) -> None:
    """Register partners from a file (admins)."""
    from collab_data import actions
    from collab_data.records import partners as P

    records_file_flow(P, "partners", "register", lambda data, name, mb: actions.validate_partners_file(
        data, name, today=today_, max_bytes=mb), lambda plan: actions.register_partners(plan, editor))


def programmes_file_flow(editor, today_) -> None:
    """Import country programmes from a file (admins: any partner; partner editors: their own)."""
    from collab_data import actions
    from collab_data.records import programme_sources as PS

    st.caption(PS.rules_caption())

    def validate(data, name, mb):
        return actions.validate_programmes_file(data, name, editor, today=today_, max_bytes=mb,
                                                **programme_file_choices(data, name))

    records_file_flow(PS, "programmes", "import", validate, lambda plan: actions.import_programmes(plan, editor),
                      editor=editor, today_=today_, types=PS.UPLOAD_TYPES)


def programme_file_choices(data: bytes, name: str) -> dict:
    """What the person importing chooses for this upload: for an IATI file, the roles that
    count (changing them validates the same upload again); for a 3W sheet without a country
    column, the country of the whole file. Returns the validation's keyword arguments."""
    from collab_data.records import programme_sources as PS

    kind = PS.detect(data, name)
    if kind == "iati":
        roles = st.multiselect("IATI organisation roles that count", list(PS.ROLE_LABELS),
                               default=list(PS.DEFAULT_ROLES), format_func=PS.ROLE_LABELS.get, key="programmes_iati_roles",
                               help="The partners among the organisations of these roles each get the activity's "
                                    "programmes. Default: the reporting organisation and the implementing ones.")
        st.caption(PS.roles_sentence(roles or None))
        return {"roles": roles or None}
    if PS.needs_country(data, name):
        country = st.text_input("Country of the whole file", key="programmes_3w_country",
                                placeholder="e.g. Chad or TCD",
                                help="The sheet has no country column: every row is placed in this country.")
        return {"country": country.strip() or None}
    return {}


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_buttons(kind, noun: str) -> None:
    """The template and the filled example of a record type, as CSV and as Excel."""
    c = st.columns(4)
    c[0].download_button("⬇ CSV template", kind.template_csv(), f"{noun}-template.csv", "text/csv", on_click="ignore",
                         key=f"{noun}_template")
    c[1].download_button("⬇ Filled example (CSV)", kind.template_csv(example=True), f"{noun}-example.csv", "text/csv",
                         on_click="ignore", key=f"{noun}_example")
    c[2].download_button("⬇ Excel template", lambda: kind.template_xlsx(), f"{noun}-template.xlsx", XLSX,
                         on_click="ignore", key=f"{noun}_template_xlsx")
    c[3].download_button("⬇ Filled example (Excel)", lambda: kind.template_xlsx(example=True), f"{noun}-example.xlsx",
                         XLSX, on_click="ignore", key=f"{noun}_example_xlsx")


def records_file_flow(kind, noun: str, verb: str, validate, write, *, editor=None, today_=None,
                      types: list[str] | None = None) -> None:
    """A file of records of one type (``kind``: a module of :mod:`collab_data.records`):
    template and example, findings by row and column, preview, then write or cancel.
    Nothing is written before the choice."""
    from collab_data.db import WriteRejected

    template_buttons(kind, noun)
    with st.expander("What goes in each column"):
        st.table({"column": list(kind.FIELDS), "required": ["yes" if s.required else "" for s in kind.FIELDS.values()],
                  "what": [s.help for s in kind.FIELDS.values()]})
    round_key = f"{noun}_round"
    st.caption(f"Up to {MAX_UPLOAD_ROWS:,} rows per file; a longer file is refused before anything is read, and "
               "nothing is written until you choose to.")
    upload = st.file_uploader(f"{noun.capitalize()} file", type=types or ["csv", "tsv", "txt", "xlsx"],
                              key=f"{noun}_upload_{st.session_state.get(round_key, 0)}")
    if upload is None:
        return
    max_bytes = int(st.get_option("server.maxUploadSize")) * 1024 * 1024
    plan = validate(upload.getvalue(), upload.name, max_bytes)
    counts = plan.counts()
    done = "registered" if verb == "register" else "imported"
    c = st.columns(4)
    c[0].metric("Rows read", counts["rows read"])
    c[1].metric(f"{noun.capitalize()} to {verb}", counts["to write"])
    c[2].metric(f"❌ Rows not {done}", counts["rows not written"])
    c[3].metric("⚠️ Warnings", counts["warning"])
    for finding in plan.findings:
        if finding.tier == "critical":
            st.error(f"**The file cannot be used.** {escape(finding.message)}\n\n**How to fix:** {escape(finding.fix)}")
    findings = plan.findings_frame()
    if not findings.empty:
        st.dataframe(findings.assign(tier=findings["tier"].map(TIER_ICON)), placeholder="—", hide_index=True, width="stretch",
                     column_config={"row": st.column_config.NumberColumn("Row in your file", format="%d"),
                                    "message": st.column_config.TextColumn("What is wrong", width="large"),
                                    "fix": st.column_config.TextColumn("How to fix", width="large")})
    if editor is not None:
        register_unknown_panel(plan.findings, editor, today_, key=noun)
    if plan.records:
        st.markdown(f"**{noun.capitalize()} that will be {done} ({len(plan.records)})** — nothing has been written yet.")
        st.dataframe(kind.preview_frame(plan), placeholder="—", hide_index=True, width="stretch")
    b1, b2, _ = st.columns([1.4, 1, 2])
    if plan.records and not plan.critical and b1.button(f"✅ {verb.capitalize()} {len(plan.records)} {noun}",
                                                        type="primary", key=f"{noun}_do_import"):
        try:
            batch = write(plan)
        except WriteRejected as exc:
            st.error(f"Nothing was {done}: {escape(exc)}")
            return
        st.session_state[round_key] = st.session_state.get(round_key, 0) + 1
        st.session_state["_partners_registered"] = (f"{done.capitalize()} {len(plan.records)} {noun} from "
                                                    f"{upload.name} (batch {batch}).")
        st.rerun()
    if b2.button("✖ Cancel", key=f"{noun}_cancel"):
        st.session_state[round_key] = st.session_state.get(round_key, 0) + 1
        st.rerun()


def remove_sample_control(editor) -> None:
    """For an admin, while sample records remain: remove them (after a confirmation)."""
    from collab_data import actions
    from collab_data.db import WriteRejected
    from collab_data.queries import records as QR

    n = cached(QR.sample_rows)
    if not n:
        return
    with st.expander(f"🧪 Remove the sample records ({n:,} partners, tools, programmes, activities, collaborations "
                     "and targets)", expanded=False):
        st.markdown("The sample was loaded for demonstration. Removing it deletes every sample row and nothing else; "
                    "it is refused while a record you entered refers to a sample one (the message says which).")
        sure = st.checkbox("I understand: the sample records will be removed from this database", key="rs_sure")
        if st.button("Remove the sample", key="rs_go", disabled=not sure, type="primary"):
            try:
                deleted = actions.remove_sample(editor)
            except WriteRejected as exc:
                st.error(f"Nothing was removed: {escape(exc)}")
                return
            st.session_state["_partners_registered"] = (f"Removed the sample: {sum(deleted.values()):,} rows "
                                                        f"({', '.join(f'{v} {k}' for k, v in deleted.items())}).")
            st.rerun()


def tools_file_flow(editor, today_) -> None:
    """Add tools from a file (admins: any partner's; partner editors: their own partner's)."""
    from collab_data import actions
    from collab_data.records import tools as T

    records_file_flow(T, "tools", "add", lambda data, name, mb: actions.validate_tools_file(
        data, name, editor, today=today_, max_bytes=mb), lambda plan: actions.add_tools(plan, editor),
        editor=editor, today_=today_)


def tool_form(editor, today_, choices: dict) -> None:
    """Add one tool; errors by field, nothing written until it validates."""
    from collab_data import actions
    from collab_data.records import tools as T

    k = form_keys("tf")
    with st.form("add_tool", border=True):
        c1, c2, c3 = st.columns([3, 1.3, 1.3])
        name = c1.text_input("Tool name *", key=k("tf_name"))
        kind = c2.selectbox("Kind *", list(T.KINDS), format_func=T.KINDS.get, index=None, key=k("tf_kind"),
                            placeholder="Choose")
        stage = c3.selectbox("Stage *", list(T.STAGES), format_func=T.STAGES.get, index=None, key=k("tf_stage"),
                             placeholder="Choose")
        partners = choices["partners"]
        if editor.is_admin:
            owners = st.multiselect("Owners *", list(partners), format_func=partners.get, key=k("tf_owners"))
        else:
            owners = [editor.partner_id]
            st.caption(f"Owner: **{escape(partners.get(editor.partner_id, editor.partner_id))}** (your partner).")
        c1, c2 = st.columns(2)
        topics = c1.text_input("Topics", key=k("tf_topics"), placeholder="separated by ';'")
        dims = c2.multiselect("LNOB dimensions", list(choices["dimensions"]), format_func=choices["dimensions"].get,
                              key=k("tf_dims"))
        c1, c2 = st.columns([3, 1])
        website = c1.text_input("Website", key=k("tf_web"), placeholder="https://…")
        launched = c2.text_input("Launched (year)", key=k("tf_year"))
        description = st.text_area("Description", key=k("tf_desc"), height=70)
        submitted = st.form_submit_button("Add the tool", type="primary")
    if not submitted:
        return
    values = {"name": name, "kind": kind or "", "stage": stage or "", "owners": "; ".join(owners), "topics": topics,
              "lnob_dimensions": "; ".join(dims), "website": website, "launched_year": launched,
              "description": description}
    plan = actions.validate_tool_form(values, editor, today=today_)
    save_form(plan, lambda: actions.add_tools(plan, editor), "tf", failed="The tool was not added",
              done=lambda batch: f"Added the tool {plan.records[0]['name']} (batch {batch}).")


# --------------------------------------------------------------------------------------
# Editing and retiring records; the history of changes (Manage records)
# --------------------------------------------------------------------------------------
def _day(text: str):
    from datetime import date

    return date.fromisoformat(text) if text else None


def _done(message: str) -> None:
    st.session_state["_partners_registered"] = message
    st.rerun()


def _pick(options: dict[str, str], label: str, placeholder: str, key: str, empty: str, values_of, gone: str):
    """The top of an edit panel: a searchable picker over ``options`` ({id: label}); returns
    (id, the record's form values) once one is picked, else None (with ``empty`` shown
    when there is nothing to edit, or ``gone`` when the record was removed meanwhile)."""
    if not options:
        st.caption(empty)
        return None
    picked = st.selectbox(label, list(options), format_func=options.get, index=None, placeholder=placeholder, key=key)
    if picked is None:
        return None
    values = values_of(picked)
    if values is None:
        st.warning(gone)
        return None
    return picked, values


def edit_partner_panel(editor, today_, choices: dict) -> None:
    """Pick a partner, change any of its fields in a form filled with what is stored, or
    record that it left (admins). Errors by field; nothing is written until it validates."""
    from collab_data import actions
    from collab_data.db import WriteRejected
    from collab_data.views import manage as VM

    options = cached(VM.partner_edit_choices, today_)
    got = _pick(options, "Partner to edit", "Type to search the partners…", "ep_pick", "No partner is registered yet.",
                actions.partner_form_values, "This partner is no longer registered.")
    if got is None:
        return
    pid, v = got
    k = form_keys("ep")
    lo, hi = window(today_)
    with st.form(f"edit_partner_{pid}", border=True):
        c1, c2 = st.columns([3, 1])
        name = c1.text_input("Name *", v["name"], key=k(f"ep_{pid}_name"))
        acronym = c2.text_input("Acronym", v["acronym"], key=k(f"ep_{pid}_acr"))
        c1, c2, c3 = st.columns(3)
        types = list(choices["org_types"])
        org_type = c1.selectbox("Type *", types, index=types.index(v["org_type"]), format_func=choices["org_types"].get,
                                key=k(f"ep_{pid}_type"))
        hq = c2.text_input("Headquarters (country)", v["hq"], key=k(f"ep_{pid}_hq"))
        iati = c3.text_input("IATI organisation identifier", v["iati_org_id"], key=k(f"ep_{pid}_iati"),
                             placeholder="e.g. XM-DAC-41304")
        c1, c2 = st.columns([3, 1])
        website = c1.text_input("Website", v["website"], key=k(f"ep_{pid}_web"))
        champion = c2.checkbox("Inclusive Data Charter champion", v["idc_champion"] == "yes", key=k(f"ep_{pid}_idc"))
        description = st.text_area("Description", v["description"], key=k(f"ep_{pid}_desc"), height=80)
        collabs = st.multiselect("Collaboratives", list(choices["collaboratives"]),
                                 default=[c for c in v["collaboratives"].split("; ") if c],
                                 format_func=choices["collaboratives"].get, key=k(f"ep_{pid}_collabs"))
        c = st.columns(4)
        dates = {}
        for i, (field, label) in enumerate((("joined_gender", "Joined gender"), ("left_gender", "Left gender"),
                                            ("joined_lnob", "Joined LNOB"), ("left_lnob", "Left LNOB"))):
            dates[field] = c[i].date_input(label, _day(v[field]), min_value=lo, max_value=hi,
                                           key=k(f"ep_{pid}_{field}"))
        teams = st.multiselect("Task teams (current)", list(choices["task_teams"]),
                               default=[t for t in v["task_teams"].split("; ") if t],
                               format_func=choices["task_teams"].get, key=k(f"ep_{pid}_teams"),
                               help="A team taken out is recorded as left today; one added, as joined today.")
        submitted = st.form_submit_button("Save the changes", type="primary")
    if submitted:
        values = {"name": name, "acronym": acronym, "org_type": org_type, "hq": hq, "website": website,
                  "description": description, "collaboratives": "; ".join(collabs), "task_teams": "; ".join(teams),
                  "iati_org_id": iati, "idc_champion": "yes" if champion else "no",
                  **{f: d.isoformat() if d else "" for f, d in dates.items()}}
        plan = actions.validate_partner_edit(pid, values, editor, today=today_)
        save_form(plan, lambda: actions.save_partner_edit(plan, editor, today=today_), "ep",
                  failed="Nothing was saved",
                  done=lambda b: f"Saved the changes to {name} (batch {b}); the history below lists them.")
    with st.expander("🚪 Record that this partner left the collaboratives"):
        st.markdown("Sets the date it left every collaborative and task team it is still in. Its records stay; it "
                    "shows as a former partner from that day and no longer counts as a member, while what it "
                    "counted for in earlier periods does not change.")
        left = st.date_input("Left on", today_, min_value=lo, max_value=hi, key=f"ep_{pid}_left_on")
        sure = st.checkbox(f"Yes, {escape(options[pid])} has left", key=f"ep_{pid}_left_sure")
        if st.button("Record the departure", disabled=not sure, key=f"ep_{pid}_left_go"):
            try:
                batch = actions.retire_partner(pid, left, editor, today=today_)
            except WriteRejected as exc:
                st.error(f"Nothing was changed: {escape(exc)}")
                return
            _done(f"Recorded that {options[pid]} left on {clock.long_date(left)} (batch {batch}).")


def edit_tool_panel(editor, today_, choices: dict) -> None:
    """Pick a tool the editor may change (admins: any; partner editors: their partner's),
    edit it in a filled form, or record that it was discontinued."""
    from collab_data import actions
    from collab_data.db import WriteRejected
    from collab_data.records import tools as T
    from collab_data.views import manage as VM

    options = cached(VM.tool_edit_choices, None if editor.is_admin else editor.partner_id)
    got = _pick(options, "Tool to edit", "Type to search the tools…", "et_pick",
                "No tool to edit yet" + ("" if editor.is_admin else " for your partner") + ".",
                actions.tool_form_values, "This tool is no longer in the catalogue.")
    if got is None:
        return
    tid, v = got
    k = form_keys("et")
    lo, hi = window(today_)
    partners = choices["partners"]
    with st.form(f"edit_tool_{tid}", border=True):
        c1, c2, c3 = st.columns([3, 1.3, 1.3])
        name = c1.text_input("Tool name *", v["name"], key=k(f"et_{tid}_name"))
        kind = c2.selectbox("Kind *", list(T.KINDS), index=list(T.KINDS).index(v["kind"]), format_func=T.KINDS.get,
                            key=k(f"et_{tid}_kind"))
        stage = c3.selectbox("Stage *", list(T.STAGES), index=list(T.STAGES).index(v["stage"]),
                             format_func=T.STAGES.get, key=k(f"et_{tid}_stage"))
        owners = st.multiselect("Owners *", list(partners), default=[o for o in v["owners"].split("; ") if o],
                                format_func=partners.get, key=k(f"et_{tid}_owners"),
                                help=None if editor.is_admin else "Your partner stays an owner.")
        c1, c2 = st.columns(2)
        topics = c1.text_input("Topics", v["topics"], key=k(f"et_{tid}_topics"), placeholder="separated by ';'")
        dims = c2.multiselect("LNOB dimensions", list(choices["dimensions"]),
                              default=[d for d in v["lnob_dimensions"].split("; ") if d],
                              format_func=choices["dimensions"].get, key=k(f"et_{tid}_dims"))
        c1, c2, c3 = st.columns([3, 1, 1.3])
        website = c1.text_input("Website", v["website"], key=k(f"et_{tid}_web"))
        launched = c2.text_input("Launched (year)", v["launched_year"], key=k(f"et_{tid}_year"))
        retired = c3.date_input("Discontinued on", _day(v["retired"]), min_value=lo, max_value=hi,
                                key=k(f"et_{tid}_retired"), help="Empty while the tool is offered.")
        description = st.text_area("Description", v["description"], key=k(f"et_{tid}_desc"), height=70)
        submitted = st.form_submit_button("Save the changes", type="primary")
    if submitted:
        values = {"name": name, "kind": kind, "stage": stage, "owners": "; ".join(owners), "topics": topics,
                  "lnob_dimensions": "; ".join(dims), "website": website, "launched_year": launched,
                  "description": description, "retired": retired.isoformat() if retired else ""}
        try:
            plan = actions.validate_tool_edit(tid, values, editor, today=today_)
        except WriteRejected as exc:
            st.error(f"Nothing was saved: {escape(exc)}")
            return
        save_form(plan, lambda: actions.save_tool_edit(plan, editor), "et", failed="Nothing was saved",
                  done=lambda b: f"Saved the changes to the tool {name} (batch {b}).")
    if not v["retired"]:
        with st.expander("🗄️ Record that this tool was discontinued"):
            st.markdown("The tool stays in the catalogue, marked discontinued; programmes and activities that used "
                        "it keep it.")
            when = st.date_input("Discontinued on", today_, min_value=lo, max_value=hi, key=f"et_{tid}_ret_on")
            if st.button("Record it", key=f"et_{tid}_ret_go"):
                try:
                    batch = actions.retire_tool(tid, when, editor, today=today_)
                except WriteRejected as exc:
                    st.error(f"Nothing was changed: {escape(exc)}")
                    return
                _done(f"Recorded that {v['name']} was discontinued on {clock.long_date(when)} (batch {batch}).")


def edit_programme_panel(editor, today_) -> None:
    """Pick a programme (a partner editor: its partner's) and change it in a filled form;
    ending one is giving it an end date and the status completed."""
    from collab_data import actions
    from collab_data.records import programmes as PR
    from collab_data.views import manage as VM

    options = cached(VM.programme_edit_choices, None if editor.is_admin else editor.partner_id)
    got = _pick(options, "Programme to edit", "Type a partner, a country or a support type…", "eg_pick",
                "No programme to edit yet" + ("" if editor.is_admin else " for your partner") + ".",
                actions.programme_form_values, "This programme is no longer recorded.")
    if got is None:
        return
    prid, v = got
    k = form_keys("eg")
    lo, hi = window(today_)
    with st.form(f"edit_programme_{prid}", border=True):
        c1, c2, c3 = st.columns(3)
        partner = c1.text_input("Partner *", v["partner"], key=k(f"eg_{prid}_partner"), disabled=not editor.is_admin)
        country = c2.text_input("Country *", v["country"], key=k(f"eg_{prid}_country"))
        tool = c3.text_input("Tool", v["tool"], key=k(f"eg_{prid}_tool"), placeholder="a tool of the catalogue")
        c1, c2, c3, c4 = st.columns(4)
        support = c1.selectbox("Support type *", list(PR.SUPPORT_TYPES), index=list(PR.SUPPORT_TYPES).index(
            v["support_type"]), format_func=PR.SUPPORT_TYPES.get, key=k(f"eg_{prid}_support"))
        start = c2.date_input("Start *", _day(v["start_date"]), min_value=lo, max_value=hi, key=k(f"eg_{prid}_start"))
        end = c3.date_input("End", _day(v["end_date"]), min_value=lo, max_value=hi, key=k(f"eg_{prid}_end"))
        status = c4.selectbox("Status *", list(PR.STATUSES), index=list(PR.STATUSES).index(v["status"]),
                              format_func=PR.STATUSES.get, key=k(f"eg_{prid}_status"))
        topic = st.text_input("Topic", v["topic"], key=k(f"eg_{prid}_topic"))
        notes = st.text_area("Notes", v["notes"], key=k(f"eg_{prid}_notes"), height=70)
        submitted = st.form_submit_button("Save the changes", type="primary")
    if submitted:
        values = {"partner": partner if editor.is_admin else v["partner"], "country": country, "tool": tool,
                  "support_type": support, "topic": topic, "start_date": start.isoformat() if start else "",
                  "end_date": end.isoformat() if end else "", "status": status, "notes": notes}
        plan = actions.validate_programme_edit(prid, values, editor, today=today_)
        save_form(plan, lambda: actions.save_programme_edit(plan, editor), "eg", failed="Nothing was saved",
                  done=lambda b: f"Saved the changes to the programme (batch {b}).")


def relabelled_selectbox(label: str, labels: dict, key: str):
    """A selectbox over ``labels`` ({value: label}) whose label can change for the same value
    (a batch that is undone). Streamlit keeps showing the old label in that case, so after
    :func:`choose_again` the choice is set again and the browser redraws it."""
    again = f"_{key}_again"
    if again in st.session_state:
        st.session_state[key] = st.session_state.pop(again)
    return st.selectbox(label, list(labels), format_func=labels.get, key=key)


def choose_again(key: str, value) -> None:
    """Ask :func:`relabelled_selectbox` ``key`` to show ``value`` afresh on the next run."""
    st.session_state[f"_{key}_again"] = value


def history_panel(editor) -> None:
    """Every upload and edit of records, newest first; what one did (old -> new values);
    undo with a confirmation, for those the editor may undo."""
    from collab_data import actions, auth
    from collab_data.db import WriteRejected
    from collab_data.views import manage as VM

    batches = cached(VM.history_batches)
    if batches.empty:
        st.caption("No import or edit yet.")
        return
    shown = batches.drop(columns=["kind", "status", "note"])
    st.dataframe(shown, placeholder="—", hide_index=True, width="stretch", height=min(38 + 35 * len(shown), 320),
                 column_config={"When (UTC)": st.column_config.DatetimeColumn(format="D MMM YYYY HH:mm")})
    labels = dict(zip(batches["Batch"], batches["Batch"].astype(str) + " · " + batches["What"].astype(str)
                      + " · " + batches["Status"]))
    pick = relabelled_selectbox("Look at a batch", labels, key="hist_pick")
    st.dataframe(cached(VM.batch_changes, int(pick)), placeholder="—", hide_index=True, width="stretch")
    row = batches[batches["Batch"] == pick].iloc[0]
    if row["status"] == "undone":
        return
    if not auth.can_undo(editor, row["kind"], row["note"]):
        st.caption("You can undo only your own partner's imports and edits; an administrator can undo any.")
        return
    if row["status"] == "undoing":
        st.warning(f"The undo of batch {pick} was interrupted: part of it may still be in the database. Finish it "
                   "(every step can be run again safely).", icon="⚠️")
        if st.button(f"↩️ Finish undoing batch {pick}", key=f"hist_finish_{pick}"):
            try:
                actions.undo(int(pick), editor)
            except WriteRejected as exc:
                st.error(f"The undo could not be finished: {exc}")
                return
            choose_again("hist_pick", pick)
            _done(f"Batch {pick} undone ({row['What']}).")
        return
    sure = st.checkbox(f"Undo batch {pick}: {escape(row['What'])}", key=f"hist_sure_{pick}",
                       help="Removes what the batch added and puts back what it changed or removed.")
    if st.button(f"↩️ Undo batch {pick}", key=f"hist_undo_{pick}", disabled=not sure):
        try:
            deleted = actions.undo(int(pick), editor)
        except WriteRejected as exc:
            st.error(f"Nothing was undone: {escape(exc)}")
            return
        removed = VM.removed_text(deleted or {})
        choose_again("hist_pick", pick)
        _done(f"Batch {pick} undone ({row['What']}): " + "; ".join(
            ([f"removed {removed}"] if removed else []) + (["changed values put back"] if row["kind"] == "edit" else []))
              + ". It now reads 'Undone' in the list.")


# --------------------------------------------------------------------------------------
# Collaborations and KPI targets (Manage records)
# --------------------------------------------------------------------------------------
def collaborations_file_flow(editor, today_) -> None:
    """Record collaborations from a file (admins: any; partner editors: those their partner
    takes part in)."""
    from collab_data import actions
    from collab_data.records import collaborations as C

    records_file_flow(C, "collaborations", "import", lambda data, name, mb: actions.validate_collaborations_file(
        data, name, editor, today=today_, max_bytes=mb), lambda plan: actions.add_collaborations(plan, editor),
        editor=editor, today_=today_)


def collaboration_form(editor, today_, choices: dict) -> None:
    """Record one collaboration; errors by field, nothing written until it validates.
    ``choices``: :func:`collab_data.views.collaborations.collaboration_choices`."""
    from collab_data import actions

    k = form_keys("cf")
    lo, hi = window(today_)
    partners, kinds, acts = choices["partners"], choices["kinds"], choices["activities"]
    with st.form("add_collaboration", border=True):
        c1, c2 = st.columns([3, 1.4])
        title = c1.text_input("Title *", key=k("cf_title"), placeholder="e.g. Joint guidance on time-use data")
        kind = c2.selectbox("Kind of collaboration *", list(kinds), format_func=kinds.get, index=None, key=k("cf_kind"),
                            placeholder="Choose")
        c1, c2 = st.columns([3, 1.4])
        own = [editor.partner_id] if not editor.is_admin and editor.partner_id in partners else []
        chosen = c1.multiselect("Partners * (two or more)", list(partners), default=own, format_func=partners.get,
                                key=k("cf_partners"))
        started = c2.date_input("Started *", value=None, min_value=lo, max_value=hi, key=k("cf_started"))
        origin = st.selectbox("Grew out of (activity)", list(acts), format_func=acts.get, index=None,
                              key=k("cf_origin"), placeholder="Optional: the activity it came from")
        description = st.text_area("Description", key=k("cf_desc"), height=70)
        if own:
            st.caption(f"You record collaborations that **{escape(partners[own[0]])}** takes part in.")
        submitted = st.form_submit_button("Record the collaboration", type="primary")
    if not submitted:
        return
    values = {"title": title, "kind": kind or "", "partners": "; ".join(chosen),
              "started_date": started.isoformat() if started else "", "origin_activity": origin or "",
              "description": description}
    plan = actions.validate_collaboration_form(values, editor, today=today_)
    save_form(plan, lambda: actions.add_collaborations(plan, editor), "cf", failed="The collaboration was not recorded",
              done=lambda batch: f"Recorded the collaboration {plan.records[0]['title']} (batch {batch}).")


def targets_file_flow(editor, today_) -> None:
    """Set KPI targets from a file (administrators only): one batch, each change kept in the
    target history."""
    from collab_data import actions
    from collab_data.records import targets as RT

    if not actions.can_set_targets(editor):
        st.info("Only an administrator sets KPI targets.")
        return
    records_file_flow(RT, "targets", "import", lambda data, name, mb: actions.validate_targets_file(
        data, name, editor, today=today_, max_bytes=mb), lambda plan: actions.import_targets(plan, editor))


def register_unknown_panel(findings, editor, today_, *, key: str) -> None:
    """Partners and tools a file names but the registry lacks: an administrator registers
    them on the spot (the name filled in) and the same file then validates again; a partner
    editor adds a missing tool of its own, and is told who registers a missing partner."""
    from collab_data import actions
    from collab_data.records import tools as T
    from collab_data.records.base import unknown_references
    from collab_data.views import manage as VM

    unknown = unknown_references(findings)
    if not unknown["partners"] and not unknown["tools"]:
        return
    if unknown["partners"] and not actions.can_register_partners(editor):
        st.info("Not registered yet: " + ", ".join(f"**{escape(n)}**" for n in unknown["partners"][:10])
                + ". Partners are registered by the secretariat (an administrator) on the Manage records page: ask "
                  "them to register these, or correct the spelling, then upload the file again.", icon="🔒")
    choices = cached(VM.form_choices)
    with st.expander(f"➕ Register what the file names but the dashboard does not know yet "
                     f"({len(unknown['partners']) + len(unknown['tools'])})", expanded=True):
        if actions.can_register_partners(editor):
            for i, name in enumerate(unknown["partners"][:10]):
                with st.form(f"{key}_rp_{i}_{name}", border=True):
                    c1, c2, c3, c4 = st.columns([3, 1, 1.5, 1.5])
                    full = c1.text_input("Partner name", name, key=f"{key}_rp_name_{i}_{name}")
                    acr = c2.text_input("Acronym", key=f"{key}_rp_acr_{i}_{name}")
                    typ = c3.selectbox("Type", list(choices["org_types"]), format_func=choices["org_types"].get,
                                       index=None, key=f"{key}_rp_type_{i}_{name}", placeholder="Choose")
                    col = c4.multiselect("Collaboratives", list(choices["collaboratives"]),
                                         format_func=choices["collaboratives"].get, key=f"{key}_rp_col_{i}_{name}")
                    go = st.form_submit_button(f"Register {escape(name)} as a partner")
                if go:
                    plan = actions.validate_partner_form({"name": full, "acronym": acr, "org_type": typ or "",
                                                          "collaboratives": "; ".join(col)}, today=today_)
                    save_form(plan, lambda p=plan: actions.register_partners(p, editor), f"{key}_rp",
                              failed="The partner was not registered",
                              done=lambda b, n=full: f"Registered {n} (batch {b}). The file was checked again below.")
        for i, name in enumerate(unknown["tools"][:10]):
            with st.form(f"{key}_rt_{i}_{name}", border=True):
                c1, c2, c3, c4 = st.columns([3, 1.3, 1.3, 2])
                full = c1.text_input("Tool name", name, key=f"{key}_rt_name_{i}_{name}")
                kind = c2.selectbox("Kind", list(T.KINDS), format_func=T.KINDS.get, index=None,
                                    key=f"{key}_rt_kind_{i}_{name}", placeholder="Choose")
                stage = c3.selectbox("Stage", list(T.STAGES), format_func=T.STAGES.get, index=None,
                                     key=f"{key}_rt_stage_{i}_{name}", placeholder="Choose")
                if editor.is_admin:
                    owners = c4.multiselect("Owners", list(choices["partners"]), format_func=choices["partners"].get,
                                            key=f"{key}_rt_owners_{i}_{name}")
                else:
                    owners = [editor.partner_id]
                    c4.caption("Owner: your partner.")
                go = st.form_submit_button(f"Add {escape(name)} to the tools")
            if go:
                plan = actions.validate_tool_form({"name": full, "kind": kind or "", "stage": stage or "",
                                                   "owners": "; ".join(owners)}, editor, today=today_)
                save_form(plan, lambda p=plan: actions.add_tools(p, editor), f"{key}_rt", failed="The tool was not added",
                          done=lambda b, n=full: f"Added the tool {n} (batch {b}). The file was checked again below.")


def edit_collaboration_panel(editor, today_, choices: dict) -> None:
    """Pick a collaboration (a partner editor: those its partner takes part in) and change it
    in a filled form. ``choices``: as for :func:`collaboration_form`."""
    from collab_data import actions
    from collab_data.views import manage as VM

    options = cached(VM.collaboration_edit_choices, None if editor.is_admin else editor.partner_id)
    got = _pick(options, "Collaboration to edit", "Type a title or a partner…", "ec_pick",
                "No collaboration to edit yet" + ("" if editor.is_admin else " for your partner") + ".",
                actions.collaboration_form_values, "This collaboration is no longer recorded.")
    if got is None:
        return
    cid, v = got
    k = form_keys("ec")
    lo, hi = window(today_)
    partners, kinds, acts = choices["partners"], choices["kinds"], dict(choices["activities"])
    if v["origin_activity"] and v["origin_activity"] not in acts:
        acts[v["origin_activity"]] = v["origin_activity"]
    with st.form(f"edit_collaboration_{cid}", border=True):
        c1, c2 = st.columns([3, 1.4])
        title = c1.text_input("Title *", v["title"], key=k(f"ec_{cid}_title"))
        kind = c2.selectbox("Kind of collaboration *", list(kinds), index=list(kinds).index(v["kind"]), format_func=kinds.get,
                            key=k(f"ec_{cid}_kind"))
        c1, c2 = st.columns([3, 1.4])
        chosen = c1.multiselect("Partners * (two or more)", list(partners),
                                default=[p for p in v["partners"].split("; ") if p in partners],
                                format_func=partners.get, key=k(f"ec_{cid}_partners"))
        started = c2.date_input("Started *", _day(v["started_date"]), min_value=lo, max_value=hi,
                                key=k(f"ec_{cid}_started"))
        origin = st.selectbox("Grew out of (activity)", list(acts), format_func=acts.get,
                              index=list(acts).index(v["origin_activity"]) if v["origin_activity"] else None,
                              key=k(f"ec_{cid}_origin"), placeholder="Optional: the activity it came from")
        description = st.text_area("Description", v["description"], key=k(f"ec_{cid}_desc"), height=70)
        submitted = st.form_submit_button("Save the changes", type="primary")
    if submitted:
        values = {"title": title, "kind": kind, "partners": "; ".join(chosen),
                  "started_date": started.isoformat() if started else "", "origin_activity": origin or "",
                  "description": description}
        plan = actions.validate_collaboration_edit(cid, values, editor, today=today_)
        save_form(plan, lambda: actions.save_collaboration_edit(plan, editor), "ec", failed="Nothing was saved",
                  done=lambda b: f"Saved the changes to the collaboration {title} (batch {b}).")
