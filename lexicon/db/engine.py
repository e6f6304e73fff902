"""Engines and per-connection setup.

Nothing here reads settings: the URL comes in as an argument (sqlite-utils style).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TypeVar

import orjson
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from lexicon.db import write_lock

T = TypeVar("T")


def normalise_url(url: str) -> str:
    """Let `postgresql://` mean psycopg 3 (the driver we ship), not psycopg2."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


BUSY_TIMEOUT_MS = 15000  # how long a SQLite write waits for another's lock


def _sqlite_connect(dbapi_connection, _record) -> None:
    # One place for SQLite's per-connection setup: WAL lets readers run beside a writer,
    # the busy timeout makes concurrent writers wait instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # 512 KiB of page cache per connection (SQLite's default is 2 MiB): the operating system
    # caches the file anyway, and a worker's pool holds up to a dozen connections (bench/load.py:
    # peak RSS 236 -> 212 MB at 100,000 entries, search and import speed unchanged).
    cursor.execute("PRAGMA cache_size=-512")
    cursor.close()


def _reader_connect(dbapi_connection, _record) -> None:
    # After _sqlite_connect: a reader never waits for a lock and cannot write.
    dbapi_connection.execute("PRAGMA busy_timeout=0")
    dbapi_connection.execute("PRAGMA query_only=1")


def reader_engine(engine: Engine) -> Engine | None:
    """For a SQLite file: a second pool over it whose connections only read and never wait for
    a lock (busy timeout 0, `query_only`). The web layer runs its quick reads on it in the event
    loop (`api.deps.quick_read`): a read there must never sleep in SQLite's busy handler, and
    must not write. None for PostgreSQL and for an in-memory database."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    reader = make_engine(engine.url.render_as_string(hide_password=False))
    event.listen(reader, "connect", _reader_connect)
    return reader


def json_text(value) -> str:
    """JSON columns as text, with orjson: entries, senses and revisions are JSON, and
    json.dumps was a fifth of a large import (its own text differs, its meaning does not)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def make_engine(url: str, **kwargs) -> Engine:
    """An engine for `url` (SQLite file or PostgreSQL) with the project's connection setup."""
    kwargs.setdefault("json_serializer", json_text)
    kwargs.setdefault("json_deserializer", orjson.loads)
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # The driver's connection is write_lock.Connection: this process's writers of the file
        # queue in arrival order instead of polling in SQLite's busy handler.
        kwargs.setdefault(
            "connect_args",
            {"check_same_thread": False, "timeout": 15, "factory": write_lock.Connection},
        )
        # SQLite connections are cheap and local: never make a request wait for one (a request
        # holds its connection across its steps, so a pool smaller than the thread pool could
        # run dry under load and time out with a 500).
        kwargs.setdefault("max_overflow", -1)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_connect)
        # pysqlite's own transaction handling is replaced by ours: reads BEGIN (deferred) so
        # readers run side by side under WAL; the store's write transactions ask for
        # BEGIN IMMEDIATE (see `write_transaction`) so they wait for the lock up front instead
        # of failing half-way on a lock upgrade.
        event.listen(engine, "connect", _disable_pysqlite_begin)
        event.listen(engine, "begin", _begin_immediate)
        event.listen(engine, "checkin", _let_go)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    # No parallel plans: the app's queries are small, and PostgreSQL, misjudging how rare a
    # full-text match is, would start workers for a handful of rows (4 ms of a 5 ms search).
    kwargs.setdefault("connect_args", {"options": "-c max_parallel_workers_per_gather=0"})
    return create_engine(url, **kwargs)


def _disable_pysqlite_begin(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None


WRITE_OPTION = "wordkeep_write"


def _begin_immediate(conn) -> None:
    if not conn.get_execution_options().get(WRITE_OPTION, False):
        conn.exec_driver_sql("BEGIN")
        return
    begin = partial(conn.exec_driver_sql, "BEGIN IMMEDIATE")
    raw = conn.connection.dbapi_connection
    if isinstance(raw, write_lock.Connection):
        raw.begin_immediate(begin)  # in this process's turn (see lexicon.db.write_lock)
    else:
        begin()


def _let_go(dbapi_connection, _record) -> None:
    # Back in the pool: no transaction is open, so no turn may stay held (belt and braces:
    # commit, rollback and close already give it back).
    if isinstance(dbapi_connection, write_lock.Connection):
        dbapi_connection.let_go()


def begin_write(session) -> None:
    """Start the session's transaction as a write transaction (SQLite: BEGIN IMMEDIATE).

    A read transaction already open is ended first: upgrading it to a write could fail with
    SQLITE_BUSY if another writer committed meanwhile. Objects already loaded stay usable
    (sessions are made with expire_on_commit=False)."""
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={WRITE_OPTION: True})


def once_more_if_raced(write: Callable[[], T]) -> T:
    """Run `write` (which opens and ends its own transaction) again, once, if it lost a race to
    insert the same unique row: two uploads of the same file at once on PostgreSQL both find no
    Media row, and the second insert fails when the first commits. The retry finds the row."""
    try:
        return write()
    except IntegrityError:
        return write()


def is_sqlite(engine_or_session) -> bool:
    bind = getattr(engine_or_session, "bind", None) or engine_or_session
    return bind.dialect.name == "sqlite"


def session_for(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)


@contextmanager
def without_waiting(engine: Engine) -> Iterator[Connection]:
    """A connection for a best-effort write (a token's last use, marking a dead job): on SQLite
    it starts a write transaction (BEGIN IMMEDIATE) and fails at once with "database is
    locked" when another writer holds the lock, instead of waiting the busy timeout; a web
    request must not hang behind an import for a note. Elsewhere, a plain connection."""
    with engine.connect() as conn:
        if engine.dialect.name != "sqlite":
            yield conn
            return
        raw = conn.connection.dbapi_connection  # the driver's: SQLAlchemy would BEGIN first
        raw.execute("PRAGMA busy_timeout=0")
        try:
            yield conn.execution_options(**{WRITE_OPTION: True})
        finally:  # before the connection goes back to the pool
            raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
