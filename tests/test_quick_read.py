"""`api.deps.quick_read`: learners' reads run in the event loop on SQLite (no trip to a worker
thread), in a worker thread on PostgreSQL, and never wait for a lock in the loop."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from api.deps import quick_read
from lexicon.db import BUSY_TIMEOUT_MS, is_sqlite


def busy_timeout(session) -> int:
    return (
        session.connection()
        .connection.driver_connection.execute("PRAGMA busy_timeout")
        .fetchone()[0]
    )


def run(session, work):
    """(the event loop's thread, what `quick_read` gave), with a loop of its own in a thread of
    its own (a browser test may have left a loop running in this one)."""

    async def main():
        return threading.get_ident(), await quick_read(session, work)

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main()).result()


def test_a_read_runs_in_the_loop_on_sqlite_and_in_a_worker_thread_on_postgresql(session):
    def work():
        if is_sqlite(session):
            assert busy_timeout(session) == 0  # never waits for a lock in the loop
        return threading.get_ident(), session.execute(text("SELECT 1")).scalar_one()

    loop_thread, (work_thread, value) = run(session, work)
    assert value == 1
    assert (work_thread == loop_thread) == is_sqlite(session)
    if is_sqlite(session):
        assert busy_timeout(session) == BUSY_TIMEOUT_MS  # restored for the rest of the request


def test_a_read_that_sqlite_calls_busy_runs_again_in_a_worker_thread(session):
    threads = []

    def work():
        threads.append(threading.get_ident())
        if len(threads) == 1 and is_sqlite(session):
            raise OperationalError("SELECT 1", {}, Exception("database is locked"))
        return session.execute(text("SELECT 2")).scalar_one()

    loop_thread, value = run(session, work)
    assert value == 2
    assert threads[-1] != loop_thread
    assert len(threads) == (2 if is_sqlite(session) else 1)


def test_other_database_errors_are_not_retried(session):
    calls = []

    def work():
        calls.append(1)
        return session.execute(text("SELECT * FROM no_such_table")).all()

    with pytest.raises(Exception, match="no_such_table"):
        run(session, work)
    assert len(calls) == 1
