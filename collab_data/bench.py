"""Benchmarks (timings are measured here and quoted, never asserted in tests)."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from collab_data.db import DB_ENV, PROJECT_ROOT, close_all

PAGES = ["pages/overview.py", "pages/kpis.py", "pages/partners.py", "pages/overlap.py", "pages/network.py",
         "pages/activities.py", "pages/countries.py", "pages/brief.py",
         "pages/gaps.py", "pages/meeting.py", "pages/manage.py"]


def _app_test(timeout: float):
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=timeout)


def bench_pages(db_path: Path, *, repeat: int = 5, pages: list[str] | None = None, timeout: float = 120,
                sql: bool = True, isolate: bool = False) -> list[dict]:
    """Per page: the cold first load (empty caches, database just opened) and the warm rerun
    (median of ``repeat`` reruns of the same session), as script run times through Streamlit's
    AppTest; the direct time of every query function the page called (through
    :func:`collab_data.runtime.cached`, called again on the database without any cache); the
    largest element the page sends (its serialised size: a chart spec with its data, a
    dataframe) and the process's resident memory after the page (pages run one after another
    in one process, so the last row is the memory after visiting every page).

    A run over ``timeout`` seconds is recorded as not finished (``dnf``). Such a run keeps
    its thread busy, so with ``isolate`` the pages run in a child process that is ended
    after a page does not finish, and the next pages go on in a new one (their memory then
    counts from that restart: ``restarted``)."""
    if isolate:
        return _bench_pages_isolated(db_path, repeat=repeat, pages=pages, timeout=timeout, sql=sql)
    rows = []
    for page in pages or PAGES:
        row = _bench_page(db_path, page, repeat=repeat, timeout=timeout, sql=sql)
        rows.append(row)
        if row.get("dnf"):
            break  # the script thread of the run given up may still be busy: the rest would be wrong
    close_all()
    return rows


class _CallRecorder:
    """Wraps the app's cached call (:func:`collab_data.runtime.cached` looks it up at each
    call) to record which query functions a page calls, with which arguments, and how long
    each took in the page."""

    def __init__(self, on_call: Callable[[dict], None] | None = None):
        self.calls: dict[tuple, dict] = {}
        self.on_call = on_call
        #: seconds spent getting data (cached queries, views and chart specs) since last reset
        self.spent = 0.0

    def __enter__(self) -> _CallRecorder:
        from collab_data import runtime

        self._runtime, self._original, self._original_spec = runtime, runtime._cached_call, runtime._cached_spec
        original, original_spec = self._original, self._original_spec

        def spec(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return original_spec(*args, **kwargs)
            finally:
                self.spent += time.perf_counter() - t0

        def recording(module, name, db_path, version, args, kwargs):
            key = (module, name, args, kwargs)
            new = key not in self.calls
            entry = self.calls.setdefault(key, {"module": module, "name": name, "args": args, "kwargs": kwargs,
                                                "done": False, "page_ms": 0.0})
            if new and self.on_call:
                self.on_call(entry)
            t0 = time.perf_counter()
            value = original(module, name, db_path, version, args, kwargs)
            took = time.perf_counter() - t0
            self.spent += took
            entry["page_ms"] = max(entry["page_ms"], took * 1000)
            if not entry["done"] and self.on_call:
                entry["done"] = True
                self.on_call(entry)
            entry["done"] = True
            return value

        runtime._cached_call, runtime._cached_spec = recording, spec
        return self

    def __exit__(self, *exc) -> None:
        self._runtime._cached_call, self._runtime._cached_spec = self._original, self._original_spec


def _largest_element(at) -> tuple[int, str]:
    """The serialised size (bytes) and type of the largest element of the page's last run:
    what one message to the browser carries for it (a chart's spec and data, a table)."""
    best, kind = 0, ""
    stack = [at._tree]
    while stack:
        node = stack.pop()
        children = getattr(node, "children", None)
        if children:
            stack.extend(children.values())
            continue
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ByteSize"):
            size = proto.ByteSize()
            if size > best:
                best, kind = size, getattr(node, "type", type(node).__name__)
    return best, kind


def _label(call: dict) -> str:
    return f"{call['module'].removeprefix('collab_data.')}.{call['name']}"


def _rss_mb() -> float | None:
    try:
        import psutil
    except ImportError:
        return None
    return psutil.Process().memory_info().rss / 1e6


def _time_calls(db_path: Path, calls: list[dict], report: Callable[[dict], None] | None = None) -> list[dict]:
    """Call each recorded query function again, directly on the database (no app cache, the
    database's per-generation memo emptied): its own time, SQL and whatever Python it does."""
    import importlib

    from collab_data.db import get_database

    db = get_database(db_path)
    out = []
    for c in calls:
        if not c["done"]:
            row = {"function": _label(c), "ms": None, "page_ms": None}
        else:
            fn = getattr(importlib.import_module(c["module"]), c["name"])
            db._memo.clear()
            t0 = time.perf_counter()
            fn(db, *c["args"], **dict(c["kwargs"]))
            row = {"function": _label(c),
                   "ms": (time.perf_counter() - t0) * 1000, "page_ms": c["page_ms"]}
        out.append(row)
        if report:
            report(row)
    return out


def _bench_page(db_path: Path, page: str, *, repeat: int, timeout: float, sql: bool,
                report: Callable[[str, object], None] | None = None) -> dict:
    import logging

    import streamlit as st

    logging.getLogger("streamlit").setLevel(logging.ERROR)  # "no runtime" notes of bare-mode caches
    os.environ[DB_ENV] = str(db_path)
    os.environ["COLLAB_WARM"] = "0"  # cold means cold: no background warm-up of the cache
    say = report or (lambda _stage, _value: None)
    st.cache_data.clear()
    close_all()
    row: dict = {"page": page, "cold_ms": None, "warm_ms": None, "warm_max_ms": None, "queries": [],
                 "largest_bytes": 0, "largest_type": "", "rss_mb": None, "dnf": None}
    at = _app_test(timeout)
    at.switch_page(page)
    on_call = (lambda c: say("call", {"function": _label(c), "ms": None,
                                      "page_ms": c["page_ms"] if c["done"] else None})) if report else None
    with _CallRecorder(on_call) as rec:
        t0 = time.perf_counter()
        try:
            at.run()
        except RuntimeError as exc:
            if "timed out" not in str(exc):
                raise
            row["dnf"] = "cold"
        row["cold_ms"] = (time.perf_counter() - t0) * 1000
        say("cold", row["cold_ms"])
        if not row["dnf"] and at.exception:
            raise RuntimeError(f"{page} raised: {at.exception[0].message}")
        warm, data = [], []
        for _ in range(repeat if not row["dnf"] else 0):
            rec.spent = 0.0
            t0 = time.perf_counter()
            try:
                at.run()
            except RuntimeError as exc:
                if "timed out" not in str(exc):
                    raise
                row["dnf"] = "warm"
                break
            warm.append(time.perf_counter() - t0)
            data.append(rec.spent)
            say("warm", warm[-1] * 1000)
    if warm:
        row["warm_ms"], row["warm_max_ms"] = statistics.median(warm) * 1000, max(warm) * 1000
        row["warm_data_ms"] = statistics.median(data) * 1000  # of a warm rerun, getting its data from the cache
    if not row["dnf"]:
        row["largest_bytes"], row["largest_type"] = _largest_element(at)
    calls = list(rec.calls.values())
    if sql and not row["dnf"]:
        row["queries"] = _time_calls(db_path, calls, lambda q: say("query", q))
    else:
        row["queries"] = [{"function": _label(c), "ms": None,
                           "page_ms": c["page_ms"] if c["done"] else None} for c in calls]
    row["rss_mb"] = _rss_mb()
    return row


def _pages_child(spec: str) -> None:
    """The child process of an isolated run: one JSON line per stage, then the page's row."""
    import json
    import sys

    args = json.loads(spec)
    for page in args["pages"]:
        print("BENCH " + json.dumps({"stage": "start", "page": page}), flush=True)

        def say(stage, value, page=page):
            print("BENCH " + json.dumps({"stage": stage, "page": page, "value": value}), flush=True)

        row = _bench_page(Path(args["db"]), page, repeat=args["repeat"], timeout=args["timeout"], sql=args["sql"],
                          report=say)
        print("BENCH " + json.dumps({"stage": "row", "page": page, "value": row}, default=str), flush=True)
        if row["dnf"]:
            sys.stdout.flush()
            os._exit(0)  # the script thread given up may still run: leave it behind
    close_all()


def _pump(stream, lines) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def _bench_pages_isolated(db_path: Path, *, repeat: int, pages: list[str] | None, timeout: float,
                          sql: bool) -> list[dict]:
    import json
    import queue
    import subprocess
    import sys
    import threading

    todo = list(pages or PAGES)
    rows: list[dict] = []
    restarted = False
    while todo:
        spec = json.dumps({"db": str(db_path), "pages": todo, "repeat": repeat, "timeout": timeout, "sql": sql})
        child = subprocess.Popen([sys.executable, "-c", "import sys; from collab_data.bench import _pages_child; "
                                  "_pages_child(sys.argv[1])", spec], cwd=str(PROJECT_ROOT),
                                 stdout=subprocess.PIPE, text=True)
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=_pump, args=(child.stdout, lines), daemon=True).start()
        current, partial = None, {}
        while True:
            try:
                line = lines.get(timeout=timeout + 60)
            except queue.Empty:  # a stage hung past its own timeout: end the child, note the page
                child.kill()
                child.wait()
                if current:
                    partial["queries"] = partial["queries"] or list(partial.pop("calls", {}).values())
                    rows.append({"page": current, "dnf": partial.pop("stage_dnf", "cold"), **partial})
                    todo.remove(current)
                break
            if line is None:
                child.wait()
                if current and current in todo:  # the child died in the page
                    rows.append({"page": current, "dnf": "crashed", **partial})
                    todo.remove(current)
                break
            if not line.startswith("BENCH "):
                continue
            msg = json.loads(line[6:])
            if msg["stage"] == "start":
                current, partial = msg["page"], {"queries": [], "restarted": restarted}
            elif msg["stage"] == "cold":
                partial["cold_ms"], partial["stage_dnf"] = msg["value"], "warm"
            elif msg["stage"] == "warm":
                partial["stage_dnf"] = "queries"
            elif msg["stage"] == "call":  # a query the page started, then again when it finished
                calls = partial.setdefault("calls", {})
                calls[msg["value"]["function"]] = msg["value"]
            elif msg["stage"] == "query":
                partial["queries"].append(msg["value"])
            elif msg["stage"] == "row":
                row = msg["value"]
                row["restarted"] = restarted
                rows.append(row)
                todo.remove(current)
                current = None
        restarted = True
    return rows


