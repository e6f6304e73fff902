"""Logging in and out, the session cookie, CSRF on forms, throttling, and API tokens."""

from __future__ import annotations

import logging
import re
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from lexicon import accounts
from lexicon.models import ApiToken, LoginThrottle, User
from tests.factories import PASSWORD, csrf_from, login, make_user
from wordkeep.settings import Settings


@pytest.fixture
def alice(session):
    return make_user(session, "alice@example.org")


def test_login_sets_a_safe_session_cookie_and_logout_ends_it(client, alice):
    page = client.get("/login")
    assert page.status_code == 200 and 'type="password"' in page.text
    done = login(client, "Alice@Example.org", next_="/account")
    assert done.status_code == 303 and done.headers["location"] == "/account"
    cookie = done.headers["set-cookie"]
    assert "wordkeep_session=" in cookie
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower()  # plain http in development
    assert "alice@example.org" in client.get("/account").text

    # Logging out is a form too: without the token it is refused and changes nothing.
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert "alice@example.org" in client.get("/account").text
    token = csrf_from(client.get("/logout").text)
    out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_cookie_is_secure_behind_https(database_url, media_dir, engine, session, alice):
    settings = Settings(
        database_url=database_url,
        media_dir=str(media_dir),
        secret_key="test-secret-key-not-for-production",
        https_only=True,
    )
    with TestClient(create_app(settings, engine=engine), base_url="https://testserver") as c:
        done = login(c, alice.email)
        assert done.status_code == 303
        assert "secure" in done.headers["set-cookie"].lower()


