"""Every write to dictionaries and entries goes through here.

An entry travels as one dict (docs/entry-shape.md); rows in entry/sense/example/... tables are
written from it and read back into it. Each create/update/delete/restore writes a revision with
the whole entry in the same transaction, and bumps `version` (optimistic concurrency).
Functions flush but commit only at the outermost `transaction()`, so an import of thousands of
entries is one all-or-nothing transaction.
"""

from __future__ import annotations

import base64
import json
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache

import orjson
from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from lexicon import access, labels, relations, search
from lexicon.access import Viewer
from lexicon.alphabet import Alphabet
from lexicon.db import begin_write
from lexicon.dictionary_extra import SERVER_OWNED, client_extra
from lexicon.errors import (
    DictionaryNotFound,
    DuplicateDictionary,
    EntryNotFound,
    InvalidInput,
    RevisionNotFound,
    StaleVersion,
)
from lexicon.models import (
    Dictionary,
    Entry,
    Example,
    Media,
    Membership,
    Picture,
    Pronunciation,
    Relation,
    Revision,
    Sense,
    utcnow,
)
from lexicon.schemas import (
    DictionaryCreate,
    DictionaryUpdate,
    EntryIn,
    RelationIn,
    nfc_deep,
)

DEFAULT_PAGE = 50
MAX_PAGE = 500


# ---------------------------------------------------------------- transactions


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """Group store calls into one all-or-nothing transaction (nestable)."""
    depth = session.info.get("wk_depth", 0)
    if depth == 0:
        begin_write(session)
    session.info["wk_depth"] = depth + 1
    try:
        yield session
        if depth == 0:
            session.commit()
    except BaseException:
        if depth == 0:
            session.rollback()
        raise
    finally:
        session.info["wk_depth"] = depth


def touch(session: Session, dictionary: Dictionary) -> None:
    """Bump the dictionary's generation: the first statement of every write to its entries or
    settings. Caches of derived pages (lexicon.search_cache) key on it, and taking the
    dictionary's row lock first keeps concurrent writers on PostgreSQL in one lock order."""
    table = Dictionary.__table__
    value = session.execute(
        update(table)
        .where(table.c.id == dictionary.id)
        .values(generation=table.c.generation + 1)
        .returning(table.c.generation)
    ).scalar_one()
    set_committed_value(dictionary, "generation", value)


# ---------------------------------------------------------------- dictionaries


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


def create_dictionary(
    *, session: Session, data: DictionaryCreate | dict, owner_id: int | None = None
) -> Dictionary:
    """Create a dictionary; the creating user (if any) becomes its owner."""
    data = DictionaryCreate.model_validate(nfc_deep(_plain(data)))
    if session.exec(select(Dictionary.id).where(Dictionary.slug == data.slug)).first():
        raise DuplicateDictionary(f"a dictionary with slug {data.slug!r} exists already")
    values = data.model_dump(exclude_none=True)
    if "extra" in values:
        values["extra"] = client_extra(values["extra"], {})
    code = values.get("language_code") or ""
    values.setdefault("vernacular_ws", [code or "und"])
    values.setdefault("analysis_ws", ["en"])
    alphabet = Alphabet.from_config(values.get("alphabet"))
    values["alphabet"] = alphabet.to_config()
    with transaction(session):
        dictionary = Dictionary(**values)
        session.add(dictionary)
        session.flush()
        if owner_id is not None:
            session.add(Membership(user_id=owner_id, dictionary_id=dictionary.id, role="owner"))
    return dictionary


def update_dictionary(
    *, session: Session, dictionary: Dictionary, data: DictionaryUpdate | dict
) -> Dictionary:
    """Change settings; a new alphabet re-derives every entry's sort key in one pass.
    `extra` is the client's: its server-owned keys stay as they are (lexicon.dictionary_extra)."""
    data = DictionaryUpdate.model_validate(nfc_deep(_plain(data)))
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "extra" in changes:
        changes["extra"] = client_extra(changes["extra"], dictionary.extra)
    return _change_dictionary(session, dictionary, changes)


