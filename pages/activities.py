"""Activities: the activity log, and the upload of a partner's new activities (editors only)."""

import streamlit as st

from collab_data import actions, auth, clock, queries, ui
from collab_data.db import WriteRejected
from collab_data.ingest import activities as A
from collab_data.labels import EITHER_COLLABORATIVE, person_datetime
from collab_data.queries import activities as QA
from collab_data.runtime import cached
from collab_data.views import activities as VA

ui.require_router()
f = ui.current_filters()
today = ui.today()
ui.page_header("Activities", f, caption="The collaboratives' meetings, exchanges, reviews, trainings and advocacy. "
                                        "Partner data leads add theirs from a spreadsheet.")
secrets = ui.secrets()
editor = ui.current_editor(secrets)
ui.last_import_notice()
# keyed: a rerun (ticking "Yes, remove", a notice above going away) keeps the tab the person is on
tab_log, tab_upload, tab_history = st.tabs(["📋 Activity log", "⬆️ Upload activities", "🕘 Import history"],
                                           key="activities_tabs", on_change="rerun")

# --------------------------------------------------------------------------------------
with tab_log:
    log = cached(QA.activity_log, f)
    if log.empty:
        if cached(queries.collab_counts)["activities"] == 0:
            ui.empty_state("No activities recorded yet.", ui.NO_COLLAB_DATA_HOW)
        else:
            ui.empty_state("No activity matches the filters.", "Widen the period or clear some filters (Reset filters).")
    else:
        st.markdown(f"**{len(log)} activities**, newest first.")
        shown = VA.log_table(log.drop(columns=["activity_id"]))
        st.dataframe(shown, placeholder="—", hide_index=True, width="stretch", height=min(36 * (len(shown) + 1), 560),
                     column_config={"Date": st.column_config.DateColumn(format="D MMM YYYY", pinned=True),
                                    "End": st.column_config.DateColumn(format="D MMM YYYY"),
                                    "Title": st.column_config.TextColumn(width="large", pinned=True),
                                    "Collaborative": st.column_config.TextColumn(
                                        help=f"'{EITHER_COLLABORATIVE}': an activity of both collaboratives, "
                                             "or of neither.")})
        ui.download(shown, label="Activity log (CSV)", file_stem="activities", title="Activity log", f=f, key="dl_log")

# --------------------------------------------------------------------------------------
with tab_upload:
    if editor is None:
        st.info("Reading is open to everyone. **Uploading activities needs an editor sign-in**: each partner's data "
                "lead has one (ask the collaborative's secretariat).", icon="🔒")
        ui.sign_in_form(secrets)
    else:
        scope = "all partners (admin)" if editor.is_admin else cached(queries.partner_names).get(editor.partner_id)
        top = st.columns([3, 1])
        top[1].button("Sign out", on_click=ui.sign_out, key="sign_out")
        if scope is None:
            top[0].warning(f"Signed in as **{ui.escape(editor.name)}** for the partner `{editor.partner_id}`, which is "
                           "not registered yet, so there is nothing to import activities for. An administrator "
                           "registers it on the **Manage records** page.", icon="🔒")
            st.page_link("pages/manage.py", label="Manage records", icon="✏️")
        else:
            top[0].markdown(f"Signed in as **{ui.escape(editor.name)}** — may import activities of **{ui.escape(scope)}**.")
            st.markdown("**1. Start from the template** (or upload the spreadsheet you already keep: columns are matched "
                        "by name, and you can correct the matching).")
            ui.template_buttons(A, "activities")
            with st.expander("What goes in each column"):
                st.table({"column": [s.name for s in A.FIELDS.values()],
                          "required": ["yes" if s.required else "" for s in A.FIELDS.values()],
                          "what": [s.help for s in A.FIELDS.values()]})
                st.caption(f"Dates are accepted {clock.window_text(today)}; any other date is reported as an error "
                           "with its row and column, and that row is not imported.")
            st.markdown("**2. Upload your file** (CSV, TSV or .xlsx; any encoding; title lines above the header are "
                        f"skipped; up to {ui.MAX_UPLOAD_ROWS:,} rows per file).")
            up_key = f"upload_{st.session_state.get('upload_round', 0)}"
            upload = st.file_uploader("Activities file", type=["csv", "tsv", "txt", "xlsx"], key=up_key)
            if upload is not None:
                ui.upload_flow(upload, editor, today)

# --------------------------------------------------------------------------------------
with tab_history:
    batches = cached(VA.upload_history)
    if batches.empty:
        ui.empty_state("No uploads yet.", "Imports made from the Upload tab (or `python -m collab_data import`) "
                                          "are listed here, and can be undone.")
    else:
        shown = batches.drop(columns=["kind", "status", "note"])
        st.dataframe(shown, placeholder="—", hide_index=True, width="stretch", column_config={
            "When (UTC)": st.column_config.DatetimeColumn(format="D MMM YYYY HH:mm")})
        ui.download(shown, label="Import history (CSV)", file_stem="import-history", title="Import history", f=f,
                    key="dl_batches", note="The import history is not filtered.")
        labels = {b: f"#{b} · {file} · {who} · {person_datetime(when)} · {status}" for b, file, who, when, status in
                  zip(batches["Batch"], batches["File"], batches["Who"], batches["When (UTC)"], batches["Status"])}
        pick = ui.relabelled_selectbox("Look at a batch", labels, key="batch_pick")
        row = batches[batches["Batch"] == pick].iloc[0]
        undone = st.session_state.pop("_undone", None)
        if undone:
            st.success(undone, icon="↩️")
        rows = cached(VA.batch_activities, int(pick))
        if rows.empty:
            status = row["Status"]
            st.caption(f"Batch {pick} holds no activity now ({status[:1].lower() + status[1:]}).")
        else:
            st.dataframe(rows, placeholder="—", hide_index=True, width="stretch")
        if row["status"] == "imported" and auth.can_undo(editor, row["kind"], row["note"]):
            n = int(row["Activities now"])
            sure = st.checkbox(f"Yes, remove the {n} activities of batch {pick} ({ui.escape(row['File'])})",
                               key=f"undo_sure_{pick}")
            if st.button(f"↩️ Undo batch {pick} ({n} activities)", key="undo_btn", disabled=not sure):
                try:
                    deleted = actions.undo(int(pick), editor)
                except WriteRejected as exc:
                    st.error(f"Nothing was undone: {ui.escape(exc)}")
                else:
                    others = sum(deleted.values()) - deleted.get("activities", 0)
                    st.session_state["_undone"] = (
                        f"Batch {pick} undone: {deleted.get('activities', 0)} activities removed from "
                        f"{ui.escape(row['File'])}" + (f" (with their {others} partner and country links)" if others else "")
                        + ". It now reads 'Undone' in the list; the KPIs and charts no longer count them.")
                    ui.choose_again("batch_pick", pick)  # its label now says undone
                    st.rerun()
        elif row["status"] == "imported" and editor is not None:
            st.caption("You can undo only your own partner's uploads and other partners' uploads that name your "
                       "partner; an administrator's uploads are undone by an administrator.")
    matchings = cached(VA.saved_matchings)
    if not matchings.empty:
        with st.expander(f"Saved column matchings ({len(matchings)})"):
            st.caption("A matching of a file's columns to the fields, remembered for the next upload of the same "
                       "partner. A setting, not an import: it is kept here, not in the import history.")
            st.dataframe(matchings, placeholder="—", hide_index=True, width="stretch")
