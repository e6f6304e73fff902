"""A keeper's text editor in Chromium when someone deletes the text while they type: the save
shows the form again with everything typed and says the text was deleted and nothing saved;
one button restores the text with the changes saved onto it."""

from __future__ import annotations

import pytest

from lexicon import texts
from tests.api.test_text_conflicts import story
from tests.browser.test_editor import keeper_page
from tests.browser.test_segment_editor import stored
from tests.browser.test_texts import axe_violations

pytestmark = pytest.mark.browser


def test_typing_survives_a_delete_and_the_text_comes_back(browser, live_server, session,
                                                          dictionary):  # fmt: skip
    text = texts.create_text(session=session, dictionary=dictionary, data=story())
    page = keeper_page(browser, live_server, record=False)
    page.goto(f"{live_server.url}/d/demo/edit/texts/{text['id']}")
    first = page.get_by_label("Transcription of sentence 1")
    first.fill("Ndiye pa tsiku linango, typed at length")
    page.get_by_label("Translation of sentence 4").fill("a new sentence")
    texts.delete_text(session=session, dictionary=dictionary, text_id=text["id"], editor="ben")
    page.get_by_role("button", name="Save", exact=True).click()
    alert = page.locator("[data-gone=deleted]")
    alert.wait_for()
    assert "Nothing was saved" in alert.inner_text()
    assert first.input_value() == "Ndiye pa tsiku linango, typed at length"
    assert page.get_by_label("Translation of sentence 4").input_value() == "a new sentence"
    assert page.get_by_role("button", name="Delete this text").count() == 0
    assert axe_violations(page) == []
    page.get_by_role("button", name="Restore the text and save my changes").click()
    page.wait_for_url("**/d/demo/edit/texts/*?saved=*&restored=1")
    assert page.get_by_text("The text was restored, and your changes were saved").is_visible()
    assert first.input_value() == "Ndiye pa tsiku linango, typed at length"
    now = stored(session, dictionary, text["id"])
    assert now["segments"][0]["text"] == {"seh": "Ndiye pa tsiku linango, typed at length"}
    assert now["segments"][3]["translation"] == {"en": "a new sentence"}
    page.context.close()
