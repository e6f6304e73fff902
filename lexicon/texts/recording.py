"""A text's one long recording: checked, kept as uploaded (the archival original) with a web
copy beside it, by lexicon.media, and attached to the text in the same transaction. All or
nothing: a refused recording, or a text that does not fit it (annotations running past its
end), writes no row and leaves no file."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlmodel import Session

from lexicon.accounts.access import Viewer
from lexicon.db.engine import once_more_if_raced
from lexicon.db.transactions import transaction
from lexicon.media import audio
from lexicon.media.recordings import (
    MediaLimits,
    audio_media,
    derivative_key,
    original_key,
    spool,
)
from lexicon.media.storage import Storage, safe_file_name
from lexicon.models import Dictionary, Media
from lexicon.texts.shape import clean_text
from lexicon.texts.store import check_recording, create_text, read_text, update_text

# A check of the recording's length against the text's format residue too (lexicon.io.texts.
# check_audio_covers counts the tiers a format kept beside the segments); raises if too short.
Covers = Callable[[dict, float], None]
# A story or an oral history runs far longer than a word's recording.
TEXT_MAX_SECONDS = 4 * 3600.0


def text_limits(max_bytes: int) -> MediaLimits:
    return MediaLimits(max_bytes=max_bytes, max_seconds=TEXT_MAX_SECONDS)


def _store(session, storage, dictionary, text: dict, fileobj, filename, editor, limits,
           then: Callable[[str], dict], also_check: Covers | None = None) -> dict:  # fmt: skip
    """Check the recording against `text`, keep its files and Media row, and run `then(sha)`
    (the text's write) in the same transaction; undo the files if anything fails."""
    name = safe_file_name(filename, "recording")
    with tempfile.TemporaryDirectory(prefix="wordkeep-text-") as tmp:
        src, web = Path(tmp, "original"), Path(tmp, "web.mp3")
        sha256 = spool(fileobj, src, name, limits.max_bytes)
        info = audio.probe_audio(
            src, name=name, max_seconds=limits.max_seconds, max_bytes=limits.max_bytes
        )
        check_recording(text, info.duration)  # before the (slow) conversion
        if also_check is not None:
            also_check(text, info.duration)
        made = audio.make_web_derivative(src, web, name=name, keep_time=True)
        written: list[str] = []

        def write() -> dict:
            with transaction(session):
                if _media_row(session, dictionary, sha256) is None:
                    session.add(audio_media(dictionary, sha256, info, made, name, editor))
                    session.flush()
                for key, path, mime in (
                    (original_key(sha256), src, info.mime),
                    (derivative_key(sha256), web, made.mime),
                ):
                    if not storage.exists(key):
                        storage.put(key, path, content_type=mime)
                        written.append(key)
                return then(sha256)

        try:
            return once_more_if_raced(write)
        except BaseException:
            _forget(session, storage, sha256, written)
            raise


def _media_row(session, dictionary, sha256: str) -> Media | None:
    return session.exec(
        select(Media).where(Media.dictionary_id == dictionary.id, Media.sha256 == sha256)
    ).scalar_one_or_none()


def _forget(session: Session, storage: Storage, sha256: str, written: list[str]) -> None:
    """Remove the files a failed write put there, unless a committed row now needs them."""
    if written and session.exec(select(Media.id).where(Media.sha256 == sha256)).first() is None:
        for key in written:
            storage.delete(key)


def import_text(
    *,
    session: Session,
    storage: Storage,
    dictionary: Dictionary,
    data: dict,
    editor: str = "",
    audio_file: BinaryIO | None = None,
    audio_name: str = "",
    limits: MediaLimits | None = None,
    action: str = "import",
    also_check: Covers | None = None,
) -> dict:
    """A new text from `data` (a reader's text dict or a form's), with its recording if one
    is given; all or nothing."""
    clean_text(data)  # a bad text is refused before its recording is decoded
    if audio_file is None:
        return create_text(session=session, dictionary=dictionary, data=data, editor=editor,
                           action=action)  # fmt: skip

    def then(sha256: str) -> dict:
        return create_text(session=session, dictionary=dictionary, data=data, editor=editor,
                           media_sha256=sha256, action=action)  # fmt: skip

    return _store(session, storage, dictionary, clean_text(data), audio_file, audio_name, editor,
                  limits or text_limits(audio.DEFAULT_MAX_BYTES), then, also_check)  # fmt: skip


def set_recording(
    *,
    session: Session,
    storage: Storage,
    dictionary: Dictionary,
    text_id: str,
    version: int | None,
    audio_file: BinaryIO,
    audio_name: str = "",
    editor: str = "",
    viewer: Viewer | None = None,
    limits: MediaLimits | None = None,
    also_check: Covers | None = None,
) -> dict:
    """Give a stored text its long recording (or a new one), as a new revision."""
    current = read_text(session=session, dictionary=dictionary, text_id=text_id)
    if viewer is not None:
        read_text(session=session, dictionary=dictionary, text_id=text_id, viewer=viewer)
    session.rollback()  # no transaction stays open while the recording is decoded

    def then(sha256: str) -> dict:
        return update_text(session=session, dictionary=dictionary, text_id=text_id,
                           data=current, version=current["version"] if version is None
                           else version, editor=editor, media_sha256=sha256,
                           comment="recording")  # fmt: skip

    return _store(session, storage, dictionary, current, audio_file, audio_name, editor,
                  limits or text_limits(audio.DEFAULT_MAX_BYTES), then, also_check)  # fmt: skip
