"""Texts in and out: the one entry point the store, the API and the CLI call.

    read_text(path, format=None, mapping=None) -> text dict    (docs/text-shape.md)
    read_texts(path, ...) -> [text dict]                       (a FLExText file may hold more)
    texts_from_bytes(data, name, ...) -> [text dict]           (an upload held in memory)
    tier_choices(data, name) -> {"format", "tiers", "mapping"} (what the keeper picks from)
    write_text(text, format) -> bytes
    check_audio_covers(text, duration_seconds)                 (refuses a too-short recording)
    media_names(text) -> [file name]                           (the recordings an .eaf names)

Formats (FORMATS): "eaf" (ELAN), "textgrid" (Praat), "flextext" (FLEx), "transcript"
(plain text), and "readalong" (ReadAlongs Studio's XML; written only). The format is guessed from the file's extension, then from its content.
Every function here is pure: no database, no network, nothing written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from lxml import etree

from lexicon.errors import ImportRejected, InvalidInput, TooLarge, UnsupportedMedia, WordkeepError
from lexicon.io.elan.document import is_symbolic, parse_model
from lexicon.io.elan.read import eaf_to_text, tier_language
from lexicon.io.elan.read import resolve_mapping as resolve_eaf_mapping
from lexicon.io.elan.write import write_eaf
from lexicon.io.flextext.read import flextext_to_texts
from lexicon.io.flextext.write import write_flextext
from lexicon.io.readalong.write import write_readalong
from lexicon.io.safety import DEFAULT_LIMITS, Limits, package_ref_problem
from lexicon.io.textgrid.read import INTERVAL, grid_to_text, parse_grid
from lexicon.io.textgrid.read import resolve_mapping as resolve_grid_mapping
from lexicon.io.textgrid.write import write_textgrid
from lexicon.io.textparts import (
    AudioTooShort,
    TextRejected,
    check_audio_covers,
    language_of_name,
    read_bytes,
    text_end,
)
from lexicon.io.transcript.read import transcript_to_text
from lexicon.io.transcript.write import write_transcript

__all__ = [
    "FORMATS",
    "AudioTooShort",
    "TextRejected",
    "UnknownTextFormat",
    "check_audio_covers",
    "guess_format",
    "media_names",
    "read_text",
    "read_texts",
    "text_end",
    "texts_from_bytes",
    "tier_choices",
    "write_text",
]


class UnknownTextFormat(UnsupportedMedia):
    """The file is not a text format Wordkeep reads (ELAN, Praat TextGrid, FLExText, plain
    transcript), or the format asked for is not one it writes."""


def _not_read(data: bytes, name: str, mapping) -> list:
    raise UnknownTextFormat(f"{name}: ReadAlong files are written (exported), not read")


@dataclass(frozen=True)
class TextFormat:
    name: str
    label: str
    extensions: tuple[str, ...]
    media_type: str
    read: Any  # (bytes, file name, mapping) -> [text dict]
    write: Any  # text dict -> bytes


FORMATS: dict[str, TextFormat] = {
    f.name: f
    for f in (
        TextFormat(
            "eaf",
            "ELAN",
            (".eaf",),
            "application/xml",
            lambda data, name, mapping: [eaf_to_text(data, name, mapping)],
            write_eaf,
        ),
        TextFormat(
            "textgrid",
            "Praat TextGrid",
            (".textgrid",),
            "text/plain; charset=utf-8",
            lambda data, name, mapping: [grid_to_text(data, name, mapping)],
            write_textgrid,
        ),
        TextFormat(
            "flextext",
            "FLExText",
            (".flextext",),
            "application/xml",
            lambda data, name, mapping: flextext_to_texts(data, name),
            write_flextext,
        ),
        TextFormat(
            "transcript",
            "plain transcript",
            (".txt",),
            "text/plain; charset=utf-8",
            lambda data, name, mapping: [transcript_to_text(data, name, mapping)],
            write_transcript,
        ),
        TextFormat(
            "readalong",
            "ReadAlong",
            (".readalong",),
            "application/xml",
            _not_read,
            write_readalong,
        ),
    )
}
ALIASES = {
    "elan": "eaf",
    "praat": "textgrid",
    "flex": "flextext",
    "txt": "transcript",
    "text": "transcript",
}


def format_name(fmt: str) -> str:
    """The FORMATS key for a name, alias or extension ('TextGrid', '.eaf', 'txt' ...)."""
    key = (fmt or "").strip().lower().lstrip(".")
    key = ALIASES.get(key, key)
    if key not in FORMATS:
        known = ", ".join(FORMATS)
        raise UnknownTextFormat(f"unknown text format {fmt!r}; Wordkeep knows {known}")
    return key


def guess_format(name: str, data: bytes) -> str:
    """The format of a file: by its extension, else by its first kilobytes."""
    suffix = PurePosixPath(name).suffix.lower()
    for key, fmt in FORMATS.items():
        if suffix in fmt.extensions:
            return key
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = data[:8192].decode("utf-16", errors="ignore").encode("utf-8")
    if b"<ANNOTATION_DOCUMENT" in head:
        return "eaf"
    if b"<interlinear-text" in head:
        return "flextext"
    if b'Object class = "TextGrid' in head:
        return "textgrid"
    raise UnknownTextFormat(
        f"{name}: not a text format Wordkeep reads (.eaf, .TextGrid, .flextext or a .txt "
        f"transcript)"
    )


def texts_from_bytes(
    data: bytes,
    name: str,
    format: str | None = None,
    mapping: dict | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> list[dict]:
    """Every text in a file's bytes (an upload held in memory); `name` is the file's name, for
    the format's guess and the messages."""
    if len(data) > limits.max_file_bytes:
        raise TooLarge(
            f"{name}: {len(data):,} bytes is over the import limit of {limits.max_file_bytes:,} bytes"
        )
    key = format_name(format) if format else guess_format(name, data)
    texts = FORMATS[key].read(data, name, mapping)
    if not texts:
        raise TextRejected(f"{name}: the file holds no text")
    _title_from_name(texts, name)
    return texts


