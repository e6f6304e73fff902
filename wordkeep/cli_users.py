"""`wordkeep user add`, `wordkeep user logout` and `wordkeep token create`: accounts from the
command line.

Passwords come from a prompt (asked twice, never echoed) or from standard input
(`--password-stdin`, for scripts); they are never taken as an argument, which would leave
them in shell history and process lists.
"""

from __future__ import annotations

import sys

import typer
from sqlmodel import Session

from lexicon import accounts, entries
from lexicon.accounts.access import ROLE_RANK
from lexicon.db.engine import session_for
from lexicon.errors import InvalidInput, NotFound
from wordkeep.common import friendly, load_settings, open_engine


def _session() -> Session:
    return session_for(open_engine(load_settings()))


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


def _add(email, role, dictionary, password_stdin, admin, no_password) -> None:
    # Check everything before writing anything (exit 2 means nothing was written).
    if role is not None and dictionary is None:
        raise InvalidInput("--dictionary: a role is given in a dictionary (--dictionary SLUG)")
    if role is not None and role not in ROLE_RANK:
        raise InvalidInput(f"--role: {role!r} is not one of {', '.join(ROLE_RANK)}")
    email = accounts.normalise_email(email)
    password = None if no_password else _password(password_stdin)
    if password is not None and len(password) < accounts.MIN_PASSWORD:
        raise InvalidInput(f"password: must be at least {accounts.MIN_PASSWORD} characters")
    with _session() as session:
        found = entries.get_dictionary(session=session, slug=dictionary) if dictionary else None
        try:
            user = accounts.get_user(session=session, email=email)
            created = False
            if password is not None:
                accounts.set_password(session=session, user=user, password=password)
        except NotFound:
            user = accounts.create_user(
                session=session, email=email, password=password, is_admin=admin
            )
            created = True
        if admin and not user.is_admin:
            user.is_admin = True
            session.add(user)
            session.commit()
        if found is not None:
            accounts.set_role(session=session, user=user, dictionary=found, role=role or "viewer")
    what = "created" if created else "updated"
    where = f", {role or 'viewer'} in '{dictionary}'" if dictionary else ""
    typer.echo(f"user {user.email} {what}{where}{' (site admin)' if admin else ''}")


@friendly
def user_add(
    email: str = typer.Argument(..., help="The user's email (their login)."),
    role: str | None = typer.Option(
        None, "--role", help="owner | editor | contributor | viewer (default viewer)."
    ),
    dictionary: str | None = typer.Option(
        None, "--dictionary", "-d", help="Slug of the dictionary the role is in."
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from the first line of stdin."
    ),
    admin: bool = typer.Option(False, "--admin", help="Make the user a site admin."),
    no_password: bool = typer.Option(
        False, "--no-password", help="Set no password (keep an existing one)."
    ),
) -> None:
    """Create a user (or update one) with a password and a role in a dictionary."""
    _add(email, role, dictionary, password_stdin, admin, no_password)


def _token(email: str, name: str) -> None:
    with _session() as session:
        user = accounts.get_user(session=session, email=email)
        _, plaintext = accounts.create_token(session=session, user=user, name=name)
    typer.echo(plaintext)
    typer.echo("(shown only this once: store it somewhere safe)", err=True)


@friendly
def token_create(
    email: str = typer.Argument(..., help="Whose token it is."),
    name: str = typer.Option("", "--name", help="What the token is for."),
) -> None:
    """Create an API token and print it (the only time it is shown)."""
    _token(email, name)


def _logout(email: str) -> None:
    with _session() as session:
        user = accounts.get_user(session=session, email=email)
        accounts.end_sessions(session=session, user_id=user.id)
    typer.echo(f"every session of {user.email} is ended (API tokens stay valid)")


@friendly
def user_logout(email: str = typer.Argument(..., help="Whose sessions to end.")) -> None:
    """End every login session of a user, on every device (their API tokens stay valid)."""
    _logout(email)


user_app = typer.Typer(help="Users and their roles.", no_args_is_help=True)
user_app.command("add")(user_add)
user_app.command("logout")(user_logout)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
token_app.command("create")(token_create)


def register(app: typer.Typer) -> None:
    """Add `user ...` and `token ...` to the main `wordkeep` command."""
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")
