"""Invitations in Chromium (issue 18): on a 390 px phone an owner makes an invitation link on
the members page; the invited editor opens it in a second browser context, chooses a name and a
password, lands in the dictionary's editor and adds an entry. axe finds nothing serious on the
members, invitation, setup and password pages."""

from __future__ import annotations

import pytest

from lexicon.accounts import setup
from tests.conftest import make_user
from tests.factories import axe_violations, sign_in

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_an_invited_editor_accepts_on_a_phone_and_adds_an_entry(browser, live_server, dictionary):
    owner = browser.new_context(viewport=PHONE)
    page = owner.new_page()
    sign_in(page, live_server.url, "owner@example.org", "/d/demo/edit/members")
    page.fill("#invite-email", "ana@example.org")
    page.select_option("#invite-role", "editor")
    page.fill("#invite-circles", "elders")
    page.click("form.invite button[type=submit]")
    link = page.input_value("#new-link-url")
    assert link.startswith(f"{live_server.url}/invite/")
    assert fits_the_phone(page)
    assert axe_violations(page) == []

    invited = browser.new_context(viewport=PHONE)
    phone = invited.new_page()
    phone.goto(link)
    assert "Demo Dictionary" in phone.text_content("h1")
    assert fits_the_phone(phone)
    assert axe_violations(phone) == []
    phone.fill("#display_name", "Ana")
    phone.fill("#password", "ana's own password")
    phone.fill("#password_again", "ana's own passwort")
    phone.click("form.login button[type=submit]")
    assert "not the same" in phone.text_content("[role=alert]")
    phone.fill("#display_name", "Ana")
    phone.fill("#password", "ana's own password")
    phone.fill("#password_again", "ana's own password")
    phone.click("form.login button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/d/demo/edit/")

    phone.goto(f"{live_server.url}/d/demo/edit/entries/new")
    phone.fill("#f-headword-seh", "nyumba")
    phone.fill("#f-sense-0-gloss-en", "house")
    phone.click("[data-save]")
    phone.wait_for_url("**/d/demo/edit/entries/*")
    phone.goto(f"{live_server.url}/d/demo/search?q=nyumba")
    assert "house" in phone.text_content("main")

    page.goto(f"{live_server.url}/d/demo/edit/members")
    people = page.text_content(".people")
    assert "Ana" in people and "elders" in people and "Last active" in people
    owner.close()
    invited.close()


def test_axe_on_the_setup_and_password_pages(browser, live_server, session):
    token = setup.new_setup_link(session=session)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    for path in (f"/setup/{token}", "/forgot", "/reset/not-a-token"):
        page.goto(live_server.url + path)
        assert fits_the_phone(page), path
        assert axe_violations(page) == [], path
    make_user(session, "root@example.org", is_admin=True)
    page.goto(f"{live_server.url}/setup/{token}")
    assert "admin already" in page.text_content("main")
    context.close()


@pytest.mark.parametrize("lang", ["fr", "es", "pt", "id", "ms"])
def test_the_members_page_in_each_language_on_a_phone(
    browser, live_server, session, dictionary, lang
):
    make_user(session, "ed@example.org", "editor", dictionary, circles=["elders"])
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server.url, "owner@example.org", "/d/demo/edit/members")
    page.goto(f"{live_server.url}/d/demo/edit/members?lang={lang}")
    assert page.get_attribute("html", "lang") == lang
    page.fill("#invite-email", "new@example.org")
    page.click("form.invite button[type=submit]")
    assert page.input_value("#new-link-url").startswith(f"{live_server.url}/invite/")
    assert fits_the_phone(page)
    assert axe_violations(page) == []
    context.close()
