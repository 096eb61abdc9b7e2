"""The scale benchmark's database: a copy of the sample grown N times
(``python -m collab_data bench scale --factor N --db PATH``).

The real reference and LNOB data are left exactly as they are; the collaborative records
(partners and their memberships, tools with owners, topics and dimensions, country
programmes, activities with their partners and countries, collaborations with their
partners, task-team members) are copied N-1 more times with suffixed ids, in one batch of
kind ``sample`` written through the single write path, one set-based ``INSERT ... SELECT``
per table (see :mod:`collab_data.queries.scale`). Every key, check and foreign key of the
schema holds, and names stay unique. KPI targets are not grown (one target per KPI and
period).

Programmes and activity–partner links can be made denser than N times
(``--programme-density``, ``--link-density``): the issue's 100× database (about 1,500
partners, 2,000 tools, 100,000 programmes, 15,100 activities, 197,000 partner links) is
``--factor 100 --programme-density 4.2 --link-density 3.5``.
"""

from __future__ import annotations

import math
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from collab_data.queries import scale as Q

#: The issue's shape at 100× (see the module docstring).
ISSUE_PROGRAMME_DENSITY = 4.2
ISSUE_LINK_DENSITY = 3.5


class ScaleRefused(Exception):
    """Nothing was written: the target exists, the factor is out of range, or the database
    was grown before."""


@dataclass
class ScaleReport:
    path: Path
    factor: int
    programme_density: float
    link_density: float
    before: dict[str, int] = field(default_factory=dict)
    after: dict[str, int] = field(default_factory=dict)
    build_seconds: float = 0.0
    grow_seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"Grew {self.path.name} {self.factor}x (programme density {self.programme_density:g}, "
               f"link density {self.link_density:g}) in {self.grow_seconds:.2f} s"
               + (f" (sample build {self.build_seconds:.1f} s)" if self.build_seconds else ""),
               "", f"{'table':<26}{'before':>10}{'after':>12}{'ratio':>8}"]
        for table in Q.GROW:
            b, a = self.before.get(table, 0), self.after.get(table, 0)
            out.append(f"{table:<26}{b:>10,}{a:>12,}{(a / b if b else 0):>7.2f}x")
        unchanged = [t for t in self.before if t not in Q.GROW and self.before[t] == self.after.get(t)]
        changed = [t for t in self.before if t not in Q.GROW and t != "import_batches"
                   and self.before[t] != self.after.get(t)]
        out.append(f"unchanged: {len(unchanged)} other tables (reference, LNOB, KPI targets, ...)")
        if changed:
            out.append("CHANGED (should not be): " + ", ".join(changed))
        out.append("constraints: " + ("all hold" if not self.problems else "; ".join(self.problems)))
        return out


def _check_args(factor: int, programme_density: float, link_density: float) -> None:
    if not isinstance(factor, int) or factor < 1 or factor > 10_000:
        raise ScaleRefused(f"the factor must be a whole number from 1 to 10000, not {factor!r}")
    for name, d in (("programme density", programme_density), ("link density", link_density)):
        if not (1 <= d <= factor):
            raise ScaleRefused(f"the {name} must be between 1 and the factor ({factor}), not {d!r}")


def grow_database(db, factor: int, *, programme_density: float = 1.0, link_density: float = 1.0) -> dict[str, int]:
    """Grow the records of an open :class:`~collab_data.db.Database` ``factor`` times in one
    batch (all or nothing). Returns the rows written per table."""
    _check_args(factor, programme_density, link_density)
    if db.scalar(Q.GROWN_BEFORE):
        raise ScaleRefused("this database was grown before (a 'bench scale' batch is in it): grow a fresh copy")
    density = {"programme_density": float(programme_density), "link_density": float(link_density)}
    written: dict[str, int] = {}
    with db.write(kind="sample", source=f"{Q.SCALE_SOURCE_PREFIX}: sample grown {factor}x",
                  note=f"programme density {programme_density:g}, link density {link_density:g}") as batch:
        batch.execute(Q.SETUP.format(n=int(factor), prog_max=math.ceil(programme_density),
                                     link_max=math.ceil(link_density)))
        for table, sql in Q.GROW.items():
            params: dict = {"batch": batch.batch_id}
            if table in Q.DENSE:
                params.update(n=int(factor), density=density[Q.DENSE[table]])
            rows = batch.execute(sql, params)
            written[table] = int(rows[0][0]) if rows else 0
            batch.rows_imported += written[table]
        batch.execute(Q.TEARDOWN)
    return written


def check_database(db) -> list[str]:
    """What breaks a rule of the data, as sentences (empty: every rule holds). DuckDB holds
    keys, checks and foreign keys on every insert; this re-reads them from the stored rows
    (every single-column foreign key has its parent) and the writer-side rule that partner
    and tool names are unique."""
    problems = []
    for child, column, parent, parent_column in db.foreign_keys():
        n = db.scalar(Q.orphans_sql(child, column, parent, parent_column))
        if n:
            problems.append(f"{n} row(s) of {child}.{column} name no {parent}")
    for table, sql in Q.DUPLICATE_NAMES.items():
        dupes = db.rows(sql)
        if dupes:
            problems.append(f"{len(dupes)} duplicated name(s) in {table}, e.g. {dupes[0][0]!r}")
    for table, cols in db.primary_keys().items():
        keys = ", ".join(cols)
        n = db.scalar(f"SELECT count(*) FROM (SELECT {keys} FROM {table} GROUP BY ALL HAVING count(*) > 1)")
        if n:
            problems.append(f"{n} duplicated key(s) in {table}")
    return problems


def scale(path: str | Path, factor: int, *, source: str | Path | None = None, programme_density: float = 1.0,
          link_density: float = 1.0, force: bool = False) -> ScaleReport:
    """Make ``path``: a copy of ``source`` (default: a fresh sample build) grown ``factor``
    times. Refuses to replace an existing file unless ``force``; never touches ``source``."""
    from collab_data.build import build
    from collab_data.db import Database

    _check_args(factor, programme_density, link_density)
    path = Path(path)
    if path.exists() and not force:
        raise ScaleRefused(f"{path} exists: give another --db, or --force to replace it")
    report = ScaleReport(path, factor, programme_density, link_density)
    path.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)
    t0 = time.perf_counter()
    if source is None:
        build(path, sample=True)
        report.build_seconds = time.perf_counter() - t0
    else:
        shutil.copy(source, path)
    db = Database(path)
    try:
        report.before = db.table_counts()
        t0 = time.perf_counter()
        grow_database(db, factor, programme_density=programme_density, link_density=link_density)
        report.grow_seconds = time.perf_counter() - t0
        report.after = db.table_counts()
        report.problems = check_database(db)
    finally:
        db.close()
    return report
