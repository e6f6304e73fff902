"""Recordings attached to entries: check, keep the original, make the web copy, serve.

The original is kept byte-exact under its sha256 (stored once however often it is uploaded);
the web derivative sits beside it. An upload is all-or-nothing: a refused or failed upload
leaves no file and no row behind.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlmodel import Session

from lexicon.accounts import access
from lexicon.accounts.access import ANONYMOUS, Viewer
from lexicon.db.engine import once_more_if_raced
from lexicon.db.transactions import transaction
from lexicon.editing.write import update_entry
from lexicon.entries.media_access import can_view_media
from lexicon.entries.read import entry_dict
from lexicon.errors import EntryNotFound, InvalidInput, NotFound
from lexicon.media import audio
from lexicon.media.storage import Storage, safe_file_name
from lexicon.models import (
    Dictionary,
    Entry,
    Media,
)
from lexicon.shape import labels

RECORDING_FIELDS = ("speaker", "dialect", "place", "recorded_on", "consent",
                    "consent_publish", "consent_speech_tools", "speaker_named")  # fmt: skip
PRONUNCIATION_FIELDS = (*RECORDING_FIELDS, "ipa", "visibility", "circle")
_CHUNK = 1024 * 1024


class MediaNotFound(NotFound):
    """No such media in this dictionary, or not visible to the caller."""


class ExampleNotFound(NotFound):
    """No example with that id in this entry."""


@dataclass(frozen=True)
class MediaLimits:
    """Upload limits (settings WORDKEEP_MAX_UPLOAD_BYTES, WORDKEEP_MAX_AUDIO_SECONDS)."""

    max_bytes: int = audio.DEFAULT_MAX_BYTES
    max_seconds: float = audio.DEFAULT_MAX_SECONDS


@dataclass(frozen=True)
class Served:
    """What to send for one media URL: where it is, its type, size and validator."""

    key: str
    mime: str
    size: int
    etag: str
    public: bool  # may shared caches keep it (everyone may see it)?
    filename: str


def original_key(sha256: str) -> str:
    return f"audio/original/{sha256[:2]}/{sha256}"


def derivative_key(sha256: str) -> str:
    return f"audio/web/{sha256[:2]}/{sha256}.{audio.WEB_PROFILE}.{audio.WEB_EXTENSION}"


# ---------------------------------------------------------------- uploads


def add_pronunciation_audio(
    *,
    session: Session,
    storage: Storage,
    dictionary: Dictionary,
    entry_id: str,
    fileobj: BinaryIO,
    filename: str,
    fields: dict,
    editor: str,
    limits: MediaLimits = MediaLimits(),
    version: int | None = None,
    viewer: Viewer | None = None,
) -> dict:
    """Add a recording as a new pronunciation of the entry (a new revision); return the entry
    as `viewer` may see it (no viewer: an internal caller, which sees everything)."""
    fields = _clean_fields(fields, PRONUNCIATION_FIELDS)

    def attach(entry: dict, sha256: str, seen: dict) -> None:
        entry["pronunciations"].append({**fields, "media": {"sha256": sha256}})

    return _upload(
        session,
        storage,
        dictionary,
        entry_id,
        fileobj,
        filename,
        editor,
        limits,
        version,
        attach,
        viewer,
    )


def add_example_audio(
    *,
    session: Session,
    storage: Storage,
    dictionary: Dictionary,
    entry_id: str,
    example_id: str,
    fileobj: BinaryIO,
    filename: str,
    fields: dict,
    editor: str,
    limits: MediaLimits = MediaLimits(),
    version: int | None = None,
    viewer: Viewer | None = None,
) -> dict:
    """Set the recording of one example sentence (a new revision); return the entry as
    `viewer` may see it (no viewer: an internal caller, which sees everything)."""
    fields = _clean_fields(fields, RECORDING_FIELDS)

    def attach(entry: dict, sha256: str, seen: dict) -> None:
        _find_example(seen, example_id)  # an example hidden from the viewer is not found
        example = _find_example(entry, example_id)
        example["media"] = {"sha256": sha256}
        # The recording's notes (who spoke, where, when, consent) replace those of the last one.
        if fields.get("speaker") and not example.get("source"):
            example["source"] = fields["speaker"]
        example["recording"] = {k: v for k, v in fields.items() if v not in ("", None)}

    return _upload(
        session,
        storage,
        dictionary,
        entry_id,
        fileobj,
        filename,
        editor,
        limits,
        version,
        attach,
        viewer,
    )


def _clean_fields(fields: dict, allowed: tuple[str, ...]) -> dict:
    unknown = sorted(set(k for k, v in fields.items() if v is not None) - set(allowed))
    if unknown:
        raise InvalidInput(f"{unknown[0]}: not a field of a recording", field=unknown[0])
    return {
        k: unicodedata.normalize("NFC", v).strip() if isinstance(v, str) else v
        for k, v in fields.items()
        if v is not None
    }


def _find_example(entry: dict, example_id: str) -> dict:
    stack = list(entry["senses"])
    while stack:
        sense = stack.pop()
        stack.extend(sense.get("subsenses", []))
        for example in sense.get("examples", []):
            if example["id"] == example_id:
                return example
    raise ExampleNotFound(f"entry {entry['id']} has no example {example_id}")


def _upload(
    session,
    storage,
    dictionary,
    entry_id,
    fileobj,
    filename,
    editor,
    limits,
    version,
    attach: Callable[[dict, str, dict], None],
    viewer: Viewer | None,
) -> dict:
    name = safe_file_name(filename, "recording")  # kept and shown: never `..`, `/`, NUL
    # Fail before the (slow) decode if the entry is not there at all; end that read at once so
    # no lock is held while decoding.
    with transaction(session):
        row = _entry_for_update(session, dictionary, entry_id, lock=False)
        _seen(session, dictionary, row, viewer)
    with tempfile.TemporaryDirectory(prefix="wordkeep-upload-") as tmp:
        src, web = Path(tmp, "original"), Path(tmp, "web.mp3")
        sha256 = spool(fileobj, src, name, limits.max_bytes)
        info = audio.probe_audio(
            src, name=name, max_seconds=limits.max_seconds, max_bytes=limits.max_bytes
        )
        made = audio.make_web_derivative(src, web, name=name)
        written: list[str] = []

        def write() -> dict:
            with transaction(session):
                _media_row(session, dictionary, sha256, info, made, name, editor)
                for key, path, mime in (
                    (original_key(sha256), src, info.mime),
                    (derivative_key(sha256), web, made.mime),
                ):
                    if not storage.exists(key):
                        storage.put(key, path, content_type=mime)
                        written.append(key)
                return _attach(
                    session, dictionary, entry_id, version, editor, sha256, attach, viewer
                )

        try:
            return once_more_if_raced(write)
        except BaseException:
            _forget(session, storage, sha256, written)
            raise


def spool(
    fileobj: BinaryIO, dst: Path, name: str, max_bytes: int, too_large=audio.FileTooLarge
) -> str:
    """Copy an upload to `dst`, hashing it and stopping (with `too_large`) as soon as it passes
    the limit. Recordings and pictures both arrive this way."""
    digest = hashlib.sha256()
    size = 0
    with open(dst, "wb") as out:
        while chunk := fileobj.read(_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise too_large(
                    f"{name}: the file is bigger than the limit of {max_bytes:,} bytes",
                    file=name,
                    limit=max_bytes,
                )
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def audio_media(dictionary, sha256: str, info, made, name: str, editor: str = "") -> Media:
    """The Media row of a recording: its original, its web copy and what decoding found."""
    return Media(
        dictionary_id=dictionary.id,
        sha256=sha256,
        kind="audio",
        mime=info.mime,
        size=info.size,
        duration=round(info.duration, 3),
        original_name=name,
        original_key=original_key(sha256),
        derivative_key=derivative_key(sha256),
        derivative_mime=made.mime,
        derivative_size=made.size,
        derivative_duration=round(made.duration, 3),
        extra={
            "container": info.container,
            "codec": info.codec,
            "sample_rate": info.sample_rate,
            "channels": info.channels,
            "derivative_profile": audio.WEB_PROFILE,
        },
        created_by=editor,
    )


def _media_row(session, dictionary, sha256, info, made, name, editor) -> Media:
    row = session.exec(
        select(Media).where(Media.dictionary_id == dictionary.id, Media.sha256 == sha256)
    ).scalar_one_or_none()
    if row is not None:  # the same recording again: one row, one file
        return row
    row = audio_media(dictionary, sha256, info, made, name, editor)
    session.add(row)
    session.flush()
    return row


def _entry_for_update(session, dictionary, entry_id: str, lock: bool = True) -> Entry:
    stmt = select(Entry).where(Entry.id == entry_id, Entry.dictionary_id == dictionary.id)
    if lock and session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()  # two uploads to one entry queue up, neither is lost
    row = session.exec(stmt).scalar_one_or_none()
    if row is None or row.deleted:
        raise EntryNotFound(f"no entry {entry_id} in {dictionary.slug!r}")
    return row


def _seen(session, dictionary, row, viewer: Viewer | None) -> tuple[dict, dict]:
    """The whole entry and the viewer's view of it; hidden entries are not found."""
    entry = entry_dict(session=session, dictionary=dictionary, row=row)
    seen = entry if viewer is None else access.filter_entry(viewer, dictionary, entry)
    if seen is None:
        raise EntryNotFound(f"no entry {row.id} in {dictionary.slug!r}")
    return entry, seen


