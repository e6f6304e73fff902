"""Import and export time of the largest LIFT (lift-natqgu, 11,974 entries), as a ratio to
lxml parsing the same file alone (measured in the same run). Target: import <= 8 s.

    .venv/bin/python bench/io.py [path/to/file.lift]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lxml import etree  # noqa: E402
from sqlmodel import Session  # noqa: E402

from lexicon import store  # noqa: E402
from lexicon.db import make_engine, upgrade  # noqa: E402
from lexicon.io.importer import export_dictionary, import_file  # noqa: E402
from lexicon.io.lift import read_lift, write_lift  # noqa: E402
from lexicon.io.safety import xml_parser  # noqa: E402
from lexicon.storage import LocalStorage  # noqa: E402

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "lift-natqgu" / "Natqgu.lift"


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def batched_reindex():
    """Simulate the store change asked for (one search reindex per batch in create_entries)."""
    from lexicon import search

    real_create, real_reindex = store.create_entries, search.reindex_entry
    pending: list[dict] = []

    def collect(*, session, dictionary, entry):
        pending.append(entry)

    def create_entries(**kw):
        pending.clear()
        search.reindex_entry = collect
        try:
            outs = real_create(**kw)
        finally:
            search.reindex_entry = real_reindex
        search.reindex_entries(
            session=kw["session"], dictionary=kw["dictionary"], entries=list(pending)
        )
        return outs

    store.create_entries = create_entries
    return lambda: setattr(store, "create_entries", real_create)


def import_once(src: Path, tmp: Path, name: str) -> float:
    engine = make_engine(f"sqlite:///{tmp / (name + '.db')}")
    upgrade(engine)
    try:
        with Session(engine, expire_on_commit=False) as session:
            d = store.create_dictionary(session=session, data={"slug": name, "title": name})
            return timed(
                lambda: import_file(session=session, dictionary=d, path=src, format="lift")
            )[0]
    finally:
        engine.dispose()


def main() -> None:
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not src.exists():
        sys.exit(f"{src}: not found (give a .lift file)")
    baseline, _ = timed(lambda: etree.parse(str(src), xml_parser()))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        read_s, doc = timed(lambda: read_lift(src))
        write_s, _ = timed(lambda: write_lift(doc, tmp / "plain"))
        engine = make_engine(f"sqlite:///{tmp / 'bench.db'}")
        upgrade(engine)
        with Session(engine, expire_on_commit=False) as session:
            d = store.create_dictionary(session=session, data={"slug": "bench", "title": "B"})
            storage = LocalStorage(tmp / "media")
            import_s, report = timed(
                lambda: import_file(
                    session=session, dictionary=d, path=src, format="lift", storage=storage
                )
            )
            export_s, _ = timed(
                lambda: export_dictionary(
                    session=session,
                    dictionary=d,
                    format="lift",
                    dest=tmp / "out.zip",
                    storage=storage,
                )
            )
            again_s, again = timed(
                lambda: import_file(
                    session=session, dictionary=d, path=src, format="lift", storage=storage
                )
            )
        engine.dispose()
        undo = batched_reindex()
        try:
            batched_s = import_once(src, tmp, "batched")
        finally:
            undo()
    n = report.created
    print(f"file: {src.name} ({src.stat().st_size / 1e6:.1f} MB), {n:,} entries")
    print(f"lxml parse alone (baseline)   {baseline:6.2f} s   1.0x")
    for label, secs in (
        ("read_lift (no database)", read_s),
        ("write_lift (no database)", write_s),
        ("import into SQLite", import_s),
        ("export LIFT zip", export_s),
        ("re-import (all unchanged)", again_s),
        ("import, batched reindex (*)", batched_s),
    ):
        print(f"{label:<30}{secs:6.2f} s  {secs / baseline:5.1f}x")
    print(
        f"import rate: {n / import_s:,.0f} entries/s; target 8 s -> "
        f"{'met' if import_s <= 8 else 'NOT met'}; re-import unchanged={again.unchanged:,}"
    )
    print("(*) store.create_entries calling search.reindex_entries once per batch (simulated)")


if __name__ == "__main__":
    main()
