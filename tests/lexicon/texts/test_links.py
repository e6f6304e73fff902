"""Words of texts linked to entries: the matching order (exact headword, then citation form
or variant, then folded: a missing diacritic, a confusable), the keeper's confirm and reject,
morphemes, new-word candidates with counts and contexts, and the sentences of an entry."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from lexicon import editing, texts
from lexicon.accounts.access import ANONYMOUS, Viewer
from lexicon.accounts.users import viewer_for_user
from lexicon.entries.read import stored_entry
from lexicon.errors import EntryNotFound, Forbidden
from lexicon.io.texts import read_text
from lexicon.media.storage import LocalStorage
from lexicon.models import Media, Proposal, TextWord
from lexicon.texts import clips, concordance, links
from tests.factories import add_entry, make_user

BOBBY = Path(__file__).parents[2] / "fixtures" / "texts" / "praatio-en" / "bobby.wav"


@pytest.fixture
def words(session, dictionary) -> dict:
    """Entries to link to, by name."""
    made = {
        "kulima": add_entry(session, dictionary, "kulima", "to farm"),
        "kudya": add_entry(session, dictionary, "kudya", "to eat",
                           fields={"variants": [{"form": {"seh": "kulya"}}]}),
        "kúlya": add_entry(session, dictionary, "kúlya", "a lie"),
        "ngoma": add_entry(session, dictionary, "ngoma", "drum"),
        "mbúzi": add_entry(session, dictionary, "mbúzi", "goat"),
        "nsomba": add_entry(session, dictionary, "nsomba", "fish"),
        "nsómba": add_entry(session, dictionary, "nsómba", "a fish trap"),
        "bwera": add_entry(session, dictionary, "bwera", "come",
                           fields={"citation": {"seh": "kubwera"}}),
        "ku": add_entry(session, dictionary, "ku", "to (infinitive)"),
    }  # fmt: skip
    return {k: v["id"] for k, v in made.items()}


def story(**fields) -> dict:
    return {
        "title": {"en": "The goat"},
        "segments": [
            {"id": "s1", "start": 0.1, "end": 0.5,
             "text": {"seh": "Kulima kulya ŋoma mbuzi, nsómba nsomba kubwera 42 zizi!"},
             "translation": {"en": "Farming ..."}},
            {"id": "s2", "start": 0.5, "end": 1.1, "text": {"seh": "zizi ngoma"},
             "translation": {"en": "zizi drum"},
             "words": [{"text": "Zizi"}, {"text": "ngoma", "morphemes": [
                 {"text": "ku-"}, {"text": "-lima"}]}, {"text": ".", "punct": True}]},
        ],
        **fields,
    }  # fmt: skip


def links_of(session, text_id: str) -> dict:
    rows = session.execute(select(TextWord).where(TextWord.text_id == text_id)).scalars()
    return {(r.segment_id, r.n, r.m): (r.form, r.entry_id, r.link) for r in rows}


def test_split_words_by_the_alphabet(dictionary):
    alphabet = links.alphabet_for(dictionary)
    # the apostrophe is a letter of this alphabet; numbers and punctuation are no words
    assert links.split_words(alphabet, "Ndi'dapita, 42 ŋoma! mbúzi") == [
        "Ndi'dapita", "ŋoma", "mbúzi"]  # fmt: skip


def test_matching_order(session, dictionary, words):
    text = texts.create_text(session=session, dictionary=dictionary, data=story())
    got = links_of(session, text["id"])
    assert got[("s1", 0, -1)] == ("Kulima", words["kulima"], "auto")  # exact, any case
    assert got[("s1", 1, -1)] == ("kulya", words["kudya"], "auto")  # a variant beats folded kúlya
    assert got[("s1", 2, -1)] == ("ŋoma", words["ngoma"], "auto")  # a confusable
    assert got[("s1", 3, -1)] == ("mbuzi", words["mbúzi"], "auto")  # a missing diacritic
    assert got[("s1", 4, -1)] == ("nsómba", words["nsómba"], "auto")  # exact beats folded
    assert got[("s1", 5, -1)] == ("nsomba", words["nsomba"], "auto")
    assert got[("s1", 6, -1)] == ("kubwera", words["bwera"], "auto")  # a citation form
    assert got[("s1", 7, -1)] == ("zizi", None, "none")
    assert ("s1", 8, -1) not in got  # "42" is no word
    # analysed words and their morphemes (affix marks off); punctuation is never linked
    assert got[("s2", 0, -1)] == ("Zizi", None, "none")
    assert got[("s2", 1, -1)] == ("ngoma", words["ngoma"], "auto")
    assert got[("s2", 1, 0)] == ("ku", words["ku"], "auto")
    assert got[("s2", 1, 1)] == ("lima", None, "none")
    assert ("s2", 2, -1) not in got


def test_confirm_reject_and_give_back(session, dictionary, words):
    text = texts.create_text(session=session, dictionary=dictionary, data=story())
    editor = Viewer(user_id=9, roles={dictionary.id: "editor"})
    done = concordance.set_link(session=session, dictionary=dictionary, text_id=text["id"],
                                segment_id="s1", n=1, entry_id=words["kúlya"], viewer=editor)  # fmt: skip
    assert (done["entry_id"], done["link"], done["version"]) == (words["kúlya"], "confirmed", 2)
    done = concordance.set_link(session=session, dictionary=dictionary, text_id=text["id"],
                                segment_id="s2", n=1, m=1, entry_id=words["kulima"],
                                viewer=editor)  # fmt: skip
    assert done["link"] == "confirmed"
    done = concordance.set_link(session=session, dictionary=dictionary, text_id=text["id"],
                                segment_id="s1", n=0, entry_id=None, viewer=editor)  # fmt: skip
    assert (done["entry_id"], done["link"]) == (None, "rejected")
    stored = texts.read_text(session=session, dictionary=dictionary, text_id=text["id"])
    assert stored["version"] == 4  # each click is a revision of the text
    assert stored["segments"][0]["extra"]["links"]["1"] == {
        "text": "kulya", "entry_id": words["kúlya"], "link": "confirmed"}  # fmt: skip
    assert stored["segments"][1]["words"][1]["morphemes"][1]["link"] == "confirmed"
    # a later save keeps the keeper's choices and works the auto links out again
    again = texts.update_text(session=session, dictionary=dictionary, text_id=text["id"],
                              data=stored, version=4)  # fmt: skip
    got = links_of(session, again["id"])
    assert got[("s1", 1, -1)][1:] == (words["kúlya"], "confirmed")
    assert got[("s1", 0, -1)][1:] == (None, "rejected")
    assert got[("s1", 2, -1)][1:] == (words["ngoma"], "auto")
    done = concordance.set_link(session=session, dictionary=dictionary, text_id=text["id"],
                                segment_id="s1", n=1, entry_id=None, link="auto")  # fmt: skip
    assert (done["entry_id"], done["link"]) == (words["kudya"], "auto")
    # a choice made for a word that has changed since is dropped
    stored = texts.read_text(session=session, dictionary=dictionary, text_id=text["id"])
    stored["segments"][0]["text"] = {"seh": "Mbuzi kulya"}
    texts.update_text(session=session, dictionary=dictionary, text_id=text["id"], data=stored,
                      version=stored["version"])  # fmt: skip
    got = links_of(session, text["id"])
    assert got[("s1", 0, -1)] == ("Mbuzi", words["mbúzi"], "auto")


def test_link_refusals(session, dictionary, words):
    text = texts.create_text(session=session, dictionary=dictionary, data=story())
    member = Viewer(user_id=7, roles={dictionary.id: "viewer"})
    editor = Viewer(user_id=9, roles={dictionary.id: "editor"})
    with pytest.raises(Forbidden):
        concordance.set_link(session=session, dictionary=dictionary, text_id=text["id"],
                             segment_id="s1", n=0, entry_id=words["kulima"], viewer=member)  # fmt: skip
    with pytest.raises(EntryNotFound):
        concordance.set_link(session=session, dictionary=dictionary, text_id=text["id"],
                             segment_id="s1", n=0, entry_id="nope", viewer=editor)  # fmt: skip
    with pytest.raises(concordance.WordNotFound):
        concordance.set_link(session=session, dictionary=dictionary, text_id=text["id"],
                             segment_id="s2", n=2, entry_id=words["kulima"], viewer=editor)  # fmt: skip


def test_candidates_with_counts_and_contexts(session, dictionary, words):
    first = texts.create_text(session=session, dictionary=dictionary, data=story())
    other = texts.create_text(session=session, dictionary=dictionary, data={
        "title": {"en": "Other"}, "segments": [{"text": {"seh": "Zizi tate"}}]})  # fmt: skip
    found = concordance.candidates(session=session, dictionary=dictionary)
    by_form = {c["folded"]: c for c in found}
    assert by_form["zizi"]["count"] == 3 and found[0]["folded"] == "zizi"
    assert by_form["zizi"]["spellings"] == {"zizi": 1, "Zizi": 2}
    assert {c["segment_id"] for c in by_form["zizi"]["contexts"]} >= {"s1", "s2"}
    assert any(c["translation"] == {"en": "zizi drum"} for c in by_form["zizi"]["contexts"])
    assert by_form["tate"]["count"] == 1
    one = concordance.candidates(session=session, dictionary=dictionary, text_id=first["id"])
    assert "tate" not in {c["folded"] for c in one}
    # an entry made since leaves the list at once
    add_entry(session, dictionary, "tate", "father")
    assert "tate" not in {c["folded"] for c in concordance.candidates(
        session=session, dictionary=dictionary)}  # fmt: skip
    assert other["id"]


def test_candidates_and_occurrences_follow_protocols(session, dictionary, words):
    segments = story()["segments"]
    segments[1] = dict(segments[1], visibility="restricted", circle="elders")
    texts.create_text(session=session, dictionary=dictionary, data=story(segments=segments))
    texts.create_text(session=session, dictionary=dictionary, data={
        "title": {"en": "Secret"}, "visibility": "restricted", "circle": "elders",
        "segments": [{"id": "x1", "text": {"seh": "ngoma zizi"}}]})  # fmt: skip
    member = Viewer(user_id=7, roles={dictionary.id: "viewer"})
    elder = Viewer(user_id=8, roles={dictionary.id: "viewer"}, circles={dictionary.id: {"elders"}})
    seen = {
        name: [o["segment_id"] for o in concordance.occurrences(
            session=session, dictionary=dictionary, entry_id=words["ngoma"], viewer=v)]
        for name, v in (("anonymous", ANONYMOUS), ("member", member), ("elder", elder))
    }  # fmt: skip
    assert seen["anonymous"] == seen["member"] == ["s1"]
    assert sorted(seen["elder"]) == ["s1", "s2", "x1"]
    got = concordance.occurrences(session=session, dictionary=dictionary,
                                  entry_id=words["ngoma"], viewer=ANONYMOUS)[0]  # fmt: skip
    assert got["forms"] == ["ŋoma"] and got["translation"] == {"en": "Farming ..."}
    zizi = {c["folded"]: c for c in concordance.candidates(
        session=session, dictionary=dictionary, viewer=member)}["zizi"]  # fmt: skip
    assert zizi["count"] == 1
    hidden = add_entry(session, dictionary, "tate", "father",
                       fields={"visibility": "restricted", "circle": "elders"})  # fmt: skip
    with pytest.raises(EntryNotFound):
        concordance.occurrences(session=session, dictionary=dictionary, entry_id=hidden["id"],
                                viewer=member)  # fmt: skip


def test_draft_entry_from_a_candidate_with_its_clip(session, dictionary, words, tmp_path):
    storage = LocalStorage(tmp_path / "media")
    with open(BOBBY, "rb") as recording:
        text = texts.import_text(session=session, storage=storage, dictionary=dictionary,
                                 data=story(), audio_file=recording, audio_name="bobby.wav")  # fmt: skip
    editor = real_editor(session, dictionary)
    proposal = clips.draft_entry(session=session, storage=storage, dictionary=dictionary,
                                 viewer=editor, text_id=text["id"], segment_id="s2",
                                 form="zizi", glosses={"en": "bee"})  # fmt: skip
    row = session.get(Proposal, proposal["id"])
    assert row.action == "create" and row.status == "pending"
    assert row.data["status"] == "needs_review" and row.data["headword"] == {"seh": "zizi"}
    example = row.data["senses"][0]["examples"][0]
    assert example["text"] == {"seh": "zizi ngoma"} and example["translations"] == {
        "en": "zizi drum"
    }
    sha = example["media"]["sha256"]
    media = session.execute(select(Media).where(Media.sha256 == sha)).scalar_one()
    assert media.kind == "audio" and 0.4 < media.duration < 0.8  # the segment: 0.5 to 1.1 s
    assert storage.exists(media.original_key) and storage.exists(media.derivative_key)


def test_clip_and_use_as_example(session, dictionary, words, tmp_path):
    storage = LocalStorage(tmp_path / "media")
    segments = story()["segments"]
    segments[1] = dict(segments[1], visibility="restricted", circle="elders")
    with open(BOBBY, "rb") as recording:
        text = texts.import_text(session=session, storage=storage, dictionary=dictionary,
                                 data=story(segments=segments), audio_file=recording,
                                 audio_name="bobby.wav")  # fmt: skip
    served = clips.clip_to_serve(session=session, storage=storage, dictionary=dictionary,
                                 viewer=ANONYMOUS, text_id=text["id"], segment_id="s1")  # fmt: skip
    assert served.mime == "audio/mpeg" and served.size > 500 and storage.exists(served.key)
    with pytest.raises(clips.ClipNotFound):
        clips.clip_to_serve(session=session, storage=storage, dictionary=dictionary,
                            viewer=ANONYMOUS, text_id=text["id"], segment_id="s2")  # fmt: skip
    editor = real_editor(session, dictionary)
    sense = texts_entry_sense(session, dictionary, words["ngoma"])
    change = clips.use_as_example(session=session, storage=storage, dictionary=dictionary,
                                  viewer=editor, entry_id=words["ngoma"], sense_id=sense,
                                  text_id=text["id"], segment_id="s1")  # fmt: skip
    example = change.entry["senses"][0]["examples"][-1]
    assert example["text"]["seh"].startswith("Kulima") and example["media"]["sha256"]
    assert example["source"] == "The goat" and example["visibility"] == "public"


def real_editor(session, dictionary) -> Viewer:
    editor = make_user(session, "editor@example.org", "editor", dictionary)
    return viewer_for_user(session=session, user=editor.user)


def texts_entry_sense(session, dictionary, entry_id: str) -> str:
    return stored_entry(session=session, dictionary=dictionary, entry_id=entry_id)["senses"][0][
        "id"
    ]


def test_an_entry_made_later_is_found_before_the_text_is_saved(session, dictionary, words):
    text = texts.create_text(session=session, dictionary=dictionary, data=story())
    zizi = add_entry(session, dictionary, "zízi", "bee")["id"]
    found = concordance.occurrences(session=session, dictionary=dictionary, entry_id=zizi)
    assert sorted(o["segment_id"] for o in found) == ["s1", "s2"]
    assert found[0]["words"][0]["link"] == "auto"
    shown = links.text_links(session, dictionary, ANONYMOUS, texts.read_text(
        session=session, dictionary=dictionary, text_id=text["id"], viewer=ANONYMOUS))  # fmt: skip
    assert shown["s2"][0] == {"n": 0, "m": -1, "form": "Zizi", "entry_id": zizi, "link": "auto"}
    page = links.linked_text(session, dictionary, ANONYMOUS, text)
    assert [p["text"] for p in page["segments"][0]["pieces"]["items"]][:4] == [
        "Kulima", " ", "kulya", " "]  # fmt: skip
    assert page["segments"][1]["words"][0]["entry_id"] == zizi


def test_flextext_words_and_morphemes_link(session, dictionary):
    """FLEx's own sample: words and their morphemes (full + -y, analyze + -d) link alike."""
    fixture = BOBBY.parents[1] / "sil-flextext" / "FullyAnalyzed.flextext"
    full = add_entry(session, dictionary, "full", "complete")["id"]
    suffix = add_entry(session, dictionary, "y", "ADJ", fields={"morph_type": "suffix"})["id"]
    analyze = add_entry(session, dictionary, "analyze", "study")["id"]
    text = texts.create_text(session=session, dictionary=dictionary, data=read_text(fixture))
    got = links_of(session, text["id"])
    segment = text["segments"][0]["id"]
    assert got[(segment, 0, 0)] == ("full", full, "auto")
    assert got[(segment, 0, 1)] == ("y", suffix, "auto")
    assert got[(segment, 1, 0)] == ("analyze", analyze, "auto")
    assert got[(segment, 0, -1)] == ("Fully", None, "none")
    assert (segment, 3, -1) not in got  # the full stop


