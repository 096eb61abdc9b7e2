"""Keeping the app's cache warm: the views people open are worked out before they ask.

Every read of a page goes through :func:`collab_data.runtime.cached` (a query or view) or
:func:`collab_data.runtime.cached_spec` (a finished chart), keyed on the database's write
generation. Two moments leave that cache cold for everyone: the server's start, and every
write (an import, an edit, an undo), after which each page recomputes its views on the next
visit. At 100 times the sample, that is 2 to 4 s of SQL and Python on a page's first load.

So, in a background thread of the server:

* at start, the default view of every page (no filters; the call list in
  ``warm_calls.json``, recorded from the pages themselves with ``python -m collab_data warm
  --record`` and checked against them by a test) is worked out once;
* after a write, the calls people made most recently under the previous generation (at most
  :data:`RECENT`) are made again for the new one, most recent first.

A call made by a page and by the thread at once is computed once (Streamlit's cache holds a
lock per key). The thread stops when the data changes again, gives up a call that fails
(the page will show the error itself) and never writes. ``COLLAB_WARM=0`` turns it off.

Arguments are stored as JSON with their types (a :class:`~collab_data.filters.Filters`, a
date, a tuple); the app's today is stored as "today", so a list recorded one day warms the
views of the day it is replayed.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import json
import logging
import os
import threading
import time
from collections import OrderedDict
from datetime import date
from pathlib import Path

from collab_data import clock

ENV = "COLLAB_WARM"
#: The default view of every page: the calls its first run makes (recorded, see the module doc).
CALLS_FILE = Path(__file__).with_name("warm_calls.json")
#: Calls remembered (most recent last) and made again after a write.
RECENT = 300
#: A warm-up stops after this long (the cache is a help, not a duty).
BUDGET_SECONDS = 180.0

log = logging.getLogger(__name__)

Call = tuple  # (kind "q" | "spec", module, name, args tuple, kwargs tuple of pairs)


# --------------------------------------------------------------------------------------
# Arguments as JSON, with their types
# --------------------------------------------------------------------------------------
def encode(value, today: date | None = None):
    """A call argument as JSON: the app's frozen values (Filters, a page's options), dates
    ("today" for the app's today), tuples, scalars."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        if not cls.__module__.startswith("collab_data.") or not cls.__dataclass_params__.frozen:
            raise TypeError(f"cannot keep an argument of type {cls.__name__} for the warm-up")
        return {"value": f"{cls.__module__}:{cls.__qualname__}",
                "fields": {f.name: encode(getattr(value, f.name), today) for f in dataclasses.fields(value)}}
    if isinstance(value, date):
        return {"today": True} if today is not None and value == today else {"date": value.isoformat()}
    if isinstance(value, tuple | list):
        return {"tuple": [encode(v, today) for v in value]}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"cannot keep an argument of type {type(value).__name__} for the warm-up")


def resolve(module: str, qualname: str):
    """The object named ``qualname`` (dotted: a class's method too) in ``module``."""
    return functools.reduce(getattr, qualname.split("."), importlib.import_module(module))


def decode(value, today: date):
    if isinstance(value, dict):
        if "value" in value:  # a frozen dataclass of the app (Filters, a page's options)
            module, _, qualname = value["value"].partition(":")
            if not module.startswith("collab_data."):
                raise ValueError(f"not a value of the app: {value['value']!r}")
            cls = resolve(module, qualname)
            return cls(**{k: decode(v, today) for k, v in value["fields"].items()})
        if "today" in value:
            return today
        if "date" in value:
            return date.fromisoformat(value["date"])
        if "tuple" in value:
            return tuple(decode(v, today) for v in value["tuple"])
        raise ValueError(f"unknown argument in the warm-up list: {value!r}")
    return value


def call_to_json(call: Call, today: date | None) -> dict:
    kind, module, name, args, kwargs = call
    return {"kind": kind, "module": module, "name": name, "args": [encode(a, today) for a in args],
            "kwargs": {k: encode(v, today) for k, v in kwargs}}


def call_from_json(item: dict, today: date) -> Call:
    return (item["kind"], item["module"], item["name"], tuple(decode(a, today) for a in item["args"]),
            tuple(sorted((k, decode(v, today)) for k, v in item["kwargs"].items())))


