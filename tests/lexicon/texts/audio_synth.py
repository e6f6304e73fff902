"""Known-boundary recordings for the segmenting tests and bench/segment.py: voiced bursts
(a pulse train at 100-180 Hz through three vowel formants, a new vowel every 220 ms), white
noise, a pure tone and digital silence, concatenated at known times, written as 16-bit WAV.
Pure Python (no numpy): about a second to make ten seconds.

`spoken` makes real synthetic speech with espeak-ng (Debian's `espeak-ng`, which
scripts/install.sh --test installs): sentences one after another, with pauses or none, and
each sentence's true start and end where its sound begins and ends."""

from __future__ import annotations

import array
import math
import random
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

RATE = 16000
# Kichwa sentences (unified orthography) read by espeak-ng's Quechua voice: not Kichwa as a
# person speaks it, but speech with syllables, stops, fricatives and a comma's pause.
SENTENCES = ("Shuk punllaka wasiman rirkani.", "Mamaka mikhunata yanuykan.",
             "Wawakunaka pukllankapak llukshirkakuna.", "Kaya punchaka tamyanka.",
             "Ñukaka yachachik kani.", "Allku wasi ukupi puñukun.",
             "Taytaka chakraman llamkankapak rirka.", "Kanpak shutika imatak kan?",
             "Yakuta upyashpa samarirkani.", "Kayakaman, alli tuta kachun.")  # fmt: skip
VOWELS = ((700, 1200, 2500), (300, 2300, 3000), (500, 900, 2400), (350, 800, 2300),
          (600, 1700, 2600))  # fmt: skip


def voiced(seconds: float, seed: int) -> array.array:
    """A speech-like burst: glottal pulses through formant resonators, syllable by syllable."""
    rnd = random.Random(seed)
    n, out = int(seconds * RATE), array.array("h")
    state = [[0.0, 0.0] for _ in range(3)]
    f0, phase, syllable, formants = rnd.uniform(100, 180), 0.0, 0.22, VOWELS[0]
    for i in range(n):
        t = i / RATE
        if i % int(syllable * RATE) == 0:
            formants = VOWELS[rnd.randrange(len(VOWELS))]
        phase += f0 * (1 + 0.1 * math.sin(2 * math.pi * 1.5 * t)) / RATE
        pulse = 1.0 if phase >= 1 else 0.0
        phase -= pulse
        y = 0.0
        for j, fc in enumerate(formants):
            r = math.exp(-math.pi * (80 + 40 * j) / RATE)
            w = (
                pulse
                + 2 * r * math.cos(2 * math.pi * fc / RATE) * state[j][0]
                - r * r * state[j][1]
            )
            state[j][1], state[j][0] = state[j][0], w
            y += w
        envelope = math.sin(math.pi * ((t % syllable) / syllable)) ** 0.5
        ramp = min(1.0, t / 0.02, (seconds - t) / 0.02)
        out.append(int(max(-32767, min(32767, 1500 * y * envelope * ramp))))
    return out


def noise(seconds: float, amplitude: int = 3000, seed: int = 0) -> array.array:
    rnd = random.Random(seed)
    return array.array("h", (int(rnd.gauss(0, amplitude)) for _ in range(int(seconds * RATE))))


def tone(seconds: float, hz: float = 440.0) -> array.array:
    return array.array(
        "h", (int(8000 * math.sin(2 * math.pi * hz * i / RATE)) for i in range(int(seconds * RATE)))
    )


def silence(seconds: float) -> array.array:
    return array.array("h", bytes(2 * int(seconds * RATE)))


def build(plan: list[tuple[str, float]], path: Path) -> list[tuple[float, float]]:
    """Write the recording `plan` describes (("speech"|"noise"|"tone"|"silence", seconds) in
    order) to `path`; return the speech bursts' (start, end) in seconds."""
    pcm, at, truth = array.array("h"), 0.0, []
    for n, (kind, seconds) in enumerate(plan):
        if kind == "speech":
            truth.append((round(at, 3), round(at + seconds, 3)))
            pcm += voiced(seconds, n)
        else:
            pcm += {"noise": noise, "tone": tone, "silence": silence}[kind](seconds)
        at += seconds
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(pcm.tobytes())
    return truth


def _sounding(pcm: array.array) -> tuple[int, int]:
    """The first and one past the last sample above 1% of the loudest (-40 dB): where a
    sentence's sound begins and ends inside espeak-ng's own leading and trailing silence."""
    floor = max(abs(x) for x in pcm) / 100
    loud = [i for i, x in enumerate(pcm) if abs(x) > floor]
    return loud[0], loud[-1] + 1


def spoken(path: Path, pauses: tuple[float, ...] = (), sentences: tuple[str, ...] = SENTENCES,
           voice: str = "qu") -> list[tuple[float, float]]:  # fmt: skip
    """Write `sentences` spoken by espeak-ng to `path` (16-bit WAV at espeak's 22.05 kHz), one
    after another at speeds of 150-180 words a minute, each followed by the next of `pauses`
    (seconds of silence, cycled) or by nothing but espeak's own short end-of-sentence silence
    (`pauses` empty: the sentences run together). Returns each sentence's (start, end) in
    seconds: where its sound begins and ends."""
    if shutil.which("espeak-ng") is None:
        raise RuntimeError("espeak-ng is not installed (scripts/install.sh --test installs it)")
    pcm, truth = array.array("h"), []
    with tempfile.TemporaryDirectory(prefix="wordkeep-espeak-") as tmp:
        for n, sentence in enumerate(sentences):
            part = Path(tmp, f"{n}.wav")
            speed = str(150 + 10 * (n % 4))
            subprocess.run(["espeak-ng", "-v", voice, "-s", speed, "-w", str(part), sentence],
                           check=True, capture_output=True)  # fmt: skip
            with wave.open(str(part)) as w:
                rate, chunk = w.getframerate(), array.array("h", w.readframes(w.getnframes()))
            first, last = _sounding(chunk)
            truth.append((round((len(pcm) + first) / rate, 3), round((len(pcm) + last) / rate, 3)))
            pcm += chunk
            if pauses:
                pcm += array.array("h", bytes(2 * int(pauses[n % len(pauses)] * rate)))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return truth
