"""Every write to an entry goes through here: create, update, delete and restore (many new
entries at once: `lexicon.editing.batch`, with the same rows).

An entry travels as one dict (docs/entry-shape.md); rows in entry/sense/example/... tables are
written from it (`lexicon.editing.rows`) and read back into it (`lexicon.entries.read`). Each
write adds a revision with the whole entry in the same transaction, bumps `version`
(optimistic concurrency) and refreshes the entry's search rows. Functions flush but commit only
at the outermost `transaction()`, so an import of thousands of entries is one all-or-nothing
transaction."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, insert, select, update
from sqlmodel import Session

from lexicon import search
from lexicon.accounts import access
from lexicon.accounts.access import Viewer
from lexicon.db.transactions import transaction
from lexicon.editing.batch import validate as _validate
from lexicon.editing.dictionaries import touch
from lexicon.editing.named_media import FileNotYours, check_named_media
from lexicon.editing.rows import (
    add_revision,
    child_rows,
    derived,
    has_ids,
    ids_taken_elsewhere,
    media_refs,
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
        data, current = revision.data, None
        if viewer is not None:
            current = entry_dict(session=session, dictionary=dictionary, row=row)
            data = access.restorable(viewer, dictionary, revision.data, current)
            if data is None:
                raise RevisionNotFound(f"entry {entry_id} has no revision {number}")
        try:
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
                current=current,
            )
        except FileNotYours as exc:  # they saw the revision name it: no secret to keep
            raise InvalidInput(
                f"revision {number} names a recording or picture you may not hear now (media "
                f"{exc.details['sha256']}); ask someone who may to restore it; nothing was saved"
            ) from exc


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
