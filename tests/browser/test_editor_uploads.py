"""A keeper adds pictures to a sense from the editor in Chromium, moves one, removes one, and
records an example sentence; an upload while the form holds unsaved changes is held back, so the
changes are not lost."""

from __future__ import annotations

import pytest

from lexicon import editing
from lexicon.media import audio
from tests.api.test_pictures import ENTRY, phone_jpeg
from tests.browser.test_editor import keeper_page, stored
from tests.browser.test_texts import axe_violations

pytestmark = pytest.mark.browser


def test_a_keeper_adds_moves_and_removes_pictures(browser, live_server, session, dictionary,
                                                  owner, tmp_path):  # fmt: skip
    made = editing.create_entry(session=session, dictionary=dictionary, data=ENTRY)
    photos = []
    for n in range(2):
        photo = tmp_path / f"photo-{n}.jpg"
        phone_jpeg(photo)
        photo.write_bytes(photo.read_bytes() + bytes(n))  # two files
        photos.append(photo)
    page = keeper_page(browser, live_server, record=False)
    url = f"{live_server.url}/d/demo/edit/entries/{made['id']}"
    page.goto(url)
    sense = page.locator("fieldset.sense").first
    for n, photo in enumerate(photos):
        sense.get_by_text("Add a picture").click()
        sense.get_by_label("Or choose a picture").set_input_files(photo)
        sense.locator("input[name=picture_caption]").fill(f"photo {n}")
        sense.get_by_role("button", name="Upload the picture").click()
        page.locator(f"#f-sense-0-pic-{n}-caption-en").wait_for()
        sense = page.locator("fieldset.sense").first
    thumbs = sense.locator("[data-picture] img")
    assert thumbs.count() == 2
    assert all(t.evaluate("img => img.decode().then(() => img.naturalWidth)") for t in thumbs.all())
    assert axe_violations(page) == []

    # Typed but not saved: the upload is held back and says why.
    page.fill("#f-sense-0-gloss-en", "a basket, typed")
    sense.get_by_text("Add a picture").click()
    sense.get_by_label("Or choose a picture").set_input_files(photos[0])
    sense.get_by_role("button", name="Upload the picture").click()
    hint = sense.locator("[data-upload-hint][role=alert]")
    hint.wait_for()
    assert "Save your other changes first" in hint.inner_text()
    assert page.url.startswith(url) and page.input_value("#f-sense-0-gloss-en") == "a basket, typed"

    # The second picture first, then the first one removed; one save.
    sense.locator("[data-picture]").nth(1).get_by_role("button", name="Move up").click()
    assert page.input_value("#f-sense-0-pic-0-caption-en") == "photo 1"
    page.check("#f-sense-0-pic-1-remove")
    page.click("[data-save]")
    page.locator("[data-saved]").wait_for()
    entry = stored(session, dictionary, made["id"])
    assert entry["senses"][0]["glosses"]["en"] == "a basket, typed"
    assert [p["caption"] for p in entry["senses"][0]["pictures"]] == [{"en": "photo 1"}]

    # An example, saved, then its recording: the phone's recorder gives a file like this one.
    page.click("[data-add-example]")
    page.fill("#f-sense-0-ex-0-text-seh", "Nsengwa yanga")
    page.click("[data-save]")
    page.locator("[data-saved]").wait_for()
    clip = tmp_path / "recorded.wav"
    audio.write_tone(clip, container="wav", codec="pcm_s16le")
    example = page.locator("fieldset.example").first
    example.get_by_text("Add a recording of this sentence").click()
    example.get_by_label("Record it with the phone, or choose a file").set_input_files(clip)
    example.get_by_role("button", name="Upload the recording").click()
    player = page.locator("fieldset.example audio[data-example-audio]")
    player.wait_for()
    assert player.evaluate("a => a.play().then(() => 'playing', e => String(e))") == "playing"
    notes = page.locator("fieldset.example").first.locator("[data-recording-notes] summary")
    assert notes.inner_text() == "Speaker and consent"  # to say who spoke it, folded away
    assert axe_violations(page) == []
    page.context.close()


def test_an_example_recorded_in_the_page_keeps_what_was_typed(browser, live_server, session,
                                                             dictionary, owner):  # fmt: skip
    """The in-page recorder uploads at once and the page stays: the gloss typed before, and the
    save after, keep the recording (the form names it, and takes the new version)."""
    made = editing.create_entry(session=session, dictionary=dictionary, data={
        "headword": {"seh": "nyumba"}, "senses": [{"glosses": {"en": "house"}, "examples": [
            {"text": {"seh": "Nyumba yanga"}, "translations": {"en": "My house"}}]}]})  # fmt: skip
    page = keeper_page(browser, live_server)
    page.goto(f"{live_server.url}/d/demo/edit/entries/{made['id']}")
    page.fill("#f-sense-0-gloss-en", "house, typed first")
    example = page.locator("fieldset.example").first
    example.get_by_text("Add a recording of this sentence").click()
    example.get_by_role("button", name="Record", exact=True).click()
    example.locator("[data-rec-stop]:not([disabled])").wait_for()
    page.wait_for_timeout(1500)  # the fake microphone's tone
    example.locator("[data-rec-stop]").click()
    example.get_by_role("button", name="Keep this recording").click()
    example.get_by_text("Recording saved.").wait_for()
    assert example.locator("audio[data-example-audio]").get_attribute("src").startswith("/media/")
    assert page.input_value("#f-sense-0-gloss-en") == "house, typed first"
    page.click("[data-save]")
    page.locator("[data-saved]").wait_for()
    entry = stored(session, dictionary, made["id"])
    assert entry["version"] == 3 and entry["senses"][0]["glosses"]["en"] == "house, typed first"
    assert entry["senses"][0]["examples"][0]["media"]["duration"] > 0
    assert axe_violations(page) == []
    page.context.close()
