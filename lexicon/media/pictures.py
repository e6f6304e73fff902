"""Pictures on senses: keep the original, make the web copies, attach, serve by width.

The original is kept byte-exact under its sha256 (stored once however often it is uploaded, and
never shown to the public: it may carry GPS and other EXIF). The WebP web copies sit beside it,
one per width. An upload is all-or-nothing: a refused or failed upload leaves no file and no row.
Serving reuses lexicon.media (one access check for every kind of media).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlmodel import Session

from lexicon import media
from lexicon.accounts import access
from lexicon.accounts.access import Viewer
from lexicon.db.engine import once_more_if_raced
from lexicon.db.transactions import transaction
from lexicon.editing.write import update_entry
from lexicon.entries.read import entry_dict, stored_entry
from lexicon.errors import EntryNotFound, InvalidInput, NotFound
from lexicon.media import images
from lexicon.media.images import ImageLimits
from lexicon.media.storage import Storage, safe_file_name
from lexicon.models import Dictionary, Entry, Media
from lexicon.shape import labels
from lexicon.shape.entry import media_sha

PICTURE_FIELDS = ("caption", "credit", "licence", "consent", "visibility", "circle")
VISIBILITIES = ("public", "community", "restricted")
_WS_TAG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
_CHUNK = 1024 * 1024


class SenseNotFound(NotFound):
    """No sense with that id in this entry."""


class PictureWidthNotFound(NotFound):
    """The picture has no web copy of that width."""


def original_key(sha256: str) -> str:
    return f"image/original/{sha256[:2]}/{sha256}"


def print_key(sha256: str, mime: str) -> str:
    ext = "png" if mime == "image/png" else "jpg"
    return f"image/print/{sha256[:2]}/{sha256}.{images.PRINT_PROFILE}.{ext}"


def derivative_key(sha256: str, width: int) -> str:
    ext = images.WEB_EXTENSION
    return f"image/web/{sha256[:2]}/{sha256}.{images.WEB_PROFILE}.w{width}.{ext}"


# ---------------------------------------------------------------- uploads


def add_sense_picture(
    *,
    session: Session,
    storage: Storage,
    dictionary: Dictionary,
    entry_id: str,
    sense_id: str,
    fileobj: BinaryIO,
    filename: str,
    fields: dict,
    editor: str,
    limits: ImageLimits = ImageLimits(),
    version: int | None = None,
    viewer: Viewer | None = None,
) -> dict:
    """Add a picture to one sense of an entry (a new revision); return the entry.

    `fields`: caption ({lang: text}), credit, licence, consent, visibility, circle. With a
    `viewer`, the entry must be visible to them and is answered as they may see it.
    """
    fields = clean_fields(fields)
    # Fail before the (slow) decode if the entry or sense is not there; end that read at once.
    with transaction(session):
        _find_sense(_entry(session, dictionary, entry_id, viewer), sense_id)
    with tempfile.TemporaryDirectory(prefix="wordkeep-picture-") as tmp:
        name = _file_name(filename)
        src = Path(tmp, "original")
        sha256 = media.spool(
            fileobj, src, name, limits.max_bytes, too_large=images.ImageFileTooLarge
        )
        written: list[str] = []
        # Decoded and scaled before the write transaction: SQLite lets no one save while one
        # is open, and a large photo takes a second or two.
        made = _unless_stored(session, storage, dictionary, src, sha256, name, editor, limits,
                              written)  # fmt: skip

        def write() -> dict:
            with transaction(session):
                _add(session, storage, dictionary, src, sha256, name, editor, limits, written, made)
                return _attach(
                    session, dictionary, entry_id, sense_id, sha256, fields, editor, version,
                    viewer,
                )  # fmt: skip

        try:
            out = once_more_if_raced(write)
        except BaseException:
            discard_unused(session=session, storage=storage, keys=written)
            raise
    if viewer is None:
        return out
    seen = access.filter_entry(viewer, dictionary, out)  # visible: checked before the write
    if seen is None:
        raise EntryNotFound(f"no entry {entry_id} in {dictionary.slug!r}")
    return seen


def store_picture(
    *,
    session: Session,
    storage: Storage,
    dictionary: Dictionary,
    path: str | os.PathLike,
    filename: str,
    editor: str = "",
    limits: ImageLimits = ImageLimits(),
) -> tuple[Media, list[str]]:
    """Check and keep one picture file for an importer; return its Media row and the storage
    keys newly written. The row joins the caller's transaction: if that fails, pass the keys to
    `discard_unused` so no file is left behind. Reference it as `{"media": {"sha256": ...}}`."""
    name = _file_name(filename or Path(path).name)
    written: list[str] = []
    try:
        sha256, made = prepare_picture(
            session=session, storage=storage, dictionary=dictionary, path=path, filename=name,
            editor=editor, limits=limits, written=written,
        )  # fmt: skip
        with transaction(session):
            row = _add(session, storage, dictionary, Path(path), sha256, name, editor, limits,
                       written, made)  # fmt: skip
    except BaseException:
        discard_unused(session=session, storage=storage, keys=written)
        raise
    return row, written


def prepare_picture(
    *,
    session: Session,
    storage: Storage,
    dictionary: Dictionary,
    path: str | os.PathLike,
    filename: str,
    editor: str = "",
    limits: ImageLimits = ImageLimits(),
    written: list[str],
) -> tuple[str, Media | None]:
    """An importer's picture made ready before its write transaction, which it must not hold
    while pictures are decoded and scaled: the files stored (keys newly written are added to
    `written`, for `discard_unused` if the import fails) and (sha256, the Media row to add in
    the write), the row None when the dictionary has this picture already. Only reads."""
    name = _file_name(filename or Path(path).name)
    sha256 = _checked_sha256(Path(path), name, limits)
    return sha256, _unless_stored(
        session, storage, dictionary, Path(path), sha256, name, editor, limits, written
    )


def _unless_stored(session, storage, dictionary, src: Path, sha256, name, editor, limits,
                   written) -> Media | None:  # fmt: skip
    """The Media row of a new picture, its files stored (`_new_picture`); None when the
    dictionary has it already (NotAnImage if that file is not a picture). Only reads."""
    row = _media_row(session, dictionary, sha256)
    if row is not None:
        _must_be_picture(row, name)
        return None
    return _new_picture(storage, dictionary, src, sha256, name, editor, limits, written)


def _checked_sha256(path: Path, name: str, limits: ImageLimits) -> str:
    images.check_size(path.stat().st_size, name=name, max_bytes=limits.max_bytes)
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def clean_fields(fields: dict) -> dict:
    """The picture's describing fields, NFC and stripped; names the first bad one."""
    unknown = sorted(k for k, v in fields.items() if v is not None and k not in PICTURE_FIELDS)
    if unknown:
        raise InvalidInput(f"{unknown[0]}: not a field of a picture", field=unknown[0])
    out: dict = {}
    for key, value in fields.items():
        if value is None:
            continue
        if key == "caption":
            out[key] = _caption(value)
        elif isinstance(value, str):
            out[key] = unicodedata.normalize("NFC", value).strip()
        else:
            raise InvalidInput(f"{key}: expected text", field=key)
    visibility = out.get("visibility") or "public"
    if visibility not in VISIBILITIES:
        raise InvalidInput(
            f"visibility: {visibility!r} is not one of {', '.join(VISIBILITIES)}",
            field="visibility",
        )
    out["visibility"] = visibility
    out["circle"] = out.get("circle") or None
    return out


