"""Issue 16, findings 8 and 11: the login throttle holds under parallel guesses and fails
closed; logging out (a new password, an admin, "log out everywhere") ends every session."""

from __future__ import annotations

import sqlite3
import threading

import httpx
import pytest
import typer
from fastapi.testclient import TestClient
from sqlalchemy import event, text
from typer.testing import CliRunner

from api.app import create_app
from lexicon import accounts
from lexicon.db.engine import make_engine
from tests.factories import csrf_from, login, make_user
from wordkeep import cli_users
from wordkeep.settings import Settings


def make_settings(database_url, media_dir, **more) -> Settings:
    return Settings(
        database_url=database_url,
        media_dir=str(media_dir),
        secret_key="test-secret-key-not-for-production",
        **more,
    )


@pytest.fixture
def alice(session):
    return make_user(session, "alice@example.org")


# ---------------------------------------------------------------- finding 8: the throttle


@pytest.mark.parametrize("guesses", [20, 40])
def test_parallel_wrong_passwords_are_counted_and_lock_the_account(live_server, alice, guesses):
    """`guesses` wrong passwords at once against a live server: none answers 500, at most
    `login_max_failures` (5) are checked at all, and then the right password is refused too."""
    url = live_server.url
    clients = [httpx.Client(base_url=url, timeout=60) for _ in range(guesses)]
    tokens = [csrf_from(c.get("/login").text) for c in clients]
    start = threading.Barrier(guesses)
    answers: list[int] = [0] * guesses

    def guess(i):
        start.wait()
        answers[i] = (
            clients[i]
            .post(
                "/login",
                data={"email": alice.email, "password": f"wrong-{i}", "csrf_token": tokens[i]},
                follow_redirects=False,
            )
            .status_code
        )

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(guesses)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in clients:
        c.close()
    assert 500 not in answers, answers
    assert set(answers) <= {401, 429}, answers
    assert answers.count(401) <= 4  # the 5th wrong password already answers 429 (locked)
    assert answers.count(429) >= guesses - 4
    with httpx.Client(base_url=url, timeout=60) as c:
        refused = login(c, alice.email)  # the right password, during the lockout
        assert refused.status_code == 429, refused.text
        assert int(refused.headers["retry-after"]) >= 1
        assert c.get("/account", follow_redirects=False).status_code == 303


def test_a_class_behind_one_address_does_not_lock_itself_out(
    engine, database_url, media_dir, session
):
    """Ten pupils behind one address each mistype once and then log in; a guesser at one
    account from the same address locks only that account there; the address ceiling holds."""
    settings = make_settings(
        database_url, media_dir, login_max_failures=5, login_max_failures_per_address=20
    )
    pupils = [make_user(session, f"pupil{i}@example.org") for i in range(10)]
    app = create_app(settings, engine=engine)
    with TestClient(app, client=("203.0.113.7", 4000)) as school:
        for pupil in pupils:
            assert login(school, pupil.email, "mistyped").status_code == 401
            assert login(school, pupil.email).status_code == 303
            school.cookies.clear()
        answers = [login(school, pupils[0].email, f"guess-{i}").status_code for i in range(6)]
        assert answers == [401] * 4 + [429, 429]
        assert login(school, pupils[0].email).status_code == 429  # locked here...
        assert login(school, pupils[1].email).status_code == 303  # ...the others are not
        school.cookies.clear()
    with TestClient(app, client=("198.51.100.9", 4000)) as home:
        assert login(home, pupils[0].email).status_code == 303  # nor from elsewhere
    with TestClient(app, client=("203.0.113.7", 4000)) as school:
        # 10 + 5 wrong passwords so far from the school (the right ones do not count); five
        # more reach the address's ceiling of 20, and then every account there waits.
        answers = [login(school, pupils[2 + i].email, "wrong").status_code for i in range(5)]
        assert answers == [401] * 4 + [429]
        assert login(school, pupils[8].email).status_code == 429


