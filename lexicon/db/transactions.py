"""The outermost-commits transaction every write runs in, and how long it waits for another.

A write kept waiting too long by another (a large import holds the dictionary while it writes)
is refused as `Busy`, nothing saved, so the keeper is told at once and their form kept. SQLite:
the one write lock, waited for at BEGIN up to its busy timeout (lexicon.db.engine). PostgreSQL:
the rows it needs, waited for up to the lock timeout its session was given (`bound_waits`; the
web layer gives every request's session one); a session given none (an import, a background
job, the command line) waits as long as it must. On PostgreSQL a bounded session's write undone
for another's (a deadlock, a serialization failure) is `Busy` as well: sent again, it passes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

from lexicon.db.engine import begin_write
from lexicon.errors import Busy
from lexicon.shape.labels import Label

# SQLite: a write that waited its busy timeout for another (a large import holds the one write
# lock while it writes) is refused, and says so in the reader's language.
BUSY = Label(
    "The dictionary is busy writing another change, such as a large import. Nothing was "
    "saved: save again in a minute."
)
LOCK_WAIT = "wk_lock_wait_ms"  # session.info: PostgreSQL's lock timeout for its writes
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for a lock timeout (and NOWAIT)
# PostgreSQL gave this write up for another's, nothing of it kept, the same write likely to pass
# when sent again: it waited its bound (55P03), or it and another each waited for the other's
# rows and it was the one undone (a deadlock, 40P01), or it could not be ordered with another
# (a serialization failure, 40001).
GAVE_UP = (LOCK_NOT_AVAILABLE, "40P01", "40001")


def bound_waits(session: Session, seconds: float | None) -> Session:
    """Have the session's write transactions on PostgreSQL wait at most `seconds` for a row
    another transaction holds, then give up as Busy (None: wait as long as it takes)."""
    session.info[LOCK_WAIT] = None if seconds is None else max(1, round(seconds * 1000))
    return session


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """Group store calls into one all-or-nothing transaction (nestable)."""
    depth = session.info.get("wk_depth", 0)
    if depth == 0:
        try:
            begin_write(session)
        except OperationalError as exc:
            if "locked" not in str(exc.orig):
                raise
            session.rollback()
            raise Busy(BUSY) from exc
    session.info["wk_depth"] = depth + 1
    try:
        if depth == 0:
            _bound(session)
        yield session
        if depth == 0:
            session.commit()
    except BaseException as exc:
        if depth == 0:
            session.rollback()
            if _given_up(exc) and session.info.get(LOCK_WAIT):  # a page's write, not a NOWAIT
                raise Busy(BUSY) from exc
        raise
    finally:
        session.info["wk_depth"] = depth


def _bound(session: Session) -> None:
    """PostgreSQL: this transaction's lock timeout, as `bound_waits` gave the session."""
    wait = session.info.get(LOCK_WAIT)
    if wait and session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.set_config("lock_timeout", f"{wait}ms", True)))


def _given_up(exc: BaseException) -> bool:
    return isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in GAVE_UP
