"""An entry dict -> the rows written for it: derived columns, child rows with their ids,
the media it refers to, and its revision row."""

from __future__ import annotations

import functools
import operator
import uuid
from collections import defaultdict
from dataclasses import dataclass

import orjson
from sqlalchemy import JSON, insert, select

from lexicon.db.bulk import insert_many
from lexicon.db.engine import json_text
from lexicon.entries.read import CHILDREN
from lexicon.models import (
    Example,
    Picture,
    Pronunciation,
    Relation,
    Revision,
    Sense,
)
from lexicon.shape.entry import display_headword, iter_media, iter_senses, media_sha
from lexicon.shape.schemas import (
    EntryIn,
)


def derived(dictionary, alphabet, data: EntryIn) -> dict:
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


def child_rows(entry_id: str, data: EntryIn, taken: set[str]) -> dict:
    """The rows of every table below the entry ({model: [row values]}), with ids: the ones the
    data gives, unless another entry holds them (`taken`), else new ones."""
    rows = _ChildRows(entry_id, taken)
    for i, p in enumerate(data.pronunciations):
        rows.media_item(Pronunciation, p, position=i)
    for i, sense in enumerate(data.senses):
        rows.sense(sense, i, None)
    for i, rel in enumerate(data.relations):
        extra = dict(rel.extra)
        if rel.target_headword:
            extra["target_headword"] = rel.target_headword
        rows.of[Relation].append(
            {"entry_id": entry_id, "position": i, "type": rel.type, "target_id": rel.target_id,
             "extra": extra}
        )  # fmt: skip
    return rows.of


class _ChildRows:
    def __init__(self, entry_id: str, taken: set[str]):
        self.entry_id, self.taken = entry_id, taken
        self.of: dict = {model: [] for model in CHILDREN}

    def fresh(self, given: str | None) -> str:
        return given if given and given not in self.taken else str(uuid.uuid4())

    def media_item(self, model, item, **keys) -> None:
        """A pronunciation, example or picture row: its fields, and its file's sha256."""
        self.of[model].append(
            {**item.model_dump(exclude={"id", "media"}), "id": self.fresh(item.id),
             "entry_id": self.entry_id, **keys,
             "media_sha256": item.media.sha256 if item.media else None}
        )  # fmt: skip

    def sense(self, sense, position: int, parent_id: str | None) -> None:
        sense_id = self.fresh(sense.id)
        fields = sense.model_dump(exclude={"id", "examples", "pictures", "subsenses"})
        self.of[Sense].append(
            {**fields, "id": sense_id, "entry_id": self.entry_id, "parent_id": parent_id,
             "position": position}
        )  # fmt: skip
        for j, ex in enumerate(sense.examples):
            self.media_item(Example, ex, sense_id=sense_id, position=j)
        for j, pic in enumerate(sense.pictures):
            self.media_item(Picture, pic, sense_id=sense_id, position=j)
        for j, sub in enumerate(sense.subsenses):
            self.sense(sub, j, sense_id)


def media_refs(data: EntryIn) -> set[str]:
    return {media_sha(part) for _, part in iter_media(data)}


def has_ids(data: EntryIn) -> bool:
    return bool(wanted_ids(data))


def wanted_ids(data: EntryIn) -> dict:
    wanted: dict = defaultdict(list)
    wanted[Pronunciation] += [p.id for p in data.pronunciations if p.id]
    for sense in iter_senses(data):
        if sense.id:
            wanted[Sense].append(sense.id)
        wanted[Example] += [e.id for e in sense.examples if e.id]
        wanted[Picture] += [p.id for p in sense.pictures if p.id]
    return {model: ids for model, ids in wanted.items() if ids}


def ids_taken_elsewhere(session, entry_id: str, data: EntryIn) -> set[str]:
    """Child ids given in the input that another entry already uses (e.g. a copied entry),
    or that repeat within this entry: those get fresh ids."""
    taken: set[str] = set()
    seen: set[str] = set()
    for model, ids in wanted_ids(data).items():
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


def revision_values(dictionary, data: dict, action, editor, comment, when) -> dict:
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


def batch_ids_taken(session, batch: list[EntryIn]) -> set[str]:
    """Child ids of a batch of new entries that are stored already or repeat in the batch."""
    wanted: dict = defaultdict(list)
    for data in batch:
        for model, ids in wanted_ids(data).items():
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


def insert_rows(session, table, rows: list[dict] | BoundRows) -> None:
    """`session.execute(insert(table), rows)` for many rows with the same keys, done faster:
    the values converted a column at a time (JSON columns by orjson in C, as `json_text` does;
    others by their column type's own bind processor, the date format say) and handed to the
    driver as plain tuples (`db.bulk`: SQLite's executemany, PostgreSQL's COPY), without
    SQLAlchemy's per-row parameter handling (a sixth of an import). Rows that leave out a
    column with a default go the usual way, which fills it in. `rows` may be converted
    already (`bound_rows`, for the connection's dialect)."""
    if not rows:
        return
    connection = session.connection()
    if not isinstance(rows, BoundRows):
        rows = bound_rows(connection.dialect, table, rows)
    if rows.plain is not None:
        session.execute(insert(table), rows.plain)
        return
    insert_many(connection, rows.table, rows.names, rows.values)


@dataclass
class BoundRows:
    """Rows of one table converted for one dialect (`bound_rows`): `values` are tuples in
    `names` order, or `plain` holds the rows as given when they must go the usual way."""

    table: str
    names: tuple
    values: list
    plain: list | None = None

    def __len__(self) -> int:
        return len(self.plain if self.plain is not None else self.values)


def bound_rows(dialect, table, rows: list[dict]) -> BoundRows:
    """`rows` of `table` converted as `insert_rows` hands them to the driver of `dialect`."""
    quote = dialect.identifier_preparer.quote
    if not rows:
        return BoundRows(quote(table.name), (), [])
    keys = tuple(rows[0])
    if dialect.name not in ("sqlite", "postgresql") or any(
        c.default is not None and c.name not in rows[0] for c in table.columns
    ):
        return BoundRows(quote(table.name), keys, [], plain=rows)
    values_of = operator.itemgetter(*keys)
    if len(keys) > 1:
        columns = list(zip(*map(values_of, rows), strict=True))
    else:
        columns = [list(map(values_of, rows))]
    for i, key in enumerate(keys):
        columns[i] = _bound(table.c[key].type, dialect, columns[i])
    names = tuple(map(quote, keys))
    return BoundRows(quote(table.name), names, list(zip(*columns, strict=True)))


_JSON_DUMPS = functools.partial(orjson.dumps, option=orjson.OPT_NON_STR_KEYS)
_PLAIN = frozenset({dict, list, str, int, float, bool, type(None)})


def _bound(column_type, dialect, values):
    """One column's values as the driver takes them."""
    process = column_type.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return values
    json = isinstance(column_type, JSON) and dialect._json_serializer is json_text
    if json and _PLAIN.issuperset(map(type, values)):  # no SQL NULL sentinels: orjson's text
        return list(map(bytes.decode, map(_JSON_DUMPS, values)))
    return list(map(process, values))


def add_revision(session, dictionary, data: dict, action, editor, comment, when) -> None:
    session.execute(
        insert(Revision.__table__),
        [revision_values(dictionary, data, action, editor, comment, when)],
    )


def plain(data):
    return data.model_dump(exclude_unset=True) if hasattr(data, "model_dump") else data
