"""A text dict -> a plain transcript (the format `transcript.read` reads): per segment an
optional time line, the transcription and the first translation, then a blank line."""

from __future__ import annotations

from lexicon.io.textparts import first_value


def format_time(seconds: float) -> str:
    """'m:ss.mmm' (or 'h:mm:ss.mmm'), exact to the millisecond."""
    ms = round(seconds * 1000)
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    head = f"{hours}:{minutes:02d}" if hours else f"{minutes}"
    return f"{head}:{secs:02d}.{millis:03d}"


def write_transcript(text: dict) -> bytes:
    mapping = ((text.get("extra") or {}).get("transcript") or {}).get("mapping") or {}
    blocks = []
    for seg in text.get("segments") or []:
        lines = []
        if seg.get("start") is not None and seg.get("end") is not None:
            lines.append(f"{format_time(seg['start'])} - {format_time(seg['end'])}")
        lines.append(" ".join(first_value(seg.get("text"), mapping.get("vernacular")).split()))
        translation = first_value(seg.get("translation"), mapping.get("analysis"))
        if translation:
            lines.append(" ".join(translation.split()))
        blocks.append("\n".join(lines))
    return ("\n\n".join(blocks) + "\n").encode("utf-8")
