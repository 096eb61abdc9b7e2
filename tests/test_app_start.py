"""The app builds its database on first start and then opens it."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from collab_data.db import DB_ENV, close_all
from collab_data.db import PROJECT_ROOT as ROOT


def test_first_start_builds_the_database(tmp_path, monkeypatch):
    target = tmp_path / "fresh" / "collab.duckdb"
    monkeypatch.setenv(DB_ENV, str(target))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    assert target.exists()
    # a second run opens the same file without building again
    mtime = target.stat().st_mtime_ns
    at.run()
    assert not at.exception
    assert target.stat().st_mtime_ns == mtime
    close_all()
