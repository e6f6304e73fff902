"""The orphan-media sweep: what it deletes, what it never deletes, and `wordkeep serve` running it.

A file is swept only when no row names it (pictures' other widths and print copies, and fonts
uploaded for printing, are named outside the media table's two key columns), when it is older
than the grace period, and after waiting for uploads that are writing their rows.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from PIL import Image
from sqlalchemy import func, select, text
from sqlmodel import Session

from lexicon import db, editing, media
from lexicon.media import audio, pictures
from lexicon.media.storage import LocalStorage
from lexicon.media.sweep import SWEEP_LOCK_ID, check_media, sweep_media, sweep_once
from lexicon.models import Media
from lexicon.operations.backup import create_backup
from lexicon.printing.uploads import add_print_font
from tests.conftest import FIXTURES
from tests.factories import dictionary_held, free_port
from wordkeep.serving import MediaSweeper

ROOT = Path(__file__).resolve().parents[3]
HOUR = 3600.0
ORPHAN = "audio/original/ab/" + "ab" * 32  # a key an upload killed before its commit leaves


def put_file(media_dir: Path, key: str, age: float = 0.0, data: bytes = b"RIFF....") -> Path:
    path = media_dir / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if age:
        when = time.time() - age
        os.utime(path, (when, when))
    return path


def age_everything(media_dir: Path, age: float) -> None:
    when = time.time() - age
    for path in media_dir.rglob("*"):
        if path.is_file():
            os.utime(path, (when, when))


def picture_and_font(session, dictionary, storage, tmp_path) -> list[str]:
    """A stored picture (original, web widths, print copy) and an uploaded print font: the
    storage keys of every file they made."""
    photo = tmp_path / "basket.png"
    Image.new("RGB", (1200, 900), (10, 200, 10)).save(photo)
    _, written = pictures.store_picture(
        session=session, storage=storage, dictionary=dictionary, path=photo, filename=photo.name
    )
    font = add_print_font(
        session=session, dictionary=dictionary, storage=storage, filename="codicon.ttf",
        data=(FIXTURES / "fonts" / "codicon.ttf").read_bytes(),
    )  # fmt: skip
    assert len(written) == 5  # the original, three web widths, the print copy
    return [*written, font["key"]]


def test_picture_copies_and_print_fonts_are_never_orphans(session, dictionary, media_dir, tmp_path):
    storage = LocalStorage(media_dir)
    keys = picture_and_font(session, dictionary, storage, tmp_path)
    age_everything(media_dir, 2 * HOUR)

    assert check_media(session=session, storage=storage) == {
        "orphans": [], "missing": [], "partial": []
    }  # fmt: skip
    assert sweep_media(session=session, storage=storage, older_than=0) == []
    assert sorted(storage.keys()) == sorted(keys)


def test_backup_copies_picture_copies_and_print_fonts(
    engine, session, dictionary, media_dir, tmp_path
):
    storage = LocalStorage(media_dir)
    keys = picture_and_font(session, dictionary, storage, tmp_path)
    manifest = create_backup(engine=engine, storage=storage, dest=tmp_path / "backup")
    copied = sorted(f["key"] for f in manifest["files"] if "key" in f)
    assert copied == sorted(keys) and manifest["missing_media"] == []


def test_sweep_takes_old_orphans_and_partial_files_only(session, dictionary, media_dir, tmp_path):
    storage = LocalStorage(media_dir)
    entry = editing.create_entry(
        session=session, dictionary=dictionary, data={"headword": {"seh": "nyumba"}}
    )
    clip = tmp_path / "word.wav"
    audio.write_tone(clip, container="wav", codec="pcm_s16le", tone=1.0)
    with open(clip, "rb") as fh:
        media.add_pronunciation_audio(
            session=session, storage=storage, dictionary=dictionary, entry_id=entry["id"],
            fileobj=fh, filename="word.wav", fields={}, editor="owner",
        )  # fmt: skip
    named = sorted(storage.keys())
    age_everything(media_dir, 2 * HOUR)  # named files are kept however old
    put_file(media_dir, ORPHAN, age=2 * HOUR)
    young = put_file(media_dir, "audio/original/cd/" + "cd" * 32, age=60)
    put_file(media_dir, "audio/web/ab/.tmp-killed", age=2 * HOUR)
    writing = put_file(media_dir, "audio/web/ab/.tmp-writing", age=1)

    removed = sweep_media(session=session, storage=storage, older_than=HOUR)

    assert sorted(removed) == sorted(["audio/web/ab/.tmp-killed", ORPHAN])
    assert young.exists() and writing.exists()
    assert sorted(storage.keys()) == sorted([*named, young.relative_to(media_dir).as_posix()])


class ListedStorage(LocalStorage):
    """A folder that says when the sweep has listed it (the sweep's decision comes next)."""

    def __init__(self, root):
        super().__init__(root)
        self.listed = threading.Event()

    def keys(self, prefix: str = ""):
        yield from super().keys(prefix)
        self.listed.set()


def test_sweep_waits_for_an_upload_that_reuses_an_old_orphan(engine, dictionary, media_dir):
    """An upload of the same bytes as an old orphan finds the file there and only writes its
    row: the sweep, which listed the file as an orphan just before, must wait for that row."""
    storage = ListedStorage(media_dir)
    orphan = put_file(media_dir, ORPHAN, age=2 * HOUR)
    outcome = {}
    with Session(engine, expire_on_commit=False) as upload:
        with db.transaction(upload):
            upload.add(Media(dictionary_id=dictionary.id, sha256="ab" * 32, original_key=ORPHAN))
            upload.flush()  # the row is written, not committed: the upload is in flight

            def sweep():
                outcome["removed"] = sweep_once(engine=engine, storage=storage, older_than=HOUR)

            sweeper = threading.Thread(target=sweep)
            sweeper.start()
            assert storage.listed.wait(30)
            wait_until_blocked(engine, sweeper)
            assert orphan.exists()
        sweeper.join(30)
    assert outcome["removed"] == [] and orphan.exists()
    with Session(engine) as session:
        assert check_media(session=session, storage=storage)["orphans"] == []


def wait_until_blocked(engine, sweeper: threading.Thread) -> None:
    """Give the sweep time to reach its lock (PostgreSQL shows the waiting lock)."""
    if engine.dialect.name != "postgresql":
        time.sleep(0.5)
        return
    deadline = time.monotonic() + 20
    with engine.connect() as conn:
        while time.monotonic() < deadline and sweeper.is_alive():
            waiting = conn.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'media'::regclass"
                )
            ).scalar()
            conn.rollback()
            if waiting:
                return
            time.sleep(0.05)
    pytest.fail("the sweep never waited for the upload's lock")