def set_server_extra(*, session: Session, dictionary: Dictionary, values: dict) -> Dictionary:
    """Write server-owned parts of the dictionary's `extra` (a font upload, an import's
    package): the one way to write them (lexicon.dictionary_extra.SERVER_OWNED)."""
    unknown = set(values) - set(SERVER_OWNED)
    if unknown:
        raise ValueError(f"not server-owned extra keys: {sorted(unknown)}")
    extra = {**(dictionary.extra or {}), **values}
    return _change_dictionary(session, dictionary, {"extra": extra})


def _change_dictionary(session: Session, dictionary: Dictionary, changes: dict) -> Dictionary:
    rekey = False
    if "alphabet" in changes:
        changes["alphabet"] = Alphabet.from_config(changes["alphabet"]).to_config()
        rekey = changes["alphabet"] != dictionary.alphabet
    if "vernacular_ws" in changes and changes["vernacular_ws"] != dictionary.vernacular_ws:
        rekey = True
    with transaction(session):
        touch(session, dictionary)
        for key, value in changes.items():
            setattr(dictionary, key, value)
        dictionary.updated_at = utcnow()
        session.add(dictionary)
        session.flush()
        if rekey:
            rekey_dictionary(session=session, dictionary=dictionary)
            search.reindex_dictionary(session=session, dictionary=dictionary)
    return dictionary


def rekey_dictionary(*, session: Session, dictionary: Dictionary) -> int:
    """Re-derive headword, sort key and filing letter of every entry (after an alphabet change)."""
    alphabet = alphabet_for(dictionary)
    rows = session.exec(
        select(Entry.id, Entry.headword, Entry.citation, Entry.lexeme_form, Entry.homograph).where(
            Entry.dictionary_id == dictionary.id
        )
    ).all()
    params = []
    for entry_id, headword, citation, lexeme, homograph in rows:
        text = display_headword(dictionary, headword, citation, lexeme)
        params.append(
            {
                "b_id": entry_id,
                "headword_text": text,
                "sort_key": alphabet.sort_key(text, homograph),
                "letter": alphabet.letter_of(text),
            }
        )
    if params:
        from sqlalchemy import bindparam

        stmt = (
            update(Entry.__table__)
            .where(Entry.__table__.c.id == bindparam("b_id"))
            .values(
                headword_text=bindparam("headword_text"),
                sort_key=bindparam("sort_key"),
                letter=bindparam("letter"),
            )
        )
        session.connection().execute(stmt, params)
    return len(params)


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


# ---------------------------------------------------------------- entry writes


def create_entry(
    *,
    session: Session,
    dictionary: Dictionary,
    data: EntryIn | dict,
    editor: str = "",
    entry_id: str | None = None,
    action: str = "create",
    comment: str = "",
) -> dict:
    """Create an entry (and its first revision); returns the stored entry dict."""
    incoming = _validate(data)
    entry_id = entry_id or str(uuid.uuid4())
    with transaction(session):
        touch(session, dictionary)
        taken = session.execute(select(Entry.id).where(Entry.id == entry_id)).first()
        if taken is not None:
            raise InvalidInput(f"id: an entry with id {entry_id!r} exists already")
        now = utcnow()
        values = {
            "id": entry_id,
            "dictionary_id": dictionary.id,
            "version": 1,
            "created_at": now,
            "updated_at": now,
            "created_by": editor,
            "updated_by": editor,
            "deleted": False,
            "deleted_at": None,
        }
        return _write(session, dictionary, values, incoming, editor, action, comment, new=True)


