"""Activities: the activity log, and the upload of a partner's new activities (editors only)."""

import streamlit as st

from collab_data import actions, auth, clock, queries, ui
from collab_data.db import WriteRejected
from collab_data.ingest import activities as A
from collab_data.queries import activities as QA
from collab_data.runtime import cached

ui.require_router()
f = ui.current_filters()
today = ui.today()
ui.page_header("Activities", f, caption="The collaboratives' meetings, exchanges, reviews, trainings and advocacy. "
                                        "Partner data leads add theirs from a spreadsheet.")
secrets = ui.secrets()
editor = ui.current_editor(secrets)
ui.last_import_notice()
tab_log, tab_upload, tab_history = st.tabs(["📋 Activity log", "⬆️ Upload activities", "🕘 Import history"])

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
        shown = log.drop(columns=["activity_id"])
        st.dataframe(shown, hide_index=True, width="stretch", height=min(36 * (len(shown) + 1), 560),
                     column_config={"date": st.column_config.DateColumn("Date", format="D MMM YYYY", pinned=True),
                                    "end": st.column_config.DateColumn("End", format="D MMM YYYY"),
                                    "title": st.column_config.TextColumn("Title", width="large", pinned=True),
                                    "type": "Type", "collaborative": "Collaborative", "partners": "Partners",
                                    "countries": "Countries", "tool": "Tool", "outcome": "Outcome",
                                    "import_flags": st.column_config.TextColumn("Import flags"), "source": "Source"})
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
    batches = cached(QA.upload_batches)
    if batches.empty:
        ui.empty_state("No uploads yet.", "Imports made from the Upload tab (or `python -m collab_data import`) "
                                          "are listed here, and can be undone.")
    else:
        shown = batches.drop(columns=["note"])
        st.dataframe(shown, hide_index=True, width="stretch",
                     column_config={"created_at": st.column_config.DatetimeColumn("When (UTC)", format="D MMM YYYY HH:mm"),
                                    "undone_at": st.column_config.DatetimeColumn("Undone (UTC)", format="D MMM YYYY HH:mm")})
        ui.download(shown, label="Import history (CSV)", file_stem="import-history", title="Import history", f=f,
                    key="dl_batches", note="The import history is not filtered.")
        pick = st.selectbox("Look at a batch", batches["batch_id"].tolist(), key="batch_pick",
                            format_func=lambda b: ui.batch_label(batches, b))
        rows = cached(QA.batch_activities, int(pick))
        st.dataframe(rows, hide_index=True, width="stretch")
        row = batches[batches["batch_id"] == pick].iloc[0]
        undone = st.session_state.pop("_undone", None)
        if undone:
            st.success(undone, icon="↩️")
        if row["status"] == "imported" and auth.can_undo(editor, row["kind"], row["note"]):
            sure = st.checkbox(f"Remove the {row['activities_now']} activities of batch {pick} "
                               f"({ui.escape(row['file'])})", key=f"undo_sure_{pick}")
            if st.button(f"↩️ Undo batch {pick} ({row['activities_now']} activities)", key="undo_btn",
                         disabled=not sure):
                try:
                    deleted = actions.undo(int(pick), editor)
                except WriteRejected as exc:
                    st.error(ui.escape(str(exc)))
                else:
                    st.session_state["_undone"] = (
                        f"Batch {pick} undone: {deleted.get('activities', 0)} activities removed "
                        f"({sum(deleted.values())} rows in all); it now reads 'undone' in the list.")
                    st.rerun()
        elif row["status"] == "imported" and editor is not None:
            st.caption("You can undo only your own partner's uploads and other partners' uploads that name your "
                       "partner; an administrator's uploads are undone by an administrator.")