def test_one_server_sweeps_at_a_time_on_postgresql(engine, session, dictionary, media_dir):
    if engine.dialect.name != "postgresql":
        pytest.skip("an advisory lock is PostgreSQL's; SQLite serves one host")
    storage = LocalStorage(media_dir)
    orphan = put_file(media_dir, ORPHAN, age=2 * HOUR)
    with engine.connect() as other:  # another server, sweeping right now
        assert other.execute(select(func.pg_try_advisory_lock(SWEEP_LOCK_ID))).scalar()
        assert sweep_once(engine=engine, storage=storage, older_than=HOUR) is None
        assert orphan.exists()
        other.execute(select(func.pg_advisory_unlock(SWEEP_LOCK_ID)))
    assert sweep_once(engine=engine, storage=storage, older_than=HOUR) == [ORPHAN]
    assert not orphan.exists()


class Records(logging.Handler):
    """The records a logger gets (the app's log setup may stop them reaching pytest's)."""

    def __init__(self, name: str):
        super().__init__(logging.DEBUG)
        self.logger, self.records = logging.getLogger(name), []

    def emit(self, record):
        self.records.append(record)

    def __enter__(self):
        self.logger.addHandler(self)
        self.level_was, self.logger.level = self.logger.level, logging.DEBUG
        return self.records

    def __exit__(self, *exc):
        self.logger.removeHandler(self)
        self.logger.level = self.level_was


@contextlib.contextmanager
def held_from_the_sweep(engine):
    """What the sweep needs, held by another write: SQLite's one write lock (as an import holds
    it), PostgreSQL's media table (as an upload writing its row holds it)."""
    if engine.dialect.name == "sqlite":
        with dictionary_held(engine, 0):  # any write holds SQLite's lock, whatever it writes
            yield
        return
    with engine.connect() as upload:
        upload.execute(text("LOCK TABLE media IN ROW EXCLUSIVE MODE"))
        yield
        upload.rollback()


def test_a_sweep_kept_waiting_is_postponed_to_the_next_round(engine, media_dir, monkeypatch):
    """Another write holds the database past the sweep's wait (SQLite: the one write lock, past
    the busy timeout; PostgreSQL: an upload's hold on the media table, past LOCK_WAIT): the
    round is postponed, one line and no error, the orphan left for the next round."""
    storage = LocalStorage(media_dir)
    orphan = put_file(media_dir, ORPHAN, age=2 * HOUR)
    sweeping = engine
    if engine.dialect.name == "sqlite":
        monkeypatch.setattr("lexicon.db.engine.BUSY_TIMEOUT_MS", 300)
        sweeping = db.make_engine(engine.url.render_as_string(hide_password=False))
    monkeypatch.setattr("lexicon.media.sweep.LOCK_WAIT", "300ms")
    sweeper = MediaSweeper(engine=sweeping, storage=storage, interval=HOUR, grace=HOUR)
    with held_from_the_sweep(engine), Records("wordkeep.media") as records:
        assert sweeper.sweep() is None
    assert [(r.levelname, r.getMessage(), r.exc_info) for r in records] == [
        ("WARNING", "media sweep postponed to the next round", None)]  # fmt: skip
    assert records[0].next_in_s == HOUR and orphan.exists()
    assert sweeper.sweep() == [ORPHAN] and not orphan.exists()
    if sweeping is not engine:
        sweeping.dispose()


