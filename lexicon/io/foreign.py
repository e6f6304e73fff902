"""Ids a file brings that another dictionary of this site uses already: the same file imported
into two dictionaries (a test copy and the real one), or our own export of one dictionary
imported into another. Entries and their senses, examples, pronunciations and pictures then get
ids of this dictionary's own, derived from the ones the file gives, so that importing the same
file again finds them (unchanged, not updated with new ids each time)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlmodel import Session

from lexicon.io.ids import derive_id
from lexicon.models import Dictionary, Entry, Example, Picture, Pronunciation, Sense
from lexicon.shape.entry import iter_media_parts, iter_senses

CHUNK = 2000  # ids per query
_MODELS = {"pronunciation": Pronunciation, "example": Example, "picture": Picture}


def remap_foreign(session: Session, dictionary: Dictionary, entries: list[dict]) -> int:
    """Give entries (and then their parts) whose ids another dictionary uses ids of this one;
    returns how many entries got one. Relations to a remapped entry follow it."""
    ids = [e["id"] for e in entries]
    foreign = _used_elsewhere(session, dictionary, Entry, ids)
    new = {old: derive_id("dictionary", str(dictionary.id), old) for old in foreign}
    if new:
        for e in entries:
            e["id"] = new.get(e["id"], e["id"])
            for r in e.get("relations") or []:
                r["target_id"] = new.get(r.get("target_id"), r.get("target_id"))
    _remap_parts(session, dictionary, entries)
    return len(new)


def _remap_parts(session: Session, dictionary: Dictionary, entries: list[dict]) -> None:
    """A part whose id a part of another dictionary's entry holds gets one derived from its
    entry's id and its own (the store would otherwise give it a random one, new at each
    import)."""
    parts: list[tuple] = []
    for e in entries:
        for sense in iter_senses(e):
            parts.append((Sense, e["id"], sense))
        for kind, part in iter_media_parts(e):
            parts.append((_MODELS[kind], e["id"], part))
    wanted: dict = defaultdict(set)
    for model, _, part in parts:
        if isinstance(part, dict) and isinstance(part.get("id"), str) and part["id"]:
            wanted[model].add(part["id"])
    taken = {
        model: _used_elsewhere(session, dictionary, model, sorted(ids))
        for model, ids in wanted.items()
    }
    for model, entry_id, part in parts:
        if isinstance(part, dict) and part.get("id") in taken.get(model, ()):
            part["id"] = derive_id("part", entry_id, part["id"])


def _used_elsewhere(session, dictionary, model, ids: list[str]) -> set[str]:
    """Those of `ids` that rows of `model` (entries, or their parts) in other dictionaries
    hold."""
    found: set[str] = set()
    for i in range(0, len(ids), CHUNK):
        query = select(model.id).where(
            model.id.in_(ids[i : i + CHUNK]), Entry.dictionary_id != dictionary.id
        )
        if model is not Entry:
            query = query.join(Entry, Entry.id == model.entry_id)
        found |= set(session.execute(query).scalars())
    return found
