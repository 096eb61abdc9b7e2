"""Helpers for the browser tests: a real ``streamlit run`` server and Debian's Chromium."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

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
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(db_path: Path, *, env: dict | None = None, args: list[str] | None = None):
    """Start ``streamlit run app.py`` on a free port against ``db_path``; yield its base URL."""
    port = free_port()
    environ = dict(os.environ, COLLAB_DB=str(db_path), **(env or {}))
    db_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(db_path.with_suffix(".server.log"), "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
         *(args or [])],
        cwd=PROJECT_ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start: see {log.name}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


# Records when the page last changed (any element, attribute or text), installed once per document.
_WATCH_CHANGES = """() => {
  if (window.__collabLastChange === undefined) {
    window.__collabLastChange = performance.now();
    new MutationObserver(() => { window.__collabLastChange = performance.now(); })
      .observe(document.documentElement, {subtree: true, childList: true, attributes: true, characterData: true});
  }
}"""
# The run has finished, its page is drawn (every page has a title), nothing from the run before is left
# (Streamlit marks those elements data-stale until the run ends) and the page has stopped changing.
_SETTLED = """(quiet) => {
  const app = document.querySelector('[data-testid=stApp]');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
    && !!document.querySelector('[data-testid=stMain] h1')
    && !document.querySelector('[data-stale=true]')
    && performance.now() - window.__collabLastChange > quiet;
}"""


def wait_for_run(page, timeout: float = 60_000, quiet_ms: int = 300) -> None:
    """Wait until the app's script run has finished and the page has stopped changing.

    A click reaches the server a moment after the page changes under it, and charts are drawn after the
    run: waiting until nothing on the page has changed for ``quiet_ms`` covers both (a condition on the
    page, not a fixed pause). On a fresh load the state reads "notRunning" before the first run has
    started, hence the title."""
    page.evaluate(_WATCH_CHANGES)
    page.wait_for_function(_SETTLED, arg=quiet_ms, timeout=timeout, polling=100)
