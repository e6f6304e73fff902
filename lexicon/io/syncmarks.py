"""The marks an import leaves on the entries it writes (`extra.lift` / `extra.mdf`): the version
an entry has as imported and a hash of the entry as the file gave it. While an entry keeps that
version, exports may write its source back verbatim (lexicon.shape.verbatim), and a re-import
that brings the same content skips it without reading it back."""

from __future__ import annotations

import hashlib

import orjson
from sqlalchemy import false, select

from lexicon.io.lift.unchanged import SOURCE_MARK
from lexicon.models import Entry
from lexicon.shape.schemas import EntryIn

# Set by imports, not part of the content.
SYNC_MARKS = ("synced_version", "synced_hash", SOURCE_MARK)
BATCH = 2000  # ids per query


def canon(entry: dict) -> dict:
    """The stored content of an entry, for 'did this import change it?'."""
    data = EntryIn.model_validate(entry).model_dump(exclude={"version"})
    for fmt in ("lift", "mdf"):
        lx = (data.get("extra") or {}).get(fmt)
        if isinstance(lx, dict):
            data["extra"] = {
                **data["extra"],
                fmt: {k: v for k, v in lx.items() if k not in SYNC_MARKS},
            }
    return data


def content_hash(entry: dict) -> str | None:
    """sha256 of an entry as the file gives it (media attached, writing systems settled),
    without the sync marks; None for formats that keep no source (nothing to mark)."""
    extra = entry.get("extra") or {}
    marked = {f: lx for f in ("lift", "mdf") if isinstance(lx := extra.get(f), dict)}
    if not marked:
        return None
    plain = {f: {k: v for k, v in lx.items() if k not in SYNC_MARKS} for f, lx in marked.items()}
    try:
        text = orjson.dumps({**entry, "extra": {**extra, **plain}}, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return None
    return hashlib.sha256(text).hexdigest()


def mark_synced(entry: dict, version: int, digest: str | None) -> None:
    """The version the entry has as imported: while it stays so, exports may write the entry's
    source back verbatim (lexicon.shape.verbatim), and a re-import that brings the same content
    (`synced_hash`) skips it without reading it back."""
    for fmt in ("lift", "mdf"):
        lx = (entry.get("extra") or {}).get(fmt)
        if isinstance(lx, dict):
            lx["synced_version"] = version
            if digest:
                lx["synced_hash"] = digest


def same_marks(row, digest: str | None) -> bool:
    """Whether the stored entry is still as an import of the very same content left it:
    unedited since (its version is the synced one) and imported from an equal entry. `row`
    carries the marks of the format as columns of their own (`synced_hash`, `synced_version`:
    what the importer reads of each stored entry, in SQL, not the entry's whole JSON)."""
    return bool(digest) and row.synced_hash == digest and row.synced_version == row.version


def stored_marks(session, dictionary, ids: list[str], fmt: str = "") -> dict:
    """The stored entries among `ids`, as light rows: id, dictionary_id, deleted, version and
    the sync marks an import of `fmt` left (`synced_hash`, `synced_version`), read in SQL
    rather than decoding every entry's whole JSON (a sixth of an unchanged re-import)."""
    found: dict = {}
    table = Entry.__table__
    columns = [table.c.id, table.c.dictionary_id, table.c.deleted, table.c.version]
    if fmt:
        columns += [table.c.extra[(fmt, mark)].label(mark) for mark in SYNC_MARKS]
    for i in range(0, len(ids), BATCH):
        chunk = ids[i : i + BATCH]
        for row in session.execute(select(*columns).where(table.c.id.in_(chunk))):
            found[row.id] = row
    return {k: v for k, v in found.items() if v.dictionary_id == dictionary.id}


def unchanged_lift(session, dictionary) -> dict[str, tuple[str, str]]:
    """{synced_source: (id, first headword)} of the dictionary's entries that are still as a
    LIFT import left them (not edited or deleted since): what lift.unchanged may leave unread."""
    table = Entry.__table__
    source = table.c.extra[("lift", SOURCE_MARK)].as_string()
    query = select(table.c.id, table.c.headword, source).where(
        table.c.dictionary_id == dictionary.id,
        table.c.deleted == false(),
        # compared in SQL, the marks read as plain text: no JSON decoded for them
        table.c.extra[("lift", "synced_version")].as_integer() == table.c.version,
        source.is_not(None),
    )
    return {
        synced_source: (entry_id, next(iter((headword or {}).values()), ""))
        for entry_id, headword, synced_source in session.execute(query).all()
        if synced_source
    }
