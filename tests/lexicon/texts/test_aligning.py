"""Word alignment (issue 23, part 3): espeak-ng speech with known word times (with pauses and
without), aligned through ReadAlongs' aligner; word boundaries checked; a word nothing maps is
reported by name while its neighbours are aligned; the result saved as a revision; phones from
g2p, the entries' IPA and the alphabet."""

from __future__ import annotations

from pathlib import Path

import pytest

from lexicon import editing, texts
from lexicon.accounts.access import Viewer
from lexicon.media.storage import LocalStorage
from lexicon.texts import aligning, phones
from tests.lexicon.texts.speech_synth import build, within

SENTENCES = [
    (["the", "river", "carries", "water", "home"], 0.25),  # with pauses
    (["children", "sing", "beautiful", "songs"], 0.0),  # one word straight after the other
]


@pytest.fixture(scope="module")
def spoken(tmp_path_factory) -> tuple[Path, list[dict]]:
    path = tmp_path_factory.mktemp("espeak") / "story.wav"
    return path, build(SENTENCES, path, voice="en-us")


def _text(session, dictionary, storage, path: Path, truth: list[dict], words=None) -> dict:
    segments = [{"start": s["start"], "end": s["end"],
                 "text": {"seh": " ".join(w for w, _, _ in s["words"]).capitalize() + "."},
                 "translation": {"en": f"sentence {n}"}}
                for n, s in enumerate(truth)]  # fmt: skip
    if words is not None:
        segments[0]["text"] = {"seh": words}
    with open(path, "rb") as recording:
        return texts.import_text(session=session, storage=storage, dictionary=dictionary,
                                 data={"title": {"en": "Story"}, "segments": segments},
                                 audio_file=recording, audio_name=path.name)  # fmt: skip


def test_words_land_on_their_times(session, dictionary, tmp_path, spoken):
    path, truth = spoken
    storage = LocalStorage(tmp_path / "media")
    dictionary.language_code = "eng"  # g2p's English mapping (the voice is English)
    text = _text(session, dictionary, storage, path, truth)
    ticks = []
    stored, report = aligning.align_text(
        session=session, storage=storage, dictionary=dictionary, text_id=text["id"],
        editor="me", progress=lambda *a: ticks.append(a),
    )  # fmt: skip
    assert report["aligned"] == report["segments"] == 2 and report["failed"] == []
    assert report["words"] == 9 and report["unmapped"] == []
    assert ticks[-1][2] == "saving" and (2, 2, "aligning") in ticks
    for segment, known in zip(stored["segments"], truth, strict=True):
        words = segment["words"]
        assert [w["text"] for w in words] == [
            w.capitalize() if i == 0 else w for i, (w, _, _) in enumerate(known["words"])
        ]
        found = [(w["start"], w["end"]) for w in words]
        expected = [(s, e) for _, s, e in known["words"]]
        assert all(segment["start"] <= s < e <= segment["end"] for s, e in found)
        assert [s for s, _ in found] == sorted(s for s, _ in found)
        # Issue 23 asks >= 80% within 100 ms (bench/align.py: 85-88% on longer espeak speech).
        assert within(expected, found) >= 0.8, (found, expected)
        assert segment["extra"]["alignment"]["made"] is True
    assert stored["segments"][0]["text"] == text["segments"][0]["text"]  # the typing stays
    history = texts.text_history(session=session, dictionary=dictionary, text_id=text["id"])
    assert history[0]["action"] == "align" and stored["version"] == 2


def test_a_word_nothing_maps_is_reported_and_its_neighbours_aligned(session, dictionary,
                                                                   tmp_path, spoken):  # fmt: skip
    path, truth = spoken
    storage = LocalStorage(tmp_path / "media")
    dictionary.language_code = "eng"
    # "ǂǃǂ" (click letters) stands where "river" is spoken: g2p maps none of it.
    text = _text(session, dictionary, storage, path, truth, "The ǂǃǂ carries water home.")
    stored, report = aligning.align_text(session=session, storage=storage,
                                         dictionary=dictionary, text_id=text["id"])  # fmt: skip
    first = stored["segments"][0]
    assert report["unmapped"] == [{"segment_id": first["id"], "word": "ǂǃǂ"}]
    assert report["aligned"] == 2 and report["failed"] == []
    bad = first["words"][1]
    assert bad["text"] == "ǂǃǂ" and bad["start"] is None and bad["end"] is None
    known = truth[0]["words"]
    assert first["words"][0]["start"] is not None
    assert first["words"][0]["end"] <= first["words"][2]["start"]
    for n in (2, 3, 4):  # the words after it still start where they are spoken
        assert abs(first["words"][n]["start"] - known[n][1]) <= 0.1, first["words"]
    assert abs(first["words"][2]["end"] - known[2][2]) <= 0.1
    assert all(w["start"] is not None for w in stored["segments"][1]["words"])


