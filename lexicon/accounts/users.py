"""Users, memberships, circles and API tokens, and who a request is (`Viewer`).

Passwords are hashed with argon2 (pwdlib); API tokens are random and stored only as a SHA-256
hash (they carry 256 bits of entropy, so a slow hash adds nothing), shown once at creation.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
import unicodedata
from datetime import UTC, datetime, timedelta

from pwdlib import PasswordHash
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlmodel import Session

from lexicon.accounts.access import ROLE_RANK, Viewer
from lexicon.db.engine import begin_write, without_waiting
from lexicon.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, NotFound
from lexicon.models import ApiToken, Circle, CircleMember, LoginThrottle, Membership, User, utcnow

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


class WrongCredentials(NotAuthenticated):
    """The email or the password is wrong."""


class LoginThrottled(Forbidden):
    """Too many wrong passwords in a row: wait before trying again."""

    def __init__(self, message: str = "", *, retry_after: int, **details):
        super().__init__(message, **details)
        self.retry_after = retry_after


# Verified against when the email is unknown, so both answers take as long.
_DUMMY_HASH = _hasher.hash("wordkeep-no-such-user")


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite hands datetimes back without a zone; they were stored in UTC.
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def throttle_keys(email: str, address: str) -> tuple[str, str]:
    """The throttle rows of a login attempt: the account from this address, and the address."""
    return f"login:{email}|{address}", f"address:{address}"


def authenticate(
    *,
    session: Session,
    email: str,
    password: str,
    max_failures: int,
    lockout_seconds: int,
    address: str = "",
    max_failures_per_address: int = 0,
    window_seconds: int = 900,
    now: datetime | None = None,
) -> User:
    """The user with this email and password.

    Every attempt is counted before the password is checked, atomically (one write
    transaction, its rows locked), against two limits: `max_failures` for this account from
    this `address`, and the larger `max_failures_per_address` (0: none) for the address
    alone, so a class behind one address does not lock itself out and a guesser cannot lock
    the owner out from elsewhere. The attempt that reaches a limit locks its row for
    `lockout_seconds`; while locked, every attempt is refused (LoginThrottled) unchecked,
    right password or not. Failures older than `window_seconds` are forgotten; a right
    password forgets the account's. An attempt that cannot be counted (a busy database) is
    refused as well: it never passes unthrottled."""
    now = now or utcnow()
    try:
        email = normalise_email(email)
    except InvalidInput as exc:
        raise WrongCredentials("wrong email or password") from exc
    account_key, address_key = throttle_keys(email, address)
    limits = {account_key: max_failures}
    if max_failures_per_address > 0:
        limits[address_key] = max_failures_per_address
    reached_limit = _take_attempt(session, limits, now, lockout_seconds, window_seconds)
    user = session.exec(select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        verify_password(password, _DUMMY_HASH)
    elif not user.disabled and verify_password(password, user.password_hash):
        _forget_attempt(session, account_key, limits.get(address_key) and address_key)
        return user
    if reached_limit:  # this wrong password was the last one allowed for now
        raise LoginThrottled(
            f"too many wrong passwords: try again in {lockout_seconds} s",
            retry_after=max(1, lockout_seconds),
        )
    raise WrongCredentials("wrong email or password")


def _throttle_rows(session: Session, keys: list[str], lock: bool = False) -> dict:
    query = select(LoginThrottle).where(LoginThrottle.key.in_(keys)).order_by(LoginThrottle.key)
    if lock:
        query = query.with_for_update()  # PostgreSQL; SQLite's write transaction is one at a time
    return {row.key: row for row in session.exec(query).scalars()}


def _take_attempt(session, limits: dict[str, int], now, lockout_seconds, window_seconds) -> bool:
    """Count one attempt on every row of `limits` (key -> limit), or refuse it if a row is
    locked; True if the attempt reached a limit (and locked its row). One write transaction: SQLite's (BEGIN IMMEDIATE, in the write queue) admits one
    at a time; on PostgreSQL the rows are created if missing and locked, in key order."""
    try:
        begin_write(session)
        keys = sorted(limits)
        table = LoginThrottle.__table__
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(
            insert(table)
            .values([{"key": k, "failures": 0} for k in keys])
            .on_conflict_do_nothing(index_elements=["key"])
        )
        rows = _throttle_rows(session, keys, lock=True)
        waits = [
            (_aware(row.locked_until) - now).total_seconds()
            for row in rows.values()
            if row.locked_until is not None and _aware(row.locked_until) > now
        ]
        reached = False
        if not waits:
            forget_before = now - timedelta(seconds=window_seconds)
            for key, row in rows.items():
                first = _aware(row.first_failure_at)
                if first is None or first < forget_before:
                    row.failures, row.first_failure_at = 0, now
                row.failures += 1
                if row.failures >= limits[key]:
                    row.locked_until = now + timedelta(seconds=lockout_seconds)
                    reached = True
                session.add(row)
        session.commit()
    except SQLAlchemyError as exc:
        session.rollback()
        log.warning("a login attempt could not be counted: refused", extra={"error": str(exc)})
        raise LoginThrottled(
            "too many logins at once: try again in a moment", retry_after=1
        ) from exc
    if waits:
        wait = max(1, math.ceil(max(waits)))
        raise LoginThrottled(f"too many wrong passwords: try again in {wait} s", retry_after=wait)
    return reached


def _forget_attempt(session, account_key: str, address_key: str | None) -> None:
    """A right password: the account's failures from this address are forgotten, and the
    attempt no longer counts against the address. Best effort: the login stands either way."""
    try:
        begin_write(session)
        rows = _throttle_rows(session, [account_key, *([address_key] if address_key else [])])
        if account_key in rows:
            session.delete(rows[account_key])
        if address_key in rows and rows[address_key].failures > 0:
            rows[address_key].failures -= 1
            session.add(rows[address_key])
        session.commit()
    except SQLAlchemyError as exc:
        session.rollback()
        log.info("login failures could not be forgotten", extra={"error": str(exc)})


# ---------------------------------------------------------------- members and circles


def _circle_names(session: Session, dictionary, user_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    rows = session.exec(
        select(CircleMember.user_id, Circle.name)
        .join(Circle, Circle.id == CircleMember.circle_id)
        .where(Circle.dictionary_id == dictionary.id, CircleMember.user_id.in_(user_ids))
        .order_by(Circle.name)
    ).all()
    for user_id, name in rows:
        names.setdefault(user_id, []).append(name)
    return names


def list_members(*, session: Session, dictionary) -> list[dict]:
    """Who has a role in `dictionary`: email, name, role and circles, by email."""
    rows = session.exec(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.dictionary_id == dictionary.id)
        .order_by(User.email)
    ).all()
    circles = _circle_names(session, dictionary, [u.id for u, _ in rows])
    return [
        {
            "email": u.email,
            "display_name": u.display_name,
            "role": role,
            "circles": circles.get(u.id, []),
        }
        for u, role in rows
    ]


def member(*, session: Session, dictionary, email: str) -> dict:
    email = normalise_email(email)
    for found in list_members(session=session, dictionary=dictionary):
        if found["email"] == email:
            return found
    raise NotFound(f"{email!r} is not a member of {dictionary.slug!r}")


def _owner_count(session: Session, dictionary) -> int:
    return len(
        session.exec(
            select(Membership.id).where(
                Membership.dictionary_id == dictionary.id, Membership.role == "owner"
            )
        ).all()
    )


def _guard_last_owner(session: Session, dictionary, user: User, role: str | None) -> None:
    current = viewer_for_user(session=session, user=user).roles.get(dictionary.id)
    if current == "owner" and role != "owner" and _owner_count(session, dictionary) <= 1:
        raise Conflict(f"{user.email} is the last owner of {dictionary.slug!r}: name another first")


def set_member(*, session: Session, dictionary, email: str, role: str) -> dict:
    """Give `email` a role (a user without a password is created if needed; they log in once
    a password is set, e.g. with `wordkeep user add`)."""
    try:
        user = get_user(session=session, email=email)
    except NotFound:
        user = create_user(session=session, email=email)
    if role not in ROLE_RANK:
        raise InvalidInput(f"role: {role!r} is not one of {', '.join(ROLE_RANK)}")
    _guard_last_owner(session, dictionary, user, role)
    set_role(session=session, user=user, dictionary=dictionary, role=role)
    return member(session=session, dictionary=dictionary, email=user.email)


def remove_member(*, session: Session, dictionary, email: str) -> None:
    """Take away a user's role in `dictionary`, and their places in its circles."""
    user = get_user(session=session, email=email)
    member(session=session, dictionary=dictionary, email=user.email)
    _guard_last_owner(session, dictionary, user, None)
    circle_ids = select(Circle.id).where(Circle.dictionary_id == dictionary.id)
    for row in session.exec(
        select(CircleMember).where(
            CircleMember.user_id == user.id, CircleMember.circle_id.in_(circle_ids)
        )
    ).scalars():
        session.delete(row)
    set_role(session=session, user=user, dictionary=dictionary, role=None)


