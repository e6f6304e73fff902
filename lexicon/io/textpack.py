"""A dictionary's texts in its LIFT and JSON export packages, and back (docs/interchange.md).

The texts sit beside the dictionary, not inside it: LIFT has no place for a text, and FLEx
itself keeps interlinear texts apart from the lexicon (FLExText files beside the LIFT).

- LIFT package: `texts/<title>.flextext` for each text (what FLEx imports), and
  `texts/texts.json` with each text in Wordkeep's own shape (docs/text-shape.md): the speakers'
  consent, the scopes of the text and of each segment, and the ELAN / Praat tiers a FLExText
  file cannot hold. An import reads `texts.json` when it is there, else each `.flextext`.
- JSON: the texts are the document's `texts` list, in the same shape.
- Either way a text's recording is the archival original under `audio/`, named by the text's
  `media.href`; so a JSON export with recorded texts is a zip (a plain `.json` is refused).

Only what the exporter may see travels: texts and segments through the one access rule
(`lexicon.texts.read_text` with the viewer); a text with hidden segments travels without its
long recording and its format residue (`lexicon.texts.view.filter_text`)."""

from __future__ import annotations

import copy
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from lexicon.accounts.access import Viewer
from lexicon.errors import ImportRejected, InvalidInput
from lexicon.io import import_guard, mediafiles
from lexicon.io.ids import derive_id
from lexicon.io.safety import DEFAULT_LIMITS, Limits, check_file_size, package_file
from lexicon.io.texts import read_texts, write_text
from lexicon.media.storage import safe_file_name
from lexicon.models import Dictionary, Media, Text
from lexicon.texts import (
    clean_text,
    create_text,
    first_form,
    list_texts,
    read_text,
    update_text,
    view,
)
from lexicon.texts.store import text_dict

FORMAT = "wordkeep-texts"
VERSION = 1
FOLDER = "texts"
MANIFEST = "texts.json"
# The fields of a text that travel (the store's dates, versions and URLs do not).
TRAVELS = ("id", "title", "description", "genre", "recorded_on", "place", "speakers",
           "visibility", "circle", "status", "segments", "extra", "media")  # fmt: skip
RECORDING_DIRS = ("", "audio", "media", "sound", "sounds", FOLDER)


# ---------------------------------------------------------------------- export


def texts_for_export(*, session: Session, dictionary: Dictionary, viewer) -> list[dict]:
    """Every live text `viewer` may see (None: all), as they may see it, by title."""
    out = []
    for summary in list_texts(session=session, dictionary=dictionary, viewer=viewer):
        text = read_text(session=session, dictionary=dictionary, text_id=summary["id"],
                         viewer=viewer)  # fmt: skip
        out.append({k: copy.deepcopy(text.get(k)) for k in TRAVELS})
    return out


def package_recordings(session, dictionary, texts: list[dict], storage, folder: Path,
                       placed: dict[str, str]) -> None:  # fmt: skip
    """Copy each text's recording (the archival original) into audio/ (once per file, shared
    with the entries' media in `placed`), and make its `media` name the file there."""
    shas = {(t.get("media") or {}).get("sha256") for t in texts} - {None}
    rows = {
        r.sha256: r
        for r in session.exec(
            select(Media).where(Media.dictionary_id == dictionary.id, Media.sha256.in_(shas))
        ).scalars()
    } if shas else {}  # fmt: skip
    used = set(placed.values())
    for text in texts:
        sha = (text.get("media") or {}).get("sha256")
        row = rows.get(sha or "")
        if row is None:
            text["media"] = None
            continue
        if sha not in placed and storage is not None:
            rel = f"audio/{safe_file_name(row.original_name, row.sha256)}"
            if rel in used:
                rel = f"audio/{sha[:12]}-{Path(rel).name}"
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with storage.open(row.original_key) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
            placed[sha] = rel
            used.add(rel)
        text["media"] = {"sha256": sha, "href": placed.get(sha, ""), "mime": row.mime,
                         "duration": row.duration, "original_name": row.original_name}  # fmt: skip


