"""Crash safety: kill -9 in the middle of an import or an upload, and a graceful shutdown.

A child process does the real work and stops at a chosen point (it prints `PAUSED` and sleeps);
the test then kills it with SIGKILL. Afterwards the database holds all or nothing of the work,
the media store holds nothing the database does not name once the documented sweep ran
(`wordkeep check-media --repair`), and the same work can simply be run again.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlmodel import Session

from bench.generate import generate_entries
from lexicon import editing, entries, media
from lexicon.io.importer import BATCH, import_file
from lexicon.media import audio
from lexicon.media.storage import LocalStorage
from lexicon.models import Entry, Media, Revision
from lexicon.operations.backup import check_media, sweep_media

ROOT = Path(__file__).resolve().parents[3]
PATANI = ROOT / "tests" / "fixtures" / "lift-patani-audio" / "webm"
IMPORT_SIZE = BATCH + 200  # two batches of the importer

# The child: do `work`, pausing at `where` (an SQL statement prefix seen for the `nth` time,
# "commit", "put" half-way through a media file, or "done" after the work returned).
CHILD = r"""
import json, os, shutil, sys, time
from sqlalchemy import event
from lexicon import entries, media
from lexicon.db import make_engine, session_for
from lexicon.io.importer import BATCH, import_file
from lexicon.media.storage import LocalStorage
import lexicon.media.storage

args = json.loads(sys.argv[1])
where, nth = args["where"], args.get("nth", 1)
engine = make_engine(args["url"])
seen = {"n": 0}

def pause():
    print("PAUSED", flush=True)
    time.sleep(120)

@event.listens_for(engine, "before_cursor_execute")
def on_sql(conn, cursor, statement, params, context, many):
    sql = statement.lstrip().upper()
    if sql.startswith(("INSERT INTO REVISION", "COPY REVISION")):
        seen["revision"] = True
    if sql.startswith((where, where.replace("INSERT INTO ", "COPY ", 1))):  # COPY: PostgreSQL
        seen["n"] += 1
        if seen["n"] == nth:
            pause()

@event.listens_for(engine, "commit")
def on_commit(conn):
    # The commit of the work itself: the first one after a revision was written.
    if where == "COMMIT" and seen.get("revision"):
        pause()

if where == "PUT":
    real_copy = shutil.copyfileobj
    def half_then_pause(src, dst, length=0):
        dst.write(src.read(1000))
        dst.flush()
        pause()
    lexicon.media.storage.shutil.copyfileobj = half_then_pause

storage = LocalStorage(args["media"])
with session_for(engine) as session:
    dictionary = entries.get_dictionary(session=session, slug="demo")
    if args["work"] == "import":
        import_file(session=session, dictionary=dictionary, path=args["file"], storage=storage)
    else:
        with open(args["file"], "rb") as fh:
            media.add_pronunciation_audio(
                session=session, storage=storage, dictionary=dictionary,
                entry_id=args["entry"], fileobj=fh, filename="word.wav", fields={}, editor="x",
            )
if where == "DONE":
    pause()
"""


def run_and_kill(**args) -> None:
    """Start the child, wait until it pauses at the chosen point, then SIGKILL it."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, json.dumps(args)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline()
        assert line.strip() == "PAUSED", f"the child never paused: {line!r} {child.stderr.read()}"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL


def counts(engine) -> dict:
    with Session(engine) as session:
        out = {
            name: session.exec(select(func.count()).select_from(model)).scalar_one()
            for name, model in (("entry", Entry), ("revision", Revision), ("media", Media))
        }
        out["search"] = session.exec(text("SELECT count(*) FROM search_text")).scalar_one()
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    return out


@pytest.fixture
def big_file(tmp_path) -> Path:
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"entries": generate_entries(IMPORT_SIZE)}), "utf-8")
    return path


@pytest.mark.parametrize("nth", [2])
def test_import_killed_mid_transaction_leaves_nothing(
    engine, session, dictionary, database_url, media_dir, big_file, nth
):
    before = counts(engine)
    # At the last batch's revisions: earlier batches are written, none is committed.
    run_and_kill(
        work="import", url=database_url, media=str(media_dir), file=str(big_file),
        where="INSERT INTO REVISION", nth=nth,
    )  # fmt: skip
    assert counts(engine) == before
    report = import_file(session=session, dictionary=dictionary, path=big_file)
    assert report.created == IMPORT_SIZE
    assert counts(engine)["entry"] == before["entry"] + IMPORT_SIZE


def test_import_with_audio_killed_before_commit(
    engine, session, dictionary, database_url, media_dir
):
    storage = LocalStorage(media_dir)
    lift = PATANI / "SingleEntryLiftWithSound.lift"
    run_and_kill(
        work="import", url=database_url, media=str(media_dir), file=str(lift), where="COMMIT"
    )
    assert counts(engine) == {"entry": 0, "revision": 0, "media": 0, "search": 0}
    found = check_media(session=session, storage=storage)
    assert found["orphans"] and found["missing"] == []  # the files were stored, the rows not
    sweep_media(session=session, storage=storage, older_than=0)
    assert list(storage.keys()) == []

    report = import_file(session=session, dictionary=dictionary, path=lift, storage=storage)
    assert report.created == 1 and report.media_added == 1
    assert check_media(session=session, storage=storage) == {
        "orphans": [], "missing": [], "partial": []
    }  # fmt: skip