def create_entries(
    *,
    session: Session,
    dictionary: Dictionary,
    items: list[dict],
    editor: str = "",
    action: str = "import",
) -> list[dict]:
    """Create many entries at once (imports, demo): same result as `create_entry` for each,
    with one statement per table for the whole batch. An item's "id", if given, is kept."""
    validated = [(item.get("id") or str(uuid.uuid4()), _validate(item)) for item in items]
    ids = [entry_id for entry_id, _ in validated]
    if len(set(ids)) != len(ids):
        raise InvalidInput("id: the same entry id appears twice in one batch")
    alphabet = alphabet_for(dictionary)
    with transaction(session):
        touch(session, dictionary)
        existing = session.execute(select(Entry.id).where(Entry.id.in_(ids))).scalars().first()
        if existing is not None:
            raise InvalidInput(f"id: an entry with id {existing!r} exists already")
        now = utcnow()
        entries, revisions, outs = [], [], []
        children: dict = {model: [] for model in CHILDREN}
        shas = set().union(*(_media_refs(data) for _, data in validated)) if validated else set()
        media = _media_for(session, dictionary, shas)
        taken = _batch_ids_taken(session, [data for _, data in validated])
        for entry_id, data in validated:
            values = {
                "id": entry_id,
                "dictionary_id": dictionary.id,
                "version": 1,
                "created_at": now,
                "updated_at": now,
                "created_by": editor,
                "updated_by": editor,
                "deleted": False,
                "deleted_at": None,
            }
            values.update(_derived(dictionary, alphabet, data))
            rows = _child_rows(entry_id, data, taken)
            for model in CHILDREN:
                children[model] += rows[model]
            out = _assemble(values, {m: {entry_id: r} for m, r in rows.items()}, media)
            entries.append(values)
            outs.append(out)
            revisions.append(_revision_values(dictionary, out, action, editor, "", now))
        if entries:
            session.execute(insert(Entry.__table__), entries)
        for model in CHILDREN:
            if children[model]:
                session.execute(insert(model.__table__), children[model])
        if revisions:
            session.execute(insert(Revision.__table__), revisions)
        sort_keys = {values["id"]: values["sort_key"] for values in entries}
        search.reindex_entries(
            session=session, dictionary=dictionary, entries=outs, sort_keys=sort_keys
        )
    return outs


def update_entry(
    *,
    session: Session,
    dictionary: Dictionary,
    entry_id: str,
    data: EntryIn | dict,
    version: int | None,
    editor: str = "",
    action: str = "update",
    comment: str = "",
    viewer: Viewer | None = None,
) -> dict:
    """Replace an entry with `data` if `version` is still current, else raise StaleVersion."""
    incoming = _validate(data)
    if version is None:
        version = incoming.version
    if version is None:
        raise InvalidInput("version: the version being edited is required (If-Match or body)")
    with transaction(session):
        touch(session, dictionary)
        row = _entry_row(session, dictionary, entry_id, for_update=True)
        if row.deleted and action not in ("restore", "import"):
            raise EntryNotFound(f"entry {entry_id} is deleted; restore it first")
        if row.version != version:
            current = entry_dict(session=session, dictionary=dictionary, row=row)
            if viewer is not None:
                current = access.filter_entry(viewer, dictionary, current)
                current = relations.resolve_one(session, dictionary, viewer, current)
            raise StaleVersion(
                f"entry {entry_id} is at version {row.version}, not {version}", current=current
            )
        if viewer is not None:
            incoming = _keep_hidden_relations(session, dictionary, viewer, entry_id, incoming)
        values = _row_values(row)
        values.update(
            version=row.version + 1,
            updated_at=utcnow(),
            updated_by=editor,
            deleted=False,
            deleted_at=None,
        )
        session.expire(row)
        written = _write(session, dictionary, values, incoming, editor, action, comment, new=False)
        # Answered to `viewer`: their relations only (callers filter the rest for them).
        return (
            written
            if viewer is None
            else relations.resolve_one(session, dictionary, viewer, written)
        )


def _keep_hidden_relations(session, dictionary, viewer, entry_id, incoming: EntryIn) -> EntryIn:
    """`incoming` with the relations of the stored entry whose targets `viewer` may not see
    kept exactly as they are (the viewer never saw them), and none of its own to such targets
    (a forged form, or an old revision being restored)."""
    sent = [r.model_dump(mode="json") for r in incoming.relations]
    kept = _relations_kept(session, dictionary, viewer, entry_id, sent)
    if kept is None:
        return incoming
    return incoming.model_copy(update={"relations": [RelationIn.model_validate(r) for r in kept]})


def keep_hidden_relations(
    *, session: Session, dictionary: Dictionary, viewer: Viewer, entry_id: str, data: dict
) -> dict:
    """`data` (an entry as `viewer` saw it, e.g. a proposal by them) with the stored entry's
    relations hidden from `viewer` kept as they are, and none of its own to hidden targets."""
    kept = _relations_kept(session, dictionary, viewer, entry_id, list(data.get("relations") or []))
    return data if kept is None else dict(data, relations=kept)


