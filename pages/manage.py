"""Manage records: the collaboratives' own records, entered by signed-in editors.

Partners (and their memberships and task teams) are registered by an administrator, one
through the form or many from a file; country programmes are imported from a file by any
signed-in editor (a partner editor: its own partner's). Every change is a batch that can
be undone."""

import streamlit as st

from collab_data import actions, ui
from collab_data.runtime import cached
from collab_data.views import collaborations as VC
from collab_data.views import manage as VM

ui.require_router()
f = ui.current_filters()
today = ui.today()
ui.page_header("Manage records", f, caption="register, edit and retire the collaboratives' partners, tools, "
                                            "programmes and collaborations; every change is kept in the history "
                                            "and can be undone.")
secret = ui.secrets()
editor = ui.current_editor(secret)
done = st.session_state.pop("_partners_registered", None)
if done:
    st.success(ui.escape(done), icon="✅")

if editor is None:
    st.info("Reading is open to everyone. **Registering partners needs an administrator sign-in.**", icon="🔒")
    with st.expander("Sign in", expanded=False):
        ui.sign_in_form(secret)
else:
    top = st.columns([3, 1])
    role = "administrator" if editor.is_admin else "partner editor"
    top[0].markdown(f"Signed in as **{ui.escape(editor.name)}** ({role}).")
    top[1].button("Sign out", on_click=ui.sign_out, key="sign_out_manage")

st.subheader("Partners")
table = cached(VM.partners_table, today)
if table.empty:
    ui.empty_state("No partner is registered yet.",
                   "An administrator registers the collaboratives' member organisations below, one through the "
                   "form or many from a file; partners then add their activities on the Activities page.")
else:
    # the partner's key (what an editor's entry in the server's settings names) is for administrators only
    table = table if editor is not None and editor.is_admin else table.drop(columns=["Id"])
    st.dataframe(table, placeholder="—", hide_index=True, width="stretch", height=min(38 + 35 * len(table), 480),
                 column_config={"Last change (UTC)": st.column_config.TextColumn(
                     help="The newest upload or edit of one of the partner's records; — when they all came with "
                          "the database."),
                     "Id": st.column_config.TextColumn(help="The partner's key: what an editor's entry in the "
                                                            "server's settings names as its partner.")})
    ui.download(table, label="Partners (CSV)", file_stem="partners_registry", title="Registered partners", f=f,
                key="dl_registry", note="The list of partners is not filtered.")

if editor is not None and not actions.can_register_partners(editor):
    st.info("Partners and their memberships are registered by the secretariat (an administrator). Ask them to "
            "register an organisation that is missing.", icon="🔒")
elif editor is not None:
    st.download_button("⬇ Backup of every record (zip)", data=lambda: actions.backup_zip(editor),
                       file_name=f"collaborative-records-{today.isoformat()}.zip", mime="application/zip",
                       key="dl_backup", on_click="ignore",
                       help="Every partner, tool, programme, activity, collaboration, target, cycle, batch and "
                            "history row as CSV files with a manifest; `python -m collab_data restore` reads it.")
    ui.remove_sample_control(editor)
    choices = cached(VM.form_choices)
    tab_form, tab_file, tab_edit = st.tabs(["➕ Register one partner", "⬆️ Register partners from a file",
                                            "✏️ Edit a partner or record that it left"],
                                           key="manage_partner_tabs", on_change="rerun")
    with tab_form:
        k = ui.form_keys("rp")  # new keys after each registration: an empty form for the next partner
        with st.form("register_partner", clear_on_submit=False, border=True):
            c1, c2 = st.columns([3, 1])
            name = c1.text_input("Name *", key=k("rp_name"), placeholder="e.g. Open Data Watch")
            acronym = c2.text_input("Acronym", key=k("rp_acronym"), placeholder="e.g. ODW")
            c1, c2 = st.columns(2)
            org_type = c1.selectbox("Type *", list(choices["org_types"]), format_func=choices["org_types"].get,
                                    index=None, key=k("rp_type"), placeholder="Choose a type")
            hq = c2.text_input("Headquarters (country)", key=k("rp_hq"), placeholder="a name or ISO code")
            website = st.text_input("Website", key=k("rp_web"), placeholder="https://…")
            description = st.text_area("Description", key=k("rp_desc"), height=80)
            c1, c2, c3 = st.columns(3)
            collabs = c1.multiselect("Collaboratives", list(choices["collaboratives"]),
                                     format_func=choices["collaboratives"].get, key=k("rp_collabs"))
            joined_g = c2.date_input("Joined the gender collaborative", value=None, key=k("rp_joined_gender"),
                                     min_value=ui.window(today)[0], max_value=ui.window(today)[1])
            joined_l = c3.date_input("Joined the LNOB collaborative", value=None, key=k("rp_joined_lnob"),
                                     min_value=ui.window(today)[0], max_value=ui.window(today)[1])
            teams = st.multiselect("Task teams", list(choices["task_teams"]), format_func=choices["task_teams"].get,
                                   key=k("rp_teams"))
            submitted = st.form_submit_button("Register the partner", type="primary")
        if submitted:
            values = {"name": name, "acronym": acronym, "org_type": org_type or "", "hq": hq, "website": website,
                      "description": description, "collaboratives": "; ".join(collabs),
                      "joined_gender": joined_g.isoformat() if joined_g else "",
                      "joined_lnob": joined_l.isoformat() if joined_l else "",
                      "task_teams": "; ".join(teams)}
            ui.register_partner(values, editor, today)
    with tab_file:
        ui.partners_file_flow(editor, today)
    with tab_edit:
        ui.edit_partner_panel(editor, today, choices)

