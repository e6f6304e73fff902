"""The items of a page of search results: entry rows and glosses read in two statements,
re-checked against the access rule (never trust the index over the entry itself)."""

from __future__ import annotations

from collections import namedtuple

from sqlalchemy import bindparam, select

from lexicon.accounts import access
from lexicon.db.prepared import Prepared, fetch, json_value
from lexicon.models import Dictionary, Entry, Pronunciation, Sense

_ENTRY_COLUMNS = ("id", "headword", "headword_text", "homograph", "part_of_speech", "letter",
                  "has_audio", "deleted", "status", "visibility", "circle")  # fmt: skip
_EntryRow = namedtuple("_EntryRow", _ENTRY_COLUMNS)
_HEADWORD, _HAS_AUDIO = _ENTRY_COLUMNS.index("headword"), _ENTRY_COLUMNS.index("has_audio")


# Built once: the Core statements of the two reads behind a page of results, run through
# `lexicon.db.prepared.fetch` (the driver's cursor).
_ENTRY_TABLE, _SENSE_TABLE = Entry.__table__, Sense.__table__
_SOUND_TABLE = Pronunciation.__table__
_ENTRIES_BY_ID = Prepared(
    select(*[_ENTRY_TABLE.c[c] for c in _ENTRY_COLUMNS]).where(
        _ENTRY_TABLE.c.id.in_(bindparam("ids", expanding=True))
    )
)
_GLOSSES_BY_ENTRY = Prepared(
    select(
        _SENSE_TABLE.c.entry_id,
        _SENSE_TABLE.c.glosses,
        _SENSE_TABLE.c.visibility,
        _SENSE_TABLE.c.circle,
    )  # fmt: skip
    .where(
        _SENSE_TABLE.c.entry_id.in_(bindparam("ids", expanding=True)),
        _SENSE_TABLE.c.parent_id.is_(None),
    )  # fmt: skip
    .order_by(_SENSE_TABLE.c.entry_id, _SENSE_TABLE.c.position)
)


# The recordings of entries whose stored `has_audio` is set: whether the viewer may hear one.
_SOUNDS_BY_ENTRY = Prepared(
    select(_SOUND_TABLE.c.entry_id, _SOUND_TABLE.c.visibility, _SOUND_TABLE.c.circle).where(
        _SOUND_TABLE.c.entry_id.in_(bindparam("ids", expanding=True)),
        _SOUND_TABLE.c.media_sha256.is_not(None),
    )
)


def items(session, dictionary: Dictionary, viewer, rows: list, tiers: tuple) -> list[dict]:
    """Result items for matched rows, in their order; re-checked against the access rule."""
    ids = [r.entry_id for r in rows]
    if not ids:
        return []
    entries = {}
    for values in fetch(session, _ENTRIES_BY_ID, {"ids": ids}):
        entry = list(values)
        entry[_HEADWORD] = json_value(entry[_HEADWORD]) or {}
        entry[_HAS_AUDIO] = bool(entry[_HAS_AUDIO])
        entries[entry[0]] = _EntryRow._make(entry)
    glosses = _glosses(session, dictionary, viewer, ids)
    heard = _heard(session, dictionary, viewer, [e.id for e in entries.values() if e.has_audio])
    out = []
    for row in rows:
        entry = entries.get(row.entry_id)
        if (
            entry is None
            or entry.deleted
            or not access.can_see_entry(
                viewer,
                dictionary,
                {"status": entry.status, "visibility": entry.visibility, "circle": entry.circle},
            )
        ):
            continue  # never trust the index over the entry itself
        match = {"type": tiers[row.tier], "field": row.field, "lang": row.lang, "text": row.text}
        if entry.has_audio and entry.id not in heard:
            entry = entry._replace(has_audio=False)
        out.append(result_item(entry, glosses.get(entry.id, {}), match))
    return out


def result_item(entry, glosses: dict, match: dict | None) -> dict:
    """A result in the shape of `SearchItem` (browse lists use it too)."""
    return {
        "id": entry.id,
        "headword": entry.headword,
        "headword_text": entry.headword_text,
        "homograph": entry.homograph,
        "part_of_speech": entry.part_of_speech,
        "letter": entry.letter,
        "glosses": glosses,
        "has_audio": entry.has_audio,
        "match": match,
    }


def _heard(session, dictionary: Dictionary, viewer, ids: list[str]) -> set[str]:
    """Those of `ids` (entries with a recording) with a recording the viewer may hear."""
    if not ids:
        return set()
    return {
        entry_id
        for entry_id, visibility, circle in fetch(session, _SOUNDS_BY_ENTRY, {"ids": ids})
        if access.can_see(viewer, dictionary, visibility, circle)
    }


def _glosses(session, dictionary: Dictionary, viewer, ids: list[str]) -> dict[str, dict]:
    """entry id -> {lang: "gloss; gloss"} over the top-level senses the viewer may see."""
    out: dict[str, dict[str, list]] = {}
    for entry_id, glosses, visibility, circle in fetch(session, _GLOSSES_BY_ENTRY, {"ids": ids}):
        if not access.can_see(viewer, dictionary, visibility, circle):
            continue
        for lang, value in (json_value(glosses) or {}).items():
            if value and value not in out.setdefault(entry_id, {}).setdefault(lang, []):
                out[entry_id][lang].append(value)
    return {e: {lang: "; ".join(v) for lang, v in by.items()} for e, by in out.items()}
