"""Load test: one worker (`wordkeep serve`) over N generated entries, on loopback, bounded in
requests and time. Prints, per concurrency level, throughput, p50/p99 latency and errors of

    healthz   GET /healthz (the baseline: the cheapest request the app answers)
    search    learner searches (prefixes, glosses, typos) only
    mix       45% searches, 25% entry pages (HTML), 15% audio range requests, 15% keeper saves

and the worker's peak RSS (VmHWM) after each level. Before the levels, a warm-up of --warmup
mixed requests (their own random words; they end with saves, so no search page they cached
survives) takes the worker past its first-request costs (statements compiled and prepared,
pages read in): the levels measure a running service. Search throughput is also given as a ratio
of /healthz throughput at the same level, and each phase as the worker's CPU time per request:
the client shares the machine's cores, so absolute figures say as much about the client (and
whatever else runs) as the server; the ratio and the CPU time say how much a request costs.

    python bench/load.py [--entries 100000] [--levels 1,4,16,32] [--requests 400] [--seconds 20]

The database (SQLite, WAL) is built once and kept in --cache (default /tmp/wordkeep-bench).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import httpx  # noqa: E402
from generate import generate_dictionary, generate_entries  # noqa: E402

SLUG = "generated"
RECORDINGS = 20
BATCH = 2000


# ---------------------------------------------------------------- the data


def build(cache: Path, n: int) -> dict:
    """A migrated SQLite database with `n` entries, an owner token and a few recordings."""
    from lexicon import accounts, db, editing, media
    from lexicon.db.engine import make_engine, session_for
    from lexicon.media import audio
    from lexicon.media.storage import LocalStorage
    from lexicon.operations.upgrade import upgrade

    folder = cache / f"entries-{n}"
    ready = folder / "READY"
    if ready.exists():
        return {"folder": folder, "token": fresh_token(folder), "ids": ready.read_text().split()}
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    engine = make_engine(f"sqlite:///{folder / 'wordkeep.db'}")
    upgrade(engine)
    entries = generate_entries(n)
    started = time.perf_counter()
    with session_for(engine) as session:
        user = accounts.create_user(session=session, email="keeper@example.org", password="x" * 12)
        dictionary = editing.create_dictionary(
            session=session, data=generate_dictionary(SLUG), owner_id=user.id
        )
        for i in range(0, n, BATCH):
            with db.transaction(session):
                editing.create_entries(
                    session=session, dictionary=dictionary, items=entries[i : i + BATCH]
                )
            print(f"  inserted {min(i + BATCH, n):,}/{n:,}", end="\r", flush=True)
        clip = folder / "tone.wav"
        audio.write_tone(clip, container="wav", codec="pcm_s16le", tone=2.0)
        storage = LocalStorage(folder / "media")
        for entry in entries[:RECORDINGS]:
            with open(clip, "rb") as fh:
                media.add_pronunciation_audio(
                    session=session, storage=storage, dictionary=dictionary,
                    entry_id=entry["id"], fileobj=fh, filename="tone.wav", fields={},
                    editor="bench",
                )  # fmt: skip
    engine.dispose()
    print(f"  built {n:,} entries in {time.perf_counter() - started:.0f} s" + " " * 20)
    ids = [e["id"] for e in entries]
    ready.write_text(" ".join(ids))
    return {"folder": folder, "token": fresh_token(folder), "ids": ids}


def fresh_token(folder: Path) -> str:
    """A new API token for the keeper (made per run: the database may outlive a token scheme),
    after bringing a kept database to the current schema (as `wordkeep serve` would)."""
    from lexicon import accounts
    from lexicon.db.engine import make_engine, session_for
    from lexicon.operations.upgrade import upgrade

    engine = make_engine(f"sqlite:///{folder / 'wordkeep.db'}")
    upgrade(engine)
    with session_for(engine) as session:
        user = accounts.get_user(session=session, email="keeper@example.org")
        _, token = accounts.create_token(session=session, user=user, name="bench")
    engine.dispose()
    return token


# ---------------------------------------------------------------- the worker


def start_worker(folder: Path, arena_max: int | None) -> tuple[subprocess.Popen, str]:
    """`wordkeep serve` with one worker, as an operator runs it (its memory settings included)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "WORDKEEP_DATABASE_URL": f"sqlite:///{folder / 'wordkeep.db'}",
        "WORDKEEP_MEDIA_DIR": str(folder / "media"),
        "WORDKEEP_SECRET_KEY": "bench-secret-key-0123456789abcdef",
        "WORDKEEP_LOG_LEVEL": "warning",
    }
    env.pop("MALLOC_ARENA_MAX", None)
    if arena_max is not None:
        env["MALLOC_ARENA_MAX"] = str(arena_max)  # wins over serve's own choice
    log = open(folder / "worker.log", "w")  # noqa: SIM115 - the worker writes it until it ends
    proc = subprocess.Popen(
        [sys.executable, "-m", "wordkeep", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the worker did not start")


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# ---------------------------------------------------------------- the requests


class Mix:
    """Builds requests like a class of learners and a few keepers would send."""

    def __init__(self, data: dict, seed: int = 1):
        self.rng = random.Random(seed)
        self.ids = data["ids"]
        self.recorded = data["ids"][:RECORDINGS]
        self.auth = {"Authorization": f"Bearer {data['token']}"}
        self.words = [e["headword"]["qaa"] for e in generate_entries(2000, seed=0)]
        self.glosses = ["river", "water", "house", "fire", "child", "eat", "go", "big"]
        self.media: dict[str, str] = {}

    def search(self) -> tuple:
        word = self.rng.choice(self.words)
        roll = self.rng.random()
        if roll < 0.4:
            q = word[: self.rng.randint(2, max(2, len(word)))]  # typing a prefix
        elif roll < 0.7:
            q = self.rng.choice(self.glosses)  # from English
        elif roll < 0.85:
            q = word.replace("a", "e", 1)  # a typo
        else:
            q = word
        return ("search", "GET", f"/api/dictionaries/{SLUG}/search", {"params": {"q": q}})

    def pick(self) -> tuple:
        roll = self.rng.random()
        if roll < 0.45:
            return self.search()
        if roll < 0.70:
            entry_id = self.rng.choice(self.ids)
            return ("page", "GET", f"/d/{SLUG}/entries/{entry_id}", {})
        if roll < 0.85:
            entry_id = self.rng.choice(self.recorded)
            start = self.rng.randint(0, 50_000)
            return ("audio", "GET", entry_id, {"range": start})
        return self.save()

    def save(self) -> tuple:
        return ("save", "PUT", self.rng.choice(self.ids), {})


SAMPLES: dict[tuple, str] = {}  # one example answer per (kind, unexpected status)


async def send(http: httpx.AsyncClient, mix: Mix, item: tuple) -> tuple[str, int, float]:
    kind, method, target, extra = item
    started = time.perf_counter()
    if kind == "audio":
        response = await entry_json(http, target) if target not in mix.media else None
        if response is None or response.status_code == 200:
            if response is not None:
                entry = response.json()
                mix.media[target] = entry["pronunciations"][0]["media"]["original_url"]
            start = extra["range"]
            response = await http.get(
                mix.media[target], headers={"Range": f"bytes={start}-{start + 65535}"}
            )
    elif kind == "save":
        response = await entry_json(http, target)
        if response.status_code == 200:  # an error answer is counted as the save's
            entry = response.json()
            entry["notes"] = [{"type": "general", "text": {"en": f"checked {time.time():.3f}"}}]
            response = await http.put(
                response.request.url, json=entry,
                headers={**mix.auth, "If-Match": f'"{entry["version"]}"'},
            )  # fmt: skip
    else:
        response = await http.request(method, target, **extra)
    await response.aread()
    status = response.status_code
    if status >= 400 and not (kind == "save" and status == 409):
        SAMPLES.setdefault((kind, status), f"{response.request.url} -> {response.text[:160]}")
    return kind, status, time.perf_counter() - started


async def entry_json(http, entry_id: str) -> httpx.Response:
    response = await http.get(f"/api/dictionaries/{SLUG}/entries/{entry_id}")
    await response.aread()
    return response


async def run_level(url, mix: Mix, make, concurrency: int, requests: int, seconds: float):
    """`requests` requests from `concurrency` clients, stopping early after `seconds`."""
    results: list[tuple[str, int, float]] = []
    deadline = time.perf_counter() + seconds
    left = iter(range(requests))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:

        async def client():
            for _ in left:
                if time.perf_counter() > deadline:
                    return
                try:
                    results.append(await send(http, mix, make()))
                except httpx.HTTPError as exc:
                    results.append(("error", 0, 0.0))
                    print(f"    transport error: {exc!r}")

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return results, elapsed


def summarise(name: str, concurrency: int, results, elapsed: float, cpu: float) -> float:
    times = sorted(t for _, _, t in results)
    errors = sum(1 for kind, status, _ in results if status >= 500 or status == 0)
    other = sum(
        1
        for kind, status, _ in results
        if 400 <= status < 500 and not (kind == "save" and status == 409)
    )
    conflicts = sum(1 for kind, status, _ in results if kind == "save" and status == 409)
    rate = len(results) / elapsed if elapsed else 0.0
    p50 = statistics.median(times) * 1000 if times else float("nan")
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))] * 1000 if times else float("nan")
    print(
        f"  {name:8} c={concurrency:<3} {len(results):5} req {rate:8.1f} req/s  "
        f"p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  cpu {cpu * 1000 / max(1, len(results)):5.1f} "
        f"ms/req  5xx/transport {errors}  other 4xx {other}"
        + (f"  409 {conflicts}" if conflicts else "")
    )
    kinds = sorted({kind for kind, _, _ in results})
    if len(kinds) > 1:  # the mix: how each kind of request fared
        parts = []
        for kind in kinds:
            own = sorted(t for k, _, t in results if k == kind)
            p99k = own[min(len(own) - 1, int(len(own) * 0.99))] * 1000
            parts.append(
                f"{kind} {len(own)}: p50 {statistics.median(own) * 1000:.0f}/p99 {p99k:.0f} ms"
            )
        print("    " + "; ".join(parts))
    for (kind, status), sample in sorted(SAMPLES.items()):
        print(f"    e.g. {kind} {status}: {sample}")
    SAMPLES.clear()
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--levels", default="1,4,16,32")
    parser.add_argument("--requests", type=int, default=400, help="per level and phase")
    parser.add_argument("--seconds", type=float, default=20, help="cap per level and phase")
    parser.add_argument("--warmup", type=int, default=300, help="mixed requests first (0: none)")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/wordkeep-bench"))
    parser.add_argument(
        "--arena-max", type=int, default=None,
        help="MALLOC_ARENA_MAX for the worker; default: what `wordkeep serve` sets (2, see "
        "wordkeep/serving.py); 0 = glibc's default (8 per core)",
    )  # fmt: skip
    args = parser.parse_args()
    print(f"building/reusing {args.entries:,} entries in {args.cache}")
    data = build(args.cache, args.entries)
    proc, url = start_worker(data["folder"], args.arena_max)
    mix = Mix(data)
    try:
        arenas = {None: "2 (set by wordkeep serve)", 0: "glibc default"}.get(
            args.arena_max, args.arena_max
        )
        print(f"worker pid {proc.pid} at {url}, MALLOC_ARENA_MAX={arenas}, load {load_average()}")
        print(f"  its log: {data['folder'] / 'worker.log'}")
        print(f"  after start: peak RSS {peak_rss_mb(proc.pid):.0f} MB")
        if args.warmup:
            warm = Mix(data, seed=99)
            results, elapsed = asyncio.run(run_level(url, warm, warm.pick, 4, args.warmup, 60))
            results += asyncio.run(run_level(url, warm, warm.save, 4, 4, 60))[0]
            bad = sum(1 for _, status, _ in results if status >= 500 or status == 0)
            print(
                f"  warm-up: {len(results)} mixed requests in {elapsed:.1f} s, {bad} errors; "
                f"peak RSS {peak_rss_mb(proc.pid):.0f} MB"
            )
            SAMPLES.clear()
        for level in [int(x) for x in args.levels.split(",")]:
            phases = [
                ("healthz", lambda: ("healthz", "GET", "/healthz", {})),
                ("search", mix.search),
                ("mix", mix.pick),
            ]
            rates = {}
            for name, make in phases:
                cpu = cpu_seconds(proc.pid)
                results, elapsed = asyncio.run(
                    run_level(url, mix, make, level, args.requests, args.seconds)
                )
                cpu = cpu_seconds(proc.pid) - cpu
                rates[name] = summarise(name, level, results, elapsed, cpu)
            ratio = rates["search"] / rates["healthz"] if rates["healthz"] else float("nan")
            print(
                f"  level {level}: search/healthz throughput {ratio:.0%}; "
                f"worker peak RSS {peak_rss_mb(proc.pid):.0f} MB; load average {load_average()}"
            )
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
