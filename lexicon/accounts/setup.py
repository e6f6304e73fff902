"""First run: while no site admin exists, `wordkeep serve` prints a one-time link
(`/setup/<token>`, valid 24 h, stored hashed) whose page makes the first admin. Each start
makes a new link and withdraws the earlier ones; once an admin exists, none works."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlmodel import Session

from lexicon.accounts import links
from lexicon.accounts.users import hash_password, normalise_email
from lexicon.db.engine import begin_write
from lexicon.models import SetupLink, User, utcnow

SETUP_HOURS = 24
DONE = "the site has an admin already: log in instead"


def admin_exists(*, session: Session) -> bool:
    return session.exec(select(User.id).where(User.is_admin.is_(True)).limit(1)).first() is not None


def new_setup_link(*, session: Session, now: datetime | None = None) -> str | None:
    """A new setup token while no admin exists (earlier links are withdrawn), else None."""
    now = now or utcnow()
    if admin_exists(session=session):
        return None
    token, hashed = links.new_token()
    begin_write(session)
    session.execute(
        update(SetupLink)
        .where(SetupLink.used_at.is_(None), SetupLink.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    session.add(
        SetupLink(token_hash=hashed, created_at=now, expires_at=now + timedelta(hours=SETUP_HOURS))
    )
    session.commit()
    return token


def open_setup(*, session: Session, token: str, now: datetime | None = None) -> SetupLink:
    """The setup link, if it still works (else LinkNotValid; reason "done" once an admin exists)."""
    if admin_exists(session=session):
        raise links.LinkNotValid(DONE, reason="done")
    return links.find(session, SetupLink, token, now or utcnow())


def create_first_admin(
    *,
    session: Session,
    token: str,
    email: str,
    display_name: str,
    password: str,
    now: datetime | None = None,
) -> User:
    """Make the first site admin (an account of that email made earlier becomes it). Checked
    before anything is written; the link and the account are one transaction."""
    now = now or utcnow()
    email = normalise_email(email)
    display_name = unicodedata.normalize("NFC", display_name.strip()) or email.split("@")[0]
    new_hash = hash_password(password)
    row = open_setup(session=session, token=token, now=now)
    begin_write(session)
    if admin_exists(session=session):  # made meanwhile (another tab, `wordkeep user add`)
        raise links.LinkNotValid(DONE, reason="done")
    links.claim(session, row, now)
    user = session.exec(select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        user = User(email=email)
    else:
        user.session_generation = (user.session_generation or 0) + 1
    user.display_name, user.password_hash = display_name, new_hash
    user.is_admin, user.disabled, user.last_seen_at = True, False, now
    session.add(user)
    session.commit()
    return user
