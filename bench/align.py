"""Word alignment (issue 23): speed as a ratio to the recording's duration (goal >= 2x real
time, one core, decoding and g2p included) and word boundary accuracy (goal >= 80% of word
starts and ends within 100 ms) on espeak-ng speech with known word times, with pauses between
words and with none, and on praatio's English "bobby" and "mary" recordings against their human word times.

    .venv/bin/python bench/align.py

The first row's speed includes loading g2p's mappings (a few seconds, once per process).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lexicon.texts import aligning, phones  # noqa: E402
from tests.lexicon.texts.speech_synth import build, within  # noqa: E402

KICHWA = "shuk punllaka wasiman rirkani mamaka mikhunata yanuykan".split(" ")  # noqa: SIM905
WORDS = "the old man walked to the river every morning and carried water home".split(" ")  # noqa: SIM905
BOBBY = Path(__file__).resolve().parents[2] / "shared" / "data" / "texts-praatio-en"


def measure(aligner, mapper, wav: Path, truth: list[dict]) -> tuple[float, float, float]:
    """(seconds of audio, seconds taken, share of boundaries within 100 ms)."""
    started = time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        pcm_path = Path(tmp, "pcm")
        seconds = aligning.decode_pcm(wav, pcm_path)
        expected, found = [], []
        for sentence in truth:
            segment = {"start": sentence["start"], "end": sentence["end"]}
            words = [{"text": w} for w, _, _ in sentence["words"]]
            pcm = aligning.read_pcm(pcm_path, segment["start"], segment["end"])
            done, _, _, _ = aligning.align_segment(aligner, mapper, pcm, segment, words)
            found += [(w.get("start"), w.get("end")) for w in done]
            expected += [(s, e) for _, s, e in sentence["words"]]
    return seconds, time.process_time() - started, within(expected, found)


def human(wav: str, grid: str) -> tuple[Path, list[dict]] | None:
    """A praatio example recording with its human word times (tier "word")."""
    from praatio import textgrid

    if not (BOBBY / wav).exists():
        return None
    entries = textgrid.openTextgrid(str(BOBBY / grid), False).getTier("word").entries
    words = [(e.label, e.start, e.end) for e in entries if e.label.strip()]
    return BOBBY / wav, [{"start": max(0.0, words[0][1] - 0.1),
                          "end": words[-1][2] + 0.1, "words": words}]  # fmt: skip


def main() -> None:
    aligner, english = aligning.Aligner(), phones.Phonetiser(language="eng")
    undetermined = phones.Phonetiser()
    print(f"{'recording':34} {'audio s':>8} {'x real time':>12} {'within 100 ms':>14}")
    with tempfile.TemporaryDirectory() as tmp:
        cases = []
        for pause in (0.3, 0.0):
            wav = Path(tmp, f"espeak-{pause}.wav")
            halves = [(WORDS[:7], pause), (WORDS[7:], pause)]
            cases.append((f"espeak-ng en, pauses {pause} s, eng", wav, build(halves, wav, "en-us"),
                           english))  # fmt: skip
            cases.append((f"espeak-ng en, pauses {pause} s, und", wav, cases[-1][2],
                           undetermined))  # fmt: skip
        for pause in (0.3, 0.0):  # a language g2p does not know, spelled as it sounds
            wav = Path(tmp, f"kichwa-{pause}.wav")
            halves = [(KICHWA[:4], pause), (KICHWA[4:], pause)]
            cases.append((f"espeak-ng es Kichwa, {pause} s, und", wav, build(halves, wav, "es"),
                          undetermined))  # fmt: skip
        for wav, grid in (("bobby.wav", "bobby_words.TextGrid"), ("mary.wav", "mary.TextGrid")):
            real = human(wav, grid)
            if real is not None:
                cases.append((f"praatio {wav} (human times)", *real, english))
        for label, wav, truth, mapper in cases:
            seconds, taken, share = measure(aligner, mapper, wav, truth)
            print(f"{label:34} {seconds:8.2f} {seconds / taken:11.1f}x {share:13.0%}")


if __name__ == "__main__":
    main()
