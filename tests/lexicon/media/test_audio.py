"""Audio checks and web derivatives, with real encoded clips and real recordings."""

import json
import shutil
from pathlib import Path

import av
import av.filter.loudnorm
import pytest

from lexicon.errors import InvalidInput, TooLarge, UnsupportedMedia
from lexicon.media import audio

FIXTURES = Path(__file__).parents[2] / "fixtures" / "lift-patani-audio"

# name -> (muxer, encoder, muxer options, MIME that probing must report)
FORMATS = {
    "wav": ("wav", "pcm_s16le", None, "audio/wav"),
    "flac": ("flac", "flac", None, "audio/flac"),
    "mp3": ("mp3", "libmp3lame", None, "audio/mpeg"),
    # live=1 writes no duration, as MediaRecorder with a timeslice does
    "webm": ("webm", "libopus", {"live": "1"}, "audio/webm"),
    "m4a": ("ipod", "aac", None, "audio/mp4"),
    "ogg": ("ogg", "libopus", None, "audio/ogg"),
}
TONE = 1.0  # seconds of tone between 0.5 s of silence on each side
TRIMMED = TONE + 2 * audio.KEEP_SILENCE  # what the derivative should last


@pytest.fixture(scope="session")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clips")
    made = {}
    for name, (muxer, codec, options, _mime) in FORMATS.items():
        made[name] = folder / f"tone.{name}"
        audio.write_tone(made[name], container=muxer, codec=codec, options=options)
    return made


def loudness(path) -> float:
    with av.open(str(path)) as container:
        stats = av.filter.loudnorm.stats("I=-16:TP=-1.5:LRA=11", container.streams.audio[0])
    return float(json.loads(stats)["input_i"])


@pytest.mark.parametrize("name", FORMATS)
def test_probe_each_format(clips, name):
    info = audio.probe_audio(clips[name])
    assert info.mime == FORMATS[name][3]
    assert info.duration == pytest.approx(2.0, abs=0.01)
    assert (info.sample_rate, info.channels) == (48000, 1)
    assert info.size == clips[name].stat().st_size


def test_webm_without_container_duration_is_measured(clips):
    with av.open(str(clips["webm"])) as container:
        assert container.duration is None  # as browsers write it
    assert audio.probe_audio(clips["webm"]).duration == pytest.approx(2.0, abs=0.01)
    assert audio.measure_duration(clips["webm"]) == pytest.approx(2.0, abs=0.01)


def test_kind_comes_from_content_not_name(clips, tmp_path):
    disguised = tmp_path / "recording.wav"
    shutil.copy(clips["webm"], disguised)
    info = audio.probe_audio(disguised)
    assert (info.mime, info.codec) == ("audio/webm", "opus")


@pytest.mark.parametrize("name", FORMATS)
def test_derivative_is_trimmed_mono_mp3(clips, tmp_path, name):
    dst = tmp_path / "web.mp3"
    made = audio.make_web_derivative(clips[name], dst)
    assert made.mime == "audio/mpeg"
    assert made.duration == pytest.approx(TRIMMED, abs=0.02)
    assert made.source_duration == pytest.approx(2.0, abs=0.01)
    assert made.size == dst.stat().st_size
    info = audio.probe_audio(dst)  # the derivative itself decodes and passes the checks
    assert (info.mime, info.channels, info.sample_rate) == ("audio/mpeg", 1, 44100)
    assert info.duration == pytest.approx(made.duration, abs=0.001)


def test_stereo_is_mixed_to_mono(tmp_path):
    src = tmp_path / "stereo.flac"
    audio.write_tone(src, container="flac", codec="flac", layout="stereo")
    assert audio.probe_audio(src).channels == 2
    audio.make_web_derivative(src, tmp_path / "web.mp3")
    assert audio.probe_audio(tmp_path / "web.mp3").channels == 1


def test_ogg_vorbis(tmp_path):
    """Older keepers' OGG files are Vorbis (FFmpeg's encoder: stereo only, "experimental")."""
    src = tmp_path / "old.ogg"
    audio.write_tone(src, container="ogg", codec="vorbis", layout="stereo", rate=44100,
                     codec_options={"strict": "experimental"})  # fmt: skip
    info = audio.probe_audio(src)
    assert (info.mime, info.codec, info.channels) == ("audio/ogg", "vorbis", 2)
    made = audio.make_web_derivative(src, tmp_path / "web.mp3")
    assert made.duration == pytest.approx(TRIMMED, abs=0.02)


