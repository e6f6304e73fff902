"""Reading dictionaries and entries back: one entry dict assembled from its rows
(docs/entry-shape.md), lists with cursors, revisions, and media as the client sees them. Every
read takes the viewer and asks `lexicon.accounts.access`."""

from __future__ import annotations

import base64
import json
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from operator import itemgetter

from sqlalchemy import Row, func, select
from sqlmodel import Session

from lexicon.accounts import access
from lexicon.accounts.access import Viewer
from lexicon.alphabet import Alphabet
from lexicon.db.engine import is_sqlite
from lexicon.entries import relations
from lexicon.errors import (
    DictionaryNotFound,
    EntryNotFound,
    InvalidInput,
)
from lexicon.models import (
    Dictionary,
    Entry,
    Example,
    Media,
    Picture,
    Pronunciation,
    Relation,
    Revision,
    Sense,
)
from lexicon.shape import labels

DEFAULT_PAGE = 50


MAX_PAGE = 500


def get_dictionary(*, session: Session, slug: str) -> Dictionary:
    dictionary = session.exec(
        select(Dictionary).where(Dictionary.slug == slug)
    ).scalar_one_or_none()
    if dictionary is None:
        raise DictionaryNotFound(f"no dictionary {slug!r}")
    return dictionary


def list_dictionaries(*, session: Session, viewer: Viewer) -> list[Dictionary]:
    rows = session.exec(select(Dictionary).order_by(Dictionary.title)).scalars().all()
    return [d for d in rows if access.can_see_dictionary(viewer, d)]


def count_entries(*, session: Session, dictionary: Dictionary, viewer: Viewer) -> int:
    stmt = select(func.count()).select_from(Entry).where(*_entry_filters(dictionary, viewer))
    return session.exec(stmt).scalar_one()


def dictionary_public(*, session: Session, dictionary: Dictionary, viewer: Viewer) -> dict:
    out = dictionary.model_dump(exclude={"id", "created_at", "updated_at"})
    out["entry_count"] = count_entries(session=session, dictionary=dictionary, viewer=viewer)
    return out


@lru_cache(maxsize=256)
def _alphabet_cached(config_json: str) -> Alphabet:
    return Alphabet.from_config(json.loads(config_json))


def alphabet_for(dictionary: Dictionary) -> Alphabet:
    return _alphabet_cached(json.dumps(dictionary.alphabet or {}, sort_keys=True))


def iso(moment: datetime | None) -> str:
    return moment.isoformat().replace("+00:00", "Z") if moment else ""


def media_url(dictionary: Dictionary | str, sha256: str, original: bool = False) -> str:
    """Where a stored file is served (its web copy, or the archival original): part of the
    entry's JSON, of exports and of printed QR codes, so spelled here once (api/urls.py uses it)."""
    slug = dictionary if isinstance(dictionary, str) else dictionary.slug
    return f"/media/{slug}/{sha256}" + ("/original" if original else "")


def media_public(dictionary: Dictionary, media: Media) -> dict:
    derived = media.derivative_key is not None
    return {
        "sha256": media.sha256,
        "url": media_url(dictionary, media.sha256),
        "original_url": media_url(dictionary, media.sha256, original=True),
        "mime": (media.derivative_mime if derived else media.mime) or media.mime,
        "duration": media.derivative_duration if derived else media.duration,
        "size": media.size,
        "original_name": media.original_name,
        "width": media.width,
        "height": media.height,
        "kind": media.kind,
        "srcset": _srcset(dictionary, media),
    }


def _srcset(dictionary: Dictionary, media: Media) -> str | None:
    """A picture's web copies for `srcset` (lexicon.media.pictures serves `<url>/w<width>`)."""
    widths = (media.extra or {}).get("widths") if media.kind == "image" else None
    if not widths:
        return None
    url = media_url(dictionary, media.sha256)
    return ", ".join(f"{url}/w{w} {w}w" for w in sorted(widths))


