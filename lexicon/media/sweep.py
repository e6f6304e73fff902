"""Media files no database row names (orphans) and half-written ones: finding and sweeping them.

Uploads and imports store their files just before the row that names them commits, so a process
killed in between leaves an orphan, and a killed `LocalStorage.put` leaves a `.tmp-*` file. Both
are harmless but take space. `sweep_media` deletes those older than a grace period; `sweep_once`
is the same behind a lock, for a server that sweeps on its own (`wordkeep serve`).

A file is named by a `media` row (its original, its default web copy, and every key in its
`extra`: the other widths and the print copy of a picture) or by a dictionary's `extra` (the
fonts uploaded for printing). Three things keep a sweep from deleting a file something needs:

* the grace period: a file an upload has just written is young, whatever its row's state;
* the decision is taken again under a lock that waits for uploads writing `media` rows
  (SQLite: the write lock, `BEGIN IMMEDIATE`; PostgreSQL: `LOCK TABLE media IN SHARE MODE`),
  so an upload that reuses an old orphan's bytes either commits its row first (the file is
  then named and kept) or writes the file again after the sweep;
* on PostgreSQL one server sweeps at a time (an advisory lock); the others skip that round.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select, text
from sqlmodel import Session

from lexicon.db.transactions import transaction
from lexicon.models import Dictionary, Media

SWEEP_LOCK_ID = 0x776B_6D73_7765_6570  # "wkmsweep": the sweep's PostgreSQL advisory lock
LOCK_WAIT = "2s"  # longer and uploads would queue behind a sweep waiting for a long import
MAX_PER_ROUND = 1000  # a backlog is worked off over several rounds, each lock held briefly
PARTIAL_PREFIX = ".tmp-"  # lexicon.media.storage writes here first, then renames


# ---------------------------------------------------------------- which files are named


def _keys_in(value) -> Iterator[str]:
    """Every `"key": "..."` in a JSON value (a picture's widths and print copy, a font)."""
    if isinstance(value, dict):
        if isinstance(value.get("key"), str):
            yield value["key"]
        for item in value.values():
            yield from _keys_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys_in(item)


def _parsed(extra):
    return json.loads(extra) if isinstance(extra, str) else extra  # raw SQLite rows hold text


def media_row_keys(original: str | None, derivative: str | None, extra) -> set[str]:
    """The storage keys one `media` row names."""
    return {k for k in (original, derivative) if k} | set(_keys_in(_parsed(extra)))


def named_keys(media_rows: Iterable[tuple], dictionary_extras: Iterable) -> set[str]:
    """Keys named by (original_key, derivative_key, extra) media rows and dictionaries' extra
    (shared with lexicon.operations.backup, which copies exactly these files)."""
    keys: set[str] = set()
    for original, derivative, extra in media_rows:
        keys |= media_row_keys(original, derivative, extra)
    for extra in dictionary_extras:
        keys.update(_keys_in(_parsed(extra)))
    return keys


def referenced_keys(session) -> set[str]:
    """Every storage key the database names, as the session's transaction sees it."""
    rows = session.execute(select(Media.original_key, Media.derivative_key, Media.extra))
    extras = session.execute(select(Dictionary.extra)).scalars()
    return named_keys(rows, extras)


# ---------------------------------------------------------------- check and sweep


def check_media(*, session, storage) -> dict:
    """Compare the media store with the database: files nothing names (`orphans`, e.g. of an
    upload or import killed before its commit), named files that are gone (`missing`) and
    half-written temporary files (`partial`)."""
    named = referenced_keys(session)
    stored = set(storage.keys())
    return {
        "orphans": sorted(stored - named),
        "missing": sorted(named - stored),
        "partial": sorted(_partial_files(storage)),
    }


def sweep_media(*, session, storage, older_than: float = 3600.0) -> list[str]:
    """Delete orphan and partial media files older than `older_than` seconds; return them.

    The grace period matters: an upload stores its files just before its database commit, so
    a young orphan may belong to an upload still in flight. Raises sqlalchemy's
    OperationalError when the database stays busy (try again later; nothing was deleted then).
    """
    found = check_media(session=session, storage=storage)
    session.commit()  # end the read: no transaction stays open while the store is listed
    orphans = [k for k in found["orphans"] if _age(storage, k) >= older_than][:MAX_PER_ROUND]
    partial = [n for n in found["partial"] if _partial_age(storage, n) >= older_than]
    if not orphans and not partial:
        return []
    removed = []
    with _media_writes_held(session):
        named = referenced_keys(session)
        for key in orphans:
            # Asked again under the lock: a row may have committed, or an upload rewritten the
            # file (a new modification time), since the list was made.
            if key not in named and _age(storage, key) >= older_than:
                storage.delete(key)
                removed.append(key)
        for name in partial:
            if _partial_age(storage, name) >= older_than:
                (Path(storage.root) / name).unlink(missing_ok=True)
                removed.append(name)
    return removed


def sweep_once(*, engine: Engine, storage, older_than: float) -> list[str] | None:
    """One sweep unless another server is sweeping (PostgreSQL); None when it was skipped."""
    with _only_sweeper(engine) as mine:
        if not mine:
            return None
        with Session(engine, expire_on_commit=False) as session:
            return sweep_media(session=session, storage=storage, older_than=older_than)


@contextmanager
def _only_sweeper(engine: Engine) -> Iterator[bool]:
    """PostgreSQL: hold the sweep's advisory lock (on its own connection, so it is released
    when that closes, whatever happens to this process). SQLite: one host, nothing to take;
    two sweeps at once would only find nothing left to do."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        mine = bool(conn.execute(select(func.pg_try_advisory_lock(SWEEP_LOCK_ID))).scalar())
        try:
            yield mine
        finally:
            if mine:
                conn.execute(select(func.pg_advisory_unlock(SWEEP_LOCK_ID)))


@contextmanager
def _media_writes_held(session) -> Iterator[None]:
    """A transaction in which no upload can write a `media` row (see the module's docstring)."""
    with transaction(session):  # SQLite: BEGIN IMMEDIATE, waiting for the busy timeout
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'"))
            session.execute(text("LOCK TABLE media IN SHARE MODE"))
        yield


def _partial_files(storage) -> list[str]:
    root = getattr(storage, "root", None)
    if root is None or not Path(root).is_dir():
        return []  # an object store shows an object only once it is complete
    return [
        p.relative_to(root).as_posix()
        for p in Path(root).rglob(f"{PARTIAL_PREFIX}*")
        if p.is_file()
    ]


def _partial_age(storage, name: str) -> float:
    try:
        return time.time() - (Path(storage.root) / name).stat().st_mtime
    except FileNotFoundError:
        return 0.0  # renamed into place or removed meanwhile: nothing to do


def _age(storage, key: str) -> float:
    """Seconds since `key` was written (0 when the store cannot say or it is gone: kept)."""
    root = getattr(storage, "root", None)
    if root is not None:
        try:
            return time.time() - (Path(root) / key).stat().st_mtime
        except FileNotFoundError:
            return 0.0
    client = getattr(storage, "client", None)
    if client is None:
        return 0.0
    from botocore.exceptions import ClientError  # heavy: imported when used (docs/architecture.md)

    try:
        head = client.head_object(Bucket=storage.bucket, Key=storage.prefix + key)
    except ClientError:  # deleted meanwhile (or unreadable): never a reason to delete
        return 0.0
    return (datetime.now(UTC) - head["LastModified"]).total_seconds()
