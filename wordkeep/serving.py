"""What `wordkeep serve` does besides serving: keep a worker's memory flat, sweep orphan media.

Memory. Requests run in a pool of threads (anyio's, 40 by default) and glibc's malloc gives
threads their own arenas, up to eight per core. Each arena keeps the high-water mark of what its
threads ever held, fragmented, so a worker grows with concurrency and never shrinks:
`bench/load.py` at 100,000 entries and 32 clients measured 292 MB peak with glibc's default and
231-251 MB with two arenas (six runs), for the same throughput and CPU time per request. Rather than relying on every operator to set
MALLOC_ARENA_MAX, `serve` sets it: for this process through mallopt() (before any request thread
exists, which is when glibc fixes the arena limit) and in the environment, which worker
processes started by uvicorn inherit and glibc reads at their start. A value the operator set
is left alone. No re-exec: the process keeps its pid and arguments for process managers.
"""

from __future__ import annotations

import ctypes
import logging
import os
import platform
import threading

from sqlalchemy.exc import OperationalError

from lexicon.errors import Busy
from lexicon.media.sweep import sweep_once

M_ARENA_MAX = -8  # glibc's malloc.h
ARENAS = 2
log = logging.getLogger("wordkeep.media")


def limit_malloc_arenas(arenas: int = ARENAS) -> str | None:
    """Limit glibc malloc arenas for this process and its children, unless MALLOC_ARENA_MAX is
    set already; return the value in force (None where the C library is not glibc)."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    given = os.environ.get("MALLOC_ARENA_MAX")
    if given is not None:
        return given  # the operator's choice (glibc read it at start)
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return None
    if not mallopt(M_ARENA_MAX, arenas):
        return None
    os.environ["MALLOC_ARENA_MAX"] = str(arenas)  # for the worker processes uvicorn starts
    return str(arenas)


class MediaSweeper:
    """A background thread that runs `lexicon.media.sweep.sweep_once` every `interval` seconds
    (the first time soon after start), deleting orphan and half-written files older than `grace`.
    One per `serve` process, whatever the number of workers; on PostgreSQL one server at a time.
    """

    def __init__(self, *, engine, storage, interval: float, grace: float, first: float = 60.0):
        self.engine, self.storage = engine, storage
        self.interval, self.grace = interval, grace
        self.first = min(first, interval)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wordkeep-media-sweep", daemon=True)

    def start(self) -> MediaSweeper:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        wait = self.first
        while not self._stop.wait(wait):
            self.sweep()
            wait = self.interval

    def sweep(self) -> list[str] | None:
        """One round; failures are logged, never raised (the next round tries again). A round
        the database kept waiting too long (SQLite's write lock, PostgreSQL's media table, held
        by a long import) is postponed: one line, no error."""
        try:
            removed = sweep_once(engine=self.engine, storage=self.storage, older_than=self.grace)
        except (Busy, OperationalError) as exc:  # the database stayed busy (a long import)
            reason = str(exc.orig) if isinstance(exc, OperationalError) else "database busy"
            log.warning("media sweep postponed to the next round",
                        extra={"reason": reason, "next_in_s": self.interval})  # fmt: skip
            return None
        except Exception:
            log.exception("media sweep failed")
            return None
        if removed is None:
            log.info("media sweep skipped: another server is sweeping")
        elif removed:
            log.info("media sweep removed files", extra={"count": len(removed), "files": removed})
        return removed