def format_pages(rows: list[dict], *, cold_target: float = 3000, warm_target: float = 500,
                 message_target: float = 20e6, queries_shown: int = 3) -> str:
    def ms(v):
        return f"{v:>8.0f}" if isinstance(v, (int, float)) else f"{'—':>8}"

    lines = [f"{'page':<22}{'cold ms':>9}{'warm ms':>9}{'warm max':>9}{'queries':>8}{'direct ms':>10}"
             f"{'largest msg':>13}{'RSS MB':>8}  verdict"]
    previous: dict = {}
    for r in rows:
        qs = r.get("queries") or []
        direct = sum(q["ms"] for q in qs if q.get("ms") is not None)
        big = r.get("largest_bytes") or 0
        if r.get("dnf"):
            verdict = f"DID NOT FINISH ({r['dnf']})"
        else:
            ok = r["cold_ms"] < cold_target and r["warm_ms"] < warm_target and big < message_target
            verdict = "ok" if ok else "SLOW" if big < message_target else "TOO BIG"
        rss = r.get("rss_mb")
        lines.append(f"{r['page'].removeprefix('pages/'):<22}{ms(r.get('cold_ms'))} {ms(r.get('warm_ms'))} "
                     f"{ms(r.get('warm_max_ms'))}{len(qs):>8}{ms(direct if qs else None):>10}"
                     f"{big / 1e6:>10.2f} MB{(f'{rss:>8.0f}' if rss else f'{chr(8212):>8}')}  {verdict}"
                     + ("  (new process)" if r.get("restarted") and not previous.get("restarted", False) else ""))
        previous = r
        timed = sorted((q for q in qs if q.get("ms") is not None), key=lambda q: -q["ms"])[:queries_shown]
        unfinished = [q["function"] for q in qs if q.get("ms") is None]
        for q in timed:
            lines.append(f"{'':<4}{q['function']:<44}{q['ms']:>9.1f} ms direct")
        if unfinished:
            done = [f"{q['function']} ({q['page_ms']:.0f} ms in the page)" for q in qs
                    if q.get("ms") is None and q.get("page_ms") is not None]
            running = [q["function"] for q in qs if q.get("ms") is None and q.get("page_ms") is None]
            if running:
                lines.append(f"{'':<4}still running when the page was given up: {', '.join(running)}")
            if done:
                lines.append(f"{'':<4}finished before: {', '.join(done)}")
    lines.append(f"targets: cold < {cold_target:.0f} ms, warm < {warm_target:.0f} ms (script run time, AppTest), "
                 f"largest message < {message_target / 1e6:.0f} MB. direct: each query function the page called, "
                 "again on the database without caches (SQL and its Python). RSS: the process after the page.")
    if any(r.get("restarted") for r in rows):
        lines.append("A page that did not finish ends its process; the pages after it ran in a new one "
                     "(their RSS counts from there).")
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


