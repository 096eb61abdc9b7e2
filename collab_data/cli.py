"""Command line: ``python -m collab_data <command> ...``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from collab_data.db import DATA_DIR, default_path


def _cmd_build(args: argparse.Namespace) -> int:
    from collab_data.build import BuildRefused, build
    from collab_data.sources import SourceError

    target = Path(args.db) if args.db else default_path()
    try:
        report = build(target, data_dir=args.data, sample=not args.no_sample, force=args.force,
                       progress=lambda step, _f: print(f"... {step}", file=sys.stderr))
    except BuildRefused as exc:
        print(f"error: nothing was changed: {exc}", file=sys.stderr)
        return 2
    except SourceError as exc:
        print(f"error: the build stopped, nothing was written: {exc}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    return 0


def _cmd_refresh(args: argparse.Namespace) -> int:
    from collab_data.build import BuildRefused, refresh
    from collab_data.db import WriteRejected
    from collab_data.sources import SourceError

    target = Path(args.db) if args.db else default_path()
    try:
        report = refresh(target, data_dir=args.data, progress=lambda step, _f: print(f"... {step}", file=sys.stderr))
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (BuildRefused, WriteRejected, SourceError) as exc:
        print(f"error: the refresh stopped, the database is as it was: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - DuckDB's lock error names the other process
        print(f"error: the refresh stopped, the database is as it was: {exc}\n(is the app running? stop it first)",
              file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    return 0


def _cmd_backup(args: argparse.Namespace) -> int:
    from collab_data.backup import backup

    db = _open_db(args)
    report = backup(db, args.out)
    print("\n".join(report.lines()))
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    from collab_data.backup import BackupError, restore
    from collab_data.sources import SourceError

    try:
        report = restore(args.file, args.db, data_dir=args.data)
    except (BackupError, SourceError) as exc:
        print(f"error: nothing was restored: {exc}", file=sys.stderr)
        return 2
    print(f"Restored {args.file} into {report.path} in {report.seconds:.2f} s")
    print("\n".join(f"{t:<26}{n:>8,}" for t, n in report.counts.items()))
    return 0


def _cmd_remove_sample(args: argparse.Namespace) -> int:
    from collab_data.db import WriteRejected

    db = _open_db(args)
    try:
        deleted = db.remove_sample(by=args.editor)
    except WriteRejected as exc:
        print(f"error: nothing was removed: {exc}", file=sys.stderr)
        return 1
    print("removed the sample records: " + ", ".join(f"{n} from {t}" for t, n in deleted.items()))
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from collab_data import bench

    if args.what == "scale":
        return _bench_scale(args)
    if args.what == "import" and args.type:
        types = list(bench.IMPORTERS) if args.type == "all" else [args.type]
        sizes = args.rows or [10_000]
        print(f"{', '.join(types)}: {', '.join(f'{n:,}' for n in sizes)} row(s) each, on a copy of "
              f"{Path(args.db).name if args.db else 'a fresh sample database'}", flush=True)
        print(bench.format_import_types(bench.bench_import_types(types, sizes, db=Path(args.db) if args.db else None)))
        return 0
    if args.what == "import":
        print(bench.format_import(bench.bench_import(args.rows or [10_000, 100_000])))
        return 0
    db = Path(args.db) if args.db else bench.default_bench_db()
    if args.what == "load":
        from collab_data import loadtest

        print(loadtest.format_load(loadtest.run_load(db, sessions=args.sessions, rounds=args.rounds,
                                                     rows=(args.rows or [500])[0])))
        return 0
    if args.what == "naive":
        from collab_data import naive

        print(naive.format_naive(naive.bench_naive(db, repeat=min(args.repeat, 3)), db.name))
        return 0
    if args.what == "browser":
        from collab_data import loadtest

        reports = [loadtest.run_browser(db, country=args.country, pages=args.pages, warm=not args.no_warm)
                   for _ in range(max(1, args.rounds))]
        print(loadtest.format_browser(loadtest.median_of_rounds(reports)))
        return 0
    if args.what == "pages":
        rows = bench.bench_pages(db, repeat=args.repeat, timeout=args.timeout, isolate=True)
        print(f"database: {db.name}, {args.repeat} warm reruns per page")
        print(bench.format_pages(rows))
    return 0


def _cmd_warm(args: argparse.Namespace) -> int:
    import tempfile

    from collab_data import bench, clock, warmup
    from collab_data.build import build

    if not args.record:
        calls = warmup.load_calls()
        print(f"{len(calls)} calls in {warmup.CALLS_FILE.name} (worked out at server start; COLLAB_WARM=0 turns "
              "the warm-up off). Record them again with --record.")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.db) if args.db else Path(tmp) / "sample.duckdb"
        if not args.db:
            build(db)
        calls = warmup.record(db, bench.PAGES)
    warmup.save_calls(calls, today=clock.today_or_real()[0])
    print(f"recorded {len(calls)} calls of {len(bench.PAGES)} pages into {warmup.CALLS_FILE.name}")
    return 0


def _bench_scale(args: argparse.Namespace) -> int:
    from collab_data.scale import ScaleRefused, scale

    if not args.db:
        print("error: give --db PATH for the grown database (kept outside the repository)", file=sys.stderr)
        return 2
    try:
        report = scale(args.db, args.factor, source=args.source, programme_density=args.programme_density,
                       link_density=args.link_density, force=args.force)
    except ScaleRefused as exc:
        print(f"error: nothing was written: {exc}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    return 1 if report.problems else 0


def _open_db(args: argparse.Namespace):
    from collab_data.db import Database

    path = Path(args.db) if args.db else default_path()
    if not path.exists():
        print(f"error: no database at {path}; build it first with: python -m collab_data build", file=sys.stderr)
        raise SystemExit(2)
    try:
        return Database(path)
    except Exception as exc:  # noqa: BLE001 - DuckDB's lock error names the other process
        print(f"error: cannot open {path}: {exc}\n(is the app running? stop it first)", file=sys.stderr)
        raise SystemExit(2) from exc


def _import_records(args: argparse.Namespace, plan, write, noun: str, done: str) -> int:
    """Print a validated plan's findings and summary, then write it (unless --dry-run)."""
    from collab_data.db import WriteRejected

    _print_findings(plan)
    counts = plan.counts()
    verb = "register" if done == "registered" else "import"
    print(f"rows read {counts['rows read']}, to {verb} {counts['to write']}, not {done} "
          f"{counts['rows not written']}; findings: {counts['critical']} critical, {counts['error']} error, "
          f"{counts['warning']} warning")
    if plan.critical or not plan.records:
        print(f"nothing {done}", file=sys.stderr)
        return 1
    if args.dry_run:
        print("dry run: nothing written")
        return 0
    try:
        batch = write(plan)
    except WriteRejected as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{done} {len(plan.records)} {noun} as batch {batch}")
    return 0


