"""Re-importing a LIFT entry that is stored unchanged costs its serialisation and a hash, not
a read (issue #19 part 4).

An import marks each entry with `synced_source`: the sha256 of its `<entry>` as lxml serialises
it (`source_digest`). A later import of the same dictionary is given the marks of the entries
still as that import left them (`known`: unedited since, not deleted), and an `<entry>` whose
digest is among them is not mapped to an entry dict at all. What an entry dict depends on
besides its own XML is ruled out or checked: an entry naming a media file gets no mark (the
file may change while the XML does not), and one whose relations point at an entry or sense
that the file changed (or that is not in it) is read after all (`settle`), since the target's
id or headword may differ. The reader's own version is part of the digest, so a Wordkeep that
maps LIFT differently reads every entry again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from lexicon.io.ids import as_uuid, derive_id
from lexicon.io.safety import nfc

SOURCE_MARK = "synced_source"
_READER = b"wordkeep lift reader 1\n"  # bump when lift.read maps an entry differently
_READ_BY = hashlib.sha256(_READER)  # copied for each digest


def names_media(source: str) -> bool:
    """Whether an `<entry>`'s text names a media file: a `<media>`, an `<illustration>` or a
    form in an audio writing system. One that does not gives an entry with none."""
    return _names_media(source, source.encode("utf-8"))


def _names_media(source: str, data: bytes) -> bool:
    """`names_media` of `source`, given as UTF-8 too (`data`): its ASCII letters lowered
    (`bytes.lower`, fast) find "-x-audio" in any case as `str.lower` does, for no other
    character lowers to an ASCII one of it."""
    return "<media" in source or "<illustration" in source or b"-x-audio" in data.lower()


def source_digest(source: str) -> str | None:
    """The mark of an entry serialised as `source` (lift.elements.to_xml); None for an entry
    naming a media file (`names_media`)."""
    data = source.encode("utf-8")
    if _names_media(source, data):
        return None
    digest = _READ_BY.copy()
    digest.update(data)
    return digest.hexdigest()


@dataclass
class Kept:
    """An `<entry>` the dictionary holds unchanged: its serialisation and line (read after all
    if `settle` says so), the id its reader gives it, the stored id and headword, and the refs
    of its relations."""

    source: str
    line: int
    eid: str
    stored_id: str
    headword: str
    refs: list = field(default_factory=list)
    keys: dict = field(default_factory=dict)  # relation key -> (entry or sense id, headword)


def kept(el, source: str, known: dict) -> Kept | None:
    """The element as a Kept entry when `known` (digest -> (stored id, headword)) holds it."""
    if not known:
        return None
    digest = source_digest(source)
    found = known.get(digest) if digest else None
    if found is None:
        return None
    lift_id, guid = el.get("id"), el.get("guid")
    eid = as_uuid(guid) or _given_uuid(lift_id)  # as lift.read.Reader.entry
    if not eid and lift_id:
        eid = derive_id("entry", nfc(lift_id))
    if not eid:
        return None  # a new random id each time: never stored unchanged
    stored_id, headword = found
    item = Kept(source, el.sourceline, eid, stored_id, headword)
    # what resolve_relations resolves: the entry's own relations, not its senses'
    item.refs = [r.get("ref") for r in el.iterchildren("relation")]
    for key in filter(None, (lift_id, guid, eid)):
        item.keys[key] = (stored_id, headword)  # another dictionary's id was replaced here
    _sense_keys(el, item, "sense", "")
    return item


def _sense_keys(el, item: Kept, tag: str, parent: str) -> None:
    """The keys of the senses (`tag`) of `el` and of their subsenses, each with the id the
    reader gives it (lift.read.Reader.sense)."""
    for index, child in enumerate(el.iterchildren(tag)):
        raw = child.get("id")
        sid = _given_uuid(raw) or derive_id(item.eid, "sense", raw or f"{parent}/{index}")
        for key in filter(None, (raw, sid)):
            item.keys[key] = (sid, item.headword)
        _sense_keys(child, item, "subsense", sid)


def _given_uuid(value: str | None) -> str | None:
    return as_uuid(value) or as_uuid((value or "").rsplit("_", 1)[-1])


def settle(items: list, entry_keys) -> list[int]:
    """The places of the Kept entries among `items` (the file's entries in order: entry dicts,
    whose relation targets `entry_keys` gives, and Kept ones) that must be read after all:
    those with a relation whose target is not a Kept entry (a later entry's key winning, as in
    resolve_relations)."""
    owner: dict = {}  # key -> the place of the entry it names
    for at, item in enumerate(items):
        for key in item.keys if isinstance(item, Kept) else entry_keys(item):
            owner[key] = at
    again = []
    for at, item in enumerate(items):
        if not isinstance(item, Kept):
            continue
        for ref in item.refs:
            if ref and (ref not in owner or not isinstance(items[owner[ref]], Kept)):
                again.append(at)
                break
    return again
