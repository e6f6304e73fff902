"""Bulk rows (lexicon.db.bulk): SQLite's executemany and PostgreSQL's COPY store exactly what
a plain INSERT would, keep taken keys when asked, and leave nothing behind when a row fails."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lexicon import editing
from lexicon.db import transaction
from lexicon.db.bulk import insert_many
from lexicon.entries.read import entry_dicts
from lexicon.models import Entry
from lexicon.search.index import search_vocab

# What COPY's text format escapes or marks specially, and what JSON escapes.
AWKWARD = [
    "tab\there",
    "line\nbreak",
    "carriage\rreturn",
    "back\\slash",
    "\\N",
    "\\.",
    "quote \" and '",
    "comma, semicolon;",
    "ŋ̀gàmà ʔ ɓ",  # combining marks
    "emoji 🦜",
    "{not json}",
    "",
]


def _entry(i: int, text: str) -> dict:
    return {
        "id": f"00000000-0000-4000-8000-{i:012d}",
        "headword": {"seh": f"w{i} {text}".strip()},
        "senses": [
            {
                "glosses": {"en": f"g{i} {text}".strip()},
                "definitions": {"en": text or "plain"},
                "examples": [{"text": {"seh": f"ex {text}"}, "translations": {"en": text}}],
            }
        ],
        "notes": [{"type": "general", "text": {"en": text}}],
        "extra": {"import": {"raw": text, "nested": {"list": [text, None, True, 1.5]}}},
    }


def test_awkward_values_come_back_as_written(session, dictionary):
    items = [_entry(i, text) for i, text in enumerate(AWKWARD)]
    editing.create_entries(session=session, dictionary=dictionary, items=items)
    rows = (
        session.execute(select(Entry).where(Entry.dictionary_id == dictionary.id)).scalars().all()
    )
    stored = {e["id"]: e for e in entry_dicts(session=session, dictionary=dictionary, rows=rows)}
    assert len(stored) == len(AWKWARD)
    for item, text in zip(items, AWKWARD, strict=True):
        e = stored[item["id"]]
        assert e["headword"] == item["headword"]
        sense = e["senses"][0]
        assert sense["glosses"] == item["senses"][0]["glosses"]
        assert sense["definitions"] == item["senses"][0]["definitions"]
        assert sense["examples"][0]["translations"] == {"en": text}
        assert e["notes"][0]["text"] == {"en": text}
        assert e["extra"]["import"] == item["extra"]["import"]


def _vocab_count(session, dictionary_id: int) -> int:
    query = select(func.count()).select_from(search_vocab)
    return session.execute(query.where(search_vocab.c.dictionary_id == dictionary_id)).scalar()


def test_ignore_keeps_the_rows_already_there(session, dictionary):
    columns = ("dictionary_id", "key", "word")
    with transaction(session):
        insert_many(session.connection(), "search_vocab", columns, [(dictionary.id, "ab", "ab")])
        rows = [(dictionary.id, "ab", "ab"), (dictionary.id, "b", "ab"), (dictionary.id, "a", "ab")]
        insert_many(session.connection(), "search_vocab", columns, rows, ignore=True)
        # twice in one transaction: the temporary table of the first is gone
        insert_many(session.connection(), "search_vocab", columns, rows, ignore=True)
    assert _vocab_count(session, dictionary.id) == 3
    with pytest.raises(IntegrityError), transaction(session):  # without ignore: a taken key
        insert_many(session.connection(), "search_vocab", columns, rows[:1])
    assert _vocab_count(session, dictionary.id) == 3


def test_a_bad_row_leaves_nothing(session, dictionary):
    columns = ("dictionary_id", "key", "word")
    good = [(dictionary.id, f"k{i}", f"w{i}") for i in range(500)]
    with pytest.raises(IntegrityError), transaction(session):
        insert_many(session.connection(), "search_vocab", columns, good)
        insert_many(session.connection(), "search_vocab", columns, [*good[:1], (None, "x", "y")])
    assert _vocab_count(session, dictionary.id) == 0
