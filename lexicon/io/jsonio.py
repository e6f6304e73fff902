"""The whole dictionary as JSON, in the API's entry shape (docs/entry-shape.md)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from lexicon.errors import ImportRejected
from lexicon.io.safety import DEFAULT_LIMITS, Limits, check_file_size, nfc
from lexicon.shape.entry import audio_refs, iter_media

FORMAT = "wordkeep-dictionary"
VERSION = 1


@dataclass
class JsonDocument:
    dictionary: dict = field(default_factory=dict)
    entries: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    media: list[dict] = field(default_factory=list)
    texts: list = field(default_factory=list)  # the document's "texts", checked by the importer


def nfc_deep(value):
    """NFC-normalise every string (keys too) inside a JSON value."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [nfc_deep(v) for v in value]
    if isinstance(value, dict):
        return {nfc(k): nfc_deep(v) for k, v in value.items()}
    return value


def dump_dictionary(dictionary: dict, entries: list[dict], texts: list[dict] | None = None) -> dict:
    out = {"format": FORMAT, "version": VERSION, "dictionary": dictionary, "entries": entries}
    if texts:
        out["texts"] = texts  # docs/text-shape.md; recordings under audio/ (media.href)
    return out


def write_json(
    dictionary: dict, entries: list[dict], dest, texts: list[dict] | None = None
) -> Path:
    """Write `{"format", "version", "dictionary", "entries"[, "texts"]}` as UTF-8 JSON."""
    dest = Path(dest)
    with open(dest, "w", encoding="utf-8") as fh:
        json.dump(
            dump_dictionary(dictionary, entries, texts),
            fh,
            ensure_ascii=False,
            indent=1,
            default=str,
        )
    return dest


def read_json(path, *, limits: Limits = DEFAULT_LIMITS) -> JsonDocument:
    """Read a Wordkeep JSON export, an API list (`{"items": [...]}`) or a bare list of entries."""
    path = Path(path)
    check_file_size(path, limits)
    try:
        data = json.loads(path.read_text("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportRejected(f"{path.name}: not valid UTF-8 JSON ({exc})") from exc
    data = nfc_deep(data)
    if isinstance(data, list):
        data = {"entries": data}
    if not isinstance(data, dict):
        raise ImportRejected(f"{path.name}: expected a JSON object or list of entries")
    entries = data.get("entries", data.get("items"))
    if not isinstance(entries, list):
        raise ImportRejected(f'{path.name}: no "entries" list')
    doc = JsonDocument(dictionary=data.get("dictionary") or {}, texts=data.get("texts") or [])
    for i, e in enumerate(entries):
        if not isinstance(e, dict) or not isinstance(e.get("headword"), dict) or not e["headword"]:
            raise ImportRejected(f"{path.name}: entry {i + 1} has no headword object")
        if not e.get("id"):  # a list from another tool: a new entry
            e["id"] = str(uuid.uuid4())
        elif not isinstance(e["id"], str):
            raise ImportRejected(f"{path.name}: entry {i + 1}: id must be a string")
        doc.entries.append(e)
        doc.media += _package_refs(e)
    return doc


def _package_refs(entry: dict) -> list[dict]:
    """The files an entry names inside the package (our export's `media.href`, as
    `audio/x.wav`; a recording in an audio writing system by its `audio_href`), looked up
    there by the importer like any format's (lexicon.io.sources.resolve_media); a server URL
    is never one. Media named only by sha256 are those the dictionary stores already."""
    refs = []
    for kind, part in iter_media(entry):
        href = part["media"].get("href") if isinstance(part["media"], dict) else None
        if isinstance(href, str) and href:
            refs.append({"kind": "image" if kind == "picture" else "audio", "href": href})
    for ref in audio_refs(entry):
        if isinstance(ref.get("audio_href"), str) and ref["audio_href"]:
            refs.append({"kind": "audio", "href": ref["audio_href"]})
    return refs
