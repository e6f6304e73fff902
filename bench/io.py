"""Import and export time of the largest LIFT (lift-natqgu, 11,973 entries) into SQLite, as
wall and CPU seconds and as a ratio to lxml parsing the same file alone (CPU, same run).
Target: import <= 8 s (first aim), <= 6 s (stretch) on an idle machine. Goals of issue #19
part 4, in CPU/lxml: import <= 10x, LIFT export <= 5x, re-import of the unchanged file <= 5x.
On PostgreSQL the CPU is this process's only: the server's own work is not in the ratios.

    .venv/bin/python bench/io.py [path/to/file.lift] [--database postgresql://.../EMPTY_DB]
                                 [--profile] [--floor]

With --database, the import goes into that database instead of a fresh SQLite file (give an
empty, expendable one: the bench adds a dictionary to it and leaves it there). With --profile,
each step runs under cProfile (CPU time) and its 25 costliest calls (cumulative) are printed;
the times it reports are then the profiled ones, not for comparing. With --floor (SQLite), it
also prints what bounds the first import from below: the time spent inside SQLite (every
statement and the commit, wall seconds around the driver's calls: SQLite runs in this process,
so they are CPU seconds too) and, as a what-if that is no product
mode, a first import into another new dictionary with no search rows written at all.

The machine is shared: compare CPU seconds and ratios, and read the load average printed.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lxml import etree  # noqa: E402
from sqlalchemy import event  # noqa: E402
from sqlmodel import Session  # noqa: E402

from lexicon import editing  # noqa: E402
from lexicon.db.engine import make_engine  # noqa: E402
from lexicon.io.exporter import export_dictionary  # noqa: E402
from lexicon.io.importer import import_file  # noqa: E402
from lexicon.io.lift.package import read_lift, write_lift  # noqa: E402
from lexicon.io.safety import xml_parser  # noqa: E402
from lexicon.media.storage import LocalStorage  # noqa: E402
from lexicon.operations.upgrade import upgrade  # noqa: E402

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "lift-natqgu" / "Natqgu.lift"


PROFILE = "--profile" in sys.argv
FLOOR = "--floor" in sys.argv


class DriverClock:
    """Seconds spent inside the database driver: each statement (engine events around the
    cursor call) and each commit (the engine's commit event to the session's after_commit)."""

    def __init__(self, engine, session):
        self.seconds = 0.0
        self.on = False
        started = {}

        def start(*args):
            started["t"] = time.perf_counter()

        def stop(*args):
            if self.on and "t" in started:
                self.seconds += time.perf_counter() - started.pop("t")

        event.listen(engine, "before_cursor_execute", start)
        event.listen(engine, "after_cursor_execute", stop)
        event.listen(engine, "commit", start)
        event.listen(session, "after_commit", stop)


def timed(fn):
    """(wall seconds, CPU seconds of this process, result)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = profiled(fn) if PROFILE else fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def cpu_of(fn) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def profiled(fn):
    profile = cProfile.Profile(time.process_time)
    result = profile.runcall(fn)
    print("--- profile of the next step in the table below (CPU s, cumulative)")
    pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    return result


def no_search(import_into, new_dictionary):
    """A first import into a new dictionary with the search index's writes left out: a what-if
    that says how much of the first import the index is, not a mode of the product."""
    from lexicon.editing import write

    real = write.search.reindex_entries
    write.search.reindex_entries = lambda **kw: None
    try:
        return import_into(new_dictionary)
    finally:
        write.search.reindex_entries = real


def main() -> None:
    args = [a for a in sys.argv[1:] if a not in ("--profile", "--floor")]
    url = None
    if "--database" in args:
        at = args.index("--database")
        url = args[at + 1]
        del args[at : at + 2]
    src = Path(args[0]) if args else DEFAULT
    if not src.exists():
        sys.exit(f"{src}: not found (give a .lift file)")
    load_before = os.getloadavg()[0]
    # lxml's parse is the baseline: the least any reader of this file has to do.
    # Never profiled: the baseline is the plain parse.
    baseline = min(cpu_of(lambda: etree.parse(str(src), xml_parser())) for _ in range(3))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        *read_t, doc = timed(lambda: read_lift(src))
        rows.append(("read_lift (no database)", *read_t))
        rows.append(("write_lift (no database)", *timed(lambda: write_lift(doc, tmp / "w"))[:2]))
        engine = make_engine(url or f"sqlite:///{tmp / 'bench.db'}")
        db = engine.dialect.name
        upgrade(engine)
        with Session(engine, expire_on_commit=False) as session:
            slug = f"bench-{os.getpid()}"
            d = editing.create_dictionary(session=session, data={"slug": slug, "title": "B"})
            storage = LocalStorage(tmp / "media")

            def run(into=d):
                return import_file(
                    session=session, dictionary=into, path=src, format="lift", storage=storage
                )

            clock = DriverClock(engine, session)
            clock.on = FLOOR and db == "sqlite"
            *import_t, report = timed(run)
            clock.on = False
            rows.append((f"import into {db}", *import_t))
            if clock.seconds:
                rows.append(("  of which inside SQLite", clock.seconds, clock.seconds))
            export = lambda: export_dictionary(  # noqa: E731
                session=session, dictionary=d, format="lift", dest=tmp / "out.zip", storage=storage
            )
            rows.append(("export LIFT zip", *timed(export)[:2]))
            *again_t, again = timed(run)
            rows.append(("re-import (all unchanged)", *again_t))
            if FLOOR:
                other = editing.create_dictionary(
                    session=session, data={"slug": f"{slug}-what-if", "title": "W"}
                )
                bare = timed(lambda: no_search(run, other))
                rows.append(("first import, no search rows", *bare[:2]))
        engine.dispose()
    n, wall, cpu = report.created, import_t[0], import_t[1]
    print(f"file: {src.name} ({src.stat().st_size / 1e6:.1f} MB), {n:,} entries")
    print(f"load average: {load_before:.2f} before, {os.getloadavg()[0]:.2f} after (2 cores)")
    print(f"{'':<30}{'wall s':>8}{'CPU s':>8}{'CPU/lxml':>10}")
    print(f"{'lxml parse alone (baseline)':<30}{'':>8}{baseline:8.2f}{1:>9.1f}x")
    for label, w, c in rows:
        print(f"{label:<30}{w:8.2f}{c:8.2f}{c / baseline:>9.1f}x")
    print(
        f"import: {n / wall:,.0f} entries/s wall, {n / cpu:,.0f} per CPU second; target 8 s "
        f"{'met' if wall <= 8 else 'NOT met'}, 6 s {'met' if wall <= 6 else 'NOT met'} (wall); "
        f"re-import unchanged={again.unchanged:,}"
    )


if __name__ == "__main__":
    main()
