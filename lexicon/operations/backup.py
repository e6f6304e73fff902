"""Backups that can be trusted: a consistent database snapshot, the media files, a manifest.

A backup is a folder:

    manifest.json            format, schema revision, row counts, sha256 + size of every file
    database.sqlite3         SQLite: a page-level copy made with SQLite's online backup API
    tables/<table>.jsonl     PostgreSQL: every table, read in one REPEATABLE READ transaction
    media/<key>              every media object the snapshot names (`media` rows: originals,
                             web copies, print copies; dictionaries: uploaded print fonts)

Both snapshots are taken while the server keeps running: SQLite's backup API copies a
consistent state under a read transaction (WAL lets writers go on), and PostgreSQL's
REPEATABLE READ gives every table read the same snapshot. The PostgreSQL export is logical
(JSON lines through SQLAlchemy) rather than `pg_dump`, because pg_dump refuses servers of a newer
major version than itself and the app's host need not have it at all; the app's own connection
always works, and the restore reads the format back with the same code.

`restore_backup` first checks every file against the manifest and that the target database is
empty; a missing, altered or unlisted file is refused with its name before anything is written.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sqlite3
import tempfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path, PurePosixPath

from sqlalchemy import Engine, MetaData, func, inspect, select, text
from sqlalchemy import types as satypes

from lexicon.db.migrate import alembic_config
from lexicon.errors import Conflict, InvalidInput, NotFound
from lexicon.media.sweep import check_media, named_keys, sweep_media  # noqa: F401 (re-exported)
from lexicon.operations.upgrade import upgrade

FORMAT = "wordkeep-backup"
VERSION = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
TABLES = "tables"
MEDIA = "media"
# alembic_version: the restore re-creates it by migrating. site_secret: a generated session key
# stays out of backups (a restored site makes its own; everyone logs in again).
SKIP_TABLES = {"alembic_version", "site_secret"}
BATCH = 1000
_CHUNK = 1024 * 1024


class BackupRejected(InvalidInput):
    """The backup folder is incomplete, altered, or not a Wordkeep backup; nothing was written."""


class RestoreTargetNotEmpty(Conflict):
    """A backup is restored only into an empty database."""


class BackupTargetNotEmpty(InvalidInput):
    """The backup folder must be new or empty."""


# ---------------------------------------------------------------- backup


def create_backup(*, engine: Engine, storage, dest: str | os.PathLike) -> dict:
    """Write a consistent snapshot of the database and its media to `dest`; return the manifest."""
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise BackupTargetNotEmpty(f"{dest}: the backup folder must be new or empty")
    dest.mkdir(parents=True, exist_ok=True)
    kind = engine.dialect.name
    if kind == "sqlite":
        database = _snapshot_sqlite(engine, dest)
    elif kind == "postgresql":
        database = _snapshot_postgres(engine, dest)
    else:
        raise InvalidInput(f"backups support SQLite and PostgreSQL, not {kind}")
    files = database.pop("files")
    # The snapshot names the media; they are content-addressed and never rewritten in place,
    # so copying them after the snapshot still gives exactly the files it refers to.
    media_files, missing = _copy_media(storage, database.pop("media_keys"), dest)
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "database": database,
        "files": files + media_files,
        "missing_media": missing,
    }
    _write_atomic(dest / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))
    return manifest


def _snapshot_sqlite(engine: Engine, dest: Path) -> dict:
    target = dest / SQLITE_FILE
    raw = engine.raw_connection()
    try:
        copy = sqlite3.connect(target)
        try:
            # pages=-1 copies everything in one step under one read transaction: a consistent
            # state even while other connections write (they keep writing to the WAL).
            raw.driver_connection.backup(copy, pages=-1)
        finally:
            copy.close()
    finally:
        raw.close()
    copy = sqlite3.connect(target)
    try:
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        problem = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if problem != "ok":
            raise InvalidInput(f"the database copy fails SQLite's integrity check: {problem}")
        revision = _sqlite_scalar(copy, "SELECT version_num FROM alembic_version")
        names = [
            r[0]
            for r in copy.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
                "AND sql NOT LIKE 'CREATE VIRTUAL%' AND name NOT LIKE 'search_fts%' "
                "AND name NOT LIKE 'search_tri%'"
            )
        ]
        counts = {n: copy.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
        keys = _sqlite_media_keys(copy) if "media" in names else []
    finally:
        copy.close()
    counts = {n: c for n, c in sorted(counts.items()) if n not in SKIP_TABLES}
    return {
        "kind": "sqlite",
        "method": "sqlite-online-backup",
        "schema_revision": revision,
        "counts": counts,
        "files": [_file_entry(dest, SQLITE_FILE)],
        "media_keys": keys,
    }


def _sqlite_scalar(conn, sql: str):
    try:
        row = conn.execute(sql).fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None


def _sqlite_media_keys(conn) -> list[str]:
    """Every key the copy's rows name (lexicon.media.sweep decides which, for the sweep too)."""
    columns = {r[1] for r in conn.execute("PRAGMA table_info(media)")}
    wanted = [c if c in columns else "NULL" for c in ("original_key", "derivative_key", "extra")]
    rows = conn.execute(f"SELECT {', '.join(wanted)} FROM media")
    has_extra = "extra" in {r[1] for r in conn.execute("PRAGMA table_info(dictionary)")}
    extras = [r[0] for r in conn.execute("SELECT extra FROM dictionary")] if has_extra else []
    return sorted(named_keys(rows, extras))


