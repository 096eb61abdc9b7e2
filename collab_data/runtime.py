"""The app's side of the database: open it once per process, build it on first start.

This is the only module that joins Streamlit and the database. Pages never call it for
SQL; they call :mod:`collab_data.queries`, which asks this module for the database.
"""

from __future__ import annotations

import threading
from pathlib import Path

import streamlit as st

from collab_data.build import build
from collab_data.db import Database, default_path, get_database

_build_lock = threading.Lock()


def database_path() -> Path:
    """``$COLLAB_DB`` (tests point it at a temporary file), else ``data/collab.duckdb``."""
    return default_path()


def ensure_built() -> Path:
    """Build the database if the file is missing, showing progress while it builds."""
    path = database_path()
    if path.exists():
        return path
    with _build_lock:  # two first visitors at once: one builds, the other waits
        if path.exists():
            return path
        with st.status("Preparing the database from the bundled data (first start only)…", expanded=True) as status:
            bar = st.progress(0.0, text="starting")

            def progress(step: str, fraction: float) -> None:
                bar.progress(min(max(fraction, 0.0), 1.0), text=step)

            report = build(path, progress=progress)
            status.update(label=f"Database ready ({report.seconds:.1f} s)", state="complete", expanded=False)
    return path


def database() -> Database:
    """The process-wide database, built first if needed. A file that cannot be opened as it
    is (a write-ahead log that is not its own) stops the page with what to do, never a
    traceback, and nothing is changed."""
    from collab_data.db import DatabaseUnreadable

    try:
        return get_database(ensure_built())
    except DatabaseUnreadable as exc:
        st.error(str(exc), icon="🛑")
        st.stop()


@st.cache_data(show_spinner=False, max_entries=2000)
def _cached_call(module: str, name: str, db_path: str, version: tuple, args: tuple, kwargs: tuple):
    import importlib

    fn = getattr(importlib.import_module(module), name)
    return fn(get_database(db_path), *args, **dict(kwargs))


def cached(fn, *args, **kwargs):
    """Call a read function of :mod:`collab_data.queries` (or metrics) through the app cache.

    The cache key is the function, the database file, the database's write generation
    (which changes with every import, edit or undo, so nothing stale is ever shown; the app
    owns the file, so every write passes through this process) and the small hashable
    arguments.
    """
    db = database()
    return _cached_call(fn.__module__, fn.__name__, str(db.path), (id(db), db.generation), args,
                        tuple(sorted(kwargs.items())))


def clear_caches() -> None:
    st.cache_data.clear()
