"""The entry's shape in code (docs/entry-shape.md): the one place that knows how a headword is
displayed, what a blank entry holds and how to walk an entry's senses and media."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any, NamedTuple

import orjson

from lexicon.models import (
    Dictionary,
)


def display_headword(dictionary: Dictionary, headword: dict, citation=None, lexeme=None) -> str:
    """The form shown and sorted: the first vernacular writing system that has one."""
    for forms in (citation or {}, headword or {}, lexeme or {}):
        for ws in dictionary.vernacular_ws or []:
            if forms.get(ws, "").strip():
                return forms[ws].strip()
    for forms in (headword or {}, citation or {}, lexeme or {}):
        for value in forms.values():
            if value.strip():
                return value.strip()
    return ""


# ---------------------------------------------------------------- blank parts
# What every reader starts from: each field of docs/entry-shape.md at its empty value, then
# the caller's `values`. A field added to the shape is added here, once. The fields the server
# keeps (version, timestamps, authors) are not part of a blank: a reader that has them passes them.


def blank_entry(**values) -> dict:
    """An entry with every field of the shape at its empty value, then `values`."""
    return {
        "id": "",
        "headword": {},
        "citation": {},
        "lexeme_form": {},
        "homograph": 0,
        "morph_type": None,
        "part_of_speech": None,
        "status": "published",
        "visibility": "public",
        "circle": None,
        "pronunciations": [],
        "senses": [],
        "variants": [],
        "relations": [],
        "notes": [],
        "etymologies": [],
        "extra": {},
        "deleted": False,
        **values,
    }


def blank_sense(**values) -> dict:
    """A sense with every field of the shape at its empty value, then `values`."""
    return {
        "id": "",
        "part_of_speech": None,
        "glosses": {},
        "definitions": {},
        "semantic_domains": [],
        "notes": [],
        "examples": [],
        "pictures": [],
        "reversals": [],
        "subsenses": [],
        "visibility": "public",
        "circle": None,
        "extra": {},
        **values,
    }


def blank_pronunciation(**values) -> dict:
    """A pronunciation with every field of the shape at its empty value, then `values`: what
    each reader starts from, so a field added to the shape is added once."""
    return {
        "id": "",
        "ipa": "",
        "forms": {},
        "speaker": "",
        "dialect": "",
        "place": "",
        "recorded_on": "",
        "consent": "",
        "visibility": "public",
        "circle": None,
        "media": None,
        "extra": {},
        **values,
    }


def blank_example(**values) -> dict:
    """An example with every field of the shape at its empty value, then `values` (its
    `recording` notes are added by the readers that have them)."""
    return {
        "id": "",
        "text": {},
        "translations": {},
        "source": "",
        "visibility": "public",
        "circle": None,
        "media": None,
        "extra": {},
        **values,
    }


def blank_picture(**values) -> dict:
    """A picture with every field of the shape at its empty value, then `values`."""
    return {
        "id": "",
        "caption": {},
        "credit": "",
        "licence": "",
        "consent": "",
        "visibility": "public",
        "circle": None,
        "media": None,
        "extra": {},
        **values,
    }


# ---------------------------------------------------------------- walking an entry
# The walkers take entry dicts and also the schema objects (EntryIn, SenseIn ...): a part is
# read by key from a dict, by attribute from an object.


def _parts(obj, key: str) -> list:
    if isinstance(obj, dict):
        return obj.get(key) or []
    return getattr(obj, key, None) or []


class SenseAt(NamedTuple):
    """A sense with where it sits: `path` is its index among the entry's senses, then among
    each parent's subsenses ((1,) the second sense, (1, 0) its first subsense); `parent` is the
    sense it is a subsense of (None for a sense of the entry)."""

    path: tuple[int, ...]
    parent: Any
    sense: Any


def iter_senses(entry) -> Iterator:
    """Every sense of an entry, subsenses included, in the order of the entry (a sense, then
    its subsenses, then the next sense)."""
    # iter_sense_paths' walk without the paths: imports and exports ask this of every entry.
    stack = list(reversed(_parts(entry, "senses")))
    while stack:
        sense = stack.pop()
        yield sense
        stack.extend(reversed(_parts(sense, "subsenses")))


def iter_sense_paths(entry) -> Iterator[SenseAt]:
    """Every sense of an entry as `iter_senses` gives them, each with its path and parent."""
    stack = [((i,), None, s) for i, s in enumerate(_parts(entry, "senses"))]
    stack.reverse()
    while stack:
        path, parent, sense = stack.pop()
        yield SenseAt(path, parent, sense)
        subs = _parts(sense, "subsenses")
        stack.extend(((*path, i), sense, sub) for i, sub in reversed(list(enumerate(subs))))


MEDIA_KINDS = {"pronunciation": "audio", "example": "audio", "picture": "image"}


def iter_media_parts(entry) -> Iterator[tuple[str, Any]]:
    """(kind, part) for every part of an entry that can hold a media file, whether it holds
    one or not: "pronunciation", "example" (their recordings) and "picture" (its image); the
    file is the part's `media` ({"sha256", ...} stored, {"href", ...} while importing)."""
    for p in _parts(entry, "pronunciations"):
        yield "pronunciation", p
    stack = list(reversed(_parts(entry, "senses")))  # the senses as iter_senses walks them
    while stack:
        sense = stack.pop()
        for x in _parts(sense, "examples"):
            yield "example", x
        for pic in _parts(sense, "pictures"):
            yield "picture", pic
        stack.extend(reversed(_parts(sense, "subsenses")))


