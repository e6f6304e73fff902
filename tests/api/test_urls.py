"""api/urls.py: one URL builder. Each method gives the path the app has always used (the
literals below are the URLs as they were spelled by hand), quotes odd slugs and ids, and no
template spells a dictionary's URL by hand any more."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from api.urls import safe_next, urls

ROOT = Path(__file__).resolve().parents[2]
SHA = "ab" * 32


@pytest.mark.parametrize(
    ("built", "literal"),
    [
        (urls.index(), "/"),
        (urls.static("search.js"), "/static/search.js"),
        (urls.static("editor/editor.css"), "/static/editor/editor.css"),
        (urls.login(), "/login"),
        (urls.login("/d/demo/search"), "/login?next=/d/demo/search"),
        (urls.login(next=urls.account()), "/login?next=/account"),
        (urls.logout(), "/logout"),
        (urls.account(), "/account"),
        (urls.account("language"), "/account/language"),
        (urls.account("tokens", 7, "revoke"), "/account/tokens/7/revoke"),
        (urls.setup("t0k-en_"), "/setup/t0k-en_"),
        (urls.invitation("t0k-en_"), "/invite/t0k-en_"),
        (urls.forgot(), "/forgot"),
        (urls.reset("t0k-en_"), "/reset/t0k-en_"),
        (urls.editor("demo", "members"), "/d/demo/edit/members"),
        (urls.editor("demo", "invitations", 4, "revoke"), "/d/demo/edit/invitations/4/revoke"),
        (urls.new_dictionary(), "/dictionaries/new"),
        (urls.login(next=urls.new_dictionary()), "/login?next=/dictionaries/new"),
        (urls.new_dictionary_job("j1"), "/dictionaries/new/jobs/j1"),
        (urls.api_new_dictionary_job("j1"), "/api/new-dictionary-jobs/j1"),
        (urls.dictionary("demo"), "/d/demo/"),
        (urls.search("demo"), "/d/demo/search"),
        (urls.search("demo", q="ngoma"), "/d/demo/search?q=ngoma"),
        (urls.search("demo", q="big cat", exact="true"), "/d/demo/search?q=big%20cat&exact=true"),
        (urls.browse("demo"), "/d/demo/browse"),
        (urls.browse("demo", letter="ŋ"), "/d/demo/browse?letter=%C5%8B"),
        (urls.entry("demo", "e1"), "/d/demo/entries/e1"),
        (urls.icons("demo"), "/d/demo/icons/"),
        (urls.icons(None), "/static/icons/"),
        (urls.print("demo"), "/d/demo/print"),
        (urls.print("demo", {"layout": "two", "pos": ["n", "v"]}), "/d/demo/print?layout=two&pos=n&pos=v"),
        (urls.editor("demo"), "/d/demo/edit/"),
        (urls.editor("demo", "entries", "new"), "/d/demo/edit/entries/new"),
        (urls.editor("demo", "settings", query={"saved": 1}), "/d/demo/edit/settings?saved=1"),
        (urls.editor("demo", "settings", query={"saved": "members"}, fragment="members"),
         "/d/demo/edit/settings?saved=members#members"),
        (urls.editor_entry("demo", "e1"), "/d/demo/edit/entries/e1"),
        (urls.editor_entry("demo", "e1", "revisions", 3, "restore"),
         "/d/demo/edit/entries/e1/revisions/3/restore"),
        (urls.editor_entry("demo", "e1", query={"saved": 2}), "/d/demo/edit/entries/e1?saved=2"),
        (urls.api_dictionary("demo"), "/api/dictionaries/demo"),
        (urls.api_search("demo"), "/api/dictionaries/demo/search"),
        (urls.api_search("demo", q="x", limit=20), "/api/dictionaries/demo/search?q=x&limit=20"),
        (urls.api_entry("demo", "e1"), "/api/dictionaries/demo/entries/e1"),
        (urls.api_entry("demo", "e1", "pronunciations"),
         "/api/dictionaries/demo/entries/e1/pronunciations"),
        (urls.api_print("demo"), "/api/dictionaries/demo/print.pdf"),
        (urls.api_print("demo", "png", "layout=two"), "/api/dictionaries/demo/print.png?layout=two"),
        (urls.api_import_job("demo"), "/api/dictionaries/demo/import-jobs"),
        (urls.api_import_job("demo", "j1"), "/api/dictionaries/demo/import-jobs/j1"),
        (urls.media("demo", SHA), f"/media/demo/{SHA}"),
        (urls.media("demo", SHA, original=True), f"/media/demo/{SHA}/original"),
        (urls.picture("demo", SHA, 640), f"/media/demo/{SHA}/w640"),
        (urls.srcset("demo", SHA, [960, 320]),
         f"/media/demo/{SHA}/w320 320w, /media/demo/{SHA}/w960 960w"),
    ],
)  # fmt: skip
def test_each_url_is_the_path_the_app_uses(built, literal):
    assert built == literal


def test_odd_slugs_and_ids_are_quoted_so_they_cannot_change_the_path():
    assert urls.entry("a/b", "../x?y") == "/d/a%2Fb/entries/..%2Fx%3Fy"
    assert urls.dictionary("kamus bahasa") == "/d/kamus%20bahasa/"
    assert urls.media("d#1", "s/h") == "/media/d%231/s%2Fh"
    assert urls.editor("d", "entries", "a b") == "/d/d/edit/entries/a%20b"
    assert urls.search("d", q="a&b=c#d") == "/d/d/search?q=a%26b%3Dc%23d"
    assert urls.search("d", q=None) == "/d/d/search"  # None: left out


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        (None, "/"),
        ("", "/"),
        ("/d/demo/", "/d/demo/"),
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
        ("/\\evil.example", "/"),
        ("d/demo", "/"),
    ],
)
def test_safe_next_keeps_only_a_path_on_this_site(target, safe):
    assert safe_next(target) == safe


def test_no_template_spells_a_dictionary_url_by_hand():
    hand = re.compile(r"""/d/\{\{|"/d/"\s*~|/api/dictionaries/\{\{|/media/\{\{|\{\{ base \}\}""")
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if hand.search(line)
    ]
    assert found == [], "use urls.* in templates: " + ", ".join(found)


def test_templates_get_urls_as_a_global(client, dictionary):
    page = client.get(f"/d/{dictionary.slug}/search")
    assert f'action="/d/{dictionary.slug}/search"' in page.text
    assert f'data-results="/d/{dictionary.slug}/search"' in page.text
