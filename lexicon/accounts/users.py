"""Users, memberships, circles and API tokens, and who a request is (`Viewer`).

Passwords are hashed with argon2 (pwdlib); API tokens are random and stored only as a SHA-256
hash (they carry 256 bits of entropy, so a slow hash adds nothing), shown once at creation.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import unicodedata
from datetime import UTC, datetime, timedelta

from pwdlib import PasswordHash
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from lexicon.accounts.access import ROLE_RANK, Viewer
from lexicon.db.engine import begin_write, without_waiting
from lexicon.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from lexicon.models import ApiToken, Circle, CircleMember, Membership, User, utcnow

log = logging.getLogger("wordkeep.accounts")
_hasher = PasswordHash.recommended()
TOKEN_PREFIX = "wk_"
MIN_PASSWORD = 8


def normalise_email(email: str) -> str:
    email = unicodedata.normalize("NFC", email.strip()).lower()
    if "@" not in email or email.startswith("@") or email.endswith("@") or " " in email:
        raise InvalidInput(f"email: {email!r} is not an email address")
    return email


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"password: must be at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password, password_hash)
    except Exception:  # a malformed stored hash is a failed login, not a crash
        return False


def get_user(*, session: Session, email: str) -> User:
    user = session.exec(
        select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()
    if user is None:
        raise NotFound(f"no user {email!r}")
    return user


def create_user(
    *,
    session: Session,
    email: str,
    password: str | None = None,
    display_name: str = "",
    is_admin: bool = False,
) -> User:
    """Create a user (no password: the user cannot log in with a form until one is set)."""
    email = normalise_email(email)
    if session.exec(select(User.id).where(User.email == email)).first():
        raise Conflict(f"a user {email!r} exists already")
    user = User(
        email=email,
        display_name=display_name or email.split("@")[0],
        password_hash=hash_password(password) if password else "",
        is_admin=is_admin,
    )
    session.add(user)
    session.commit()
    return user


def set_password(*, session: Session, user: User, password: str) -> None:
    """A new password; every session of the user ends (API tokens stay valid)."""
    user.password_hash = hash_password(password)
    session.add(user)
    session.commit()
    end_sessions(session=session, user_id=user.id)


def end_sessions(*, session: Session, user_id: int) -> None:
    """Every session cookie of the user stops working, on every device (logging out, a new
    password, `wordkeep user logout`): the user's session generation goes up by one, and a
    cookie carries the one it was made with. API tokens are not sessions: they stay valid."""
    begin_write(session)
    session.execute(
        update(User)
        .where(User.id == user_id)
        .values(session_generation=User.session_generation + 1)
    )
    session.commit()


def set_role(*, session: Session, user: User, dictionary, role: str | None) -> Membership | None:
    """Give `user` a role in `dictionary` (None removes the membership)."""
    if role is not None and role not in ROLE_RANK:
        raise InvalidInput(f"role: {role!r} is not one of {', '.join(ROLE_RANK)}")
    membership = session.exec(
        select(Membership).where(
            Membership.user_id == user.id, Membership.dictionary_id == dictionary.id
        )
    ).scalar_one_or_none()
    if role is None:
        if membership is not None:
            session.delete(membership)
            session.commit()
        return None
    if membership is None:
        membership = Membership(user_id=user.id, dictionary_id=dictionary.id, role=role)
    membership.role = role
    session.add(membership)
    session.commit()
    return membership


def add_to_circle(*, session: Session, user: User, dictionary, circle: str) -> None:
    """Put `user` in the named circle of `dictionary` (created on first use)."""
    name = unicodedata.normalize("NFC", circle.strip())
    if not name:
        raise InvalidInput("circle: a name is required")
    row = session.exec(
        select(Circle).where(Circle.dictionary_id == dictionary.id, Circle.name == name)
    ).scalar_one_or_none()
    if row is None:
        row = Circle(dictionary_id=dictionary.id, name=name)
        session.add(row)
        session.flush()
    if session.get(CircleMember, (row.id, user.id)) is None:
        session.add(CircleMember(circle_id=row.id, user_id=user.id))
    session.commit()


def viewer_for_user(*, session: Session, user: User) -> Viewer:
    roles = {
        m.dictionary_id: m.role
        for m in session.exec(select(Membership).where(Membership.user_id == user.id)).scalars()
    }
    circles: dict[int, set[str]] = {}
    rows = session.exec(
        select(Circle.dictionary_id, Circle.name)
        .join(CircleMember, CircleMember.circle_id == Circle.id)
        .where(CircleMember.user_id == user.id)
    ).all()
    for dictionary_id, name in rows:
        circles.setdefault(dictionary_id, set()).add(name)
    return Viewer(
        user_id=user.id,
        email=user.email,
        display_name=user.display_name,
        is_admin=user.is_admin,
        roles=roles,
        circles={k: frozenset(v) for k, v in circles.items()},
        locale=user.locale,
    )


def viewer_for_user_id(
    *, session: Session, user_id: int, generation: int | None = None
) -> Viewer | None:
    """The viewer of a user id (None: no such user, disabled, or a session `generation` that
    is not the user's current one: the session was ended)."""
    user = session.get(User, user_id)
    if user is None or user.disabled:
        return None
    if generation is not None and generation != user.session_generation:
        return None
    return viewer_for_user(session=session, user=user)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(*, session: Session, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new API token: returns the row and the plaintext, which is never stored or shown again."""
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=_token_hash(plaintext), name=name)
    session.add(row)
    session.commit()
    return row, plaintext


def revoke_token(*, session: Session, user: User, token_id: int) -> None:
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound(f"no token {token_id}")
    row.revoked_at = utcnow()
    session.add(row)
    session.commit()


def viewer_for_token(*, session: Session, token: str) -> Viewer:
    """The viewer a bearer token stands for; a wrong or revoked token is refused."""
    row = session.exec(
        select(ApiToken).where(ApiToken.token_hash == _token_hash(token.strip()))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        raise NotAuthenticated("the API token is not valid (wrong or revoked)")
    viewer = viewer_for_user_id(session=session, user_id=row.user_id)
    if viewer is None:
        raise NotAuthenticated("the API token's user is disabled")
    _note_token_use(session, row)
    return viewer


TOKEN_USE_STEP = timedelta(hours=1)  # `last_used_at` is kept to the hour: one write per hour


def _note_token_use(session: Session, row: ApiToken) -> None:
    """Record when a token was last used (the account page shows it, to spot stale tokens),
    in its own short transaction so the request's reads stay reads. Best effort: a busy
    database only delays the note."""
    now = datetime.now(UTC)
    last = row.last_used_at
    if (
        last is not None
        and now - (last if last.tzinfo else last.replace(tzinfo=UTC)) < TOKEN_USE_STEP
    ):
        return
    table = ApiToken.__table__
    try:
        with without_waiting(session.get_bind()) as conn:
            conn.execute(update(table).where(table.c.id == row.id).values(last_used_at=now))
            conn.commit()
    except OperationalError as exc:  # SQLite busy (an import writing): a later request notes it
        log.info("could not record a token's use", extra={"error": str(exc)})
    # End the request's read transaction: on SQLite a snapshot older than this write could not
    # become a write transaction later in the request.
    session.commit()


def list_tokens(*, session: Session, user: User) -> list[ApiToken]:
    """The user's tokens, newest first (hashes only; the plaintext was shown once)."""
    return list(
        session.exec(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        ).scalars()
    )


# ---------------------------------------------------------------- logging in


# ---------------------------------------------------------------- members and circles
