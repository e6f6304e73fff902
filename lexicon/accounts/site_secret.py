"""The key that signs session cookies when none is configured: generated once, then kept.

A default install must be safe without anyone choosing a key, and a key must survive restarts
(or every restart would log everybody out). Where it is kept follows the database:

* SQLite: a file beside the database (`wordkeep.db` -> `wordkeep.db.secret`), mode 0600. Only
  the processes of one host can share a SQLite file, and they share this file too.
* PostgreSQL: a row of the `site_secret` table (migration 0016). Several app servers serve one
  database, and a cookie signed by one must open on the others: a file on one host would not do.
* An in-memory SQLite database: a fresh key per process (nothing outlives it anyway).

Two processes starting at once agree on one key: the file is created exclusively, the row is
inserted only if missing, and each then reads what won.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy import Engine, inspect, text

MIN_BYTES = 32  # a production key shorter than this is refused (wordkeep/settings.py)
ROW = "session"


def _new_key() -> str:
    return secrets.token_urlsafe(48)  # 64 characters, 384 random bits


def key_file(database_path: str) -> Path:
    """Where the generated key of the SQLite file `database_path` is kept."""
    path = Path(database_path)
    return path.with_name(path.name + ".secret")


def _from_file(path: Path) -> str:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="utf-8").strip()
        if len(key) < MIN_BYTES:  # e.g. a writer killed between create and write
            raise ValueError(
                f"{path}: the generated secret key file is empty or cut short; delete it to "
                "generate a new one (everyone will have to log in again)"
            ) from None
        return key
    key = _new_key()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


def _from_table(engine: Engine) -> str:
    if "site_secret" not in inspect(engine).get_table_names():
        raise ValueError(
            "the database has no site_secret table for the generated session key: "
            "migrate it first (wordkeep init), or set WORDKEEP_SECRET_KEY"
        )
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO site_secret (name, value) VALUES (:n, :v) ON CONFLICT DO NOTHING"),
            {"n": ROW, "v": _new_key()},
        )
        return conn.execute(
            text("SELECT value FROM site_secret WHERE name = :n"), {"n": ROW}
        ).one()[0]


def stored_secret_key(engine: Engine) -> str:
    """The generated session key for this database, made on first use (see the module)."""
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if not database or database == ":memory:" or database.startswith("file::memory:"):
            return _new_key()
        return _from_file(key_file(database))
    return _from_table(engine)
