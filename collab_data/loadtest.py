"""A bounded load test on this machine only: ``N`` browser sessions go through the pages of a
real ``streamlit run`` server while an editor, in one more session, signs in and imports a
file of activities. Reports the page times (p50, p95, max) before, during and after the
import, every error a session met, and the server's peak memory. A measurement, not a test:
it prints, it never asserts a time (``python -m collab_data bench load``).

Needs Playwright and Chromium (requirements-dev.txt; ``apt-get install chromium``); every
address is 127.0.0.1, nothing is downloaded.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from collab_data.db import DB_ENV, PROJECT_ROOT

PAGES = ["", "kpis", "partners", "overlap", "network", "activities", "countries", "brief?country=Kenya", "gaps"]
EDITOR, CODE = "Load-test secretariat", "load test passcode"


@dataclass
class LoadReport:
    sessions: int
    rounds: int
    times: list[tuple[str, str, float]] = field(default_factory=list)   # (phase, page, seconds)
    errors: list[str] = field(default_factory=list)
    import_seconds: float | None = None
    imported: int = 0
    peak_rss_mb: float = 0.0
    start_rss_mb: float = 0.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chromium() -> str:
    """Debian's Chromium (``apt-get install chromium``): nothing is downloaded."""
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    raise RuntimeError("Chromium is not installed (apt-get install chromium)")


@contextmanager
def serve(db_path: Path, *, log_path: Path, env: dict | None = None, args: list[str] | None = None,
          start_timeout: float = 60):
    """``streamlit run app.py`` on a free port of 127.0.0.1 against ``db_path``; yields (base URL,
    the server process). The server's output goes to ``log_path``; it is stopped on exit."""
    port = _free_port()
    environ = dict(os.environ, **{DB_ENV: str(db_path)}, **(env or {}))
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
         *(args or [])],
        cwd=PROJECT_ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start: see {log_path.name}")
            time.sleep(0.3)
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


#: Records when the page last changed, once per document, as ``performance.now()`` (milliseconds
#: since the document's navigation began): any element, attribute or text, and any drawing on a
#: canvas (the map and the tables draw without touching the document), counted until the frame
#: after the drawing call, so a drawing still under way keeps the page from looking settled.
WATCH_CHANGES = """() => {
  if (window.__collabLastChange === undefined) {
    window.__collabLastChange = performance.now();
    const mark = () => { window.__collabLastChange = performance.now(); };
    let pending = false;
    const drawn = () => {
      mark();
      if (!pending) { pending = true; requestAnimationFrame(() => { pending = false; mark(); }); }
    };
    new MutationObserver(mark)
      .observe(document.documentElement, {subtree: true, childList: true, attributes: true, characterData: true});
    const wrap = (proto, names) => {
      for (const name of names) {
        const f = proto && proto[name];
        if (typeof f !== 'function') continue;
        proto[name] = function (...args) { drawn(); return f.apply(this, args); };
      }
    };
    wrap(window.WebGL2RenderingContext && WebGL2RenderingContext.prototype,
         ['drawArrays', 'drawElements', 'drawArraysInstanced', 'drawElementsInstanced', 'clear']);
    wrap(window.WebGLRenderingContext && WebGLRenderingContext.prototype, ['drawArrays', 'drawElements', 'clear']);
    wrap(window.CanvasRenderingContext2D && CanvasRenderingContext2D.prototype,
         ['fillRect', 'fillText', 'fill', 'stroke', 'drawImage', 'clearRect']);
  }
}"""
#: The run has finished, its page is drawn (every page has a title), nothing of the run before is
#: left (Streamlit marks those elements data-stale until the run ends) and the page has not changed
#: for ``quiet`` ms (charts and maps draw after the run).
SETTLED = """(quiet) => {
  const app = document.querySelector('[data-testid=stApp]');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
    && !!document.querySelector('[data-testid=stMain] h1')
    && !document.querySelector('[data-stale=true]')
    && performance.now() - window.__collabLastChange > quiet;
}"""


async def _settle(page, quiet_ms: int = 300) -> None:
    await page.evaluate(WATCH_CHANGES)
    await page.wait_for_function(SETTLED, arg=quiet_ms, timeout=120_000, polling=100)


async def _browse(browser, base: str, rounds: int, report: LoadReport, phase) -> None:
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(120_000)  # a slow page is measured, not an error, up to two minutes
    page = await ctx.new_page()
    try:
        for _ in range(rounds):
            for slug in PAGES:
                t0 = time.perf_counter()
                try:
                    await page.goto(f"{base}/{slug}")
                    await _settle(page)
                except Exception as exc:  # noqa: BLE001 - a session's failure is a finding of the load test
                    report.errors.append(f"{slug or 'overview'}: {type(exc).__name__}: {str(exc)[:120]}")
                    continue
                report.times.append((phase(), slug or "overview", time.perf_counter() - t0))
                if await page.locator("[data-testid=stException]").count():
                    report.errors.append(f"{slug or 'overview'}: an exception was shown")
    finally:
        await ctx.close()


