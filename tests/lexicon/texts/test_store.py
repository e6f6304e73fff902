"""Texts in the store: create, read, update with versions, delete, history and restore; each
read filtered per text and per segment; a text's long recording all or nothing."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from lexicon import texts
from lexicon.accounts.access import ANONYMOUS, Viewer
from lexicon.errors import InvalidInput, StaleVersion
from lexicon.media import audio
from lexicon.media.storage import LocalStorage
from lexicon.models import Media, Text, TextRevision, TextSegment


def story(**fields) -> dict:
    return {
        "title": {"seh": "Nkhani", "en": "A story"},
        "genre": "narrative",
        "speakers": [{"code": "JS", "name": "J. S.", "consent_publish": True,
                      "consent_speech_tools": False, "speaker_named": True}],
        "segments": [
            {"start": 0.1, "end": 0.9, "speaker": "JS", "text": {"seh": "Ndiye pa tsiku"},
             "translation": {"en": "Then one day"}},
            {"start": 1.0, "end": 1.8, "text": {"seh": "ndidapita"},
             "translation": {"en": "I went"}, "words": [{"text": "ndidapita", "entry_id": None}]},
        ],
        **fields,
    }  # fmt: skip


def viewers(dictionary):
    member = Viewer(user_id=7, roles={dictionary.id: "viewer"})
    elder = Viewer(user_id=8, roles={dictionary.id: "viewer"}, circles={dictionary.id: {"elders"}})
    editor = Viewer(user_id=9, roles={dictionary.id: "editor"})
    return member, elder, editor


def test_create_read_update_and_versions(session, dictionary):
    text = texts.create_text(session=session, dictionary=dictionary, data=story(), editor="me")
    assert text["version"] == 1 and len(text["segments"]) == 2
    assert text["segments"][1]["words"][0]["text"] == "ndidapita"
    got = texts.read_text(session=session, dictionary=dictionary, text_id=text["id"])
    assert got["title"] == {"seh": "Nkhani", "en": "A story"}
    changed = dict(got, genre="history")
    changed["segments"][0] = dict(changed["segments"][0], start=0.2)
    new = texts.update_text(session=session, dictionary=dictionary, text_id=text["id"],
                            data=changed, version=1)  # fmt: skip
    assert new["version"] == 2 and new["segments"][0]["start"] == 0.2
    with pytest.raises(StaleVersion) as stale:
        texts.update_text(session=session, dictionary=dictionary, text_id=text["id"],
                          data=changed, version=1)  # fmt: skip
    assert stale.value.current["version"] == 2
    rows = session.exec(select(TextSegment).where(TextSegment.text_id == text["id"])).all()
    assert len(rows) == 2


def test_history_and_restore(session, dictionary):
    text = texts.create_text(session=session, dictionary=dictionary, data=story())
    v2 = texts.update_text(session=session, dictionary=dictionary, text_id=text["id"],
                           data=dict(text, segments=text["segments"][:1]), version=1)  # fmt: skip
    assert len(v2["segments"]) == 1
    deleted = texts.delete_text(session=session, dictionary=dictionary, text_id=text["id"])
    assert deleted["deleted"] and deleted["version"] == 3
    assert texts.list_texts(session=session, dictionary=dictionary) == []
    with pytest.raises(texts.TextNotFound):
        texts.read_text(session=session, dictionary=dictionary, text_id=text["id"])
    history = texts.text_history(session=session, dictionary=dictionary, text_id=text["id"])
    assert [h["action"] for h in history] == ["delete", "update", "create"]
    back = texts.restore_revision(session=session, dictionary=dictionary, text_id=text["id"],
                                  number=1)  # fmt: skip
    assert back["version"] == 4 and len(back["segments"]) == 2 and not back["deleted"]
    last = select(TextRevision.action).order_by(TextRevision.number.desc()).limit(1)
    assert session.exec(last).scalar_one() == "restore"


def test_bad_text_writes_nothing(session, dictionary):
    bad = story()
    bad["segments"][1]["end"] = 0.5  # ends before it starts
    with pytest.raises(InvalidInput):
        texts.create_text(session=session, dictionary=dictionary, data=bad)
    unknown = story()
    unknown["segments"][0]["speaker"] = "XX"
    with pytest.raises(InvalidInput):
        texts.create_text(session=session, dictionary=dictionary, data=unknown)
    assert session.exec(select(Text)).all() == []


def test_a_restricted_segment_in_a_public_text(session, dictionary):
    data = story()
    data["segments"][1].update(visibility="restricted", circle="elders")
    text = texts.create_text(session=session, dictionary=dictionary, data=data)
    member, elder, editor = viewers(dictionary)
    for who in (ANONYMOUS, member, editor):
        seen = texts.read_text(session=session, dictionary=dictionary, text_id=text["id"],
                               viewer=who)  # fmt: skip
        assert [s["text"] for s in seen["segments"]] == [{"seh": "Ndiye pa tsiku"}]
        assert seen["segments_hidden"] and seen["extra"] == {}
        listed = texts.list_texts(session=session, dictionary=dictionary, viewer=who)
        assert listed[0]["segment_count"] == 1
        history = texts.text_history(session=session, dictionary=dictionary,
                                     text_id=text["id"], viewer=who)  # fmt: skip
        assert all(len(h["data"]["segments"]) == 1 for h in history)
    seen = texts.read_text(session=session, dictionary=dictionary, text_id=text["id"],
                           viewer=elder)  # fmt: skip
    assert len(seen["segments"]) == 2
    # An editor outside the circle saves what they see: the hidden segment stays, in its place.
    mine = texts.read_text(session=session, dictionary=dictionary, text_id=text["id"],
                           viewer=editor)  # fmt: skip
    mine["segments"][0]["translation"] = {"en": "Then, one day"}
    mine["segments"].append({"start": 2.0, "end": 2.5, "text": {"seh": "kumunda"}})
    texts.update_text(session=session, dictionary=dictionary, text_id=text["id"], data=mine,
                      version=1, viewer=editor)  # fmt: skip
    whole = texts.read_text(session=session, dictionary=dictionary, text_id=text["id"])
    assert [s["text"]["seh"] for s in whole["segments"]] == [
        "Ndiye pa tsiku", "ndidapita", "kumunda"]  # fmt: skip
    assert whole["segments"][1]["circle"] == "elders"


def test_a_restricted_text(session, dictionary):
    text = texts.create_text(session=session, dictionary=dictionary,
                             data=story(visibility="restricted", circle="elders"))  # fmt: skip
    member, elder, editor = viewers(dictionary)
    for who in (ANONYMOUS, member, editor):
        with pytest.raises(texts.TextNotFound):
            texts.read_text(session=session, dictionary=dictionary, text_id=text["id"],
                            viewer=who)  # fmt: skip
        assert texts.list_texts(session=session, dictionary=dictionary, viewer=who) == []
        assert not texts.has_texts(session=session, dictionary=dictionary, viewer=who)
        with pytest.raises(texts.TextNotFound):
            texts.text_history(session=session, dictionary=dictionary, text_id=text["id"],
                               viewer=who)  # fmt: skip
    assert texts.read_text(session=session, dictionary=dictionary, text_id=text["id"],
                           viewer=elder)["segments"]  # fmt: skip
    assert texts.has_texts(session=session, dictionary=dictionary, viewer=elder)


def tone(path, seconds: float) -> bytes:
    audio.write_tone(path, container="wav", codec="pcm_s16le", lead=0.2, tone=seconds - 0.4,
                     tail=0.2)  # fmt: skip
    return path.read_bytes()


def test_recording_all_or_nothing(session, dictionary, tmp_path):
    storage = LocalStorage(tmp_path / "media")
    short = tone(tmp_path / "short.wav", 1.0)  # the annotations run to 1.8 s
    with pytest.raises(texts.AudioTooShort):
        texts.import_text(session=session, storage=storage, dictionary=dictionary,
                          data=story(), audio_file=io.BytesIO(short), audio_name="s.wav")  # fmt: skip
    assert session.exec(select(Text)).all() == [] and session.exec(select(Media)).all() == []
    assert list(storage.keys()) == []
    long = tone(tmp_path / "long.wav", 2.5)
    text = texts.import_text(session=session, storage=storage, dictionary=dictionary,
                             data=story(), audio_file=io.BytesIO(long), audio_name="l.wav")  # fmt: skip
    assert text["media"]["duration"] == pytest.approx(2.5, abs=0.1)
    assert len(list(storage.keys())) == 2  # the original as uploaded, and the web copy
    # A text whose annotations outrun its recording is refused on update too.
    longer = dict(text, segments=text["segments"] + [{"start": 2.6, "end": 3.0}])
    with pytest.raises(texts.AudioTooShort):
        texts.update_text(session=session, dictionary=dictionary, text_id=text["id"],
                          data=longer, version=1)  # fmt: skip


def test_a_speaker_who_is_not_to_be_named(session, dictionary):
    data = story()
    data["speakers"][0].update(name="Ana Maria", speaker_named=False)
    text = texts.create_text(session=session, dictionary=dictionary, data=data)
    member, _, editor = viewers(dictionary)
    for who in (ANONYMOUS, member):
        seen = texts.read_text(session=session, dictionary=dictionary, text_id=text["id"],
                               viewer=who)  # fmt: skip
        assert seen["speakers"][0]["name"] == "" and seen["speakers"][0]["code"] == "JS"
        assert "Ana Maria" not in str(texts.list_texts(session=session, dictionary=dictionary,
                                                       viewer=who))  # fmt: skip
    mine = texts.read_text(session=session, dictionary=dictionary, text_id=text["id"],
                           viewer=editor)  # fmt: skip
    assert mine["speakers"][0]["name"] == "Ana Maria"
