"""What the app's pages may change, on the app's database, with the permission checks.

Every write still goes through :mod:`collab_data.db` (one transaction, an import batch);
this module only joins the app's database handle, the editor's rights and the write.
"""

from __future__ import annotations

from datetime import date

from collab_data import auth, cycles, runtime, targets
from collab_data.db import WriteRejected
from collab_data.ingest import activities as A


def validate_upload(data: bytes, filename: str, editor: A.Editor, mapping: dict[str, str] | None = None,
                    max_bytes: int | None = None, *, today: date) -> A.Plan:
    db = runtime.database()
    saved = A.saved_mapping(db, mapping_scope(editor))
    return A.validate(data, filename, db, editor=editor, mapping=mapping, saved_mapping=saved, max_bytes=max_bytes,
                      today=today)


def suggested_mapping(columns: list[str], editor: A.Editor) -> dict[str, str]:
    return A.suggest_mapping(columns, A.saved_mapping(runtime.database(), mapping_scope(editor)))


def mapping_scope(editor: A.Editor) -> str:
    return editor.partner_id or auth.ADMIN


def import_plan(plan: A.Plan, editor: A.Editor, *, remember_mapping: bool) -> int:
    db = runtime.database()
    batch = A.import_activities(db, plan, editor=editor)
    if remember_mapping:
        # a setting, saved (and kept in the history) only when it changes, not at every import
        scope = mapping_scope(editor)
        if A.saved_mapping(db, scope) != {k: v for k, v in plan.mapping.items() if k in A.FIELDS and v}:
            A.save_mapping(db, scope, plan.mapping, editor=editor.name)
    return batch


def undo(batch_id: int, editor: A.Editor) -> dict[str, int]:
    db = runtime.database()
    row = db.rows("SELECT kind, note FROM import_batches WHERE batch_id = ?", [batch_id])
    if not row:
        raise WriteRejected(f"there is no import batch {batch_id}")
    if not auth.can_undo(editor, row[0][0], row[0][1]):
        raise WriteRejected("you may undo only your own partner's uploads and uploads that name your partner "
                            "(an admin may undo any upload)")
    return db.undo_batch(batch_id, by=editor.name)


def can_set_targets(editor: A.Editor | None) -> bool:
    """Only an admin editor changes KPI targets (they are set for both collaboratives as a whole)."""
    return editor is not None and editor.is_admin


def set_target(kpi_id: str, period_type: str, period_start, target, editor: A.Editor | None, *,
               today: date) -> int:
    """Change one KPI target (admins only); returns the edit batch. Raises WriteRejected
    (nothing written) for anyone else, and targets.TargetRejected for an invalid change."""
    if not can_set_targets(editor):
        raise WriteRejected("only an administrator can change KPI targets")
    return targets.set_target(runtime.database(), kpi_id, period_type, period_start, target, editor=editor.name,
                              today=today)


def set_cycle(collab_id: str, months, editor: A.Editor | None) -> int:
    """Change a collaborative's reporting cycle (admins only); returns the edit batch. Raises
    WriteRejected (nothing written) for anyone else, cycles.CycleRejected for an invalid change."""
    if not can_set_targets(editor):
        raise WriteRejected("only an administrator can change reporting cycles")
    return cycles.set_cycle(runtime.database(), collab_id, months, editor=editor.name)


# --------------------------------------------------------------------------------------
# Partners (Manage records)
# --------------------------------------------------------------------------------------
def can_register_partners(editor: A.Editor | None) -> bool:
    """Partners and memberships are the secretariat's: only an admin registers them."""
    return editor is not None and editor.is_admin


def validate_partner_form(values: dict[str, str], *, today: date):
    from collab_data.records import partners as P

    return P.validate_form(runtime.database(), values, today=today)


def validate_partners_file(data: bytes, filename: str, *, today: date, max_bytes: int | None = None):
    from collab_data.records import partners as P

    return P.validate_file(data, filename, runtime.database(), today=today, max_bytes=max_bytes)