async def _import(browser, base: str, csv_path: Path, rows: int, report: LoadReport, state: dict) -> None:
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    ctx.set_default_timeout(120_000)
    page = await ctx.new_page()
    try:
        await page.goto(f"{base}/manage")
        await _settle(page)
        await page.get_by_text("Sign in", exact=True).first.click()
        await page.get_by_label("Editor name").fill(EDITOR)
        await page.get_by_label("Passcode").fill(CODE)
        await page.get_by_role("button", name="Sign in").click()
        await page.get_by_text("Signed in as").first.wait_for(timeout=120_000)
        await _settle(page)
        # the sidebar link keeps the session (and the sign-in); a new address would start a new one
        await page.locator("[data-testid=stSidebarNav]").get_by_role("link", name="Activities").click()
        await page.get_by_role("heading", name="Activities").first.wait_for(timeout=120_000)
        await _settle(page)
        await page.get_by_role("tab", name="Upload activities").click()
        box = page.locator("[data-testid=stFileUploader]").filter(has_text="Activities file")
        await box.wait_for(state="visible", timeout=120_000)
        await _settle(page)
        state["phase"] = "during import"
        t0 = time.perf_counter()
        await box.locator("input[type=file]").set_input_files(str(csv_path))
        button = page.get_by_role("button", name=f"Import the {rows} valid rows")
        await button.wait_for(timeout=300_000)
        await _settle(page)
        await button.click()
        await page.get_by_text(f"Imported {rows} activities").wait_for(timeout=300_000)
        report.import_seconds = time.perf_counter() - t0
        report.imported = rows
    except Exception as exc:  # noqa: BLE001
        report.errors.append(f"import: {type(exc).__name__}: {str(exc)[:160]}")
    finally:
        state["phase"] = "after import"
        await ctx.close()


def _activities_csv(path: Path, rows: int) -> None:
    lines = ["title,type,start_date,partners,countries"]
    for i in range(rows):
        lines.append(f"Load-test workshop {i},training,2026-0{1 + i % 9}-{10 + i % 18},PARIS21; UN Women,Kenya")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_load(db_path: Path, *, sessions: int = 20, rounds: int = 2, rows: int = 500) -> LoadReport:
    """Copy ``db_path``, start a server on it, and run ``sessions`` browsing sessions and one
    importing editor at once. The original database is never written."""
    import psutil
    from playwright.async_api import async_playwright

    from collab_data import auth

    report = LoadReport(sessions, rounds)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db = work / "load.duckdb"
        shutil.copy(db_path, db)
        secrets = work / "secrets.toml"
        secrets.write_text(f'[[editors]]\nname = "{EDITOR}"\npartner = "admin"\n'
                           f'passcode_hash = "{auth.hash_passcode(CODE)}"\n', encoding="utf-8")
        csv_path = work / "activities.csv"
        _activities_csv(csv_path, rows)
        with serve(db, log_path=work / "server.log", args=["--secrets.files", str(secrets)]) as (base, proc):
            server = psutil.Process(proc.pid)
            report.start_rss_mb = server.memory_info().rss / 2**20
            state = {"phase": "before import"}

            async def main() -> None:
                async with async_playwright() as pw:
                    browser = await pw.chromium.launch(executable_path=chromium(),
                                                       args=["--no-sandbox", "--disable-gpu"])
                    stop = asyncio.Event()

                    async def watch() -> None:
                        while not stop.is_set():
                            report.peak_rss_mb = max(report.peak_rss_mb, server.memory_info().rss / 2**20)
                            await asyncio.sleep(0.2)

                    watcher = asyncio.create_task(watch())
                    tasks = [_browse(browser, base, rounds, report, lambda: state["phase"]) for _ in range(sessions)]

                    async def editor() -> None:
                        await asyncio.sleep(5)  # once the sessions are browsing
                        await _import(browser, base, csv_path, rows, report, state)

                    await asyncio.gather(*tasks, editor())
                    stop.set()
                    await watcher
                    await browser.close()

            asyncio.run(main())
    return report


