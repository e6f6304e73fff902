"""Password resets: a single-use link, valid for a few hours, that sets a new password and ends
every session of the account. "Forgot your password?" makes one for the email given (sent by
email; the page answers the same whether the account exists or not); an owner or a site admin
can make one for a member, to send them by any channel."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlmodel import Session

from lexicon.accounts import links
from lexicon.accounts.access import Viewer
from lexicon.accounts.users import get_user, hash_password, normalise_email
from lexicon.db.engine import begin_write
from lexicon.errors import Forbidden, InvalidInput, NotFound
from lexicon.models import Membership, PasswordReset, User, utcnow

RESET_HOURS = 2
FORGOT_PER_HOUR = 3  # "forgot" links per account and hour: no mailbox flooding


def create_reset(
    *,
    session: Session,
    user: User,
    created_by: int | None = None,
    hours: float = RESET_HOURS,
    now: datetime | None = None,
) -> tuple[PasswordReset, str]:
    """A new reset link for `user` and its token (shown once); earlier unused ones stop working."""
    now = now or utcnow()
    token, hashed = links.new_token()
    begin_write(session)
    session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.user_id == user.id,
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now,
        )
        .values(expires_at=now)
    )
    row = PasswordReset(
        user_id=user.id,
        token_hash=hashed,
        created_by=created_by,
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    session.add(row)
    session.commit()
    return row, token


def forgot_password(
    *, session: Session, email: str, now: datetime | None = None
) -> tuple[User, str] | None:
    """A reset link for the account of `email`, or None (no such account, disabled, or
    FORGOT_PER_HOUR links asked for in the last hour). The caller answers the same either way."""
    now = now or utcnow()
    try:
        user = get_user(session=session, email=email)
    except (NotFound, InvalidInput):
        return None
    if user.disabled:
        return None
    recent = session.exec(
        select(func.count(PasswordReset.id)).where(
            PasswordReset.user_id == user.id,
            PasswordReset.created_by.is_(None),
            PasswordReset.created_at > now - timedelta(hours=1),
        )
    ).scalar_one()
    if recent >= FORGOT_PER_HOUR:
        return None
    _, token = create_reset(session=session, user=user, now=now)
    return user, token


def may_reset(*, session: Session, viewer: Viewer, user: User) -> bool:
    """May `viewer` make a reset link for `user`? Site admins may for anyone. An owner may for
    an account all of whose memberships are in dictionaries the owner owns, and which is not a
    site admin's: a reset link gives its maker the account, so never one with more rights than
    the maker's."""
    if viewer.is_admin:
        return True
    if user.is_admin or user.id == viewer.user_id:
        return False
    theirs = (
        session.exec(select(Membership.dictionary_id).where(Membership.user_id == user.id))
        .scalars()
        .all()
    )
    return bool(theirs) and all(viewer.roles.get(d) == "owner" for d in theirs)


def reset_for_member(
    *, session: Session, viewer: Viewer, dictionary, email: str, now: datetime | None = None
) -> tuple[PasswordReset, str]:
    """A reset link an owner (or admin) makes for a member of `dictionary`."""
    user = get_user(session=session, email=normalise_email(email))
    is_member = session.exec(
        select(Membership.id).where(
            Membership.user_id == user.id, Membership.dictionary_id == dictionary.id
        )
    ).first()
    if not is_member:
        raise NotFound(f"{user.email} is not a member of {dictionary.slug!r}")
    if not may_reset(session=session, viewer=viewer, user=user):
        raise Forbidden(
            f"{user.email} is also a member of dictionaries you do not own (or a site admin): "
            "ask a site admin for a reset link"
        )
    return create_reset(session=session, user=user, created_by=viewer.user_id, now=now)


def open_reset(*, session: Session, token: str, now: datetime | None = None) -> User:
    """The account a reset link is for, if the link still works (else LinkNotValid)."""
    row = links.find(session, PasswordReset, token, now or utcnow())
    user = session.get(User, row.user_id)
    if user is None or user.disabled:
        raise links.LinkNotValid(links.MESSAGES["unknown"], reason="unknown")
    return user


def use_reset(*, session: Session, token: str, password: str, now: datetime | None = None) -> User:
    """Set the new password and end every session of the account (API tokens stay); the link
    is used up. A weak password changes nothing and leaves the link usable."""
    now = now or utcnow()
    user = open_reset(session=session, token=token, now=now)
    new_hash = hash_password(password)
    row = links.find(session, PasswordReset, token, now)
    begin_write(session)
    links.claim(session, row, now)
    user.password_hash = new_hash
    user.session_generation = (user.session_generation or 0) + 1
    user.last_seen_at = now
    session.add(user)
    session.commit()
    return user