@pytest.fixture
def recording(tmp_path) -> Path:
    path = tmp_path / "word.wav"
    audio.write_tone(path, container="wav", codec="pcm_s16le", tone=2.0)
    return path


@pytest.mark.parametrize("where", ["PUT", "COMMIT", "DONE"])
def test_upload_killed_is_all_or_nothing(
    engine, session, dictionary, database_url, media_dir, recording, where
):
    storage = LocalStorage(media_dir)
    entry = editing.create_entry(
        session=session, dictionary=dictionary, data={"headword": {"seh": "nyumba"}}
    )
    run_and_kill(
        work="upload", url=database_url, media=str(media_dir), file=str(recording),
        entry=entry["id"], where=where,
    )  # fmt: skip
    sha = hashlib.sha256(recording.read_bytes()).hexdigest()
    stored = entries.read_entry(
        session=session, dictionary=dictionary, entry_id=entry["id"], viewer=_admin()
    )
    found = check_media(session=session, storage=storage)
    assert found["missing"] == []
    if where == "DONE":  # committed before the kill: everything is there
        assert stored["version"] == 2
        assert stored["pronunciations"][0]["media"]["sha256"] == sha
        assert storage.open(media.original_key(sha)).read() == recording.read_bytes()
        assert found == {"orphans": [], "missing": [], "partial": []}
        return
    assert stored["version"] == 1 and stored["pronunciations"] == []
    assert counts(engine)["media"] == 0
    assert found["orphans"] or found["partial"]  # what the killed upload left is visible...
    sweep_media(session=session, storage=storage, older_than=0)
    assert check_media(session=session, storage=storage) == {
        "orphans": [], "missing": [], "partial": []
    }  # fmt: skip
    assert not [p for p in media_dir.rglob("*") if p.is_file()]  # ...and swept away

    with open(recording, "rb") as fh:  # the same upload again simply works
        again = media.add_pronunciation_audio(
            session=session, storage=storage, dictionary=dictionary, entry_id=entry["id"],
            fileobj=fh, filename="word.wav", fields={}, editor="owner",
        )  # fmt: skip
    assert again["pronunciations"][0]["media"]["sha256"] == sha


def _admin():
    from lexicon.accounts.access import Viewer

    return Viewer(is_admin=True)


def test_graceful_shutdown_finishes_the_write_in_flight(
    database_url, dictionary, owner, session, media_dir, tmp_path
):
    """SIGTERM while a save is in flight: uvicorn stops listening, lets the save finish and
    answer, then exits. (Deployments: give the process manager a stop timeout longer than
    the slowest request; see docs/deploy.md.)"""
    from tests.api.test_two_servers import start_server, stop_server, wait_ready

    entry = editing.create_entry(
        session=session, dictionary=dictionary, data={"headword": {"seh": "madzi"}}
    )
    env = {
        "WORDKEEP_DATABASE_URL": database_url,
        "WORDKEEP_MEDIA_DIR": str(media_dir),
        "WORDKEEP_SECRET_KEY": "graceful-shutdown-secret-0123456789",
    }
    server = start_server(env, tmp_path / "server.log", level="info")
    try:
        wait_ready(server)
        body = json.dumps({**entry, "senses": [{"glosses": {"en": "water"}}]}).encode()
        port = int(server.url.rsplit(":", 1)[1])
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock.sendall(
            (
                f"PUT /api/dictionaries/demo/entries/{entry['id']} HTTP/1.1\r\n"
                f"Host: 127.0.0.1\r\nAuthorization: Bearer {owner.token}\r\n"
                f'Content-Type: application/json\r\nIf-Match: "1"\r\n'
                f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n"
            ).encode()
        )
        # "100 Continue" comes when the app asks for the body: the request is in the app now.
        assert sock.recv(1024).startswith(b"HTTP/1.1 100 Continue")
        server.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        while "Waiting for connections to close" not in server.log.read_text():
            assert time.monotonic() < deadline, server.log.read_text()
            time.sleep(0.05)
        with pytest.raises(httpx.TransportError):  # no new requests are taken...
            httpx.get(f"{server.url}/healthz", timeout=5)
        sock.sendall(body)  # ...but the one in flight completes
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        sock.close()
        assert answer.startswith(b"HTTP/1.1 200"), answer[:300]
        # uvicorn re-raises the SIGTERM it handled once it has shut down cleanly.
        assert server.proc.wait(timeout=30) in (0, -signal.SIGTERM)
        assert "Finished server process" in server.log.read_text()
    finally:
        if server.proc.poll() is None:
            stop_server(server)
        server.handle.close()
    saved = entries.read_entry(
        session=session, dictionary=dictionary, entry_id=entry["id"], viewer=_admin()
    )
    assert saved["version"] == 2 and saved["senses"][0]["glosses"]["en"] == "water"
