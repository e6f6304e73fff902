"""Search and browse over HTTP: the JSON API, the pages without JavaScript, and results as you
type in a real Chromium."""

import re
from urllib.parse import urlparse

import pytest

from lexicon import editing
from tests.factories import add_entry

API = "/api/dictionaries/demo"


@pytest.fixture
def words(session, dictionary):
    add_entry(session, dictionary, "ŋ̀gàmà", "river", semantic_domains=["1.3.1.3 River"])
    add_entry(session, dictionary, "ngama", "to catch", part_of_speech="v")
    add_entry(session, dictionary, "nama", "meat", semantic_domains=["5.2 Food"])
    add_entry(session, dictionary, "chala", "finger")


def test_search_api_answers_items_total_next_with_why(client, words):
    body = client.get(f"{API}/search", params={"q": "ngama"}).json()
    assert set(body) == {"items", "total", "next"}
    first = body["items"][0]
    assert first["headword"] == {"seh": "ngama"} and first["glosses"] == {"en": "to catch"}
    assert first["match"] == {"type": "exact", "field": "headword", "lang": "seh", "text": "ngama"}
    assert [i["match"]["type"] for i in body["items"]][:2] == ["exact", "folded"]
    rivr = client.get(f"{API}/search", params={"q": "rivr"}).json()["items"]
    assert [(i["headword_text"], i["match"]["type"]) for i in rivr] == [("ŋ̀gàmà", "fuzzy")]
    paged = client.get(f"{API}/search", params={"q": "n", "limit": 1}).json()
    assert paged["next"] and len(paged["items"]) == 1
    more = client.get(f"{API}/search", params={"q": "n", "limit": 1, "cursor": paged["next"]})
    assert more.status_code == 200 and more.json()["items"][0]["id"] != paged["items"][0]["id"]


def test_search_api_rejects_bad_input_by_name(client, words):
    too_long = client.get(f"{API}/search", params={"q": "x" * 201})
    assert too_long.status_code == 422 and "q" in str(too_long.json()["detail"])
    bad_cursor = client.get(f"{API}/search", params={"q": "a", "cursor": "nonsense"})
    assert bad_cursor.status_code == 422 and "cursor" in bad_cursor.json()["detail"]
    assert client.get("/api/dictionaries/nope/search", params={"q": "a"}).status_code == 404
    bad_letter = client.get(f"{API}/browse", params={"letter": "q"})
    assert bad_letter.status_code == 422 and "letter" in bad_letter.json()["detail"]


def test_browse_api_by_letter_domain_and_pos(client, words):
    def heads(**params):
        return [
            i["headword_text"] for i in client.get(f"{API}/browse", params=params).json()["items"]
        ]

    assert heads(letter="ng") == ["ngama", "ŋ̀gàmà"]
    assert heads(letter="n") == ["nama"]
    assert heads(letter="ch") == ["chala"]
    assert heads(domain="1.3") == ["ŋ̀gàmà"]
    assert heads(domain="5.2 Food") == ["nama"]
    assert heads(pos="v") == ["ngama"]
    assert heads() == ["chala", "nama", "ngama", "ŋ̀gàmà"]


def test_a_private_dictionary_is_searched_only_by_its_members(
    client, session, dictionary, auth, words
):
    editing.update_dictionary(
        session=session, dictionary=dictionary, data={"visibility": "private"}
    )
    for path in ("search?q=ngama", "browse?letter=ng"):
        assert client.get(f"{API}/{path}").status_code == 404
        assert client.get(f"{API}/{path}", headers=auth).status_code == 200
    assert client.get("/d/demo/search", params={"q": "ngama"}).status_code == 404


def test_search_page_works_without_javascript(client, words):
    page = client.get("/d/demo/search", params={"q": "rivr"})
    assert page.status_code == 200
    html = page.text
    assert re.search(
        r'<form class="search"[^>]*method="get"[^>]*action="/d/demo/search"', html, re.S
    )
    assert "ŋ̀gàmà" in html and "similar spelling" in html and 'lang="seh"' in html
    empty = client.get("/d/demo/search").text
    assert 'id="q"' in empty and "result-list" not in empty


def test_search_page_labels_definition_and_example_matches(client, session, dictionary):
    """Issue 20: a word of a definition and a word of an example say so, in the reader's words."""
    ex = [{"text": {"seh": "Madzi"}, "translations": {"en": "the water is cold"}}]
    add_entry(session, dictionary, "aka", "stone", examples=ex)
    add_entry(session, dictionary, "bibi", "pot", definitions={"en": "holds cold water"})
    session.commit()
    html = client.get("/d/demo/search", params={"q": "cold"}).text
    labels = re.findall(r'<small class="why"[^>]*>([^<]*)</small>', html)
    assert labels == ["definition", "example sentence"], labels
    french = client.get("/d/demo/search", params={"q": "cold", "lang": "fr"}).text
    labels = re.findall(r'<small class="why"[^>]*>([^<]*)</small>', french)
    assert labels == ["définition", "phrase d'exemple"], labels


def test_browse_page_has_the_alphabet_bar_topics_and_word_of_the_day(client, words):
    html = client.get("/d/demo/browse").text
    bar = re.search(r'<nav class="alphabet".*?</nav>', html, re.S).group(0)
    labels = re.findall(r">([^<]+)</(?:a|span)>", bar)
    assert labels[:4] == ["A", "B", "Ch", "D"] and labels.index("N") + 1 == labels.index("Ng")
    # Letters with entries are links; the others are plain text marked unavailable.
    assert re.findall(r">([^<]+)</a>", bar) == ["Ch", "N", "Ng"]
    assert re.search(r'<span class="empty" aria-disabled="true"[^>]*>A</span>', bar)
    assert "1.3.1.3 River" in html and "Word of the day" in html
    listing = client.get("/d/demo/browse", params={"letter": "ng"}).text
    assert listing.index(">ngama<") < listing.index("ŋ̀gàmà") and "chala" not in listing


def _local_assets(client, html: str) -> int:
    size = 0
    for ref in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html):
        assert ref.startswith("/"), f"third-party or relative asset {ref}"
        size += len(client.get(ref).content)
    return size


def test_pages_are_small_and_ask_no_third_party(client, session, dictionary):
    for i in range(100):
        add_entry(session, dictionary, f"na{i:03d}", f"meaning number {i} of a long gloss text")
    for path in ["/d/demo/search?q=na", "/d/demo/browse", "/d/demo/browse?letter=n"]:
        html = client.get(path).text
        assert not re.search(r'(?:src|href|action)="(?:https?:)?//', html), path
        total = len(html.encode()) + _local_assets(client, html)
        assert total < 60_000, (path, total)


@pytest.mark.browser
def test_results_appear_as_you_type(live_server, page, words):
    hosts = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    page.goto(f"{live_server.url}/d/demo/search")
    page.fill("#q", "rivr")  # fires `input`; nothing is submitted
    page.wait_for_selector("#result-list li", timeout=10_000)
    assert "ŋ̀gàmà" in page.inner_text("#result-list")
    assert page.inner_text("#result-list .why") == "similar spelling"
    assert page.inner_text("#count") == "1 result"
    assert "q=rivr" in page.url
    page.fill("#q", "meat")
    page.wait_for_function(
        "document.querySelector('#result-list') && "
        "document.querySelector('#result-list').innerText.includes('nama')",
        timeout=10_000,
    )
    assert hosts == {urlparse(live_server.url).netloc}
