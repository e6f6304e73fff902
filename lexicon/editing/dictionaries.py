"""Writes to a dictionary itself: create, change its settings, bump its generation (`touch`)
and rekey its entries after an alphabet change."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from lexicon import search
from lexicon.alphabet import Alphabet
from lexicon.db.transactions import transaction
from lexicon.editing.rows import plain
from lexicon.entries.read import alphabet_for
from lexicon.errors import (
    DuplicateDictionary,
)
from lexicon.models import (
    Dictionary,
    Entry,
    Membership,
    utcnow,
)
from lexicon.shape.entry import display_headword
from lexicon.shape.extra import SERVER_OWNED, client_extra
from lexicon.shape.schemas import (
    DictionaryCreate,
    DictionaryUpdate,
    nfc_deep,
)


def touch(session: Session, dictionary: Dictionary) -> None:
    """Bump the dictionary's generation: the first statement of every write to its entries or
    settings. Caches of derived pages (lexicon.search.cache) key on it, and taking the
    dictionary's row lock first keeps concurrent writers on PostgreSQL in one lock order."""
    table = Dictionary.__table__
    value = session.execute(
        update(table)
        .where(table.c.id == dictionary.id)
        .values(generation=table.c.generation + 1)
        .returning(table.c.generation)
    ).scalar_one()
    set_committed_value(dictionary, "generation", value)


def new_dictionary(data: DictionaryCreate | dict) -> Dictionary:
    """The dictionary `data` describes, checked and not stored (no id): what
    `create_dictionary` adds, and what a file is read against before the dictionary exists
    (lexicon.io.starting)."""
    data = DictionaryCreate.model_validate(nfc_deep(plain(data)))
    values = data.model_dump(exclude_none=True)
    if "extra" in values:
        values["extra"] = client_extra(values["extra"], {})
    code = values.get("language_code") or ""
    values.setdefault("vernacular_ws", [code or "und"])
    values.setdefault("analysis_ws", ["en"])
    alphabet = Alphabet.from_config(values.get("alphabet"))
    values["alphabet"] = alphabet.to_config()
    return Dictionary(**values)


def create_dictionary(
    *, session: Session, data: DictionaryCreate | dict, owner_id: int | None = None
) -> Dictionary:
    """Create a dictionary; the creating user (if any) becomes its owner."""
    data = DictionaryCreate.model_validate(nfc_deep(plain(data)))
    if session.exec(select(Dictionary.id).where(Dictionary.slug == data.slug)).first():
        raise DuplicateDictionary(f"a dictionary with slug {data.slug!r} exists already")
    dictionary = new_dictionary(data)
    with transaction(session):
        session.add(dictionary)
        session.flush()
        if owner_id is not None:
            session.add(Membership(user_id=owner_id, dictionary_id=dictionary.id, role="owner"))
    return dictionary


def update_dictionary(
    *, session: Session, dictionary: Dictionary, data: DictionaryUpdate | dict
) -> Dictionary:
    """Change settings; a new alphabet re-derives every entry's sort key in one pass.
    `extra` is the client's: its server-owned keys stay as they are (lexicon.shape.extra)."""
    data = DictionaryUpdate.model_validate(nfc_deep(plain(data)))
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "extra" in changes:
        changes["extra"] = client_extra(changes["extra"], dictionary.extra)
    return _change_dictionary(session, dictionary, changes)


def set_server_extra(*, session: Session, dictionary: Dictionary, values: dict) -> Dictionary:
    """Write server-owned parts of the dictionary's `extra` (a font upload, an import's
    package): the one way to write them (lexicon.shape.extra.SERVER_OWNED)."""
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
