"""Store a media file found in an import package (audio or picture) as a Media row.

Audio goes through `lexicon.media.audio` like an upload (checked, archival original + web copy);
pictures are kept as they are. The same file twice is stored once (content address).
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from sqlalchemy import select

from lexicon.errors import ImportRejected, WordkeepError
from lexicon.media import audio, pictures
from lexicon.media.recordings import audio_media, derivative_key, original_key
from lexicon.media.storage import safe_file_name
from lexicon.models import Dictionary, Media
from lexicon.texts import TEXT_MAX_SECONDS


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def store_file(
    *, session, storage, dictionary: Dictionary, path: Path, kind: str, editor: str = ""
) -> str:
    """Store `path` for `dictionary` (once); return its sha256. Raises ImportRejected if bad."""
    sha = _sha256(path)
    row = session.exec(
        select(Media).where(Media.dictionary_id == dictionary.id, Media.sha256 == sha)
    ).scalar_one_or_none()
    if row is not None:
        return sha
    name = safe_file_name(path.name, kind)
    if kind == "image":
        try:
            pictures.store_picture(
                session=session,
                storage=storage,
                dictionary=dictionary,
                path=path,
                filename=name,
                editor=editor,
            )
        except WordkeepError as exc:
            raise ImportRejected(exc.message) from exc
        return sha
    row = _audio_row(storage, dictionary, path, sha, name)
    row.created_by = editor
    session.add(row)
    session.flush()
    return sha


def _audio_row(storage, dictionary, path: Path, sha: str, name: str) -> Media:
    try:
        info = audio.probe_audio(path, name=name)
        with tempfile.TemporaryDirectory(prefix="wordkeep-import-audio-") as tmp:
            web = Path(tmp) / "web"
            made = audio.make_web_derivative(path, web, name=name)
            storage.put(original_key(sha), path, content_type=info.mime)
            storage.put(derivative_key(sha), web, content_type=made.mime)
    except WordkeepError as exc:
        raise ImportRejected(exc.message) from exc
    return audio_media(dictionary, sha, info, made, name)


def store_recording(
    *, session, storage, dictionary: Dictionary, path: Path, editor: str = ""
) -> str:
    """Store a text's long recording found in a package (once): up to TEXT_MAX_SECONDS, its
    web copy keeping the original's timing; return its sha256. ImportRejected if bad."""
    sha = _sha256(path)
    found = session.exec(
        select(Media.id).where(Media.dictionary_id == dictionary.id, Media.sha256 == sha)
    ).first()
    if found is not None:
        return sha
    name = safe_file_name(path.name, "recording")
    try:
        info = audio.probe_audio(path, name=name, max_seconds=TEXT_MAX_SECONDS)
        with tempfile.TemporaryDirectory(prefix="wordkeep-import-audio-") as tmp:
            web = Path(tmp) / "web"
            made = audio.make_web_derivative(path, web, name=name, keep_time=True)
            storage.put(original_key(sha), path, content_type=info.mime)
            storage.put(derivative_key(sha), web, content_type=made.mime)
    except WordkeepError as exc:
        raise ImportRejected(f"{path.name}: {exc.message}") from exc
    row = audio_media(dictionary, sha, info, made, name, editor)
    session.add(row)
    session.flush()
    return sha
