"""Voice-activity segmenting (issue 23): boundaries on espeak-ng speech and on a recording built
with known times, and on the Kichwa excerpt against its human times; the edges refined by the
sound levels; silence and noise refused; the parameters kept per text and respected; proposals
saved as a revision that keeps the keepers' transcribed segments; the waveform's peaks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lexicon import texts
from lexicon.accounts.access import ANONYMOUS
from lexicon.errors import InvalidInput, StaleVersion
from lexicon.io.texts import read_text as read_text_file
from lexicon.media.storage import LocalStorage
from lexicon.texts import peaks, segmenting
from lexicon.texts.segmenting import NoSpeech
from tests.lexicon.texts.audio_synth import build, spoken

KICHWA = Path(__file__).parents[2] / "fixtures" / "texts" / "kichwa-ch2"
PLAN = [("silence", 1.0), ("speech", 1.2), ("silence", 0.8), ("speech", 1.0), ("silence", 1.0),
        ("noise", 1.0), ("silence", 0.8), ("tone", 0.8), ("silence", 0.8), ("speech", 1.1),
        ("silence", 0.7), ("speech", 0.9), ("silence", 1.0)]  # fmt: skip
TOLERANCE = 0.15


def within(truth: list[tuple], found: list[tuple], tolerance: float = TOLERANCE) -> float:
    """The share of true boundaries (starts and ends) with a proposed one within `tolerance`."""
    true = [b for span in truth for b in span]
    proposed = [b for span in found for b in span]
    return sum(any(abs(t - p) <= tolerance for p in proposed) for t in true) / len(true)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> tuple[Path, list[tuple]]:
    path = tmp_path_factory.mktemp("synth") / "known.wav"
    return path, build(PLAN, path)


def test_known_boundaries_and_no_noise_or_tone(synthetic):
    path, truth = synthetic
    found = segmenting.propose(path, segmenting.parameters())
    assert len(found) == len(truth) == 4
    for (start, end), (t_start, t_end) in zip(found, truth, strict=True):
        assert start < t_end and t_start < end  # each proposal is one burst of speech
        assert abs(start - t_start) <= 0.4 and abs(end - t_end) <= 0.4
    # Measured: 7 of 8 (88%) within 150 ms, the others 80-100 ms off (the padding); the late
    # one is the onset after the tone (330 ms): the model hears the first synthetic vowels as
    # no speech. Before the edges were refined by the sound levels: 6 of 8.
    assert within(truth, found) >= 0.85
    noise_and_tone = [(4.0 + 1.0, 4.0 + 2.0), (6.8, 7.6)]
    assert not any(s < b and a < e for s, e in found for a, b in noise_and_tone)


def test_the_kichwa_excerpt_against_its_human_times():
    text = read_text_file(KICHWA / "kichwa_ch2_excerpt.eaf")
    truth = [(s["start"], s["end"]) for s in text["segments"] if s["end"] <= 41.0]
    assert len(truth) == 10
    found = segmenting.propose(KICHWA / "kichwa_ch2_first41s.opus", segmenting.parameters())
    # Measured on this Opus copy: 85% of the 20 true boundaries within 150 ms (70% before the
    # edges were refined; bench/segment.py has the whole 103 s recording, 81%). The misses are
    # sentences that follow each other with no pause at all (0-60 ms), which no voice-activity
    # model sees, and an annotator's lead-in of 320 ms before the first sound.
    share = within(truth, found)
    assert share >= 0.8, (share, found)
    assert all(end - start >= 0.3 for start, end in found)


@pytest.mark.parametrize("pauses", [(0.6, 0.4, 0.9, 0.5), ()], ids=["pauses", "none"])
def test_espeak_speech_boundaries_within_150_ms(tmp_path, pauses):
    """Ten sentences spoken by espeak-ng, with pauses or run together (only espeak's own
    end-of-sentence silence, about 0.3 s, between them): 90% of the true boundaries (where each
    sentence's sound begins and ends) have a proposal within 150 ms. Measured: 100% both ways,
    each about `pad` (0.1 s) outside the sound; with the model's windows alone, 65-70%."""
    path = tmp_path / "spoken.wav"
    truth = spoken(path, pauses)
    found = segmenting.propose(path, segmenting.parameters())
    assert within(truth, found) >= 0.9, (truth, found)
    assert len(truth) <= len(found) <= len(truth) + 2  # a comma's pause may split a sentence
    tight = segmenting.propose(path, segmenting.parameters(None, {"pad": 0.0}))
    assert within(truth, tight, 0.05) >= 0.9, (truth, tight)  # the edges are the sound's own


def test_edges_move_in_to_the_sound_never_out():
    silence, loud, tail = [-120.0] * 10, [-12.0] * 50, [-60.0] * 20
    levels = silence + loud + tail  # speech in frames 10-60, the model's stretch 5-80
    assert segmenting._refine(levels, 5, 80) == (10, 60)
    assert segmenting._refine(levels, 12, 55) == (12, 55)  # inside the sound: kept
    fading = loud + [-60.0] * 40  # nothing loud within 300 ms of the end: the end stays
    assert segmenting._refine(fading, 0, 90) == (0, 90)
    quiet = [x - 40 for x in levels]  # the same shape 40 dB lower: the same edges
    assert segmenting._refine(quiet, 5, 80) == (10, 60)


def test_silence_and_noise_are_refused(tmp_path):
    silent = tmp_path / "silent.wav"
    build([("silence", 3.0)], silent)
    with pytest.raises(NoSpeech, match="silent"):
        segmenting.propose(silent, segmenting.parameters())
    noisy = tmp_path / "noise.wav"
    build([("noise", 2.0), ("tone", 1.0), ("silence", 0.5)], noisy)
    with pytest.raises(NoSpeech, match="no speech was found"):
        segmenting.propose(noisy, segmenting.parameters())
    assert issubclass(NoSpeech, InvalidInput)  # 422 on the API, exit code 2 on the CLI


def test_parameters_are_respected(synthetic):
    path, _ = synthetic
    scores, levels, _, duration = segmenting.speech_scores(path)

    def spans(**changes):
        return segmenting.segments_from_scores(
            scores, segmenting.parameters(None, changes), duration, levels
        )

    for span in spans(max_segment=0.6):
        assert span[1] - span[0] <= 0.6 + 1e-9
    assert len(spans(max_segment=0.6)) > len(spans())
    assert all(b - a >= 1.1 for a, b in spans(min_segment=1.1))
    assert len(spans(min_segment=1.1)) < len(spans())
    joined = spans(min_pause=1.0, pad=0.0)  # pauses under a second no longer split
    assert all(
        later[0] - earlier[1] >= 1.0 for earlier, later in zip(joined, joined[1:], strict=False)
    )
    assert len(joined) < len(spans(pad=0.0))
    for bad in ({"min_pause": -1}, {"max_segment": "long"}, {"nonsense": 1},
                {"min_segment": 5.0, "max_segment": 2.0}, {"threshold": 1.5}):  # fmt: skip
        with pytest.raises(InvalidInput):
            segmenting.parameters(None, bad)
    saved = {"extra": {"segmenting": {"min_pause": 0.4}}}
    assert segmenting.parameters(saved)["min_pause"] == 0.4
    assert segmenting.parameters(saved, {"min_pause": 0.2})["min_pause"] == 0.2


def _text_with_recording(session, dictionary, storage, path: Path, segments: list) -> dict:
    data = {"title": {"en": "Known"}, "segments": segments}
    with open(path, "rb") as recording:
        return texts.import_text(session=session, storage=storage, dictionary=dictionary,
                                 data=data, audio_file=recording, audio_name=path.name)  # fmt: skip


def test_proposals_become_segments_keeping_transcribed_ones(session, dictionary, tmp_path,
                                                            synthetic):  # fmt: skip
    path, truth = synthetic
    storage = LocalStorage(tmp_path / "media")
    text = _text_with_recording(session, dictionary, storage, path, [
        {"start": 2.9, "end": 4.1, "text": {"und": "kept as typed"}},
        {"start": 0.0, "end": 0.5},  # nothing typed: replaced
    ])  # fmt: skip
    ticks = []
    stored, report = segmenting.segment_text(
        session=session, storage=storage, dictionary=dictionary, text_id=text["id"],
        overrides={"min_pause": 0.2}, editor="me", progress=lambda *a: ticks.append(a),
    )  # fmt: skip
    assert stored["version"] == 2 and report["kept"] == 1 and report["replaced"] == 1
    assert report["added"] == 3 and report["segments"] == len(stored["segments"]) == 4
    kept = [s for s in stored["segments"] if s["text"]]
    assert kept[0]["text"] == {"und": "kept as typed"} and kept[0]["start"] == 2.9
    starts = [s["start"] for s in stored["segments"]]
    assert starts == sorted(starts)
    assert stored["extra"]["segmenting"]["min_pause"] == 0.2  # the text's own parameters now
    assert ticks[-1][2] == "saving" and any(t[2] == "segmenting" for t in ticks)
    history = texts.text_history(session=session, dictionary=dictionary, text_id=text["id"])
    assert history[0]["action"] == "segment"
    again, _ = segmenting.segment_text(session=session, storage=storage, dictionary=dictionary,
                                       text_id=text["id"])  # fmt: skip
    assert again["extra"]["segmenting"]["min_pause"] == 0.2 and again["version"] == 3


def test_a_text_edited_meanwhile_is_not_overwritten(session, dictionary, tmp_path, synthetic,
                                                    monkeypatch):  # fmt: skip
    path, _ = synthetic
    storage = LocalStorage(tmp_path / "media")
    text = _text_with_recording(session, dictionary, storage, path, [])
    real = segmenting.propose

    def slow(*args, **kwargs):  # a keeper saves the text while its recording is analysed
        texts.update_text(session=session, dictionary=dictionary, text_id=text["id"],
                          data=dict(text, genre="story"), version=1)  # fmt: skip
        return real(*args, **kwargs)

    monkeypatch.setattr(segmenting, "propose", slow)
    with pytest.raises(StaleVersion):
        segmenting.segment_text(session=session, storage=storage, dictionary=dictionary,
                                text_id=text["id"])  # fmt: skip
    now = texts.read_text(session=session, dictionary=dictionary, text_id=text["id"])
    assert now["version"] == 2 and now["genre"] == "story" and now["segments"] == []


def test_no_recording_no_segmenting(session, dictionary, tmp_path):
    text = texts.create_text(session=session, dictionary=dictionary, data={"segments": []})
    with pytest.raises(segmenting.NoRecording):
        segmenting.segment_text(session=session, storage=LocalStorage(tmp_path),
                                dictionary=dictionary, text_id=text["id"])  # fmt: skip


def test_peaks_computed_once_and_access_checked(session, dictionary, tmp_path, synthetic):
    path, _ = synthetic
    storage = LocalStorage(tmp_path / "media")
    text = _text_with_recording(session, dictionary, storage, path, [])
    body = peaks.text_peaks(session=session, storage=storage, dictionary=dictionary,
                            viewer=ANONYMOUS, text_id=text["id"], per_second=50)  # fmt: skip
    data = json.loads(body)
    assert data["version"] == 2 and data["samples_per_pixel"] == 320 and data["bits"] == 8
    assert data["length"] == len(data["data"]) // 2 == round(data["duration"] * 50)
    assert all(-128 <= v <= 127 for v in data["data"])
    assert max(abs(v) for v in data["data"][:80]) == 0  # the first second is silence
    assert max(data["data"][100:200]) > 10  # speech from 1 s on
    key = peaks.peaks_key(text["media"]["sha256"], 50)
    assert storage.exists(key)
    stamp = storage._path(key).stat().st_mtime_ns
    again = peaks.text_peaks(session=session, storage=storage, dictionary=dictionary,
                             viewer=None, text_id=text["id"], per_second=50)  # fmt: skip
    assert again == body and storage._path(key).stat().st_mtime_ns == stamp
    with pytest.raises(InvalidInput):
        peaks.text_peaks(session=session, storage=storage, dictionary=dictionary, viewer=None,
                         text_id=text["id"], per_second=7)  # fmt: skip
    texts.update_text(session=session, dictionary=dictionary, text_id=text["id"],
                      data=dict(text, visibility="restricted"), version=1)  # fmt: skip
    with pytest.raises(peaks.PeaksNotFound):
        peaks.text_peaks(session=session, storage=storage, dictionary=dictionary,
                         viewer=ANONYMOUS, text_id=text["id"], per_second=50)  # fmt: skip
