"""What imports and exports share to go fast on thousands of entries."""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def gc_paused():
    """Python's cycle collector paused while an import or export builds and drops its many
    objects (entry dicts, models, rows), and started again after. Those objects are freed by
    their reference counts; what the collector did was scan them over and over as the heap
    grew (about a third of an import's CPU on 12,000 entries), for the same peak memory. When
    it is paused already (another import in the process), it is left to whoever paused it."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