# --------------------------------------------------------------------------------------
# Import per record type: a generated file, read+validate and write timed apart
# --------------------------------------------------------------------------------------
#: Spellings people use for the sample's partners, countries and tools (all resolve).
PARTNERS_SPELLED = [("PARIS21", "Paris21"), ("Open Data Watch", "ODW", "Open Data Watch (ODW)"), ("UN Women", "UN-Women"),
                    ("World Bank", "The World Bank", "World Bank Group"), ("Data2X",), ("EM2030", "Equal Measures 2030"),
                    ("GPSDD",), ("UNICEF",), ("Equality Insights",), ("DI", "Development Initiatives"), ("Sightsavers",),
                    ("HelpAge International",), ("CIVICUS",), ("UNSD",)]
PARTNER_SPELLINGS = [s for group in PARTNERS_SPELLED for s in group]
COUNTRY_SPELLINGS = ["Kenya", "KEN", "UGA", "Uganda", "Tanzania", "Côte d'Ivoire", "Cote d'Ivoire", "Congo, Dem. Rep.",
                     "Viet Nam", "Vietnam", "Lao PDR", "NPL", "Nepal", "Bangladesh", "Ghana", "Senegal",
                     "Bolivia (Plurinational State of)", "Bolivia", "Türkiye", "Egypt, Arab Rep.", "Ethiopia", "Rwanda",
                     "Malawi", "Zambia", "Pakistan", "PHL", "Colombia", "Peru", "Haiti", "Mozambique", "Niger", "Mali"]
