"""The import page's script (static/editor/import.js) in Chromium: "Import" runs the import as
a background job, with a progress bar, then shows the report; a refused import (here an
editor's file naming an entry restricted to a circle they are not in) shows why, and the bar
stops instead of looking still at work."""

from __future__ import annotations

import json

import pytest

from lexicon import editing
from tests.factories import make_user, sign_in

pytestmark = pytest.mark.browser


def _import(page, base: str, path) -> None:
    page.goto(f"{base}/d/demo/edit/import")
    page.set_input_files("#f-file", str(path))
    page.get_by_role("button", name="Import", exact=True).click()


def test_an_import_job_from_the_page(browser, live_server, session, dictionary, tmp_path):
    make_user(session, "editor@example.org", "editor", dictionary)
    hidden = editing.create_entry(session=session, dictionary=dictionary, data={
        "headword": {"seh": "chinsinsi"}, "visibility": "restricted", "circle": "elders",
        "senses": [{"glosses": {"en": "secret"}}]})  # fmt: skip
    page = browser.new_context().new_page()
    sign_in(page, live_server.url, "editor@example.org", "/d/demo/edit/")

    good = tmp_path / "words.json"
    good.write_text(json.dumps([{"headword": {"seh": "nyumba"}, "senses": [
        {"glosses": {"en": "house"}}]}]))  # fmt: skip
    _import(page, live_server.url, good)
    report = page.locator("[data-report]")
    report.wait_for(state="visible", timeout=30_000)
    assert report.locator("[data-count=created]").inner_text() == "1"
    assert page.evaluate("() => document.querySelector('[data-progress]').value") == 1

    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps([{"id": hidden["id"], "headword": {"seh": "yanga"}}]))
    _import(page, live_server.url, forged)
    error = page.locator("[data-error]")
    error.wait_for(state="visible", timeout=30_000)
    assert hidden["id"] in error.inner_text() and "may not change" in error.inner_text()
    assert report.is_hidden()
    stopped = "() => { const bar = document.querySelector('[data-progress]');"
    assert page.evaluate(stopped + " return bar.hasAttribute('value') && bar.value === 0; }")
    page.context.close()
