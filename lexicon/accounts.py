"""Users, memberships, circles and API tokens, and who a request is (`Viewer`).

Passwords are hashed with argon2 (pwdlib); API tokens are random and stored only as a SHA-256
hash (they carry 256 bits of entropy, so a slow hash adds nothing), shown once at creation.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata

from pwdlib import PasswordHash
from sqlalchemy import select
from sqlmodel import Session

from lexicon.access import ROLE_RANK, Viewer
from lexicon.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from lexicon.models import ApiToken, Circle, CircleMember, Membership, User, utcnow

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
    user.password_hash = hash_password(password)
    session.add(user)
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
    )


def viewer_for_user_id(*, session: Session, user_id: int) -> Viewer | None:
    user = session.get(User, user_id)
    if user is None or user.disabled:
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
    return viewer