def _snapshot_postgres(engine: Engine, dest: Path) -> dict:
    (dest / TABLES).mkdir()
    files, counts, keys = [], {}, set()
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            # The first query fixes the snapshot; every table below is read from it.
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            server = conn.execute(text("SHOW server_version")).scalar()
            meta = MetaData()
            meta.reflect(bind=conn)
            for table in meta.sorted_tables:
                if table.name in SKIP_TABLES:
                    continue
                name = f"{TABLES}/{table.name}.jsonl"
                counts[table.name] = _dump_table(conn, table, dest / name, keys)
                files.append(_file_entry(dest, name))
    return {
        "kind": "postgresql",
        "method": "logical-jsonl-repeatable-read",
        "server_version": server,
        "schema_revision": revision,
        "counts": counts,
        "files": files,
        "media_keys": sorted(keys),
    }


def _dump_table(conn, table, path: Path, media_keys: set) -> int:
    columns = [c.name for c in table.columns]
    order = list(table.primary_key.columns) or list(table.columns)
    rows = conn.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        out.write(json.dumps({"table": table.name, "columns": columns}) + "\n")
        for row in rows:
            values = list(row)
            out.write(json.dumps(values, ensure_ascii=False, default=_encode) + "\n")
            if table.name in ("media", "dictionary"):
                media_keys.update(_row_keys(table.name, dict(zip(columns, values, strict=True))))
            count += 1
    return count


def _row_keys(table: str, row: dict) -> set[str]:
    if table == "media":
        return named_keys(
            [(row.get("original_key"), row.get("derivative_key"), row.get("extra"))], []
        )
    return named_keys([], [row.get("extra")])


