"""`wordkeep user add` and `wordkeep token create`."""

from __future__ import annotations

import pytest
import typer
from fastapi.testclient import TestClient
from sqlmodel import Session
from typer.testing import CliRunner

from lexicon import accounts
from lexicon.db.engine import make_engine
from wordkeep import cli_users

runner = CliRunner()


@pytest.fixture
def cli(monkeypatch, database_url, tmp_path):
    monkeypatch.setenv("WORDKEEP_DATABASE_URL", database_url)
    monkeypatch.setenv("WORDKEEP_MEDIA_DIR", str(tmp_path / "media"))
    app = typer.Typer()
    app.command("noop")(lambda: None)  # Typer needs a second command to keep subcommands
    cli_users.register(app)
    return app


def _user(database_url, email):
    """The user and their viewer, read in a session that is closed again (an open
    transaction would block the next test's TRUNCATE on PostgreSQL)."""
    engine = make_engine(database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            user = accounts.get_user(session=session, email=email)
            return user, accounts.viewer_for_user(session=session, user=user)
    finally:
        engine.dispose()


def test_user_add_with_password_on_stdin_then_log_in(cli, database_url, dictionary, app):
    done = runner.invoke(
        cli,
        ["user", "add", "Keeper@Example.org", "--role", "editor", "--dictionary", "demo",
         "--password-stdin"],
        input="a long passphrase\n",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "keeper@example.org created, editor in 'demo'" in done.output
    assert "a long passphrase" not in done.output
    _, viewer = _user(database_url, "keeper@example.org")
    assert viewer.role_in(dictionary) == "editor"
    with TestClient(app) as client:
        page = client.get("/login").text
        csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
        login = client.post(
            "/login",
            data={
                "email": "keeper@example.org",
                "password": "a long passphrase",
                "csrf_token": csrf,
            },
            follow_redirects=False,
        )
        assert login.status_code == 303

    # Again: the role changes, the user is not duplicated.
    again = runner.invoke(
        cli,
        ["user", "add", "keeper@example.org", "--role", "viewer", "-d", "demo", "--no-password"],
    )
    assert again.exit_code == 0 and "updated, viewer" in again.output


def test_user_add_from_a_prompt_and_as_admin(cli, database_url):
    done = runner.invoke(
        cli, ["user", "add", "admin@example.org", "--admin"], input="passphrase-1\npassphrase-1\n"
    )
    assert done.exit_code == 0, done.output
    user, _ = _user(database_url, "admin@example.org")
    assert user.is_admin and accounts.verify_password("passphrase-1", user.password_hash)


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["x@example.org", "--role", "king", "-d", "demo"], "passphrase-1\n", "--role"),
        (["x@example.org", "--role", "editor"], "passphrase-1\n", "--dictionary"),
        (["x@example.org", "-d", "nowhere"], "passphrase-1\n", "nowhere"),
        (["x@example.org", "-d", "demo"], "short\n", "password"),
        (["not-an-email", "-d", "demo"], "passphrase-1\n", "email"),
    ],
)
def test_user_add_bad_input_exits_2_and_writes_nothing(
    cli, database_url, dictionary, args, stdin, message
):
    done = runner.invoke(cli, ["user", "add", *args, "--password-stdin"], input=stdin)
    assert done.exit_code == 2, done.output
    assert message in done.output
    with pytest.raises(Exception, match="no user"):
        _user(database_url, "x@example.org")


def test_token_create_prints_a_working_token_once(cli, database_url, owner, dictionary, app):
    done = runner.invoke(cli, ["token", "create", "owner@example.org", "--name", "backup"])
    assert done.exit_code == 0, done.output
    token = done.stdout.strip().splitlines()[0]
    assert token.startswith("wk_")
    with TestClient(app) as client:
        mine = client.get("/api/tokens", headers={"Authorization": f"Bearer {token}"})
        assert mine.status_code == 200 and "backup" in mine.text and token not in mine.text
    missing = runner.invoke(cli, ["token", "create", "nobody@example.org"])
    assert missing.exit_code == 2 and "nobody@example.org" in missing.output
