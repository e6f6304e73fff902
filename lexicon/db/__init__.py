"""The database: engines and sessions, transactions, the SQLite write lock, prepared statements
and schema migrations. Imports nothing else of Wordkeep's but `models` and `errors`."""

from lexicon.db.engine import (
    BUSY_TIMEOUT_MS,
    WRITE_OPTION,
    begin_write,
    is_sqlite,
    make_engine,
    normalise_url,
    once_more_if_raced,
    reader_engine,
    session_for,
    without_waiting,
)
from lexicon.db.transactions import (
    bound_waits,
    transaction,
)

__all__ = [
    "BUSY_TIMEOUT_MS",
    "WRITE_OPTION",
    "begin_write",
    "bound_waits",
    "is_sqlite",
    "make_engine",
    "normalise_url",
    "once_more_if_raced",
    "reader_engine",
    "session_for",
    "transaction",
    "without_waiting",
]
