"""A text's learner page in Chromium on a phone: the current sentence is highlighted while the
recording plays, a tap on a sentence plays from there (static/texts.js); axe finds nothing
serious on the list and the text; the page fits 390 px."""

from __future__ import annotations

import io

import pytest

from lexicon import texts
from lexicon.media import audio
from tests import factories
from tests.browser.test_editor import keeper_page
from tests.browser.test_new_dictionary import PHONE, fits_the_phone

pytestmark = pytest.mark.browser


def axe_violations(page) -> list:
    return factories.axe_violations(page, ran=("html-has-lang", "color-contrast"))


def _story(session, dictionary, storage, tmp_path) -> dict:
    wav = tmp_path / "story.wav"
    audio.write_tone(wav, container="wav", codec="pcm_s16le", lead=0.2, tone=2.6, tail=0.2)
    data = {
        "title": {"seh": "Nkhani ya kalulu"},
        "status": "published",
        "segments": [
            {"start": 0.0, "end": 1.0, "text": {"seh": "Ndiye pa tsiku linango"},
             "translation": {"en": "Then one day"}},
            {"start": 1.0, "end": 2.0, "text": {"seh": "ndidapita kumunda"},
             "translation": {"en": "I went to the field"},
             "words": [{"text": "ndidapita", "start": 1.0, "end": 1.5},
                       {"text": "kumunda", "start": 1.5, "end": 2.0}]},
            {"start": 2.0, "end": 2.9, "text": {"seh": "kuti ndikalime"},
             "translation": {"en": "to hoe"}},
        ],
    }  # fmt: skip
    return texts.import_text(session=session, storage=storage, dictionary=dictionary, data=data,
                             audio_file=io.BytesIO(wav.read_bytes()), audio_name="story.wav")  # fmt: skip


def test_the_current_sentence_follows_the_recording(browser, live_server, session, dictionary,
                                                    tmp_path):  # fmt: skip
    text = _story(session, dictionary, live_server.app.state.storage, tmp_path)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/d/demo/texts")
    page.get_by_role("link", name="Nkhani ya kalulu").click()
    page.wait_for_url(f"**/d/demo/texts/{text['id']}")
    assert fits_the_phone(page)
    segments = page.locator(".segment")
    assert segments.count() == 3
    assert page.locator(".segment .clip").first.is_hidden()  # the script's one player instead
    # Tap the second sentence: the recording plays from its start and the sentence lights up.
    segments.nth(1).click()
    page.wait_for_function(
        "() => { const a = document.querySelector('[data-text-audio]');"
        " return !a.paused && a.currentTime > 1.05; }",
        timeout=10000,
    )
    page.wait_for_function(
        "() => document.querySelector('.segment.current')?.id === 's2'", timeout=5000
    )
    assert segments.nth(1).get_attribute("aria-current") == "true"
    assert page.locator(".segment.current").count() == 1
    # Playing on, the highlight moves to the third sentence by itself.
    page.wait_for_function(
        "() => document.querySelector('.segment.current')?.id === 's3'", timeout=10000
    )
    assert segments.nth(1).get_attribute("aria-current") is None
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/d/demo/texts")
    assert axe_violations(page) == []
    context.close()


def test_without_javascript_each_sentence_has_a_player(browser, live_server, session,
                                                       dictionary, tmp_path):  # fmt: skip
    text = _story(session, dictionary, live_server.app.state.storage, tmp_path)
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/d/demo/texts/{text['id']}")
    clips = page.locator(".segment audio.clip")
    assert clips.count() == 3 and clips.nth(1).is_visible()
    assert clips.nth(1).get_attribute("src").endswith("#t=1.0,2.0")
    assert page.get_by_text("I went to the field").is_visible()
    assert fits_the_phone(page)
    context.close()


def test_the_editor_pages_pass_axe_on_a_phone(browser, live_server, session, dictionary,
                                              tmp_path):  # fmt: skip
    text = _story(session, dictionary, live_server.app.state.storage, tmp_path)
    page = keeper_page(browser, live_server, record=False)
    page.set_viewport_size(PHONE)
    for path in ("", f"/{text['id']}", f"/{text['id']}/history"):
        page.goto(f"{live_server.url}/d/demo/edit/texts{path}")
        assert axe_violations(page) == [], path
        assert fits_the_phone(page), path
    page.context.close()
