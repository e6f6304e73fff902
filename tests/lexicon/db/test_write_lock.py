"""SQLite writers of one process take turns in arrival order (lexicon.db.write_lock), and however a
write transaction ends, its turn is given back: a turn kept would stop every save."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from lexicon.db import write_lock
from lexicon.db.engine import WRITE_OPTION, begin_write, make_engine
from lexicon.db.transactions import transaction

INSERT = text("INSERT INTO t VALUES (:v)")


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "w.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (v INTEGER)")
    yield engine, write_lock.queue_for(str(path)), path
    engine.dispose()


def rows(engine) -> list[int]:
    with engine.connect() as conn:
        return [v for (v,) in conn.execute(text("SELECT v FROM t ORDER BY v"))]


def write(engine, value: int) -> None:
    with Session(engine) as session, transaction(session):
        session.execute(INSERT, {"v": value})


def until(condition, what: str) -> None:
    deadline = time.monotonic() + 30  # only a guard against hanging the suite
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.001)


class Writer(threading.Thread):
    def __init__(self, engine, value: int):
        super().__init__(daemon=True)
        self.engine, self.value, self.error, self.had_turn = engine, value, None, False

    def run(self) -> None:
        try:
            with Session(self.engine) as session, transaction(session):
                raw = session.connection().connection.dbapi_connection
                self.had_turn = raw.holding is not None  # not let in by running out of time
                session.execute(INSERT, {"v": self.value})
        except BaseException as exc:  # reported by gets_through
            self.error = exc


def queued_writer(engine, queue, value: int) -> Writer:
    """A writer in another thread, waiting in the queue (not in SQLite's busy handler)."""
    writer = Writer(engine, value)
    waiting = queue.waiting
    writer.start()
    until(lambda: queue.waiting == waiting + 1, "the writer never queued")
    return writer


def gets_through(writer: Writer) -> None:
    writer.join(30)
    assert not writer.is_alive(), "the waiting writer never got its turn"
    assert writer.error is None and writer.had_turn


def test_commit_hands_the_turn_to_the_next_writer(db):
    engine, queue, _ = db
    with Session(engine) as session, transaction(session):
        session.execute(INSERT, {"v": 1})
        waiter = queued_writer(engine, queue, 2)
        assert queue.held
    gets_through(waiter)
    assert rows(engine) == [1, 2] and not queue.held


def test_rollback_after_an_exception_hands_the_turn_on(db):
    engine, queue, _ = db
    with Session(engine) as session, pytest.raises(ValueError), transaction(session):
        session.execute(INSERT, {"v": 1})
        waiter = queued_writer(engine, queue, 2)
        raise ValueError("the import failed")
    gets_through(waiter)
    assert rows(engine) == [2] and not queue.held


def test_a_session_closed_without_commit_or_rollback_hands_the_turn_on(db):
    engine, queue, _ = db
    session = Session(engine)
    begin_write(session)
    session.execute(INSERT, {"v": 1})
    waiter = queued_writer(engine, queue, 2)
    session.close()  # the connection goes back to the pool
    gets_through(waiter)
    assert rows(engine) == [2] and not queue.held


ENDINGS = {
    "commit": lambda conn: conn.commit(),
    "rollback": lambda conn: conn.rollback(),
    "close": lambda conn: conn.close(),  # back to the pool with the transaction open
    "invalidate": lambda conn: conn.invalidate(),  # the driver's connection is closed
}


@pytest.mark.parametrize("ending", ENDINGS)
def test_every_end_of_a_connection_transaction_hands_the_turn_on(db, ending):
    engine, queue, _ = db
    conn = engine.connect()
    conn.execution_options(**{WRITE_OPTION: True}).execute(INSERT, {"v": 1})
    waiter = queued_writer(engine, queue, 2)
    ENDINGS[ending](conn)
    gets_through(waiter)
    conn.close()
    assert rows(engine) == ([1, 2] if ending == "commit" else [2]) and not queue.held


def test_turns_come_in_arrival_order():
    queue = write_lock.WriteQueue()
    assert queue.acquire(0)
    order: list[int] = []

    def take(n: int) -> None:
        assert queue.acquire(30)
        order.append(n)
        queue.release()

    threads = []
    for n in range(5):
        threads.append(threading.Thread(target=take, args=(n,), daemon=True))
        threads[-1].start()
        until(lambda n=n: queue.waiting == n + 1, "a waiter never queued")
    queue.release()
    for thread in threads:
        thread.join(30)
    assert order == [0, 1, 2, 3, 4] and not queue.held


def test_a_wait_that_runs_out_leaves_the_queue_as_it_was():
    queue = write_lock.WriteQueue()
    assert queue.acquire(0)
    assert not queue.acquire(0) and not queue.acquire(0.01)
    assert queue.waiting == 0 and queue.held
    queue.release()
    assert queue.acquire(0)


def test_a_writer_behind_a_long_one_still_gets_sqlites_busy_error(db):
    """Like a save during a long import: it waits its busy timeout, then 'database is locked'
    (not forever), and keeps its busy timeout."""
    engine, queue, _ = db
    with engine.connect() as importer:
        importer.execution_options(**{WRITE_OPTION: True}).execute(INSERT, {"v": 1})
        with engine.connect() as save:
            raw = save.connection.dbapi_connection
            raw.execute("PRAGMA busy_timeout=20")
            with pytest.raises(OperationalError, match="locked"):
                save.execution_options(**{WRITE_OPTION: True}).execute(INSERT, {"v": 2})
            assert raw.execute("PRAGMA busy_timeout").fetchone()[0] == 20
            assert raw.holding is None
        importer.commit()
    assert not queue.held
    write(engine, 3)
    assert rows(engine) == [1, 3]


def test_another_process_is_met_in_sqlites_busy_handler(db):
    """A writer outside this process (here: a connection outside the queue) is waited for by
    SQLite's busy timeout, as before; the failed writer gives its turn back."""
    engine, queue, path = db
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    with engine.connect() as conn:
        conn.connection.dbapi_connection.execute("PRAGMA busy_timeout=20")
        with pytest.raises(OperationalError, match="locked"):
            conn.execution_options(**{WRITE_OPTION: True}).execute(INSERT, {"v": 1})
        assert not queue.held  # given back at once, not when the connection goes back
    other.rollback()
    other.close()
    write(engine, 2)
    assert rows(engine) == [2]


def test_reads_take_no_turn(db):
    engine, queue, _ = db
    with Session(engine) as session:
        assert session.execute(text("SELECT count(*) FROM t")).scalar() == 0
        assert session.in_transaction() and not queue.held


def test_only_sqlite_connections_queue(engine, db_kind):
    """The app's engine on each database: SQLite's write transactions take a turn in the queue
    and give it back; PostgreSQL's connections are the driver's own, untouched."""
    with Session(engine) as session:
        begin_write(session)
        raw = session.connection().connection.dbapi_connection
        queued = isinstance(raw, write_lock.Connection)
        assert queued == (db_kind == "sqlite")
        if queued:
            assert raw.holding is not None
        session.rollback()
        if queued:
            assert raw.holding is None