TOOL_SPELLINGS = ["ODIN", "Open Data Inventory (ODIN)", "Gender Data Compass", "SDG Gender Index", "Women Count Data Hub",
                  "LSMS", "MICS", "Individual Deprivation Measure", "PRESS", "ADAPT", "Child Functioning Module",
                  "DataShift", "Counted and Visible Toolkit"]
_TOPICS = ["Gender", "Disability", "Time-Use", "Census", "Household Survey", "Civil Registration", "Open Data",
           "Citizen Data", "Migration", "Ageing", "Poverty", "Labour", "Health", "Education", "Agriculture",
           "Violence Against Women", "Financial Inclusion", "Climate", "Youth", "Land Rights", "Water", "Nutrition",
           "Digital Inclusion", "Urban", "Indigenous Peoples"]
_BODIES = ["Data Network", "Institute", "Data Lab", "Alliance", "Foundation", "Research Centre", "Initiative",
           "Observatory", "Collective", "Data Hub", "Statistics Forum", "Learning Platform"]
_PLACES = ["Kenya", "Uganda", "Ghana", "Nepal", "Senegal", "Bolivia", "Peru", "Colombia", "Malawi", "Zambia", "Rwanda",
           "Ethiopia", "Bangladesh", "Viet Nam", "Pakistan", "the Philippines", "Mozambique", "Mali", "Niger", "Haiti",
           "East Africa", "West Africa", "the Sahel", "South Asia", "the Andes", "the Pacific", "Central America",
           "the Caribbean", "Southern Africa", "the Great Lakes", "the Mekong", "the Horn of Africa"]
_ORG_TYPES = ["NGO", "ngo", "Civil society", "CSO", "University", "Think tank", "Research", "Foundation", "Government",
              "NSO", "National statistical office", "UN agency", "Network", "Partnership", "Private sector",
              "Multilateral", "Academic / research"]
_KINDS = ["methodology", "Method", "survey module", "dataset", "Database", "platform", "Dashboard", "portal", "index",
          "training", "e-learning", "course", "guidance", "Toolkit", "handbook", "standard", "Framework"]
_STAGES = ["concept", "Idea", "pilot", "Prototype", "beta", "scaling", "Scaling up", "mature", "In use", "Operational"]
_PRODUCTS = ["Toolkit", "Module", "Dashboard", "Index", "Guide", "Course", "Data Portal", "Methodology", "Handbook",
             "Standard", "Dataset", "Scorecard"]
_SUPPORT = ["technical assistance", "TA", "Technical support", "training", "Capacity building", "workshop",
            "data production", "Survey", "tool deployment", "Rollout", "peer review", "advocacy", "financing", "Grant"]
_STATUS = ["active", "Ongoing", "in progress", "completed", "Closed", "planned", "Pipeline", "paused", "On hold", ""]
_COLLAB_KINDS = ["joint product", "Joint publication", "joint programme", "Joint project", "data sharing agreement",
                 "DSA", "co-funding", "Pooled funding", "joint advocacy", "Joint campaign", "peer review partnership",
                 "Reciprocal review"]
_DIMENSIONS = ["sex", "age", "disability", "location", "income", "migratory status", "ethnicity", "education"]


def _some_partners(rng, low: int, high: int) -> list[str]:
    """Between ``low`` and ``high`` different partners, each in one of its spellings."""
    return [rng.choice(group) for group in rng.sample(PARTNERS_SPELLED, rng.randint(low, high))]


def _date_text(rng, d) -> str:
    """A date as people write it: ISO, day-first with a day over 12 (settles the order), or in words."""
    form = rng.randrange(4)
    if form == 1 and d.day > 12:
        return d.strftime("%d/%m/%Y")
    if form == 2:
        return f"{d.day} {d.strftime('%b %Y')}"
    return d.isoformat()


def _csv(header: list[str], rows) -> bytes:
    import csv
    import io

    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue().encode("utf-8")


