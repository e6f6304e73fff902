"""Pictures in the keepers' editor: a sense's own upload form (a photo from the phone's camera
or a file) adds one; the entry form edits their captions, credits and visibility, orders and
removes them; a refused upload stores nothing; only an editor who may see the entry may."""

from __future__ import annotations

import re

import pytest

from lexicon import editing
from lexicon.media import audio
from tests.api.test_entry_deleted import form_of, stored
from tests.api.test_pictures import ENTRY, phone_jpeg, state
from tests.factories import csrf_from, login, make_user

EDIT = "/d/demo/edit/entries"


@pytest.fixture
def made(session, dictionary):
    return editing.create_entry(session=session, dictionary=dictionary, data=ENTRY)


@pytest.fixture
def keeper(client, owner):
    login(client, owner.email)
    return client


def add(client, entry, path, sense=0, *, field="file", **fields):
    """Post the sense's upload form as the browser does (the other file input left empty)."""
    page = client.get(f"{EDIT}/{entry['id']}").text
    sense_id = entry["senses"][sense]["id"]
    action = f"{EDIT}/{entry['id']}/senses/{sense_id}/pictures"
    assert f'id="picture-form-{sense_id}"' in page and f'action="{action}"' in page
    empty = "photo" if field == "file" else "file"
    files = {field: (path.name, path.read_bytes(), "image/jpeg"),
             empty: ("", b"", "application/octet-stream")}  # fmt: skip
    data = {"csrf_token": csrf_from(page), **{f"picture_{k}": v for k, v in fields.items()}}
    return client.post(action, data=data, files=files, follow_redirects=False,
                       headers={"referer": f"http://testserver{EDIT}/{entry['id']}",
                                "accept": "text/html"})  # fmt: skip


