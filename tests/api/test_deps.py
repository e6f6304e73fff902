"""`api.deps.quick_read`: learners' short reads run in the event loop on SQLite, on reader
connections that never wait for a lock and cannot write; in a worker thread on PostgreSQL.
And the typed dependencies: a role alias carries its action for the upload gate."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from api.deps import EditorDep, ManagerDep, ProposerDep, Requires, ReviewerDep, quick_read
from lexicon.db.engine import is_sqlite, reader_engine


@pytest.fixture
def request_(engine):
    """What quick_read reads of a request: the app's reader engine (None on PostgreSQL)."""
    reader = reader_engine(engine)
    yield SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(reader=reader)))
    if reader is not None:
        reader.dispose()


def run(request_, session, work):
    """(the event loop's thread, what `quick_read` gave), with a loop of its own in a thread of
    its own (a browser test may have left a loop running in this one)."""

    async def main():
        return threading.get_ident(), await quick_read(request_, session, work)

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main()).result()


def test_a_read_runs_in_the_loop_on_sqlite_and_in_a_worker_thread_on_postgresql(request_, session):
    def work(db):
        pragma = db.execute(text("PRAGMA busy_timeout")).scalar() if is_sqlite(db) else None
        return threading.get_ident(), db is session, pragma, db.execute(text("SELECT 1")).scalar()

    loop_thread, (work_thread, own_session, busy_timeout, value) = run(request_, session, work)
    assert value == 1
    sqlite = is_sqlite(session)
    assert (work_thread == loop_thread) == sqlite
    assert own_session != sqlite  # SQLite: the reader's session; PostgreSQL: the request's
    if sqlite:
        assert busy_timeout == 0  # never waits for a lock in the loop


def test_a_quick_read_cannot_write_on_sqlite(request_, session):
    """SQLite's reader connections refuse any write; on PostgreSQL a quick read is the
    request's own session, as any other read."""

    def work(db):
        db.execute(text("UPDATE dictionary SET title = title WHERE 1 = 0"))
        return "written"

    if is_sqlite(session):
        with pytest.raises(OperationalError, match="readonly"):
            run(request_, session, work)
    else:
        assert run(request_, session, work)[1] == "written"


def test_a_read_that_sqlite_calls_busy_runs_again_in_a_worker_thread(request_, session):
    calls = []

    def work(db):
        calls.append((threading.get_ident(), db is session))
        if len(calls) == 1 and is_sqlite(session):
            raise OperationalError("SELECT 1", {}, Exception("database is locked"))
        return db.execute(text("SELECT 2")).scalar_one()

    loop_thread, value = run(request_, session, work)
    assert value == 2
    assert calls[-1][0] != loop_thread and calls[-1][1]  # a thread, on the request's session
    assert len(calls) == (2 if is_sqlite(session) else 1)


def test_other_database_errors_are_not_retried(request_, session):
    calls = []

    def work(db):
        calls.append(1)
        return db.execute(text("SELECT * FROM no_such_table")).all()

    with pytest.raises(Exception, match="no_such_table"):
        run(request_, session, work)
    assert len(calls) == 1


@pytest.mark.parametrize(
    "alias, action",
    [
        (ProposerDep, "propose"),
        (EditorDep, "edit"),
        (ReviewerDep, "review"),
        (ManagerDep, "manage"),
        (Requires("export"), "export"),
    ],
)
def test_a_role_alias_carries_its_action(alias, action):
    """api.uploads reads `requires(action).action` to check the role before an upload's body."""
    (depends,) = alias.__metadata__
    assert depends.dependency.action == action