def register_partners(plan, editor: A.Editor | None) -> int:
    """Register the partners of a validated plan (admins only); returns the batch. A file is
    an 'upload' batch, the form an 'edit' batch; both can be undone."""
    from collab_data.records import partners as P

    if not can_register_partners(editor):
        raise WriteRejected("only an administrator registers partners")
    return P.register(runtime.database(), plan, editor=editor.name, kind="edit" if plan.source == "form" else "upload")


def backup_zip(editor: A.Editor | None) -> bytes:
    """The backup zip of the app's database (admins only: it holds who imported what)."""
    from collab_data.views.manage import backup_zip as make

    if editor is None or not editor.is_admin:
        raise WriteRejected("only an administrator downloads the backup")
    return make(runtime.database())


def remove_sample(editor: A.Editor | None) -> dict[str, int]:
    """Delete every sample record and nothing else (admins only); returns rows per table.
    Raises WriteRejected (nothing deleted) while a real record refers to a sample one."""
    if editor is None or not editor.is_admin:
        raise WriteRejected("only an administrator removes the sample")
    return runtime.database().remove_sample(by=editor.name)


# --------------------------------------------------------------------------------------
# Country programmes (Manage records)
# --------------------------------------------------------------------------------------
def validate_programmes_file(data: bytes, filename: str, editor: A.Editor | None, *, today: date,
                             max_bytes: int | None = None, roles=None, country: str | None = None):
    """A programmes file of any format (sheet, IATI XML or zip, 3W): see programme_sources."""
    from collab_data.records import programme_sources as PS

    return PS.validate(data, filename, runtime.database(), today=today, editor=editor, roles=roles, country=country,
                       max_bytes=max_bytes)


def import_programmes(plan, editor: A.Editor | None) -> int:
    """Write a validated programmes plan (any signed-in editor; a partner editor only its own
    partner's, which the validation already ensured and the write checks again)."""
    from collab_data.records import programme_sources as PS

    if editor is None:
        raise WriteRejected("sign in to import programmes")
    return PS.write(runtime.database(), plan, editor=editor)


# --------------------------------------------------------------------------------------
# Tools (Manage records)
# --------------------------------------------------------------------------------------
def validate_tool_form(values: dict[str, str], editor: A.Editor | None, *, today: date):
    from collab_data.records import tools as T

    return T.validate_form(runtime.database(), values, today=today, editor=editor)


def validate_tools_file(data: bytes, filename: str, editor: A.Editor | None, *, today: date,
                        max_bytes: int | None = None):
    from collab_data.records import tools as T

    return T.validate_file(data, filename, runtime.database(), today=today, editor=editor, max_bytes=max_bytes)


def add_tools(plan, editor: A.Editor | None) -> int:
    """Write validated tools (a partner editor: only tools its partner owns)."""
    from collab_data.records import tools as T

    if editor is None:
        raise WriteRejected("sign in to add tools")
    return T.write(runtime.database(), plan, editor=editor)


# --------------------------------------------------------------------------------------
# Editing and retiring records (Manage records)
# --------------------------------------------------------------------------------------
def _admin(editor: A.Editor | None, what: str) -> None:
    if editor is None or not editor.is_admin:
        raise WriteRejected(f"only an administrator {what}; partner editors manage their own tools, programmes and "
                            "activities")


def partner_form_values(partner_id: str) -> dict[str, str] | None:
    from collab_data.records import partners as P

    return P.form_values(runtime.database(), partner_id)


def validate_partner_edit(partner_id: str, values: dict[str, str], editor: A.Editor | None, *, today: date):
    from collab_data.records import partners as P

    _admin(editor, "edits partners and their memberships")
    return P.validate_edit(runtime.database(), partner_id, values, today=today)


def save_partner_edit(plan, editor: A.Editor | None, *, today: date) -> int:
    from collab_data.records import partners as P

    _admin(editor, "edits partners and their memberships")
    return P.save_edit(runtime.database(), plan, editor=editor.name, today=today)


def retire_partner(partner_id: str, left: date, editor: A.Editor | None, *, today: date) -> int:
    from collab_data.records import partners as P

    _admin(editor, "records that a partner left")
    return P.retire(runtime.database(), partner_id, left, editor=editor.name, today=today)


def tool_form_values(tool_id: str) -> dict[str, str] | None:
    from collab_data.records import tools as T

    return T.form_values(runtime.database(), tool_id)


