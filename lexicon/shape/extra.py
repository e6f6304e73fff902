"""A dictionary's `extra`: what a client may write there, and what only Wordkeep writes.

`extra` keeps what has no column: a client's own settings, and records Wordkeep makes itself.
Those records are trusted by the code that reads them (the print fonts' hashes and storage keys
become file paths), so no client path may write them: the API's POST and PATCH, the settings
form. They are written only by the server code that makes them (`store.set_server_extra`: a font
upload, an import) and by a backup's restore, which copies the database as it was.
"""

from __future__ import annotations

import re

from lexicon.errors import InvalidInput

# Every key of dictionary.extra that only the server writes, and who writes it.
SERVER_OWNED = {
    "print_fonts": "a font upload (POST .../print/fonts)",
    "lift": "a LIFT import (the package's header and ranges)",
    "ws_map": "an import (its writing-system mapping)",
}

FONT_EXTS = ("ttf", "otf", "ttc")
_SHA256 = re.compile(r"[0-9a-f]{64}")


class ServerOwnedExtra(InvalidInput):
    """A client tried to write a part of `extra` that only the server writes."""


def client_extra(new: dict, current: dict | None) -> dict:
    """The `extra` to store when a client sends `new` in place of `current`.

    Server-owned keys keep their current value, whether the client leaves them out or sends
    them back unchanged (a GET, edited, PATCHed back); any other value for one is refused."""
    current = current or {}
    for key in sorted(set(new) & set(SERVER_OWNED)):
        if new[key] != current.get(key):
            raise ServerOwnedExtra(
                f"extra.{key}: written only by {SERVER_OWNED[key]}, not by a client",
                field=f"extra.{key}",
            )
    kept = {k: v for k, v in current.items() if k in SERVER_OWNED}
    return {**{k: v for k, v in new.items() if k not in SERVER_OWNED}, **kept}


def font_key(slug: str, sha256: str, ext: str) -> str:
    """The storage key of a font uploaded for the dictionary `slug`."""
    return f"print-fonts/{slug}/{sha256}.{ext}"


def checked_font(slug: str, record, index: int) -> dict:
    """A `print_fonts` record, checked before its hash and key are used as paths: the hash is
    64 hex digits and the key is this dictionary's own font key for it."""
    where = f"dictionary {slug!r}: extra.print_fonts[{index}]"
    if not isinstance(record, dict):
        raise InvalidInput(f"{where}: not a font record", field="extra.print_fonts")
    sha256, key = record.get("sha256"), record.get("key")
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise InvalidInput(f"{where}: sha256 is not 64 hex digits", field="extra.print_fonts")
    if key not in {font_key(slug, sha256, ext) for ext in FONT_EXTS}:
        raise InvalidInput(
            f"{where}: key {key!r} is not under print-fonts/{slug}/ named by its sha256",
            field="extra.print_fonts",
        )
    return record