def stored_entry(*, session: Session, dictionary: Dictionary, entry_id: str) -> dict:
    """The entry as stored, every part included (callers filter it for a viewer); EntryNotFound
    when it does not exist or is deleted."""
    row = session.exec(
        select(Entry).where(Entry.id == entry_id, Entry.dictionary_id == dictionary.id)
    ).scalar_one_or_none()
    if row is None or row.deleted:
        raise EntryNotFound(f"no entry {entry_id} in {dictionary.slug!r}")
    return entry_dict(session=session, dictionary=dictionary, row=row)


def entry_dict(*, session: Session, dictionary: Dictionary, row: Entry) -> dict:
    """The full stored entry (unfiltered: callers apply lexicon.accounts.access)."""
    return entry_dicts(session=session, dictionary=dictionary, rows=[row])[0]


def entry_dicts(
    *, session: Session, dictionary: Dictionary, rows: list[Entry], ids_query=None
) -> list[dict]:
    """Entry dicts for many rows with one query per child table (no N+1). `rows` are Entry
    objects or Core rows of the whole entry table (`select(Entry.__table__)`: what bulk
    readers such as exports use, a fifth of the cost of building ORM objects). `ids_query`,
    a select of the rows' ids (at least), spares a whole dictionary's reader an IN list of
    thousands of ids."""
    if not rows:
        return []
    ids = ids_query if ids_query is not None else [r.id for r in rows]
    parts = _Parts()
    for model in CHILDREN:
        table = model.__table__
        result = session.execute(
            select(table).where(table.c.entry_id.in_(ids)).order_by(table.c.position)
        )
        parts.add_rows(model, list(result.keys()), result)
    parts.media = media_for(session, dictionary, parts.shas()) if parts.shas() else {}
    if isinstance(rows[0], Row):  # a RowMapping rebuilds its keys for each row
        keys = rows[0]._fields
        return [parts.entry(dict(zip(keys, row, strict=True))) for row in rows]
    return [parts.entry(row_values(row)) for row in rows]


# The entry row's columns that go into the entry dict as they are.
_ENTRY_COLUMNS = ("version", "headword", "citation", "lexeme_form", "homograph", "morph_type",
                  "part_of_speech", "status", "visibility", "circle")  # fmt: skip
_ENTRY_TAIL = ("variants",)
_ENTRY_AFTER = ("notes", "etymologies", "extra", "headword_text", "letter")


def assemble(entry: dict, children: dict, media: dict) -> dict:
    """One entry dict (docs/entry-shape.md) from its row's values, its child rows by model
    ({model: {entry id: [row values]}}) and its media by sha256."""
    parts = _Parts()
    for model in CHILDREN:
        for values in children[model].get(entry["id"], []):
            parts.add(model, {k: v for k, v in values.items() if k not in _HIDDEN}, values)
    parts.media = media
    return parts.entry(entry)


# Where a child row goes in its entry: (entry id, the sense it belongs to, if any).
_PLACE = {Sense: "parent_id", Example: "sense_id", Picture: "sense_id"}