def test_only_segments_the_editor_may_see(session, dictionary, tmp_path, spoken):
    path, truth = spoken
    storage = LocalStorage(tmp_path / "media")
    text = _text(session, dictionary, storage, path, truth)
    data = dict(text, segments=[dict(text["segments"][0], visibility="restricted",
                                     circle="elders"), text["segments"][1]])  # fmt: skip
    text = texts.update_text(session=session, dictionary=dictionary, text_id=text["id"],
                             data=data, version=text["version"])  # fmt: skip
    outsider = Viewer(user_id=999, roles={dictionary.id: "editor"})
    stored, report = aligning.align_text(session=session, storage=storage, dictionary=dictionary,
                                         text_id=text["id"], viewer=outsider)  # fmt: skip
    assert report["segments"] == 1
    assert stored["segments"][0]["words"] == []  # hidden from them: left as it was
    assert all(w["start"] is not None for w in stored["segments"][1]["words"])


def test_nothing_to_align(session, dictionary, tmp_path, spoken):
    path, truth = spoken
    storage = LocalStorage(tmp_path / "media")
    text = _text(session, dictionary, storage, path, truth)
    data = dict(text, segments=[dict(s, text={}) for s in text["segments"]])
    texts.update_text(session=session, dictionary=dictionary, text_id=text["id"], data=data,
                      version=text["version"])  # fmt: skip
    with pytest.raises(aligning.NothingToAlign, match="no segment"):
        aligning.align_text(session=session, storage=storage, dictionary=dictionary,
                            text_id=text["id"])  # fmt: skip


def test_phones_from_g2p_the_entries_and_the_alphabet(session, dictionary):
    editing.create_entry(session=session, dictionary=dictionary, editor="me", data={
        "headword": {"seh": "nyumba"}, "pronunciations": [{"ipa": "ɲumba"}],
        "senses": [{"glosses": {"en": "house"}}]})  # fmt: skip
    editing.create_entry(session=session, dictionary=dictionary, editor="me", data={
        "headword": {"seh": "chala"}, "pronunciations": [{"ipa": "ʃala"}],
        "senses": [{"glosses": {"en": "finger"}}]})  # fmt: skip
    dictionary.alphabet = {"letters": ["a", "b", "ch", "l", "m", "n", "ny", "u"]}
    mapper = phones.for_dictionary(session, dictionary)
    assert mapper.language is None  # g2p has no Sena
    assert mapper.phones("Nyumba") == ("N UW M B AA", "entry")
    assert mapper.letter_ipa["ch"] == "ʃ"  # learnt from "chala" = ʃala
    assert mapper.phones("chuma") == ("SH UW M AA", "alphabet")
    assert mapper.phones("ǂǃǂ") == (None, "none")
    assert phones.Phonetiser(language="fra").phones("bonjour")[1] == "lang"


def test_keepers_choices_move_onto_the_words_and_a_new_transcription_is_aligned_anew(
    session, dictionary, tmp_path, spoken
):
    path, truth = spoken
    storage = LocalStorage(tmp_path / "media")
    dictionary.language_code = "eng"
    text = _text(session, dictionary, storage, path, truth)
    first = text["segments"][0]
    first["extra"] = {"links": {"1": {"text": "river", "entry_id": None, "link": "rejected"}}}
    text = texts.update_text(session=session, dictionary=dictionary, text_id=text["id"],
                             data=text, version=text["version"])  # fmt: skip
    stored, _ = aligning.align_text(session=session, storage=storage, dictionary=dictionary,
                                    text_id=text["id"])  # fmt: skip
    words = stored["segments"][0]["words"]
    assert (words[1]["text"], words[1]["link"]) == ("river", "rejected")
    assert "links" not in stored["segments"][0]["extra"]
    # The keeper retypes the sentence: aligning again makes its words from the new typing.
    stored["segments"][0]["text"] = {"seh": "The river carries water"}
    stored = texts.update_text(session=session, dictionary=dictionary, text_id=text["id"],
                               data=stored, version=stored["version"])  # fmt: skip
    again, report = aligning.align_text(session=session, storage=storage,
                                        dictionary=dictionary, text_id=text["id"])  # fmt: skip
    words = again["segments"][0]["words"]
    assert [w["text"] for w in words] == ["The", "river", "carries", "water"]
    assert all(w["start"] is not None for w in words) and report["aligned"] == 2
    assert words[1]["link"] == "rejected"  # the choice stays with its word