def _import_partners(args: argparse.Namespace, data: bytes, name: str) -> int:
    from collab_data import clock
    from collab_data.records import partners as P

    if args.partner:
        print("error: partners are registered by an administrator: leave out --partner", file=sys.stderr)
        return 2
    db = _open_db(args)
    plan = P.validate_file(data, name, db, today=clock.today())
    return _import_records(args, plan, lambda p: P.register(db, p, editor=args.editor, kind="upload"), "partners",
                           "registered")


def _import_programmes(args: argparse.Namespace, data: bytes, name: str) -> int:
    from collab_data import clock
    from collab_data.ingest.activities import Editor
    from collab_data.records import programme_sources as PS

    if getattr(args, "register_unknown", False) and args.partner:
        print("error: partners are registered by an administrator: leave out --partner to use --register-unknown",
              file=sys.stderr)
        return 2
    db = _open_db(args)
    editor = Editor(args.editor, args.partner)

    def validate():
        return PS.validate(data, name, db, today=clock.today(), editor=editor, roles=getattr(args, "roles", None),
                           country=getattr(args, "country", None))

    plan = validate()
    unknown = PS.unknown_organisations(plan)
    if unknown and getattr(args, "register_unknown", False) and not plan.critical:
        if args.dry_run:
            print(f"dry run: {len(unknown)} organisation(s) would be registered as partners first: "
                  + "; ".join(o["name"] or o["shown"] for o in unknown))
        else:
            from collab_data.db import WriteRejected

            try:
                batch, done, skipped = PS.register_unknown(db, plan, editor=args.editor, today=clock.today())
            except WriteRejected as exc:
                print(f"error: the organisations were not registered, nothing was written: {exc}", file=sys.stderr)
                return 1
            for pid, org_name, kind, read, close in done:
                print(f"registered partner '{pid}': {org_name} ({kind}" + ("" if read else ", type not in the file: check it")
                      + (f"; close to the registered {close}: check it is another organisation" if close else "")
                      + ")")
            for org_name, reason in skipped:
                print(f"not registered: {org_name} ({reason})")
            if batch is not None:
                print(f"registered {len(done)} partner(s) as batch {batch}; the file is checked again")
                plan = validate()
                unknown = PS.unknown_organisations(plan)
    rc = _import_records(args, plan, lambda p: PS.write(db, p, editor=editor), "programmes", "imported")
    if unknown:
        print(f"{len(unknown)} organisation(s) match no partner (their rows or activities are not imported):")
        for org in unknown:
            print(f"  {org['shown']}" + (f" [{org['iati_org_id']}]" if org.get("iati_org_id") else "")
                  + f": {org['rows']} row(s)" + (f"; did you mean {' or '.join(org['suggestions'])}?"
                                                  if org.get("suggestions") else ""))
        if not getattr(args, "register_unknown", False):
            print("an administrator can register them in the same run with --register-unknown (or on the Manage "
                  "records page)")
    return rc


