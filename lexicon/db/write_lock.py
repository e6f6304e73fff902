"""SQLite writers of one process take turns in arrival order, and each wakes as the last ends.

SQLite lets one transaction write at a time (`BEGIN IMMEDIATE`, see lexicon.db). A writer that
finds the lock taken sleeps in SQLite's busy handler, which polls with growing sleeps (up to
100 ms): under load waiters are served in no order and wake long after the lock is free. Inside
one process they wait here instead, on a queue per database file that hands the turn to the
next writer the moment a write transaction ends. Writers of other processes (more workers, the
CLI) still meet in SQLite's busy handler, as before.

Only `BEGIN IMMEDIATE` takes a turn (readers never do), and never waits longer than the
connection's busy timeout: past it, SQLite answers "database is locked" at once, as it would
have after the same wait (a save behind a long import). The turn is given back when the
driver's transaction ends, whichever way: commit, rollback (which the pool also runs on a
connection returned without either), close (also when the pool invalidates a connection).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import weakref
from collections import deque
from collections.abc import Callable


class WriteQueue:
    """A lock handed to its waiters in arrival order; any thread may release it."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._waiting: deque[threading.Lock] = deque()  # one locked lock per waiter

    def acquire(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for our turn; False if it did not come."""
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            if timeout <= 0:
                return False
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        if turn.acquire(timeout=timeout):  # released by `release`: the queue is ours
            return True
        with self._mutex:
            if turn in self._waiting:
                self._waiting.remove(turn)
                return False
        return True  # handed over just as the wait ran out

    @property
    def held(self) -> bool:
        """Whether some writer has the turn."""
        return self._held

    @property
    def waiting(self) -> int:
        """How many writers wait for their turn."""
        return len(self._waiting)

    def release(self) -> None:
        with self._mutex:
            if self._waiting:
                self._waiting.popleft().release()  # still held, now by the next waiter
            else:
                self._held = False


_queues: weakref.WeakValueDictionary[str, WriteQueue] = weakref.WeakValueDictionary()
_queues_lock = threading.Lock()


def queue_for(database: str) -> WriteQueue:
    """The one queue of this process for the SQLite file `database`."""
    key = os.path.realpath(database)
    with _queues_lock:
        return _queues.setdefault(key, WriteQueue())


class Connection(sqlite3.Connection):
    """The driver's connection (the `factory` of `sqlite3.connect`): takes its process's turn
    before BEGIN IMMEDIATE and gives it back when the transaction ends."""

    holding: WriteQueue | None = None  # the queue whose turn this connection has

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        path = self.execute("PRAGMA database_list").fetchone()[2]  # "" when in memory
        self.queue = queue_for(path) if path else None

    def begin_immediate(self, begin: Callable[[], object]) -> None:
        """Run `begin` (BEGIN IMMEDIATE on this connection) in this process's turn."""
        if self.queue is None or self.holding is not None:
            begin()  # in memory; or a transaction ended behind the driver's back
            return
        wait_ms = int(self.execute("PRAGMA busy_timeout").fetchone()[0])
        if not self.queue.acquire(wait_ms / 1000):
            # Waited as long as SQLite would have: let SQLite answer now (busy, or free).
            self.execute("PRAGMA busy_timeout=0")
            try:
                begin()
            finally:
                self.execute(f"PRAGMA busy_timeout={wait_ms}")
            return
        self.holding = self.queue
        try:
            begin()
        except BaseException:
            self.let_go()
            raise

    def let_go(self) -> None:
        """Give the turn back (if held): the next writer of this process goes at once."""
        queue, self.holding = self.holding, None
        if queue is not None:
            queue.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._ended()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._ended()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.let_go()

    def __del__(self) -> None:  # dropped unclosed: SQLite rolls back, so the turn ends too
        self.let_go()

    def _ended(self) -> None:
        try:
            still_open = self.in_transaction  # a failed COMMIT leaves it open, to roll back
        except sqlite3.ProgrammingError:  # closed
            still_open = False
        if not still_open:
            self.let_go()
