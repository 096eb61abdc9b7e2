"""Access: explicit admin rights, the sign-in throttle (per session and per name, atomic),
the same cost for known and unknown names, and undo rights of every partner a batch names."""

from __future__ import annotations

import json
import logging
import threading

import pytest
from editors import ADMIN_CODE, PARIS_CODE, make_editor_app, sign_in

from collab_data import auth
from collab_data.ingest.activities import Editor

PARIS = Editor("PARIS21 data lead", "paris21")
DATA2X = Editor("Data2X data lead", "data2x")
ADMIN = Editor("Secretariat", None)


@pytest.fixture(scope="module")
def configs(hashes):
    return auth.editors_from_secrets({"editors": [
        {"name": "Secretariat", "partner": "admin", "passcode_hash": hashes["admin"]},
        {"name": "PARIS21 data lead", "partner": "paris21", "passcode_hash": hashes["paris21"]},
    ]})


# --------------------------------------------------------------------------------------
# Admin is explicit
# --------------------------------------------------------------------------------------
def test_admin_only_when_said(hashes):
    cfgs = {c.name: c for c in auth.editors_from_secrets({"editors": [
        {"name": "A", "partner": "admin", "passcode_hash": hashes["admin"]},
        {"name": "B", "role": "admin", "passcode_hash": hashes["admin"]},
        {"name": "C", "partner": "paris21", "passcode_hash": hashes["paris21"]},
        {"name": "D", "passcode_hash": hashes["admin"]},
        {"name": "E", "role": "admin", "partner": "paris21", "passcode_hash": hashes["admin"]},
        {"name": "F", "role": "editor", "passcode_hash": hashes["admin"]},
    ]})}
    assert cfgs["A"].editor().is_admin and not cfgs["A"].problem
    assert cfgs["B"].editor().is_admin and not cfgs["B"].problem
    assert cfgs["C"].editor().partner_id == "paris21" and not cfgs["C"].problem
    for name in "DEF":
        assert cfgs[name].problem, name
        assert cfgs[name].partner != auth.ADMIN


def test_entry_without_partner_is_refused_with_a_configuration_error(hashes, caplog):
    cfgs = auth.editors_from_secrets({"editors": [{"name": "Forgetful", "passcode_hash": hashes["admin"]}]})
    with caplog.at_level(logging.ERROR, logger="collab_data.auth"):
        editor, message = auth.sign_in("Forgetful", ADMIN_CODE, cfgs, throttle=auth.Throttle(), now=0.0,
                                       session="s")
    assert editor is None
    assert "not configured correctly" in message and 'role = "admin"' in message
    assert any("Forgetful" in r.getMessage() and "misconfigured" in r.getMessage() for r in caplog.records)


def test_configuration_error_shown_on_the_page(db_copy, hashes):
    at = make_editor_app(hashes, "pages/activities.py")
    at.secrets["editors"] = [*at.secrets["editors"], {"name": "No role", "passcode_hash": hashes["admin"]}]
    at.run()
    sign_in(at, "No role", ADMIN_CODE)
    errors = " ".join(e.value for e in at.error)
    assert "not configured correctly" in errors
    assert not [b for b in at.button if b.label == "Sign out"], "never signed in"


