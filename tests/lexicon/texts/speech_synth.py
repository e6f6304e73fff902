"""Speech with known word times for the alignment tests and bench/align.py: each word spoken by
espeak-ng on its own, its leading and trailing silence trimmed, and the words joined with a
given pause (0: one word straight after the other), so every word's start and end are known to
the sample. Needs the `espeak-ng` program (Debian's package; scripts/install.sh --test)."""

from __future__ import annotations

import array
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

QUIET = 1000  # |sample| at or below this (3% of full scale), at either end of a word, is silence


def espeak_word(word: str, voice: str, folder: Path) -> tuple[array.array, int]:
    if shutil.which("espeak-ng") is None:
        raise RuntimeError("espeak-ng is not installed (scripts/install.sh --test installs it)")
    path = folder / "word.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(path), word], check=True)
    with wave.open(str(path)) as wav:
        rate = wav.getframerate()
        samples = array.array("h", wav.readframes(wav.getnframes()))
    first = next((i for i, s in enumerate(samples) if abs(s) > QUIET), 0)
    last = len(samples) - next((i for i, s in enumerate(reversed(samples)) if abs(s) > QUIET), 0)
    return samples[first:last], rate


def build(sentences: list[tuple[list[str], float]], path: Path, voice: str = "es",
          between: float = 0.8) -> list[dict]:  # fmt: skip
    """Write `sentences` ((words, pause between words) each), `between` seconds apart, with
    `between` / 2 of silence at both ends, to the WAV `path`. Returns per sentence
    {"start", "end", "words": [(word, start, end)]} in seconds."""
    pcm, rate, out = array.array("h"), 22050, []
    with tempfile.TemporaryDirectory(prefix="wordkeep-espeak-") as tmp:
        for n, (words, pause) in enumerate(sentences):
            pcm += array.array("h", bytes(2 * int((between if n else between / 2) * rate)))
            timed = []
            for k, word in enumerate(words):
                samples, rate = espeak_word(word, voice, Path(tmp))
                if k:
                    pcm += array.array("h", bytes(2 * int(pause * rate)))
                start = len(pcm) / rate
                pcm += samples
                timed.append((word, round(start, 3), round(len(pcm) / rate, 3)))
            out.append({"start": max(0.0, round(timed[0][1] - 0.2, 3)),
                        "end": round(timed[-1][2] + 0.2, 3), "words": timed})  # fmt: skip
        pcm += array.array("h", bytes(2 * int(between / 2 * rate)))
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())
    return out


def within(truth: list[tuple], found: list[tuple], tolerance: float = 0.1) -> float:
    """The share of true word boundaries (starts and ends) found within `tolerance` seconds:
    `truth` and `found` are (start, end) per word, in the same order (None: not found)."""
    pairs = [(t, f) for (ts, te), (fs, fe) in zip(truth, found, strict=True)
             for t, f in ((ts, fs), (te, fe))]  # fmt: skip
    return sum(f is not None and abs(t - f) <= tolerance for t, f in pairs) / len(pairs)
