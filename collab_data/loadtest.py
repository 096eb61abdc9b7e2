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
from dataclasses import dataclass, field
from pathlib import Path

from collab_data.db import DB_ENV, PROJECT_ROOT

PAGES = ["", "kpis", "partners", "overlap", "network", "activities", "countries", "brief?country=Kenya", "gaps"]
EDITOR, CODE = "Load-test secretariat", "load test passcode"
READY = "[data-testid=stApp][data-test-script-state=notRunning]"


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


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    raise RuntimeError("Chromium is not installed (apt-get install chromium)")


async def _settle(page) -> None:
    await page.wait_for_selector(READY, timeout=120_000)
    await page.wait_for_selector("[data-testid=stMain] h1", timeout=120_000)
    await page.wait_for_timeout(300)
    await page.wait_for_selector(READY, timeout=120_000)


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
        port = _free_port()
        log = open(work / "server.log", "w")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port",
             str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none", "--secrets.files", str(secrets)],
            cwd=PROJECT_ROOT, env=dict(os.environ, **{DB_ENV: str(db)}), stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        server = psutil.Process(proc.pid)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(base + "/_stcore/health", timeout=2):
                        break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("the server did not start") from None
                    time.sleep(0.3)
            report.start_rss_mb = server.memory_info().rss / 2**20
            state = {"phase": "before import"}

            async def main() -> None:
                async with async_playwright() as pw:
                    browser = await pw.chromium.launch(executable_path=_chromium(),
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
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()
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
