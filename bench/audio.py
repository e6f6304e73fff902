"""Transcoding throughput: seconds of audio handled per second of work.

Run: `python bench/audio.py [--repeat N]`. For each clip it times the upload path
(probe_audio: full decode and checks; make_web_derivative: trim, loudnorm, MP3) and, as a baseline
measured in the same run on the same machine, a plain decode of the same file.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lexicon.media import audio  # noqa: E402

CLIPS = [
    # (label, file name, muxer, encoder, lead, tone, tail)
    ("5 s WebM/Opus", "clip.webm", "webm", "libopus", 0.5, 4.0, 0.5),
    ("60 s WAV", "clip.wav", "wav", "pcm_s16le", 1.0, 58.0, 1.0),
]


def best_of(repeat: int, work) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(
            f"{'clip':<15} {'decode x':>9} {'probe x':>9} {'derive x':>9} {'upload x':>9} "
            f"{'vs decode':>9}  (x = seconds of audio per second of work, median of "
            f"{args.repeat})"
        )
        for label, name, muxer, codec, lead, tone, tail in CLIPS:
            src = folder / name
            audio.write_tone(src, container=muxer, codec=codec, lead=lead, tone=tone, tail=tail)
            seconds = lead + tone + tail
            dst = folder / "web.mp3"
            decode = best_of(args.repeat, lambda src=src: audio.measure_duration(src))
            probe = best_of(args.repeat, lambda src=src: audio.probe_audio(src))
            derive = best_of(
                args.repeat, lambda src=src, dst=dst: audio.make_web_derivative(src, dst)
            )
            upload = probe + derive
            print(
                f"{label:<15} {seconds / decode:>9.0f} {seconds / probe:>9.0f} "
                f"{seconds / derive:>9.0f} {seconds / upload:>9.0f} {upload / decode:>8.1f}x"
            )


if __name__ == "__main__":
    main()
