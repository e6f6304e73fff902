"""Issue 18's whole path, in Chromium against the real `wordkeep serve` on an empty database:
the setup link from the server's output, the admin account, a new dictionary from a LIFT zip
with audio, an editor invited, who accepts in a second browser context on a phone and adds an
entry with a recording, and the learner page showing that entry."""

from __future__ import annotations

import re

import pytest

from tests.cli.test_serve_setup import LINK, serve_once, stop
from tests.lexicon.io.test_starting import lift_zip

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
SAVED = re.compile(r"/edit/entries/([0-9a-f-]{36})\?saved=\d+")


def test_from_nothing_to_a_dictionary_with_its_team(browser, database_url, media_dir, tmp_path):
    server, port, output = serve_once(database_url, media_dir, tmp_path / "serve.log")
    base = f"http://127.0.0.1:{port}"
    try:
        setup_link = LINK.search(output).group(0)
        admin = browser.new_context(viewport=PHONE)
        page = admin.new_page()
        page.goto(setup_link)
        page.fill("#display_name", "Ada")
        page.fill("#email", "ada@example.org")
        page.fill("#password", "ada's long password")
        page.fill("#password_again", "ada's long password")
        page.click("form.login button[type=submit]")
        page.wait_for_url(f"{base}/")

        page.click("[data-new-dictionary-link]")
        page.wait_for_url(f"{base}/dictionaries/new")
        page.fill("#f-title", "Patani words")
        page.fill("#f-language_name", "Patani")
        page.wait_for_function("document.querySelector('#f-language_code').value === 'ptn'")
        page.set_input_files("#f-file", str(lift_zip(tmp_path)))
        page.click("[data-check]")
        page.wait_for_selector("[data-report]")
        assert page.text_content("[data-count=media_added]").strip() == "2"
        page.click("[data-create]")
        page.wait_for_url(f"{base}/d/patani-words/")

        page.goto(f"{base}/d/patani-words/edit/members")
        page.fill("#invite-email", "eli@example.org")
        page.select_option("#invite-role", "editor")
        page.click("form.invite button[type=submit]")
        invitation = page.input_value("#new-link-url")
        assert invitation.startswith(f"{base}/invite/")

        editor = browser.new_context(viewport=PHONE)
        editor.grant_permissions(["microphone"], origin=base)
        phone = editor.new_page()
        phone.goto(invitation)
        phone.fill("#display_name", "Eli")
        phone.fill("#password", "eli's own password")
        phone.fill("#password_again", "eli's own password")
        phone.click("form.login button[type=submit]")
        phone.wait_for_url(f"{base}/d/patani-words/edit/")

        phone.goto(f"{base}/d/patani-words/edit/entries/new")
        phone.locator("[id^=f-headword-]").first.fill("kalopang")
        phone.locator("[id^=f-sense-0-gloss-]").first.fill("tambour")
        phone.select_option("#f-status", "published")  # new entries start as drafts
        phone.click("[data-rec-start]")
        phone.wait_for_selector("[data-rec-stop]:not([disabled])")
        phone.wait_for_timeout(1500)  # the fake microphone's sound
        phone.click("[data-rec-stop]")
        phone.wait_for_selector("[data-rec-preview]", state="visible")
        phone.locator("[data-rec-keep]").click()
        phone.click("[data-save]")
        phone.wait_for_url(SAVED, timeout=30000)

        learner = browser.new_context(viewport=PHONE)
        reader = learner.new_page()
        reader.goto(f"{base}/d/patani-words/search?q=kalopang")
        found = reader.locator("main a[href*='/entries/']", has_text="kalopang")
        assert found.count() >= 1, reader.text_content("main")
        found.first.click()
        reader.wait_for_url(re.compile(r"/d/patani-words/entries/"))
        assert "tambour" in reader.text_content("main")
        assert reader.locator("main audio").count() >= 1
        for context in (admin, editor, learner):
            context.close()
    finally:
        stop(server)
