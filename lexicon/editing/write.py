"""Every write to an entry goes through here: create, update, delete and restore.

An entry travels as one dict (docs/entry-shape.md); rows in entry/sense/example/... tables are
written from it (`lexicon.editing.rows`) and read back into it (`lexicon.entries.read`). Each
write adds a revision with the whole entry in the same transaction, bumps `version`
(optimistic concurrency) and refreshes the entry's search rows. Functions flush but commit only
at the outermost `transaction()`, so an import of thousands of entries is one all-or-nothing
transaction."""

from __future__ import annotations

import unicodedata
import uuid

import orjson
from sqlalchemy import delete, insert, select, update
from sqlmodel import Session

from lexicon import search
from lexicon.accounts import access
from lexicon.accounts.access import Viewer
from lexicon.db.transactions import transaction
from lexicon.editing.dictionaries import touch
from lexicon.editing.named_media import check_named_media
from lexicon.editing.rows import (
    add_revision,
    batch_ids_taken,
    child_rows,
    derived,
    has_ids,
    ids_taken_elsewhere,
    insert_rows,
    media_refs,
    revision_values,
)
from lexicon.entries import relations
from lexicon.entries.read import (
    CHILDREN,
    alphabet_for,
    assemble,
    entry_dict,
    entry_row,
    iso,
    media_for,
    row_values,
)
from lexicon.errors import (
    EntryDeleted,
    EntryNotFound,
    InvalidInput,
    RevisionNotFound,
    StaleVersion,
)
from lexicon.models import (
    Dictionary,
    Entry,
    Example,
    Picture,
    Pronunciation,
    Relation,
    Revision,
    Sense,
    utcnow,
)
from lexicon.shape import labels, verbatim
from lexicon.shape.schemas import (
    EntryIn,
    RelationIn,
    nfc_deep,
)


def create_entry(
    *,
    session: Session,
    dictionary: Dictionary,
    data: EntryIn | dict,
    editor: str = "",
    entry_id: str | None = None,
    action: str = "create",
    comment: str = "",
    viewer: Viewer | None = None,
    uploaded: str = "",
) -> dict:
    """Create an entry (and its first revision); returns the stored entry dict. `viewer`, the
    person writing it, may name only stored files they may hear, and the one they just
    `uploaded` (its sha256)."""
    incoming = _validate(data)
    if action != "import":
        incoming.extra = verbatim.marks_kept(incoming.extra, None)
    entry_id = entry_id or str(uuid.uuid4())
    with transaction(session):
        touch(session, dictionary)
        taken = session.execute(select(Entry.id).where(Entry.id == entry_id)).first()
        if taken is not None:
            raise InvalidInput(f"id: an entry with id {entry_id!r} exists already")
        if viewer is not None:
            check_named_media(session, dictionary, viewer, incoming, None, uploaded)
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
    if action != "import":
        for _, data in validated:
            data.extra = verbatim.marks_kept(data.extra, None)
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
        shas = set().union(*(media_refs(data) for _, data in validated)) if validated else set()
        media = media_for(session, dictionary, shas)
        taken = batch_ids_taken(session, [data for _, data in validated])
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
            values.update(derived(dictionary, alphabet, data))
            rows = child_rows(entry_id, data, taken)
            for model in CHILDREN:
                children[model] += rows[model]
            out = assemble(values, {m: {entry_id: r} for m, r in rows.items()}, media)
            entries.append(values)
            outs.append(out)
            revisions.append(revision_values(dictionary, out, action, editor, "", now))
        insert_rows(session, Entry.__table__, entries)
        for model in CHILDREN:
            insert_rows(session, model.__table__, children[model])
        insert_rows(session, Revision.__table__, revisions)
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
    uploaded: str = "",
    current: dict | None = None,
) -> dict:
    """Replace an entry with `data` if `version` is still current, else raise StaleVersion.
    `viewer`, the person writing it, may name only stored files they may hear, and the file
    they just `uploaded` (its sha256: they hold its bytes). `current`: the stored entry, if
    the caller has read it already (used when still at the stored version)."""
    incoming = _validate(data)
    if version is None:
        version = incoming.version
    if version is None:
        raise InvalidInput("version: the version being edited is required (If-Match or body)")
    with transaction(session):
        touch(session, dictionary)
        row = entry_row(session, dictionary, entry_id, for_update=True)
        if row.deleted and action not in ("restore", "import"):
            raise deleted_meanwhile(entry_id, row.version)
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
            if current is not None and current.get("version") != row.version:
                current = None
            check_named_media(session, dictionary, viewer, incoming, row, uploaded, current)
        if action != "import":
            incoming.extra = verbatim.marks_kept(incoming.extra, row.extra)
        values = row_values(row)
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


def deleted_meanwhile(entry_id: str, version: int) -> EntryDeleted:
    """The error for a change to an entry deleted (at `version`) since it was opened: it names
    the revision to restore, the one before the delete."""
    last = version - 1  # the delete is a revision of its own
    return EntryDeleted(
        f"entry {entry_id} was deleted after you opened it; nothing was saved: restore it (its "
        f"revision {last}), then send your change again", last_revision=last,
    )  # fmt: skip


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
        row = entry_row(session, dictionary, entry_id, for_update=True)
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
        add_revision(session, dictionary, data, "delete", editor, "", now)
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
        row = entry_row(session, dictionary, entry_id, for_update=True)
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


def _write(session, dictionary, values: dict, data: EntryIn, editor, action, comment, new) -> dict:
    values.update(derived(dictionary, alphabet_for(dictionary), data))
    table = Entry.__table__
    if new:
        session.execute(insert(table), [values])
    else:
        session.execute(update(table).where(table.c.id == values["id"]).values(**values))
        for model in (Example, Picture, Pronunciation, Relation, Sense):
            session.execute(
                delete(model.__table__).where(model.__table__.c.entry_id == values["id"])
            )
    taken = ids_taken_elsewhere(session, values["id"], data) if not new or has_ids(data) else set()
    children = child_rows(values["id"], data, taken)
    media = media_for(session, dictionary, media_refs(data))
    for model in CHILDREN:
        if children[model]:
            session.execute(insert(model.__table__), children[model])
    grouped = {model: {values["id"]: rows} for model, rows in children.items()}
    out = assemble(values, grouped, media)
    add_revision(session, dictionary, out, action, editor, comment, values["updated_at"])
    search.reindex_entry(
        session=session, dictionary=dictionary, entry=out, sort_key=values.get("sort_key")
    )
    return out
