"""Printing from the database: choose entries as a viewer may see them, render, cache by content.

The one visibility rule is applied by `lexicon.entries.read.list_entries` (through lexicon.accounts.access):
this module never reads entry rows itself.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlmodel import Session, select

from lexicon import search
from lexicon.accounts.access import Viewer
from lexicon.entries.read import alphabet_for, list_entries
from lexicon.errors import InvalidInput, WordkeepError
from lexicon.media import pictures
from lexicon.models import Dictionary, Media, Sense
from lexicon.printing.options import PrintOptions
from lexicon.printing.render import check_coverage, default_template_dir, render
from lexicon.printing.uploads import print_font_dirs
from lexicon.shape.entry import iter_senses

STATUSES = ("draft", "needs_review", "published")
PREVIEW_ENTRIES = 150  # enough to fill the first pages of any layout
CACHE_FILES = 64  # newest files kept in the print cache


@dataclass(frozen=True)
class Selection:
    """Which entries to print: by letter, semantic domain, part of speech, query, status, ids."""

    letter: str | None = None
    domain: str | None = None
    pos: str | None = None
    q: str | None = None
    status: str | None = None
    ids: tuple[str, ...] = ()

    def checked(self) -> Selection:
        if self.status is not None and self.status not in STATUSES:
            raise InvalidInput(
                f"status: expected one of {', '.join(STATUSES)}, got {self.status!r}",
                field="status",
            )
        return self


def _where(selection: Selection) -> Callable | None:
    """SQL conditions for what the columns can answer (ids, part of speech)."""
    conditions = []
    if selection.ids:
        conditions.append(lambda model: model.id.in_(list(selection.ids)))
    if selection.pos:
        senses = select(Sense.entry_id).where(Sense.part_of_speech == selection.pos)
        conditions.append(
            lambda model: (model.part_of_speech == selection.pos) | model.id.in_(senses)
        )
    if not conditions:
        return None

    def where(model):
        clause = conditions[0](model)
        for more in conditions[1:]:
            clause = clause & more(model)
        return clause

    return where


def _in_domain(entry: dict, domain: str) -> bool:
    # "6.5" selects "6.5 Dwelling", "6.5.1 Building" and a domain named exactly "Building".
    wanted = domain.strip().casefold()
    for sense in iter_senses(entry):
        for item in sense.get("semantic_domains") or []:
            value = str(item).casefold()
            code = value.split(" ", 1)[0]
            name = value.split(" ", 1)[1] if " " in value else value
            if wanted in (value, code, name) or code.startswith(wanted + "."):
                return True
    return False


def select_entries(
    *, session: Session, dictionary: Dictionary, viewer: Viewer, selection: Selection
) -> list[dict]:
    """The entries `viewer` may see that match `selection`, in the dictionary's order."""
    selection = selection.checked()
    alphabet = alphabet_for(dictionary)
    letter = None
    if selection.letter:
        found = alphabet.letter(selection.letter)
        letter = found.lower if found else selection.letter.lower()
    # A search selects what the learners' search finds for it (lexicon.search), unranked.
    searched = (
        search.matching_ids(session=session, dictionary=dictionary, viewer=viewer, q=selection.q)
        if selection.q and selection.q.strip()
        else None
    )
    out: list[dict] = []
    cursor = None
    while True:
        page = list_entries(
            session=session,
            dictionary=dictionary,
            viewer=viewer,
            limit=500,
            cursor=cursor,
            letter=letter,
            status=selection.status,
            where=_where(selection),
        )
        for entry in page["items"]:
            if selection.domain and not _in_domain(entry, selection.domain):
                continue
            if searched is not None and entry["id"] not in searched:
                continue
            out.append(entry)
        cursor = page["next"]
        if not cursor:
            return out


def picture_reader(*, session: Session, dictionary: Dictionary, storage) -> Callable:
    """A function giving the bytes of a picture's web copy (or original) from media storage."""

    def read(media: dict) -> bytes | None:
        row = session.exec(
            select(Media).where(
                Media.dictionary_id == dictionary.id, Media.sha256 == media.get("sha256")
            )
        ).first()
        if row is None:
            return None
        if row.kind == "image":  # upright, without EXIF/GPS, up to 2400 px: JPEG or PNG
            try:
                return pictures.print_copy(storage=storage, media=row)[0]
            except WordkeepError:
                return None
        key = row.derivative_key or row.original_key
        with storage.open(key) as handle:
            return handle.read()

    return read


def _files_state(paths) -> list:
    """Name, size and mtime of the templates, code and font files: changing one changes the
    key."""
    found = []
    for base in paths:
        base = Path(base)
        for path in sorted(base.rglob("*")) if base.is_dir() else [base]:
            if path.is_file() and "__pycache__" not in path.parts:
                stat = path.stat()
                found.append([str(path), stat.st_size, stat.st_mtime_ns])
    return found


