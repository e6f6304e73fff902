"""The dictionary's texts in its exports, through the API: an anonymous visitor and a member
outside the circle never get a restricted text or segment; the owner's LIFT zip, imported into
another dictionary through the import endpoint, brings the texts and their recording back."""

from __future__ import annotations

import io
import zipfile

import pytest

from lexicon import editing, texts
from lexicon.media import audio
from lexicon.media.storage import LocalStorage
from tests.factories import make_user


@pytest.fixture
def story(session, dictionary, media_dir, tmp_path) -> dict:
    wav = tmp_path / "story.wav"
    audio.write_tone(wav, container="wav", codec="pcm_s16le", lead=0.2, tone=2.1, tail=0.2)
    segments = [
        {"start": 0.1, "end": 0.9, "text": {"seh": "dzuwalowa"}, "translation": {"en": "sunset"}},
        {"start": 1.0, "end": 1.8, "text": {"seh": "mwalachinsinsi"},
         "translation": {"en": "stonesecret"}, "visibility": "restricted", "circle": "elders"},
    ]  # fmt: skip
    texts.create_text(session=session, dictionary=dictionary, data={
        "title": {"en": "Elders only"}, "visibility": "restricted", "circle": "elders",
        "segments": [{"text": {"seh": "nkhalangobisika"}}]})  # fmt: skip
    return texts.import_text(session=session, storage=LocalStorage(media_dir), dictionary=dictionary,
                             data={"title": {"en": "Evening"}, "segments": segments},
                             audio_file=io.BytesIO(wav.read_bytes()), audio_name="story.wav")  # fmt: skip


def zip_blob(data: bytes) -> tuple[bytes, list[str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return b"".join(zf.read(n) for n in zf.namelist()), zf.namelist()


@pytest.mark.parametrize("fmt", ["lift", "json"])
@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_outsiders_get_no_restricted_text_or_segment(fmt, who, client, session, dictionary, story):
    headers = {}
    if who == "outsider":
        headers = make_user(session, "member@example.org", "viewer", dictionary).headers
    got = client.get("/api/dictionaries/demo/export", params={"format": fmt}, headers=headers)
    assert got.status_code == 200
    blob, names = zip_blob(got.content)
    assert b"dzuwalowa" in blob
    for word in (b"mwalachinsinsi", b"stonesecret", b"nkhalangobisika", b"Elders only"):
        assert word not in blob, word
    assert not any(n.startswith("audio/") for n in names)  # the recording holds the hidden part


def test_the_owners_lift_zip_brings_the_texts_into_another_dictionary(
    client, session, dictionary, owner, story, auth
):
    got = client.get("/api/dictionaries/demo/export", params={"format": "lift"}, headers=auth)
    blob, names = zip_blob(got.content)
    assert b"mwalachinsinsi" in blob and "audio/story.wav" in names
    other = editing.create_dictionary(
        session=session, data={"slug": "copy", "title": "Copy", "language_code": "seh"},
        owner_id=owner.user.id,
    )  # fmt: skip
    done = client.post("/api/dictionaries/copy/imports", headers=auth, data={"format": "lift"},
                       files={"file": ("demo-lift.zip", got.content, "application/zip")})  # fmt: skip
    assert done.status_code == 201, done.text
    assert done.json()["texts"] == {"read": 2, "created": 2, "updated": 0, "unchanged": 0}
    listed = {t["title"]["en"]: t for t in texts.list_texts(session=session, dictionary=other)}
    evening = texts.read_text(session=session, dictionary=other, text_id=listed["Evening"]["id"])
    assert [s["text"]["seh"] for s in evening["segments"]] == ["dzuwalowa", "mwalachinsinsi"]
    assert evening["segments"][1]["circle"] == "elders"  # the scopes come back with the text
    assert evening["media"]["duration"] == pytest.approx(2.5, abs=0.1)
    assert listed["Elders only"]["visibility"] == "restricted"
    # Its recording is served like any text's: here to the owner.
    assert client.get(evening["media"]["url"], headers=auth).status_code == 200
