"""The app's side of the database: open it once per process, build it on first start.

This is the only module that joins Streamlit and the database. Pages never call it for
SQL; they call :mod:`collab_data.queries`, which asks this module for the database.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import streamlit as st

from collab_data import warmup
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


def _compute(module: str, name: str, db_path: str, args: tuple, kwargs: tuple):
    """A read function called for real (a cache miss of :func:`_cached_call`)."""
    import importlib

    fn = getattr(importlib.import_module(module), name)
    return fn(get_database(db_path), *args, **dict(kwargs))


@st.cache_data(show_spinner=False, max_entries=2000)
def _cached_call(module: str, name: str, db_path: str, version: tuple, args: tuple, kwargs: tuple):
    return _compute(module, name, db_path, args, kwargs)


def cached(fn, *args, **kwargs):
    """Call a read function of :mod:`collab_data.queries` (or metrics) through the app cache.

    The cache key is the function, the database file, the database's write generation
    (which changes with every import, edit or undo, so nothing stale is ever shown; the app
    owns the file, so every write passes through this process) and the small hashable
    arguments.
    """
    db = database()
    kw = tuple(sorted(kwargs.items()))
    warmup.WARMER.note(("q", fn.__module__, fn.__name__, args, kw))
    return _cached_call(fn.__module__, fn.__name__, str(db.path), (id(db), db.generation), args, kw)


def clear_caches() -> None:
    st.cache_data.clear()


# -- finished chart specs ---------------------------------------------------------------
# st.altair_chart converts the chart on every rerun: Altair validates the whole spec
# against its JSON schema in ``to_dict`` and the data is serialised to Arrow again, even
# when nothing changed. A chart built by a pure function of small hashable arguments (a
# Filters value, strings, numbers, tuples) is converted once per (arguments, database
# generation) and the finished spec is cached; :func:`show_chart` sends it with
# st.vega_lite_chart, without Altair. No DataFrame and no chart object is ever hashed.


def chart_spec(chart) -> dict:
    """An Altair chart as the Vega-Lite dict Streamlit would send for it (validated once,
    its data already serialised to Arrow under content-hashed dataset names)."""
    try:  # Streamlit's own conversion: the spec is then exactly what st.altair_chart sends
        from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec
    except ImportError:  # pragma: no cover - a Streamlit without it: plain Altair, data inline
        return chart.to_dict()
    return _convert_altair_to_vega_lite_spec(chart)


@st.cache_data(show_spinner=False, max_entries=500)
def _cached_spec(module: str, name: str, db_path: str, version: tuple, args: tuple, kwargs: tuple,
                 _builder=None) -> dict:
    # keyed on the builder's module and name, the database and its generation, the arguments;
    # the builder itself (leading underscore) is not hashed
    return _compute_spec(_builder, db_path, args, kwargs)


def _compute_spec(builder, db_path: str, args: tuple, kwargs: tuple) -> dict:
    """A chart built and converted for real (a cache miss of :func:`_cached_spec`)."""
    return chart_spec(builder(get_database(db_path), *args, **dict(kwargs)))


def cached_spec(builder, *args, **kwargs) -> dict:
    """The finished spec of ``builder(db, *args, **kwargs)`` (an Altair chart), built, validated
    and serialised once per arguments and database write generation, like :func:`cached` for
    a query. ``builder`` is a module-level pure function (its module and name are the key)
    whose arguments are small hashable values: it reads its frames from
    :mod:`collab_data.queries` (or views) with ``db`` and shapes them with
    :mod:`collab_data.charts`. Render the result with :func:`show_chart`."""
    builder = getattr(builder, "__wrapped__", builder)
    db = database()
    kw = tuple(sorted(kwargs.items()))
    warmup.WARMER.note(("spec", builder.__module__, builder.__qualname__, args, kw))
    return _cached_spec(builder.__module__, builder.__qualname__, str(db.path), (id(db), db.generation), args, kw,
                        _builder=builder)


def cached_chart(builder):
    """Decorator form of :func:`cached_spec`: the decorated function takes the builder's
    arguments without ``db`` and returns the finished spec. The undecorated builder stays
    reachable as ``__wrapped__`` (tests validate it there). Use it where importing Streamlit
    is fine (this module imports it); in :mod:`collab_data.views` keep builders plain and
    call :func:`cached_spec` from the page."""
    import functools

    @functools.wraps(builder)
    def spec(*args, **kwargs) -> dict:
        return cached_spec(builder, *args, **kwargs)

    return spec


def show_chart(spec: dict, **kwargs):
    """Render a finished spec (from :func:`cached_chart` or :func:`chart_spec`) as
    st.altair_chart would render its chart; ``kwargs`` are st.vega_lite_chart's (width,
    height, key, on_select, selection_mode, ...)."""
    return st.vega_lite_chart(spec=spec, **kwargs)


# -- a warm cache at start and after every write (see collab_data.warmup) ------------------
WARM_THREAD = "collab-warm-up"


class _NotTheWarmUp(logging.Filter):
    """Streamlit notes a "missing ScriptRunContext" for any thread outside a session; the
    warm-up thread is one on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.threadName != WARM_THREAD


def _quiet_warm_up_thread() -> None:
    log = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    if not any(isinstance(f, _NotTheWarmUp) for f in log.filters):
        log.addFilter(_NotTheWarmUp())


def keep_warm(*, background: bool = True):
    """Called at the top of every run: when the database's write generation is new to this
    process, work out in a background thread the views people will ask for (the default view
    of every page at start, the most recent calls after a write). Returns the thread (or,
    with ``background=False``, what was done), or None when there is nothing to do."""
    if not warmup.enabled():
        return None
    db = database()
    path, version = str(db.path), (id(db), db.generation)
    calls = warmup.WARMER.generation_seen(
        path, version, lambda first: warmup.load_calls() if first else warmup.WARMER.recent())
    if not calls:
        return None

    def run_call(call) -> None:
        kind, module, name, args, kwargs = call
        if kind == "q":
            _cached_call(module, name, path, version, args, kwargs)
        else:
            _cached_spec(module, name, path, version, args, kwargs, _builder=warmup.resolve(module, name))

    def still_current() -> bool:
        return db.generation == version[1]

    if background:
        _quiet_warm_up_thread()

        def work() -> None:
            report = warmup.replay(calls, run_call, still_current)
            print(f"warm-up: {report['done']} of {len(calls)} views worked out in {report['seconds']:.1f} s"
                  + (f" ({report['failed']} failed)" if report["failed"] else ""), flush=True)

        # no session's script-run context on this thread: with one, a wait on a cache lock would
        # answer (and could swallow) that session's stop or rerun requests
        thread = threading.Thread(target=work, name=WARM_THREAD, daemon=True)
        thread.start()
        return thread
    return warmup.replay(calls, run_call, still_current)
