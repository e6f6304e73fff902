"""The search index: one row per searchable text of an entry, kept in step by the store.

Every entry write calls `reindex_entry` in the same transaction: one `search_text` row per
headword form, gloss and semantic domain, and one per scope for the definitions (`tx`) and for
the example sentences and their translations (`ex`), kept apart so that search ranks a word of a
definition above a word of an example (lexicon.search.ranking); each with its text case-folded
(`norm`), folded by the dictionary's alphabet (`folded`: no diacritics, confusables unified) and
split into stemmed words (`stems`). The visibility of the entry and of the sense or example a
text comes from is copied onto the row, so the access rule filters matches in SQL: a row's
scope is the conjunction of the scopes enclosing its text (entry, sense, subsense, example:
`access.conjunction`), so a viewer must be allowed by every one of them. SQLite adds
FTS5 tables over `stems` (unicode61; glosses, definitions and examples apart) and `folded`
(trigram, for infixes), filled by `reindex_entries`; PostgreSQL uses tsvector and pg_trgm
indexes (migrations 0002_search, 0009_search_speed, 0019_example_rows). `search_vocab` holds every headword and
gloss word under its one-deletion keys, for typo tolerance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    delete,
    event,
    select,
    text,
)
from sqlmodel import SQLModel

from lexicon.accounts.access import conjunction
from lexicon.alphabet import Alphabet, fold
from lexicon.db.bulk import insert_many
from lexicon.entries.read import alphabet_for, entry_dicts
from lexicon.models import Dictionary, Entry
from lexicon.search.words import deletions, gloss_words, normalise, stem, words
from lexicon.shape.entry import display_headword

_C = Text().with_variant(Text(collation="C"), "postgresql")
# What a search reads of each matching row besides its key: in the indexes (see below).
# `kind` too: constant in a partial index, but SQLite reads it from the table otherwise.
COVERED = ("entry_id", "e_visibility", "status", "visibility", "e_circle", "circle", "field",
           "lang", "text", "kind")  # fmt: skip
search_text = Table(
    "search_text",
    SQLModel.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dictionary_id", Integer, ForeignKey("dictionary.id"), nullable=False),
    Column("entry_id", String(64), nullable=False),
    Column("kind", String(4), nullable=False),  # hw | gl | tx (definition) | ex | dom | pos
    Column("field", String(16), nullable=False),
    Column("lang", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("norm", _C, nullable=False),
    Column("folded", _C, nullable=False),
    Column("stems", Text, nullable=False),
    Column("sort_key", _C, nullable=False),
    Column("visibility", String(16), nullable=False),
    Column("circle", String(200), nullable=True),
    Column("e_visibility", String(16), nullable=False),
    Column("e_circle", String(200), nullable=True),
    Column("status", String(16), nullable=False),
    Index("ix_search_text_entry", "entry_id"),
    # As on SQLite (migration 0013): headword and gloss lookups are covered, so a search never
    # visits the table; domains and parts of speech (browse) have small indexes of their own.
    # Partial indexes leave out `kind`, constant in them. PostgreSQL keeps narrower indexes
    # (its index rows are limited to about 2.7 kB): see the migrations.
    *(
        Index(
            name,
            *columns,
            sqlite_where=text(f"kind = '{kind}'"),
            postgresql_where=text(f"kind = '{kind}'"),
        )  # fmt: skip
        for name, columns, kind in (
            ("ix_search_hw_norm", ("dictionary_id", "norm", "sort_key", *COVERED), "hw"),
            ("ix_search_hw_folded", ("dictionary_id", "folded", "sort_key", *COVERED), "hw"),
            (
                "ix_search_hw_norm2",
                ("dictionary_id", text("substr(norm, 1, 2)"), "sort_key", "norm", *COVERED),
                "hw",
            ),
            (
                "ix_search_hw_folded2",
                ("dictionary_id", text("substr(folded, 1, 2)"), "sort_key", "folded", *COVERED),
                "hw",
            ),
            (
                "ix_search_text_order",
                ("dictionary_id", "sort_key", "norm", "folded", *COVERED),
                "hw",
            ),
            ("ix_search_text_stems", ("dictionary_id", "stems", "sort_key", *COVERED), "gl"),
            ("ix_search_dom_norm", ("dictionary_id", "norm", *COVERED), "dom"),
            ("ix_search_dom_folded", ("dictionary_id", "folded", *COVERED), "dom"),
            ("ix_search_pos_norm", ("dictionary_id", "norm", *COVERED), "pos"),
        )
    ),
)
search_vocab = Table(
    "search_vocab",
    SQLModel.metadata,
    Column("dictionary_id", Integer, ForeignKey("dictionary.id"), nullable=False),
    Column("key", _C, nullable=False),
    Column("word", _C, nullable=False),
    PrimaryKeyConstraint("dictionary_id", "key", "word"),
)

# Long texts, searched by their words only: definitions (`tx`), example sentences and their
# translations (`ex`), one row per kind and scope.
TEXT_KINDS = ("tx", "ex")
TOP = "\U0010ffff"  # above every character: the upper bound of a prefix range


@lru_cache(maxsize=65536)
def _words_of(value: str) -> tuple[str, ...]:
    return tuple(words(value))


def _fuzzy_words(values) -> set[str]:
    return {w for v in values for w in _words_of(v) if 3 <= len(w) <= 30}


# -- indexing ------------------------------------------------------------------------------------


def alphabet_of(dictionary: Dictionary) -> Alphabet:

    return alphabet_for(dictionary)


@lru_cache(maxsize=65536)
def _prepare(alphabet: Alphabet, value: str, vernacular: bool) -> tuple[str, str, str]:
    """(norm, folded, stems) of a headword or gloss; glosses repeat a lot, so this is cached.
    A gloss's stems are its words as the gloss tiers compare them (`gloss_words`)."""
    if vernacular:
        return normalise(value), *_fold_stems(alphabet, value, vernacular)
    folded = fold(value)
    return normalise(value), folded, " ".join(map(stem, gloss_words(words(folded))))