def validate_tool_edit(tool_id: str, values: dict[str, str], editor: A.Editor | None, *, today: date):
    from collab_data.records import tools as T

    return T.validate_edit(runtime.database(), tool_id, values, today=today, editor=editor)


def save_tool_edit(plan, editor: A.Editor | None) -> int:
    from collab_data.records import tools as T

    if editor is None:
        raise WriteRejected("sign in to edit tools")
    return T.save_edit(runtime.database(), plan, editor=editor)


def retire_tool(tool_id: str, when: date, editor: A.Editor | None, *, today: date) -> int:
    from collab_data.records import tools as T

    if editor is None:
        raise WriteRejected("sign in to retire tools")
    return T.retire(runtime.database(), tool_id, when, editor=editor, today=today)


def programme_form_values(program_id: str) -> dict[str, str] | None:
    from collab_data.records import programmes as PR

    return PR.form_values(runtime.database(), program_id)


def validate_programme_edit(program_id: str, values: dict[str, str], editor: A.Editor | None, *, today: date):
    from collab_data.records import programmes as PR

    return PR.validate_edit(runtime.database(), program_id, values, today=today, editor=editor)


def save_programme_edit(plan, editor: A.Editor | None) -> int:
    from collab_data.records import programmes as PR

    if editor is None:
        raise WriteRejected("sign in to edit programmes")
    return PR.save_edit(runtime.database(), plan, editor=editor)


# --------------------------------------------------------------------------------------
# Collaborations and KPI targets (Manage records)
# --------------------------------------------------------------------------------------
def validate_collaboration_form(values: dict[str, str], editor: A.Editor | None, *, today: date):
    """One collaboration from the form (title, kind, partners, started_date, origin_activity,
    description). Writes nothing."""
    from collab_data.records import collaborations as C

    return C.validate_form(runtime.database(), values, today=today, editor=editor)


def validate_collaborations_file(data: bytes, filename: str, editor: A.Editor | None, *, today: date,
                                 max_bytes: int | None = None):
    from collab_data.records import collaborations as C

    return C.validate_file(data, filename, runtime.database(), today=today, editor=editor, max_bytes=max_bytes)


def add_collaborations(plan, editor: A.Editor | None) -> int:
    """Write validated collaborations (any signed-in editor; a partner editor only those its
    own partner takes part in, which the validation ensured and the write checks again)."""
    from collab_data.records import collaborations as C

    if editor is None:
        raise WriteRejected("sign in to record collaborations")
    return C.write(runtime.database(), plan, editor=editor)


def validate_targets_file(data: bytes, filename: str, editor: A.Editor | None, *, today: date,
                          max_bytes: int | None = None):
    """A file of KPI targets. Writes nothing; refused (WriteRejected) for anyone who may not
    set targets, so nobody else even sees the findings of such a file."""
    from collab_data.records import targets as RT

    if not can_set_targets(editor):
        raise WriteRejected("only an administrator can change KPI targets")
    return RT.validate_file(data, filename, runtime.database(), today=today, editor=editor, max_bytes=max_bytes)


def import_targets(plan, editor: A.Editor | None) -> int:
    """Write a validated targets file as one batch, each change kept old -> new in the target
    history (admins only)."""
    from collab_data.records import targets as RT

    if not can_set_targets(editor):
        raise WriteRejected("only an administrator can change KPI targets")
    return RT.write(runtime.database(), plan, editor=editor)


def collaboration_form_values(collaboration_id: str) -> dict[str, str] | None:
    from collab_data.records import collaborations as C

    return C.form_values(runtime.database(), collaboration_id)


def validate_collaboration_edit(collaboration_id: str, values: dict[str, str], editor: A.Editor | None, *,
                                today: date):
    from collab_data.records import collaborations as C

    return C.validate_edit(runtime.database(), collaboration_id, values, today=today, editor=editor)


def save_collaboration_edit(plan, editor: A.Editor | None) -> int:
    from collab_data.records import collaborations as C

    if editor is None:
        raise WriteRejected("sign in to edit collaborations")
    return C.save_edit(runtime.database(), plan, editor=editor)
