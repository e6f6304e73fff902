"""The entry's shape in code (lexicon.shape.entry): blank parts that validate, and walkers
that find every sense and every media file, however deep."""

from __future__ import annotations

import hashlib

from lexicon.shape.entry import (
    audio_refs,
    blank_entry,
    blank_example,
    blank_picture,
    blank_pronunciation,
    blank_sense,
    iter_media,
    iter_media_parts,
    iter_sense_paths,
    iter_senses,
    media_sha,
)
from lexicon.shape.schemas import (
    EntryIn,
    ExampleIn,
    PictureIn,
    PronunciationIn,
    SenseIn,
)


def _sha(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def _media(name: str) -> dict:
    return {"sha256": _sha(name), "mime": "audio/wav"}


MEDIA_SHAS = {_sha(name) for name in ("p1", "x1", "i1", "x3", "i2")}


def rich_entry() -> dict:
    """Two senses, subsenses two deep, media on every kind of part, some parts without."""
    return blank_entry(
        id="e",
        headword={"seh": "nyumba"},
        pronunciations=[
            blank_pronunciation(id="p1", media=_media("p1")),
            blank_pronunciation(id="p2"),
        ],
        senses=[
            blank_sense(
                id="s1",
                examples=[blank_example(id="x1", media=_media("x1")), blank_example(id="x2")],
                pictures=[blank_picture(id="i1", media=_media("i1"))],
                subsenses=[
                    blank_sense(
                        id="s1a",
                        subsenses=[
                            blank_sense(
                                id="s1a1",
                                examples=[blank_example(id="x3", media=_media("x3"))],
                            )
                        ],
                    ),
                    blank_sense(id="s1b", pictures=[blank_picture(id="i2", media=_media("i2"))]),
                ],
            ),
            blank_sense(
                id="s2",
                glosses={"en": "house"},
                extra={
                    "lift": {"audio": {"glosses": {"en-Zxxx-x-audio": {"audio_href": "g.wav"}}}}
                },
            ),
        ],
    )


def test_blank_entry_validates_and_has_every_field_of_the_schema():
    entry = blank_entry(headword={"seh": "nyumba"})
    EntryIn.model_validate(entry)
    assert set(EntryIn.model_fields) - {"version"} <= set(entry)
    assert entry["status"] == "published" and entry["deleted"] is False


def test_blank_parts_validate_and_have_every_field_of_their_schema():
    for blank, model in (
        (blank_sense, SenseIn),
        (blank_example, ExampleIn),
        (blank_picture, PictureIn),
        (blank_pronunciation, PronunciationIn),
    ):
        part = blank(id="a")
        model.model_validate(part)
        missing = set(model.model_fields) - set(part)
        assert missing <= {"recording", "speaker_named", "consent_publish", "consent_speech_tools"}


def test_blanks_are_fresh_each_time_and_take_values():
    one, two = blank_entry(), blank_entry()
    one["senses"].append(blank_sense())
    assert two["senses"] == []
    assert blank_entry(homograph=2, created_at=None)["homograph"] == 2
    assert blank_sense(part_of_speech="n")["part_of_speech"] == "n"


def test_iter_senses_finds_every_sense_in_the_entry_order():
    assert [s["id"] for s in iter_senses(rich_entry())] == ["s1", "s1a", "s1a1", "s1b", "s2"]


def test_iter_sense_paths_give_path_and_parent():
    found = [
        (at.path, at.parent and at.parent["id"], at.sense["id"])
        for at in iter_sense_paths(rich_entry())
    ]
    assert found == [
        ((0,), None, "s1"),
        ((0, 0), "s1", "s1a"),
        ((0, 0, 0), "s1a", "s1a1"),
        ((0, 1), "s1", "s1b"),
        ((1,), None, "s2"),
    ]


def test_iter_media_finds_every_media_file_nested_or_not():
    entry = rich_entry()
    found = [(kind, part["id"]) for kind, part in iter_media(entry)]
    assert found == [
        ("pronunciation", "p1"),
        ("example", "x1"),
        ("picture", "i1"),
        ("example", "x3"),
        ("picture", "i2"),
    ]
    assert {media_sha(part) for _, part in iter_media(entry)} == MEDIA_SHAS
    every = [part["id"] for _, part in iter_media_parts(entry)]
    assert every == ["p1", "p2", "x1", "x2", "i1", "x3", "i2"]
    assert [r["audio_href"] for r in audio_refs(entry)] == ["g.wav"]


def test_walkers_read_schema_objects_too():
    data = EntryIn.model_validate(rich_entry())
    assert [s.id for s in iter_senses(data)] == ["s1", "s1a", "s1a1", "s1b", "s2"]
    assert {media_sha(part) for _, part in iter_media(data)} == MEDIA_SHAS


def test_walkers_take_missing_or_empty_parts():
    assert list(iter_senses({})) == []
    assert list(iter_media({"senses": None, "pronunciations": None})) == []
    assert list(iter_senses({"senses": [{"id": "a"}]})) == [{"id": "a"}]