@lru_cache(maxsize=65536)
def _fold_stems(alphabet: Alphabet, value: str, vernacular: bool) -> tuple[str, str]:
    """(folded, stems): all a long text (definition, example) needs; no `norm`."""
    folded = alphabet.fold(value) if vernacular else fold(value)
    return folded, " ".join(words(folded) if vernacular else map(stem, words(folded)))


@lru_cache(maxsize=4096)
def _sort_key(alphabet: Alphabet, value: str, homograph: int) -> str:
    # the store has just computed the same key for the entry row: reuse it
    return alphabet.sort_key(value, homograph)


def _index_rows(
    dictionary: Dictionary, entry: dict, alphabet: Alphabet | None = None, sort_key=None
) -> list[tuple]:
    """The search_text rows for one entry dict (docs/entry-shape.md), as tuples in
    `_TEXT_COLUMNS` order; `sort_key`, when the store has just computed the entry's, saves
    computing it again."""
    alphabet = alphabet or alphabet_of(dictionary)
    hw_text = entry.get("headword_text") or ""
    if not hw_text:
        hw_text = display_headword(
            dictionary, entry.get("headword"), entry.get("citation"), entry.get("lexeme_form")
        )
    top = (entry.get("visibility") or "public", entry.get("circle"))
    rows = _RowsOf(
        (dictionary.id, entry["id"]),
        (
            sort_key or _sort_key(alphabet, hw_text, entry.get("homograph") or 0),
            *top,
            entry.get("status") or "published",
        ),
        alphabet,
        set(dictionary.vernacular_ws or []),
    )
    rows.label("pos", entry.get("part_of_speech"), top)
    for field in ("headword", "citation", "lexeme_form"):
        for lang, value in (entry.get(field) or {}).items():
            rows.add("hw", field, lang, value, top, vern=True)
    for variant in entry.get("variants") or []:
        for lang, value in (variant.get("form") or {}).items():
            rows.add("hw", "variant", lang, value, top, vern=True)
    stack = [(s, top) for s in entry.get("senses") or []]
    while stack:
        sense, outer = stack.pop()
        scope = conjunction(outer, (sense.get("visibility") or "public", sense.get("circle")))
        rows.add_sense(sense, scope)
        stack.extend((sub, scope) for sub in sense.get("subsenses") or [])
    return rows.done()


