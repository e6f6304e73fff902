"""Bring a database up to date: the schema, then the search rows a migration queued."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from lexicon.db.migrate import migrate
from lexicon.search import index as search_index


def upgrade(engine: Engine) -> None:
    """Run on start and by `wordkeep init`: migrate to the newest schema, then rebuild the index
    rows a migration asked for (with the running code's rules), if any."""
    migrate(engine)
    with Session(engine, expire_on_commit=False) as session:
        search_index.reindex_pending(session=session)
