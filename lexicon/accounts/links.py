"""What invitations, password resets and the setup link share: a random token given out once
and kept only as its SHA-256, an expiry, and a claim that lets each be used once.

A token carries 256 bits of entropy, so a fast hash is enough (as for API tokens); what the
database holds cannot be turned back into a working link.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlmodel import Session

from lexicon.errors import NotFound


class LinkNotValid(NotFound):
    """The link is unknown, already used, withdrawn or expired (`reason` says which)."""

    def __init__(self, message: str = "", *, reason: str, **details):
        super().__init__(message, reason=reason, **details)
        self.reason = reason  # unknown | used | revoked | expired | done


def new_token() -> tuple[str, str]:
    """A fresh link token and its hash: the token is given out once, the hash is stored."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def aware(moment: datetime | None) -> datetime | None:
    # SQLite hands datetimes back without a zone; they were stored in UTC.
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def state(row, now: datetime) -> str:
    """pending, used, revoked or expired."""
    if row.used_at is not None:
        return "used"
    if getattr(row, "revoked_at", None) is not None:
        return "revoked"
    if aware(row.expires_at) <= now:
        return "expired"
    return "pending"


MESSAGES = {
    "unknown": "this link is not valid: check that it was copied whole",
    "used": "this link was used already: each link works once",
    "revoked": "this link was withdrawn",
    "expired": "this link has expired: ask for a new one",
}


def find(session: Session, model, token: str, now: datetime):
    """The row of `model` whose token this is, if it can still be used; else LinkNotValid."""
    row = session.exec(
        select(model).where(model.token_hash == token_hash(token or ""))
    ).scalar_one_or_none()
    found = "unknown" if row is None else state(row, now)
    if found != "pending":
        raise LinkNotValid(MESSAGES[found], reason=found)
    return row


def claim(session: Session, row, now: datetime) -> None:
    """Mark the link used, in the caller's (write) transaction, unless another request used it
    first: then LinkNotValid. Not committed: the caller commits it with what the link makes,
    so a failure leaves the link unused and nothing half-made."""
    model = type(row)
    done = session.execute(
        update(model).where(model.id == row.id, model.used_at.is_(None)).values(used_at=now)
    )
    if done.rowcount != 1:
        raise LinkNotValid(MESSAGES["used"], reason="used")
    row.used_at = now