def _distinct_names(n: int, rng, parts: list[list[str]], fmt) -> list[str]:
    """``n`` distinct names from the product of ``parts`` (shuffled); numbered past the product."""
    import itertools

    combos = list(itertools.product(*parts))
    rng.shuffle(combos)
    return [fmt(*combos[i % len(combos)]) + (f" {i // len(combos) + 1}" if i >= len(combos) else "") for i in range(n)]


def synthetic_partners_csv(n: int, seed: int = 11) -> bytes:
    """``n`` new, distinct partners: organisation types, headquarters and dates as people write them."""
    import random
    from datetime import date

    rng = random.Random(seed)
    names = _distinct_names(n, rng, [_TOPICS, _BODIES, _PLACES], lambda t, b, p: f"{t} {b} of {p}")
    rows = []
    for i, name in enumerate(names):
        slug = "".join(w[0] for w in name.replace("-", " ").split() if w[0].isalpha()).lower()
        collab = rng.choice(["gender", "LNOB", "gender; LNOB", "both", "Gender Data Collaborative", ""])
        joined = _date_text(rng, date.fromordinal(737_800 + rng.randrange(0, 1500))) if collab and i % 2 else ""
        rows.append([name, f"{slug.upper()}{i}" if i % 3 == 0 else "", rng.choice(_ORG_TYPES),
                     rng.choice(COUNTRY_SPELLINGS + ["United States", "USA", "France", "United Kingdom", ""]),
                     (f"https://{slug}{i}.org" if i % 4 else f"www.{slug}{i}.org"),
                     "Works on inclusive data." if i % 5 == 0 else "",
                     collab, joined if "gender" in collab.lower() or collab == "both" else "", "",
                     rng.choice(["", "", "", "Inclusive Data Charter", "Citizen-generated data task team"])])
    return _csv(["name", "acronym", "org_type", "hq", "website", "description", "collaboratives", "joined_gender",
                 "joined_lnob", "task_teams"], rows)


def synthetic_tools_csv(n: int, seed: int = 13) -> bytes:
    """``n`` new, distinct tools owned by the sample's partners (spelled as partners do)."""
    import random

    rng = random.Random(seed)
    names = _distinct_names(n, rng, [_TOPICS, _PRODUCTS, _PLACES], lambda t, p, pl: f"{t} {p} for {pl}")
    rows = []
    for i, name in enumerate(names):
        rows.append([name, rng.choice(_KINDS), rng.choice(_STAGES), "; ".join(_some_partners(rng, 1, 2)),
                     "; ".join(rng.sample([t.lower() for t in _TOPICS], rng.randint(0, 3))),
                     "; ".join(rng.sample(_DIMENSIONS, rng.randint(0, 3))),
                     f"https://example.org/tools/{i}" if i % 2 else "", str(rng.randint(2005, 2026)) if i % 3 else "",
                     "A tool for partner countries." if i % 4 == 0 else ""])
    return _csv(["name", "kind", "stage", "owners", "topics", "lnob_dimensions", "website", "launched_year",
                 "description"], rows)


def synthetic_programmes_csv(n: int, seed: int = 17) -> bytes:
    """``n`` country programmes of the sample's partners, countries and tools, in varied spellings."""
    import random
    from datetime import date, timedelta

    rng = random.Random(seed)
    rows = []
    for i in range(n):
        start = date.fromordinal(737_500 + rng.randrange(0, 2600))
        end = start + timedelta(days=rng.randrange(90, 1100)) if i % 3 else None
        rows.append([rng.choice(PARTNER_SPELLINGS), rng.choice(COUNTRY_SPELLINGS),
                     rng.choice(TOOL_SPELLINGS) if i % 2 else "", rng.choice(_SUPPORT),
                     rng.choice(_TOPICS).lower() if i % 4 else "", _date_text(rng, start),
                     _date_text(rng, end) if end else "", rng.choice(_STATUS),
                     "Support to the national statistical office." if i % 5 == 0 else ""])
    # one unambiguous day-first date settles the order of the file's dd/mm dates
    rows[-1:] = [["PARIS21", "Kenya", "", "training", "", "25/12/2025", "", "active", ""]]
    return _csv(["partner", "country", "tool", "support_type", "topic", "start_date", "end_date", "status", "notes"], rows)


