"""Editors and readers at once, over HTTP against a live uvicorn: no lost update, no 5xx.

N editor threads save a shared entry and entries of their own (each save carries the version it
edited, If-Match); M reader threads list, search, browse and read. Afterwards every 200 save is
exactly one revision with exactly the text that was sent, every refused save was a 409 that
named the current version, and nothing answered 5xx. Runs on SQLite (WAL, BEGIN IMMEDIATE,
busy timeout) and on PostgreSQL.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict

import httpx
import pytest

from lexicon import editing

EDITORS = 6
SAVES = 12  # attempts per editor
READERS = 3
READS = 40  # requests per reader


@pytest.fixture
def entries(session, dictionary):
    items = [
        {"headword": {"seh": f"mau{i}"}, "senses": [{"glosses": {"en": f"word {i}"}}]}
        for i in range(EDITORS + 1)
    ]
    return [
        e["id"] for e in editing.create_entries(session=session, dictionary=dictionary, items=items)
    ]


def editor(base, auth, me, shared, own, rounds, log, errors) -> None:
    """Even saves go to the shared entry: everyone reads it, waits for all, then saves, so each
    round has exactly one winner and EDITORS-1 stale saves. Odd saves go to the editor's own."""
    with httpx.Client(base_url=base, headers=auth, timeout=60) as http:
        for i in range(SAVES):
            entry_id = shared if i % 2 == 0 else own
            url = f"/api/dictionaries/demo/entries/{entry_id}"
            got = http.get(url)
            if got.status_code != 200:
                errors.append(("GET", url, got.status_code, got.text[:200]))
            entry = got.json()
            marker = f"editor{me}-save{i}"
            entry["senses"][0]["glosses"]["en"] = marker
            if entry_id == shared:
                rounds.wait()
            put = http.put(url, json=entry, headers={"If-Match": f'"{entry["version"]}"'})
            if put.status_code == 200:
                log.append((entry_id, put.json()["version"], marker))
            elif put.status_code == 409:
                current = put.json().get("current") or {}
                if current.get("version", 0) <= entry["version"]:
                    errors.append(("409 without a newer current", url, 409, put.text[:200]))
                log.append((entry_id, None, marker))
            else:
                errors.append(("PUT", url, put.status_code, put.text[:200]))
            if entry_id == shared:
                rounds.wait()


def reader(base, me: int, statuses: Counter, errors: list) -> None:
    paths = [
        "/api/dictionaries/demo/entries?limit=20",
        "/api/dictionaries/demo/search?q=mau",
        "/api/dictionaries/demo/search?q=word",
        "/api/dictionaries/demo/browse?letter=m",
        "/d/demo/search?q=mau",
    ]
    with httpx.Client(base_url=base, timeout=60) as http:
        for i in range(READS):
            path = paths[(i + me) % len(paths)]
            got = http.get(path)
            statuses[got.status_code] += 1
            if got.status_code != 200:
                errors.append(("GET", path, got.status_code, got.text[:200]))


def run_workload(bases: list[str], auth: dict, entries: list[str]) -> None:
    """Editors and readers spread over the servers at `bases`; then check every save."""
    shared, own = entries[0], entries[1:]
    log: list = []
    errors: list = []
    statuses: Counter = Counter()
    rounds = threading.Barrier(EDITORS, timeout=60)
    threads = [
        threading.Thread(
            target=editor,
            args=(bases[n % len(bases)], auth, n, shared, own[n], rounds, log, errors),
        )
        for n in range(EDITORS)
    ] + [
        threading.Thread(target=reader, args=(bases[n % len(bases)], n, statuses, errors))
        for n in range(READERS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a client thread hung"
    assert errors == []
    assert statuses[200] == READERS * READS

    saved = defaultdict(dict)
    for entry_id, version, marker in log:
        if version is not None:
            assert version not in saved[entry_id], f"two saves of {entry_id} got version {version}"
            saved[entry_id][version] = marker
    assert len(log) == EDITORS * SAVES
    rounds_run = SAVES // 2
    assert len(saved[shared]) == rounds_run  # one winner per round, the others got 409
    assert sum(1 for e, v, _ in log if e == shared and v is None) == rounds_run * (EDITORS - 1)
    assert all(len(saved[e]) == rounds_run for e in own)  # nobody else touched these

    with httpx.Client(base_url=bases[-1], headers=auth, timeout=60) as http:
        for entry_id in entries:
            history = http.get(
                f"/api/dictionaries/demo/entries/{entry_id}/revisions?limit=500"
            ).json()["items"]
            numbers = [r["number"] for r in history]
            assert numbers == list(range(1, len(history) + 1))
            # Every revision after the first is one 200 save, carrying what that save sent.
            after_first = {
                r["number"]: r["data"]["senses"][0]["glosses"]["en"] for r in history[1:]
            }
            assert after_first == saved[entry_id], entry_id


def test_editors_and_readers_lose_nothing(live_server, auth, entries):
    run_workload([live_server.url], auth, entries)


def test_two_server_processes_on_one_database(database_url, auth, entries, media_dir, tmp_path):
    """The same, split over two uvicorn processes: on SQLite the writers now meet in the
    file's locks (BEGIN IMMEDIATE, busy timeout), not in one process's connection pool."""
    from tests.api.test_two_servers import start_server, stop_server, wait_ready

    env = {
        "WORDKEEP_DATABASE_URL": database_url,
        "WORDKEEP_MEDIA_DIR": str(media_dir),
        "WORDKEEP_SECRET_KEY": "concurrency-secret-0123456789abcdef",
    }
    servers = [start_server(env, tmp_path / f"server-{n}.log") for n in range(2)]
    try:
        for server in servers:
            wait_ready(server)
        run_workload([s.url for s in servers], auth, entries)
    finally:
        for server in servers:
            stop_server(server)