def cache_key(
    *, dictionary: dict, entries: list[dict], layout: str, options, labels, output
) -> str:
    """A digest of everything that shapes the output: same key, same bytes (the templates,
    fonts and this package's code included: an upgrade prints anew)."""
    digest = hashlib.sha256()
    code = Path(__file__).resolve().parent
    files = _files_state([default_template_dir(), code, *options.font_paths])
    for part in (dictionary, entries, layout, asdict(options), labels, output, files):
        digest.update(json.dumps(part, sort_keys=True, default=str).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # pruned meanwhile by another request
        return 0.0


def _cached(
    cache_dir: Path | None, key: str, suffix: str, produce: Callable[[], bytes], admit=None
) -> bytes:
    """The cached file for `key`, else `produce()` it (inside `admit()`: a render is counted)."""
    admit = admit or contextlib.nullcontext
    if cache_dir is None:
        with admit():
            return produce()
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"{key}{suffix}"
    if path.exists():
        os.utime(path)
        return path.read_bytes()
    with admit():
        data = produce()
    fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".part")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)  # atomic, so a concurrent reader never sees half a file
    # Keep the newest finished files; a ".part" may be another request's write in progress.
    done = [p for p in cache_dir.iterdir() if p.suffix in (".pdf", ".png")]
    for old in sorted(done, key=_mtime, reverse=True)[CACHE_FILES:]:
        old.unlink(missing_ok=True)
    return data


def with_uploaded_fonts(options: PrintOptions, dictionary, storage, cache_dir) -> PrintOptions:
    """The options plus the folders of the fonts uploaded for this dictionary, if any."""
    if storage is None or not (dictionary.extra or {}).get("print_fonts"):
        return options
    home = Path(cache_dir or Path(tempfile.gettempdir()) / "wordkeep-print-cache")
    dirs = print_font_dirs(dictionary=dictionary, storage=storage, cache_dir=home)
    return dataclasses.replace(options, font_paths=(*options.font_paths, *dirs))


def print_dictionary(
    *,
    session: Session,
    dictionary: Dictionary,
    viewer: Viewer,
    selection: Selection,
    layout: str = "dictionary",
    options: PrintOptions,
    storage=None,
    labels: dict | None = None,
    output: str = "pdf",
    page: int = 1,
    cache_dir: Path | None = None,
    admit: Callable[[], contextlib.AbstractContextManager] | None = None,
) -> tuple[bytes, str]:
    """PDF bytes (or one PNG page, for a preview) and a cache key usable as an ETag.
    `admit()` wraps a render the cache cannot answer (lexicon.printing.limits.RenderGate)."""
    options = with_uploaded_fonts(options.checked(), dictionary, storage, cache_dir)
    data = dictionary.model_dump(exclude={"id", "created_at", "updated_at"})
    entries = select_entries(
        session=session, dictionary=dictionary, viewer=viewer, selection=selection
    )
    if output == "png":
        entries = entries[: PREVIEW_ENTRIES * max(1, page)]
    if not entries:
        raise InvalidInput("the selection has no entries to print", field="selection")
    media = picture_reader(session=session, dictionary=dictionary, storage=storage)
    key = cache_key(
        dictionary=data,
        entries=entries,
        layout=layout,
        options=options,
        labels=labels,
        output=[output, page],
    )

    def produce() -> bytes:
        result = render(
            dictionary=data,
            entries=entries,
            layout=layout,
            options=options,
            labels=labels,
            media=media if storage is not None else None,
            output=output,
            ppi=96,
        )
        if output != "png":
            return result
        if not 1 <= page <= len(result):
            raise InvalidInput(f"page: the preview has {len(result)} page(s), not {page}")
        return result[page - 1]

    suffix = ".pdf" if output == "pdf" else f".{page}.png"
    return _cached(cache_dir, key, suffix, produce, admit), key


def describe_print(
    *,
    session: Session,
    dictionary: Dictionary,
    viewer: Viewer,
    selection: Selection,
    layout: str = "dictionary",
    options: PrintOptions,
    storage=None,
    cache_dir: Path | None = None,
) -> dict:
    """What a print would hold: the number of entries and the characters no font covers."""
    options = with_uploaded_fonts(options.checked(), dictionary, storage, cache_dir)
    data = dictionary.model_dump(exclude={"id", "created_at", "updated_at"})
    entries = select_entries(
        session=session, dictionary=dictionary, viewer=viewer, selection=selection
    )
    missing = (
        check_coverage(dictionary=data, entries=entries, layout=layout, options=options)
        if entries
        else []
    )
    return {"count": len(entries), "missing": missing}