# --------------------------------------------------------------------------------------
# The throttle
# --------------------------------------------------------------------------------------
def test_session_wait_doubles_for_the_guessing_session_only(configs):
    th = auth.Throttle()
    t = 1000.0
    msgs = []
    for _ in range(3):
        editor, msg = auth.sign_in("Secretariat", "wrong", configs, throttle=th, now=t, session="attacker")
        assert editor is None
        msgs.append(msg)
    assert "Wait 2 s" in msgs[-1]
    # the attacker's session waits (and longer after each further failure) ...
    assert "Too many" in auth.sign_in("Secretariat", "wrong", configs, throttle=th, now=t + 1, session="attacker")[1]
    t += 2.5
    auth.sign_in("Secretariat", "wrong", configs, throttle=th, now=t, session="attacker")
    assert th.wait_left("secretariat", t, session="attacker") == pytest.approx(4.0)
    t += 4.5
    auth.sign_in("Secretariat", "wrong", configs, throttle=th, now=t, session="attacker")
    assert th.wait_left("secretariat", t, session="attacker") == pytest.approx(8.0)
    # ... while the real editor in another session waits a few seconds at most
    assert th.wait_left("secretariat", t, session="editor") <= auth.Throttle.NAME_MAX_WAIT
    t += auth.Throttle.NAME_MAX_WAIT + 0.01
    editor, msg = auth.sign_in("Secretariat", ADMIN_CODE, configs, throttle=th, now=t, session="editor")
    assert editor is not None and editor.is_admin, msg


def test_session_wait_is_capped_and_name_wait_short():
    th = auth.Throttle()
    for i in range(40):
        th.failed("x", float(i), session="s")
    assert th.wait_left("x", 40.0, session="s") <= auth.Throttle.MAX_WAIT
    assert th.wait_left("x", 40.0, session="other") <= auth.Throttle.NAME_MAX_WAIT <= 5


def test_right_passcode_clears_the_counts(configs):
    th = auth.Throttle()
    auth.sign_in("PARIS21 data lead", "wrong", configs, throttle=th, now=0.0, session="s")
    auth.sign_in("PARIS21 data lead", "wrong", configs, throttle=th, now=0.0, session="s")
    editor, _ = auth.sign_in("PARIS21 data lead", PARIS_CODE, configs, throttle=th, now=0.0, session="s")
    assert editor is not None and editor.partner_id == "paris21"
    assert th.wait_left("paris21 data lead", 0.0, session="s") == 0


def test_simultaneous_wrong_passcodes_get_at_most_the_allowed_hash_checks(configs, monkeypatch):
    calls = []
    real = auth.verify_passcode
    lock = threading.Lock()

    def counting(code, stored):
        with lock:
            calls.append(code)
        return real(code, stored)

    monkeypatch.setattr(auth, "verify_passcode", counting)
    th = auth.Throttle()
    start = threading.Barrier(20)
    results = []

    def attempt(i):
        start.wait()
        results.append(auth.sign_in("Secretariat", f"wrong {i}", configs, throttle=th, now=50.0,
                                    session=f"session {i}"))

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 20 and all(e is None for e, _ in results)
    assert len(calls) <= auth.Throttle.NAME_FREE_TRIES, len(calls)
    assert sum("Too many" in m for _, m in results) >= 20 - auth.Throttle.NAME_FREE_TRIES


# --------------------------------------------------------------------------------------
# Known and unknown names cost the same
# --------------------------------------------------------------------------------------
def test_unknown_name_checks_one_hash_of_the_same_cost(configs, monkeypatch):
    seen = []
    real = auth.verify_passcode

    def counting(code, stored):
        seen.append(stored.split("$")[:4])
        return real(code, stored)

    monkeypatch.setattr(auth, "verify_passcode", counting)
    assert auth.sign_in("Nobody at all", "guess", configs, throttle=auth.Throttle(), now=0.0, session="a")[0] is None
    assert auth.sign_in("Secretariat", "guess", configs, throttle=auth.Throttle(), now=0.0, session="b")[0] is None
    assert len(seen) == 2, "one hash check for the unknown name, one for the known one"
    assert seen[0] == seen[1], "the dummy hash has the cost parameters of the real ones"
    # and the two refusals read the same
    a = auth.sign_in("Nobody at all", "guess", configs, throttle=auth.Throttle(), now=0.0, session="c")[1]
    b = auth.sign_in("Secretariat", "guess", configs, throttle=auth.Throttle(), now=0.0, session="d")[1]
    assert a == b


