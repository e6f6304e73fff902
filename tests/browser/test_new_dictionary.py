"""A new dictionary from a LIFT zip with audio, in Chromium on a 390 px phone (issue 18): the
dictionaries page's button, the language picked as one types, the file's dry run, then the
learner page with its entries. axe finds no violation on the wizard, before and after the check.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from lexicon.models import Dictionary, Entry
from tests import factories
from tests.conftest import make_user
from tests.factories import sign_in
from tests.lexicon.io.test_starting import lift_zip

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def axe_violations(page) -> list:
    return factories.axe_violations(page, ran=("label", "html-has-lang"))


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_dictionary_from_a_lift_zip_on_a_phone(browser, live_server, session, tmp_path):
    make_user(session, "admin@example.org", is_admin=True)
    package = lift_zip(tmp_path)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server.url, "admin@example.org", "/")

    page.click("[data-new-dictionary-link]")
    page.wait_for_url(f"{live_server.url}/dictionaries/new")
    assert fits_the_phone(page)
    assert axe_violations(page) == []
    page.fill("#f-title", "Patani words")
    assert page.input_value("#f-slug") == "patani-words"  # proposed as one types
    page.fill("#f-language_name", "Patani")  # found in the ISO 639-3 table as one types
    page.wait_for_function("document.querySelector('#f-language_code').value === 'ptn'")
    assert page.input_value("#f-vernacular_ws") == "ptn"

    page.set_input_files("#f-file", str(package))
    page.click("[data-check]")
    page.wait_for_selector("[data-report]")
    assert page.text_content("[data-count=entries_read]").strip() == "1"
    assert page.text_content("[data-count=media_added]").strip() == "2"
    assert page.text_content("[data-count=media_missing]").strip() == "0"
    assert page.text_content("[data-found=analysis_ws]").strip() == "fr"
    assert page.input_value("#f-analysis_ws") == "fr"  # what the file says prefills the form
    assert "patani.zip" in page.text_content("[data-staged]")
    assert fits_the_phone(page)
    assert axe_violations(page) == []
    session.rollback()
    assert session.exec(select(Dictionary)).all() == []  # nothing until confirmed

    page.click("[data-create]")
    page.wait_for_url(f"{live_server.url}/d/patani-words/")
    session.rollback()
    entry = session.exec(select(Entry)).one()
    assert entry.has_audio
    assert page.locator("main").get_by_text(entry.headword_text).count() >= 1
    assert fits_the_phone(page)
    context.close()
