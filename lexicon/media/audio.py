"""Audio: check an upload by decoding it, and make the small web copy learners play.

Nothing here trusts a file name or a declared content type: the kind of file is what PyAV
(FFmpeg) finds when it opens and decodes the content. Only a short list of demuxers is allowed,
so a crafted upload cannot reach FFmpeg's playlist or network demuxers.
"""

from __future__ import annotations

import array
import math
import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from lexicon.errors import InvalidInput, TooLarge, UnsupportedMedia

if TYPE_CHECKING:
    import av

DEFAULT_MAX_SECONDS = 300.0
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# FFmpeg demuxer name -> the MIME type an original of that kind is served with.
CONTAINER_MIME = {
    "wav": "audio/wav",
    "mp3": "audio/mpeg",
    "flac": "audio/flac",
    "ogg": "audio/ogg",
    "matroska,webm": "audio/webm",
    "mov,mp4,m4a,3gp,3g2,mj2": "audio/mp4",
    "aac": "audio/aac",
}
# FFmpeg matches any of a demuxer's comma-separated names against this list.
_FORMAT_WHITELIST = "wav,mp3,flac,ogg,matroska,mov,aac"
# How every module opens a recording: only these demuxers, only local files (never a URL).
OPEN_OPTIONS = {"format_whitelist": _FORMAT_WHITELIST, "protocol_whitelist": "file"}

# The web derivative: see make_web_derivative for why MP3.
WEB_MIME = "audio/mpeg"
WEB_EXTENSION = "mp3"
WEB_RATE = 44100
WEB_BIT_RATE = 96_000
WEB_PROFILE = "mp3-96k-mono-v1"  # part of derivative keys: change it when the recipe changes
SILENCE_THRESHOLD = "-50dB"
KEEP_SILENCE = 0.05  # seconds of silence kept at each end, so no onset or release is clipped
LOUDNORM = "I=-16:TP=-1.5:LRA=11"  # -16 LUFS: the usual target for speech on phones and the web
_MP3_FRAME = 1152
# A container that declares more time than decodes by more than this is taken as truncated.
_TRUNCATION_SLACK_SECONDS = 0.15
_TRUNCATION_SLACK_RATIO = 0.03
_MAX_DAMAGED_PACKETS = 2


class NotAudio(UnsupportedMedia):
    """The file does not decode as audio of an accepted kind."""


class EmptyAudio(InvalidInput):
    """The file is empty or holds no audio samples."""


class SilentAudio(InvalidInput):
    """The recording holds only silence."""


class DamagedAudio(InvalidInput):
    """The audio data is damaged or truncated."""


class AudioTooLong(TooLarge):
    """The recording is longer than the configured limit."""


class FileTooLarge(TooLarge):
    """The file is bigger than the configured limit."""


@dataclass(frozen=True)
class AudioInfo:
    """What decoding an uploaded file found."""

    container: str
    codec: str
    mime: str
    sample_rate: int
    channels: int
    duration: float
    size: int


@dataclass(frozen=True)
class DerivativeInfo:
    """The web copy that was written, measured by decoding it."""

    mime: str
    duration: float
    size: int
    sample_rate: int
    source_duration: float


def _seconds(n: float) -> str:
    return f"{n:.2f} s"


