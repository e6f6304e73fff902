"""Learner pages render the dictionary in its own order, with senses and examples."""

from tests.factories import add_entry


def test_home_lists_dictionaries(client, dictionary):
    page = client.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "Demo Dictionary" in page.text and 'href="/d/demo/"' in page.text


def test_dictionary_page_in_alphabet_order(client, session, dictionary):
    for word, gloss in [("ngoma", "drum"), ("nama", "meat"), ("chala", "finger"), ("bala", "x")]:
        add_entry(session, dictionary, word, gloss)
    page = client.get("/d/demo/")
    assert page.status_code == 200
    text = page.text
    assert text.index("bala") < text.index("chala") < text.index("nama") < text.index("ngoma")
    assert 'lang="seh"' in text
    only_ng = client.get("/d/demo/", params={"letter": "ng"}).text
    assert "ngoma" in only_ng and "nama" not in only_ng


def test_entry_page_shows_senses_and_examples(client, session, dictionary):
    entry = add_entry(
        session,
        dictionary,
        "nyumba",
        "house",
        examples=[{"text": {"seh": "Nyumba <b>yanga</b>"}, "translations": {"en": "My house"}}],
    )
    page = client.get(f"/d/demo/entries/{entry['id']}")
    assert page.status_code == 200
    assert "house" in page.text and "My house" in page.text
    assert "Nyumba &lt;b&gt;yanga&lt;/b&gt;" in page.text  # text is escaped, never markup


def test_missing_pages_are_404_pages(client, dictionary):
    page = client.get("/d/demo/entries/nope", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "<html" in page.text
    assert client.get("/d/nothing/", headers={"Accept": "text/html"}).status_code == 404


def test_a_dictionary_can_override_a_template(tmp_path, settings, engine, session, dictionary):
    from fastapi.testclient import TestClient

    from api.app import create_app

    (tmp_path / "overrides" / "demo").mkdir(parents=True)
    (tmp_path / "overrides" / "demo" / "entry.html").write_text(
        '{% extends "default:entry.html" %}{% block title %}CUSTOM {{ entry.headword_text }}'
        "{% endblock %}"
    )
    entry = add_entry(session, dictionary, "nyumba", "house")
    app = create_app(
        settings.model_copy(update={"templates_dir": str(tmp_path / "overrides")}), engine=engine
    )
    page = TestClient(app).get(f"/d/demo/entries/{entry['id']}")
    assert "<title>CUSTOM nyumba</title>" in page.text and "house" in page.text


def test_entry_page_says_each_thing_once(client, session, dictionary):
    """WeSay and FLEx often fill a definition with the gloss's words, and keep an IPA form of
    the headword beside it: the page shows the definition only where it says more, and the
    IPA form as a transcription."""
    entry = add_entry(
        session, dictionary, "abit", "water carrying basket",
        definitions={"en": "water carrying basket", "pt": "cesto para carregar água"},
        fields={"headword": {"seh": "abit", "seh-fonipa": "ab'it"}},
    )  # fmt: skip
    repeated = add_entry(
        session, dictionary, "juwah", "basket", definitions={"en": " basket"}
    )  # fmt: skip
    page = client.get(f"/d/demo/entries/{entry['id']}").text
    assert page.count("water carrying basket") == 1
    assert (
        '<p class="definition"><span class="" lang="pt" dir="ltr">cesto para carregar água' in page
    )
    assert '<p class="alt ipa" lang="seh-fonipa" dir="ltr">[ab&#39;it]</p>' in page
    page = client.get(f"/d/demo/entries/{repeated['id']}").text
    assert 'class="definition"' not in page and page.count(">basket<") == 1