class _Parts:
    """Child rows as the entry dict's items (their columns but _HIDDEN), grouped by where they
    go: {model: {(entry id, sense id or None): [item]}}; a part's `media` is filled from
    `media` ({sha256: media dict}) when the entry is assembled."""

    def __init__(self):
        self.groups: dict = {model: defaultdict(list) for model in CHILDREN}
        self.media: dict = {}
        self._with_media: list[tuple[dict, str]] = []

    def add(self, model, item: dict, values) -> None:
        """One child row's item; `values` is the row (a mapping or a Core row)."""
        if model in _MEDIA_PARTS:
            sha = values["media_sha256"] if isinstance(values, dict) else values.media_sha256
            item["media"] = None
            if sha:
                self._with_media.append((item, sha))
        sub = _PLACE.get(model)
        if isinstance(values, dict):
            key = (values["entry_id"], values[sub] if sub else None)
        else:
            key = (values.entry_id, getattr(values, sub) if sub else None)
        self.groups[model][key].append(item)

    def add_rows(self, model, keys: list[str], rows) -> None:
        """Core rows of a child table with the columns `keys`."""
        kept = [k for k in keys if k not in _HIDDEN]
        pick = itemgetter(*(keys.index(k) for k in kept))
        for row in rows:
            self.add(model, dict(zip(kept, pick(row), strict=True)), row)

    def shas(self) -> set[str]:
        return {sha for _, sha in self._with_media}

    def entry(self, entry: dict) -> dict:
        """One entry dict from its row's values and its parts."""
        for item, sha in self._with_media:
            item["media"] = self.media.get(sha)
        self._with_media.clear()
        entry_id = entry["id"]
        out = {"id": entry_id, **{k: entry[k] for k in _ENTRY_COLUMNS}}
        out["pronunciations"] = self.groups[Pronunciation].get((entry_id, None)) or []
        out["senses"] = [self.sense(entry_id, s) for s in self._of(Sense, entry_id, None)]
        out.update({k: entry[k] for k in _ENTRY_TAIL})
        out["relations"] = _relations(self._of(Relation, entry_id, None))
        out.update({k: entry[k] for k in _ENTRY_AFTER})
        out["created_at"] = iso(entry["created_at"])
        out["updated_at"] = iso(entry["updated_at"])
        out["created_by"] = entry["created_by"]
        out["updated_by"] = entry["updated_by"]
        out["deleted"] = entry["deleted"]
        return out

    def _of(self, model, entry_id: str, sense_id: str | None) -> list[dict]:
        return self.groups[model].get((entry_id, sense_id)) or []

    def sense(self, entry_id: str, sense: dict) -> dict:
        sense_id = sense["id"]
        sense["examples"] = self._of(Example, entry_id, sense_id)
        sense["pictures"] = self._of(Picture, entry_id, sense_id)
        subsenses = self._of(Sense, entry_id, sense_id)
        sense["subsenses"] = [self.sense(entry_id, s) for s in subsenses]
        return sense


def _relations(rows: list[dict]) -> list[dict]:
    out = []
    for rel in rows:
        extra = dict(rel["extra"])
        target_headword = extra.pop("target_headword", "")
        out.append({"type": rel["type"], "target_id": rel["target_id"],
                    "target_headword": target_headword, "extra": extra})  # fmt: skip
    return out


def read_entry(*, session: Session, dictionary: Dictionary, entry_id: str, viewer: Viewer) -> dict:
    """An entry as `viewer` may see it; hidden or deleted entries are not found."""
    access.require_dictionary(viewer, dictionary)
    row = entry_row(session, dictionary, entry_id)
    if row.deleted:
        raise EntryNotFound(f"no entry {entry_id} in {dictionary.slug!r}")
    seen = access.filter_entry(
        viewer, dictionary, entry_dict(session=session, dictionary=dictionary, row=row)
    )
    if seen is None:
        raise EntryNotFound(f"no entry {entry_id} in {dictionary.slug!r}")
    return relations.resolve_one(session, dictionary, viewer, seen)


def _entry_filters(dictionary: Dictionary, viewer: Viewer, deleted: bool = False) -> list:
    return [
        Entry.dictionary_id == dictionary.id,
        Entry.deleted == deleted,
        access.entry_clause(viewer, dictionary, Entry),
    ]


