"""Page tests with editors: an AppTest of the whole app with editors in its secrets."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from collab_data import auth
from collab_data.db import DB_ENV, PROJECT_ROOT

ADMIN_CODE = "secretariat passcode"
PARIS_CODE = "paris21 passcode!"


def editor_hashes() -> dict[str, str]:
    return {"admin": auth.hash_passcode(ADMIN_CODE), "paris21": auth.hash_passcode(PARIS_CODE)}


def make_editor_app(hashes: dict[str, str], page: str, db_path=None, monkeypatch=None, **query) -> AppTest:
    """The app on ``page`` with a Secretariat (admin) and a PARIS21 editor configured."""
    import streamlit as st

    st.cache_data.clear()
    if db_path is not None and monkeypatch is not None:
        monkeypatch.setenv(DB_ENV, str(db_path))
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=90)
    at.secrets["editors"] = [
        {"name": "Secretariat", "partner": "admin", "passcode_hash": hashes["admin"]},
        {"name": "PARIS21 data lead", "partner": "paris21", "passcode_hash": hashes["paris21"]},
    ]
    for k, v in query.items():
        at.query_params[k] = v
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def sign_in(at: AppTest, name: str, code: str) -> AppTest:
    at.text_input(key="signin_name").set_value(name)
    at.text_input(key="signin_code").set_value(code)
    next(b for b in at.button if b.label == "Sign in").click()
    at.run()
    assert not at.exception, at.exception
    return at
