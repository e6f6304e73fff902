"""A keeper's entry editor in Chromium when someone deletes the entry while they type: the save
shows the form again with everything typed and says the entry was deleted and nothing saved;
one button restores the entry with the changes saved onto it."""

from __future__ import annotations

import pytest

from lexicon import editing
from tests.api.test_entry_deleted import nyumba
from tests.browser.test_editor import keeper_page, stored
from tests.browser.test_texts import axe_violations

pytestmark = pytest.mark.browser


def test_typing_survives_a_delete_and_the_entry_comes_back(browser, live_server, session,
                                                           dictionary):  # fmt: skip
    made = nyumba(session, dictionary)
    page = keeper_page(browser, live_server, record=False)
    page.goto(f"{live_server.url}/d/demo/edit/entries/{made['id']}")
    gloss = page.locator("#f-sense-1-gloss-en")
    gloss.fill("home, typed at length")
    page.fill("#f-sense-0-gloss-pt", "casa")
    editing.delete_entry(session=session, dictionary=dictionary, entry_id=made["id"],
                         editor="ben@example.org")  # fmt: skip
    page.click("[data-save]")
    alert = page.locator("[data-gone=deleted]")
    alert.wait_for()
    assert "Nothing was saved" in alert.inner_text()
    assert gloss.input_value() == "home, typed at length"
    assert page.input_value("#f-sense-0-gloss-pt") == "casa"
    assert page.get_by_role("button", name="Delete this entry").count() == 0
    assert axe_violations(page) == []
    page.get_by_role("button", name="Restore the entry and save my changes").click()
    page.wait_for_url("**/d/demo/edit/entries/*?saved=*&restored=1")
    assert page.get_by_text("The entry was restored, and your changes were saved").is_visible()
    assert gloss.input_value() == "home, typed at length"
    now = stored(session, dictionary, made["id"])
    assert [s["glosses"] for s in now["senses"]] == [
        {"en": "house", "pt": "casa"}, {"en": "home, typed at length"}]  # fmt: skip
    assert now["etymologies"] == made["etymologies"]
    page.context.close()