def _title_from_name(texts: list[dict], name: str) -> None:
    """A text its file gives no title (ELAN, TextGrid and plain transcripts have none) is
    titled by the file's name, in its transcription's writing system: a keeper who brings ten
    recordings' transcripts finds each by its file's name, not ten "Untitled text"."""
    untitled = [t for t in texts if not any((t.get("title") or {}).values())]
    stem = Path(name).stem.strip()
    for n, text in enumerate(untitled, 1):
        lang = next((k for s in text.get("segments") or [] for k in s.get("text") or {}), "und")
        text["title"] = {lang: stem if len(untitled) == 1 else f"{stem} {n}"}


def read_texts(
    path: Path,
    format: str | None = None,
    mapping: dict | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> list[dict]:
    """Every text in the file at `path` (one, except for a FLExText file with several).

    `mapping` picks the tiers (ELAN, TextGrid) and writing systems: {"transcription": tier,
    "translation": tier or None | "translations": {ws: tier}, "vernacular": ws,
    "analysis": ws}; what is not given is defaulted (docs/text-shape.md)."""
    path = Path(path)
    return texts_from_bytes(read_bytes(path, limits), path.name, format, mapping, limits)


def tier_choices(data: bytes, name: str, format: str | None = None) -> dict:
    """What a keeper picks the mapping from, before importing: {"format", "tiers": [{"id",
    "parent", "linguistic_type", "participant", "annotations", "time_aligned", "symbolic",
    "language"}], "mapping": the default}. Formats without tiers give no tiers."""
    key = format_name(format) if format else guess_format(name, data)
    if key == "eaf":
        model = parse_model(data, name)
        tiers = [
            {
                "id": t["attrs"]["TIER_ID"],
                "parent": t["attrs"].get("PARENT_REF"),
                "linguistic_type": t["attrs"].get("LINGUISTIC_TYPE_REF"),
                "participant": t["attrs"].get("PARTICIPANT"),
                "annotations": len(t["align"]) + len(t["ref"]),
                "time_aligned": not is_symbolic(model, t),
                "symbolic": is_symbolic(model, t),
                "language": tier_language(model, t),
            }
            for t in model["tiers"]
        ]
        return {"format": key, "tiers": tiers, "mapping": resolve_eaf_mapping(model, None, name)}
    if key == "textgrid":
        grid = parse_grid(data, name)
        tiers = [
            {
                "id": t["name"],
                "parent": None,
                "linguistic_type": t["class"],
                "participant": None,
                "annotations": sum(1 for e in t["entries"] if e[-1] != ""),
                "time_aligned": t["class"] == INTERVAL,
                "symbolic": False,
                "language": language_of_name(t["name"]),
            }
            for t in grid["tiers"]
        ]
        return {"format": key, "tiers": tiers, "mapping": resolve_grid_mapping(grid, None, name)}
    return {"format": key, "tiers": [], "mapping": {}}


def read_text(
    path: Path,
    format: str | None = None,
    mapping: dict | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> dict:
    """The text in the file at `path` (see `read_texts`); refused when it holds several."""
    texts = read_texts(path, format, mapping, limits)
    if len(texts) > 1:
        raise ImportRejected(
            f"{Path(path).name}: the file holds {len(texts)} texts; import them one by one "
            f"(read_texts) or export one text from FLEx"
        )
    return texts[0]


def write_text(text: dict, format: str) -> bytes:
    """The file of `text` in `format` (a FORMATS key or alias). Refused (InvalidInput) when a
    segment lacks the times the format needs, or when what was kept in `extra.<format>` has
    been damaged (remove it to export a fresh file)."""
    key = format_name(format)
    try:
        return FORMATS[key].write(text)
    except WordkeepError:
        raise
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, etree.LxmlError) as exc:
        raise InvalidInput(
            f"{FORMATS[key].label} export: the parts kept in extra.{key} do not hold together "
            f"({type(exc).__name__}: {exc}); remove extra.{key} to export a fresh file"
        ) from exc


def media_names(text: dict) -> list[str]:
    """The recordings a text's file names (ELAN's media descriptors), as file names to look
    for inside the same upload; a URL or a path leading out is never returned."""
    model = (text.get("extra") or {}).get("elan") or {}
    names = []
    for media in model.get("media", []):
        for key in ("RELATIVE_MEDIA_URL", "MEDIA_URL"):
            value = (media.get(key) or "").removeprefix("./")
            if value.lower().startswith("file:"):
                value = value.replace("\\", "/").rsplit("/", 1)[-1]
            if value and not package_ref_problem(value) and value not in names:
                names.append(value)
    return names