def _relations_kept(session, dictionary, viewer, entry_id, sent: list[dict]) -> list[dict] | None:
    stored = [
        {"type": r.type, "target_id": r.target_id, "extra": dict(r.extra or {})}
        for r in session.exec(
            select(Relation).where(Relation.entry_id == entry_id).order_by(Relation.position)
        ).scalars()
    ]
    for r in stored:
        r["target_headword"] = r["extra"].pop("target_headword", "")
    hidden = relations.hidden(session, dictionary, viewer, stored + sent)
    if not hidden:
        return None
    drop = {id(r) for r in hidden}
    return [r for r in sent if id(r) not in drop] + [r for r in stored if id(r) in drop]


def delete_entry(
    *,
    session: Session,
    dictionary: Dictionary,
    entry_id: str,
    editor: str = "",
    version: int | None = None,
    viewer: Viewer | None = None,
) -> dict:
    """Soft-delete: the entry leaves every listing but stays restorable from its history."""
    with transaction(session):
        touch(session, dictionary)
        row = _entry_row(session, dictionary, entry_id, for_update=True)
        if row.deleted:
            raise EntryNotFound(f"entry {entry_id} is deleted already")
        data = entry_dict(session=session, dictionary=dictionary, row=row)
        if version is not None and version != row.version:
            current = data
            if viewer is not None:
                current = access.filter_entry(viewer, dictionary, data)
                current = relations.resolve_one(session, dictionary, viewer, current)
            raise StaleVersion(
                f"entry {entry_id} is at version {row.version}, not {version}", current=current
            )
        now = utcnow()
        changes = {
            "version": row.version + 1,
            "deleted": True,
            "deleted_at": now,
            "updated_at": now,
            "updated_by": editor,
        }
        session.execute(
            update(Entry.__table__).where(Entry.__table__.c.id == entry_id).values(**changes)
        )
        session.expire(row)
        data.update(
            version=changes["version"], deleted=True, updated_at=iso(now), updated_by=editor
        )
        _add_revision(session, dictionary, data, "delete", editor, "", now)
        search.remove_entry(session=session, dictionary=dictionary, entry_id=entry_id)
        return data


def restore_revision(
    *,
    session: Session,
    dictionary: Dictionary,
    entry_id: str,
    number: int,
    editor: str = "",
    viewer: Viewer | None = None,
) -> dict:
    """Make revision `number` current again (undeleting the entry if needed). With a `viewer`,
    as they may restore it: parts hidden from them stay exactly as they are now
    (`access.restorable`), and a revision hidden from them is not found."""
    with transaction(session):
        touch(session, dictionary)
        row = _entry_row(session, dictionary, entry_id, for_update=True)
        revision = session.exec(
            select(Revision).where(Revision.entry_id == entry_id, Revision.number == number)
        ).scalar_one_or_none()
        if revision is None:
            raise RevisionNotFound(f"entry {entry_id} has no revision {number}")
        data = revision.data
        if viewer is not None:
            current = entry_dict(session=session, dictionary=dictionary, row=row)
            data = access.restorable(viewer, dictionary, revision.data, current)
            if data is None:
                raise RevisionNotFound(f"entry {entry_id} has no revision {number}")
        return update_entry(
            session=session,
            dictionary=dictionary,
            entry_id=entry_id,
            data=data,
            version=row.version,
            editor=editor,
            action="restore",
            comment=labels.RESTORED % {"number": number},
            viewer=viewer,  # relations to targets hidden from them stay as they are now
        )


