"""The texts API: import (with a recording), read, export, versions and 409, history and
restore, delete; all or nothing on a bad file or recording; and the access rule per text and
per segment on every read path (list, text, export, history, pages, the recording) for an
anonymous visitor and a member outside the circle."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from lexicon.media import audio
from lexicon.models import Media, Text
from tests.factories import make_user

STORY = (Path(__file__).parent.parent / "fixtures" / "texts" / "story.txt").read_bytes()
API = "/api/dictionaries/demo/texts"


def tone(tmp_path, seconds: float, name: str = "story.wav") -> bytes:
    path = tmp_path / name
    audio.write_tone(path, container="wav", codec="pcm_s16le", lead=0.2, tone=seconds - 0.4,
                     tail=0.2)  # fmt: skip
    return path.read_bytes()


def post_text(client, auth, body: bytes = STORY, recording: bytes | None = None, **fields):
    files = {"file": ("story.txt", body, "text/plain")}
    if recording is not None:
        files["audio"] = ("story.wav", recording, "audio/wav")
    return client.post(API, files=files, data={"status": "published", **fields}, headers=auth)


@pytest.fixture(autouse=True)
def demo(dictionary):
    return dictionary


@pytest.fixture
def people(session, dictionary):
    member = make_user(session, "member@example.org", "viewer", dictionary)
    elder = make_user(session, "elder@example.org", "viewer", dictionary, circles=["elders"])
    return {"anonymous": {}, "member": member.headers, "elder": elder.headers}


def test_import_read_export(client, auth, dictionary):
    answer = post_text(client, auth)
    assert answer.status_code == 201, answer.text
    text = answer.json()
    assert [s["text"] for s in text["segments"]] == [
        {"und": "Ndiye pa tsiku linango"}, {"und": "ndidapita kumunda"}
    ] or len(text["segments"]) == 2  # fmt: skip
    assert text["segments"][1]["start"] == 1.0 and text["segments"][1]["end"] == 1.8
    listed = client.get(API).json()["items"]
    assert [t["id"] for t in listed] == [text["id"]] and listed[0]["segment_count"] == 2
    got = client.get(f"{API}/{text['id']}")
    assert got.status_code == 200 and got.headers["ETag"] == '"1"'
    for fmt, marker in (("eaf", b"ANNOTATION_DOCUMENT"), ("textgrid", b"TextGrid"),
                        ("flextext", b"interlinear-text")):  # fmt: skip
        exported = client.get(f"{API}/{text['id']}/export", params={"format": fmt})
        assert exported.status_code == 200, exported.text
        assert marker in exported.content and b"ndidapita" in exported.content
        assert "attachment" in exported.headers["content-disposition"]
    assert client.get(f"{API}/{text['id']}/export", params={"format": "pdf"}).status_code == 415


def test_versions_history_restore_delete(client, auth):
    text = post_text(client, auth).json()
    changed = dict(text, genre="narrative")
    changed["segments"][0]["translation"] = {"en": "Then, one day"}
    put = client.put(f"{API}/{text['id']}", json=changed, headers={**auth, "If-Match": '"1"'})
    assert put.status_code == 200 and put.json()["version"] == 2
    again = client.put(f"{API}/{text['id']}", json=changed, headers={**auth, "If-Match": '"1"'})
    assert again.status_code == 200 and again.json()["version"] == 2  # the same change: saved
    clashing = dict(text, genre="song")  # made from version 1 too (docs/text-shape.md)
    stale = client.put(f"{API}/{text['id']}", json=clashing, headers={**auth, "If-Match": '"1"'})
    assert stale.status_code == 409 and stale.json()["current"]["version"] == 2
    assert [c["field"] for c in stale.json()["clashes"]] == ["genre"]
    assert client.put(f"{API}/{text['id']}", json=changed).status_code in (401, 403)
    history = client.get(f"{API}/{text['id']}/revisions").json()["items"]
    assert [h["number"] for h in history] == [2, 1]
    back = client.post(f"{API}/{text['id']}/revisions/1/restore", headers=auth)
    assert back.status_code == 200 and back.json()["version"] == 3
    assert back.json()["genre"] == text["genre"]
    gone = client.delete(f"{API}/{text['id']}", headers={**auth, "If-Match": '"3"'})
    assert gone.status_code == 204
    assert client.get(f"{API}/{text['id']}").status_code == 404
    assert client.get(API).json()["items"] == []


def test_with_recording_streamed_with_ranges(client, auth, tmp_path):
    text = post_text(client, auth, recording=tone(tmp_path, 2.5)).json()
    url = text["media"]["url"]
    whole = client.get(url)
    assert whole.status_code == 200 and whole.headers["content-type"] == "audio/mpeg"
    part = client.get(url, headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.content) == 100
    original = client.get(text["media"]["original_url"])
    assert original.content == tone(tmp_path, 2.5, "again.wav")  # kept as uploaded


BAD = {
    "backwards": b"0:05.000 - 0:02.000\nNdiye\nThen\n",
    "empty": b"",
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_file_writes_nothing(client, auth, session, media_dir, case):
    answer = post_text(client, auth, body=BAD[case])
    assert answer.status_code in (415, 422), answer.text
    assert session.exec(select(Text)).all() == []


def test_a_short_recording_writes_nothing(client, auth, session, media_dir, tmp_path):
    answer = post_text(client, auth, recording=tone(tmp_path, 1.0))  # the text runs to 1.8 s
    assert answer.status_code == 422 and "recording" in answer.json()["detail"]
    assert session.exec(select(Text)).all() == [] and session.exec(select(Media)).all() == []
    assert [p for p in media_dir.rglob("*") if p.is_file()] == []
    broken = post_text(client, auth, recording=b"not audio at all")
    assert broken.status_code in (415, 422)
    assert session.exec(select(Text)).all() == [] and session.exec(select(Media)).all() == []
    assert [p for p in media_dir.rglob("*") if p.is_file()] == []


def test_only_editors_import(client, people):
    assert post_text(client, {}).status_code == 401
    assert post_text(client, people["member"]).status_code == 403


def _read_paths(client, text_id: str, headers: dict) -> dict:
    return {
        "list": client.get(API, headers=headers),
        "text": client.get(f"{API}/{text_id}", headers=headers),
        "export": client.get(f"{API}/{text_id}/export?format=eaf", headers=headers),
        "history": client.get(f"{API}/{text_id}/revisions", headers=headers),
        "page": client.get(f"/d/demo/texts/{text_id}", headers=headers),
        "pages": client.get("/d/demo/texts", headers=headers),
    }


def test_a_restricted_segment_in_a_public_text(client, auth, people, tmp_path):
    text = post_text(client, auth, recording=tone(tmp_path, 2.5)).json()
    heard = client.get(text["media"]["url"])  # served to all, then kept in the page cache
    assert heard.status_code == 200
    text["segments"][1].update(visibility="restricted", circle="elders")
    put = client.put(f"{API}/{text['id']}", json=text, headers={**auth, "If-Match": '"1"'})
    assert put.status_code == 200, put.text
    secret = "kumunda"
    for who in ("anonymous", "member"):
        answers = _read_paths(client, text["id"], people[who])
        for path, answer in answers.items():
            assert answer.status_code == 200, (who, path)
            assert secret not in answer.text, (who, path)
        assert "Ndiye" in answers["text"].text and "Ndiye" in answers["page"].text
        assert answers["text"].json()["media"] is None
        recording = client.get(text["media"]["url"], headers=people[who])
        assert recording.status_code == 404, who  # it holds the hidden segment's speech
        # The sentence they may see still sounds: its own clip, on the page too.
        [seen] = answers["text"].json()["segments"]
        clip = f"{API}/{text['id']}/segments/{seen['id']}/clip"
        assert clip in answers["page"].text
        assert client.get(clip, headers=people[who]).status_code == 200
        hidden = f"{API}/{text['id']}/segments/{text['segments'][1]['id']}/clip"
        assert client.get(hidden, headers=people[who]).status_code == 404
    answers = _read_paths(client, text["id"], people["elder"])
    assert secret in answers["text"].text and secret in answers["page"].text
    assert client.get(text["media"]["url"], headers=people["elder"]).status_code == 200


def test_a_restricted_text(client, auth, people, tmp_path):
    text = post_text(client, auth, recording=tone(tmp_path, 2.5), visibility="restricted",
                     circle="elders").json()  # fmt: skip
    for who in ("anonymous", "member"):
        answers = _read_paths(client, text["id"], people[who])
        assert answers["list"].json()["items"] == []
        for path in ("text", "export", "history", "page"):
            assert answers[path].status_code == 404, (who, path)
        assert "Nkhani" not in answers["pages"].text and "Ndiye" not in answers["pages"].text
        assert client.get(text["media"]["url"], headers=people[who]).status_code == 404
        assert client.get(text["media"]["original_url"], headers=people[who]).status_code == 404
    answers = _read_paths(client, text["id"], people["elder"])
    assert all(a.status_code == 200 for a in answers.values())
    assert client.get(text["media"]["url"], headers=people["elder"]).status_code == 200


def test_the_dictionary_page_links_to_texts_it_has(client, auth, people):
    assert "/d/demo/texts" not in client.get("/d/demo/").text
    post_text(client, auth, visibility="restricted", circle="elders")
    assert "/d/demo/texts" not in client.get("/d/demo/", headers=people["member"]).text
    assert "/d/demo/texts" in client.get("/d/demo/", headers=people["elder"]).text


def test_pages_without_javascript_have_a_player_per_sentence(client, auth, tmp_path):
    text = post_text(client, auth, recording=tone(tmp_path, 2.5)).json()
    html = client.get(f"/d/demo/texts/{text['id']}").text
    assert f"{text['media']['url']}#t=1.0,1.8" in html
    assert "Then one day" in html and "I went to the field" in html
    assert 'data-start="1.0" data-end="1.8"' in html


REAL = Path(__file__).parent.parent / "fixtures" / "texts"
KICHWA = REAL / "kichwa-ch2" / "kichwa_ch2_excerpt.eaf"


def post_file(client, auth, name: str, body: bytes, recording: tuple | None = None):
    files = {"file": (name, body, "application/octet-stream")}
    if recording is not None:
        files["audio"] = recording
    return client.post(API, files=files, data={"status": "published"}, headers=auth)


def test_real_files_in_and_out(client, auth):
    """An ELAN file (Kichwa) and a Praat TextGrid with its recording (praatio's bobby.wav)."""
    elan = post_file(client, auth, KICHWA.name, KICHWA.read_bytes())
    assert elan.status_code == 201, elan.text
    text = elan.json()
    assert len(text["segments"]) > 1 and text["media"] is None
    back = client.get(f"{API}/{text['id']}/export?format=eaf")
    assert back.status_code == 200 and b'PARENT_REF="default"' in back.content
    grid = REAL / "praatio-en" / "bobby_words.TextGrid"
    wav = (REAL / "praatio-en" / "bobby.wav").read_bytes()
    bobby = post_file(client, auth, grid.name, grid.read_bytes(), ("bobby.wav", wav, "audio/wav"))
    assert bobby.status_code == 201, bobby.text
    assert bobby.json()["media"]["duration"] > 1
    assert client.get(bobby.json()["media"]["original_url"]).content == wav


@pytest.mark.parametrize("case", ["broken", "missing parent"])
def test_a_bad_elan_file_writes_nothing(client, auth, session, media_dir, case):
    body = KICHWA.read_bytes()
    body = body[: len(body) // 2] if case == "broken" else body.replace(
        b'PARENT_REF="default"', b'PARENT_REF="no-such-tier"'
    )  # fmt: skip
    wav = (REAL / "praatio-en" / "bobby.wav").read_bytes()
    answer = post_file(client, auth, KICHWA.name, body, ("bobby.wav", wav, "audio/wav"))
    assert answer.status_code == 422, answer.text
    assert session.exec(select(Text)).all() == [] and session.exec(select(Media)).all() == []
    assert [p for p in media_dir.rglob("*") if p.is_file()] == []


def test_the_pages_in_french(client, auth):
    text = post_text(client, auth).json()
    listing = client.get("/d/demo/texts?lang=fr").text
    assert "Textes" in listing and "2 phrases" in listing
    assert "Then one day" in client.get(f"/d/demo/texts/{text['id']}?lang=fr").text