def _import_record_kind(args: argparse.Namespace, data: bytes, name: str) -> int:
    """Collaborations, KPI targets (administrators only: no --partner) or tools."""
    from collab_data import clock
    from collab_data.ingest.activities import Editor
    from collab_data.records import collaborations as C
    from collab_data.records import targets as RT
    from collab_data.records import tools as T

    if args.kind == "targets" and args.partner:
        print("error: KPI targets are set by an administrator: leave out --partner", file=sys.stderr)
        return 2
    module, noun = {"collaborations": (C, "collaborations"), "targets": (RT, "targets"), "tools": (T, "tools")}[args.kind]
    db = _open_db(args)
    editor = Editor(args.editor, args.partner)
    plan = module.validate_file(data, name, db, today=clock.today(), editor=editor)
    return _import_records(args, plan, lambda p: module.write(db, p, editor=editor), noun, "imported")


def _cmd_import(args: argparse.Namespace) -> int:
    import json

    from collab_data.db import WriteRejected
    from collab_data.ingest import activities as A

    src = Path(args.file)
    try:
        data = src.read_bytes()
    except OSError as exc:
        print(f"error: cannot read {src}: {exc.strerror}", file=sys.stderr)
        return 2
    if args.kind == "partners":
        return _import_partners(args, data, src.name)
    if args.kind == "programmes":
        return _import_programmes(args, data, src.name)
    if args.kind in ("collaborations", "targets", "tools"):
        return _import_record_kind(args, data, src.name)
    mapping = None
    if args.mapping:
        try:
            mapping = json.loads(Path(args.mapping).read_text(encoding="utf-8")) if Path(args.mapping).exists() \
                else json.loads(args.mapping)
        except (OSError, json.JSONDecodeError) as exc:
            print(f"error: --mapping must be a JSON object or a JSON file ({exc})", file=sys.stderr)
            return 2
    db = _open_db(args)
    editor = A.Editor(args.editor, args.partner)
    plan = A.validate(data, src.name, db, editor=editor, mapping=mapping)
    _print_findings(plan)
    counts = plan.counts()
    print("mapping: " + ", ".join(f"{k} <- {v!r}" for k, v in plan.mapping.items()))
    print(f"rows read {counts['rows read']}, to import {counts['rows to import']}, dropped {counts['rows dropped']}; "
          f"findings: {counts['critical']} critical, {counts['error']} error, {counts['warning']} warning")
    if plan.critical or not plan.records:
        print("nothing imported", file=sys.stderr)
        return 1
    if args.dry_run:
        print("dry run: nothing written")
        return 0
    try:
        batch = A.import_activities(db, plan, editor=editor)
    except WriteRejected as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"imported {len(plan.records)} activities as batch {batch}")
    return 0


def _print_findings(plan) -> None:
    """Every finding of a validated file, one line each (row, column, value, message, fix)."""
    findings = plan.findings_frame()
    if not findings.empty:
        findings["row"] = findings["row"].astype(object).where(findings["row"].notna(), "—")  # the whole file
        with pd_options():
            print(findings.to_string(index=False, max_colwidth=70, na_rep="—"))
        print()


def pd_options():
    import pandas as pd

    return pd.option_context("display.width", 200, "display.max_rows", 500)


