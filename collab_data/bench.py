"""Benchmarks (timings are measured here and quoted, never asserted in tests)."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from collab_data.db import DB_ENV, PROJECT_ROOT, close_all

PAGES = ["pages/overview.py", "pages/partners.py", "pages/overlap.py", "pages/countries.py", "pages/gaps.py"]


def _app_test(timeout: float):
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=timeout)


def bench_pages(db_path: Path, *, repeat: int = 5, pages: list[str] | None = None, timeout: float = 120) -> list[dict]:
    """Per page: the cold first load (empty caches, database just opened) and the warm rerun
    (median of ``repeat`` reruns), as script run times through Streamlit's AppTest."""
    import logging

    import streamlit as st

    logging.getLogger("streamlit").setLevel(logging.ERROR)  # "no runtime" notes of bare-mode caches
    os.environ[DB_ENV] = str(db_path)
    rows = []
    for page in pages or PAGES:
        st.cache_data.clear()
        close_all()
        at = _app_test(timeout)
        at.switch_page(page)
        t0 = time.perf_counter()
        at.run()
        cold = time.perf_counter() - t0
        if at.exception:
            raise RuntimeError(f"{page} raised: {at.exception[0].message}")
        warm = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - t0)
        rows.append({"page": page, "cold_ms": cold * 1000, "warm_ms": statistics.median(warm) * 1000,
                     "warm_max_ms": max(warm) * 1000})
    close_all()
    return rows


def format_pages(rows: list[dict], *, cold_target: float = 2000, warm_target: float = 300) -> str:
    lines = [f"{'page':<24}{'cold first load':>17}{'warm rerun (median)':>22}{'warm max':>11}  verdict"]
    for r in rows:
        ok = r["cold_ms"] < cold_target and r["warm_ms"] < warm_target
        lines.append(f"{r['page']:<24}{r['cold_ms']:>14.0f} ms{r['warm_ms']:>19.0f} ms{r['warm_max_ms']:>8.0f} ms  "
                     f"{'ok' if ok else 'SLOW'}")
    lines.append(f"targets: cold < {cold_target:.0f} ms, warm < {warm_target:.0f} ms (script run time, AppTest)")
    return "\n".join(lines)


def default_bench_db() -> Path:
    """A fresh sample database in a temporary folder (the app's own file may be in use)."""
    from collab_data.build import build

    path = Path(tempfile.mkdtemp(prefix="collab-bench-")) / "bench.duckdb"
    build(path, sample=True)
    return path
