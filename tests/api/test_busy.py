"""A save that cannot wait any longer for SQLite's one write lock (held by a large import, a
restore, another process) is refused as busy, 503, saying nothing was saved, and the editor
keeps what the keeper typed in the form to save again: not a bare server error.

On SQLite only, whatever database the run is for: PostgreSQL has no database-wide write lock (a
save there waits for the rows it needs, and an import holds only its dictionary's row; that wait
is bounded too: tests/api/test_lock_wait.py, on both databases)."""

from __future__ import annotations

import re
import shutil
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from api.app import create_app
from lexicon import editing
from lexicon.db.engine import make_engine
from tests.api.test_editor import PASSWORD, new_entry_form
from tests.factories import dictionary_held, make_user
from wordkeep.settings import Settings

SLOW = 0.3  # seconds a write waits for the lock in these tests (15 s on a real site)


@pytest.fixture
def site(sqlite_template, tmp_path, monkeypatch):
    """A site on its own SQLite file (whichever database the run is for), a dictionary and
    its owner, served by an app whose writes wait SLOW seconds for the lock."""
    monkeypatch.setattr("lexicon.db.engine.BUSY_TIMEOUT_MS", int(SLOW * 1000))
    path = tmp_path / "busy.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        owner = make_user(session, "owner@example.org")
        editing.create_dictionary(
            session=session,
            data={"slug": "demo", "title": "Demo", "language_code": "seh",
                  "vernacular_ws": ["seh"], "analysis_ws": ["en", "pt"]},
            owner_id=owner.user.id,
        )  # fmt: skip
    settings = Settings(database_url=url, media_dir=str(tmp_path / "media"),
                        secret_key="test-secret-key-0123456789abcdef")  # fmt: skip
    with TestClient(create_app(settings)) as client:
        yield SimpleNamespace(client=client, engine=engine, owner=owner)
    engine.dispose()


@contextmanager
def lock_held(engine):
    """SQLite's write lock, held from outside as a long import holds it."""
    with dictionary_held(engine, dictionary_id=None):
        yield


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def log_in(client, email: str) -> str:
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"email": email, "password": PASSWORD, "next": "/",
                                    "csrf_token": token}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    return csrf_of(client.get("/d/demo/edit/entries/new").text)


def test_a_save_kept_waiting_keeps_what_was_typed(site):
    client, engine = site.client, site.engine
    csrf = log_in(client, site.owner.email)
    typed = new_entry_form(csrf, **{"sense.0.gloss.en": "a house of reeds, typed at length"})
    with lock_held(engine):
        r = client.post("/d/demo/edit/entries/new", data=typed, follow_redirects=False)
    assert r.status_code == 503
    assert "busy writing another change" in r.text and "Nothing was saved" in r.text
    assert "a house of reeds, typed at length" in r.text  # still in the form
    assert 'value="nyumba"' in r.text
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM entry")).scalar_one() == 0
    again = client.post("/d/demo/edit/entries/new", data=typed, follow_redirects=False)
    assert again.status_code == 303, again.text  # saved once the lock is free


def test_the_api_answers_busy_with_a_time_to_come_back(site):
    client, engine, owner = site.client, site.engine, site.owner
    entry = {"headword": {"seh": "nyumba"}, "senses": [{"glosses": {"en": "house"}}]}
    with lock_held(engine):
        r = client.post("/api/dictionaries/demo/entries", json=entry, headers=owner.headers)
    assert r.status_code == 503, r.text
    assert r.headers["Retry-After"] == "30"
    assert "Nothing was saved" in r.json()["detail"]
    assert (
        client.post("/api/dictionaries/demo/entries", json=entry, headers=owner.headers).status_code
        == 201
    )


def test_a_busy_page_speaks_the_keepers_language(site):
    client, engine = site.client, site.engine
    csrf = log_in(client, site.owner.email)
    client.cookies.set("wordkeep_lang", "fr")
    with lock_held(engine):
        r = client.post("/d/demo/edit/entries/new", data=new_entry_form(csrf))
    assert r.status_code == 503
    assert "Rien n’a été enregistré" in r.text and "Nothing was saved" not in r.text