def list_circles(*, session: Session, dictionary) -> list[dict]:
    """The circles of `dictionary` with their members' emails."""
    circles = (
        session.exec(
            select(Circle).where(Circle.dictionary_id == dictionary.id).order_by(Circle.name)
        )
        .scalars()
        .all()
    )
    out = []
    for circle in circles:
        emails = (
            session.exec(
                select(User.email)
                .join(CircleMember, CircleMember.user_id == User.id)
                .where(CircleMember.circle_id == circle.id)
                .order_by(User.email)
            )
            .scalars()
            .all()
        )
        out.append({"name": circle.name, "members": list(emails)})
    return out


def circle(*, session: Session, dictionary, name: str) -> dict:
    name = unicodedata.normalize("NFC", name.strip())
    for found in list_circles(session=session, dictionary=dictionary):
        if found["name"] == name:
            return found
    raise NotFound(f"no circle {name!r} in {dictionary.slug!r}")


def add_circle_member(*, session: Session, dictionary, name: str, email: str) -> dict:
    """Put a member of `dictionary` in its circle `name` (created on first use)."""
    user = get_user(session=session, email=email)
    if viewer_for_user(session=session, user=user).roles.get(dictionary.id) is None:
        raise InvalidInput(f"email: {user.email} must be a member of {dictionary.slug!r} first")
    add_to_circle(session=session, user=user, dictionary=dictionary, circle=name)
    return circle(session=session, dictionary=dictionary, name=name)


def remove_circle_member(*, session: Session, dictionary, name: str, email: str) -> dict:
    """Take a user out of a circle (the circle stays, possibly empty)."""
    user = get_user(session=session, email=email)
    name = unicodedata.normalize("NFC", name.strip())
    row = session.exec(
        select(Circle).where(Circle.dictionary_id == dictionary.id, Circle.name == name)
    ).scalar_one_or_none()
    link = session.get(CircleMember, (row.id, user.id)) if row is not None else None
    if link is None:
        raise NotFound(f"{user.email} is not in circle {name!r} of {dictionary.slug!r}")
    session.delete(link)
    session.commit()
    return circle(session=session, dictionary=dictionary, name=name)
