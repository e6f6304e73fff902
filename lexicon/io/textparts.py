"""What every text reader and writer shares (docs/text-shape.md): the blank text and segment,
times (ELAN's milliseconds and TextGrid's seconds <-> the dict's seconds), the checks on
times, and reading an upload's bytes within the size limit. No database, no format."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

from lexicon.errors import ImportRejected, InvalidInput
from lexicon.io.ids import derive_id
from lexicon.io.safety import DEFAULT_LIMITS, Limits, check_file_size, nfc
from lexicon.languages import exact_language, language

UNDETERMINED = "und"


class TextRejected(ImportRejected):
    """A text file was refused (broken, or its times or tiers do not hold together); nothing
    was written. The message names the file and the line, tier or segment."""


class AudioTooShort(InvalidInput):
    """The recording ends before the text's last annotation."""


def blank_text(text_id: str) -> dict:
    """A text with every field of docs/text-shape.md and nothing in it."""
    return {
        "id": text_id,
        "version": None,
        "title": {},
        "genre": "",
        "description": {},
        "recorded_on": "",
        "place": "",
        "speakers": [],
        "visibility": "public",
        "circle": None,
        "status": "draft",
        "media": None,
        "segments": [],
        "extra": {},
    }


def blank_segment(segment_id: str) -> dict:
    return {
        "id": segment_id,
        "start": None,
        "end": None,
        "speaker": None,
        "text": {},
        "translation": {},
        "visibility": "public",
        "circle": None,
        "words": [],
        "extra": {},
    }


def speaker(code: str) -> dict:
    """A speaker named by a file: consent is never presumed (the keeper records it)."""
    return {
        "code": code,
        "name": code,
        "consent_publish": False,
        "consent_speech_tools": False,
        "speaker_named": True,
    }


def language_of_name(name: str | None) -> str:
    """The writing system a tier's name spells: a language name ("Spanish" -> es) or code
    in lower case ("es", "spa" -> es); else 'und' (undetermined)."""
    name = (name or "").strip()
    if len(name) <= 3:  # a code, written in lower case ('Ana' is a speaker, not Andaqui)
        found = language(name) if name.isalpha() and name.islower() else None
    else:
        found = exact_language(name)
    return found.tag if found else UNDETERMINED


def read_bytes(path: Path, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The file's bytes, refused (TooLarge) over the import limit."""
    path = Path(path)
    check_file_size(path, limits)
    return path.read_bytes()


def decode(data: bytes, name: str) -> str:
    """Text in UTF-8 (with or without BOM) or UTF-16 with a BOM, NFC; refused otherwise."""
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        return nfc(data.decode(encoding))
    except UnicodeDecodeError as exc:
        raise TextRejected(
            f"{name}: not UTF-8 or UTF-16 text (byte {exc.start} cannot be decoded)"
        ) from exc


def content_id(fmt: str, data: bytes) -> str:
    """A stable id for a text its file gives no id: the same file gives the same id."""
    return derive_id("text", fmt, hashlib.sha256(data).hexdigest())


# ---------------------------------------------------------------------------- times
def ms_to_seconds(ms: int | None) -> float | None:
    """ELAN's integer milliseconds as the dict's seconds; `seconds_to_ms` gives them back."""
    return None if ms is None else ms / 1000


def seconds_to_ms(seconds: float | None) -> int | None:
    return None if seconds is None else round(seconds * 1000)


def round_seconds(seconds: float | None) -> float | None:
    """Seconds rounded to the millisecond, as the dict keeps them."""
    return None if seconds is None else round(seconds * 1000) / 1000


def check_span(start, end, where: str) -> None:
    """Refuse a negative, non-finite or backwards time span; `where` names its place."""
    for label, value in (("start", start), ("end", end)):
        if value is None:
            continue
        if not isinstance(value, int | float) or not math.isfinite(value):
            raise TextRejected(f"{where}: {label} time {value!r} is not a number")
        if value < 0:
            raise TextRejected(f"{where}: {label} time {value} is negative")
    if start is not None and end is not None and end < start:
        raise TextRejected(f"{where}: ends ({end}) before it starts ({start})")


def check_no_overlap(spans: list[tuple[float, float, str]], what: str) -> None:
    """Refuse spans (start, end, place) of one tier that overlap each other."""
    timed = sorted((s, e, w) for s, e, w in spans if s is not None and e is not None)
    for (s1, e1, w1), (s2, _e2, w2) in zip(timed, timed[1:], strict=False):
        if s2 < e1:
            raise TextRejected(f"{what}: {w1} ({s1}-{e1}) overlaps {w2}, which starts at {s2}")


def _kept_ends(extra: dict) -> list[float]:
    """When the annotations a format kept beside the segments end (ELAN's other tiers,
    TextGrid's other intervals and points), in seconds."""
    ends = []
    elan = extra.get("elan") or {}
    slots = dict(elan.get("time_slots") or [])
    for tier in elan.get("tiers") or []:
        for ann in tier.get("align") or []:
            ends.extend(slots[ts] / 1000 for ts in ann[1:3] if slots.get(ts) is not None)
    for tier in (extra.get("textgrid") or {}).get("tiers") or []:
        ends.extend(e[-2] for e in tier.get("entries") or [] if e[-1] != "")
    return ends


def text_end(text: dict) -> float | None:
    """The latest time any annotation of the text reaches, in seconds: its segments and
    words, and the tiers its format kept beside them."""
    ends = []
    for seg in text.get("segments") or []:
        ends.extend(seg[k] for k in ("start", "end") if isinstance(seg.get(k), int | float))
        for word in seg.get("words") or []:
            ends.extend(word[k] for k in ("start", "end") if isinstance(word.get(k), int | float))
    ends.extend(_kept_ends(text.get("extra") or {}))
    return max(ends) if ends else None


def check_audio_covers(text: dict, duration_seconds: float | None) -> None:
    """Refuse (AudioTooShort) a recording that ends before the text's last annotation.

    A millisecond of slack allows for rounding in the recording's own header; a text with
    no times fits any recording."""
    end = text_end(text)
    if end is None:
        return
    if duration_seconds is None or not math.isfinite(duration_seconds):
        raise AudioTooShort("the recording's length cannot be read, so the times cannot be checked")
    if duration_seconds + 0.001 < end:
        raise AudioTooShort(
            f"the recording is {duration_seconds:.3f} s long, but the text's annotations run to "
            f"{end:.3f} s; upload the whole recording"
        )


def timed_segments(text: dict, fmt: str) -> list[dict]:
    """The segments, each with start and end; refuse (InvalidInput) a segment without times,
    which a time-aligned format cannot hold."""
    segments = text.get("segments") or []
    for n, seg in enumerate(segments, 1):
        if seg.get("start") is None or seg.get("end") is None:
            raise InvalidInput(
                f"{fmt} needs a start and an end time on every segment; segment {n} has none "
                f"(export as FLExText or give it times)"
            )
        check_span(seg["start"], seg["end"], f"segment {n}")
    return segments


def first_value(multitext: dict | None, preferred: str | None = None) -> str:
    """The text in `preferred` writing system, else the first one, else ''."""
    if not multitext:
        return ""
    if preferred and preferred in multitext:
        return multitext[preferred] or ""
    return next(iter(multitext.values())) or ""