def _cmd_template(args: argparse.Namespace) -> int:
    from collab_data.ingest import activities as A
    from collab_data.records import collaborations as C
    from collab_data.records import partners as P
    from collab_data.records import programmes as PR
    from collab_data.records import targets as RT
    from collab_data.records import tools as T

    module = {"partners": P, "programmes": PR, "tools": T, "collaborations": C, "targets": RT}.get(args.kind, A)
    data = (module.template_xlsx if args.xlsx else module.template_csv)(example=args.example)
    if args.out:
        Path(args.out).write_bytes(data)
        print(f"wrote {args.out} ({len(data):,} bytes)", file=sys.stderr)
    elif args.xlsx and sys.stdout.isatty():
        print("error: an Excel workbook is not text: give --out FILE.xlsx (or redirect the output)", file=sys.stderr)
        return 2
    elif args.xlsx:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(data.decode("utf-8"))
    return 0


def _cmd_batches(args: argparse.Namespace) -> int:
    db = _open_db(args)
    frame = db.query("SELECT batch_id, kind, source, editor, created_at, rows_read, rows_imported, rows_skipped, status, "
                     "undone_at, undone_by FROM import_batches ORDER BY batch_id")
    with pd_options():
        print(frame.to_string(index=False, na_rep=""))
    return 0


def _cmd_undo(args: argparse.Namespace) -> int:
    from collab_data.db import WriteRejected

    db = _open_db(args)
    try:
        deleted = db.undo_batch(args.batch_id, by=args.editor)
    except WriteRejected as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"undid batch {args.batch_id}: " + (", ".join(f"{n} from {t}" for t, n in deleted.items()) or "no rows"))
    return 0