def test_loudness_is_normalised(tmp_path):
    quiet, loud = tmp_path / "quiet.wav", tmp_path / "loud.wav"
    audio.write_tone(quiet, container="wav", codec="pcm_s16le", tone=4.0, amplitude=0.01)
    audio.write_tone(loud, container="wav", codec="pcm_s16le", tone=4.0, amplitude=0.8)
    assert loudness(loud) - loudness(quiet) > 30
    for src in (quiet, loud):
        audio.make_web_derivative(src, tmp_path / "web.mp3")
        assert loudness(tmp_path / "web.mp3") == pytest.approx(-16, abs=1.5)


@pytest.mark.parametrize(("name", "seconds"), [("short.mp3", 0.363), ("short.webm", 0.367)])
def test_real_recordings(tmp_path, name, seconds):
    info = audio.probe_audio(FIXTURES / name)
    assert info.duration == pytest.approx(seconds, abs=0.005)
    made = audio.make_web_derivative(FIXTURES / name, tmp_path / "web.mp3")
    # Recorded room noise sits above the silence threshold: nothing is cut.
    assert made.duration == pytest.approx(info.duration, abs=0.02)


# --- refusals: each a named error whose message says what was wrong


def test_text_renamed_wav_is_not_audio(tmp_path):
    fake = tmp_path / "word.wav"
    fake.write_text("RIFF? no, just a note about the word\n" * 40)
    with pytest.raises(audio.NotAudio, match="word.wav: not a recording") as caught:
        audio.probe_audio(fake)
    assert isinstance(caught.value, UnsupportedMedia)


def test_image_and_playlist_are_not_audio(tmp_path, clips):
    from PIL import Image

    Image.new("RGB", (8, 8)).save(tmp_path / "pic.png")
    shutil.copy(tmp_path / "pic.png", tmp_path / "pic.mp3")
    # A playlist pointing at a local file must not be followed (only audio demuxers allowed).
    (tmp_path / "list.mp3").write_text(f"#EXTM3U\n#EXTINF:2,\n{clips['wav']}\n")
    for name in ("pic.mp3", "list.mp3"):
        with pytest.raises(audio.NotAudio):
            audio.probe_audio(tmp_path / name)


def test_empty_file(tmp_path):
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(audio.EmptyAudio, match=r"empty.wav: the file is empty") as caught:
        audio.probe_audio(tmp_path / "empty.wav")
    assert isinstance(caught.value, InvalidInput)


@pytest.mark.parametrize("source", ["generated", "real"])
def test_truncated_mp3(clips, tmp_path, source):
    whole = (clips["mp3"] if source == "generated" else FIXTURES / "short.mp3").read_bytes()
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(audio.DamagedAudio, match="cut.mp3: the file seems truncated"):
        audio.probe_audio(cut)


def test_oversized_file(clips):
    size = clips["wav"].stat().st_size
    with pytest.raises(audio.FileTooLarge, match=f"{size:,} bytes is over the limit of 1,000") as c:
        audio.probe_audio(clips["wav"], max_bytes=1000)
    assert isinstance(c.value, TooLarge)


@pytest.mark.parametrize("name", ["wav", "webm"])  # with and without a declared duration
def test_too_long(clips, name):
    with pytest.raises(audio.AudioTooLong, match=r"longer than the limit of 1.50 s") as caught:
        audio.probe_audio(clips[name], max_seconds=1.5)
    assert isinstance(caught.value, TooLarge)


def test_name_shown_is_the_uploaders(tmp_path):
    (tmp_path / "tmp123").write_bytes(b"")
    with pytest.raises(audio.EmptyAudio, match="^nyumba.m4a: "):
        audio.probe_audio(tmp_path / "tmp123", name="nyumba.m4a")


def test_silence_only_is_refused_and_leaves_no_file(tmp_path):
    src, dst = tmp_path / "silent.wav", tmp_path / "web.mp3"
    audio.write_tone(src, container="wav", codec="pcm_s16le", tone=0.0)
    assert audio.probe_audio(src).duration == pytest.approx(1.0)
    with pytest.raises(audio.SilentAudio, match="holds only silence"):
        audio.make_web_derivative(src, dst)
    assert not dst.exists()
