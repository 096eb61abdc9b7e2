"""Helpers for the browser tests: a real ``streamlit run`` server and Debian's Chromium."""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

from collab_data.loadtest import SETTLED, WATCH_CHANGES, chromium, serve

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic", "--enable-unsafe-swiftshader",
]
# Streamlit probes a few paths of its own on a deep link (e.g. /<page>/_stcore/health);
# those answer 404 and are expected.
KNOWN_CONSOLE_NOISE = re.compile(r"Failed to load resource: the server responded with a status of 404")
LOCAL_PREFIXES = ("http://127.0.0.1", "http://localhost", "ws://127.0.0.1", "ws://localhost", "data:", "blob:", "about:")


def chromium_path() -> str | None:
    try:
        return chromium()
    except RuntimeError:
        return None


@contextmanager
def streamlit_server(db_path: Path, *, env: dict | None = None, args: list[str] | None = None):
    """Start ``streamlit run app.py`` on a free port against ``db_path``; yield its base URL."""
    with serve(db_path, log_path=db_path.with_suffix(".server.log"), env=env, args=args) as (base, _proc):
        yield base


def wait_for_run(page, timeout: float = 60_000, quiet_ms: int = 300) -> None:
    """Wait until the app's script run has finished and the page has stopped changing.

    A click reaches the server a moment after the page changes under it, and charts are drawn after the
    run: waiting until nothing on the page has changed for ``quiet_ms`` covers both (a condition on the
    page, not a fixed pause). On a fresh load the state reads "notRunning" before the first run has
    started, hence the title."""
    page.evaluate(WATCH_CHANGES)
    page.wait_for_function(SETTLED, arg=quiet_ms, timeout=timeout, polling=100)


def pick(page, box, option: str, done: str, *, tries: int = 3, timeout: float = 10_000) -> None:
    """Open the select ``box`` (a locator), type ``option`` and press Enter, and wait until ``done`` (a
    JavaScript condition, e.g. on the address) holds. A rerun that redraws the select while it is open
    can close it and lose the pick: then the page is let settle and the pick is made again."""
    for attempt in range(tries):
        wait_for_run(page)
        box.click()
        page.get_by_role("option", name=option, exact=True).wait_for()
        box.press_sequentially(option)  # typed and confirmed with Enter, as a keyboard user picks
        page.get_by_role("option", name=option, exact=True).wait_for()
        box.press("Enter")
        try:
            page.wait_for_function(done, timeout=timeout)
            return
        except Exception:  # noqa: BLE001 - the click was lost: try again, then fail with the last error
            if attempt == tries - 1:
                raise
            page.keyboard.press("Escape")