def test_check_media_repair_sweeps_by_hand(session, dictionary, database_url, media_dir):
    from typer.testing import CliRunner

    from wordkeep.cli import app

    orphan = put_file(media_dir, ORPHAN, age=2 * HOUR)
    young = put_file(media_dir, "audio/original/cd/" + "cd" * 32, age=120)
    env = {"WORDKEEP_DATABASE_URL": database_url, "WORDKEEP_MEDIA_DIR": str(media_dir)}
    result = CliRunner().invoke(app, ["check-media", "--repair"], env=env)
    assert result.exit_code == 0, result.output
    assert f"orphan: {ORPHAN}" in result.output and "removed 1 files" in result.output
    assert not orphan.exists() and young.exists()
    result = CliRunner().invoke(app, ["check-media", "--repair", "--older-than", "60"], env=env)
    assert "removed 1 files" in result.output and not young.exists()


def test_serve_sweeps_orphans_in_the_background(
    session, dictionary, database_url, media_dir, tmp_path
):
    storage = LocalStorage(media_dir)
    photo = tmp_path / "basket.png"
    Image.new("RGB", (900, 600), (200, 10, 10)).save(photo)
    _, written = pictures.store_picture(
        session=session, storage=storage, dictionary=dictionary, path=photo, filename=photo.name
    )
    age_everything(media_dir, 2 * HOUR)
    orphan = put_file(media_dir, ORPHAN, age=2 * HOUR)
    partial = put_file(media_dir, "image/web/ab/.tmp-killed", age=2 * HOUR)
    young = put_file(media_dir, "audio/original/cd/" + "cd" * 32)
    env = {
        **os.environ,
        "WORDKEEP_DATABASE_URL": database_url,
        "WORDKEEP_MEDIA_DIR": str(media_dir),
        "WORDKEEP_MEDIA_SWEEP_INTERVAL": "0.2",
        "WORDKEEP_LOG_LEVEL": "info",
    }
    env.pop("MALLOC_ARENA_MAX", None)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "wordkeep", "serve", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not serving(port) or orphan.exists() or partial.exists():
            assert server.poll() is None, server.communicate()
            assert time.monotonic() < deadline, "no sweep within a minute"
            time.sleep(0.1)
    finally:
        server.send_signal(signal.SIGTERM)
        _, log = server.communicate(timeout=30)
    assert not orphan.exists() and not partial.exists(), log
    assert young.exists() and all(storage.exists(key) for key in written)
    assert '"msg": "media sweep removed files"' in log and '"count": 2' in log
    # uvicorn finishes in-flight requests, then re-raises the SIGTERM it caught.
    assert "Finished server process" in log and server.returncode in (0, -signal.SIGTERM), log


def serving(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


ARENAS = """
import ctypes, os, sys, tempfile, threading
from wordkeep.serving import limit_malloc_arenas
print(limit_malloc_arenas())
libc = ctypes.CDLL(None)
libc.fopen.restype = ctypes.c_void_p
libc.malloc.restype = ctypes.c_void_p
ready, done = threading.Barrier(9), threading.Event()
def work():  # a thread that mallocs gets an arena; alive together, they cannot share freed ones
    libc.malloc(1000)
    ready.wait()
    done.wait()
threads = [threading.Thread(target=work) for _ in range(8)]
[t.start() for t in threads]
ready.wait()
with tempfile.NamedTemporaryFile(mode="r") as report:
    fh = libc.fopen(report.name.encode(), b"w")
    libc.malloc_info(0, ctypes.c_void_p(fh))
    libc.fclose(ctypes.c_void_p(fh))
    done.set()
    print(report.read().count("<heap nr="))
"""


@pytest.mark.parametrize("preset", [None, "0"])
def test_serve_limits_malloc_arenas_unless_told_otherwise(preset):
    import platform

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("malloc arenas are glibc's")
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    if preset is not None:
        env["MALLOC_ARENA_MAX"] = preset  # 0: glibc's default (8 per core)
    out = subprocess.run(
        [sys.executable, "-c", ARENAS], cwd=ROOT, env=env, capture_output=True, text=True,
        check=True,
    ).stdout.split()  # fmt: skip
    if preset is None:
        assert out == ["2", "2"]
    else:
        assert out[0] == "0" and int(out[1]) > 2
