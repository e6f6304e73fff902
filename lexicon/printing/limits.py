"""How much typesetting one client can ask for: prints not already in the print cache.

A print is cached by everything that shapes it (lexicon.printing.service.cache_key), so asking
again for the same one costs a file read. But the options can be varied without end (a title,
a search, a hand-picked list), and each variant typesets the selection anew: seconds of CPU for a
whole dictionary. So the renders a client may start are counted: at most `per_minute` per client
(a signed-in account, else an address) in a sliding minute, and at most `concurrent` at once in
this worker. Past either, the print is refused with 429 and the seconds to wait; a print served
from the cache is never counted. The counts live in the worker's memory, so with several workers
each allows its own share: a ceiling on the damage, not an exact quota.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from lexicon.errors import TooManyRequests

WINDOW = 60.0
WAIT_FOR_SLOT = 20.0  # seconds a render waits for another to finish before giving up


class RenderGate:
    """Admits new renders per client and at once (see the module)."""

    def __init__(self, *, per_minute: int, concurrent: int, clock=time.monotonic):
        self.per_minute = per_minute
        self.slots = threading.BoundedSemaphore(concurrent)
        self.clock = clock
        self._started: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _count(self, client: str) -> None:
        now = self.clock()
        with self._lock:
            for name in [n for n, times in self._started.items() if now - times[-1] >= WINDOW]:
                del self._started[name]  # forget clients idle for a minute
            times = self._started.setdefault(client, deque())
            while times and now - times[0] >= WINDOW:
                times.popleft()
            if len(times) >= self.per_minute:
                wait = int(WINDOW - (now - times[0])) + 1
                raise TooManyRequests(
                    f"too many new prints ({self.per_minute} a minute); prints made before are "
                    f"served at once. Try again in {wait} s",
                    retry_after=wait,
                )
            times.append(now)

    @contextmanager
    def admit(self, client: str) -> Iterator[None]:
        """Count one new render for `client` and hold a slot while it runs."""
        self._count(client)
        if not self.slots.acquire(timeout=WAIT_FOR_SLOT):
            raise TooManyRequests(
                "the server is busy typesetting other prints; try again in a minute",
                retry_after=30,
            )
        try:
            yield
        finally:
            self.slots.release()