st.subheader("Tools")
if editor is None:
    st.caption("Partners' editors add their tools here; sign in above.")
else:
    st.caption("Add a tool " + ("of any partner (administrator)." if editor.is_admin else "your partner owns.")
               + " The catalogue is on the Partners & tools page.")
    tool_choices = cached(VM.form_choices)
    tab_tool, tab_tools, tab_tool_edit = st.tabs(["➕ Add one tool", "⬆️ Add tools from a file",
                                                  "✏️ Edit a tool or record that it was discontinued"],
                                                 key="manage_tool_tabs", on_change="rerun")
    with tab_tool:
        ui.tool_form(editor, today, tool_choices)
    with tab_tools:
        ui.tools_file_flow(editor, today)
    with tab_tool_edit:
        ui.edit_tool_panel(editor, today, tool_choices)

st.subheader("Country programmes")
if editor is None:
    st.caption("Partners' editors import their country programmes here (a CSV or xlsx file); sign in above.")
else:
    st.caption("Import a file of country programmes, or edit one: " + ("any partner's (administrator)." if
               editor.is_admin else "your own partner's (rows of other partners are refused).")
               + " Every import and edit can be undone under History of changes below.")
    tab_prog_file, tab_prog_edit = st.tabs(["⬆️ Import programmes from a file", "✏️ Edit a programme"],
                                           key="manage_programme_tabs", on_change="rerun")
    with tab_prog_file:
        ui.programmes_file_flow(editor, today)
    with tab_prog_edit:
        ui.edit_programme_panel(editor, today)

st.subheader("Collaborations")
if editor is None:
    st.caption("Partners' editors record the collaborations their partner takes part in here; sign in above.")
else:
    st.caption("Record a collaboration (two or more partners working together: a joint product, co-funding, data "
               "sharing …) " + ("between any partners (administrator)." if editor.is_admin else
                                "your partner takes part in."))
    tab_collab, tab_collabs, tab_collab_edit = st.tabs(["➕ Record one collaboration",
                                                        "⬆️ Import collaborations from a file",
                                                        "✏️ Edit a collaboration"],
                                                       key="manage_collab_tabs", on_change="rerun")
    collab_choices = cached(VC.collaboration_choices)
    with tab_collab:
        ui.collaboration_form(editor, today, collab_choices)
    with tab_collabs:
        ui.collaborations_file_flow(editor, today)
    with tab_collab_edit:
        ui.edit_collaboration_panel(editor, today, collab_choices)

if editor is not None and editor.is_admin:
    st.subheader("KPI targets")
    st.caption("Set many targets at once from a file (KPI, period, target); each change is kept in the target "
               "history on the KPIs & targets page, where one target can also be changed.")
    ui.targets_file_flow(editor, today)

st.subheader("History of changes")
if editor is None:
    st.caption("Signed-in editors see every import and edit here, with the values before and after, and can undo them.")
else:
    st.caption("Every import and edit, newest first: pick one to see what it changed (before → after). An "
               "administrator can undo any; a partner editor its own partner's.")
    ui.history_panel(editor)
