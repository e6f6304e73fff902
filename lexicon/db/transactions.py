"""The outermost-commits transaction every write runs in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import OperationalError
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
        yield session
        if depth == 0:
            session.commit()
    except BaseException:
        if depth == 0:
            session.rollback()
        raise
    finally:
        session.info["wk_depth"] = depth
