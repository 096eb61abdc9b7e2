"""Shared fixtures: real databases built once per test session from the bundled data.

Time is an input: every test runs with ``COLLAB_TODAY`` set to :data:`TODAY` (the date the
sample is built around), so no test depends on the day it runs; tests about time set other
dates themselves (see test_time.py).
"""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from collab_data.build import build
from collab_data.db import DATA_DIR, Database, close_all

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: The app's today in every test (also in the browser tests' server, which inherits it).
TODAY = date(2026, 11, 22)
os.environ["COLLAB_TODAY"] = TODAY.isoformat()
#: No background warm-up of the cache in tests (it would compete with every test for the CPU):
#: tests/test_warmup.py turns it on where it is the subject.
os.environ["COLLAB_WARM"] = "0"


def open_tab(at, key: str, label: str):
    """Open the tab ``label`` of the page's tab set ``key`` (only the open tab is worked out and
    drawn) and check the run raised nothing."""
    at.session_state[key] = label
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="session")
def sample_db_path(tmp_path_factory) -> Path:
    """A database built from data/ with the sample records (do not write to it)."""
    path = tmp_path_factory.mktemp("db") / "sample.duckdb"
    build(path, sample=True)
    return path


@pytest.fixture(scope="session")
def empty_db_path(tmp_path_factory) -> Path:
    """A ``--no-sample`` database: real reference and LNOB data only (do not write to it)."""
    path = tmp_path_factory.mktemp("db") / "nosample.duckdb"
    build(path, sample=False)
    return path


@pytest.fixture()
def writable_db(sample_db_path, tmp_path) -> Database:
    """A private copy of the sample database that a test may change."""
    path = tmp_path / "copy.duckdb"
    shutil.copy(sample_db_path, path)
    db = Database(path)
    yield db
    db.close()


@pytest.fixture()
def db_copy(sample_db_path, tmp_path, monkeypatch) -> Path:
    """A private copy of the sample database that the app (``$COLLAB_DB``) will open."""
    from collab_data.db import DB_ENV

    path = tmp_path / "app.duckdb"
    shutil.copy(sample_db_path, path)
    monkeypatch.setenv(DB_ENV, str(path))
    yield path
    close_all()


@pytest.fixture(scope="module")
def hashes() -> dict[str, str]:
    """Passcode hashes of the test editors (see tests/editors.py)."""
    from editors import editor_hashes

    return editor_hashes()


@pytest.fixture()
def data_copy(tmp_path) -> Path:
    """A private copy of data/ (without any built database) that a test may damage."""
    dst = tmp_path / "data"
    shutil.copytree(DATA_DIR, dst, ignore=shutil.ignore_patterns("*.duckdb", "*.wal", "*.building"))
    return dst


@pytest.fixture(autouse=True, scope="session")
def _close_databases():
    yield
    close_all()


# --------------------------------------------------------------------------------------
# Page tests (AppTest)
# --------------------------------------------------------------------------------------
@pytest.fixture()
def app_test(monkeypatch):
    """Make an AppTest of the whole app (router + filter bar) on a page, on a given database.

    Usage: ``at = app_test(sample_db_path, "pages/overview.py", country=["Kenya"], collab="Gender")``
    Query parameters hold the labels the filter widgets show (that is what the URL holds).
    The returned AppTest has already run; check ``at.exception`` first. ``keep_cache=True``
    keeps what the app's cache holds (the warm-up tests).
    """
    from streamlit.testing.v1 import AppTest

    from collab_data.db import DB_ENV

    def make(db_path, page: str | None = None, *, timeout: float = 60, keep_cache: bool = False, **query):
        import streamlit as st

        if not keep_cache:
            st.cache_data.clear()
        monkeypatch.setenv(DB_ENV, str(db_path))
        at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=timeout)
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        if page:
            at.switch_page(page)
            at.run()
        return at

    yield make
    import streamlit as st

    st.cache_data.clear()


# --------------------------------------------------------------------------------------
# Browser tests: Debian's Chromium and a real server on the sample database
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    from browser import CHROMIUM_ARGS, chromium_path

    exe = chromium_path()
    if exe is None:
        pytest.fail("Chromium is not installed: run the README test command (it installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(sample_db_path, tmp_path_factory):
    """``streamlit run app.py`` on a private copy of the sample database; yields the base URL."""
    from browser import streamlit_server

    db = tmp_path_factory.mktemp("server") / "collab.duckdb"
    shutil.copy(sample_db_path, db)
    with streamlit_server(db) as base:
        yield base