def format_load(r: LoadReport) -> str:
    def line(label: str, xs: list[float]) -> str:
        if not xs:
            return f"{label:<16} {'-':>6}"
        xs = sorted(xs)
        p95 = xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]
        return f"{label:<16} {len(xs):>6} {statistics.median(xs):>7.2f}s {p95:>7.2f}s {xs[-1]:>7.2f}s"

    out = [f"{r.sessions} browsing sessions × {r.rounds} rounds of {len(PAGES)} pages, and one editor importing "
           f"{r.imported or 'no'} activities through the Activities page, against one server on 127.0.0.1",
           f"{'page loads':<16} {'n':>6} {'p50':>8} {'p95':>8} {'max':>8}"]
    for phase in ("before import", "during import", "after import"):
        out.append(line(phase, [t for p, _, t in r.times if p == phase]))
    out.append(line("all", [t for _, _, t in r.times]))
    out.append("import (upload, checks, preview, write): "
               + (f"{r.import_seconds:.1f}s" if r.import_seconds is not None else "not finished"))
    out.append(f"server memory: {r.start_rss_mb:.0f} MB at start, {r.peak_rss_mb:.0f} MB at peak")
    out.append(f"errors: {len(r.errors)}" + "".join(f"\n  - {e}" for e in r.errors[:20]))
    return "\n".join(out)


# --------------------------------------------------------------------------------------
# One person in Chromium: first load and a country filter change, per page
# --------------------------------------------------------------------------------------
#: The pages timed by ``bench browser`` (address under the server) and their title.
BROWSER_PAGES = [("", "Overview"), ("kpis", "KPIs & targets"), ("partners", "Partners & tools"),
                 ("overlap", "Overlap"), ("network", "Network"), ("activities", "Activities"),
                 ("countries", "Countries"), ("brief", "Country brief"), ("gaps", "Data gaps"),
                 ("meeting", "Meeting mode"), ("manage", "Manage records")]


@dataclass
class BrowserRow:
    page: str
    first_s: float | None = None
    reload_s: float | None = None
    change_s: float | None = None
    error: str = ""


@dataclass
class BrowserReport:
    db_name: str
    country: str
    rows: list[BrowserRow] = field(default_factory=list)
    start_rss_mb: float = 0.0
    end_rss_mb: float = 0.0
    warm_up_s: float | None = None
    #: the server's line about its cache warm-up ("" when it was off)
    cache_warm_up: str = ""
    #: servers started (rounds); with more than one, each figure is the median of the rounds
    rounds: int = 1