def _attach(session, dictionary, entry_id, version, editor, sha256, attach, viewer) -> dict:
    row = _entry_for_update(session, dictionary, entry_id)
    # Attach to the whole entry (parts hidden from this editor are kept), answer their view.
    entry, seen = _seen(session, dictionary, row, viewer)
    attach(entry, sha256, seen)
    updated = update_entry(
        session=session,
        dictionary=dictionary,
        entry_id=entry_id,
        data=entry,
        version=row.version if version is None else version,
        editor=editor,
        comment=labels.ADDED_RECORDING,
        viewer=viewer,
        uploaded=sha256,
    )
    return updated if viewer is None else access.filter_entry(viewer, dictionary, updated)


def _forget(session: Session, storage: Storage, sha256: str, written: list[str]) -> None:
    """Undo the files of a failed upload, unless a committed row elsewhere now needs them."""
    if not written:
        return
    still_used = session.exec(select(Media.id).where(Media.sha256 == sha256)).first()
    if still_used is None:
        for key in written:
            storage.delete(key)


# ---------------------------------------------------------------- serving


def _everyone_sees(session: Session, dictionary: Dictionary, sha256: str) -> bool:
    return can_view_media(session=session, dictionary=dictionary, viewer=ANONYMOUS, sha256=sha256)


