"""FLExText (#22): every item, attribute and guid comes back; phrases, words, morphemes,
glosses and parts of speech land in the text dict's fields; edits and fresh texts export."""

from pathlib import Path

import pytest

from lexicon.io.flextext import flextext_facts, flextext_to_texts, read_flextexts, write_flextext
from lexicon.io.safety import UnsafeXML
from lexicon.io.textparts import TextRejected

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "texts" / "sil-flextext"
EXPECTED_FACTS = {"Freeform": 23, "FullyAnalyzed": 57, "Glossed": 31, "Unglossed": 18}


def only(name: str) -> dict:
    [text] = read_flextexts(FIXTURES / f"{name}.flextext")
    return text


@pytest.mark.parametrize("name", sorted(EXPECTED_FACTS))
def test_round_trip_keeps_every_fact(name):
    before = flextext_facts((FIXTURES / f"{name}.flextext").read_bytes())
    after = flextext_facts(write_flextext(only(name)))
    assert len(before) == EXPECTED_FACTS[name]
    assert len(before & after) / len(before | after) == 1.0, (before - after, after - before)


def test_fully_analyzed_fields():
    text = only("FullyAnalyzed")
    assert text["id"] == "e6e5feaf-1bfd-4486-9e54-992bf42243d0"
    assert text["title"] == {"ext": "FullyAnalyzed"}
    [seg] = text["segments"]
    assert seg["id"] == "07900d85-07a4-4c50-a6fd-e4aeeb428ed8"
    assert seg["text"] == {"ext": "Fully analyzed text."}
    assert seg["translation"] == {"en": "Completely studied words."}
    assert seg["extra"]["flextext"]["paragraph"] == "19ed2d4d-2f9d-4251-97fe-12378ae44640"
    assert ["lit", "en", "completely study words."] in seg["extra"]["flextext"]["items"]
    fully, analyzed, _text, stop = seg["words"]
    assert (fully["text"], fully["gloss"], fully["pos"]) == ("Fully", {"en": "completely"}, "adv")
    assert fully["guid"] == "08ae001a-cc24-4915-ab9b-4029b349542a"
    assert [(m["text"], m["gloss"], m["pos"]) for m in fully["morphemes"]] == [
        ("full", {"en": "complete"}, "adv"),
        ("-y", {"en": "Makes Adverb"}, "v>adv"),
    ]
    assert analyzed["pos"] is None and analyzed["morphemes"][1]["pos"] == "Verb"
    assert stop["punct"] is True and stop["text"] == "." and stop["guid"] is None


def test_an_empty_item_gives_way_to_a_new_value():
    text = only("Glossed")
    seg = text["segments"][0]
    assert seg["translation"] == {}  # <item type="gls" lang="en"></item>
    seg["translation"] = {"en": "This text has glosses."}
    seg["words"][0]["gloss"] = {"en": "THIS"}
    facts = flextext_facts(write_flextext(text))
    phrase_gls = [f for f in facts if f[1:3] == ("item", "gls") and f[0][-1][0] == "phrase"]
    assert [f[4] for f in phrase_gls] == ["This text has glosses."]
    assert any(f[1:] == ("item", "gls", "en", "THIS") for f in facts)
    assert not any(f[1:] == ("item", "gls", "en", "this") for f in facts)


def test_a_text_from_elsewhere_is_split_into_words():
    text = {
        "id": "63c0447d-2572-485d-bd67-86ffbc616930",
        "title": {"en": "Story"},
        "segments": [
            {
                "id": "c38d2d4a-ddf8-5773-b3d0-45f24f86461a",
                "start": 2.62,
                "end": 7.77,
                "speaker": "JS",
                "text": {"qu": "Ari, kunanllatak."},
                "translation": {"es": "Sí, ahora."},
                "words": [],
            },
        ],
    }
    [back] = flextext_to_texts(write_flextext(text), "out.flextext")
    seg = back["segments"][0]
    assert (seg["start"], seg["end"], seg["speaker"]) == (2.62, 7.77, "JS")
    assert [(w["text"], w.get("punct", False)) for w in seg["words"]] == [
        ("Ari", False),
        (",", True),
        ("kunanllatak", False),
        (".", True),
    ]
    assert back["id"] == text["id"] and seg["id"] == text["segments"][0]["id"]
    assert back["extra"]["flextext"]["languages"] == [
        {"lang": "qu", "vernacular": "true"},
        {"lang": "es"},
    ]


def test_a_file_with_two_texts_gives_both():
    body = (FIXTURES / "Freeform.flextext").read_text(encoding="utf-8")
    inner = body[body.index("<interlinear-text") : body.index("</document>")]
    both = body.replace("</document>", inner.replace("e763856d", "e763856e") + "</document>")
    texts = flextext_to_texts(both.encode(), "two.flextext")
    assert [t["id"][:8] for t in texts] == ["e763856d", "e763856e"]


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (b"<document><interlinear-text>", TextRejected, "line 1"),
        (b"<lift/>", TextRejected, "not a FLExText file"),
        (
            b'<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><document>&e;</document>',
            UnsafeXML,
            "entities",
        ),
        (
            b"<document><interlinear-text><paragraphs><paragraph><phrases>"
            b'<phrase begin-time-offset="900" end-time-offset="100"/></phrases></paragraph>'
            b"</paragraphs></interlinear-text></document>",
            TextRejected,
            "before it starts",
        ),
        (
            b"<document><interlinear-text><paragraphs><paragraph><phrases>"
            b'<phrase begin-time-offset="soon"/></phrases></paragraph>'
            b"</paragraphs></interlinear-text></document>",
            TextRejected,
            "'soon' is not whole milliseconds",
        ),
    ],
)
def test_broken_files_are_refused(data, error, message):
    with pytest.raises(error, match=message) as caught:
        flextext_to_texts(data, "story.flextext")
    assert "story.flextext" in str(caught.value)