def synthetic_collaborations_csv(n: int, seed: int = 19) -> bytes:
    """``n`` distinct collaborations of two or three of the sample's partners."""
    import random
    from datetime import date

    rng = random.Random(seed)
    titles = _distinct_names(n, rng, [["Joint", "Shared", "Common", "Co-developed"], _PRODUCTS, _TOPICS, _PLACES],
                             lambda a, p, t, pl: f"{a} {p.lower()} on {t.lower()} data in {pl}")
    rows = []
    for i, title in enumerate(titles):
        partners = _some_partners(rng, 2, 3)
        sep = rng.choice(["; ", "; ", ", ", " and "])
        rows.append([title, rng.choice(_COLLAB_KINDS), sep.join(partners),
                     _date_text(rng, date.fromordinal(738_000 + rng.randrange(0, 1000))), "",
                     "Grew out of a knowledge exchange." if i % 4 == 0 else ""])
    rows[-1:] = [["Closing joint review", "peer review", "PARIS21; ODW", "25/12/2025", "", ""]]
    return _csv(["title", "kind", "partners", "started_date", "origin_activity", "description"], rows)


def synthetic_targets_csv(n: int, seed: int = 23) -> bytes:
    """KPI targets: every KPI for years, quarters and half-years (ids, names and period spellings
    vary); past the distinct KPI-period pairs, rows repeat a pair (reported, not written)."""
    import random

    from collab_data.metrics import KPIS

    rng = random.Random(seed)
    kpis = [(k, v.name) for k, v in KPIS.items()]
    periods = []
    for year in range(2020, 2036):
        periods += [str(year), f"H1 {year}", f"{year}-H2", *(rng.choice([f"{year}-Q{q}", f"Q{q} {year}"]) for q in (1, 2, 3, 4))]
    pairs = [(k, p) for k in kpis for p in periods]
    rng.shuffle(pairs)
    rows = []
    for i in range(n):
        (kid, name), period = pairs[i % len(pairs)]
        rows.append([rng.choice([kid, name, name.upper()]), period, str(rng.randint(1, 95)),
                     "Agreed at the plenary" if i % 6 == 0 else ""])
    return _csv(["kpi", "period", "target", "notes"], rows)


@dataclass(frozen=True)
class Importer:
    """How the bench imports one record type: a generated file of ``n`` rows, the read and
    validation (returns the plan), the write (returns the batch id), and the rows a plan
    would write."""

    name: str
    make: Callable[[int], bytes]
    validate: Callable
    write: Callable
    to_write: Callable
    #: What the database needs before the timed run (registered partners, an earlier import),
    #: as ``prepare(db, n)``; not timed.
    prepare: Callable | None = None


def _admin():
    from collab_data.ingest.activities import Editor

    return Editor("bench", None)


def _activities_importer() -> Importer:
    from collab_data.ingest import activities as A

    return Importer("activities", synthetic_activities_csv,
                    lambda db, data, name, today: A.validate(data, name, db, editor=_admin(), today=today),
                    lambda db, plan: A.import_activities(db, plan, editor=_admin()),
                    lambda plan: plan.counts()["rows to import"])


def _record_importer(name: str, module_name: str, make: Callable[[int], bytes]) -> Importer | None:
    """A record type of :mod:`collab_data.records` with ``validate_file`` and a writer; None
    while its module does not exist yet."""
    import importlib

    try:
        module = importlib.import_module(f"collab_data.records.{module_name}")
    except ImportError:
        return None
    writer = getattr(module, "write", None) or getattr(module, "register", None)
    if not hasattr(module, "validate_file") or writer is None:
        return None
    if module_name == "partners":
        return Importer(name, make, lambda db, data, fn, today: module.validate_file(data, fn, db, today=today),
                        lambda db, plan: module.register(db, plan, editor="bench", kind="upload"),
                        lambda plan: plan.counts()["to write"])
    return Importer(name, make,
                    lambda db, data, fn, today: module.validate_file(data, fn, db, today=today, editor=_admin()),
                    lambda db, plan: writer(db, plan, editor=_admin()), lambda plan: plan.counts()["to write"])


def synthetic_iati_xml(n: int) -> bytes:
    """An IATI activity file of ``n`` activities (see :func:`collab_data.records.iati.synthetic_xml`)."""
    from collab_data.records.iati import synthetic_xml

    return synthetic_xml(n)


def _programme_source_importer(name: str, make: Callable[[int], bytes], prepare: Callable | None,
                               filename: str) -> Importer:
    """Programme files through the one entry for every format (IATI, 3W): detect, validate, write."""
    from collab_data.records import programme_sources as PS

    return Importer(name, make,
                    lambda db, data, fn, today: PS.validate(data, filename, db, today=today, editor=_admin()),
                    lambda db, plan: PS.write(db, plan, editor=_admin()), lambda plan: plan.counts()["to write"],
                    prepare)


def _iati_import_first(db, n: int) -> None:
    """The first version of the IATI file, imported, so that the timed run is a re-import."""
    from collab_data import clock
    from collab_data.records import iati

    iati.write(db, iati.validate_file(synthetic_iati_xml(n), "first.xml", db, today=clock.today(), editor=_admin()),
               editor=_admin())