def iter_media(entry) -> Iterator[tuple[str, Any]]:
    """(kind, part) for every part of an entry that refers to a media file (its `media` is
    set), as `iter_media_parts` names them. Recordings kept in audio writing-system forms
    (FLEx, WeSay: in glosses, translations, custom fields ...) are `audio_refs`."""
    for kind, part in iter_media_parts(entry):
        media = part.get("media") if isinstance(part, dict) else getattr(part, "media", None)
        if media:
            yield kind, part


def named_file(part: dict) -> str:
    """The file an import named for a part and its package did not carry (kept in
    `extra.import.media`, as a Toolbox `\\sf` or a spreadsheet's audio cell), or "": exports
    write that name back so the link is not lost."""
    named = ((part.get("extra") or {}).get("import") or {}).get("media") or {}
    return named.get("href") or "" if isinstance(named, dict) else ""


def own_definitions(sense: dict) -> dict:
    """The sense's definitions that say more than its glosses: WeSay and FLEx often fill a
    definition with the gloss's very words, which a page or a printed entry shows once."""
    said = {_plain(text) for text in (sense.get("glosses") or {}).values()}
    return {
        ws: text
        for ws, text in (sense.get("definitions") or {}).items()
        if _plain(text) and _plain(text) not in said
    }


def _plain(text) -> str:
    return unicodedata.normalize("NFC", str(text or "")).strip()


def media_sha(part) -> str | None:
    """The sha256 of the stored file a part's `media` names (None while it names none)."""
    media = part.get("media") if isinstance(part, dict) else getattr(part, "media", None)
    if isinstance(media, dict):
        return media.get("sha256")
    return getattr(media, "sha256", None)


def audio_refs(obj) -> list[dict]:
    """Every recording kept in an audio-writing-system form ({"audio_href", "sha256"?}),
    anywhere inside an entry dict (glosses, definitions, translations, fields ...).

    Imports and exports ask this of every entry and few entries have any: one look at the
    entry's JSON text (orjson, in C) answers "none" without walking a million values."""
    try:
        if b'"audio_href"' not in orjson.dumps(obj):
            return []
    except TypeError:  # not plain JSON data: walk it
        pass
    found, stack = [], [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "audio_href" in item:
                found.append(item)
            else:
                stack.extend(reversed(item.values()))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return found
