"""A page's write (a session given `bound_waits`) that PostgreSQL undoes for another's is refused
as Busy, nothing of it kept, the other write going on: a deadlock (40P01) between two real
connections, each holding a row the other wants, and a serialization failure (40001). SQLite
cannot come to either (its one write lock is taken before a write's first statement): there the
same two writers take turns, the one kept waiting past its busy timeout refused as Busy."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import select, text, update
from sqlmodel import Session

from lexicon import editing
from lexicon.db.engine import make_engine
from lexicon.db.transactions import bound_waits, transaction
from lexicon.errors import Busy
from lexicon.models import Dictionary, Entry
from tests.factories import add_entry

WAIT = 10  # seconds a page's write may wait for a row: past PostgreSQL's deadlock check (1 s)
SLOW = 0.3  # SQLite's busy timeout in these tests (15 s on a real site)


@pytest.fixture
def page_engine(engine, db_kind, monkeypatch):
    """The engine a page's session writes through: on SQLite one whose connections wait SLOW
    seconds for the write lock (made after the timeout is set)."""
    if db_kind == "postgresql":
        yield engine
        return
    monkeypatch.setattr("lexicon.db.engine.BUSY_TIMEOUT_MS", int(SLOW * 1000))
    short = make_engine(engine.url.render_as_string(hide_password=False))
    yield short
    short.dispose()


class Outside:
    """Another writer on its own connection, as an import or a second server would be."""

    def __init__(self, engine, db_kind):
        self.pg = db_kind == "postgresql"
        if self.pg:
            self.conn = engine.connect()
        else:
            self.conn = sqlite3.connect(engine.url.database, isolation_level=None, timeout=WAIT)
            self.conn.execute("BEGIN IMMEDIATE")

    def run(self, sql: str, **values):
        return self.conn.execute(text(sql) if self.pg else sql, values)

    def commit(self):
        self.conn.commit() if self.pg else self.conn.execute("COMMIT")

    def close(self):
        self.conn.close()


def page_writes(engine, dictionary, entry: dict, out: dict) -> None:
    """A page's save of `entry` (its dictionary's row, then the entry's), in its own session."""
    with Session(engine, expire_on_commit=False) as session:
        bound_waits(session, WAIT)
        try:
            changed = dict(entry, part_of_speech="n")
            out["saved"] = editing.update_entry(session=session, dictionary=dictionary,
                                                entry_id=entry["id"], data=changed, version=1)  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - what the page was told, checked below
            out["error"] = exc


def waiting_for_a_row(outside: Outside) -> bool:
    outside.run("SELECT pg_stat_clear_snapshot()")  # else a transaction sees its first look
    found = outside.run("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND datname = current_database()")  # fmt: skip
    return found.scalar_one() > 0


def until(condition) -> None:
    deadline = time.monotonic() + 30  # only a guard against hanging the suite
    while not condition():
        assert time.monotonic() < deadline, "the page's write never waited"
        time.sleep(0.02)


def test_a_page_write_undone_by_a_deadlock_is_busy(engine, page_engine, db_kind, session,
                                                   dictionary):  # fmt: skip
    entry = add_entry(session, dictionary, "nyumba", "house")
    generation = session.get(Dictionary, dictionary.id).generation
    outside = Outside(engine, db_kind)
    out: dict = {}
    try:
        outside.run("UPDATE entry SET updated_by = 'import' WHERE id = :id", id=entry["id"])
        page = threading.Thread(target=page_writes, args=(page_engine, dictionary, entry, out))
        page.start()
        if outside.pg:  # it holds the dictionary's row and waits for the entry's: take the first
            until(lambda: waiting_for_a_row(outside))
        else:  # it waits for the one write lock, and gives up at its busy timeout
            page.join(WAIT)
        started = time.monotonic()
        outside.run("UPDATE dictionary SET generation = generation + 1 WHERE id = :id",
                    id=dictionary.id)  # fmt: skip
        outside.commit()
        page.join(WAIT)
    finally:
        outside.close()
    assert isinstance(out.get("error"), Busy), out
    assert "Nothing was saved" in out["error"].message
    assert time.monotonic() - started < WAIT / 2  # undone at once, not after its whole bound
    session.expire_all()
    stored = session.get(Entry, entry["id"])
    assert (stored.version, stored.part_of_speech, stored.updated_by) == (1, None, "import")
    assert session.get(Dictionary, dictionary.id).generation == generation + 1  # the other's


def test_a_page_write_that_cannot_be_serialised_is_busy(engine, page_engine, db_kind, session,
                                                        dictionary):  # fmt: skip
    """A page's transaction at SERIALIZABLE reads the entry, another writer changes it, the
    page then writes it: PostgreSQL refuses (40001), and the page is told busy. On SQLite the
    other writer is the one kept out (the page holds the write lock from its first statement)."""
    entry = add_entry(session, dictionary, "nyumba", "house")
    table = Entry.__table__
    with Session(page_engine) as page:
        bound_waits(page, WAIT)
        if db_kind == "postgresql":  # this transaction's connection, reset when it is returned
            page.connection(execution_options={"isolation_level": "SERIALIZABLE"})
        with pytest.raises(Busy) if db_kind == "postgresql" else _nothing(), transaction(page):
            page.execute(select(table.c.version).where(table.c.id == entry["id"])).one()
            _other_writes(engine, db_kind, entry["id"])
            page.execute(update(table).where(table.c.id == entry["id"])
                         .values(part_of_speech="n"))  # fmt: skip
    session.expire_all()
    stored = session.get(Entry, entry["id"])
    expected = (None, "import") if db_kind == "postgresql" else ("n", "")
    assert (stored.part_of_speech, stored.updated_by) == expected


class _nothing:  # noqa: N801 - a context manager that expects nothing
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _other_writes(engine, db_kind: str, entry_id: str) -> None:
    """Another writer changes the entry and commits (PostgreSQL), or is kept out (SQLite)."""
    if db_kind == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("UPDATE entry SET updated_by = 'import' WHERE id = :id"),
                         {"id": entry_id})  # fmt: skip
        return
    other = sqlite3.connect(engine.url.database, isolation_level=None, timeout=SLOW)
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("UPDATE entry SET updated_by = 'import' WHERE id = ?", (entry_id,))
    finally:
        other.close()