# search_text's columns as `_index_rows` gives them; where kind, text and folded stand
_TEXT_COLUMNS = ("dictionary_id", "entry_id", "kind", "field", "lang", "text", "norm", "folded",
                 "stems", "sort_key", "e_visibility", "e_circle", "status", "visibility",
                 "circle")  # fmt: skip
_KIND, _TEXT, _FOLDED = 2, 5, 7


class _RowsOf:
    """The rows of one entry as they are gathered: each text once per kind and language, long
    texts (definitions, examples) joined into one row per kind and scope. `head` and `tail`
    are the entry's own columns before and after the text's (see `_TEXT_COLUMNS`)."""

    def __init__(self, head: tuple, tail: tuple, alphabet: Alphabet, vernacular: set[str]):
        self.head, self.tail, self.alphabet, self.vernacular = head, tail, alphabet, vernacular
        self.rows: list[tuple] = []
        self.seen: set = set()
        self.texts: dict = {}
        self.labels: set = set()

    def add(self, kind, field, lang, value, scope, vern=False) -> None:
        value = (value or "").strip()
        if not value or (kind, lang, value) in self.seen:
            return
        self.seen.add((kind, lang, value))
        vern = vern or lang in self.vernacular
        if kind in TEXT_KINDS:  # long texts: searched by their words only, one row per scope
            folded, stems = _fold_stems(self.alphabet, value, vern)
            if folded:
                self.texts.setdefault((kind, scope), []).append((field, lang, value, stems))
            return
        norm, folded, stems = _prepare(self.alphabet, value, vern)
        if folded:
            self.rows.append(
                (*self.head, kind, field, lang, value, norm, folded, stems, *self.tail, *scope)
            )

    def label(self, kind: str, label: str | None, scope: tuple) -> None:
        """A browse label: a semantic domain (`dom`; `folded` holds its code) or a part of
        speech, once per entry."""
        label = " ".join((label or "").split())
        if not label or (kind, label) in self.labels:
            return
        self.labels.add((kind, label))
        norm, folded = _label_keys(kind, label)
        field = "domain" if kind == "dom" else "part_of_speech"
        self.rows.append((*self.head, kind, field, "", label, norm, folded, "", *self.tail, *scope))

    def add_sense(self, sense: dict, scope: tuple) -> None:
        for lang, value in (sense.get("glosses") or {}).items():
            for part in re.split(r"[;,]", value or ""):
                self.add("gl", "gloss", lang, part, scope)
        for rev in sense.get("reversals") or []:
            self.add("gl", "reversal", rev.get("lang") or "", rev.get("text"), scope)
        for lang, value in (sense.get("definitions") or {}).items():
            self.add("tx", "definition", lang, value, scope)
        for domain in sense.get("semantic_domains") or []:
            self.label("dom", domain, scope)
        self.label("pos", sense.get("part_of_speech"), scope)
        for example in sense.get("examples") or []:
            ex_scope = conjunction(
                scope, (example.get("visibility") or "public", example.get("circle"))
            )
            for lang, value in (example.get("text") or {}).items():
                self.add("ex", "example", lang, value, ex_scope, vern=True)
            for lang, value in (example.get("translations") or {}).items():
                self.add("ex", "translation", lang, value, ex_scope)

    def done(self) -> list[tuple]:
        for (kind, scope), parts in self.texts.items():
            field, lang = parts[0][0], parts[0][1]
            text = " · ".join(p[2] for p in parts)[:500]
            stems = " ".join(p[3] for p in parts)
            self.rows.append((*self.head, kind, field, lang, text, "", "", stems, *self.tail,
                              *scope))  # fmt: skip
        return self.rows


@lru_cache(maxsize=4096)
def _label_keys(kind: str, label: str) -> tuple[str, str]:
    """(norm, folded) of a label; the same few labels come back on every entry."""
    code = label.split(" ", 1)[0]
    numbered = kind == "dom" and re.fullmatch(r"\d+(\.\d+)*", code)
    norm = normalise(label)
    return norm, code if numbered else norm