def test_a_gloss_chooses_between_homographs(session, dictionary, words):
    """FLEx glosses its words and morphemes: among homographs of one tier, the entry with that
    gloss wins; without a gloss (or with another) the first in the dictionary's order."""
    at = add_entry(session, dictionary, "ku", "at", homograph=2)["id"]
    text = texts.create_text(session=session, dictionary=dictionary, data={"segments": [
        {"id": "g1", "text": {"seh": "kumunda"}, "words": [{"text": "kumunda", "morphemes": [
            {"text": "ku-", "gloss": {"en": "at"}}, {"text": "munda", "gloss": {"en": "field"}}]},
            {"text": "ku", "gloss": {"en": "to (infinitive)"}}, {"text": "ku"}]}]})  # fmt: skip
    got = links_of(session, text["id"])
    assert got[("g1", 0, 0)] == ("ku", at, "auto")
    assert got[("g1", 1, -1)] == ("ku", words["ku"], "auto")
    assert got[("g1", 2, -1)] == ("ku", words["ku"], "auto")


def test_relink_after_an_alphabet_change(session, dictionary, words):
    """A new confusable: words are folded anew and linked again, keepers' choices untouched."""
    text = texts.create_text(session=session, dictionary=dictionary, data={"segments": [
        {"id": "r1", "text": {"seh": "nkhoma ngoma"}}]})  # fmt: skip
    assert links_of(session, text["id"])[("r1", 0, -1)][1:] == (None, "none")
    alphabet = dict(dictionary.alphabet, confusables=[["ŋ", "ng"], ["nkh", "ng"]])
    editing.update_dictionary(session=session, dictionary=dictionary, data={"alphabet": alphabet})
    assert links.relink_texts(session, dictionary) == 1
    assert links_of(session, text["id"])[("r1", 0, -1)][1:] == (words["ngoma"], "auto")