def synthetic_iati_update_xml(n: int) -> bytes:
    """The same ``n`` activities as :func:`synthetic_iati_xml`, in a newer version: about half
    of them with a later end date, a third with another status or country share."""
    from collab_data.records.iati import synthetic_xml

    return synthetic_xml(n, revision=1)


#: Organisations of the generated 3W sheet (the issue's bar: 5,000 rows, 700 organisations).
THREEW_ORGS = 700
_3W_SECTORS = ["Protection", "Education", "Health", "Food Security", "WASH", "Nutrition", "Shelter", "Early Recovery",
               "Logistics", "Coordination"]
_3W_ACTIVITIES = ["needs assessment", "household survey", "training of enumerators", "data collection", "advocacy",
                  "technical support", "capacity building", "cash transfers", "monitoring", ""]
_3W_COUNTRIES = {"Chad": ["Lac", "Ouaddaï", "Logone Oriental", "Sila", "Wadi Fira", "N'Djamena", "Mandoul", "Salamat"],
                 "NER": ["Tillabéri", "Diffa", "Maradi", "Agadez", "Zinder", "Tahoua"],
                 "Mali": ["Mopti", "Gao", "Tombouctou", "Ségou", "Kayes", "Ménaka"],
                 "Burkina Faso": ["Sahel", "Nord", "Est", "Centre-Nord", "Boucle du Mouhoun"],
                 "Nigeria": ["Borno", "Yobe", "Adamawa", "Sokoto", "Zamfara"]}


def _threew_organisations(orgs: int = THREEW_ORGS) -> list[tuple[str, str]]:
    """(name, acronym) of the generated 3W sheet's organisations (the bench registers them first)."""
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(synthetic_partners_csv(orgs, seed=29).decode("utf-8"))))
    return [(r["name"], r["acronym"]) for r in rows]


def _threew_register(db, n: int) -> None:
    """Register the sheet's organisations as partners (one batch), as an administrator would have."""
    from collab_data import clock
    from collab_data.records import partners as P

    plan = P.validate_file(synthetic_partners_csv(THREEW_ORGS, seed=29), "partners.csv", db, today=clock.today())
    P.register(db, plan, editor="bench", kind="upload")


def synthetic_threew_csv(n: int, seed: int = 31, orgs: int = THREEW_ORGS) -> bytes:
    """A 3W sheet of ``n`` rows: a header row, the HXL hashtag row, then one row per
    organisation, sub-national area and sector (each organisation in one or two countries
    and several areas), organisations written by name, acronym or "Name (ACRONYM)"."""
    import random
    from datetime import date

    rng = random.Random(seed)
    names = _threew_organisations(orgs)
    where = {}
    for i, _ in enumerate(names):
        where[i] = rng.sample(list(_3W_COUNTRIES), rng.choice([1, 1, 2]))
    rows = []
    for r in range(n):
        i = r % len(names)
        name, acr = names[i]
        country = rng.choice(where[i])
        shown = name if not acr or r % 3 else f"{name} ({acr})"
        start = date(2024 + (i % 3), 1 + i % 12, 1)
        end = date(start.year + 2, 12, 31) if r % 4 else None
        rows.append([shown, acr, country, rng.choice(_3W_COUNTRIES[country]), f"District {rng.randint(1, 9)}",
                     rng.choice(_3W_SECTORS), rng.choice(_3W_ACTIVITIES), start.isoformat(),
                     end.isoformat() if end else "", rng.choice(["Ongoing", "Active", "Completed", "Planned", ""]),
                     "duplicate suspected" if r % 97 == 0 else ""])
    header = ["Organisation", "Org acronym", "Country", "Admin1", "Admin2", "Sector", "Activity", "Start date",
              "End date", "Status", "Data quality warning"]
    tags = ["#org+name", "#org+acronym", "#country+name", "#adm1+name", "#adm2+name", "#sector", "#activity",
            "#date+start", "#date+end", "#status", "#meta+warning"]
    return _csv(header, [tags, *rows])


#: Record type -> a factory of its Importer (None when its module is not there). A new record
#: type registers here: a generator of a realistic file, and its module's validate and write.
IMPORTERS: dict[str, Callable[[], Importer | None]] = {
    "activities": _activities_importer,
    "partners": lambda: _record_importer("partners", "partners", synthetic_partners_csv),
    "tools": lambda: _record_importer("tools", "tools", synthetic_tools_csv),
    "programmes": lambda: _record_importer("programmes", "programmes", synthetic_programmes_csv),
    "collaborations": lambda: _record_importer("collaborations", "collaborations", synthetic_collaborations_csv),
    "targets": lambda: _record_importer("targets", "targets", synthetic_targets_csv),
    "iati": lambda: _record_importer("iati", "iati", synthetic_iati_xml),
    "iati-update": lambda: _programme_source_importer("iati-update", synthetic_iati_update_xml, _iati_import_first,
                                                      "activities-updated.xml"),
    "threew": lambda: _programme_source_importer("threew", synthetic_threew_csv, _threew_register, "3w.csv"),
}