def _caption(value) -> dict:
    if not isinstance(value, dict):
        raise InvalidInput("caption: expected one text per language, e.g. {'en': '...'}")
    caption = {}
    for tag, text in value.items():
        tag = unicodedata.normalize("NFC", str(tag)).strip()
        if not _WS_TAG.match(tag):
            raise InvalidInput(
                f"caption_{tag}: {tag!r} is not a writing system tag (e.g. 'en', 'seh-fonipa')",
                field=f"caption_{tag}",
            )
        text = unicodedata.normalize("NFC", str(text or "")).strip()
        if text:
            caption[tag] = text
    return caption


def _file_name(filename: str | None) -> str:
    return safe_file_name(filename, "picture")  # kept and shown: never `..`, `/`, NUL


def _keep(session, storage, dictionary, src: Path, sha256, name, editor, limits, written) -> Media:
    """The Media row for these bytes: the existing one (same picture again), or a new one with
    the original and its web copies stored. Must run inside a transaction."""
    row = _media_row(session, dictionary, sha256)
    if row is not None:
        _must_be_picture(row, name)
        return row
    row = _new_picture(storage, dictionary, src, sha256, name, editor, limits, written)
    session.add(row)
    session.flush()
    return row


def _add(session, storage, dictionary, src: Path, sha256, name, editor, limits, written,
         made: Media | None) -> Media:  # fmt: skip
    """In the write: the row `made` before the transaction, added; or, when the dictionary has
    come to hold this picture meanwhile (or held it then), that row (`_keep`)."""
    if made is None or _media_row(session, dictionary, sha256) is not None:
        return _keep(session, storage, dictionary, src, sha256, name, editor, limits, written)
    session.add(made)
    session.flush()
    return made


