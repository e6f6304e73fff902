"""A keeper's save kept waiting by a write that holds the dictionary (a large import) is refused
as busy once it has waited its bound, on both databases: 503 with Retry-After, nothing saved,
the editor's forms shown again with what was typed. SQLite: its one write lock, waited for up
to its busy timeout. PostgreSQL: the dictionary's row, waited for up to WORDKEEP_LOCK_TIMEOUT
(a real second connection holds it here). An import itself waits on PostgreSQL as long as it
takes; on SQLite it is bounded like any write."""

from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from lexicon import texts
from lexicon.db.engine import make_engine
from tests.api.test_busy import csrf_of, log_in
from tests.api.test_editor import new_entry_form
from tests.api.test_text_conflicts import form_of, story
from tests.factories import add_entry, dictionary_held

WAIT = 0.3  # seconds a save waits for the dictionary in these tests (15 on a real site)
SENA = Path(__file__).parents[1] / "fixtures" / "lift-sena" / "Sena.lift"


@pytest.fixture
def site(engine, settings, dictionary, owner, monkeypatch):
    """The app, its saves waiting WAIT seconds for another's hold on the dictionary: SQLite's
    busy timeout (on connections of a new engine, made after it is set), PostgreSQL's lock
    timeout (the setting)."""
    app_engine = engine
    if engine.dialect.name == "sqlite":
        monkeypatch.setattr("lexicon.db.engine.BUSY_TIMEOUT_MS", int(WAIT * 1000))
        app_engine = make_engine(engine.url.render_as_string(hide_password=False))
    app = create_app(settings.model_copy(update={"lock_timeout": WAIT}), engine=app_engine)
    with TestClient(app) as client:
        yield SimpleNamespace(client=client, engine=engine, dictionary=dictionary, owner=owner)
    if app_engine is not engine:
        app_engine.dispose()


def while_held(site, call, limit: float):
    """`call()` run while another connection holds the dictionary, for `limit` seconds at most:
    its answer, and whether it came while the hold lasted (a save that would wait for ever
    fails the test instead of hanging it: the hold ends, and it goes on)."""
    out = {}
    worker = threading.Thread(target=lambda: out.update(answer=call()))
    with dictionary_held(site.engine, site.dictionary.id):
        worker.start()
        worker.join(limit)
        in_time = not worker.is_alive()
    worker.join(60)
    return out.get("answer"), in_time


def test_an_api_save_is_refused_as_busy_then_saved(site, session):
    entry = add_entry(session, site.dictionary, "nyumba", "house")
    url = f"/api/dictionaries/demo/entries/{entry['id']}"
    changed = dict(entry, senses=[dict(entry["senses"][0], glosses={"en": "a house"})])
    headers = {**site.owner.headers, "If-Match": '"1"'}
    busy, in_time = while_held(site, lambda: site.client.put(url, json=changed, headers=headers), 5)
    assert in_time  # bounded: not the 15 s of a real site, nor for ever
    assert busy.status_code == 503, busy.text
    assert busy.headers["Retry-After"] == "30" and "Nothing was saved" in busy.json()["detail"]
    assert site.client.get(url, headers=site.owner.headers).json()["version"] == 1
    saved = site.client.put(url, json=changed, headers=headers)
    assert saved.status_code == 200 and saved.json()["senses"][0]["glosses"]["en"] == "a house"


def test_the_forms_come_back_with_what_was_typed(site, session):
    text = texts.create_text(session=session, dictionary=site.dictionary, data=story())
    csrf = log_in(site.client, site.owner.email)
    url = f"/d/demo/edit/texts/{text['id']}"
    form = form_of(site.client.get(url).text)
    form["seg-1-text"] = "ndidapita kumunda, typed at length"
    typed = new_entry_form(csrf, **{"sense.0.gloss.en": "a house of reeds, typed at length"})
    post = site.client.post
    (busy_text, busy_entry), in_time = while_held(
        site, lambda: (post(url, data=form), post("/d/demo/edit/entries/new", data=typed)), 5
    )
    assert in_time
    assert busy_text.status_code == 503 and "Nothing was saved" in busy_text.text
    again = form_of(busy_text.text)
    assert again["seg-1-text"] == "ndidapita kumunda, typed at length" and again["version"] == "1"
    assert busy_entry.status_code == 503 and "Nothing was saved" in busy_entry.text
    assert "a house of reeds, typed at length" in busy_entry.text
    assert post(url, data=again, follow_redirects=False).status_code == 303
    typed["csrf_token"] = csrf_of(busy_entry.text)
    saved = post("/d/demo/edit/entries/new", data=typed, follow_redirects=False)
    assert saved.status_code == 303, saved.text


def test_an_import_waits_on_postgresql(site, db_kind):
    """An import started while another write holds the dictionary is still waiting after a
    second (three times a save's bound), then written; on SQLite it is bounded like any write."""

    def post():
        with open(SENA, "rb") as fh:
            return site.client.post(
                "/api/dictionaries/demo/imports", headers=site.owner.headers,
                files={"file": (SENA.name, fh)}, data={"format": "lift"},
            )  # fmt: skip

    # SQLite: held long enough for the import to read and check the file first (outside any
    # transaction: seconds on a busy CI machine), then meet the lock and be refused.
    answer, in_time = while_held(site, post, 1.0 if db_kind == "postgresql" else 60)
    if db_kind == "postgresql":
        assert not in_time and answer.status_code == 201, answer.text
    else:
        assert in_time and answer.status_code == 503 and "Nothing was saved" in answer.text
