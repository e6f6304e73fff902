"""Praat TextGrid texts (#22): every labelled interval and point comes back at the exact
time Praat wrote, the keeper's tier choice, edits, fresh grids and clear refusals."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from praatio.utilities import textgrid_io

from lexicon.errors import InvalidInput
from lexicon.io.textgrid import grid_to_text, read_textgrid, textgrid_facts, write_textgrid
from lexicon.io.textgrid.read import parse_grid
from lexicon.io.textparts import TextRejected

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "texts"
GRIDS = {
    "kichwa": FIXTURES / "kichwa-ch2" / "kichwa_ch2_excerpt.DERIVED.TextGrid",
    "mary": FIXTURES / "praatio-en" / "mary.TextGrid",
    "bobby_words": FIXTURES / "praatio-en" / "bobby_words.TextGrid",
    "bobby_phones": FIXTURES / "praatio-en" / "bobby_phones.TextGrid",
}
EXPECTED_FACTS = {"kichwa": 56, "mary": 25, "bobby_words": 7, "bobby_phones": 14}


def grid(*tiers: str, xmax: float = 3.0) -> bytes:
    head = f'File type = "ooTextFile"\nObject class = "TextGrid"\n\nxmin = 0\nxmax = {xmax}\ntiers? <exists>\nsize = {len(tiers)}\nitem []:\n'
    return (head + "".join(f"    item [{n}]:\n{t}" for n, t in enumerate(tiers, 1))).encode()


def interval_tier(name: str, *intervals: tuple, xmax: float = 3.0) -> str:
    body = "".join(
        f'        intervals [{n}]:\n            xmin = {a}\n            xmax = {b}\n            text = "{t}"\n'
        for n, (a, b, t) in enumerate(intervals, 1)
    )
    return (
        f'        class = "IntervalTier"\n        name = "{name}"\n        xmin = 0\n        xmax = {xmax}\n'
        f"        intervals: size = {len(intervals)}\n{body}"
    )


@pytest.mark.parametrize("name", sorted(GRIDS))
def test_round_trip_keeps_every_fact(name):
    data = GRIDS[name].read_bytes()
    before = textgrid_facts(data)
    after = textgrid_facts(write_textgrid(read_textgrid(GRIDS[name])))
    assert len(before) == EXPECTED_FACTS[name]
    assert len(before & after) / len(before | after) == 1.0, (before - after, after - before)


def test_kichwa_defaults_find_the_translation_tier():
    text = read_textgrid(GRIDS["kichwa"])
    assert text["extra"]["textgrid"]["mapping"] == {
        "transcription": "Kichwa (default)",
        "vernacular": "und",
        "translations": {"es": "Spanish"},
        "words": None,
        "tiers": [
            {
                "transcription": "Kichwa (default)",
                "speaker": None,
                "translations": {"es": "Spanish"},
                "words": None,
            }
        ],
    }
    first = text["segments"][0]
    assert (first["start"], first["end"]) == (2.62, 7.77)
    assert first["translation"]["es"].startswith("El Barrio del Jabonero")


def test_times_are_rounded_in_the_dict_and_exact_in_the_file():
    text = read_textgrid(GRIDS["mary"], {"transcription": "word", "vernacular": "en"})
    words = [s["text"]["en"] for s in text["segments"]]
    assert words == ["mary", "rolled", "the", "barrel"]
    mary = text["segments"][0]
    assert (mary["start"], mary["end"]) == (0.315, 0.676)
    assert mary["extra"]["textgrid"] == {"start": 0.3154201182247563, "end": 0.6755499913498981}
    assert b"0.3154201182247563" in write_textgrid(text)
    mary["end"] = 0.6  # an edited time wins over the kept one
    assert ("interval", "word", 0.3154201182247563, 0.6, "mary") in textgrid_facts(
        write_textgrid(text)
    )


def test_mapping_to_a_missing_tier_is_refused():
    with pytest.raises(InvalidInput, match="no interval tier 'gloss'.*'phone', 'word'"):
        read_textgrid(GRIDS["mary"], {"transcription": "gloss"})
    with pytest.raises(InvalidInput, match="both transcription and translation"):
        read_textgrid(GRIDS["mary"], {"transcription": "word", "translation": "word"})


def test_a_text_from_elsewhere_gets_tiers_per_speaker_and_translation():
    text = {
        "segments": [
            {
                "start": 0.5,
                "end": 1.25,
                "speaker": "A",
                "text": {"qu": "Alli"},
                "translation": {"es": "Bien"},
            },
            {"start": 1.0, "end": 2.0, "speaker": "B", "text": {"qu": "Ari"}, "translation": {}},
        ]
    }
    facts = textgrid_facts(write_textgrid(text))
    assert ("interval", "transcription@A", 0.5, 1.25, "Alli") in facts
    assert ("interval", "translation-es@A", 0.5, 1.25, "Bien") in facts
    assert ("interval", "transcription@B", 1.0, 2.0, "Ari") in facts


def test_overlapping_segments_on_one_tier_cannot_be_written():
    text = {
        "segments": [
            {"start": 0, "end": 2, "text": {"qu": "a"}},
            {"start": 1, "end": 3, "text": {"qu": "b"}},
        ]
    }
    with pytest.raises(InvalidInput, match="overlaps"):
        write_textgrid(text)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"hello", "not a Praat TextGrid"),
        (grid(interval_tier("w", (0, 2, "a"), (1, 3, "b"))), "interval 2 .* overlaps interval 1"),
        (grid(interval_tier("w", (2, 1, "a"))), r"ends \(1.0\) before it starts"),
        (grid(interval_tier("w", (-1, 1, "a"))), "line 16: a negative time"),
        (grid(interval_tier("w", ("x", 1, "a"))), "not a readable Praat TextGrid|not a number"),
    ],
)
def test_broken_grids_are_refused(data, message):
    with pytest.raises(TextRejected, match=message) as caught:
        grid_to_text(data, "story.TextGrid")
    assert "story.TextGrid" in str(caught.value)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=36_000_000), min_size=2, max_size=10, unique=True)
)
def test_millisecond_times_survive_text_to_textgrid_to_text(ms):
    ms = sorted(ms)
    text = {
        "segments": [
            {"start": a / 1000, "end": b / 1000, "text": {"qu": f"w{n}"}}
            for n, (a, b) in enumerate(zip(ms, ms[1:], strict=False))
        ]
    }
    back = grid_to_text(write_textgrid(text), "t.TextGrid")
    assert [(s["start"], s["end"]) for s in back["segments"]] == [
        (s["start"], s["end"]) for s in text["segments"]
    ]


def test_the_default_transcription_is_the_utterance_tier():
    assert read_textgrid(GRIDS["mary"])["extra"]["textgrid"]["mapping"]["transcription"] == "word"
    bobby = read_textgrid(GRIDS["bobby_words"])
    assert bobby["extra"]["textgrid"]["mapping"]["transcription"] == "phrase"
    assert [s["text"]["und"] for s in bobby["segments"]] == ["BOBBY RIPPED THE LEDGER"]


def test_a_words_tier_gives_timed_words():
    bobby = read_textgrid(GRIDS["bobby_words"])
    assert bobby["extra"]["textgrid"]["mapping"]["words"] == "word"
    words = bobby["segments"][0]["words"]
    assert [w["text"] for w in words] == ["BOBBY", "RIPPED", "THE", "LEDGER"]
    assert all(w["start"] is not None and w["end"] is not None for w in words)
    assert words[0]["start"] == round(words[0]["extra"]["textgrid"]["start"], 3)
    words[1]["end"] = words[2]["start"] = 0.5
    facts = textgrid_facts(write_textgrid(bobby))
    assert ("interval", "word", 0.5, words[2]["extra"]["textgrid"]["end"], "THE") in facts
    none = read_textgrid(GRIDS["bobby_words"], {"words": None})
    assert none["segments"][0]["words"] == []
    assert textgrid_facts(write_textgrid(none)) == textgrid_facts(GRIDS["bobby_words"].read_bytes())
    fresh = {k: v for k, v in bobby.items() if k != "extra"}
    again = grid_to_text(write_textgrid(fresh), "fresh.TextGrid")
    assert [w["text"] for w in again["segments"][0]["words"]] == [
        "BOBBY",
        "RIPPED",
        "THE",
        "LEDGER",
    ]


def test_a_tier_per_speaker():
    data = grid(
        interval_tier("Ana", (0, 1, "Alli puncha"), (2, 2.5, "Kayakama")),
        interval_tier("Ana-es", (0, 1, "Buenos días"), (2, 2.5, "Hasta mañana")),
        interval_tier("Rosa", (0.8, 1.9, "Alli")),
        interval_tier("Rosa-es", (0.8, 1.9, "Bien")),
    )
    text = grid_to_text(data, "talk.TextGrid", {"transcription": ["Ana", "Rosa"], "analysis": "es"})
    assert [(s["speaker"], s["text"]["und"], s["translation"]) for s in text["segments"]] == [
        ("Ana", "Alli puncha", {"es": "Buenos días"}),
        ("Rosa", "Alli", {"es": "Bien"}),
        ("Ana", "Kayakama", {"es": "Hasta mañana"}),
    ]
    assert [s["code"] for s in text["speakers"]] == ["Ana", "Rosa"]
    assert textgrid_facts(write_textgrid(text)) == textgrid_facts(data)
    text["segments"].append({"start": 2.6, "end": 2.9, "speaker": "Rosa", "text": {"und": "Ari"}})
    assert ("interval", "Rosa", 2.6, 2.9, "Ari") in textgrid_facts(write_textgrid(text))


def test_short_and_utf16_textgrids_read_the_same():
    long_text = read_textgrid(GRIDS["mary"])
    grid = parse_grid(GRIDS["mary"].read_bytes(), "mary.TextGrid")
    raw = {
        **grid,
        "tiers": [{**t, "entries": [tuple(e) for e in t["entries"]]} for t in grid["tiers"]],
    }
    short = textgrid_io.getTextgridAsStr(
        raw, "short_textgrid", includeBlankSpaces=True, minimumIntervalLength=None
    )
    assert "item [" not in short
    for data in (short.encode("utf-8"), short.encode("utf-16")):
        text = grid_to_text(data, "mary.TextGrid")
        assert [(s["start"], s["end"], s["text"]) for s in text["segments"]] == [
            (s["start"], s["end"], s["text"]) for s in long_text["segments"]
        ]
        assert textgrid_facts(data) == textgrid_facts(GRIDS["mary"].read_bytes())
