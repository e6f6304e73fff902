"""Logging in: checking a password, and throttling guesses per account and per address."""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from lexicon.accounts.users import normalise_email, verify_password
from lexicon.db.engine import begin_write
from lexicon.errors import Forbidden, InvalidInput, NotAuthenticated
from lexicon.models import LoginThrottle, User, utcnow

log = logging.getLogger("wordkeep.accounts")


class WrongCredentials(NotAuthenticated):
    """The email or the password is wrong."""


class LoginThrottled(Forbidden):
    """Too many wrong passwords in a row: wait before trying again."""

    def __init__(self, message: str = "", *, retry_after: int, **details):
        super().__init__(message, **details)
        self.retry_after = retry_after


# Verified against when the email is unknown, so both answers take as long: the hash of
# "wordkeep-no-such-user" with the hasher's parameters (tests check they are still its own),
# written out rather than computed at import, which cost every command ~0.5 s and 64 MB.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$rSN18ZTOJKgSaNsqeasL4Q"
    "$P6RMfBhwkgr0FTbeZaRvaexBobSxuOvfwqoj6TzzLLQ"
)


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
        _note_login(session, user, now)
        return user
    if reached_limit:  # this wrong password was the last one allowed for now
        raise LoginThrottled(
            f"too many wrong passwords: try again in {lockout_seconds} s",
            retry_after=max(1, lockout_seconds),
        )
    raise WrongCredentials("wrong email or password")


def _note_login(session: Session, user: User, now: datetime) -> None:
    """The login is the user's last activity (the members page shows it). Best effort: the
    login stands either way."""
    try:
        begin_write(session)
        session.execute(update(User).where(User.id == user.id).values(last_seen_at=now))
        session.commit()
    except SQLAlchemyError as exc:
        session.rollback()
        log.info("a login could not be noted", extra={"error": str(exc)})


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
