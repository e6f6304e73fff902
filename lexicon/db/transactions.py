"""The outermost-commits transaction every write runs in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

from lexicon.db.engine import begin_write


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """Group store calls into one all-or-nothing transaction (nestable)."""
    depth = session.info.get("wk_depth", 0)
    if depth == 0:
        begin_write(session)
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
