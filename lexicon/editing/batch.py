"""Many new entries at once (imports, the demo): `create_entries`, one statement per table for
the whole batch, and `plan_entries`, which makes every row ready before the write transaction.

On SQLite a write transaction keeps every other keeper's save waiting, and most of creating
12,000 entries is Python (checking each entry, deriving its sort columns, building its rows,
its revision and its search rows), not SQL. An import plans its new entries first, with reads
only, and `create_entries` then inserts the planned rows, once it has checked, inside the
transaction, that what they were made against still holds: the dictionary's fields, the child
ids other entries held, the stored files named. If any of it changed meanwhile, the rows are
made again there, as they would have been without a plan."""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass, field

import orjson
from pydantic import ValidationError
from sqlalchemy import select
from sqlmodel import Session

from lexicon import search
from lexicon.db.transactions import transaction
from lexicon.editing.dictionaries import touch
from lexicon.editing.rows import (
    BoundRows,
    batch_ids_taken,
    bound_rows,
    child_rows,
    derived,
    insert_rows,
    media_refs,
    revision_values,
)
from lexicon.entries.read import CHILDREN, alphabet_for, assemble, media_for
from lexicon.errors import InvalidInput
from lexicon.models import Dictionary, Entry, Revision, utcnow
from lexicon.shape import verbatim
from lexicon.shape.schemas import EntryIn, nfc_deep

# The dictionary's fields that never shape an entry's rows (touched by every write).
_VOLATILE = {"generation", "updated_at", "created_at"}
_TABLES = (Entry.__table__, *(model.__table__ for model in CHILDREN), Revision.__table__)


@dataclass
class NewEntries:
    """New entries made ready to insert (`plan_entries`), and what they were made against."""

    items: list[dict]
    validated: list[EntryIn]
    against: bytes  # the dictionary's fields
    taken: set[str]  # child ids stored already (or repeated in the batch): given new ones
    media: dict  # the public dicts of the stored files the entries name, by sha256
    entries: list[dict] = field(default_factory=list)
    children: dict = field(default_factory=dict)
    revisions: list[dict] = field(default_factory=list)
    outs: list[dict] = field(default_factory=list)
    index: search.IndexRows | None = None
    bound: list[BoundRows] = field(default_factory=list)  # entries, CHILDREN, revisions


def plan_entries(
    *,
    session: Session,
    dictionary: Dictionary,
    items: list[dict],
    editor: str = "",
    action: str = "import",
    media: dict | None = None,
) -> NewEntries:
    """`items` made ready for `create_entries` (reads only; InvalidInput if one is wrong).
    `media`: public dicts by sha256 of files the entries name that are not stored yet (an
    import's package, stored in its write transaction); the others are read."""
    validated = [(item.get("id") or str(uuid.uuid4()), validate(item)) for item in items]
    if action != "import":
        for _, data in validated:
            data.extra = verbatim.marks_kept(data.extra, None)
    ids = [entry_id for entry_id, _ in validated]
    if len(set(ids)) != len(ids):
        raise InvalidInput("id: the same entry id appears twice in one batch")
    shas = set().union(*(media_refs(data) for _, data in validated)) if validated else set()
    given = {sha: media[sha] for sha in shas if sha in (media or {})}
    stored = media_for(session, dictionary, shas - set(given))
    taken = batch_ids_taken(session, [data for _, data in validated])
    plan = NewEntries(items, [data for _, data in validated], against(dictionary), taken,
                      {**stored, **given})  # fmt: skip
    alphabet, now = alphabet_for(dictionary), utcnow()
    plan.children = {model: [] for model in CHILDREN}
    for entry_id, data in validated:
        values = {
            "id": entry_id, "dictionary_id": dictionary.id, "version": 1, "created_at": now,
            "updated_at": now, "created_by": editor, "updated_by": editor, "deleted": False,
            "deleted_at": None, **derived(dictionary, alphabet, data),
        }  # fmt: skip
        rows = child_rows(entry_id, data, taken)
        for model in CHILDREN:
            plan.children[model] += rows[model]
        out = assemble(values, {m: {entry_id: r} for m, r in rows.items()}, plan.media)
        plan.entries.append(values)
        plan.outs.append(out)
        plan.revisions.append(revision_values(dictionary, out, action, editor, "", now))
    sort_keys = {values["id"]: values["sort_key"] for values in plan.entries}
    plan.index = search.index_rows(dictionary, plan.outs, sort_keys)
    dialect = session.get_bind().dialect  # the rows as its driver takes them (insert_rows)
    plan.bound = [
        bound_rows(dialect, table, rows)
        for table, rows in zip(_TABLES, [plan.entries, *plan.children.values(), plan.revisions],
                               strict=True)
    ]  # fmt: skip
    return plan


def create_entries(
    *,
    session: Session,
    dictionary: Dictionary,
    items: list[dict],
    editor: str = "",
    action: str = "import",
    plan: NewEntries | None = None,
) -> list[dict]:
    """Create many entries at once: the same result as `create_entry` for each, with one
    statement per table for the whole batch. An item's "id", if given, is kept. `plan`: these
    very items made ready by `plan_entries` before the transaction, used if it still holds."""
    if plan is not None and plan.items is not items:
        raise ValueError("the plan was made for other items")
    again = {"session": session, "dictionary": dictionary, "items": items, "editor": editor,
             "action": action}  # fmt: skip
    plan = plan or plan_entries(**again)
    with transaction(session):
        touch(session, dictionary)
        ids = [values["id"] for values in plan.entries]
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            existing = session.execute(select(Entry.id).where(Entry.id.in_(chunk))).scalars()
            if (found := existing.first()) is not None:
                raise InvalidInput(f"id: an entry with id {found!r} exists already")
        if not _holds(session, dictionary, plan):
            plan = plan_entries(**again)
        for table, rows in zip(_TABLES, plan.bound, strict=True):
            insert_rows(session, table, rows)
        search.write_index(session=session, dictionary=dictionary, planned=plan.index)
    return plan.outs


def _holds(session: Session, dictionary: Dictionary, plan: NewEntries) -> bool:
    """Is what `plan` was made against still so, inside the write transaction?"""
    if against(dictionary) != plan.against:
        return False
    if media_for(session, dictionary, set(plan.media)) != plan.media:
        return False
    return batch_ids_taken(session, plan.validated) == plan.taken


def against(dictionary: Dictionary) -> bytes:
    """The dictionary's fields an entry's rows are made from, as comparable bytes."""
    fields = dictionary.model_dump(exclude=_VOLATILE)
    return orjson.dumps(fields, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)


def validate(data: EntryIn | dict) -> EntryIn:
    """An entry as the store takes it (NFC), or InvalidInput naming the first field wrong."""
    if isinstance(data, EntryIn):
        data = data.model_dump()
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