def _hold_the_write_lock(engine):
    """Another connection holds the database's write lock (SQLite) or the throttle table
    (PostgreSQL) until the returned function is called."""
    if engine.dialect.name == "sqlite":
        conn = sqlite3.connect(engine.url.database, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        return conn.close
    conn = engine.connect()
    conn.execute(text("LOCK TABLE loginthrottle IN ACCESS EXCLUSIVE MODE"))
    return lambda: (conn.rollback(), conn.close())


def test_an_attempt_that_cannot_be_counted_is_refused_never_passed(
    engine, database_url, media_dir, alice
):
    """Fail closed: while the throttle cannot be written, even the right password is refused
    (429), and nothing answers 500."""
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "sqlite":
        impatient = make_engine(url)
        event.listen(  # after the project's own setup: wait 0.3 s for the lock, not 15 s
            impatient, "connect", lambda conn, _: conn.execute("PRAGMA busy_timeout=300")
        )
    else:
        impatient = make_engine(url, connect_args={"options": "-c lock_timeout=300"})
    app = create_app(make_settings(database_url, media_dir), engine=impatient)
    try:
        with TestClient(app) as client:
            client.get("/login")
            release = _hold_the_write_lock(engine)
            try:
                right = login(client, alice.email)
                wrong = login(client, alice.email, "wrong-password")
            finally:
                release()
            assert right.status_code == 429, right.text
            assert wrong.status_code == 429, wrong.text
            assert client.get("/account", follow_redirects=False).status_code == 303
            assert login(client, alice.email).status_code == 303  # once the lock is gone
    finally:
        impatient.dispose()


# ---------------------------------------------------------------- finding 11: sessions


def test_a_cookie_saved_before_logout_no_longer_opens_the_account(client, alice):
    assert login(client, alice.email).status_code == 303
    saved = dict(client.cookies)
    assert "alice@example.org" in client.get("/account").text
    token = csrf_from(client.get("/logout").text)
    assert (
        client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    with TestClient(client.app, cookies=saved) as thief:
        assert thief.get("/account", follow_redirects=False).status_code == 303
    # The API token is not a session: it stays valid.
    assert client.get("/api/tokens", headers=alice.headers).status_code == 200
    # Logging in again makes a working session.
    assert login(client, alice.email).status_code == 303
    assert "alice@example.org" in client.get("/account").text


def test_log_out_everywhere_ends_the_other_devices(app, alice):
    with TestClient(app) as phone, TestClient(app) as laptop:
        assert login(phone, alice.email).status_code == 303
        assert login(laptop, alice.email).status_code == 303
        page = laptop.get("/account")
        assert 'action="/account/logout-everywhere"' in page.text
        refused = laptop.post("/account/logout-everywhere", follow_redirects=False)
        assert refused.status_code == 403  # a form: CSRF
        assert "alice@example.org" in phone.get("/account").text
        done = laptop.post(
            "/account/logout-everywhere",
            data={"csrf_token": csrf_from(page.text)},
            follow_redirects=False,
        )
        assert done.status_code == 303
        assert phone.get("/account", follow_redirects=False).status_code == 303
        assert laptop.get("/account", follow_redirects=False).status_code == 303


def test_log_out_everywhere_is_translated(client, alice):
    login(client, alice.email)
    page = client.get("/account?lang=fr").text
    assert "Se déconnecter partout" in page


def test_a_new_password_and_the_admin_command_end_sessions(
    app, alice, session, monkeypatch, database_url, tmp_path
):
    with TestClient(app) as device:
        assert login(device, alice.email).status_code == 303
        accounts.set_password(session=session, user=alice.user, password="a new passphrase")
        assert device.get("/account", follow_redirects=False).status_code == 303
        assert login(device, alice.email, "a new passphrase").status_code == 303
        assert "alice@example.org" in device.get("/account").text

        monkeypatch.setenv("WORDKEEP_DATABASE_URL", database_url)
        monkeypatch.setenv("WORDKEEP_MEDIA_DIR", str(tmp_path / "media"))
        cli = typer.Typer()
        cli.command("noop")(lambda: None)
        cli_users.register(cli)
        done = CliRunner().invoke(cli, ["user", "logout", "Alice@Example.org"])
        assert done.exit_code == 0, done.output
        assert "alice@example.org" in done.output
        assert device.get("/account", follow_redirects=False).status_code == 303
        assert device.get("/api/tokens", headers=alice.headers).status_code == 200
        missing = CliRunner().invoke(cli, ["user", "logout", "nobody@example.org"])
        assert missing.exit_code != 0 and "nobody@example.org" in missing.output
