"""Ids for what a file names without a UUID (derived, so a re-import finds it again), and
UUIDs as files spell them. Every reader uses these."""

from __future__ import annotations

import re
import uuid

NS = uuid.UUID("6f1c1f0e-5d0b-4a39-9a57-6b1d3c0e2a11")  # Wordkeep's namespace for derived ids
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def derive_id(*parts: str) -> str:
    """A stable UUID for something a file names without a GUID (re-imports find it again)."""
    return str(uuid.uuid5(NS, "\x1f".join(parts)))


def as_uuid(value: str | None) -> str | None:
    """`value` as a canonical UUID string, or None when it is not one."""
    if not value:
        return None
    if _CANONICAL_UUID.fullmatch(value):  # what FLEx writes: no need to parse it
        return value
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        return None