def _cmd_passcode(args: argparse.Namespace) -> int:
    import getpass

    from collab_data.auth import hash_passcode

    code = args.passcode if args.passcode is not None else getpass.getpass("New editor passcode: ")
    if len(code) < 10:
        print("error: use a passcode of at least 10 characters", file=sys.stderr)
        return 2
    print(f'passcode_hash = "{hash_passcode(code)}"')
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m collab_data", description="Collaborative Data Dashboard tools")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="build the database from data/ (refuses to replace uploads or edits)")
    p.add_argument("--db", help="database file (default: $COLLAB_DB or data/collab.duckdb)")
    p.add_argument("--data", default=str(DATA_DIR), help="folder with the source files (default: data/)")
    p.add_argument("--no-sample", action="store_true", help="real reference and LNOB data only, no sample records")
    p.add_argument("--force", action="store_true",
                   help="replace a database that holds uploads or edits (a copy of it is kept first)")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("backup", help="write every record, batch and history row to a zip of CSV files")
    p.add_argument("--db", help="database file (default: $COLLAB_DB or data/collab.duckdb)")
    p.add_argument("--out", required=True, help="the zip file to write")
    p.set_defaults(func=_cmd_backup)

    p = sub.add_parser("restore", help="make a new database from the bundled files and a backup zip")
    p.add_argument("file", help="the backup zip")
    p.add_argument("--db", required=True, help="the new database file (must not exist)")
    p.add_argument("--data", default=str(DATA_DIR), help="folder with the source files (default: data/)")
    p.set_defaults(func=_cmd_restore)

    p = sub.add_parser("remove-sample", help="delete every sample record and nothing else")
    p.add_argument("--db", help="database file (default: $COLLAB_DB or data/collab.duckdb)")
    p.add_argument("--editor", default="command line", help="who removes it (kept with the batch)")
    p.set_defaults(func=_cmd_remove_sample)

    p = sub.add_parser("refresh", help="reload the bundled reference and LNOB files, keeping every record")
    p.add_argument("--db", help="database file (default: $COLLAB_DB or data/collab.duckdb)")
    p.add_argument("--data", default=str(DATA_DIR), help="folder with the source files (default: data/)")
    p.set_defaults(func=_cmd_refresh)

    p = sub.add_parser("import", help="validate and import a file of records (activities, partners, programmes, "
                                      "collaborations, KPI targets, tools)")
    p.add_argument("kind", choices=["activities", "partners", "programmes", "collaborations", "targets", "tools"])
    p.add_argument("file")
    p.add_argument("--db", help="database file (default: $COLLAB_DB or data/collab.duckdb)")
    p.add_argument("--mapping", help='JSON object (or file) our field -> file column, e.g. {"partners": "Org"}')
    p.add_argument("--editor", default="cli", help="name recorded with the import batch")
    p.add_argument("--partner", help="import as this partner's editor (rows must include it); default: admin")
    p.add_argument("--dry-run", action="store_true", help="validate and print the findings, write nothing")
    p.add_argument("--roles", help="programmes from an IATI file: the organisation roles whose partners get the "
                                   "programme (reporting, funding, accountable, extending, implementing; default "
                                   "reporting,implementing)")
    p.add_argument("--country", help="programmes from a 3W sheet: the country it covers, when the sheet does not say")
    p.add_argument("--register-unknown", action="store_true",
                   help="programmes (administrators): register the organisations that match no partner as partners "
                        "first (one batch, each printed; not those close to a registered partner), then import")
    p.set_defaults(func=_cmd_import)

    p = sub.add_parser("template", help="print a CSV template (or a filled example); --xlsx for an Excel workbook")
    p.add_argument("kind", choices=["activities", "partners", "programmes", "tools", "collaborations", "targets"])
    p.add_argument("--example", action="store_true", help="a filled example instead of the header alone")
    p.add_argument("--xlsx", action="store_true", help="an Excel workbook (a data sheet and a Help sheet)")
    p.add_argument("--out", help="write to this file instead of the standard output")
    p.set_defaults(func=_cmd_template)

    p = sub.add_parser("batches", help="list import batches")
    p.add_argument("--db")
    p.set_defaults(func=_cmd_batches)

    p = sub.add_parser("undo", help="undo one import batch")
    p.add_argument("batch_id", type=int)
    p.add_argument("--db")
    p.add_argument("--editor", default="cli", help="name recorded with the undo")
    p.set_defaults(func=_cmd_undo)

    p = sub.add_parser("passcode", help="print the salted hash of an editor passcode, for secrets.toml")
    p.add_argument("--passcode", help="the passcode (default: asked without echo)")
    p.set_defaults(func=_cmd_passcode)

    p = sub.add_parser("warm", help="the default views worked out at server start (see collab_data/warmup.py)")
    p.add_argument("--record", action="store_true",
                   help="run every page with no filters and record the calls it makes (a test checks the list)")
    p.add_argument("--db", help="record on this database (default: a fresh sample build)")
    p.set_defaults(func=_cmd_warm)

    p = sub.add_parser("bench", help="measure page load times (not a test: prints timings)")
    p.add_argument("what", choices=["pages", "browser", "naive", "import", "load", "scale"],
                   help="what to measure: page loads (AppTest), each page in Chromium (first load, reload, a "
                        "country filter change), each page's view done the naive pandas way against ours, imports, or many "
                        "browser sessions while an editor imports; "
                        "scale: make a copy of the sample grown --factor times at --db")
    p.add_argument("--no-warm", action="store_true",
                   help="browser: the server does not warm its cache at start (every first load from cold)")
    p.add_argument("--country", default="Kenya", help="browser: the country picked in the filter (default Kenya)")
    p.add_argument("--pages", nargs="*", help="browser: only these pages (overview kpis partners overlap network "
                                               "activities countries brief gaps meeting manage)")
    p.add_argument("--sessions", type=int, default=20, help="load: browsing sessions at once (default 20)")
    p.add_argument("--rounds", type=int, default=2, help="load: rounds through every page per session; browser: servers started, the figures "
                        "being the median of the rounds (default 2)")
    p.add_argument("--rows", type=int, nargs="*",
                   help="import: file sizes in rows (default 10000 100000; with --type, 10000); load: the "
                        "editor's file (default 500)")
    p.add_argument("--type", choices=["activities", "partners", "tools", "programmes", "collaborations", "targets", "iati",
                                      "iati-update", "threew", "all"],
                   help="import: the record type (read+validate and write timed apart; 'all': every type); "
                        "iati-update: re-import of an updated IATI file; threew: a 3W sheet with an HXL row and "
                        "700 organisations")
    p.add_argument("--db", help="database to measure on (default: a fresh sample build in a temp folder)")
    p.add_argument("--repeat", type=int, default=5, help="warm reruns per page (default 5)")
    p.add_argument("--timeout", type=float, default=120, help="pages: seconds before a page run is given up (default 120)")
    p.add_argument("--factor", type=int, default=10, help="scale: how many times to grow the records (default 10)")
    p.add_argument("--source", help="scale: the database to grow a copy of (default: a fresh sample build)")
    p.add_argument("--programme-density", type=float, default=1.0,
                   help="scale: programmes grow factor x this (1..factor; the issue's 100x shape: 4.2)")
    p.add_argument("--link-density", type=float, default=1.0,
                   help="scale: activity-partner links grow factor x this (1..factor; the issue's 100x shape: 3.5)")
    p.add_argument("--force", action="store_true", help="scale: replace the file at --db")
    p.set_defaults(func=_cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    from collab_data.db import DatabaseUnreadable

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DatabaseUnreadable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
