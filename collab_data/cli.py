"""Command line: ``python -m collab_data <command> ...``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from collab_data.db import DATA_DIR, default_path


def _cmd_build(args: argparse.Namespace) -> int:
    from collab_data.build import build
    from collab_data.sources import SourceError

    target = Path(args.db) if args.db else default_path()
    try:
        report = build(target, data_dir=args.data, sample=not args.no_sample, progress=lambda step, _f: print(f"... {step}", file=sys.stderr))
    except SourceError as exc:
        print(f"error: the build stopped, nothing was written: {exc}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from collab_data import bench

    db = Path(args.db) if args.db else bench.default_bench_db()
    if args.what == "pages":
        rows = bench.bench_pages(db, repeat=args.repeat)
        print(f"database: {db.name}, {args.repeat} warm reruns per page")
        print(bench.format_pages(rows))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m collab_data", description="Collaborative Data Dashboard tools")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="build the database from data/ (replaces the file)")
    p.add_argument("--db", help="database file (default: $COLLAB_DB or data/collab.duckdb)")
    p.add_argument("--data", default=str(DATA_DIR), help="folder with the source files (default: data/)")
    p.add_argument("--no-sample", action="store_true", help="real reference and LNOB data only, no sample records")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("bench", help="measure page load times (not a test: prints timings)")
    p.add_argument("what", choices=["pages"], help="what to measure")
    p.add_argument("--db", help="database to measure on (default: a fresh sample build in a temp folder)")
    p.add_argument("--repeat", type=int, default=5, help="warm reruns per page (default 5)")
    p.set_defaults(func=_cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