def _must_be_picture(row: Media, name: str) -> None:
    if row.kind != "image":
        raise images.NotAnImage(f"{name}: this file is stored already, not as a picture")


def _new_picture(storage, dictionary, src: Path, sha256, name, editor, limits, written) -> Media:
    """Check and decode the picture, store its original and its web and print copies (keys
    newly written go to `written`), and return its Media row, not yet added to any session."""
    decoded = images.decode(src, name=name, max_pixels=limits.max_pixels)
    with tempfile.TemporaryDirectory(prefix="wordkeep-web-") as tmp:
        printed = images.make_print_copy(decoded, tmp)
        copies = images.make_web_copies(decoded, tmp)
        decoded.image.close()
        uploads = [(original_key(sha256), src, decoded.info.mime)]
        uploads += [(derivative_key(sha256, c.width), c.path, c.mime) for c in copies]
        uploads += [(print_key(sha256, printed.mime), printed.path, printed.mime)]
        # Files first, then the row: a failure in between leaves no row that names a missing file.
        for key, path, mime in uploads:
            if not storage.exists(key):
                storage.put(key, path, content_type=mime)
                written.append(key)
    default = images.default_width([c.width for c in copies])
    row = _new_media_row(dictionary, sha256, decoded.info, copies, default, name, editor)
    row.size = src.stat().st_size
    row.extra["print"] = _described(print_key(sha256, printed.mime), printed)
    return row


def _media_row(session, dictionary, sha256: str) -> Media | None:
    return session.exec(
        select(Media).where(Media.dictionary_id == dictionary.id, Media.sha256 == sha256)
    ).scalar_one_or_none()


def _new_media_row(dictionary, sha256, info, copies, default: int, name, editor) -> Media:
    chosen = next(c for c in copies if c.width == default)
    return Media(
        dictionary_id=dictionary.id,
        sha256=sha256,
        kind="image",
        mime=info.mime,
        size=0,  # set by the caller from the stored file
        width=info.width,
        height=info.height,
        original_name=name,
        original_key=original_key(sha256),
        derivative_key=derivative_key(sha256, default),
        derivative_mime=chosen.mime,
        derivative_size=chosen.size,
        extra={
            "format": info.format,
            "orientation": info.orientation,
            "stored_width": info.stored_width,
            "stored_height": info.stored_height,
            "derivative_profile": f"{images.WEB_PROFILE}-w{default}",
            "widths": [c.width for c in copies],
            "derivatives": {
                str(c.width): _described(derivative_key(sha256, c.width), c) for c in copies
            },
        },
        created_by=editor,
    )


def _described(key: str, copy: images.WebCopy) -> dict:
    return {"key": key, "width": copy.width, "height": copy.height, "size": copy.size,
            "mime": copy.mime}  # fmt: skip


def _entry(session, dictionary, entry_id: str, viewer: Viewer | None) -> dict:
    entry = stored_entry(session=session, dictionary=dictionary, entry_id=entry_id)
    if viewer is not None:  # the viewer's view: a sense hidden from them is not found either
        entry = access.filter_entry(viewer, dictionary, entry)
        if entry is None:
            raise EntryNotFound(f"no entry {entry_id} in {dictionary.slug!r}")
    return entry


def _find_sense(entry: dict, sense_id: str) -> dict:
    stack = list(entry["senses"])
    while stack:
        sense = stack.pop()
        if sense["id"] == sense_id:
            return sense
        stack.extend(sense.get("subsenses", []))
    raise SenseNotFound(f"entry {entry['id']} has no sense {sense_id}", field="sense_id")


