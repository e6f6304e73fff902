"""ELAN .eaf texts (#22): import -> export keeps every fact of the file, the keeper's choice
of tiers, edits written back, a fresh document for other texts, and clear refusals."""

import copy
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lexicon.errors import ImportRejected, InvalidInput
from lexicon.io.elan import eaf_facts, eaf_to_text, read_eaf, write_eaf
from lexicon.io.safety import UnsafeXML
from lexicon.io.textparts import TextRejected, ms_to_seconds, seconds_to_ms

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "texts"
KICHWA = FIXTURES / "kichwa-ch2" / "kichwa_ch2_excerpt.eaf"


def fact_ratio(before: set, after: set) -> float:
    return len(before & after) / len(before | after)


def small_eaf(tiers: str, slots: str = "", extra_types: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ANNOTATION_DOCUMENT AUTHOR="" DATE="2024-01-01T00:00:00+00:00" FORMAT="3.0" VERSION="3.0">
  <HEADER MEDIA_FILE="" TIME_UNITS="milliseconds"/>
  <TIME_ORDER>{slots}</TIME_ORDER>
  {tiers}
  <LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="default-lt" TIME_ALIGNABLE="true"/>
  <LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="tr" CONSTRAINTS="Symbolic_Association" TIME_ALIGNABLE="false"/>
  {extra_types}
</ANNOTATION_DOCUMENT>""".encode()


def aligned(aid, ts1, ts2, value):
    return (
        f'<ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="{aid}" TIME_SLOT_REF1="{ts1}" '
        f'TIME_SLOT_REF2="{ts2}"><ANNOTATION_VALUE>{value}</ANNOTATION_VALUE>'
        f"</ALIGNABLE_ANNOTATION></ANNOTATION>"
    )


def test_kichwa_round_trip_keeps_every_fact():
    data = KICHWA.read_bytes()
    text = read_eaf(KICHWA)
    before, after = eaf_facts(data), eaf_facts(write_eaf(text))
    assert len(before) == 65
    assert fact_ratio(before, after) == 1.0, (before - after, after - before)


def test_kichwa_default_mapping_and_segments():
    text = read_eaf(KICHWA)
    assert text["extra"]["elan"]["mapping"] == {
        "transcription": "default",
        "vernacular": "und",
        "translations": {"es": "Spanish"},
        "words": None,
        "tiers": [
            {
                "transcription": "default",
                "speaker": None,
                "translations": {"es": "Spanish"},
                "words": None,
            }
        ],
    }
    assert text["id"] == "63c0447d-2572-485d-bd67-86ffbc616930"  # the file's URN
    segs = text["segments"]
    assert len(segs) == 27
    assert (segs[0]["start"], segs[0]["end"]) == (2.62, 7.77)
    assert segs[0]["text"]["und"].startswith("Jaboneropa ayllullaktapika")
    assert segs[0]["translation"]["es"].startswith("El Barrio del Jabonero")
    assert segs[-1]["end"] == 102.28
    assert [s["start"] for s in segs] == sorted(s["start"] for s in segs)


def test_the_keepers_mapping_is_used_and_still_round_trips():
    mapping = {"transcription": "default", "translation": None, "vernacular": "qu"}
    text = read_eaf(KICHWA, mapping)
    assert all(s["translation"] == {} and "qu" in s["text"] for s in text["segments"])
    spanish = next(t for t in text["extra"]["elan"]["tiers"] if t["attrs"]["TIER_ID"] == "Spanish")
    assert len(spanish["ref"]) == 27  # kept as a tier of its own
    assert eaf_facts(write_eaf(text)) == eaf_facts(KICHWA.read_bytes())
    named = read_eaf(KICHWA, {"translations": {"spa": "Spanish"}, "vernacular": "que"})
    assert named["segments"][3]["translation"]["spa"]


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"transcription": "Kichwa"}, "no tier 'Kichwa'"),
        ({"translation": "Nahuatl"}, "no tier 'Nahuatl'"),
        ({"transcription": "Spanish"}, "not time-aligned"),
    ],
)
def test_a_mapping_naming_a_missing_or_wrong_tier_is_refused(mapping, message):
    with pytest.raises(InvalidInput, match=message):
        read_eaf(KICHWA, mapping)


def test_edits_are_written_back():
    text = read_eaf(KICHWA)
    text["segments"][0]["start"] = 2.5
    text["segments"][0]["text"]["und"] = "Jaboneropa."
    text["segments"][1]["translation"]["es"] = "Otra traducción."
    del text["segments"][2]
    text["segments"].append(
        {"start": 103.0, "end": 104.25, "text": {"und": "Tukurin."}, "translation": {"es": "Fin."}}
    )
    again = eaf_to_text(write_eaf(text), "edited.eaf")
    segs = again["segments"]
    assert len(segs) == 27
    assert (segs[0]["start"], segs[0]["text"]["und"]) == (2.5, "Jaboneropa.")
    assert segs[1]["translation"]["es"] == "Otra traducción."
    assert segs[-1] == {**segs[-1], "start": 103.0, "end": 104.25, "translation": {"es": "Fin."}}
    # the deleted segment's translation went with it: every REF_ANNOTATION has its parent
    spanish = [f for f in eaf_facts(write_eaf(text)) if f[0] == "annotation" and f[1] == "Spanish"]
    assert len(spanish) == 27 and all(f[6] is not None for f in spanish)


def test_a_text_from_elsewhere_gets_a_fresh_document_per_speaker():
    text = {
        "id": "x",
        "segments": [
            {
                "start": 0.0,
                "end": 1.5,
                "speaker": "JS",
                "text": {"qu": "Alli puncha"},
                "translation": {"es": "Buenos días", "en": "Good day"},
            },
            {"start": 1.2, "end": 2.0, "speaker": "MA", "text": {"qu": "Alli"}, "translation": {}},
        ],
    }
    data = write_eaf(text)
    facts = eaf_facts(data)
    assert (
        "annotation",
        "transcription@JS",
        None,
        "default-lt",
        "JS",
        "a1",
        0,
        1500,
        "Alli puncha",
    ) in facts
    both = eaf_to_text(data, "x.eaf")
    assert [s["speaker"] for s in both["segments"]] == ["JS", "MA"]
    back = eaf_to_text(data, "x.eaf", {"transcription": "transcription@MA"})
    assert back["segments"][0]["text"] == {"und": "Alli"}
    assert back["speakers"][0]["code"] == "MA"


def two_speakers() -> bytes:
    slots = "".join(
        f'<TIME_SLOT TIME_SLOT_ID="ts{n}" TIME_VALUE="{v}"/>'
        for n, v in enumerate([0, 1000, 800, 2000, 2100, 3000], 1)
    )

    def ref(aid, parent, value):
        return (
            f'<ANNOTATION><REF_ANNOTATION ANNOTATION_ID="{aid}" ANNOTATION_REF="{parent}">'
            f"<ANNOTATION_VALUE>{value}</ANNOTATION_VALUE></REF_ANNOTATION></ANNOTATION>"
        )

    tiers = (
        '<TIER TIER_ID="tx@A" LINGUISTIC_TYPE_REF="default-lt" PARTICIPANT="A">'
        + aligned("a1", "ts1", "ts2", "Alli puncha")
        + aligned("a2", "ts5", "ts6", "Kayakama")
        + '</TIER><TIER TIER_ID="ft@A" LINGUISTIC_TYPE_REF="tr" PARENT_REF="tx@A">'
        + ref("a3", "a1", "Buenos días")
        + ref("a4", "a2", "Hasta mañana")
        + '</TIER><TIER TIER_ID="tx@B" LINGUISTIC_TYPE_REF="default-lt" PARTICIPANT="B">'
        + aligned("a5", "ts3", "ts4", "Alli")
        + '</TIER><TIER TIER_ID="ft@B" LINGUISTIC_TYPE_REF="tr" PARENT_REF="tx@B">'
        + ref("a6", "a5", "Bien")
        + "</TIER>"
    )
    return small_eaf(tiers, slots)


def test_each_speakers_tier_gives_segments_by_default():
    data = two_speakers()
    text = eaf_to_text(data, "talk.eaf", {"vernacular": "qu", "analysis": "es"})
    segs = text["segments"]
    assert [(s["speaker"], s["text"]["qu"], s["translation"]["es"]) for s in segs] == [
        ("A", "Alli puncha", "Buenos días"),
        ("B", "Alli", "Bien"),
        ("A", "Kayakama", "Hasta mañana"),
    ]
    assert [s["code"] for s in text["speakers"]] == ["A", "B"]
    assert eaf_facts(write_eaf(text)) == eaf_facts(data)
    text["segments"].append(
        {
            "start": 3.5,
            "end": 4.0,
            "speaker": "B",
            "text": {"qu": "Ari"},
            "translation": {"es": "Sí"},
        }
    )
    facts = eaf_facts(write_eaf(text))
    new = {f[1:] for f in facts if f[0] == "annotation" and f[-1] in ("Ari", "Sí")}
    assert new == {
        ("tx@B", None, "default-lt", "B", "a7", 3500, 4000, "Ari"),
        ("ft@B", "tx@B", "tr", None, "a8", 3500, 4000, "Sí"),
    }
    only_a = eaf_to_text(data, "talk.eaf", {"transcription": "tx@A"})
    assert [s["speaker"] for s in only_a["segments"]] == ["A", "A"]


def aligned_translations() -> bytes:
    slots = "".join(
        f'<TIME_SLOT TIME_SLOT_ID="ts{n}" TIME_VALUE="{v}"/>'
        for n, v in enumerate([0, 1000, 0, 1000, 1500, 2500, 1500, 2500, 0, 1000, 3000, 3200], 1)
    )
    tiers = (
        '<TIER TIER_ID="tx" LINGUISTIC_TYPE_REF="default-lt">'
        + aligned("a1", "ts1", "ts2", "Alli puncha")
        + aligned("a2", "ts5", "ts6", "Kayakama")
        + '</TIER><TIER TIER_ID="ft" LINGUISTIC_TYPE_REF="incl" PARENT_REF="tx">'
        + aligned("a3", "ts3", "ts4", "Buenos días")
        + aligned("a4", "ts7", "ts8", "Hasta mañana")
        + '</TIER><TIER TIER_ID="English" LINGUISTIC_TYPE_REF="default-lt">'
        + aligned("a5", "ts9", "ts10", "Good day")
        + aligned("a6", "ts11", "ts12", "(laughter)")
        + "</TIER>"
    )
    incl = '<LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="incl" CONSTRAINTS="Included_In" TIME_ALIGNABLE="true"/>'
    return small_eaf(tiers, slots, incl)


def test_time_aligned_translation_tiers_match_by_time():
    data = aligned_translations()
    text = eaf_to_text(data, "aligned.eaf", {"analysis": "es"})
    assert text["extra"]["elan"]["mapping"]["translations"] == {"es": "ft"}
    assert [s["translation"] for s in text["segments"]] == [
        {"es": "Buenos días"},
        {"es": "Hasta mañana"},
    ]
    assert eaf_facts(write_eaf(text)) == eaf_facts(data)
    text["segments"][1]["end"] = 2.75
    moved = eaf_facts(write_eaf(text))
    assert ("annotation", "ft", "tx", "incl", None, "a4", 1500, 2750, "Hasta mañana") in moved
    both = eaf_to_text(data, "aligned.eaf", {"translations": {"es": "ft", "en": "English"}})
    assert both["segments"][0]["translation"] == {"es": "Buenos días", "en": "Good day"}
    assert both["segments"][1]["translation"] == {"es": "Hasta mañana"}  # no English at that time
    assert eaf_facts(write_eaf(both)) == eaf_facts(data)  # '(laughter)' stayed on its tier


def test_a_segment_without_times_cannot_go_to_elan():
    with pytest.raises(InvalidInput, match="segment 1 has none"):
        write_eaf({"segments": [{"start": None, "end": None, "text": {"qu": "x"}}]})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (KICHWA.read_bytes()[:3000], r"line \d+"),
        (b"<ANNOTATION_DOCUMENT><HEADER></ANNOTATION_DOCUMENT>", "line 1"),
        (b"<html/>", "not an ELAN file"),
        (
            small_eaf('<TIER TIER_ID="tr" LINGUISTIC_TYPE_REF="tr" PARENT_REF="main"/>'),
            "tier 'tr' names parent tier 'main', which the file does not have",
        ),
        (
            small_eaf(
                '<TIER TIER_ID="main" LINGUISTIC_TYPE_REF="default-lt">'
                + aligned("a1", "ts1", "ts2", "x")
                + "</TIER>",
                '<TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="-20"/><TIME_SLOT TIME_SLOT_ID="ts2" TIME_VALUE="40"/>',
            ),
            "negative",
        ),
        (
            small_eaf(
                '<TIER TIER_ID="main" LINGUISTIC_TYPE_REF="default-lt">'
                + aligned("a1", "ts1", "ts3", "x")
                + aligned("a2", "ts2", "ts4", "y")
                + "</TIER>",
                "".join(
                    f'<TIME_SLOT TIME_SLOT_ID="ts{n}" TIME_VALUE="{v}"/>'
                    for n, v in [(1, 0), (2, 500), (3, 1000), (4, 1500)]
                ),
            ),
            "'a2' .* overlaps 'a1'",
        ),
        (
            small_eaf(
                '<TIER TIER_ID="main" LINGUISTIC_TYPE_REF="default-lt">'
                + aligned("a1", "ts2", "ts1", "x")
                + "</TIER>",
                '<TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="100"/><TIME_SLOT TIME_SLOT_ID="ts2" TIME_VALUE="900"/>',
            ),
            "ends .* before it starts",
        ),
        (
            small_eaf('<TIER TIER_ID="main" LINGUISTIC_TYPE_REF="words-lt"/>'),
            "linguistic type 'words-lt'",
        ),
        (
            small_eaf(
                '<TIER TIER_ID="main" LINGUISTIC_TYPE_REF="default-lt">'
                + aligned("a1", "ts1", "ts9", "x")
                + "</TIER>",
                '<TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="100"/>',
            ),
            "time slot 'ts9'",
        ),
    ],
)
def test_broken_files_are_refused_with_the_place_named(data, message):
    with pytest.raises(TextRejected, match=message) as caught:
        eaf_to_text(data, "story.eaf")
    assert "story.eaf" in str(caught.value)
    assert isinstance(caught.value, ImportRejected)


def test_entities_and_doctypes_are_refused():
    bomb = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xx">]><ANNOTATION_DOCUMENT>&x;</ANNOTATION_DOCUMENT>'
    with pytest.raises(UnsafeXML):
        eaf_to_text(bomb, "bomb.eaf")


def test_unknown_annotation_attributes_and_vocabularies_come_back():
    tiers = (
        '<TIER TIER_ID="main" LINGUISTIC_TYPE_REF="default-lt" PARTICIPANT="JS">'
        '<ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="x1" TIME_SLOT_REF1="s1" '
        'TIME_SLOT_REF2="s2" CVE_REF="c1"><ANNOTATION_VALUE>ok</ANNOTATION_VALUE>'
        "</ALIGNABLE_ANNOTATION></ANNOTATION></TIER>"
    )
    cv = (
        '<CONTROLLED_VOCABULARY CV_ID="moods"><DESCRIPTION LANG_REF="eng">m</DESCRIPTION>'
        '<CV_ENTRY_ML CVE_ID="c1"><CVE_VALUE LANG_REF="eng">ok</CVE_VALUE></CV_ENTRY_ML>'
        '</CONTROLLED_VOCABULARY><LANGUAGE LANG_ID="eng" LANG_LABEL="English (eng)"/>'
        '<REF_LINK_SET REF_LINK_SET_ID="r1" REF_LINK_SET_NAME="links">'
        '<CROSS_REF_LINK REF_LINK_ID="l1" REF1="x1" REF2="x1"/></REF_LINK_SET>'
        '<EXTERNAL_REF EXT_REF_ID="e1" TYPE="iso12620" VALUE="http://example.org/x"/>'
    )
    data = small_eaf(
        tiers,
        '<TIME_SLOT TIME_SLOT_ID="s1" TIME_VALUE="10"/><TIME_SLOT TIME_SLOT_ID="s2" TIME_VALUE="20"/>'
        '<TIME_SLOT TIME_SLOT_ID="s3"/>',
        cv,
    )
    text = eaf_to_text(data, "cv.eaf")
    assert text["speakers"][0]["code"] == "JS"
    assert text["speakers"][0]["consent_publish"] is False
    out = write_eaf(text)
    assert eaf_facts(out) == eaf_facts(data)
    assert b"CVE_REF" in out
    assert out.index(b"<REF_LINK_SET") < out.index(b"<EXTERNAL_REF")
    assert any(f[0] == "element" and "CROSS_REF_LINK" in f[1] for f in eaf_facts(out))


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**10))
def test_milliseconds_to_seconds_and_back_is_exact(ms):
    assert seconds_to_ms(ms_to_seconds(ms)) == ms


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=36_000_000), min_size=2, max_size=12, unique=True)
)
def test_times_survive_elan_to_text_to_elan(times):
    times = sorted(times)
    slots = "".join(
        f'<TIME_SLOT TIME_SLOT_ID="ts{n}" TIME_VALUE="{t}"/>' for n, t in enumerate(times, 1)
    )
    anns = "".join(aligned(f"a{n}", f"ts{n}", f"ts{n + 1}", f"w{n}") for n in range(1, len(times)))
    data = small_eaf(f'<TIER TIER_ID="main" LINGUISTIC_TYPE_REF="default-lt">{anns}</TIER>', slots)
    text = eaf_to_text(data, "t.eaf")
    assert [seconds_to_ms(s["start"]) for s in text["segments"]] == times[:-1]
    assert eaf_facts(write_eaf(copy.deepcopy(text))) == eaf_facts(data)


def test_unaligned_slots_and_free_ids_come_back():
    tiers = (
        '<TIER TIER_ID="main" LINGUISTIC_TYPE_REF="default-lt">'
        + aligned("first", "start", "stop", "x")
        + aligned("second", "stop", "later", "y")
        + "</TIER>"
    )
    slots = (
        '<TIME_SLOT TIME_SLOT_ID="start" TIME_VALUE="0"/><TIME_SLOT TIME_SLOT_ID="stop" '
        'TIME_VALUE="10"/><TIME_SLOT TIME_SLOT_ID="later"/>'
    )
    data = small_eaf(tiers, slots)
    text = eaf_to_text(data, "free.eaf")
    assert [(s["start"], s["end"]) for s in text["segments"]] == [(0.0, 0.01), (0.01, None)]
    assert eaf_facts(write_eaf(text)) == eaf_facts(data)
    text["segments"].append({"start": None, "end": None, "text": {"und": "new"}})
    with pytest.raises(InvalidInput, match="segment 3 has none"):
        write_eaf(text)


def words_and_translation(with_translation: bool = True) -> bytes:
    def ref(aid, parent, value, prev=None):
        before = f' PREVIOUS_ANNOTATION="{prev}"' if prev else ""
        return (
            f'<ANNOTATION><REF_ANNOTATION ANNOTATION_ID="{aid}" ANNOTATION_REF="{parent}"{before}>'
            f"<ANNOTATION_VALUE>{value}</ANNOTATION_VALUE></REF_ANNOTATION></ANNOTATION>"
        )

    tiers = (
        '<TIER TIER_ID="tx" LINGUISTIC_TYPE_REF="default-lt">'
        + aligned("a1", "ts1", "ts2", "Alli puncha")
        + '</TIER><TIER TIER_ID="FORM" LINGUISTIC_TYPE_REF="sub" PARENT_REF="tx">'
        + ref("a2", "a1", "Alli")
        + ref("a3", "a1", "puncha", "a2")
        + "</TIER>"
    )
    if with_translation:
        tiers += '<TIER TIER_ID="Translation" LINGUISTIC_TYPE_REF="sub" PARENT_REF="tx">'
        tiers += ref("a4", "a1", "Buenos días") + "</TIER>"
    slots = '<TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="0"/><TIME_SLOT TIME_SLOT_ID="ts2" TIME_VALUE="900"/>'
    sub = '<LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="sub" CONSTRAINTS="Symbolic_Subdivision" TIME_ALIGNABLE="false"/>'
    return small_eaf(tiers, slots, sub)


def test_the_default_translation_is_not_a_word_tier():
    text = eaf_to_text(words_and_translation(), "w.eaf")
    assert text["extra"]["elan"]["mapping"]["translations"] == {"und": "Translation"}
    assert text["segments"][0]["translation"] == {"und": "Buenos días"}
    alone = eaf_to_text(words_and_translation(with_translation=False), "w.eaf")
    assert alone["extra"]["elan"]["mapping"]["translations"] == {}
    assert eaf_facts(write_eaf(alone)) == eaf_facts(words_and_translation(with_translation=False))
    assert [w["text"] for w in text["segments"][0]["words"]] == ["Alli", "puncha"]  # FORM: words
    chosen = eaf_to_text(
        words_and_translation(False), "w.eaf", {"translation": "FORM", "words": None}
    )
    assert chosen["segments"][0]["translation"] == {"und": "Alli puncha"}  # pieces in order
    assert eaf_facts(write_eaf(chosen)) == eaf_facts(words_and_translation(False))


def test_words_tiers_give_segments_their_words():
    data = words_and_translation()
    text = eaf_to_text(data, "w.eaf")
    assert text["extra"]["elan"]["mapping"]["words"] == "FORM"
    seg = text["segments"][0]
    assert [(w["text"], w["extra"]["elan"]["id"]) for w in seg["words"]] == [
        ("Alli", "a2"),
        ("puncha", "a3"),
    ]
    assert eaf_facts(write_eaf(text)) == eaf_facts(data)
    seg["words"][1]["text"] = "punlla"
    seg["words"].append({"text": "kanki", "start": None, "end": None})
    facts = eaf_facts(write_eaf(text))
    assert ("annotation", "FORM", "tx", "sub", None, "a3", 0, 900, "punlla") in facts
    assert ("annotation", "FORM", "tx", "sub", None, "a5", 0, 900, "kanki") in facts
    # timed words on a time-aligned child
    slots = "".join(
        f'<TIME_SLOT TIME_SLOT_ID="ts{n}" TIME_VALUE="{v}"/>'
        for n, v in enumerate([0, 900, 0, 400, 400, 900], 1)
    )
    tiers = (
        '<TIER TIER_ID="tx" LINGUISTIC_TYPE_REF="default-lt">'
        + aligned("a1", "ts1", "ts2", "Alli puncha")
        + '</TIER><TIER TIER_ID="words" LINGUISTIC_TYPE_REF="incl" PARENT_REF="tx">'
        + aligned("a2", "ts3", "ts4", "Alli")
        + aligned("a3", "ts5", "ts6", "puncha")
        + "</TIER>"
    )
    incl = '<LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="incl" CONSTRAINTS="Included_In" TIME_ALIGNABLE="true"/>'
    timed = small_eaf(tiers, slots, incl)
    text = eaf_to_text(timed, "timed.eaf")
    assert [(w["text"], w["start"], w["end"]) for w in text["segments"][0]["words"]] == [
        ("Alli", 0.0, 0.4),
        ("puncha", 0.4, 0.9),
    ]
    assert text["segments"][0]["translation"] == {}
    assert eaf_facts(write_eaf(text)) == eaf_facts(timed)
    text["segments"][0]["words"][0]["end"] = 0.35
    assert ("annotation", "words", "tx", "incl", None, "a2", 0, 350, "Alli") in eaf_facts(
        write_eaf(text)
    )


def test_a_fresh_document_gets_a_words_tier():
    text = {
        "segments": [
            {
                "start": 0,
                "end": 1,
                "text": {"qu": "Alli puncha"},
                "translation": {},
                "words": [{"text": "Alli"}, {"text": "puncha"}],
            }
        ]
    }
    back = eaf_to_text(write_eaf(text), "fresh.eaf")
    assert back["extra"]["elan"]["mapping"]["words"] == "words"
    assert [w["text"] for w in back["segments"][0]["words"]] == ["Alli", "puncha"]