def test_a_keeper_adds_edits_orders_and_removes_pictures(keeper, made, session, dictionary,
                                                          tmp_path):  # fmt: skip
    photo = tmp_path / "IMG_2041.jpg"
    phone_jpeg(photo)
    done = add(keeper, made, photo, field="photo", caption="a basket on a back",
               credit="Ana", licence="CC-BY-4.0", consent="asked the weaver")  # fmt: skip
    assert done.status_code == 303
    sense_id = made["senses"][0]["id"]
    assert done.headers["location"] == f"{EDIT}/{made['id']}?saved=2#pictures-{sense_id}"
    second = tmp_path / "second.jpg"
    phone_jpeg(second)
    second.write_bytes(second.read_bytes() + b"\0")  # another file
    assert add(keeper, made, second, caption="a tray").status_code == 303
    entry = stored(session, dictionary, made["id"])
    first, other = entry["senses"][0]["pictures"]
    assert first["caption"] == {"en": "a basket on a back"} and first["credit"] == "Ana"
    assert first["licence"] == "CC-BY-4.0" and first["consent"] == "asked the weaver"
    assert other["caption"] == {"en": "a tray"} and entry["senses"][1]["pictures"] == []

    page = keeper.get(f"{EDIT}/{made['id']}").text
    assert re.search(rf'<img src="/media/demo/{first["media"]["sha256"]}"', page)
    form = form_of(page)
    assert form["sense.0.pic.0.caption.en"] == "a basket on a back"
    assert "picture_caption" not in form and "photo" not in form  # the upload form's own
    # Swap them (as the move buttons renumber), recaption one, restrict it, remove the other.
    swapped = {k.replace("pic.0.", "pic.X.").replace("pic.1.", "pic.0.").replace("pic.X.", "pic.1."): v
               for k, v in form.items()}  # fmt: skip
    swapped.update({"sense.0.pic.0.caption.en": "a winnowing tray", "sense.0.pic.0.credit": "",
                    "sense.0.pic.0.visibility": "restricted", "sense.0.pic.0.circle": "weavers",
                    "sense.0.pic.1.remove": "1", "_action": "save"})  # fmt: skip
    saved = keeper.post(f"{EDIT}/{made['id']}", data=swapped, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    (kept,) = stored(session, dictionary, made["id"])["senses"][0]["pictures"]
    assert kept["id"] == other["id"] and kept["media"]["sha256"] == other["media"]["sha256"]
    assert kept["caption"] == {"en": "a winnowing tray"}
    assert (kept["visibility"], kept["circle"]) == ("restricted", "weavers")

    # Saving the form untouched changes nothing; a sense with no pictures shows no list.
    page = keeper.get(f"{EDIT}/{made['id']}").text
    again = keeper.post(f"{EDIT}/{made['id']}", data={**form_of(page), "_action": "save"})
    assert again.status_code == 200
    assert stored(session, dictionary, made["id"])["senses"][0]["pictures"] == [kept]


def test_a_refused_picture_stores_nothing(keeper, made, session, dictionary, media_dir,
                                          tmp_path):  # fmt: skip
    before = state(session, media_dir, made["id"])
    fake = tmp_path / "holiday.jpg"
    fake.write_text("not a picture at all")
    refused = add(keeper, made, fake, caption="x")
    assert refused.status_code in (415, 422) and "picture" in refused.text.lower()
    back = f'<a href="{EDIT}/{made["id"]}" data-back>Back to the page you were on</a>'
    assert back in refused.text  # to the entry, whose form still holds what was typed
    page = keeper.get(f"{EDIT}/{made['id']}").text
    nothing = keeper.post(
        f"{EDIT}/{made['id']}/senses/{made['senses'][0]['id']}/pictures",
        data={"csrf_token": csrf_from(page)},
        files={"file": ("", b"", "application/octet-stream")},
        headers={"accept": "text/html", "referer": "https://elsewhere.example/d/demo/"},
    )  # fmt: skip
    assert nothing.status_code == 422 and "take a photo or choose a picture" in nothing.text
    assert "data-back" not in nothing.text  # another site's page is not "back"
    assert state(session, media_dir, made["id"]) == before


def test_only_an_editor_who_may_see_the_entry_adds_one(client, session, dictionary, made,
                                                       tmp_path):  # fmt: skip
    photo = tmp_path / "p.jpg"
    phone_jpeg(photo)
    url = f"{EDIT}/{made['id']}/senses/{made['senses'][0]['id']}/pictures"
    files = {"file": ("p.jpg", photo.read_bytes(), "image/jpeg")}
    anonymous = client.post(url, files=files, headers={"accept": "text/html"})
    assert anonymous.status_code in (401, 403)
    contributor = make_user(session, "c@example.org", "contributor", dictionary)
    login(client, contributor.email)
    token = csrf_from(client.get(f"{EDIT}/new").text)
    assert client.post(url, data={"csrf_token": token}, files=files).status_code == 403
    secret = editing.create_entry(session=session, dictionary=dictionary, data={
        **ENTRY, "visibility": "restricted", "circle": "elders"})  # fmt: skip
    editor = make_user(session, "e@example.org", "editor", dictionary)
    client.cookies.clear()
    login(client, editor.email)
    token = csrf_from(client.get(f"{EDIT}/{made['id']}").text)
    hidden = f"{EDIT}/{secret['id']}/senses/{secret['senses'][0]['id']}/pictures"
    assert client.post(hidden, data={"csrf_token": token}, files=files).status_code == 404
    done = client.post(url, data={"csrf_token": token}, files=files, follow_redirects=False)
    assert done.status_code == 303


def test_a_keeper_records_an_example_and_removes_the_recording(keeper, session, dictionary,
                                                               tmp_path):  # fmt: skip
    made = editing.create_entry(session=session, dictionary=dictionary, data={
        "headword": {"seh": "nyumba"}, "senses": [{"glosses": {"en": "house"}, "examples": [
            {"text": {"seh": "Nyumba yanga"}, "translations": {"en": "My house"}}]}]})  # fmt: skip
    example_id = made["senses"][0]["examples"][0]["id"]
    clip = tmp_path / "nyumba.wav"
    audio.write_tone(clip, container="wav", codec="pcm_s16le")
    page = keeper.get(f"{EDIT}/{made['id']}").text
    action = f"{EDIT}/{made['id']}/examples/{example_id}/audio"
    assert f'id="example-audio-form-{example_id}"' in page and f'action="{action}"' in page
    assert "Add a recording of this sentence" in page
    done = keeper.post(action, data={"csrf_token": csrf_from(page)},
                       files={"file": ("nyumba.wav", clip.read_bytes(), "audio/wav")},
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    assert done.headers["location"] == f"{EDIT}/{made['id']}?saved=2#example-{example_id}"
    example = stored(session, dictionary, made["id"])["senses"][0]["examples"][0]
    assert example["media"]["sha256"] and example["text"] == {"seh": "Nyumba yanga"}

    # Who spoke it, from the form; then the recording removed, the sentence kept.
    page = keeper.get(f"{EDIT}/{made['id']}").text
    assert "Replace the recording" in page and f'src="{example["media"]["url"]}"' in page
    form = {**form_of(page), "sense.0.ex.0.rec.speaker": "Mai Lusia", "_action": "save"}
    assert keeper.post(f"{EDIT}/{made['id']}", data=form).status_code == 200
    spoken = stored(session, dictionary, made["id"])["senses"][0]["examples"][0]
    assert spoken["recording"]["speaker"] == "Mai Lusia" and spoken["media"] == example["media"]
    page = keeper.get(f"{EDIT}/{made['id']}").text
    form = {**form_of(page), "sense.0.ex.0.media_remove": "1", "_action": "save"}
    assert keeper.post(f"{EDIT}/{made['id']}", data=form).status_code == 200
    gone = stored(session, dictionary, made["id"])["senses"][0]["examples"][0]
    assert gone["media"] is None and not any((gone.get("recording") or {}).values())
    assert gone["translations"] == {"en": "My house"}
    nothing = keeper.post(action, data={"csrf_token": csrf_from(page)},
                          files={"file": ("", b"", "application/octet-stream")})  # fmt: skip
    assert nothing.status_code == 422 and "record or choose a recording" in nothing.text


def test_a_new_entry_says_when_pictures_can_be_added(dictionary, keeper):
    page = keeper.get(f"{EDIT}/new").text
    assert "can be added once the entry is saved" in page
    assert "picture-form-" not in page and "example-audio-form-" not in page


def test_a_picture_hidden_from_the_editor_stays_as_it_is(client, owner, made, session,
                                                         dictionary, tmp_path):  # fmt: skip
    """An editor outside the circle sees neither the restricted picture nor its id in the form;
    saving the sense (a caption changed, a forged removal of the hidden one) keeps it, in its
    place, as it was."""
    login(client, owner.email)
    shots = []
    for n in range(2):
        shot = tmp_path / f"shot-{n}.jpg"
        phone_jpeg(shot)
        shot.write_bytes(shot.read_bytes() + bytes(n + 1))
        shots.append(shot)
    assert add(client, made, shots[0], caption="sacred basket", visibility="restricted",
               circle="elders").status_code == 303  # fmt: skip
    assert add(client, made, shots[1], caption="a basket").status_code == 303
    secret, public = stored(session, dictionary, made["id"])["senses"][0]["pictures"]
    editor = make_user(session, "e@example.org", "editor", dictionary)
    client.cookies.clear()
    login(client, editor.email)
    page = client.get(f"{EDIT}/{made['id']}").text
    assert secret["id"] not in page and secret["media"]["sha256"] not in page
    assert "sacred basket" not in page and public["id"] in page
    form = {**form_of(page), "sense.0.pic.0.caption.en": "a market basket", "_action": "save",
            "sense.0.pic.1.id": secret["id"], "sense.0.pic.1.remove": "1"}  # fmt: skip
    assert client.post(f"{EDIT}/{made['id']}", data=form).status_code == 200
    after = stored(session, dictionary, made["id"])["senses"][0]["pictures"]
    assert after == [secret, {**public, "caption": {"en": "a market basket"}}]


def test_a_recording_cannot_be_added_to_an_example_hidden_from_the_editor(client, session,
                                                                        dictionary, tmp_path):  # fmt: skip
    made = editing.create_entry(session=session, dictionary=dictionary, data={
        "headword": {"seh": "nyumba"}, "senses": [{"glosses": {"en": "house"}, "examples": [
            {"text": {"seh": "Nyumba ya mfumu"}, "visibility": "restricted",
             "circle": "elders"}]}]})  # fmt: skip
    example_id = made["senses"][0]["examples"][0]["id"]
    clip = tmp_path / "c.wav"
    audio.write_tone(clip, container="wav", codec="pcm_s16le")
    url = f"{EDIT}/{made['id']}/examples/{example_id}/audio"
    files = {"file": ("c.wav", clip.read_bytes(), "audio/wav")}
    assert client.post(url, files=files).status_code in (401, 403)  # anonymous
    editor = make_user(session, "e@example.org", "editor", dictionary)
    login(client, editor.email)
    page = client.get(f"{EDIT}/{made['id']}").text
    assert example_id not in page and "Nyumba ya mfumu" not in page
    refused = client.post(url, data={"csrf_token": csrf_from(page)}, files=files)
    assert refused.status_code == 404
    assert stored(session, dictionary, made["id"])["senses"][0]["examples"][0].get("media") is None


def test_the_words_recording_without_script(keeper, made, session, dictionary, tmp_path):
    clip = tmp_path / "word.wav"
    audio.write_tone(clip, container="wav", codec="pcm_s16le")
    page = keeper.get(f"{EDIT}/{made['id']}").text
    done = keeper.post(f"{EDIT}/{made['id']}/audio", data={"csrf_token": csrf_from(page)},
                       files={"file": ("word.wav", clip.read_bytes(), "audio/wav")},
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == f"{EDIT}/{made['id']}?saved=2"
    (pron,) = stored(session, dictionary, made["id"])["pronunciations"]
    assert pron["media"]["sha256"]


def test_the_form_names_a_recording_made_while_it_was_open(keeper, session, dictionary,
                                                           tmp_path):  # fmt: skip
    """The in-page recorder uploads through the API and writes the new file's sha256 in the
    example's hidden field: the form saved with it keeps the recording; a sha256 this
    dictionary does not store is refused, and nothing changes."""
    made = editing.create_entry(session=session, dictionary=dictionary, data={
        "headword": {"seh": "nyumba"}, "senses": [{"glosses": {"en": "house"}, "examples": [
            {"text": {"seh": "Nyumba yanga"}}]}]})  # fmt: skip
    page = keeper.get(f"{EDIT}/{made['id']}").text
    form = form_of(page)
    assert form["sense.0.ex.0.media"] == ""
    clip = tmp_path / "c.wav"
    audio.write_tone(clip, container="wav", codec="pcm_s16le")
    example_id = made["senses"][0]["examples"][0]["id"]
    up = keeper.post(f"/api/dictionaries/demo/entries/{made['id']}/examples/{example_id}/audio",
                     files={"file": ("c.wav", clip.read_bytes(), "audio/wav")},
                     headers={"X-CSRF-Token": form["csrf_token"]})  # fmt: skip
    assert up.status_code == 201, up.text
    sha = up.json()["senses"][0]["examples"][0]["media"]["sha256"]
    mine = {**form, "sense.0.ex.0.media": sha, "version": "2", "sense.0.gloss.en": "home",
            "_action": "save"}  # fmt: skip
    assert keeper.post(f"{EDIT}/{made['id']}", data=mine).status_code == 200
    saved = stored(session, dictionary, made["id"])
    assert saved["senses"][0]["examples"][0]["media"]["sha256"] == sha
    assert saved["senses"][0]["glosses"]["en"] == "home"
    forged = {**mine, "version": "3", "sense.0.ex.0.media": "0" * 64}
    refused = keeper.post(f"{EDIT}/{made['id']}", data=forged)
    assert refused.status_code == 422 and "no stored file" in refused.text
    assert stored(session, dictionary, made["id"])["version"] == 3
