"""Text in any script survives: store -> read, and store -> export -> import -> read.

Hypothesis draws text from every Unicode category people write in (letters, marks, numbers,
punctuation, symbols, spaces, any script and plane); the only change allowed on the way is NFC
normalisation. Each export is imported back from its zip, as a user would. JSON and LIFT carry
every field here; CSV and CLDF are checked on what every table carries (form and gloss).
"""

from __future__ import annotations

import itertools
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lexicon import editing, entries
from lexicon.accounts.access import Viewer
from lexicon.io.exporter import export_dictionary
from lexicon.io.importer import import_file

ADMIN = Viewer(is_admin=True)
WRITTEN = ("L", "M", "N", "P", "S", "Zs")  # what people write; no controls or surrogates


def texts(categories=WRITTEN):
    chars = st.characters(categories=categories)
    # Leading/trailing spaces are editing noise some formats trim; the inside is what counts.
    return st.text(chars, min_size=1, max_size=24).map(str.strip).filter(bool)


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def entry_with(head: str, gloss: str, example: str) -> dict:
    return {
        "headword": {"seh": head},
        "senses": [
            {
                "glosses": {"en": gloss},
                "definitions": {"pt": gloss},
                "examples": [{"text": {"seh": example}, "translations": {"en": gloss}}],
            }
        ],
        "notes": [{"type": "general", "text": {"en": example}}],
    }


def texts_of(entry: dict, full: bool = True) -> tuple:
    sense = entry["senses"][0]
    if not full:  # what every tabular format carries: the form and its gloss
        return entry["headword"]["seh"], sense["glosses"]["en"]
    example = sense["examples"][0]
    return (
        entry["headword"]["seh"],
        sense["glosses"]["en"],
        sense["definitions"]["pt"],
        example["text"]["seh"],
        example["translations"]["en"],
        entry["notes"][0]["text"]["en"],
    )


def check_round_trip(session, owner, tmp_path, fmt: str, strategy, full: bool = True) -> None:
    counter = itertools.count()

    @given(head=strategy, gloss=strategy, example=strategy)
    @settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def round_trip(head, gloss, example):
        n = next(counter)
        source = editing.create_dictionary(
            session=session,
            data={"slug": f"src{fmt}{n}", "title": "Source", "language_code": "seh",
                  "analysis_ws": ["en", "pt"]},
            owner_id=owner.user.id,
        )  # fmt: skip
        expected = tuple(nfc(t) for t in (head, gloss, gloss, example, gloss, example))
        made = editing.create_entry(
            session=session, dictionary=source, data=entry_with(head, gloss, example)
        )
        stored = entries.read_entry(
            session=session, dictionary=source, entry_id=made["id"], viewer=ADMIN
        )
        assert texts_of(stored) == expected

        package = export_dictionary(
            session=session, dictionary=source, format=fmt, dest=tmp_path / f"{fmt}{n}.zip"
        )
        target = editing.create_dictionary(
            session=session,
            data={"slug": f"dst{fmt}{n}", "title": "Copy", "language_code": "seh"},
            owner_id=owner.user.id,
        )
        import_file(session=session, dictionary=target, path=package, format=fmt)  # the zip
        back = entries.list_entries(session=session, dictionary=target, viewer=ADMIN)["items"]
        assert [texts_of(e, full) for e in back] == [expected if full else expected[:2]]

    round_trip()
    assert next(counter) >= 20  # Hypothesis really ran that many different texts


def test_any_script_through_the_store_and_json(session, owner, tmp_path):
    check_round_trip(session, owner, tmp_path, "json", texts())


def test_any_script_through_lift(session, owner, tmp_path):
    check_round_trip(session, owner, tmp_path, "lift", texts())


@pytest.mark.parametrize("fmt", ["csv", "cldf"])
def test_any_script_through_tables(session, owner, tmp_path, fmt):
    check_round_trip(session, owner, tmp_path, fmt, texts(), full=False)
