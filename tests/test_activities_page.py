"""The Activities page: visitors read, editors upload, preview, import and undo."""

from __future__ import annotations

from editors import ADMIN_CODE, PARIS_CODE, make_editor_app, sign_in
from streamlit.testing.v1 import AppTest

from collab_data import auth
from collab_data.db import get_database
from collab_data.ingest import activities as A


def make_app(hashes, page="pages/activities.py", **query) -> AppTest:
    return make_editor_app(hashes, page, **query)


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.get("file_uploader")[0].set_value((name, data, "text/csv"))
    at.run()
    assert not at.exception, at.exception
    return at


def kpi(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label))


def test_visitor_reads_but_sees_no_upload_control(db_copy, hashes):
    at = make_app(hashes)
    assert len(at.get("file_uploader")) == 0
    texts = " ".join(i.value for i in at.info)
    assert "needs an editor" in texts
    assert at.dataframe, "the activity log is shown to everyone"
    assert not [b for b in at.button if b.label.startswith("↩️ Undo")]


def test_wrong_passcodes_are_refused_and_slowed(db_copy, hashes):
    auth.THROTTLE.succeeded("secretariat")
    at = make_app(hashes)
    for _ in range(3):
        sign_in(at, "Secretariat", "wrong")
    errors = " ".join(e.value for e in at.error)
    assert "not recognised" in errors and "Wait" in errors
    sign_in(at, "Secretariat", ADMIN_CODE)  # still locked for a while, even with the right passcode
    assert "Too many wrong passcodes" in " ".join(e.value for e in at.error)
    auth.THROTTLE.succeeded("secretariat")


def test_editor_uploads_previews_imports_and_the_kpis_move_then_undo(db_copy, hashes):
    auth.THROTTLE.succeeded("secretariat")
    before_overview = make_app(hashes, page="pages/overview.py", period="2026-Q4")
    ks_before = kpi(before_overview, "Knowledge")

    at = make_app(hashes)
    sign_in(at, "Secretariat", ADMIN_CODE)
    assert len(at.get("file_uploader")) == 1
    upload(at, "example.csv", A.template_csv(example=True))
    labels = {m.label: m.value for m in at.metric}
    assert labels["Rows read"] == "4" and labels["Rows to import"] == "4"
    db = get_database(db_copy)
    n_before = db.scalar("SELECT count(*) FROM activities")
    # the preview wrote nothing
    assert db.scalar("SELECT count(*) FROM import_batches WHERE kind = 'upload'") == 0
    next(b for b in at.button if b.label.startswith("✅ Import")).click()
    at.run()
    assert not at.exception, at.exception
    assert "Imported 4 activities" in " ".join(s.value for s in at.success)
    assert db.scalar("SELECT count(*) FROM activities") == n_before + 4

    after_overview = make_app(hashes, page="pages/overview.py", period="2026-Q4")
    assert kpi(after_overview, "Knowledge") != ks_before, "the KPI moves at once after an import"

    batch = db.scalar("SELECT max(batch_id) FROM import_batches WHERE kind = 'upload'")
    at = make_app(hashes)
    sign_in(at, "Secretariat", ADMIN_CODE)
    at.selectbox(key="batch_pick").set_value(batch)
    at.run()
    assert next(b for b in at.button if b.label.startswith("↩️ Undo")).disabled, "not before the confirmation"
    at.checkbox(key=f"undo_sure_{batch}").check().run()
    next(b for b in at.button if b.label.startswith("↩️ Undo")).click()
    at.run()
    assert not at.exception, at.exception
    assert db.scalar("SELECT count(*) FROM activities") == n_before
    assert f"Batch {batch} undone: 4 activities removed" in " ".join(s.value for s in at.success)
    history = next(d.value for d in at.dataframe if "undone_at" in d.value.columns or "status" in d.value.columns)
    assert history.set_index("batch_id").loc[batch, "status"] == "undone"
    assert db.rows("SELECT count(*) FROM import_batches WHERE source LIKE 'column mapping%'") == [(1,)]
    assert all("column mapping" not in str(x) for x in history["file"]), "remembered matchings are not listed"
    undone = make_app(hashes, page="pages/overview.py", period="2026-Q4")
    assert kpi(undone, "Knowledge") == ks_before


def test_partner_editor_limits(db_copy, hashes):
    auth.THROTTLE.succeeded("paris21 data lead")
    db = get_database(db_copy)
    # an admin's upload that PARIS21 must not be able to undo
    plan = A.validate(A.template_csv(example=True), "by-admin.csv", db, editor=A.Editor("Secretariat", None))
    admin_batch = A.import_activities(db, plan, editor=A.Editor("Secretariat", None))

    at = make_app(hashes)
    sign_in(at, "PARIS21 data lead", PARIS_CODE)
    other = A.template_csv(example=True).decode().replace("2026-", "2025-").encode()
    upload(at, "mixed.csv", other)
    frame = at.dataframe[0].value if at.dataframe else None
    findings = [df.value for df in at.dataframe if "message" in df.value.columns]
    assert findings, frame
    msgs = findings[0]["message"].tolist()
    assert sum("only activities in which PARIS21" in m for m in msgs) == 3
    labels = {m.label: m.value for m in at.metric}
    assert labels["Rows to import"] == "1"

    at.selectbox(key="batch_pick").set_value(admin_batch)
    at.run()
    assert not [b for b in at.button if b.label.startswith("↩️ Undo")], "no undo of another partner's batch"
    assert "only your own partner's uploads" in " ".join(c.value for c in at.caption)


def test_cancel_writes_nothing(db_copy, hashes):
    auth.THROTTLE.succeeded("secretariat")
    db = get_database(db_copy)
    before = db.table_checksums()
    at = make_app(hashes)
    sign_in(at, "Secretariat", ADMIN_CODE)
    upload(at, "example.csv", A.template_csv(example=True))
    next(b for b in at.button if b.label.startswith("✖ Cancel")).click()
    at.run()
    assert not at.exception
    assert db.table_checksums() == before