def _attach(session, dictionary, entry_id, sense_id, sha256, fields, editor, version, viewer):
    stmt = select(Entry).where(Entry.id == entry_id, Entry.dictionary_id == dictionary.id)
    if session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()  # two uploads to one entry queue up, neither is lost
    row = session.exec(stmt).scalar_one_or_none()
    if row is None or row.deleted:
        raise EntryNotFound(f"no entry {entry_id} in {dictionary.slug!r}")
    entry = entry_dict(session=session, dictionary=dictionary, row=row)
    sense = _find_sense(entry, sense_id)
    if any(media_sha(p) == sha256 for p in sense["pictures"]):
        return entry  # on this sense already (a second tap of Upload): nothing to add
    sense["pictures"].append({**fields, "media": {"sha256": sha256}})
    return update_entry(
        session=session,
        dictionary=dictionary,
        entry_id=entry_id,
        data=entry,
        version=row.version if version is None else version,
        editor=editor,
        comment=labels.ADDED_PICTURE,
        viewer=viewer,
        uploaded=sha256,
    )


def discard_unused(*, session: Session, storage: Storage, keys: list[str]) -> None:
    """Delete stored picture files that no Media row needs, after the write that stored them
    failed and its transaction rolled back."""
    if not keys:
        return
    shas = {_sha_of(key) for key in keys}
    try:
        with session.no_autoflush:
            used = set(session.exec(select(Media.sha256).where(Media.sha256.in_(shas))).scalars())
    except Exception:  # noqa: BLE001 - unsure what is used: an unused file beats a lost one
        return
    for key in keys:
        if _sha_of(key) not in used:
            storage.delete(key)


def _sha_of(key: str) -> str:
    return key.split("/")[3].split(".")[0]


# ---------------------------------------------------------------- reading and serving


def open_original(*, storage: Storage, media: Media | dict) -> BinaryIO:
    """The original picture file, byte for byte as uploaded (for print and export; the caller
    closes it). `media` is a Media row or an entry's media dict (`{"sha256": ...}`)."""
    if isinstance(media, dict):
        return storage.open(original_key(media["sha256"]))
    return storage.open(media.original_key)


def print_copy(*, storage: Storage, media: Media) -> tuple[bytes, str]:
    """The picture for a PDF: (bytes, mime), upright, without EXIF/GPS, at print resolution
    (images.PRINT_MAX_SIDE), JPEG or PNG. Name the file by the mime given here."""
    made = (media.extra or {}).get("print")
    if made:
        with storage.open(made["key"]) as fh:
            return fh.read(), made["mime"]
    # Stored before print copies existed: make one from the original now (not kept).
    with tempfile.TemporaryDirectory(prefix="wordkeep-print-") as tmp:
        src = Path(tmp, "original")
        with open_original(storage=storage, media=media) as fh, open(src, "wb") as out:
            while chunk := fh.read(_CHUNK):
                out.write(chunk)
        pixels = max(images.DEFAULT_MAX_PIXELS, (media.width or 0) * (media.height or 0))
        decoded = images.decode(src, name=media.original_name, max_pixels=pixels)
        copy = images.make_print_copy(decoded, tmp)
        return copy.path.read_bytes(), copy.mime


def derivative_to_serve(
    *, session: Session, dictionary: Dictionary, viewer: Viewer, sha256: str, width: int
) -> media.Served:
    """Where the web copy of a picture at `width` pixels is, if the viewer may see it."""
    served = media.media_to_serve(
        session=session, dictionary=dictionary, viewer=viewer, sha256=sha256, original=False
    )
    row = _media_row(session, dictionary, sha256)
    copies = (row.extra or {}).get("derivatives", {}) if row and row.kind == "image" else {}
    copy = copies.get(str(width))
    if copy is None:
        widths = ", ".join(sorted(copies, key=int)) or "none"
        raise PictureWidthNotFound(
            f"picture {sha256} has no web copy {width} pixels wide (widths: {widths})"
        )
    stem = os.path.splitext(row.original_name)[0] or "picture"
    return dataclasses.replace(
        served,
        key=copy["key"],
        mime=copy["mime"],
        size=copy["size"],
        etag=f'"{sha256}-{images.WEB_PROFILE}-w{width}"',
        filename=f"{stem}-{width}.{images.WEB_EXTENSION}",
    )