def load_calls(path: Path = CALLS_FILE, today: date | None = None) -> list[Call]:
    """The recorded default calls (none when the file is missing or unreadable: no warm-up)."""
    today = today or clock.today_or_real()[0]
    try:
        items = json.loads(path.read_text(encoding="utf-8"))["calls"]
        return [call_from_json(item, today) for item in items]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("no warm-up list (%s): %s", path.name, exc)
        return []


def save_calls(calls: list[Call], path: Path = CALLS_FILE, today: date | None = None) -> None:
    about = json.dumps("The calls each page's first run makes with no filters, worked out at server start "
                       "(collab_data/warmup.py). Recorded on the tests' day: COLLAB_TODAY=2026-11-22 python -m collab_data "
                       "warm --record")
    lines = [json.dumps(call_to_json(c, today), ensure_ascii=False) for c in calls]  # one call a line
    path.write_text('{"about": ' + about + ',\n "calls": [\n  ' + ",\n  ".join(lines) + "\n ]\n}\n",
                    encoding="utf-8")


# --------------------------------------------------------------------------------------
# What people asked for, and the thread that asks again
# --------------------------------------------------------------------------------------
class Warmer:
    """Remembers recent calls; warms a database generation in one background thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._recent: OrderedDict[Call, None] = OrderedDict()
        self._seen: dict[str, tuple] = {}  # database path -> the generation last warmed or started

    def note(self, call: Call) -> None:
        with self._lock:
            self._recent.pop(call, None)
            self._recent[call] = None
            while len(self._recent) > RECENT:
                self._recent.popitem(last=False)

    def recent(self) -> list[Call]:
        """Most recent first."""
        with self._lock:
            return list(reversed(self._recent))

    def generation_seen(self, db_path: str, version: tuple, make) -> list[Call] | None:
        """The calls to warm when ``version`` of ``db_path`` is new to this process (None: seen).
        ``make(first)`` gives them: the default calls at start, the recent ones after a write."""
        with self._lock:
            before = self._seen.get(db_path)
            if before == version:
                return None
            self._seen[db_path] = version
        return make(before is None)


WARMER = Warmer()


def enabled() -> bool:
    return os.environ.get(ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def replay(calls: list[Call], run_call, still_current, *, budget: float = BUDGET_SECONDS) -> dict:
    """Make ``calls`` in order with ``run_call(call)`` while ``still_current()`` and within
    ``budget`` seconds; return what was done (a call that fails is counted and skipped)."""
    done = failed = 0
    t0 = time.monotonic()
    for call in calls:
        if not still_current() or time.monotonic() - t0 > budget:
            break
        try:
            run_call(call)
            done += 1
        except Exception as exc:  # noqa: BLE001 - a page that calls it will show the error itself
            failed += 1
            log.info("warm-up skipped %s.%s: %s", call[1], call[2], exc)
        time.sleep(0)  # let a page's own run go first
    return {"done": done, "failed": failed, "seconds": time.monotonic() - t0}


# --------------------------------------------------------------------------------------
# Recording the default calls from the pages themselves
# --------------------------------------------------------------------------------------
def record(db_path: Path, pages: list[str], *, timeout: float = 300) -> list[Call]:
    """Run each page once with no filters (Streamlit's AppTest, this process, caches cleared
    first, no warm-up) and return the calls they made, in the order first made."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from collab_data.db import DB_ENV, PROJECT_ROOT, close_all

    saved = {k: os.environ.get(k) for k in (DB_ENV, ENV)}
    os.environ[DB_ENV], os.environ[ENV] = str(db_path), "0"
    order: dict[Call, None] = {}
    original = WARMER.note

    def note(call: Call) -> None:
        order.setdefault(call, None)
        original(call)

    WARMER.note = note
    try:
        st.cache_data.clear()
        close_all()
        for page in pages:
            at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=timeout)
            at.switch_page(page)
            at.run()
            if at.exception:
                raise RuntimeError(f"{page} raised: {at.exception[0].message}")
    finally:
        WARMER.note = original
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        close_all()
    return list(order)
