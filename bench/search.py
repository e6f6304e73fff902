"""Search latency on N generated entries (SQLite, and PostgreSQL when a URL is given).

    python bench/search.py [N] [--db PATH] [--pg URL [--fresh]] [--seconds S] [--skip-http]
    python bench/search.py --precision [--pg URL]

Prints, per database: in-process p50/p99 of `lexicon.search.search` over a fixed mix of
queries (exact, prefix, folded, fuzzy, reverse), the same for a bare full-text MATCH on the same
index (FTS5 on SQLite, tsvector on PostgreSQL) and their ratio; then requests/s over HTTP for
the search endpoint against a bare `/healthz` on the same uvicorn server in the same run.
Targets (issue 6): SQLite p50 <= 2 ms, p99 <= 10 ms; HTTP search >= 50% of /healthz. Over
HTTP the mix runs twice: with the page cache (the default; a class asks the same words) and
with it off (WORDKEEP_PAGE_CACHE_SIZE=0: every search computed), each with the server's CPU
time per request.
`--precision` measures what a learner sees instead: the judged query sets of
tests/fixtures/search-judged (made from real dictionaries by bench/judged.py) are run against
their dictionaries, imported into a fresh database, and precision@5 and recall@20 are printed
per query kind (exact, accent_free, typo, gloss). precision@5: the share of the first five
results (or of all, when fewer are shown) that are relevant; recall@20: the relevant entries
among the first 20, out of all relevant ones (at most 20). A query with no result scores 0.
`--db PATH` keeps the loaded SQLite file for the next run, and an already loaded PostgreSQL
database is reused (loading 100,000 entries through the store takes minutes).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import httpx  # noqa: E402
from alphabet import machine  # noqa: E402
from generate import LANG, generate_dictionary, generate_entries  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from lexicon import editing, entries, search  # noqa: E402
from lexicon.accounts.access import ANONYMOUS  # noqa: E402
from lexicon.alphabet import fold  # noqa: E402
from lexicon.db.engine import make_engine  # noqa: E402
from lexicon.operations.upgrade import upgrade  # noqa: E402

SLUG = "bench"


def load(url: str, n: int, fresh: bool) -> None:
    """Create the dictionary and N entries through the store (and so through the index);
    reuse them if they are there already. `fresh` replaces a PostgreSQL schema first."""
    engine = make_engine(url)
    if url.startswith("postgres") and fresh:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        try:
            dictionary = entries.get_dictionary(session=session, slug=SLUG)
            have = entries.count_entries(session=session, dictionary=dictionary, viewer=ANONYMOUS)
        except Exception:
            dictionary, have = None, 0
        if dictionary is not None and have == n:
            print(f"  reusing {have} entries", file=sys.stderr)
            return
        if dictionary is not None:
            raise SystemExit(f"{url} holds {have} entries, not {n}: use --fresh or another db")
        if dictionary is None:
            dictionary = editing.create_dictionary(session=session, data=generate_dictionary(SLUG))
        generated = generate_entries(n)
        started = time.perf_counter()
        for start in range(0, n, 2000):
            editing.create_entries(
                session=session, dictionary=dictionary, items=generated[start : start + 2000]
            )
            print(f"  loaded {start + 2000}", file=sys.stderr, end="\r")
        print(f"  loaded {n} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if url.startswith("postgres"):
        # What autovacuum does soon after a load: statistics (without them PostgreSQL takes the
        # new search_text for nearly empty and plans scans, not its GIN indexes) and a flush of
        # the GIN pending lists (until then every full-text match reads them through: ~4 ms).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def query_mix(n: int, per_kind: int = 60) -> dict[str, list[str]]:
    """A fixed mix: stored headwords, their first letters, without tone marks, with a typo,
    and English glosses (singular, plural)."""
    rng = random.Random(42)
    entries = generate_entries(n)
    sample = rng.sample(entries, per_kind * 3)
    heads = [e["headword"][LANG] for e in sample]
    long = [h for h in heads if len(fold(h)) >= 5][:per_kind]

    def typo(word: str) -> str:
        word = fold(word)
        i = rng.randrange(1, len(word) - 1)
        return word[:i] + word[i + 1 :] if rng.random() < 0.5 else word[:i] + "x" + word[i + 1 :]

    glosses = sorted({s["glosses"]["en"] for e in sample for s in e["senses"]})
    reverse = [rng.choice(glosses) for _ in range(per_kind // 2)]
    reverse += [g.removeprefix("to ") + "s" for g in reverse]
    return {
        "exact": heads[:per_kind],
        "prefix": [fold(h)[:3] for h in heads[per_kind : 2 * per_kind]],
        "folded": [unicodedata.normalize("NFC", fold(h)) for h in heads[:per_kind]],
        "fuzzy": [typo(h) for h in long],
        "reverse": reverse,
    }


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 3),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 3),
    }


def in_process(url: str, mix: dict[str, list[str]], rounds: int = 3) -> dict:
    engine = make_engine(url)
    out: dict = {}
    with Session(engine, expire_on_commit=False) as session:
        dictionary = entries.get_dictionary(session=session, slug=SLUG)
        for q in mix["exact"][:20]:  # warm caches (alphabet tables, statement cache, pages)
            search.search(session=session, dictionary=dictionary, viewer=ANONYMOUS, q=q)
        every, cpu = [], []
        for kind, queries in mix.items():
            times = []
            for _ in range(rounds):
                for q in queries:
                    t0, c0 = time.perf_counter(), time.process_time()
                    search.search(session=session, dictionary=dictionary, viewer=ANONYMOUS, q=q)
                    times.append(time.perf_counter() - t0)
                    cpu.append(time.process_time() - c0)
            out[kind] = percentiles(times)
            every += times
        out["all"] = percentiles(every)
        # CPU time per query: what the figures would be on an idle machine (shared CPUs here).
        out["all_cpu"] = {"mean_ms": round(statistics.mean(cpu) * 1000, 3)}
        out["bare_match"] = bare_match(session, dictionary, mix, rounds)
        out["ratio_p50_to_bare"] = round(out["all"]["p50_ms"] / out["bare_match"]["p50_ms"], 1)
    engine.dispose()
    return out


def bare_match(session, dictionary, mix: dict[str, list[str]], rounds: int) -> dict:
    """A single full-text MATCH (first 20 rows) per query word, on the same index."""
    words = [w for qs in mix.values() for q in qs for w in search.words(fold(q))[:1]]
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        stmt = text("SELECT rowid FROM search_fts WHERE search_fts MATCH :q LIMIT 20")
        params = [{"q": f'"{w}"'} for w in words]
    else:
        stmt = text(
            "SELECT id FROM search_text WHERE kind = 'gl' AND "
            "to_tsvector('simple'::regconfig, stems) @@ plainto_tsquery('simple', :q) LIMIT 20"
        )
        params = [{"q": w} for w in words]
    times = []
    for _ in range(rounds):
        for p in params:
            t0 = time.perf_counter()
            conn.execute(stmt, p).all()
            times.append(time.perf_counter() - t0)
    return percentiles(times)


def precision(url_for, names=("sena", "hdi")) -> dict:
    """precision@5 and recall@20 per source and query kind (see the module's docstring)."""
    import judged

    out: dict = {}
    for name in names:
        data = json.loads((judged.OUT / f"{name}.json").read_text(encoding="utf-8"))
        engine = judged.load(name, url_for(name))
        scores: dict[str, list[tuple[float, float]]] = {}
        with Session(engine, expire_on_commit=False) as session:
            dictionary = entries.get_dictionary(session=session, slug=name)
            for query in data["queries"]:
                page = search.search(session=session, dictionary=dictionary, viewer=ANONYMOUS,
                                     q=query["q"], limit=20)  # fmt: skip
                ids, relevant = [i["id"] for i in page["items"]], set(query["relevant"])
                top = ids[:5]
                p5 = sum(i in relevant for i in top) / len(top) if top else 0.0
                r20 = len(relevant & set(ids)) / min(20, len(relevant))
                scores.setdefault(query["kind"], []).append((p5, r20))
        engine.dispose()
        out[name] = {
            kind: {"queries": len(pairs),
                   "precision@5": round(statistics.mean(p for p, _ in pairs), 3),
                   "recall@20": round(statistics.mean(r for _, r in pairs), 3)}
            for kind, pairs in scores.items()
        }  # fmt: skip
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_cpu(pid: int) -> float:
    """CPU seconds the server process has used (user + system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def hammer(url: str, paths: list[str], seconds: float, pid: int, clients: int = 4) -> dict:
    """Requests per second with `clients` keep-alive connections cycling through `paths`, and
    the server's CPU time per request (what the figure would be with the client elsewhere)."""
    done, stop = [0] * clients, time.perf_counter() + seconds

    def worker(i: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as client:
            k = i
            while time.perf_counter() < stop:
                client.get(paths[k % len(paths)]).raise_for_status()
                done[i] += 1
                k += clients

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started, cpu = time.perf_counter(), server_cpu(pid)
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    n = sum(done)
    return {"rps": round(n / (time.perf_counter() - started)),
            "server_cpu_ms": round((server_cpu(pid) - cpu) / n * 1000, 3)}  # fmt: skip


def over_http(url: str, mix: dict[str, list[str]], seconds: float) -> dict:
    """The search endpoint against /healthz on one server: with the page cache (each query of
    the mix asked again and again, as a class does) and with it off (every search computed)."""
    queries = [q for qs in mix.values() for q in qs]
    paths = [
        f"/api/dictionaries/{SLUG}/search?" + httpx.QueryParams(q=q).__str__() for q in queries
    ]
    out = {}
    for label, cache_size in (("cached", "2000"), ("uncached", "0")):
        with serving(url, {"WORDKEEP_PAGE_CACHE_SIZE": cache_size}) as (base, pid):
            for path in paths:  # warm up: each query once (with the cache: its first asking)
                httpx.get(base + path).raise_for_status()
            health = hammer(base, ["/healthz"], seconds, pid)
            searching = hammer(base, paths, seconds, pid)
        out[label] = {"healthz": health, "search": searching,
                      "search_share_of_bare": round(searching["rps"] / health["rps"], 2)}  # fmt: skip
    return out


@contextlib.contextmanager
def serving(url: str, extra_env: dict):
    port = free_port()
    env = dict(os.environ, WORDKEEP_DATABASE_URL=url, WORDKEEP_SECRET_KEY="bench-" * 8,
               WORDKEEP_MEDIA_DIR=tempfile.mkdtemp(), WORDKEEP_LOG_LEVEL="warning", **extra_env)  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app", "--port", str(port),
         "--log-level", "warning", "--no-access-log"],  # fmt: skip
        cwd=ROOT, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(base + "/healthz", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base, server.pid
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("--pg", help="a PostgreSQL URL to measure too")
    parser.add_argument("--db", help="SQLite file to keep between runs")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true", help="measure PostgreSQL only")
    parser.add_argument("--fresh", action="store_true", help="replace the PostgreSQL schema")
    parser.add_argument("--precision", action="store_true", help="judged queries (issue 20)")
    args = parser.parse_args()
    if args.precision:
        report = {
            "sqlite": precision(
                lambda name: f"sqlite:///{os.path.join(tempfile.mkdtemp(), name + '.db')}"
            )
        }
        if args.pg:
            report["postgresql"] = precision(lambda name: _fresh_pg(args.pg))
        print(json.dumps(report, indent=1))
        return
    sqlite_path = args.db or os.path.join(tempfile.mkdtemp(), "bench.db")
    targets = [] if args.skip_sqlite else [("sqlite", f"sqlite:///{sqlite_path}", False)]
    if args.pg:
        targets.append(("postgresql", args.pg, args.fresh))
    mix = query_mix(args.n)
    report = {"entries": args.n, "machine": machine(), "load_average": os.getloadavg(),
              "queries": {k: len(v) for k, v in mix.items()}}  # fmt: skip
    for name, url, fresh in targets:
        print(f"{name}: loading", file=sys.stderr)
        load(url, args.n, fresh)
        report[name] = {"in_process": in_process(url, mix)}
        if not args.skip_http:
            report[name]["http"] = over_http(url, mix, args.seconds)
        print(json.dumps({name: report[name]}, indent=1), file=sys.stderr)
    print(json.dumps(report, indent=1))


def _fresh_pg(url: str) -> str:
    """The PostgreSQL database at `url`, emptied (the precision sets each need a fresh one)."""
    from lexicon.db.engine import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url


if __name__ == "__main__":
    main()