class _PeakRSS:
    """The process's peak resident memory while the block runs, sampled by a thread (psutil);
    without psutil, the process's lifetime peak (resource)."""

    def __init__(self, every: float = 0.005):
        self.every, self.peak, self.start = every, 0, 0
        self._stop = None

    def _rss(self) -> int:
        return self._proc.memory_info().rss

    def __enter__(self) -> _PeakRSS:
        import threading

        try:
            import psutil
        except ImportError:
            self._proc = None
            return self
        self._proc = psutil.Process()
        self.start = self.peak = self._rss()
        self._stop = threading.Event()

        def sample():
            while not self._stop.is_set():
                self.peak = max(self.peak, self._rss())
                self._stop.wait(self.every)

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._proc is None:
            import resource

            self.peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            return
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())


def bench_import_types(types: list[str], sizes: list[int], *, db: Path | None = None) -> list[dict]:
    """For each record type and file size: generate the file (seeded), then time read+validate
    and the write apart, on a fresh copy of the sample database (of ``db`` when given; the
    original is never written), with the peak resident memory of the process meanwhile."""
    import gc
    import shutil

    from collab_data import clock
    from collab_data.build import build
    from collab_data.db import Database

    work = Path(tempfile.mkdtemp(prefix="collab-bench-"))
    base = work / "base.duckdb"
    if db is None:
        build(base, sample=True)
    else:
        shutil.copy(db, base)
    today = clock.today()
    out = []
    for kind in types:
        importer = IMPORTERS[kind]()
        if importer is None:
            out.append({"type": kind, "rows": 0, "missing": True})
            continue
        for n in sizes:
            data = importer.make(n)
            path = work / f"{kind}-{n}.duckdb"
            shutil.copy(base, path)
            database = Database(path)
            if importer.prepare is not None:
                importer.prepare(database, n)
            gc.collect()
            with _PeakRSS() as mem:
                t0 = time.perf_counter()
                plan = importer.validate(database, data, f"bench-{kind}-{n}.csv", today)
                t1 = time.perf_counter()
                to_write = importer.to_write(plan)
                written, refused = 0, None
                if to_write:
                    try:
                        batch = importer.write(database, plan)
                    except Exception as exc:  # noqa: BLE001 - a bench reports a refused write and goes on
                        refused = f"{type(exc).__name__}: {exc}"
                    else:
                        written = database.scalar("SELECT rows_imported FROM import_batches WHERE batch_id = ?",
                                                  [batch])
                t2 = time.perf_counter()
            counts = plan.counts()
            database.close()
            path.unlink(missing_ok=True)
            out.append({"type": kind, "rows": counts["rows read"], "bytes": len(data), "validate_s": t1 - t0, "write_s": t2 - t1,
                        "written": written, "refused": refused, "errors": counts.get("error", 0),
                        "warnings": counts.get("warning", 0),
                        "peak_mb": mem.peak / 1e6, "growth_mb": (mem.peak - mem.start) / 1e6 if mem.start else None})
    shutil.rmtree(work, ignore_errors=True)
    return out


def format_import_types(rows: list[dict]) -> str:
    lines = [f"{'type':<15}{'rows':>8}{'file':>9}{'read+validate':>15}{'rows/s':>9}{'write':>9}{'rows/s':>9}"
             f"{'written':>9}{'errors':>8}{'warnings':>10}{'peak RSS':>10}{'growth':>9}"]
    for r in rows:
        if r.get("missing"):
            lines.append(f"{r['type']:<15}  (no importer: its module is not there yet)")
            continue
        vps = r["rows"] / r["validate_s"] if r["validate_s"] else 0
        wps = r["written"] / r["write_s"] if r["write_s"] and r["written"] else 0
        growth = f"{r['growth_mb']:>7.0f}MB" if r["growth_mb"] is not None else f"{'—':>9}"
        lines.append(f"{r['type']:<15}{r['rows']:>8,}{r['bytes'] / 1e6:>7.2f}MB{r['validate_s']:>14.2f}s{vps:>9,.0f}"
                     f"{r['write_s']:>8.2f}s{wps:>9,.0f}{r['written']:>9,}{r['errors']:>8,}{r['warnings']:>10,}"
                     f"{r['peak_mb']:>8.0f}MB{growth}")
        if r.get("refused"):
            lines.append(f"{'':<15}the write was refused: {r['refused'][:150]}")
    lines.append("read+validate: reading, column matching and every row's checks; write: one batch through the "
                 "single write path. Peak RSS: the whole process while the type ran; growth: above its start.")
    return "\n".join(lines)