def encode_cursor(*values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("cursor: not a cursor this server gave out") from exc
    if not isinstance(values, list) or len(values) != size:
        raise InvalidInput("cursor: not a cursor this server gave out")
    return values


def list_entries(
    *,
    session: Session,
    dictionary: Dictionary,
    viewer: Viewer,
    limit: int = DEFAULT_PAGE,
    cursor: str | None = None,
    letter: str | None = None,
    status: str | None = None,
    deleted: bool = False,
    where: Callable | None = None,
) -> dict:
    """A page of entries in the dictionary's order: {"items", "total", "next"}."""
    access.require_dictionary(viewer, dictionary)
    if deleted:
        access.require(viewer, dictionary, "edit")
    limit = max(1, min(limit, MAX_PAGE))
    filters = _entry_filters(dictionary, viewer, deleted)
    if letter is not None:
        filters.append(Entry.letter == letter)
    if status is not None:
        filters.append(Entry.status == status)
    if where is not None:
        filters.append(where(Entry))
    total = session.exec(select(func.count()).select_from(Entry).where(*filters)).scalar_one()
    stmt = select(Entry).where(*filters)
    if cursor:
        key, last_id = decode_cursor(cursor, 2)
        stmt = stmt.where((Entry.sort_key > key) | ((Entry.sort_key == key) & (Entry.id > last_id)))
    rows = session.exec(stmt.order_by(Entry.sort_key, Entry.id).limit(limit + 1)).scalars().all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = [
        e
        for e in (
            access.filter_entry(viewer, dictionary, d)
            for d in entry_dicts(session=session, dictionary=dictionary, rows=rows)
        )
        if e is not None
    ]
    items = relations.resolve(session, dictionary, viewer, items)
    following = encode_cursor(rows[-1].sort_key, rows[-1].id) if more else None
    return {"items": items, "total": total, "next": following}


def list_revisions(
    *,
    session: Session,
    dictionary: Dictionary,
    entry_id: str,
    viewer: Viewer,
    limit: int = DEFAULT_PAGE,
    cursor: str | None = None,
) -> dict:
    """The history of an entry, oldest first; each revision filtered like the entry itself."""
    access.require_dictionary(viewer, dictionary)
    row = entry_row(session, dictionary, entry_id)
    editing = access.may(viewer, dictionary, "edit")
    current = entry_dict(session=session, dictionary=dictionary, row=row)
    if (row.deleted and not editing) or access.filter_entry(viewer, dictionary, current) is None:
        raise EntryNotFound(f"no entry {entry_id} in {dictionary.slug!r}")
    filters = [Revision.entry_id == entry_id]
    total = session.exec(select(func.count()).select_from(Revision).where(*filters)).scalar_one()
    if cursor:
        filters.append(Revision.number > decode_cursor(cursor, 1)[0])
    limit = max(1, min(limit, MAX_PAGE))
    revisions = (
        session.exec(select(Revision).where(*filters).order_by(Revision.number).limit(limit + 1))
        .scalars()
        .all()
    )
    more = len(revisions) > limit
    items = []
    for rev in revisions[:limit]:
        data = access.filter_revision(viewer, dictionary, rev.data, current)
        data = relations.resolve_one(session, dictionary, viewer, data)
        items.append(
            {
                "number": rev.number,
                "action": rev.action,
                "editor": rev.editor if not viewer.anonymous else "",
                "comment": labels.revision_comment(rev.comment),
                "created_at": iso(rev.created_at),
                # A revision whose entry was then hidden shows no content to those outside.
                "data": data if data is not None else {},
            }
        )
    following = encode_cursor(revisions[limit - 1].number) if more else None
    return {"items": items, "total": total, "next": following}


def entry_row(session, dictionary, entry_id, for_update=False) -> Entry:
    stmt = (
        select(Entry)
        .where(Entry.id == entry_id, Entry.dictionary_id == dictionary.id)
        .execution_options(populate_existing=True)
    )
    if for_update and not is_sqlite(session):
        stmt = stmt.with_for_update()
    row = session.exec(stmt).scalar_one_or_none()
    if row is None:
        raise EntryNotFound(f"no entry {entry_id} in {dictionary.slug!r}")
    return row


# Children are written with Core executemany and the returned dict is built from exactly
# what was written (no read-back): an entry write costs a handful of statements.
CHILDREN = (Sense, Example, Pronunciation, Picture, Relation)


_HIDDEN = {"entry_id", "position", "media_sha256", "sense_id", "parent_id"}
_MEDIA_PARTS = (Example, Pronunciation, Picture)


def row_values(row) -> dict:
    if isinstance(row, Row):  # a Core row of the whole table (bulk reads: no ORM objects)
        return row._asdict()
    return {c.name: getattr(row, c.name) for c in type(row).__table__.columns}


def media_for(session, dictionary, shas: set[str]) -> dict:
    """Public media dicts by sha256; every sha256 must name a stored file of this dictionary."""
    if not shas:
        return {}
    found = {
        m.sha256: media_public(dictionary, m)
        for m in session.exec(
            select(Media).where(Media.dictionary_id == dictionary.id, Media.sha256.in_(shas))
        ).scalars()
    }
    missing = sorted(shas - set(found))
    if missing:
        raise InvalidInput(f"media: no stored file with sha256 {missing[0]}")
    return found