def reindex_entry(*, session, dictionary: Dictionary, entry: dict, sort_key=None) -> None:
    """Replace an entry's index rows (called by the store after every write, same transaction)."""
    sort_keys = {entry["id"]: sort_key} if sort_key else None
    reindex_entries(session=session, dictionary=dictionary, entries=[entry], sort_keys=sort_keys)


def reindex_entries(
    *, session, dictionary: Dictionary, entries: list[dict], sort_keys: dict | None = None
) -> None:
    """Replace the index rows of many entries with one statement per table (imports);
    `sort_keys` (entry id -> key) are the keys the store has just computed, if at hand."""
    write_index(session=session, dictionary=dictionary,
                planned=index_rows(dictionary, entries, sort_keys))  # fmt: skip


@dataclass
class IndexRows:
    """Entries' search rows made before the write that stores them (`index_rows`)."""

    entry_ids: list[str]
    rows: list[tuple]  # search_text rows, in _TEXT_COLUMNS order
    vocab: set[str]  # the words fuzzy matching may correct to


def index_rows(dictionary: Dictionary, entries: list[dict], sort_keys: dict | None = None):
    """The search rows of `entries` (no database read): `write_index` stores them."""
    alphabet = alphabet_of(dictionary)
    keys = sort_keys or {}
    rows = [
        r
        for e in entries
        if not e.get("deleted")
        for r in _index_rows(dictionary, e, alphabet, keys.get(e["id"]))
    ]
    vocab = _fuzzy_words(r[_FOLDED] for r in rows if r[_KIND] in ("hw", "gl"))
    return IndexRows([e["id"] for e in entries], rows, vocab)


def write_index(*, session, dictionary: Dictionary, planned: IndexRows) -> None:
    """Replace the index rows of `planned`'s entries with its rows (in the write transaction)."""
    connection = session.connection()
    for start in range(0, len(planned.entry_ids), 500):
        chunk = planned.entry_ids[start : start + 500]
        connection.execute(delete(search_text).where(search_text.c.entry_id.in_(chunk)))
    sqlite = connection.dialect.name == "sqlite"
    before = connection.exec_driver_sql("SELECT max(id) FROM search_text").scalar() if sqlite else 0
    _insert_many(connection, "search_text", _TEXT_COLUMNS, planned.rows)
    if sqlite and planned.rows:
        _fill_fulltext(connection, before or 0)
    _add_vocabulary(session, dictionary, planned.vocab)


def _insert_many(connection, table: str, columns: tuple, rows: list[tuple], ignore=False) -> None:
    """Plain tuples straight to the driver (`db.bulk`): for index rows, SQLAlchemy's per-row
    parameter handling costs more than the insert itself."""
    insert_many(connection, table, columns, rows, ignore=ignore)


# SQLite's full-text tables of each kind (migration 0009): filled here, one statement per batch,
# for the rows just written (the write transaction holds the lock: no other writer's rows).
_FULLTEXT = (("search_fts", "stems", "gl"), ("search_fts_tx", "stems", "tx"),
             ("search_fts_ex", "stems", "ex"), ("search_tri", "folded", "hw"))  # fmt: skip


def _fill_fulltext(connection, after_id: int) -> None:
    for table, column, kind in _FULLTEXT:
        connection.exec_driver_sql(
            f"INSERT INTO {table}(rowid, {column}) SELECT id, {column} FROM search_text "
            f"WHERE id > ? AND kind = '{kind}'",
            (after_id,),
        )


def remove_entry(*, session, dictionary: Dictionary, entry_id: str) -> None:
    """Drop an entry from the index (deleted entries are never found)."""
    session.connection().execute(delete(search_text).where(search_text.c.entry_id == entry_id))


