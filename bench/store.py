"""Bulk insert and read of N generated entries through the store; prints entries/s and peak RSS.

    python bench/editing.py [N] [--database-url URL]

Baseline in the same run: the same rows written by a bare executemany of the entry table only
(the minimum any store must do), so the ratio shows what revisions, children and keys cost.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate_dictionary, generate_entries  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from lexicon import db, editing  # noqa: E402
from lexicon.accounts.access import ANONYMOUS  # noqa: E402
from lexicon.db.engine import make_engine
from lexicon.operations.upgrade import upgrade  # noqa: E402


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--batch", type=int, default=2000)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    url = args.database_url or f"sqlite:///{tmp}/bench.db"
    engine = make_engine(url)
    if url.startswith("postgres"):
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    entries = generate_entries(args.n)
    print(f"database: {engine.dialect.name}; entries: {args.n}; generated, rss {rss_mb():.0f} MB")

    t0 = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE bare (id TEXT PRIMARY KEY, body TEXT)"))
        import json

        conn.execute(
            text("INSERT INTO bare (id, body) VALUES (:id, :body)"),
            [
                {"id": str(i), "body": json.dumps(e, ensure_ascii=False)}
                for i, e in enumerate(entries)
            ],
        )
    bare = time.perf_counter() - t0

    with Session(engine, expire_on_commit=False) as session:
        dictionary = editing.create_dictionary(session=session, data=generate_dictionary("bench"))
        one_by_one = entries[: min(len(entries), 5000)]
        t0 = time.perf_counter()
        with db.transaction(session):
            for entry in one_by_one:
                editing.create_entry(session=session, dictionary=dictionary, data=entry)
        single = time.perf_counter() - t0
        print(
            f"editing.create_entry, one at a time ({len(one_by_one)}): "
            f"{len(one_by_one) / single:,.0f} entries/s"
        )
        dictionary = editing.create_dictionary(
            session=session, data=generate_dictionary("bench-bulk")
        )
        t0 = time.perf_counter()
        for start in range(0, len(entries), args.batch):
            editing.create_entries(
                session=session, dictionary=dictionary, items=entries[start : start + args.batch]
            )
            session.expunge_all()
        insert = time.perf_counter() - t0

        t0 = time.perf_counter()
        seen, cursor = 0, None
        while True:
            page = entries.list_entries(
                session=session, dictionary=dictionary, viewer=ANONYMOUS, limit=500, cursor=cursor
            )
            seen += len(page["items"])
            session.expunge_all()
            cursor = page["next"]
            if not cursor:
                break
        read = time.perf_counter() - t0
    n = args.n
    print(f"bare insert (one JSON row each): {n / bare:,.0f} entries/s")
    print(
        f"editing.create_entries, batches of {args.batch}: {n / insert:,.0f} entries/s "
        f"({insert:.1f} s; {insert / bare:.1f}x the bare insert)"
    )
    print(f"store read, pages of 500 in order: {seen / read:,.0f} entries/s ({read:.1f} s)")
    print(f"peak RSS: {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
