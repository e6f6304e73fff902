"""Search as you type in Chromium: static/search.js puts in the server's own result rows (the
same markup as the page without scripts, `dir` attributes and links from api/urls.py)."""

from __future__ import annotations

from tests.browser.test_editor import keeper_page, make_entry


def test_typed_results_are_the_servers_rows(browser, live_server, session, dictionary):
    saved = make_entry(session, dictionary, gloss="house")
    page = keeper_page(browser, live_server, record=False)
    page.goto(f"{live_server.url}/d/demo/search?q=nyumba")
    served = page.locator("#results").inner_html()
    page.goto(f"{live_server.url}/d/demo/search")
    page.locator("#q").press_sequentially("nyumba")
    link = page.locator("#result-list li a").first
    link.wait_for()
    assert link.get_attribute("href") == f"/d/demo/entries/{saved['id']}"
    assert page.locator("#result-list .hw").first.get_attribute("dir") in ("ltr", "rtl", "auto")
    assert page.locator("#result-list .gloss").first.get_attribute("dir")
    assert page.locator("#results").inner_html() == served
    assert page.url.endswith("/d/demo/search?q=nyumba")
    page.context.close()