def _encode(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return str(value)


def _copy_media(storage, keys: list[str], dest: Path) -> tuple[list[dict], list[str]]:
    files, missing = [], []
    for key in keys:
        name = f"{MEDIA}/{key}"
        path = dest / name
        try:
            handle = storage.open(key)
        except NotFound:  # a row whose file is gone: say so, keep backing up the rest
            missing.append(key)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        with handle, open(path, "wb") as out:
            while chunk := handle.read(_CHUNK):
                out.write(chunk)
        files.append({**_file_entry(dest, name), "key": key})
    return files, missing


# ---------------------------------------------------------------- checking


def verify_backup(source: str | os.PathLike) -> dict:
    """Check a backup folder against its manifest; return the manifest or raise BackupRejected."""
    source = Path(source)
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise BackupRejected(f"{manifest_path}: missing; this is not a complete Wordkeep backup")
    try:
        manifest = json.loads(manifest_path.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupRejected(f"{manifest_path}: not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupRejected(f"{manifest_path}: not a Wordkeep backup manifest")
    if manifest.get("version") != VERSION:
        raise BackupRejected(f"{manifest_path}: backup format version {manifest.get('version')}")
    database = manifest.get("database") or {}
    listed = {}
    for item in manifest.get("files") or []:
        name = _safe_name(item.get("path"), manifest_path)
        listed[name] = item
    needed = (
        [SQLITE_FILE]
        if database.get("kind") == "sqlite"
        else [f"{TABLES}/{t}.jsonl" for t in database.get("counts") or {}]
    )
    for name in needed:
        if name not in listed:
            raise BackupRejected(f"{source / name}: not listed in the manifest")
    for name, item in listed.items():
        path = source / name
        if not path.is_file():
            raise BackupRejected(f"{path}: missing from the backup")
        if path.stat().st_size != item.get("size"):
            raise BackupRejected(f"{path}: size differs from the manifest (incomplete or altered)")
        if sha256_file(path) != item.get("sha256"):
            raise BackupRejected(f"{path}: checksum differs from the manifest (altered)")
    for path in sorted(source.rglob("*")):
        name = path.relative_to(source).as_posix()
        if path.is_file() and name != MANIFEST and name not in listed:
            raise BackupRejected(f"{path}: not listed in the manifest (added after the backup)")
    return manifest


def _safe_name(name, manifest_path: Path) -> str:
    if not isinstance(name, str) or not name:
        raise BackupRejected(f"{manifest_path}: a file entry without a path")
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts or "\\" in name:
        raise BackupRejected(f"{manifest_path}: unsafe file path {name!r}")
    return pure.as_posix()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _file_entry(dest: Path, name: str) -> dict:
    path = dest / name
    return {"path": name, "size": path.stat().st_size, "sha256": sha256_file(path)}


def _write_atomic(path: Path, content: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(content)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


# ---------------------------------------------------------------- restore


def restore_backup(*, engine: Engine, storage, source: str | os.PathLike) -> dict:
    """Restore a verified backup into an empty database and the media storage."""
    source = Path(source)
    manifest = verify_backup(source)
    kind = manifest["database"].get("kind")
    if kind != engine.dialect.name:
        raise BackupRejected(
            f"{source / MANIFEST}: a {kind} backup cannot be restored into {engine.dialect.name}"
        )
    _require_empty(engine)
    # Media first: they are content-addressed, so a file put twice is harmless, and the
    # database (one transaction) then never names a file that is not there.
    for item in manifest["files"]:
        if "key" in item:
            storage.put(item["key"], source / item["path"])
    if kind == "sqlite":
        _restore_sqlite(engine, source / SQLITE_FILE)
    else:
        _restore_postgres(engine, source, manifest["database"])
    return manifest


def _require_empty(engine: Engine) -> None:
    with engine.connect() as conn:
        names = inspect(conn).get_table_names()
        for name in ("dictionary", "user", "entry", "media"):
            if name in names:
                count = conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar()
                if count:
                    url = engine.url.render_as_string(hide_password=True)
                    raise RestoreTargetNotEmpty(
                        f"{url}: the database is not empty (table {name} has {count} rows); "
                        "restore into a new, empty database"
                    )


def _restore_sqlite(engine: Engine, copy_path: Path) -> None:
    engine.dispose()  # no pooled connection may keep the old (empty) schema cached
    raw = engine.raw_connection()
    try:
        backup = sqlite3.connect(copy_path)
        try:
            backup.backup(raw.driver_connection, pages=-1)
        finally:
            backup.close()
    finally:
        raw.close()
    engine.dispose()
    upgrade(engine)  # a backup from an older release gets the newer schema


def _restore_postgres(engine: Engine, source: Path, database: dict) -> None:
    from alembic import command  # heavy: imported when used (docs/architecture.md)

    revision = database.get("schema_revision")
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        current = _pg_revision(conn)
        if current not in (None, revision):
            raise RestoreTargetNotEmpty(
                f"the target database is at schema {current}, the backup at {revision}; "
                "restore into a new, empty database"
            )
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        meta = MetaData()
        meta.reflect(bind=conn)
        for name in database.get("counts", {}):
            _load_table(conn, meta.tables[name], source / TABLES / f"{name}.jsonl")
        _reset_sequences(conn, meta)
    upgrade(engine)


def _pg_revision(conn):
    if "alembic_version" not in inspect(conn).get_table_names():
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _load_table(conn, table, path: Path) -> None:
    with open(path, encoding="utf-8") as fh:
        header = json.loads(fh.readline())
        columns = header["columns"]
        unknown = [c for c in columns if c not in table.columns]
        if unknown:
            raise BackupRejected(f"{path}: column {unknown[0]} is not in table {table.name}")
        decoders = [_decoder(table.columns[c].type) for c in columns]
        batch = []
        for line in fh:
            values = json.loads(line)
            batch.append({c: d(v) for c, d, v in zip(columns, decoders, values, strict=True)})
            if len(batch) >= BATCH:
                conn.execute(table.insert(), batch)
                batch = []
        if batch:
            conn.execute(table.insert(), batch)


def _decoder(sa_type):
    def keep(value):
        return value

    def when(parse):
        return lambda value: None if value is None else parse(value)

    if isinstance(sa_type, satypes.JSON):
        return keep
    if isinstance(sa_type, satypes.DateTime):
        return when(datetime.fromisoformat)
    if isinstance(sa_type, satypes.Date):
        return when(date.fromisoformat)
    if isinstance(sa_type, satypes.Numeric) and not isinstance(sa_type, satypes.Float):
        return when(Decimal) if sa_type.asdecimal else keep
    if isinstance(sa_type, satypes.LargeBinary):
        return when(base64.b64decode)
    return keep


def _reset_sequences(conn, meta: MetaData) -> None:
    """Serial ids continue after the restored rows, so new rows never collide with old ones."""
    for table in meta.sorted_tables:
        for column in table.primary_key.columns:
            sequence = conn.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"),
                {"t": f'"{table.name}"', "c": column.name},
            ).scalar()
            if sequence:
                top = conn.execute(select(func.max(column))).scalar()
                conn.execute(
                    text("SELECT setval(:s, :v, :called)"),
                    {"s": sequence, "v": top or 1, "called": top is not None},
                )