def test_wrong_password_and_unknown_user_look_the_same(client, alice):
    wrong = login(client, alice.email, "not-the-password")
    unknown = login(client, "nobody@example.org", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong email or password" in wrong.text and "Wrong email or password" in unknown.text
    assert (
        "wordkeep_session" not in client.cookies
        or client.get("/account", follow_redirects=False).status_code == 303
    )


def test_login_without_csrf_token_is_refused(client, alice):
    client.get("/login")
    refused = client.post(
        "/login",
        data={"email": alice.email, "password": PASSWORD},
        headers={"accept": "text/html"},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    assert client.get("/account", follow_redirects=False).status_code == 303
    # A token from another session does not work either.
    with TestClient(client.app) as other:
        foreign = csrf_from(other.get("/login").text)
    refused = client.post(
        "/login",
        data={"email": alice.email, "password": PASSWORD, "csrf_token": foreign},
        follow_redirects=False,
    )
    assert refused.status_code == 403


def test_next_never_leaves_the_site(client, alice):
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        done = login(client, alice.email, next_=target)
        assert done.headers["location"] == "/"


def test_ten_wrong_passwords_throttle_and_the_right_one_works_after_the_wait(
    database_url, media_dir, engine, session, alice
):
    settings = Settings(
        database_url=database_url,
        media_dir=str(media_dir),
        secret_key="test-secret-key-not-for-production",
        login_max_failures=10,
        login_lockout_seconds=1,
    )
    with TestClient(create_app(settings, engine=engine)) as client:
        answers = [login(client, alice.email, f"wrong-{i}").status_code for i in range(10)]
        assert answers == [401] * 9 + [429]
        locked = login(client, alice.email)  # the right password, too soon
        assert locked.status_code == 429
        assert int(locked.headers["retry-after"]) >= 1
        assert client.get("/account", follow_redirects=False).status_code == 303
        time.sleep(1.2)
        assert login(client, alice.email).status_code == 303
        assert "alice@example.org" in client.get("/account").text
    # Success forgets the failures.
    session.expire_all()
    account_key, _ = accounts.throttle_keys("alice@example.org", "testclient")
    assert session.get(LoginThrottle, account_key) is None


def test_passwords_are_hashed_and_never_logged(client, session, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "correct horse battery staple"
    from lexicon import accounts

    user = accounts.create_user(session=session, email="bob@example.org", password=secret)
    assert user.password_hash.startswith("$argon2") and secret not in user.password_hash
    assert login(client, "bob@example.org", secret).status_code == 303
    assert login(client, "bob@example.org", secret + "x").status_code == 401
    created = client.post(
        "/api/tokens",
        json={"name": "laptop"},
        headers={"X-CSRF-Token": csrf_from(client.get("/account").text)},
    )
    assert created.status_code == 201
    assert secret not in caplog.text and created.json()["token"] not in caplog.text


def test_tokens_created_once_listed_without_secret_and_revoked(client, session, alice):
    made = client.post("/api/tokens", json={"name": "script"}, headers=alice.headers)
    assert made.status_code == 201, made.text
    token = made.json()["token"]
    assert token.startswith("wk_") and made.json()["name"] == "script"
    new_auth = {"Authorization": f"Bearer {token}"}
    listed = client.get("/api/tokens", headers=new_auth)
    assert listed.status_code == 200
    assert {t["name"] for t in listed.json()["items"]} == {"tests", "script"}
    assert token not in listed.text and "hash" not in listed.text
    # Only the hash is stored.
    rows = session.exec(select(ApiToken.token_hash)).scalars().all()
    assert token not in rows and all(len(h) == 64 for h in rows)

    # Someone else cannot revoke it.
    mallory = make_user(session, "mallory@example.org")
    token_id = made.json()["id"]
    assert client.delete(f"/api/tokens/{token_id}", headers=mallory.headers).status_code == 404
    assert client.get("/api/tokens", headers=new_auth).status_code == 200
    assert client.delete(f"/api/tokens/{token_id}", headers=alice.headers).status_code == 204
    assert client.get("/api/tokens", headers=new_auth).status_code == 401
    assert client.get("/api/tokens").status_code == 401


def test_account_page_token_form_needs_csrf_and_shows_token_once(client, session, alice):
    assert login(client, alice.email).status_code == 303
    before = session.exec(select(ApiToken)).scalars().all()
    refused = client.post("/account/tokens", data={"name": "no-token"})
    assert refused.status_code == 403
    session.expire_all()
    assert len(session.exec(select(ApiToken)).scalars().all()) == len(before)

    page = client.post(
        "/account/tokens",
        data={"name": "phone", "csrf_token": csrf_from(client.get("/account").text)},
    )
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    shown = re.search(r'id="new-token">([^<]+)<', page.text).group(1)
    assert client.get("/api/tokens", headers={"Authorization": f"Bearer {shown}"}).is_success
    assert shown not in client.get("/account").text  # never shown again


def test_session_cookie_json_writes_need_the_csrf_header(client, dictionary, session, owner):
    owner_user = session.get(User, owner.user.id)
    from lexicon import accounts

    accounts.set_password(session=session, user=owner_user, password=PASSWORD)
    assert login(client, owner.email).status_code == 303
    body = {"headword": {"seh": "nyumba"}}
    url = "/api/dictionaries/demo/entries"
    assert client.post(url, json=body).status_code == 403
    assert client.get(url).json()["total"] == 0
    token = csrf_from(client.get("/account").text)
    assert client.post(url, json=body, headers={"X-CSRF-Token": token}).status_code == 201
    # Bearer clients need no CSRF token; anonymous ones are told to log in.
    assert client.post(url, json=body, headers=owner.headers).status_code == 201
    with TestClient(client.app) as anonymous:
        assert anonymous.post(url, json=body).status_code == 401


def test_disabled_user_cannot_log_in_or_use_tokens(client, session, alice):
    user = session.get(User, alice.user.id)
    user.disabled = True
    session.add(user)
    session.commit()
    assert login(client, alice.email).status_code == 401
    assert client.get("/api/tokens", headers=alice.headers).status_code == 401


def test_a_tokens_last_use_is_recorded_to_the_hour(client, session, alice):
    def last_used(name: str):
        items = client.get("/api/tokens", headers=alice.headers).json()["items"]
        return next(t["last_used_at"] for t in items if t["name"] == name)

    made = client.post("/api/tokens", json={"name": "sync"}, headers=alice.headers).json()
    assert last_used("sync") is None
    sync = {"Authorization": f"Bearer {made['token']}"}
    assert client.get("/api/dictionaries", headers=sync).status_code == 200
    first = last_used("sync")
    assert first is not None
    assert client.get("/api/dictionaries", headers=sync).status_code == 200
    assert last_used("sync") == first  # within the hour: no second write


def test_a_busy_database_does_not_hold_up_a_token_request(
    database_url, media_dir, engine, session, alice, monkeypatch
):
    """A token's last use is a best-effort note: while another process holds SQLite's write
    lock (an import), a request with the token is answered at once, and the note waits for
    a later request. (The busy timeout is raised to two minutes: a request that waited for
    the lock would still be blocked when the guard below gives up.)"""
    import sqlite3
    import threading

    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL locks rows: a token's row is never held by an import")
    monkeypatch.setattr("lexicon.db.engine.BUSY_TIMEOUT_MS", 120_000)
    settings = Settings(database_url=database_url, media_dir=str(media_dir),
                        secret_key="test-secret-key-0123456789abcdef")  # fmt: skip
    with TestClient(create_app(settings)) as client:
        made = client.post("/api/tokens", json={"name": "sync"}, headers=alice.headers).json()
        sync = {"Authorization": f"Bearer {made['token']}"}
        importer = sqlite3.connect(engine.url.database, isolation_level=None)
        importer.execute("BEGIN IMMEDIATE")  # the write lock, as an import holds it
        answers = []
        request = threading.Thread(
            target=lambda: answers.append(client.get("/api/dictionaries", headers=sync))
        )
        request.start()
        request.join(timeout=60)
        held = request.is_alive()
        importer.execute("ROLLBACK")
        importer.close()
        request.join()
        assert not held, "the request waited for the import's write lock"
        assert answers[0].status_code == 200
        tokens = client.get("/api/tokens", headers=alice.headers).json()["items"]
        assert next(t for t in tokens if t["name"] == "sync")["last_used_at"] is None
        assert client.get("/api/dictionaries", headers=sync).status_code == 200  # lock free
        tokens = client.get("/api/tokens", headers=alice.headers).json()["items"]
        assert next(t for t in tokens if t["name"] == "sync")["last_used_at"] is not None