def _known_vocabulary(session, dictionary_id: int) -> set[str]:
    """Words this session has seen in the vocabulary (forgotten on rollback)."""
    cache = session.info.get("wk_search_vocab")
    if cache is None:
        cache = session.info["wk_search_vocab"] = {}
        if not session.info.get("wk_search_vocab_hook"):
            session.info["wk_search_vocab_hook"] = True
            event.listen(session, "after_rollback", lambda s: s.info.pop("wk_search_vocab", None))
    return cache.setdefault(dictionary_id, set())


def _add_vocabulary(session, dictionary: Dictionary, vocab: set[str]) -> None:
    known = _known_vocabulary(session, dictionary.id)
    vocab = vocab - known
    if not vocab:
        return
    connection, v, ordered = session.connection(), search_vocab, sorted(vocab)
    for start in range(0, len(ordered), 2000):
        chunk = ordered[start : start + 2000]
        present = connection.execute(
            select(v.c.word).where(
                v.c.dictionary_id == dictionary.id, v.c.key.in_(chunk), v.c.word == v.c.key
            )
        ).scalars()
        known.update(present)
    fresh = [
        (dictionary.id, key, word)
        for word in sorted(vocab - known)
        for key in sorted(deletions(word))
    ]
    _insert_many(connection, "search_vocab", ("dictionary_id", "key", "word"), fresh, ignore=True)
    known.update(vocab)


def reindex_dictionary(*, session, dictionary: Dictionary) -> int:
    """Rebuild the whole index of a dictionary (after an alphabet change); returns entries."""
    session.execute(delete(search_text).where(search_text.c.dictionary_id == dictionary.id))
    session.execute(delete(search_vocab).where(search_vocab.c.dictionary_id == dictionary.id))
    session.info.pop("wk_search_vocab", None)
    ids = (
        session.execute(
            select(Entry.id).where(Entry.dictionary_id == dictionary.id, Entry.deleted.is_(False))
        )
        .scalars()
        .all()
    )
    for start in range(0, len(ids), 500):
        rows = (
            session.execute(select(Entry).where(Entry.id.in_(ids[start : start + 500])))
            .scalars()
            .all()
        )
        entries = entry_dicts(session=session, dictionary=dictionary, rows=list(rows))
        reindex_entries(session=session, dictionary=dictionary, entries=entries)
    return len(ids)


# Entries whose index rows a migration asked to rebuild (0017_nested_scopes; 0019_example_rows:
# every entry); emptied by `reindex_pending`, which `lexicon.db.upgrade` runs at head.
search_reindex = Table(
    "search_reindex", SQLModel.metadata, Column("entry_id", String(64), primary_key=True)
)


def reindex_pending(*, session) -> int:
    """Rebuild the index rows of the entries listed in `search_reindex`, 500 at a time, each
    batch committed with its ids removed from the list; returns the entries rebuilt."""
    done = 0
    while True:
        ids = (
            session.execute(select(search_reindex.c.entry_id).order_by("entry_id").limit(500))
            .scalars()
            .all()
        )
        if not ids:
            return done
        rows = session.execute(select(Entry).where(Entry.id.in_(ids))).scalars().all()
        by_dictionary: dict[int, list] = {}
        for row in rows:
            by_dictionary.setdefault(row.dictionary_id, []).append(row)
        for dictionary_id, group in by_dictionary.items():
            dictionary = session.get(Dictionary, dictionary_id)
            entries = entry_dicts(session=session, dictionary=dictionary, rows=group)
            reindex_entries(session=session, dictionary=dictionary, entries=entries)
        session.execute(delete(search_reindex).where(search_reindex.c.entry_id.in_(ids)))
        session.commit()
        done += len(rows)


def settle_after_bulk_load(*, session) -> None:
    """After a large import on PostgreSQL: fresh statistics and flushed GIN pending lists, or
    the first searches read through thousands of pending rows (about 100x slower)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(text("ANALYZE search_text"))
    session.execute(
        text(
            "SELECT gin_clean_pending_list(c.oid) FROM pg_class c "
            "JOIN pg_index i ON i.indexrelid = c.oid JOIN pg_am a ON a.oid = c.relam "
            "WHERE i.indrelid = 'search_text'::regclass AND a.amname = 'gin'"
        )
    )
    session.commit()