def _wait_for_line(path: Path, start: str, *, timeout: float) -> str:
    """The first line of the file at ``path`` that starts with ``start``, once written."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith(start):
                return line.strip()
        time.sleep(0.5)
    return f"{start} not finished after {timeout:.0f} s"


def _drawn_ms(page, quiet_ms: int) -> float:
    """Wait until the page has settled; return when it last changed (ms since its navigation began)."""
    page.evaluate(WATCH_CHANGES)
    page.wait_for_function(SETTLED, arg=quiet_ms, timeout=120_000, polling=50)
    return page.evaluate("() => window.__collabLastChange")


def run_browser(db_path: Path, *, country: str = "Kenya", pages: list[str] | None = None,
                quiet_ms: int = 500, browser=None, warm: bool = True) -> BrowserReport:
    """One person in Chromium against a fresh ``streamlit run`` server on a copy of ``db_path``
    (never written). The server is first warmed up by one visit of the Country brief without a
    country (Python imports its modules once per process; that is server start, not a page).
    Then, page by page in the sidebar's order, each in a new tab of the same browser (a new
    session; the browser's cache of the app's scripts is warm, as for anyone who opened the app
    before):

    * first load: the first visit of the page since the server started (its own queries not
      yet cached; what pages before it shared is), from navigation to the page's last change
      (the run finished, charts and map drawn, then nothing changed for ``quiet_ms``);
    * reload: the same address again in the same tab (server caches warm);
    * country filter change: ``country`` picked in the sidebar's Countries box, from the pick
      to the page's last change (a filter value the page has not seen: its queries run).

    Times are the page's own clock (``performance.now()``), so the quiet wait is not counted.
    ``browser``: a Playwright Chromium already running (else one is started and closed).
    ``warm``: the server warms its cache at start as it does in use (collab_data.warmup), and
    the pages are timed once it has finished (its line in the server's output); without it,
    every first load starts from a cold cache."""
    import psutil
    from playwright.sync_api import sync_playwright

    wanted = [p for p in BROWSER_PAGES if pages is None or p[0] in pages or (p[0] == "" and "overview" in pages)]
    report = BrowserReport(db_path.name, country)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db = work / "browser.duckdb"
        shutil.copy(db_path, db)
        own = browser is None
        log_path = work / "server.log"
        with serve(db, log_path=log_path, env={"COLLAB_WARM": "1" if warm else "0"}) as (base, proc), \
                (sync_playwright() if own else nullcontext()) as pw:
            server = psutil.Process(proc.pid)
            report.start_rss_mb = server.memory_info().rss / 2**20
            if own:
                browser = pw.chromium.launch(executable_path=chromium(), args=["--no-sandbox", "--disable-gpu"])
            ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
            ctx.set_default_timeout(120_000)
            try:
                first = ctx.new_page()
                first.goto(f"{base}/brief")
                report.warm_up_s = _drawn_ms(first, quiet_ms) / 1000
                first.close()
                if warm:
                    report.cache_warm_up = _wait_for_line(log_path, "warm-up:", timeout=900)
                for slug, title in wanted:
                    row = BrowserRow(title)
                    report.rows.append(row)
                    page = ctx.new_page()
                    try:
                        page.goto(f"{base}/{slug}")
                        row.first_s = _drawn_ms(page, quiet_ms) / 1000
                        page.goto(f"{base}/{slug}")
                        row.reload_s = _drawn_ms(page, quiet_ms) / 1000
                        box = page.locator("[data-testid=stSidebar]").get_by_role("combobox", name="Countries")
                        try:  # Meeting mode has no sidebar filters
                            box.wait_for(timeout=5_000)
                        except Exception:  # noqa: BLE001
                            pass
                        if box.count():
                            box.click()
                            page.keyboard.type(country)
                            page.get_by_role("option", name=country, exact=True).wait_for()
                            t0 = page.evaluate("() => performance.now()")
                            page.keyboard.press("Enter")
                            page.wait_for_function("(c) => location.search.includes('country=' + c)",
                                                   arg=country.replace(" ", "+"))
                            page.keyboard.press("Escape")
                            row.change_s = (_drawn_ms(page, quiet_ms) - t0) / 1000
                        if page.locator("[data-testid=stException]").count():
                            row.error = "an exception was shown"
                    except Exception as exc:  # noqa: BLE001 - a page's failure is a finding of the benchmark
                        row.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
                    finally:
                        page.close()
            finally:
                report.end_rss_mb = server.memory_info().rss / 2**20
                ctx.close()
                if own:
                    browser.close()
    return report


def median_of_rounds(reports: list[BrowserReport]) -> BrowserReport:
    """One report of several rounds (each on a new server): per page and measure the median of
    the rounds that measured it; the first error met; the largest memory."""
    def med(xs: list) -> float | None:
        xs = [x for x in xs if x is not None]
        return statistics.median(xs) if xs else None

    first = reports[0]
    out = BrowserReport(first.db_name, first.country, rounds=len(reports),
                        start_rss_mb=max(r.start_rss_mb for r in reports), end_rss_mb=max(r.end_rss_mb for r in reports),
                        warm_up_s=med([r.warm_up_s for r in reports]),
                        cache_warm_up="; ".join(r.cache_warm_up for r in reports if r.cache_warm_up))
    for i, row in enumerate(first.rows):
        same = [r.rows[i] for r in reports if i < len(r.rows)]
        out.rows.append(BrowserRow(row.page, med([x.first_s for x in same]), med([x.reload_s for x in same]),
                                   med([x.change_s for x in same]), next((x.error for x in same if x.error), "")))
    return out


def format_browser(r: BrowserReport, *, first_target: float = 4.0, change_target: float = 2.0) -> str:
    def sec(x: float | None) -> str:
        return f"{x:8.2f}" if x is not None else f"{'—':>8}"

    warm = f"{r.warm_up_s:.2f} s" if r.warm_up_s is not None else "not done"
    rounds = f"; median of {r.rounds} rounds, each on a new server" if r.rounds > 1 else ""
    out = [f"database: {r.db_name}; Chromium, one new tab per page, in order; country filter: {r.country}; "
           f"server warm-up (Country brief, first visit after start): {warm}{rounds}",
           f"{'page':<18} {'first s':>8} {'reload s':>8} {'filter s':>8}  verdict"]
    for row in r.rows:
        slow = [w for w, x, t in (("first", row.first_s, first_target), ("filter", row.change_s, change_target))
                if x is not None and x >= t]
        verdict = row.error or ("SLOW: " + ", ".join(slow) if slow else "ok")
        out.append(f"{row.page:<18} {sec(row.first_s)} {sec(row.reload_s)} {sec(row.change_s)}  {verdict}")
    out.append(f"targets: first load < {first_target:g} s, country filter change < {change_target:g} s (from the "
               "navigation or the pick to the page's last change: run finished, charts drawn).")
    out.append("server cache: " + (r.cache_warm_up + " (then the pages were timed)" if r.cache_warm_up
                                   else "no warm-up (every first load from a cold cache)"))
    out.append(f"server memory: {r.start_rss_mb:.0f} MB at start, {r.end_rss_mb:.0f} MB after every page")
    return "\n".join(out)
