"""An entry's sentences from the texts in Chromium on a phone: each with its clip (a player
that plays), a link into its text; axe finds nothing on the page, for a learner and for a
keeper (with the "use as example" form), and "use as example" adds the sentence to the sense."""

from __future__ import annotations

import io

import pytest

from lexicon import texts
from lexicon.media import audio
from tests.browser.test_editor import keeper_page
from tests.browser.test_new_dictionary import PHONE, fits_the_phone
from tests.browser.test_texts import axe_violations
from tests.factories import add_entry

pytestmark = pytest.mark.browser


def test_an_entrys_sentences_on_a_phone(browser, live_server, session, dictionary, tmp_path):
    ngoma = add_entry(session, dictionary, "ngoma", "drum")
    wav = tmp_path / "story.wav"
    audio.write_tone(wav, container="wav", codec="pcm_s16le", lead=0.2, tone=1.6, tail=0.2)
    data = {
        "title": {"seh": "Ngoma"}, "status": "published",
        "segments": [
            {"start": 0.0, "end": 1.0, "text": {"seh": "Ngoma ya kalulu"},
             "translation": {"en": "The hare's drum"}},
            {"start": 1.0, "end": 2.0, "text": {"seh": "ŋoma ikulira"},
             "translation": {"en": "The drum sounds"}},
        ],
    }  # fmt: skip
    text = texts.import_text(session=session, storage=live_server.app.state.storage,
                             dictionary=dictionary, data=data,
                             audio_file=io.BytesIO(wav.read_bytes()), audio_name="story.wav")  # fmt: skip
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/d/demo/entries/{ngoma['id']}")
    sentences = page.locator(".occurrence")
    assert sentences.count() == 2 and fits_the_phone(page)
    player = sentences.first.locator("audio")
    player.evaluate("a => a.play()")
    page.wait_for_function("() => document.querySelector('.occurrence audio').currentTime > 0.2")
    assert axe_violations(page) == []
    sentences.first.get_by_role("link").click()
    page.wait_for_url(f"**/d/demo/texts/{text['id']}#s1")
    context.close()
    keeper = keeper_page(browser, live_server, record=False)
    keeper.set_viewport_size(PHONE)
    keeper.goto(f"{live_server.url}/d/demo/entries/{ngoma['id']}")
    assert axe_violations(keeper) == [] and fits_the_phone(keeper)
    keeper.locator(".occurrence").nth(1).get_by_role("button", name="Use as example").click()
    keeper.wait_for_url(f"**/d/demo/entries/{ngoma['id']}#sense-*")
    assert keeper.locator(".example").filter(has_text="ŋoma ikulira").count() == 1
    assert keeper.locator(".example audio").count() == 1


def test_keepers_word_pages_on_a_phone(browser, live_server, session, dictionary):
    add_entry(session, dictionary, "ngoma", "drum")
    text = texts.create_text(session=session, dictionary=dictionary, data={
        "title": {"seh": "Ngoma"}, "segments": [
            {"text": {"seh": "Ngoma ya kalulu ikulira kwambiri"}, "translation": {"en": "..."}},
            {"text": {"seh": "kalulu"}, "words": [{"text": "kalulu", "morphemes": [
                {"text": "ka-"}, {"text": "lulu"}]}]}]})  # fmt: skip
    keeper = keeper_page(browser, live_server, record=False)
    keeper.set_viewport_size(PHONE)
    keeper.goto(f"{live_server.url}/d/demo/edit/texts/{text['id']}/words")
    assert axe_violations(keeper) == [] and fits_the_phone(keeper)
    row = keeper.locator(".words li").filter(has_text="kalulu").first
    row.get_by_role("textbox").fill("ngoma")
    row.get_by_role("button", name="Link").click()
    keeper.wait_for_url("**/words#*")
    assert keeper.locator("li.link-confirmed").count() == 1
    keeper.goto(f"{live_server.url}/d/demo/edit/candidates")
    assert axe_violations(keeper) == [] and fits_the_phone(keeper)
    first = keeper.locator(".candidate").first
    first.get_by_label("Gloss").fill("very")
    first.get_by_role("button", name="Make a draft entry").click()
    keeper.wait_for_url("**/candidates?drafted=1")
    assert keeper.get_by_role("status").count() == 1
