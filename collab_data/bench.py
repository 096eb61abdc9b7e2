"""Benchmarks (timings are measured here and quoted, never asserted in tests)."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from collab_data.db import DB_ENV, PROJECT_ROOT, close_all

PAGES = ["pages/overview.py", "pages/kpis.py", "pages/partners.py", "pages/overlap.py", "pages/network.py",
         "pages/activities.py", "pages/countries.py", "pages/brief.py",
         "pages/gaps.py"]


def _app_test(timeout: float):
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=timeout)


def bench_pages(db_path: Path, *, repeat: int = 5, pages: list[str] | None = None, timeout: float = 120) -> list[dict]:
    """Per page: the cold first load (empty caches, database just opened) and the warm rerun
    (median of ``repeat`` reruns of the same session), as script run times through Streamlit's AppTest."""
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


def synthetic_activities_csv(n: int, seed: int = 7) -> bytes:
    """A realistic activities file of ``n`` rows (varied partners, countries, dates, types, spellings)."""
    import random
    from datetime import date

    rng = random.Random(seed)
    partners = ["PARIS21", "ODW", "Open Data Watch", "UN Women", "World Bank", "Data2X", "EM2030", "GPSDD", "UNICEF",
                "Equality Insights", "DI", "Sightsavers", "HelpAge International"]
    countries = ["Kenya", "UGA", "Tanzania", "Côte d'Ivoire", "Congo, Dem. Rep.", "Viet Nam", "Lao PDR", "NPL",
                 "Bangladesh", "Ghana", "Senegal", "Bolivia (Plurinational State of)", "Türkiye", "Egypt, Arab Rep."]
    types = ["training", "knowledge exchange", "peer review", "tool showcase", "advocacy", "guideline", "meeting", "webinar"]
    lines = ["title,type,start_date,end_date,partners,countries,collaborative,tool,outcome"]
    for i in range(n):
        d = date.fromordinal(738_000 + rng.randrange(0, 1000))
        lines.append(",".join([
            f"Activity {i} on gender data", rng.choice(types), d.strftime("%d/%m/%Y") if i % 3 else d.isoformat(), "",
            "; ".join(rng.sample(partners, rng.randint(1, 3))), "\"" + "; ".join(rng.sample(countries, rng.randint(0, 3))) + "\"",
            rng.choice(["gender", "LNOB", ""]), "", "Follow-up agreed" if i % 2 else "",
        ]))
    # one unambiguous day-first date settles the order of the file's dd/mm dates
    lines.append("Closing review,meeting,25/12/2025,,PARIS21,,gender,,")
    return ("\n".join(lines) + "\n").encode("utf-8")


def bench_import(sizes: list[int]) -> list[dict]:
    """Validate-and-import time and the process's peak memory for files of each size."""
    import resource
    import shutil

    from collab_data.build import build
    from collab_data.db import Database
    from collab_data.ingest import activities as A

    base = Path(tempfile.mkdtemp(prefix="collab-bench-")) / "base.duckdb"
    build(base, sample=True)
    rows = []
    for n in sizes:
        data = synthetic_activities_csv(n)
        path = base.with_name(f"import-{n}.duckdb")
        shutil.copy(base, path)
        db = Database(path)
        t0 = time.perf_counter()
        plan = A.validate(data, f"bench-{n}.csv", db, editor=A.Editor("bench", None))
        t1 = time.perf_counter()
        A.import_activities(db, plan, editor=A.Editor("bench", None))
        t2 = time.perf_counter()
        imported = db.scalar("SELECT count(*) FROM activities WHERE NOT is_sample")
        db.close()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rows.append({"rows": n, "bytes": len(data), "validate_s": t1 - t0, "import_s": t2 - t1, "total_s": t2 - t0,
                     "imported": imported, "peak_mb": peak_mb})
    return rows


def format_import(rows: list[dict]) -> str:
    targets = {10_000: 2.0, 100_000: 10.0}
    lines = [f"{'rows':>8}{'file':>10}{'validate':>10}{'import':>9}{'total':>9}{'imported':>10}{'peak RSS':>10}  verdict"]
    for r in rows:
        target = targets.get(r["rows"])
        ok = (target is None or r["total_s"] < target) and r["peak_mb"] < 1024
        lines.append(f"{r['rows']:>8,}{r['bytes'] / 1e6:>8.1f}MB{r['validate_s']:>9.2f}s{r['import_s']:>8.2f}s"
                     f"{r['total_s']:>8.2f}s{r['imported']:>10,}{r['peak_mb']:>8.0f}MB  {'ok' if ok else 'SLOW'}")
    lines.append("targets: 10k rows < 2 s, 100k rows < 10 s, peak memory < 1 GB (whole process)")
    return "\n".join(lines)