def test_dummy_hash_matches_nothing(configs):
    assert not auth.verify_passcode("", auth._dummy_hash(configs))
    assert not auth.verify_passcode(ADMIN_CODE, auth._dummy_hash([]))


# --------------------------------------------------------------------------------------
# Undo rights of every partner a batch names
# --------------------------------------------------------------------------------------
def upload_note(partner, partners):
    return json.dumps({"partner": partner, "partners": partners, "mapping": {}})


def test_named_partners_may_undo_a_partner_upload():
    note = upload_note("paris21", ["data2x", "odw", "paris21", "unwomen", "wb"])
    assert auth.can_undo(PARIS, "upload", note)
    assert auth.can_undo(DATA2X, "upload", note), "a partner named in the upload can take it back"
    assert auth.can_undo(Editor("ODW", "odw"), "upload", note)
    assert not auth.can_undo(Editor("EM2030", "em2030"), "upload", note), "a partner not named cannot"
    assert auth.can_undo(ADMIN, "upload", note)
    assert auth.batch_partners(note) == {"data2x", "odw", "paris21", "unwomen", "wb"}


def test_admin_upload_and_old_notes_stay_as_they_were():
    admin_note = upload_note(None, ["paris21", "data2x"])
    assert auth.can_undo(ADMIN, "upload", admin_note)
    assert not auth.can_undo(PARIS, "upload", admin_note), "an administrator's upload is undone by administrators"
    old = json.dumps({"partner": "paris21", "mapping": {}})
    assert auth.can_undo(PARIS, "upload", old) and not auth.can_undo(DATA2X, "upload", old)
    assert not auth.can_undo(PARIS, "upload", "not json") and not auth.can_undo(PARIS, "upload", "[1, 2]")
    assert not auth.can_undo(None, "upload", old)


def test_importer_records_every_partner_named(writable_db):
    from collab_data.ingest import activities as A

    csv = (b"title,type,start_date,partners,countries,collaborative\n"
           b"Joint review,peer review,2026-10-01,PARIS21; Data2X,Kenya,gender\n"
           b"Training,training,2026-10-02,PARIS21,Kenya,gender\n")
    plan = A.validate(csv, "joint.csv", writable_db, editor=PARIS)
    assert plan.records, plan.findings_frame()
    batch = A.import_activities(writable_db, plan, editor=PARIS)
    note = writable_db.scalar("SELECT note FROM import_batches WHERE batch_id = ?", [batch])
    assert auth.batch_partners(note) == {"paris21", "data2x"}
    assert auth.can_undo(DATA2X, "upload", note)


def test_named_partner_undoes_another_partners_upload_on_the_page(db_copy, hashes):
    from collab_data.db import get_database
    from collab_data.ingest import activities as A

    auth.THROTTLE.succeeded("paris21 data lead")
    db = get_database(db_copy)
    csv = (b"title,type,start_date,partners,countries,collaborative\n"
           b"Peer review of the time-use guide,peer review,2026-10-05,Data2X; PARIS21,Kenya,gender\n")
    plan = A.validate(csv, "by-data2x.csv", db, editor=DATA2X)
    assert plan.records, plan.findings_frame()
    batch = A.import_activities(db, plan, editor=DATA2X)
    n = db.scalar("SELECT count(*) FROM activities")

    at = make_editor_app(hashes, "pages/activities.py")
    sign_in(at, "PARIS21 data lead", PARIS_CODE)
    at.selectbox(key="batch_pick").set_value(batch)
    at.run()
    undo = [b for b in at.button if b.label.startswith("↩️ Undo")]
    assert undo, "PARIS21 is named in Data2X's upload, so it may take it back"
    at.checkbox(key=f"undo_sure_{batch}").check().run()
    next(b for b in at.button if b.label.startswith("↩️ Undo")).click()
    at.run()
    assert not at.exception, at.exception
    assert db.scalar("SELECT count(*) FROM activities") == n - 1