def _validate(data: EntryIn | dict) -> EntryIn:
    if isinstance(data, EntryIn):
        data = data.model_dump()
    from pydantic import ValidationError

    try:
        return EntryIn.model_validate(_nfc_entry(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(f"{where}: {first['msg']}", errors=exc.errors()) from exc


def _nfc_entry(data: dict):
    """`nfc_deep(data)`, skipped when the entry is NFC and NUL-free already (the usual case; an
    import validates thousands): one check of its JSON text costs a third of walking every
    string. Sound because JSON's quotes and punctuation never combine with a neighbour, so the
    text is NFC exactly when every string in it is."""
    try:
        flat = orjson.dumps(data).decode()
    except TypeError:  # not plain JSON data: take the long way
        return nfc_deep(data)
    if "\\u0000" in flat or not unicodedata.is_normalized("NFC", flat):
        return nfc_deep(data)
    return data


def _plain(data):
    return data.model_dump(exclude_unset=True) if hasattr(data, "model_dump") else data


def _entry_row(session, dictionary, entry_id, for_update=False) -> Entry:
    stmt = (
        select(Entry)
        .where(Entry.id == entry_id, Entry.dictionary_id == dictionary.id)
        .execution_options(populate_existing=True)
    )
    if for_update and not _is_sqlite(session):
        stmt = stmt.with_for_update()
    row = session.exec(stmt).scalar_one_or_none()
    if row is None:
        raise EntryNotFound(f"no entry {entry_id} in {dictionary.slug!r}")
    return row


def _is_sqlite(session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _row_values(row) -> dict:
    if isinstance(row, Row):  # a Core row of the whole table (bulk reads: no ORM objects)
        return row._asdict()
    return {c.name: getattr(row, c.name) for c in type(row).__table__.columns}


# Children are written with Core executemany and the returned dict is built from exactly
# what was written (no read-back): an entry write costs a handful of statements.
CHILDREN = (Sense, Example, Pronunciation, Picture, Relation)


def _write(session, dictionary, values: dict, data: EntryIn, editor, action, comment, new) -> dict:
    values.update(_derived(dictionary, alphabet_for(dictionary), data))
    table = Entry.__table__
    if new:
        session.execute(insert(table), [values])
    else:
        session.execute(update(table).where(table.c.id == values["id"]).values(**values))
        for model in (Example, Picture, Pronunciation, Relation, Sense):
            session.execute(
                delete(model.__table__).where(model.__table__.c.entry_id == values["id"])
            )
    taken = (
        _ids_taken_elsewhere(session, values["id"], data) if not new or _has_ids(data) else set()
    )
    children = _child_rows(values["id"], data, taken)
    media = _media_for(session, dictionary, _media_refs(data))
    for model in CHILDREN:
        if children[model]:
            session.execute(insert(model.__table__), children[model])
    grouped = {model: {values["id"]: rows} for model, rows in children.items()}
    out = _assemble(values, grouped, media)
    _add_revision(session, dictionary, out, action, editor, comment, values["updated_at"])
    search.reindex_entry(
        session=session, dictionary=dictionary, entry=out, sort_key=values.get("sort_key")
    )
    return out


def _derived(dictionary, alphabet, data: EntryIn) -> dict:
    """Entry-table values that come from the input, including the derived sort columns."""
    headword_text = display_headword(dictionary, data.headword, data.citation, data.lexeme_form)
    return {
        "headword": data.headword,
        "citation": data.citation,
        "lexeme_form": data.lexeme_form,
        "homograph": data.homograph,
        "morph_type": data.morph_type,
        "part_of_speech": data.part_of_speech,
        "status": data.status,
        "visibility": data.visibility or dictionary.default_entry_visibility,
        "circle": data.circle,
        "variants": [v.model_dump() for v in data.variants],
        "etymologies": [e.model_dump() for e in data.etymologies],
        "notes": [n.model_dump() for n in data.notes],
        "extra": data.extra,
        "headword_text": headword_text,
        "sort_key": alphabet.sort_key(headword_text, data.homograph),
        "letter": alphabet.letter_of(headword_text),
        "has_audio": any(p.media for p in data.pronunciations),
    }


def _child_rows(entry_id: str, data: EntryIn, taken: set[str]) -> dict:
    fresh = lambda given: given if given and given not in taken else str(uuid.uuid4())  # noqa: E731
    rows: dict = {model: [] for model in CHILDREN}
    sha = lambda item: item.media.sha256 if item.media else None  # noqa: E731
    for i, p in enumerate(data.pronunciations):
        rows[Pronunciation].append(
            {
                **p.model_dump(exclude={"id", "media"}),
                "id": fresh(p.id),
                "entry_id": entry_id,
                "position": i,
                "media_sha256": sha(p),
            }
        )

    def add_sense(sense, position, parent_id):
        sense_id = fresh(sense.id)
        fields = sense.model_dump(exclude={"id", "examples", "pictures", "subsenses"})
        rows[Sense].append(
            {
                **fields,
                "id": sense_id,
                "entry_id": entry_id,
                "parent_id": parent_id,
                "position": position,
            }
        )
        for j, ex in enumerate(sense.examples):
            rows[Example].append(
                {
                    **ex.model_dump(exclude={"id", "media"}),
                    "id": fresh(ex.id),
                    "entry_id": entry_id,
                    "sense_id": sense_id,
                    "position": j,
                    "media_sha256": sha(ex),
                }
            )
        for j, pic in enumerate(sense.pictures):
            rows[Picture].append(
                {
                    **pic.model_dump(exclude={"id", "media"}),
                    "id": fresh(pic.id),
                    "entry_id": entry_id,
                    "sense_id": sense_id,
                    "position": j,
                    "media_sha256": sha(pic),
                }
            )
        for j, sub in enumerate(sense.subsenses):
            add_sense(sub, j, sense_id)

    for i, sense in enumerate(data.senses):
        add_sense(sense, i, None)
    for i, rel in enumerate(data.relations):
        extra = dict(rel.extra)
        if rel.target_headword:
            extra["target_headword"] = rel.target_headword
        rows[Relation].append(
            {
                "entry_id": entry_id,
                "position": i,
                "type": rel.type,
                "target_id": rel.target_id,
                "extra": extra,
            }
        )
    return rows


def _media_for(session, dictionary, shas: set[str]) -> dict:
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


def _media_refs(data: EntryIn) -> set[str]:
    shas = {p.media.sha256 for p in data.pronunciations if p.media}
    stack = list(data.senses)
    while stack:
        sense = stack.pop()
        stack.extend(sense.subsenses)
        shas |= {i.media.sha256 for i in sense.examples + sense.pictures if i.media}
    return shas


def _has_ids(data: EntryIn) -> bool:
    return bool(_wanted_ids(data))


def _wanted_ids(data: EntryIn) -> dict:
    wanted: dict = defaultdict(list)
    wanted[Pronunciation] += [p.id for p in data.pronunciations if p.id]
    stack = list(data.senses)
    while stack:
        sense = stack.pop()
        stack.extend(sense.subsenses)
        if sense.id:
            wanted[Sense].append(sense.id)
        wanted[Example] += [e.id for e in sense.examples if e.id]
        wanted[Picture] += [p.id for p in sense.pictures if p.id]
    return {model: ids for model, ids in wanted.items() if ids}


def _ids_taken_elsewhere(session, entry_id: str, data: EntryIn) -> set[str]:
    """Child ids given in the input that another entry already uses (e.g. a copied entry),
    or that repeat within this entry: those get fresh ids."""
    taken: set[str] = set()
    seen: set[str] = set()
    for model, ids in _wanted_ids(data).items():
        taken |= set(
            session.exec(
                select(model.id).where(model.id.in_(set(ids)), model.entry_id != entry_id)
            ).scalars()
        )
        for i in ids:
            if i in seen:
                taken.add(i)
            seen.add(i)
    return taken


def _revision_values(dictionary, data: dict, action, editor, comment, when) -> dict:
    # One revision per write and one version per write: revision n is version n.
    return {
        "entry_id": data["id"],
        "dictionary_id": dictionary.id,
        "number": data["version"],
        "action": action,
        "data": data,
        "editor": editor,
        "comment": comment,
        "created_at": when,
    }


def _batch_ids_taken(session, batch: list[EntryIn]) -> set[str]:
    """Child ids of a batch of new entries that are stored already or repeat in the batch."""
    wanted: dict = defaultdict(list)
    for data in batch:
        for model, ids in _wanted_ids(data).items():
            wanted[model] += ids
    taken: set[str] = set()
    for model, ids in wanted.items():
        unique = sorted(set(ids))
        for start in range(0, len(unique), 5000):
            chunk = unique[start : start + 5000]
            taken |= set(session.exec(select(model.id).where(model.id.in_(chunk))).scalars())
        seen: set[str] = set()
        for i in ids:
            if i in seen:
                taken.add(i)
            seen.add(i)
    return taken


def _add_revision(session, dictionary, data: dict, action, editor, comment, when) -> None:
    session.execute(
        insert(Revision.__table__),
        [_revision_values(dictionary, data, action, editor, comment, when)],
    )


# ---------------------------------------------------------------- entry reads


def iso(moment: datetime | None) -> str:
    return moment.isoformat().replace("+00:00", "Z") if moment else ""


def media_url(dictionary: Dictionary, sha256: str, original: bool = False) -> str:
    return f"/media/{dictionary.slug}/{sha256}" + ("/original" if original else "")


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
    """A picture's web copies for `srcset` (lexicon.pictures serves `<url>/w<width>`)."""
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
    """The full stored entry (unfiltered: callers apply lexicon.access)."""
    return entry_dicts(session=session, dictionary=dictionary, rows=[row])[0]


def entry_dicts(*, session: Session, dictionary: Dictionary, rows: list[Entry]) -> list[dict]:
    """Entry dicts for many rows with one query per child table (no N+1). `rows` are Entry
    objects or Core rows of the whole entry table (`select(Entry.__table__)`: what bulk
    readers such as exports use, a fifth of the cost of building ORM objects)."""
    if not rows:
        return []
    ids = [r.id for r in rows]
    children: dict = {}
    for model in CHILDREN:
        table = model.__table__
        grouped = defaultdict(list)
        result = session.execute(
            select(table).where(table.c.entry_id.in_(ids)).order_by(table.c.position)
        )
        keys = list(result.keys())  # plain dicts: a RowMapping rebuilds its keys on each .items()
        for child in result:
            values = dict(zip(keys, child, strict=True))
            grouped[values["entry_id"]].append(values)
        children[model] = grouped
    shas = {
        c["media_sha256"]
        for model in (Example, Pronunciation, Picture)
        for group in children[model].values()
        for c in group
        if c["media_sha256"]
    }
    media = _media_for(session, dictionary, shas) if shas else {}
    return [_assemble(_row_values(row), children, media) for row in rows]


_HIDDEN = {"entry_id", "position", "media_sha256", "sense_id", "parent_id"}


def _assemble(entry: dict, children: dict, media: dict) -> dict:
    entry_id = entry["id"]

    def item(values) -> dict:
        out = {k: v for k, v in values.items() if k not in _HIDDEN}
        if "media_sha256" in values:
            out["media"] = media.get(values["media_sha256"]) if values["media_sha256"] else None
        return out

    examples, pictures, subs = defaultdict(list), defaultdict(list), defaultdict(list)
    for ex in children[Example].get(entry_id, []):
        examples[ex["sense_id"]].append(item(ex))
    for pic in children[Picture].get(entry_id, []):
        pictures[pic["sense_id"]].append(item(pic))
    for sense in children[Sense].get(entry_id, []):
        subs[sense["parent_id"]].append(sense)

    def sense_dict(sense) -> dict:
        out = item(sense)
        out["examples"] = examples[sense["id"]]
        out["pictures"] = pictures[sense["id"]]
        out["subsenses"] = [sense_dict(s) for s in subs[sense["id"]]]
        return out

    relations = []
    for rel in children[Relation].get(entry_id, []):
        extra = dict(rel["extra"])
        target_headword = extra.pop("target_headword", "")
        relations.append(
            {
                "type": rel["type"],
                "target_id": rel["target_id"],
                "target_headword": target_headword,
                "extra": extra,
            }
        )
    return {
        "id": entry_id,
        "version": entry["version"],
        "headword": entry["headword"],
        "citation": entry["citation"],
        "lexeme_form": entry["lexeme_form"],
        "homograph": entry["homograph"],
        "morph_type": entry["morph_type"],
        "part_of_speech": entry["part_of_speech"],
        "status": entry["status"],
        "visibility": entry["visibility"],
        "circle": entry["circle"],
        "pronunciations": [item(p) for p in children[Pronunciation].get(entry_id, [])],
        "senses": [sense_dict(s) for s in subs[None]],
        "variants": entry["variants"],
        "relations": relations,
        "notes": entry["notes"],
        "etymologies": entry["etymologies"],
        "extra": entry["extra"],
        "headword_text": entry["headword_text"],
        "letter": entry["letter"],
        "created_at": iso(entry["created_at"]),
        "updated_at": iso(entry["updated_at"]),
        "created_by": entry["created_by"],
        "updated_by": entry["updated_by"],
        "deleted": entry["deleted"],
    }


def read_entry(*, session: Session, dictionary: Dictionary, entry_id: str, viewer: Viewer) -> dict:
    """An entry as `viewer` may see it; hidden or deleted entries are not found."""
    access.require_dictionary(viewer, dictionary)
    row = _entry_row(session, dictionary, entry_id)
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
    row = _entry_row(session, dictionary, entry_id)
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
