"""A plain transcript -> a text dict (docs/text-shape.md).

Segments are separated by blank lines. A segment is its transcription line and an optional
translation line, after an optional time line of two times in seconds or [h:]mm:ss(.mmm):

    0:02.620 - 0:07.770
    Jaboneropa ayllullaktapika, maykanpash mana urmashpaka lluchanmi.
    El Barrio del Jabonero, porque aquí el que no cae resbala.

A time line needs a colon or a decimal point in its times ('1990 - 2000' is a transcription);
"-", "–" and "-->" all separate the two times."""

from __future__ import annotations

import re
from pathlib import Path

from lexicon.io.ids import derive_id
from lexicon.io.safety import DEFAULT_LIMITS, Limits
from lexicon.io.textparts import (
    UNDETERMINED,
    TextRejected,
    blank_segment,
    blank_text,
    check_span,
    content_id,
    decode,
    read_bytes,
    round_seconds,
)

_TIME = r"(?:\d+:){0,2}\d+(?:[.,]\d+)?"
_TIME_LINE = re.compile(rf"\s*\[?\s*({_TIME})\s*(?:-->|-|–)\s*({_TIME})\s*\]?\s*")


def parse_time(value: str) -> float:
    """Seconds from '7.77', '0:07.770' or '1:00:07,77', rounded to the millisecond."""
    seconds = 0.0
    for part in value.replace(",", ".").split(":"):
        seconds = seconds * 60 + float(part)
    return round_seconds(seconds)


def time_line(line: str) -> tuple[float, float] | None:
    match = _TIME_LINE.fullmatch(line)
    if not match or not any(c in line for c in ":.,"):
        return None
    return parse_time(match.group(1)), parse_time(match.group(2))


def blocks(body: str) -> list[tuple[int, list[str]]]:
    """(first line number, lines) of each blank-line separated block."""
    found, current, first = [], [], 0
    for n, line in enumerate(body.splitlines(), 1):
        if line.strip():
            if not current:
                first = n
            current.append(line.strip())
        elif current:
            found.append((first, current))
            current = []
    if current:
        found.append((first, current))
    return found


def _segment(text_id: str, first: int, lines: list[str], name: str, wss: tuple[str, str]) -> dict:
    seg = blank_segment(derive_id(text_id, "transcript", str(first)))
    times = time_line(lines[0])
    if times:
        check_span(*times, f"{name}: line {first}")
        seg["start"], seg["end"] = times
        lines = lines[1:]
    if not lines:
        raise TextRejected(f"{name}: line {first}: a time line with no transcription under it")
    if len(lines) > 2:
        raise TextRejected(
            f"{name}: line {first}: {len(lines)} lines in one segment; a segment is a "
            f"transcription line and an optional translation line, then a blank line"
        )
    seg["text"] = {wss[0]: lines[0]}
    if len(lines) == 2:
        seg["translation"] = {wss[1]: lines[1]}
    return seg


def transcript_to_text(data: bytes, name: str, mapping: dict | None = None) -> dict:
    """A text dict from a transcript's bytes; `mapping` may name the "vernacular" and
    "analysis" writing systems (default 'und')."""
    mapping = mapping or {}
    wss = (mapping.get("vernacular") or UNDETERMINED, mapping.get("analysis") or UNDETERMINED)
    body = decode(data, name)
    if "\x00" in body:
        raise TextRejected(f"{name}: not a plain-text transcript (it holds NUL characters)")
    text = blank_text(content_id("transcript", data))
    text["segments"] = [_segment(text["id"], f, lines, name, wss) for f, lines in blocks(body)]
    if not text["segments"]:
        raise TextRejected(f"{name}: the transcript is empty")
    text["extra"] = {"transcript": {"mapping": {"vernacular": wss[0], "analysis": wss[1]}}}
    return text


def read_transcript(
    path: Path, mapping: dict | None = None, limits: Limits = DEFAULT_LIMITS
) -> dict:
    path = Path(path)
    return transcript_to_text(read_bytes(path, limits), path.name, mapping)