def probe_audio(
    path: str | os.PathLike,
    *,
    name: str | None = None,
    max_seconds: float = DEFAULT_MAX_SECONDS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> AudioInfo:
    """Decode the whole file and describe it, or raise a named error saying what is wrong.

    `name` is the file name shown in messages (the uploader's, not the temporary path's).
    """
    path = Path(path)
    label = name or path.name
    size = path.stat().st_size
    if size == 0:
        raise EmptyAudio(f"{label}: the file is empty (0 bytes)", file=label)
    if size > max_bytes:
        raise FileTooLarge(
            f"{label}: {size:,} bytes is over the limit of {max_bytes:,} bytes",
            file=label,
            size=size,
            limit=max_bytes,
        )
    container = _open(path, label)
    with container:
        stream = container.streams.audio[0]
        declared = _declared_seconds(container, stream)
        if declared is not None and declared > max_seconds + 1:
            raise _too_long(label, max_seconds, declared)
        samples, rate, channels = _decode_all(container, stream, label, max_seconds)
        duration = samples / rate
        if declared is not None:
            slack = max(_TRUNCATION_SLACK_SECONDS, declared * _TRUNCATION_SLACK_RATIO)
            if duration < declared - slack:
                raise DamagedAudio(
                    f"{label}: the file seems truncated: its header says "
                    f"{_seconds(declared)} but only {_seconds(duration)} of audio decode",
                    file=label,
                )
        fmt = container.format.name
        return AudioInfo(
            container=fmt,
            codec=stream.codec_context.name,
            mime=CONTAINER_MIME.get(fmt, "application/octet-stream"),
            sample_rate=rate,
            channels=channels,
            duration=duration,
            size=size,
        )


def _declared_seconds(container, stream) -> float | None:
    """What the file says it lasts: the audio track's own length, else the container's."""
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return container.duration / 1_000_000 if container.duration else None


def _open(path: Path, label: str):
    import av  # heavy: imported when used (docs/architecture.md)

    try:
        container = av.open(str(path), options=OPEN_OPTIONS)
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        raise NotAudio(
            f"{label}: not a recording in an accepted format "
            "(WebM/Opus, MP4/M4A/AAC, WAV, MP3, FLAC, OGG); FFmpeg could not read it",
            file=label,
        ) from exc
    if not container.streams.audio:
        container.close()
        raise NotAudio(f"{label}: the file has no audio track", file=label)
    return container


def _too_long(label: str, limit: float, declared: float | None = None) -> AudioTooLong:
    said = f" (its header says {_seconds(declared)})" if declared else ""
    return AudioTooLong(
        f"{label}: the recording is longer than the limit of {_seconds(limit)}{said}",
        file=label,
        limit_seconds=limit,
    )


def _decode_all(container, stream, label: str, max_seconds: float) -> tuple[int, int, int]:
    """Count decoded samples (the container's own duration may be missing, as in WebM)."""
    import av  # heavy: imported when used (docs/architecture.md)

    samples = rate = channels = damaged = 0
    try:
        for packet in container.demux(stream):
            try:
                frames = packet.decode()
            except av.error.FFmpegError:
                damaged += 1
                if damaged > _MAX_DAMAGED_PACKETS:
                    raise DamagedAudio(
                        f"{label}: the audio data is damaged near "
                        f"{_seconds(samples / (rate or 1))}",
                        file=label,
                    ) from None
                continue
            for frame in frames:
                rate = rate or frame.sample_rate
                channels = channels or len(frame.layout.channels)
                # Rates may change mid-stream (MP3 allows it): count time, not raw samples.
                samples += round(frame.samples * rate / frame.sample_rate)
                if samples / rate > max_seconds:
                    raise _too_long(label, max_seconds)
    except av.error.FFmpegError as exc:
        raise DamagedAudio(
            f"{label}: the file could not be read to the end "
            f"(stopped near {_seconds(samples / (rate or 1))})",
            file=label,
        ) from exc
    if samples == 0:
        raise EmptyAudio(f"{label}: no audio could be decoded from the file", file=label)
    return samples, rate, channels


def measure_duration(path: str | os.PathLike) -> float:
    """Seconds of audio in a file, by decoding all of it (sum of samples / rate)."""
    import av  # heavy: imported when used (docs/architecture.md)

    with av.open(str(path), options=OPEN_OPTIONS) as container:
        stream = container.streams.audio[0]
        seconds = 0.0
        for frame in container.decode(stream):
            seconds += frame.samples / frame.sample_rate
        return seconds


def make_web_derivative(
    src: str | os.PathLike,
    dst: str | os.PathLike,
    *,
    name: str | None = None,
    keep_time: bool = False,
) -> DerivativeInfo:
    """Write a mono, loudness-normalised, silence-trimmed MP3 of `src` to `dst`. With
    `keep_time` (a text's long recording, whose annotations point at its times) nothing is
    trimmed or normalised: a second of the copy is that second of the original.

    Why MP3 (LAME, 96 kb/s CBR, 44.1 kHz) rather than AAC in MP4: every browser decodes it with
    no system codecs (Firefox on Linux, old Android WebViews), there is no index box that must
    precede the data, and constant bit rate makes byte ranges map to time for seeking on slow
    links; the Info header carries encoder delay and padding, so decoders report the true length.
    AAC would save about a third of a file of a few kilobytes: not worth losing any of that.
    """
    import av  # heavy: imported when used (docs/architecture.md)

    label = name or Path(src).name
    try:
        with av.open(str(src), options=OPEN_OPTIONS) as inp:
            source_seconds, written = _transcode(inp, Path(dst), label, keep_time)
    except BaseException:
        Path(dst).unlink(missing_ok=True)
        raise
    if written == 0:
        Path(dst).unlink(missing_ok=True)
        raise SilentAudio(
            f"{label}: the recording holds only silence (nothing louder than {SILENCE_THRESHOLD})",
            file=label,
        )
    return DerivativeInfo(
        mime=WEB_MIME,
        duration=measure_duration(dst),
        size=Path(dst).stat().st_size,
        sample_rate=WEB_RATE,
        source_duration=source_seconds,
    )


def _web_graph(rate: int, keep_time: bool = False) -> av.filter.Graph:
    import av  # heavy: imported when used (docs/architecture.md)

    graph = av.filter.Graph()
    trim = f"start_periods=1:start_threshold={SILENCE_THRESHOLD}:start_silence={KEEP_SILENCE}"
    chain = [
        graph.add_abuffer(format="fltp", sample_rate=rate, layout="mono", time_base=f"1/{rate}")
    ]
    if not keep_time:
        chain += [
            graph.add("silenceremove", trim),
            # silenceremove trims only the start; reversing trims the end the same way (a few
            # minutes of mono float is a few tens of MB at most, under the duration limit).
            graph.add("areverse"),
            graph.add("silenceremove", trim),
            graph.add("areverse"),
            graph.add("loudnorm", LOUDNORM),
        ]
    chain += [
        graph.add("aresample", str(WEB_RATE)),
        graph.add("aformat", f"sample_fmts=fltp:channel_layouts=mono:sample_rates={WEB_RATE}"),
        graph.add("asetnsamples", f"n={_MP3_FRAME}:p=0"),
        graph.add("abuffersink"),
    ]
    for a, b in zip(chain, chain[1:], strict=False):
        a.link_to(b)
    graph.configure()
    return graph


def _transcode(inp, dst: Path, label: str, keep_time: bool = False) -> tuple[float, int]:
    """Decode, filter and encode; return (seconds read, samples written)."""
    import av  # heavy: imported when used (docs/architecture.md)

    stream = inp.streams.audio[0]
    with av.open(str(dst), "w", format="mp3") as out:
        ost = out.add_stream("libmp3lame", rate=WEB_RATE, layout="mono")
        ost.codec_context.bit_rate = WEB_BIT_RATE
        resampler = graph = None
        read = 0.0
        pushed = written = 0

        def drain():
            nonlocal written
            while True:
                try:
                    frame = graph.pull()
                except (av.error.BlockingIOError, av.error.EOFError):
                    return
                frame.pts = written
                written += frame.samples
                for packet in ost.encode(frame):
                    out.mux(packet)

        for frame in _frames(inp, stream, label):
            if resampler is None:
                # One fixed format into the graph, whatever the source does mid-stream.
                rate = frame.sample_rate
                resampler = av.AudioResampler(format="fltp", layout="mono", rate=rate)
                graph = _web_graph(rate, keep_time)
            read += frame.samples / frame.sample_rate
            for mono in resampler.resample(frame):
                mono.pts, mono.time_base = pushed, Fraction(1, rate)
                pushed += mono.samples
                graph.push(mono)
                drain()
        if graph is None:
            raise EmptyAudio(f"{label}: no audio could be decoded from the file", file=label)
        for mono in resampler.resample(None):
            mono.pts, mono.time_base = pushed, Fraction(1, rate)
            graph.push(mono)
        graph.push(None)
        drain()
        for packet in ost.encode(None):
            out.mux(packet)
    return read, written


def _frames(container, stream, label: str):
    """Decoded frames, skipping the few damaged packets probe_audio tolerates."""
    import av  # heavy: imported when used (docs/architecture.md)

    try:
        for packet in container.demux(stream):
            try:
                yield from packet.decode()
            except av.error.FFmpegError:
                continue
    except av.error.FFmpegError as exc:
        raise DamagedAudio(f"{label}: the file could not be read to the end", file=label) from exc


def write_tone(
    path: str | os.PathLike,
    *,
    container: str,
    codec: str,
    lead: float = 0.5,
    tone: float = 1.0,
    tail: float = 0.5,
    rate: int = 48000,
    amplitude: float = 0.3,
    layout: str = "mono",
    options: dict | None = None,
    codec_options: dict | None = None,
) -> None:
    """Write silence, a 440 Hz tone, silence: a known recording for tests and benchmarks."""
    import av  # heavy: imported when used (docs/architecture.md)

    counts = [int(lead * rate), int(tone * rate), int(tail * rate)]
    step = 2 * math.pi * 440 / rate
    pcm = array.array("h", bytes(2 * counts[0]))
    pcm.extend(int(amplitude * 32767 * math.sin(step * i)) for i in range(counts[1]))
    pcm.extend(array.array("h", bytes(2 * counts[2])))
    with av.open(str(path), "w", format=container, options=options or {}) as out:
        stream = out.add_stream(codec, rate=rate, layout=layout, options=codec_options or {})
        resampler = av.AudioResampler(
            format=stream.codec_context.format.name, layout=layout, rate=rate, frame_size=1024
        )
        pts = 0
        for i in range(0, len(pcm), rate // 10):
            chunk = pcm[i : i + rate // 10]
            frame = av.AudioFrame(format="s16", layout="mono", samples=len(chunk))
            frame.planes[0].update(chunk.tobytes())
            frame.sample_rate, frame.pts = rate, pts
            pts += len(chunk)
            for part in resampler.resample(frame):
                out.mux(stream.encode(part))
        for part in resampler.resample(None):
            out.mux(stream.encode(part))
        out.mux(stream.encode(None))
