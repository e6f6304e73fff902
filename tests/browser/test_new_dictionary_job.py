"""A new dictionary from a LIFT file in Chromium on a 390 px phone: "Create" goes at once to the
import's progress page (the import held back so the page can be seen running), which follows
the job and lands on the dictionary with its entries; and the same without JavaScript, the
page refreshing itself. axe finds no violation on the progress page."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from sqlmodel import select

from lexicon.io import starting
from lexicon.models import Dictionary, Entry
from tests.browser.test_new_dictionary import PHONE, fits_the_phone
from tests.conftest import make_user
from tests.factories import axe_violations, sign_in

pytestmark = pytest.mark.browser
SENA = Path(__file__).parents[1] / "fixtures" / "lift-sena" / "Sena.lift"  # 18 entries
PROGRESS = re.compile(r".*/dictionaries/new/jobs/[\w-]+$")


@pytest.fixture
def held(monkeypatch):
    """The writing of a new dictionary's import waits until the test lets it go (`held.set()`);
    `held.started` is set once the job has reached it."""
    go_on, started = threading.Event(), threading.Event()
    real = starting.write_import

    def wait_then_import(**kwargs):
        started.set()
        assert go_on.wait(60)
        return real(**kwargs)

    monkeypatch.setattr(starting, "write_import", wait_then_import)
    go_on.started = started
    return go_on


def open_wizard(browser, live_server, session, *, scripts: bool):
    make_user(session, "admin@example.org", is_admin=True)
    context = browser.new_context(viewport=PHONE, java_script_enabled=scripts)
    page = context.new_page()
    sign_in(page, live_server.url, "admin@example.org", "/dictionaries/new")
    page.fill("#f-title", "Sena words")
    page.fill("#f-slug", "sena-words")
    page.set_input_files("#f-file", str(SENA))
    return context, page


def landed(page, session, live_server) -> None:
    assert page.url == f"{live_server.url}/d/sena-words/"
    session.rollback()
    d = session.exec(select(Dictionary)).one()
    entries = session.exec(select(Entry).where(Entry.dictionary_id == d.id)).all()
    assert len(entries) == 18
    assert "18 entries" in page.text_content("main .meta")
    assert page.locator("main ol.entries li").count() == 18
    assert fits_the_phone(page)


def test_create_from_a_lift_file_shows_progress_then_the_dictionary(
    browser, live_server, session, held
):
    context, page = open_wizard(browser, live_server, session, scripts=True)
    page.click("[data-create]")
    page.wait_for_url(PROGRESS)  # at once, while the import waits
    assert held.started.wait(30)
    assert page.is_visible("progress#job-progress")
    assert "Sena.lift" in page.text_content("main")
    page.wait_for_function(
        "document.querySelector('[data-job-status]').textContent.includes('Reading')"
    )
    assert fits_the_phone(page)
    assert axe_violations(page) == []
    session.rollback()
    assert session.exec(select(Dictionary)).all() == []  # not before its import has finished

    held.set()
    page.wait_for_url(f"{live_server.url}/d/sena-words/", timeout=60_000)
    landed(page, session, live_server)
    context.close()


def test_without_javascript_the_progress_page_refreshes_itself(browser, live_server, session, held):
    context, page = open_wizard(browser, live_server, session, scripts=False)
    page.click("[data-create]")
    page.wait_for_url(PROGRESS)
    assert held.started.wait(30)
    assert page.is_visible("progress#job-progress")
    assert "refreshes itself" in page.text_content("main")
    held.set()
    page.wait_for_url(f"{live_server.url}/d/sena-words/", timeout=60_000)  # by the refresh
    landed(page, session, live_server)
    context.close()