def write_beside_lift(texts: list[dict], folder: Path) -> None:
    """texts/<title>.flextext for each text, and texts/texts.json with all of them."""
    if not texts:
        return
    home = folder / FOLDER
    home.mkdir(parents=True, exist_ok=True)
    names: set[str] = set()
    for text in texts:
        stem = Path(safe_file_name(first_form(text.get("title") or {}) or "", "text")).stem
        name = f"{stem or 'text'}.flextext"
        if name.lower() in names:
            name = f"{stem}-{text['id'][:8]}.flextext"
        names.add(name.lower())
        (home / name).write_bytes(write_text(text, "flextext"))
    manifest = {"format": FORMAT, "version": VERSION, "texts": texts}
    (home / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )


# ---------------------------------------------------------------------- import


@dataclass
class PackageTexts:
    """The texts a package brings, and the folder their recordings are named from."""

    texts: list[dict] = field(default_factory=list)
    base: Path | None = None
    source: str = ""  # the file they came from, for messages


def find_in_package(base: Path | None, limits: Limits = DEFAULT_LIMITS) -> PackageTexts:
    """The texts in the `texts/` folder beside a package's dictionary file: its texts.json,
    else its .flextext files (a package put together by hand from FLEx)."""
    home = Path(base) / FOLDER if base is not None else None
    if home is None or not home.is_dir():
        return PackageTexts()
    path = home / MANIFEST
    if path.is_file():
        check_file_size(path, limits)
        try:
            data = json.loads(path.read_text("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ImportRejected(f"{path.name}: not valid UTF-8 JSON ({exc})") from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ImportRejected(f'{path.name}: not a Wordkeep texts file ("format": "{FORMAT}")')
        return PackageTexts(texts_list(data.get("texts"), path.name), Path(base), path.name)
    found = sorted(p for p in home.iterdir() if p.suffix.lower() == ".flextext" and p.is_file())
    texts = [t for p in found for t in read_texts(p, "flextext", limits=limits)]
    return PackageTexts(texts, Path(base), ", ".join(p.name for p in found))


def texts_list(value, source: str) -> list[dict]:
    """A package's `texts` as a list of text objects, or ImportRejected."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise ImportRejected(f'{source}: "texts" is a list of text objects')
    return value


def _label(text: dict, index: int) -> str:
    title = first_form(text.get("title") or {}) if isinstance(text.get("title"), dict) else ""
    return f"text {index + 1}" + (f" ({title!r})" if title else "")


def check_texts(pack: PackageTexts, report=None) -> list[dict]:
    """The problems of the package's texts, as import errors (nothing is written); counts
    them into `report.texts` (lexicon.io.importer.ImportReport) when given."""
    if report is not None and pack.texts:
        report.texts = {"read": len(pack.texts), "created": 0, "updated": 0, "unchanged": 0}
    errors = []
    for i, text in enumerate(pack.texts):
        try:
            clean_text(text)
        except InvalidInput as exc:
            errors.append({"line": None, "message": f"{pack.source}: {_label(text, i)}: {exc}"})
    return errors


def predict(*, session: Session, dictionary: Dictionary, pack: PackageTexts, report) -> None:
    """A dry run's counts in `report.texts`: what the import would do with each text."""
    for text in pack.texts:
        report.texts[_fate(session, dictionary, text)] += 1


def _fate(session, dictionary, text: dict) -> str:
    """What an import would do with `text`: "created", "updated" or "unchanged" (a deleted
    one, which it leaves alone, counts as unchanged)."""
    text = _own_ids(session, dictionary, text)
    row = session.get(Text, text["id"]) if text.get("id") else None
    if row is None or row.dictionary_id != dictionary.id:
        return "created"
    sha = (text.get("media") or {}).get("sha256") if isinstance(text.get("media"), dict) else None
    if row.deleted or _same(text_dict(session, dictionary, row), text, sha):
        return "unchanged"
    return "updated"


def prepare_recordings(*, session: Session, dictionary: Dictionary, pack: PackageTexts,
                       storage, editor: str = "", report) -> list:  # fmt: skip
    """The texts' recordings made ready before the import's write transaction (decoded,
    transcoded and stored: `mediafiles.prepare_recording`), one per text in `pack.texts`: a
    sha256 the dictionary has already, a `mediafiles.Prepared`, or None (with a warning) when
    the text has none. ImportRejected when a recording is bad."""
    return [
        _recording(session, dictionary, pack, text, storage, editor, report.warnings)
        for text in pack.texts
    ]


def write_texts(*, session: Session, dictionary: Dictionary, pack: PackageTexts,
                recordings: list, editor: str = "", report,
                viewer: Viewer | None = None) -> None:  # fmt: skip
    """Store the package's texts (inside the import's transaction), counted into `report`:
    a text this dictionary has (same id) is updated when it differs, else created, with its
    recording from `prepare_recordings`. A text hidden from `viewer` is refused, and its
    segments hidden from them stay as they are (lexicon.io.import_guard)."""
    for i, text in enumerate(pack.texts):
        sha = recordings[i]
        if isinstance(sha, mediafiles.Prepared):
            mediafiles.add_prepared(session, dictionary, sha)
            sha = sha.sha256
        text = _own_ids(session, dictionary, text)
        row = session.get(Text, text["id"]) if text.get("id") else None
        try:
            if row is None or row.dictionary_id != dictionary.id:
                create_text(session=session, dictionary=dictionary, data=text, editor=editor,
                            media_sha256=sha, action="import")  # fmt: skip
                report.texts["created"] += 1
            elif viewer is not None and not _seen(session, dictionary, viewer, row):
                raise import_guard.out_of_sight("text", row.id)
            elif row.deleted:
                report.warnings.append({"line": None, "message": f"{_label(text, i)} was "
                                        "deleted in Wordkeep; the import does not bring it back"})  # fmt: skip
            elif _same(text_dict(session, dictionary, row), text, sha):
                report.texts["unchanged"] += 1
            else:
                update_text(session=session, dictionary=dictionary, text_id=row.id, data=text,
                            version=row.version, editor=editor, action="import",
                            comment="import", media_sha256=sha, viewer=viewer)  # fmt: skip
                report.texts["updated"] += 1
        except InvalidInput as exc:
            raise ImportRejected(f"{pack.source}: {_label(text, i)}: {exc}") from exc


def _seen(session, dictionary, viewer: Viewer, row: Text) -> bool:
    return view.filter_text(viewer, dictionary, text_dict(session, dictionary, row)) is not None


def _own_ids(session, dictionary, text: dict) -> dict:
    """A text whose id another dictionary holds (its own export imported elsewhere) gets ids
    derived for this dictionary, its segments too: the same zip imported again finds them."""
    old = text.get("id")
    row = session.get(Text, old) if old else None
    if row is None or row.dictionary_id == dictionary.id:
        return text
    new = derive_id("dictionary", str(dictionary.id), str(old))
    segments = [
        dict(s, id=derive_id("text", new, str(s.get("id") or i))) if isinstance(s, dict) else s
        for i, s in enumerate(text.get("segments") or [])
    ]
    extra = dict(text.get("extra") or {}, source_id=old)
    return dict(text, id=new, segments=segments, extra=extra)


def _same(current: dict, incoming: dict, sha: str | None) -> bool:
    return clean_text(current) == clean_text(incoming) and (
        (current.get("media") or {}).get("sha256") == sha
    )


def _recording(session, dictionary, pack, text: dict, storage, editor, warnings):
    """The recording of `text`: the sha256 of one this dictionary has, else its file in the
    package made ready as a text's recording (a Prepared); None (with a warning) when neither
    is there."""
    media = text.get("media") if isinstance(text.get("media"), dict) else None
    if not media:
        return None
    sha = media.get("sha256")
    if sha and mediafiles.stored(session, dictionary, sha):
        return sha
    href = media.get("href") or media.get("original_name")
    path = package_file(href, pack.base, look_in=RECORDING_DIRS) if pack.base else None
    title = first_form(text.get("title") or {}) or text.get("id")
    if path is None or storage is None:
        why = "no media storage configured" if path else "the file is not in the package"
        warnings.append({"line": None, "message": f"text {title!r}: recording "
                                f"{str(href)[:200]!r}: {why}; the text comes without it"})  # fmt: skip
        return None
    return mediafiles.prepare_recording(
        session=session, storage=storage, dictionary=dictionary, path=path, editor=editor
    )
