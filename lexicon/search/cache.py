"""Recent search and browse pages, kept per worker and keyed by the dictionary's generation.

A class of learners looks up the same words within minutes; each page is computed once. The key
holds everything a page depends on: the dictionary's `generation` (bumped first thing by every
write to its entries or settings, see `lexicon.editing.dictionaries.touch`), who is asking (as the access rule
sees them: `lexicon.accounts.access.access_key`) and the request. A worker reads the dictionary row on
every request anyway, so a write through any worker retires every worker's pages at once, with
no messages between them. Only callers that have just read the
dictionary row (the web layer) should use it; a long-lived `Dictionary` object would carry a
stale generation.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from sqlalchemy import bindparam, select

from lexicon.accounts.access import access_key
from lexicon.db.prepared import Prepared, fetch
from lexicon.entries.read import get_dictionary
from lexicon.errors import DictionaryNotFound
from lexicon.models import Dictionary


class PageCache:
    """A bounded LRU of computed pages (immutable values: the web layer keeps JSON bytes)."""

    def __init__(self, size: int) -> None:
        self.size = max(0, int(size))
        self._pages: OrderedDict[tuple, object] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def page(self, kind: str, dictionary: Dictionary, viewer, request: tuple,
             compute: Callable[[], object]):  # fmt: skip
        """The page for `request` (a tuple of the query's parameters), computed at most once
        per generation of the dictionary and kind of viewer."""
        if not self.size:
            return compute()
        key = (kind, dictionary.generation, access_key(viewer, dictionary), request)
        with self._lock:
            found = self._pages.get(key)
            if found is not None:
                self._pages.move_to_end(key)
                self.hits += 1
                return found
            self.misses += 1
        result = compute()  # outside the lock: two threads may both compute it; harmless
        with self._lock:
            self._pages[key] = result
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)
        return result

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


_GENERATION = Prepared(
    select(Dictionary.__table__.c.id, Dictionary.__table__.c.generation).where(
        Dictionary.__table__.c.slug == bindparam("slug")
    )
)


class DictionarySnapshots:
    """Read-only copies of dictionary rows, per worker, for the read paths that run on every
    keystroke (search, browse). Each use reads the row's id and `generation` (one indexed
    lookup on the driver's cursor); the full row is loaded again only when they changed, and
    every write to a dictionary's settings bumps `generation` (`lexicon.editing.dictionaries.touch`). A
    snapshot is detached from any session and shared between requests: never change it."""

    def __init__(self) -> None:
        self._by_slug: dict[str, Dictionary] = {}

    def get(self, session, slug: str) -> Dictionary:

        found = fetch(session, _GENERATION, {"slug": slug})
        if not found:
            raise DictionaryNotFound(f"no dictionary {slug!r}")
        known = self._by_slug.get(slug)
        if known is not None and (known.id, known.generation) == tuple(found[0]):
            return known
        dictionary = get_dictionary(session=session, slug=slug)
        session.expunge(dictionary)
        if len(self._by_slug) > 1000:  # slugs asked for come and go: keep this bounded
            self._by_slug.clear()
        self._by_slug[slug] = dictionary
        return dictionary
