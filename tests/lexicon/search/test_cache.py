"""Search and browse pages are cached per worker, keyed by the dictionary's generation: a write
through any worker retires every worker's pages, and viewers never share pages."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.app import create_app
from lexicon import editing, entries
from lexicon.errors import StaleVersion
from tests.factories import add_entry

API = "/api/dictionaries/demo"


@pytest.fixture
def workers(settings, engine):
    """Two apps over one database, as two app servers would be: each has its own cache."""
    with (
        TestClient(create_app(settings, engine=engine)) as a,
        TestClient(create_app(settings, engine=engine)) as b,
    ):
        yield a, b


def heads(client, path="search", headers=None, **params):
    response = client.get(f"{API}/{path}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [(i["headword_text"], i["glosses"].get("en")) for i in response.json()["items"]]


def test_a_write_through_one_worker_retires_the_other_workers_pages(
    workers, session, dictionary, auth
):
    a, b = workers
    nama = add_entry(session, dictionary, "nama", "meat")
    assert heads(b, q="nama") == [("nama", "meat")]
    cache = b.app.state.page_cache
    hits = cache.hits
    assert heads(b, q="nama") == [("nama", "meat")] and cache.hits == hits + 1

    changed = {**nama, "senses": [{**nama["senses"][0], "glosses": {"en": "flesh"}}]}
    assert a.put(f"{API}/entries/{nama['id']}", json=changed, headers=auth).status_code == 200
    assert heads(b, q="nama") == [("nama", "flesh")]
    assert heads(b, q="flesh") == [("nama", "flesh")]
    assert heads(b, "browse", letter="n") == [("nama", "flesh")]

    assert a.delete(f"{API}/entries/{nama['id']}", headers=auth).status_code == 204
    assert heads(b, q="nama") == [] and heads(b, "browse", letter="n") == []


def test_a_protocol_change_applies_at_once_and_viewers_never_share_pages(
    workers, session, dictionary, auth
):
    a, b = workers
    word = add_entry(session, dictionary, "ngama", "river")
    assert heads(b, q="river") == [("ngama", "river")]

    restricted = {**word, "visibility": "community"}
    assert a.put(f"{API}/entries/{word['id']}", json=restricted, headers=auth).status_code == 200
    assert heads(b, q="river", headers=auth) == [("ngama", "river")]  # the owner's page...
    assert heads(b, q="river") == []  # ...is not the public's
    assert heads(b, "browse", letter="ng") == []
    assert heads(b, "browse", letter="ng", headers=auth) == [("ngama", "river")]


def test_settings_and_store_writes_bump_the_generation_failed_ones_do_not(
    engine, session, dictionary
):
    def generation() -> int:
        with Session(engine) as fresh:
            return entries.get_dictionary(session=fresh, slug="demo").generation

    seen = [generation()]

    def bumped() -> bool:
        seen.append(generation())
        return seen[-1] > seen[-2]

    entry = add_entry(session, dictionary, "nama", "meat")
    assert bumped()
    editing.create_entries(session=session, dictionary=dictionary,
                         items=[{"headword": {"seh": "chala"}}])  # fmt: skip
    assert bumped()
    entry = editing.update_entry(session=session, dictionary=dictionary, entry_id=entry["id"],
                               data={**entry, "part_of_speech": "n"}, version=entry["version"])  # fmt: skip
    assert bumped()
    with pytest.raises(StaleVersion):
        editing.update_entry(session=session, dictionary=dictionary, entry_id=entry["id"],
                           data=entry, version=1)  # fmt: skip
    assert not bumped()
    editing.delete_entry(session=session, dictionary=dictionary, entry_id=entry["id"])
    assert bumped()
    editing.restore_revision(session=session, dictionary=dictionary, entry_id=entry["id"], number=2)
    assert bumped()
    editing.update_dictionary(
        session=session, dictionary=dictionary, data={"visibility": "private"}
    )
    assert bumped()
    assert dictionary.generation == seen[-1]  # the caller's object follows its own writes


def test_the_cache_is_bounded_and_can_be_turned_off(settings, engine, session, dictionary):
    add_entry(session, dictionary, "nama", "meat")
    with TestClient(create_app(settings.model_copy(update={"page_cache_size": 2}),
                               engine=engine)) as small:  # fmt: skip
        for q in ("a", "b", "c", "d"):
            heads(small, q=q)
        assert len(small.app.state.page_cache._pages) == 2
    with TestClient(create_app(settings.model_copy(update={"page_cache_size": 0}),
                               engine=engine)) as off:  # fmt: skip
        assert heads(off, q="nama") == heads(off, q="nama") == [("nama", "meat")]
        assert off.app.state.page_cache.hits == 0 and not off.app.state.page_cache._pages


def snapshot_of(client, engine):
    with Session(engine) as fresh:
        return client.app.state.dictionaries.get(fresh, "demo")


def test_a_settings_change_through_one_worker_reaches_the_others_dictionary_snapshot(
    workers, engine, session, dictionary, auth
):
    """Search and browse read a per-worker snapshot of the dictionary row (checked against its
    generation on every request): making the dictionary private through one worker hides it
    from the public on the other at once, and opening it again shows it."""
    a, b = workers
    add_entry(session, dictionary, "nama", "meat")
    assert heads(b, q="nama") == [("nama", "meat")]
    snapshot = snapshot_of(b, engine)

    response = a.patch("/api/dictionaries/demo", json={"visibility": "private"}, headers=auth)
    assert response.status_code == 200, response.text
    for path, params in (("search", {"q": "nama"}), ("browse", {"letter": "n"})):
        assert b.get(f"{API}/{path}", params=params).status_code == 404
    assert heads(b, q="nama", headers=auth) == [("nama", "meat")]  # the owner still sees it
    assert snapshot_of(b, engine) is not snapshot

    assert a.patch("/api/dictionaries/demo", json={"visibility": "public"},
                   headers=auth).status_code == 200  # fmt: skip
    assert heads(b, q="nama") == [("nama", "meat")]
    assert b.get("/api/dictionaries/nowhere/search", params={"q": "x"}).status_code == 404


def test_an_unchanged_dictionary_is_read_once_per_worker(client, engine, session, dictionary):
    add_entry(session, dictionary, "nama", "meat")
    assert heads(client, q="nama") == heads(client, q="meat") == [("nama", "meat")]
    first = snapshot_of(client, engine)
    assert heads(client, q="nam") == [("nama", "meat")]
    assert snapshot_of(client, engine) is first
    add_entry(session, dictionary, "chala", "finger")  # a write bumps the generation
    assert snapshot_of(client, engine) is not first
    assert heads(client, q="chala") == [("chala", "finger")]


def test_the_browse_page_keeps_its_facets_and_listing_until_a_write(workers, session, dictionary,
                                                                     auth):  # fmt: skip
    """The browse page's letter counts, domain and part-of-speech lists and listing are kept
    per worker like search pages: asked again, they come from the cache; a write through
    another worker brings the new counts and entries at once."""
    a, b = workers
    add_entry(session, dictionary, "nama", "meat", fields={"part_of_speech": "n"})

    def browse_page(**params) -> str:
        response = b.get("/d/demo/browse", params=params)
        assert response.status_code == 200, response.text
        return response.text

    assert 'title="1 entry">N</a>' in browse_page() and "nama" in browse_page(letter="n")
    hits = b.app.state.page_cache.hits
    browse_page(letter="n")
    assert b.app.state.page_cache.hits == hits + 2  # facets and listing

    entry = {"headword": {"seh": "nyama"}, "part_of_speech": "n",
             "senses": [{"glosses": {"en": "animal"}}]}  # fmt: skip
    assert a.post(f"{API}/entries", json=entry, headers=auth).status_code == 201
    assert 'title="2 entries">N</a>' in browse_page()
    assert "nyama" in browse_page(letter="n") and "nyama" in browse_page(pos="n")
