"""A keeper signed out (here: "log out everywhere" from another device) while typing in the
entry editor, in Chromium: the save shows everything typed, read-only, to copy, and a way to
log in that keeps the page open."""

from __future__ import annotations

import pytest

from lexicon import accounts
from tests.api.test_entry_deleted import nyumba
from tests.browser.test_editor import keeper_page
from tests.browser.test_texts import axe_violations

pytestmark = pytest.mark.browser


def test_typing_survives_being_signed_out(browser, live_server, session, dictionary, owner):
    made = nyumba(session, dictionary)
    page = keeper_page(browser, live_server, record=False)
    page.goto(f"{live_server.url}/d/demo/edit/entries/{made['id']}")
    page.fill("#f-sense-1-gloss-en", "home, typed at length")
    accounts.end_sessions(session=session, user_id=owner.user.id)
    page.click("[data-save]")
    alert = page.locator("[data-not-saved=signed-out]")
    alert.wait_for()
    assert "nothing was saved" in alert.inner_text()
    box = page.get_by_label("What you typed")
    assert "Sense 2 · gloss (en): home, typed at length" in box.input_value()
    assert box.get_attribute("readonly") is not None
    login = page.get_by_role("link", name="Log in (in a new tab")
    assert login.get_attribute("target") == "_blank"
    assert axe_violations(page) == []
    page.context.close()