def media_to_serve(
    *, session: Session, dictionary: Dictionary, viewer: Viewer, sha256: str, original: bool
) -> Served:
    """Where the web copy (or the original) of a recording is, if the viewer may hear it."""
    # One short read transaction, ended before the (maybe long) download streams: an open
    # transaction would pin a snapshot (and WAL growth) for as long as a slow phone takes.
    try:
        return _to_serve(session, dictionary, viewer, sha256, original)
    finally:
        session.rollback()


def _to_serve(session, dictionary, viewer, sha256: str, original: bool) -> Served:
    row = session.exec(
        select(Media).where(Media.dictionary_id == dictionary.id, Media.sha256 == sha256)
    ).scalar_one_or_none()
    missing = MediaNotFound(f"no media {sha256} in {dictionary.slug!r}")
    if row is None or not can_view_media(
        session=session, dictionary=dictionary, viewer=viewer, sha256=sha256
    ):
        raise missing  # hidden media is answered as missing, so its existence does not leak
    # A photo's original may carry GPS and other EXIF (a sacred site's location): only those
    # the rule allows get it (exports ask the same); everyone else gets the web copies.
    secret_original = original and row.kind == "image"
    if secret_original and not access.sees_originals(viewer, dictionary):
        raise missing
    anonymous = access.access_key(viewer, dictionary) == access.access_key(ANONYMOUS, dictionary)
    public = (
        dictionary.visibility == "public"
        and not secret_original
        and (anonymous or _everyone_sees(session, dictionary, sha256))  # asked just above
    )
    if original or not row.derivative_key:
        return Served(
            key=row.original_key,
            mime=row.mime or "application/octet-stream",
            size=row.size,
            etag=f'"{row.sha256}"',
            public=public,
            filename=row.original_name,
        )
    stem = os.path.splitext(row.original_name)[0] or "recording"
    return Served(
        key=row.derivative_key,
        mime=row.derivative_mime or audio.WEB_MIME,
        size=row.derivative_size or 0,
        etag=f'"{row.sha256}-{row.extra.get("derivative_profile", "web")}"',
        public=public,
        filename=stem + (mimetypes.guess_extension(row.derivative_mime or "") or ".bin"),
    )
