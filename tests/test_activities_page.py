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
    feedback = " ".join(s.value for s in at.success)
    assert f"Batch {batch} undone: 4 activities removed from example.csv" in feedback, feedback
    assert "now reads 'Undone'" in feedback
    history = next(d.value for d in at.dataframe if "Status" in d.value.columns and "Batch" in d.value.columns)
    assert history.set_index("Batch").loc[batch, "Status"].startswith("Undone on "), history.to_string()
    assert history.set_index("Batch").loc[batch, "Activities now"] == 0
    assert any(o.startswith(f"#{batch} ") and "Undone on" in o for o in at.selectbox(key="batch_pick").options)
    assert not [b for b in at.button if b.label.startswith("↩️ Undo")], "an undone batch offers no undo"
    assert db.rows("SELECT count(*) FROM import_batches WHERE source LIKE 'column mapping%'") == [(1,)]
    assert all("column mapping" not in str(x) for x in history["File"]), "remembered matchings are not listed"
    matchings = next(d.value for d in at.dataframe if "Matching" in d.value.columns)
    assert len(matchings) == 1 and matchings.loc[0, "For"] == "Administrators"
    assert "Title ← 'title'" in matchings.loc[0, "Matching"]
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


def test_running_log_unmatched_column_and_readable_preview(db_copy, hashes):
    """A running log uploaded again: rows already imported are reported once and skipped, not
    as errors; an unmatched column is a visible warning; the preview reads names, not codes;
    the remembered matching is saved once, not at every import."""
    auth.THROTTLE.succeeded("secretariat")
    db = get_database(db_copy)
    at = make_app(hashes)
    sign_in(at, "Secretariat", ADMIN_CODE)
    upload(at, "log.csv", A.template_csv(example=True))
    next(b for b in at.button if b.label.startswith("✅ Import")).click()
    at.run()
    assert not at.exception, at.exception

    grown = A.template_csv(example=True).decode().replace("title,type,", "title,type,", 1).splitlines()
    grown[0] += ",Budget (USD)"
    grown = [grown[0]] + [line + ",1000" for line in grown[1:]]
    grown.append("Peer review of a time-use module,peer review,2026-10-12,,UN Women; PARIS21,CIV; SEN,gender,,,2500")
    at = make_app(hashes)
    sign_in(at, "Secretariat", ADMIN_CODE)
    upload(at, "log-q4.csv", ("\n".join(grown) + "\n").encode())
    labels = {m.label: m.value for m in at.metric}
    assert labels["Rows read"] == "5" and labels["Rows to import"] == "1", labels
    assert labels["❌ Rows not imported"] == "0", "rows already imported are not errors"
    info = " ".join(i.value for i in at.info)
    assert "4 rows already imported, skipped" in info and "2, 3, 4, 5" in info
    warnings = " ".join(w.value for w in at.warning)
    assert "'Budget (USD)' is not matched" in warnings and "'1000'" in warnings
    findings = next(d.value for d in at.dataframe if "message" in d.value.columns)
    assert not findings["tier"].str.contains("error").any(), findings.to_string()
    assert (findings["message"].str.contains("already imported, skipped")).sum() == 1
    preview = next(d.value for d in at.dataframe if "Row in your file" in d.value.columns and "Tool" in d.value.columns)
    assert preview.loc[0, "Partners"] == "UN Women; PARIS21"
    assert preview.loc[0, "Countries"] in ("Côte d'Ivoire; Senegal", "Cote d'Ivoire; Senegal") or \
        "Senegal" in preview.loc[0, "Countries"]
    assert "CIV" not in preview.loc[0, "Countries"]
    assert preview.loc[0, "Type"] == "Peer review" and preview.loc[0, "Start"] == "12 Oct 2026"
    assert preview.loc[0, "Collaborative"] == "Gender" and preview.loc[0, "Tool"] == "—"
    cells = {str(v) for v in preview.to_numpy().ravel()}
    assert not cells & {"None", "nan", "NaT", "unwomen", "paris21", "peer_review", "gender"}, cells
    next(b for b in at.button if b.label.startswith("✅ Import")).click()
    at.run()
    assert not at.exception, at.exception
    assert "Imported 1 activities" in " ".join(s.value for s in at.success)
    assert db.rows("SELECT count(*) FROM import_batches WHERE source LIKE 'column mapping%'") == [(1,)], \
        "the same matching is not saved again"
    assert db.rows("SELECT rows_read, rows_imported, rows_skipped FROM import_batches WHERE kind = 'upload' "
                   "ORDER BY batch_id DESC LIMIT 1") == [(5, 1, 4)]
