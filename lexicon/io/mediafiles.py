"""Store a media file found in an import package (audio or picture) as a Media row.

Audio goes through `lexicon.media.audio` like an upload (checked, archival original + web copy);
pictures are kept as they are. The same file twice is stored once (content address).
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select, text

from lexicon.db.transactions import transaction
from lexicon.errors import ImportRejected, WordkeepError
from lexicon.media import audio, pictures
from lexicon.media.recordings import audio_media, derivative_key, original_key
from lexicon.media.storage import safe_file_name
from lexicon.media.sweep import referenced_keys
from lexicon.models import Dictionary, Media
from lexicon.texts import TEXT_MAX_SECONDS

log = logging.getLogger("wordkeep.import")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class Prepared:
    """A media file of an import package made ready before the import's write transaction:
    checked, transcoded or scaled, its files stored. `row` is the Media row the write adds (None
    when the dictionary stores the file already); `written`, the storage keys newly written,
    for `discard` if the import fails."""

    sha256: str
    row: Media | None = None
    written: list[str] = field(default_factory=list)


def prepare_package(session, dictionary, parsed, storage, editor, report, tick, *, into: dict):
    """Make each file an import's package names ready once (`prepare_file`), outside the write
    transaction, into `into` {href: Prepared}; a missing or bad file is a warning (its
    reference kept), counted in `report` as the write will attach them. Ticks stage "media"."""
    refs: dict = {}
    for ref in parsed.media:
        refs.setdefault(ref["href"], ref)  # a file named twice is made ready once
    files = sum(1 for ref in refs.values() if ref.get("path"))
    for href, ref in refs.items():
        if not ref.get("path"):
            report.media_missing += 1
            continue
        if storage is None:
            report.media_missing += 1
            report.warnings.append({"line": ref.get("line"), "message": f"{href}: no media "
                                    "storage configured; the reference is kept, not the file"})  # fmt: skip
            continue
        tick(len(into), files, "media")
        try:
            into[href] = prepare_file(session=session, storage=storage, dictionary=dictionary,
                                      path=Path(ref["path"]), kind=ref["kind"], editor=editor)  # fmt: skip
        except ImportRejected as exc:
            report.media_missing += 1
            report.warnings.append({"line": ref.get("line"), "message": f"{href}: "
                                    f"{exc.message}; the reference is kept, not the file"})  # fmt: skip
            continue
        report.media_added += 1


def prepare_file(
    *, session, storage, dictionary: Dictionary, path: Path, kind: str, editor: str = ""
) -> Prepared:
    """Audio or a picture of an import, made ready outside the write transaction: decoding and
    transcoding a package's recordings takes seconds each, and SQLite lets no keeper save while
    a write transaction is open. Only reads the database. Raises ImportRejected if bad."""
    name = safe_file_name(path.name, kind)
    if kind == "image":
        written: list[str] = []
        try:
            sha, row = pictures.prepare_picture(
                session=session, storage=storage, dictionary=dictionary, path=path,
                filename=name, editor=editor, written=written,
            )  # fmt: skip
        except WordkeepError as exc:
            discard(session, storage, [Prepared("", written=written)])
            raise ImportRejected(exc.message) from exc
        return Prepared(sha, row, written)
    sha = _sha256(path)
    if stored(session, dictionary, sha):
        return Prepared(sha)
    try:
        return _audio(session, storage, dictionary, path, sha, name, editor, keep_time=False)
    except WordkeepError as exc:
        raise ImportRejected(exc.message) from exc


def prepare_recording(
    *, session, storage, dictionary: Dictionary, path: Path, editor: str = ""
) -> Prepared:
    """A text's long recording found in a package, made ready outside the write transaction as
    `prepare_file` does: up to TEXT_MAX_SECONDS, its web copy keeping the original's timing.
    Raises ImportRejected if bad."""
    sha = _sha256(path)
    if stored(session, dictionary, sha):
        return Prepared(sha)
    name = safe_file_name(path.name, "recording")
    try:
        return _audio(session, storage, dictionary, path, sha, name, editor, keep_time=True)
    except WordkeepError as exc:
        raise ImportRejected(f"{path.name}: {exc.message}") from exc


def stored(session, dictionary: Dictionary, sha: str) -> bool:
    """Whether the dictionary has a Media row for the file with this sha256."""
    return (
        session.exec(
            select(Media.id).where(Media.dictionary_id == dictionary.id, Media.sha256 == sha)
        ).first()
        is not None
    )


def _audio(session, storage, dictionary, path: Path, sha, name, editor, keep_time) -> Prepared:
    """Check the recording (a text's long one up to TEXT_MAX_SECONDS, its copy keeping the
    original's timing), transcode its web copy and store both files, original first; the row,
    not added. Files of a copy that fails half-way are taken back at once."""
    prepared = Prepared(sha)
    limit = {"max_seconds": TEXT_MAX_SECONDS} if keep_time else {}
    try:
        info = audio.probe_audio(path, name=name, **limit)
        with tempfile.TemporaryDirectory(prefix="wordkeep-import-audio-") as tmp:
            web = Path(tmp) / "web"
            made = audio.make_web_derivative(path, web, name=name, keep_time=keep_time)
            for key, src, mime in ((original_key(sha), path, info.mime),
                                   (derivative_key(sha), web, made.mime)):  # fmt: skip
                if not storage.exists(key):
                    storage.put(key, src, content_type=mime)
                    prepared.written.append(key)
    except BaseException:
        discard(session, storage, [prepared])
        raise
    prepared.row = audio_media(dictionary, sha, info, made, name, editor)
    return prepared


def add_prepared(session, dictionary: Dictionary, prepared: Prepared) -> None:
    """In the import's write transaction: add the file's Media row, unless the dictionary has
    come to store the same file since it was prepared (another import, an upload)."""
    if prepared.row is not None and not stored(session, dictionary, prepared.sha256):
        prepared.row.dictionary_id = dictionary.id  # prepared for a dictionary not yet stored
        session.add(prepared.row)
        session.flush()


def add_all(session, dictionary: Dictionary, media: dict) -> dict:
    """In the write: the Media rows of the files `prepare_package` made ready (`add_prepared`);
    returns {href: sha256}."""
    for ready in media.values():
        add_prepared(session, dictionary, ready)
    return {href: ready.sha256 for href, ready in media.items()}


def discard(session, storage, prepared: list) -> None:
    """After an import failed and its transaction rolled back: delete the files it stored that
    no committed row names, asked under the lock uploads take to write media rows (as the
    orphan sweep does), so a file another upload has come to name meanwhile stays. Never
    raises: the import's own error is the one to report, and the orphan sweep
    (lexicon.media.sweep) removes what is left, as it does when the process itself died."""
    keys = [key for p in prepared if isinstance(p, Prepared) for key in p.written]
    if not keys:
        return
    if session.info.get("wk_depth", 0):  # inside a caller's transaction, still open
        log.warning("import failed: %d media file(s) left to the orphan sweep", len(keys))
        return
    try:
        session.rollback()
        with transaction(session):  # SQLite: the write lock
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("LOCK TABLE media IN SHARE MODE"))
            named = referenced_keys(session)
            for key in keys:
                if key not in named:
                    storage.delete(key)
    except Exception:
        log.exception("import failed: its media files left to the orphan sweep")
