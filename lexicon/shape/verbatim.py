"""Untouched entries go back out as they came in (LIFT `<entry>`, MDF `\\lx` record).

An import keeps each entry's source text in `extra[fmt]["source"]` with the version it was
imported at (`extra[fmt]["synced_version"]`). An exporter writes that text instead of
rebuilding the entry when all of these hold (`source_of`):

* the entry's version is still the imported one (nobody edited it since);
* the exporter's reader sees the whole entry: a viewer shown only part of it (a restricted
  sense, example, picture or recording: cultural protocols) never gets the source, which holds
  every part. `access.filter_entry` drops the source whenever it hides a part (`without_source`),
  so no export, page or API answer built from a filtered entry can carry it;
* the format's writer agrees the copy still says what it would write (media file names,
  checked by each writer).
"""

from __future__ import annotations

from lexicon.shape.entry import iter_senses

FORMATS = ("lift", "mdf")


def source_of(entry: dict, fmt: str) -> str | None:
    """The text `entry` was imported from, if it may be written back verbatim; else None."""
    x = (entry.get("extra") or {}).get(fmt)
    if not isinstance(x, dict):
        return None
    source, synced = x.get("source"), x.get("synced_version")
    if not isinstance(source, str) or not source or not isinstance(synced, int):
        return None
    version = entry.get("version")
    if not isinstance(version, int) or version != synced:
        return None
    return source


# What only an import writes in `extra[fmt]`: the verbatim copy and the marks saying it holds.
SERVER_MARKS = ("source", "header", "synced_version", "synced_hash", "synced_source")


def marks_kept(sent: dict, stored: dict | None) -> dict:
    """The `extra` to store for a write that is not an import: each format's verbatim copy and
    sync marks as the store holds them now (none for a new entry), whatever the writer sent.
    A client's own `source` with a matching `synced_version` would otherwise go out in every
    export as the entry: any XML, naming any guid, into a FieldWorks project."""
    out = dict(sent or {})
    for fmt in FORMATS:
        mine, theirs = out.get(fmt), (stored or {}).get(fmt)
        if not isinstance(mine, dict):
            continue
        kept = (
            {k: theirs[k] for k in SERVER_MARKS if k in theirs} if isinstance(theirs, dict) else {}
        )
        out[fmt] = {**{k: v for k, v in mine.items() if k not in SERVER_MARKS}, **kept}
    return out


def without_source(entry: dict) -> dict:
    """A shallow copy of `entry` without the verbatim copies (for a viewer who may not see
    every part of it)."""
    extra = entry.get("extra") or {}
    if not any(isinstance(extra.get(f), dict) and "source" in extra[f] for f in FORMATS):
        return entry
    extra = dict(extra)
    for f in FORMATS:
        if isinstance(extra.get(f), dict) and "source" in extra[f]:
            extra[f] = {k: v for k, v in extra[f].items() if k != "source"}
    return {**entry, "extra": extra}


def part_count(entry: dict) -> int:
    """How many parts with their own visibility an entry dict holds (to tell a whole entry from
    one a filter has cut)."""
    count = len(entry.get("pronunciations") or [])
    for sense in iter_senses(entry):
        count += 1 + len(sense.get("examples") or []) + len(sense.get("pictures") or [])
    return count


def keep_own_sources(entries: list[dict], fmt: str) -> None:
    """Drop the verbatim copies an import in another format brings along (our own JSON export
    carries them): their text might no longer say what the entry says."""
    for e in entries:
        extra = e.get("extra")
        if not isinstance(extra, dict):
            continue
        for f in FORMATS:
            if f != fmt and isinstance(extra.get(f), dict):
                extra[f].pop("source", None)
                extra[f].pop("header", None)
                extra[f].pop("synced_version", None)
                extra[f].pop("synced_hash", None)
                extra[f].pop("synced_source", None)
