"""A text's waveform as peaks (issue 23): the lowest and highest sample of each bucket of the
recording, computed once by the server and kept in storage beside the recording
(`audio/peaks/...`, a cache: the orphan sweep may remove it, and it is computed again when asked).

The JSON is audiowaveform's (version 2, which peaks.js and wavesurfer.js read as they are):
`{"version": 2, "channels": 1, "sample_rate": 16000, "samples_per_pixel": 160, "bits": 8,
"length": n, "data": [min0, max0, min1, max1, ...]}` with 8-bit values (-128..127), plus
`"duration"` (seconds) and `"per_second"` (buckets per second, the resolution asked for).

Access is the recording's: only a viewer who may hear the whole recording (the text and every
segment visible to them; `view.filter_text` keeps its `media`) gets its waveform."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from lexicon.accounts.access import Viewer
from lexicon.errors import InvalidInput, NotFound
from lexicon.media.storage import Storage
from lexicon.models import Dictionary
from lexicon.texts import store, view
from lexicon.texts.segmenting import RATE, decode, fetch, recording_row

PEAKS_PROFILE = "peaks-v1"  # part of cached peaks' keys: change it when the recipe changes
RESOLUTIONS = (10, 20, 25, 50, 100, 200)  # buckets per second a client may ask for
DEFAULT_RESOLUTION = 100


class PeaksNotFound(NotFound):
    """No waveform the viewer may see: no text, no recording, or some of it hidden."""


def peaks_key(sha256: str, per_second: int) -> str:
    return f"audio/peaks/{sha256[:2]}/{sha256}.{per_second}.{PEAKS_PROFILE}.json"


def compute_peaks(path: str | Path, per_second: int = DEFAULT_RESOLUTION) -> dict:
    """The waveform of the recording at `path`, `per_second` buckets a second."""
    if per_second not in RESOLUTIONS:
        raise InvalidInput(f"per_second: one of {', '.join(map(str, RESOLUTIONS))}")
    size = RATE // per_second
    data: list[int] = []
    pending, samples = [], 0
    for chunk in decode(path):
        samples += len(chunk)
        pending.extend(chunk)
        whole = len(pending) // size * size
        for at in range(0, whole, size):
            bucket = pending[at : at + size]
            data += (_byte(min(bucket)), _byte(max(bucket)))
        del pending[:whole]
    if pending:
        data += (_byte(min(pending)), _byte(max(pending)))
    return {
        "version": 2, "channels": 1, "sample_rate": RATE, "samples_per_pixel": size,
        "bits": 8, "length": len(data) // 2, "per_second": per_second,
        "duration": round(samples / RATE, 3), "data": data,
    }  # fmt: skip


def _byte(sample: float) -> int:
    return max(-128, min(127, round(sample * 127)))


def text_peaks(
    *,
    session,
    storage: Storage,
    dictionary: Dictionary,
    viewer: Viewer | None,
    text_id: str,
    per_second: int = DEFAULT_RESOLUTION,
) -> bytes:
    """The text's waveform as JSON bytes, if the viewer may hear its whole recording;
    computed on the first ask and then read from storage."""
    if per_second not in RESOLUTIONS:
        raise InvalidInput(f"per_second: one of {', '.join(map(str, RESOLUTIONS))}")
    try:
        text = store.read_text(session=session, dictionary=dictionary, text_id=text_id)
    except store.TextNotFound:
        raise PeaksNotFound(f"no waveform for text {text_id}") from None
    seen = view.filter_text(viewer, dictionary, text) if viewer is not None else text
    if seen is None or not seen.get("media"):
        raise PeaksNotFound(f"no waveform for text {text_id}")
    try:
        media = recording_row(session, dictionary, text)
    except NotFound:
        raise PeaksNotFound(f"no waveform for text {text_id}") from None
    key = peaks_key(media.sha256, per_second)
    source = media.original_key
    session.rollback()  # no transaction stays open while the recording is decoded
    if not storage.exists(key):
        with tempfile.TemporaryDirectory(prefix="wordkeep-peaks-") as tmp:
            peaks = compute_peaks(fetch(storage, source, Path(tmp, "recording")), per_second)
            out = Path(tmp, "peaks.json")
            out.write_text(json.dumps(peaks, separators=(",", ":")), "utf-8")
            storage.put(key, out, content_type="application/json")
    with storage.open(key) as stored:
        return stored.read()
