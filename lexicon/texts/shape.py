"""A text as plain data (docs/text-shape.md): checking and tidying what a reader, a form or
the API hands in, before the store keeps it. No database."""

from __future__ import annotations

import math
import uuid

from lexicon.errors import InvalidInput
from lexicon.shape.schemas import nfc_deep

VISIBILITIES = ("public", "community", "restricted")
STATUSES = ("draft", "needs_review", "published")
SPEAKER_FLAGS = ("consent_publish", "consent_speech_tools", "speaker_named")


def _multitext(value, where: str) -> dict:
    if value is None:
        return {}
    if isinstance(value, str):
        raise InvalidInput(f"{where}: a multitext is an object keyed by writing system")
    if not isinstance(value, dict):
        raise InvalidInput(f"{where}: a multitext is an object keyed by writing system")
    out = {}
    for ws, form in value.items():
        if not isinstance(ws, str) or not ws or not isinstance(form, str):
            raise InvalidInput(f"{where}: each form is a writing system and its text")
        if form:
            out[ws] = form
    return out


def _scope(data: dict, where: str) -> tuple[str, str | None]:
    visibility = data.get("visibility") or "public"
    if visibility not in VISIBILITIES:
        raise InvalidInput(f"{where}visibility: one of {', '.join(VISIBILITIES)}")
    circle = data.get("circle") or None
    if circle is not None and not isinstance(circle, str):
        raise InvalidInput(f"{where}circle: a circle's name")
    return visibility, circle


def seconds(value, where: str) -> float | None:
    """A time in seconds, rounded to milliseconds (None stays None)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidInput(f"{where}: a time in seconds")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{where}: {value!r} is not a time in seconds") from None
    if not math.isfinite(number) or number < 0:
        raise InvalidInput(f"{where}: {value!r} is not a time in seconds")
    return round(number, 3)


def _speaker(value, index: int) -> dict:
    where = f"speakers.{index}"
    if not isinstance(value, dict) or not str(value.get("code") or "").strip():
        raise InvalidInput(f"{where}.code: each speaker has a code segments point at")
    out = dict(value)
    out["code"] = str(value["code"]).strip()
    out["name"] = str(value.get("name") or "")
    for flag in SPEAKER_FLAGS:
        out[flag] = bool(value.get(flag, flag == "speaker_named"))
    return out


def _segment(value, index: int, codes: set[str]) -> dict:
    where = f"segments.{index}"
    if not isinstance(value, dict):
        raise InvalidInput(f"{where}: a segment is an object")
    start = seconds(value.get("start"), f"{where}.start")
    end = seconds(value.get("end"), f"{where}.end")
    if (start is None) != (end is None):
        raise InvalidInput(f"{where}: a segment has both a start and an end, or neither")
    if start is not None and end < start:
        raise InvalidInput(f"{where}: it ends ({end} s) before it starts ({start} s)")
    speaker = value.get("speaker") or None
    if speaker is not None and speaker not in codes:
        raise InvalidInput(f"{where}.speaker: {speaker!r} is not one of the text's speakers")
    visibility, circle = _scope(value, f"{where}.")
    words = value.get("words") or []
    extra = value.get("extra") or {}
    if not isinstance(words, list) or not all(isinstance(w, dict) for w in words):
        raise InvalidInput(f"{where}.words: a list of words")
    if not isinstance(extra, dict):
        raise InvalidInput(f"{where}.extra: an object")
    return {
        "id": str(value.get("id") or uuid.uuid4()),
        "start": start,
        "end": end,
        "speaker": speaker,
        "text": _multitext(value.get("text"), f"{where}.text"),
        "translation": _multitext(value.get("translation"), f"{where}.translation"),
        "visibility": visibility,
        "circle": circle,
        "words": words,
        "extra": extra,
    }


def clean_text(data: dict) -> dict:
    """The text's fields as the store keeps them (every string NFC), or InvalidInput naming
    the first thing wrong. Server-owned fields (id, version, media, dates) are left out."""
    if not isinstance(data, dict):
        raise InvalidInput("a text is an object")
    data = nfc_deep(data)
    for key in ("speakers", "segments"):
        if not isinstance(data.get(key) or [], list):
            raise InvalidInput(f"{key}: a list")
    speakers = [_speaker(s, i) for i, s in enumerate(data.get("speakers") or [])]
    codes = {s["code"] for s in speakers}
    if len(codes) != len(speakers):
        raise InvalidInput("speakers: two speakers share a code")
    segments = [_segment(s, i, codes) for i, s in enumerate(data.get("segments") or [])]
    if len({s["id"] for s in segments}) != len(segments):
        raise InvalidInput("segments: two segments share an id")
    visibility, circle = _scope(data, "")
    status = data.get("status") or "published"
    if status not in STATUSES:
        raise InvalidInput(f"status: one of {', '.join(STATUSES)}")
    extra = data.get("extra") or {}
    if not isinstance(extra, dict):
        raise InvalidInput("extra: an object")
    for key in ("genre", "recorded_on", "place"):
        if not isinstance(data.get(key) or "", str):
            raise InvalidInput(f"{key}: text")
    recorded_on = str(data.get("recorded_on") or "")
    return {
        "title": _multitext(data.get("title"), "title"),
        "description": _multitext(data.get("description"), "description"),
        "genre": str(data.get("genre") or ""),
        "recorded_on": recorded_on,
        "place": str(data.get("place") or ""),
        "speakers": speakers,
        "visibility": visibility,
        "circle": circle,
        "status": status,
        "segments": segments,
        "extra": extra,
    }


def text_end(text: dict) -> float | None:
    """When the last annotation ends (None: no times)."""
    ends = [s["end"] for s in text.get("segments") or [] if s.get("end") is not None]
    for segment in text.get("segments") or []:
        ends += [
            w["end"] for w in segment.get("words") or [] if isinstance(w.get("end"), int | float)
        ]
    return max(ends) if ends else None


def first_form(multitext: dict | None) -> str:
    """The first form of a multitext ("" if none): a title to show."""
    return next((v for v in (multitext or {}).values() if v), "")
