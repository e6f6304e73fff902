"""A sentence's sound: its segment cut from the text's long recording (PyAV), played in the
concordance (`clip_to_serve`, kept in storage as a cache beside the recording) and copied into
the dictionary as an example's recording (`example_from_segment`): a new-word candidate's
draft entry (`draft_entry`, a proposal in the review queue) or an editor's "use as example"
(`use_as_example`). Each reads the segment through the access rule first."""

from __future__ import annotations

import tempfile
import wave
from pathlib import Path

from sqlalchemy import select

from lexicon.accounts import access
from lexicon.accounts.access import Viewer
from lexicon.db.transactions import transaction
from lexicon.editing import review
from lexicon.entries.read import stored_entry
from lexicon.errors import EntryNotFound, InvalidInput, NotFound
from lexicon.media import audio
from lexicon.media.recordings import (
    MediaLimits,
    Served,
    audio_media,
    derivative_key,
    original_key,
    spool,
)
from lexicon.media.storage import Storage
from lexicon.models import Dictionary, Media
from lexicon.shape.entry import iter_senses
from lexicon.texts import store, view
from lexicon.texts.shape import first_form

CLIP_PROFILE = "clip-v1"  # part of cached clips' keys: change it when the recipe changes


class ClipNotFound(NotFound):
    """The segment has no sound the viewer may hear (no recording, no times, or hidden)."""


class SenseNotFound(NotFound):
    """No sense with that id in this entry (or not visible to the caller)."""


# ---------------------------------------------------------------- cutting


def cut_wav(src: str | Path, dst: str | Path, start: float, end: float) -> float:
    """Write seconds `start` to `end` of the recording `src` as a mono 16-bit WAV at its own
    sample rate; return the seconds written."""
    import av  # heavy: imported when used (docs/architecture.md)

    pcm, rate = bytearray(), 0
    with av.open(str(src), options=audio.OPEN_OPTIONS) as inp:
        stream = inp.streams.audio[0]
        if start > 1 and stream.time_base:
            inp.seek(int((start - 1) / stream.time_base), stream=stream, any_frame=False)
        position = resampler = None
        for frame in inp.decode(stream):
            if resampler is None:
                rate = frame.sample_rate
                resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
                position = round((frame.time or 0.0) * rate)
            for mono in resampler.resample(frame):
                data = bytes(mono.planes[0])[: 2 * mono.samples]
                first, last = round(start * rate) - position, round(end * rate) - position
                pcm += data[2 * max(first, 0) : 2 * max(min(last, mono.samples), 0)]
                position += mono.samples
            if position is not None and position >= round(end * rate):
                break
    with wave.open(str(dst), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate or 16000)
        out.writeframes(bytes(pcm))
    return len(pcm) / 2 / (rate or 16000)


def sounding_segment(session, dictionary, viewer, text_id: str, segment_id: str):
    """(the stored text, its segment) if the viewer may hear it: no text, a hidden text or
    segment, no recording or no times are all answered as no clip."""
    try:
        text = store.read_text(session=session, dictionary=dictionary, text_id=text_id)
    except store.TextNotFound:
        raise ClipNotFound(f"no clip {text_id}/{segment_id}") from None
    segment = next((s for s in text["segments"] if s["id"] == segment_id), None)
    if segment is None or (viewer is not None and not (
        view.can_see_text(viewer, dictionary, text)
        and view.sees_segment(viewer, dictionary, text, segment)
    )):  # fmt: skip
        raise ClipNotFound(f"no clip {text_id}/{segment_id}")
    return text, segment


def _recording_key(session, dictionary, text: dict) -> str:
    sha = (text.get("media") or {}).get("sha256")
    row = session.execute(
        select(Media).where(Media.dictionary_id == dictionary.id, Media.sha256 == sha)
    ).scalar_one_or_none() if sha else None  # fmt: skip
    if row is None:
        raise ClipNotFound(f"text {text['id']} has no recording")
    return row.original_key


def _cut_from_storage(storage: Storage, key: str, dst: Path, segment: dict) -> None:
    if segment.get("start") is None or segment.get("end") is None:
        raise ClipNotFound(f"segment {segment.get('id')} has no times")
    src = dst.with_name("recording")
    with storage.open(key) as stored, open(src, "wb") as out:
        while chunk := stored.read(1024 * 1024):
            out.write(chunk)
    cut_wav(src, dst, segment["start"], segment["end"])


def clip_to_serve(
    *, session, storage: Storage, dictionary: Dictionary, viewer: Viewer | None,
    text_id: str, segment_id: str,
) -> Served:  # fmt: skip
    """The segment's clip (MP3, time kept), cut once and then kept in storage, if the viewer
    may hear the segment."""
    text, segment = sounding_segment(session, dictionary, viewer, text_id, segment_id)
    title = "".join(c if c.isalnum() else "-" for c in first_form(text["title"]))[:40]
    return span_to_serve(session, storage, dictionary, text, segment, title or "clip")


def span_to_serve(session, storage: Storage, dictionary: Dictionary, text: dict, span: dict,
                  name: str) -> Served:  # fmt: skip
    """Seconds `span["start"]` to `span["end"]` of the text's recording as an MP3 (time
    kept), cut once and then kept in storage; the caller has asked the access rule."""
    if span.get("start") is None or span.get("end") is None:
        raise ClipNotFound(f"text {text['id']}: {name} has no times")
    source = _recording_key(session, dictionary, text)
    sha = text["media"]["sha256"]
    times = f"{round(span['start'] * 1000)}-{round(span['end'] * 1000)}"
    key = f"audio/clips/{sha[:2]}/{sha}.{times}.{CLIP_PROFILE}.{audio.WEB_EXTENSION}"
    session.rollback()  # no transaction stays open while the clip is cut or sent
    if not storage.exists(key):
        with tempfile.TemporaryDirectory(prefix="wordkeep-clip-") as tmp:
            wav, mp3 = Path(tmp, "clip.wav"), Path(tmp, "clip.mp3")
            _cut_from_storage(storage, source, wav, span)
            audio.make_web_derivative(wav, mp3, name="clip.wav", keep_time=True)
            storage.put(key, mp3, content_type=audio.WEB_MIME)
    return Served(key=key, mime=audio.WEB_MIME, size=storage.size(key), etag=f'"{sha}.{times}"',
                  public=False, filename=f"{name}-{times}.{audio.WEB_EXTENSION}")  # fmt: skip


# ---------------------------------------------------------------- into the dictionary


def store_clip(session, storage: Storage, dictionary: Dictionary, text: dict, segment: dict,
               editor: str = "") -> str | None:  # fmt: skip
    """Keep the segment's clip as a recording of the dictionary (original WAV, web copy and
    Media row, like an upload); its sha256, or None when the text has no recording."""
    try:
        source = _recording_key(session, dictionary, text)
    except ClipNotFound:
        return None
    if segment.get("start") is None:
        return None
    limits = MediaLimits()
    with tempfile.TemporaryDirectory(prefix="wordkeep-clip-") as tmp:
        cut, src, web = Path(tmp, "cut.wav"), Path(tmp, "clip.wav"), Path(tmp, "web.mp3")
        _cut_from_storage(storage, source, cut, segment)
        with open(cut, "rb") as fileobj:
            sha256 = spool(fileobj, src, "clip.wav", limits.max_bytes)
        info = audio.probe_audio(src, name="clip.wav", max_seconds=limits.max_seconds,
                                 max_bytes=limits.max_bytes)  # fmt: skip
        try:
            made = audio.make_web_derivative(src, web, name="clip.wav")
        except audio.SilentAudio:  # a quiet sentence is still that sentence: keep it whole
            made = audio.make_web_derivative(src, web, name="clip.wav", keep_time=True)
        with transaction(session):
            exists = session.execute(
                select(Media.id).where(Media.dictionary_id == dictionary.id,
                                       Media.sha256 == sha256)
            ).first()  # fmt: skip
            if exists is None:
                name = f"{segment['id']}.wav"
                session.add(audio_media(dictionary, sha256, info, made, name, editor))
            for key, path, mime in ((original_key(sha256), src, info.mime),
                                    (derivative_key(sha256), web, made.mime)):  # fmt: skip
                if not storage.exists(key):
                    storage.put(key, path, content_type=mime)
    return sha256


def example_from_segment(text: dict, segment: dict, sha256: str | None) -> dict:
    """An example sentence (docs/entry-shape.md) copied from a segment: its text, its
    translation, its clip, the text as its source, the speaker's consent, and the scope the
    sentence had (the text's and the segment's together)."""
    visibility, circle = view.segment_scope(text, segment)
    speaker = next((s for s in text.get("speakers") or []
                    if s.get("code") == segment.get("speaker")), None)  # fmt: skip
    recording = {}
    if speaker is not None:
        recording = {"speaker": speaker.get("name") or "", **{f: bool(speaker.get(f)) for f in (
            "consent_publish", "consent_speech_tools", "speaker_named")}}  # fmt: skip
    return {
        "text": dict(segment.get("text") or {}),
        "translations": dict(segment.get("translation") or {}),
        "source": first_form(text.get("title")),
        "visibility": visibility, "circle": circle,
        "media": {"sha256": sha256} if sha256 else None,
        "recording": recording,
        "extra": {"text": {"text_id": text["id"], "segment_id": segment["id"]}},
    }  # fmt: skip


def _readable_segment(session, dictionary, viewer, text_id, segment_id):
    try:
        return sounding_segment(session, dictionary, viewer, text_id, segment_id)
    except ClipNotFound:
        raise store.TextNotFound(f"no segment {segment_id} in text {text_id}") from None


def draft_entry(
    *, session, storage: Storage, dictionary: Dictionary, viewer: Viewer, text_id: str,
    segment_id: str, form: str, glosses: dict | None = None,
) -> dict:  # fmt: skip
    """A new-word candidate made a draft entry: a proposal in the review queue (status
    needs_review) with the sentence as its example and, when there is one, its clip."""
    access.require(viewer, dictionary, "propose")
    form = " ".join(str(form or "").split())
    if not form:
        raise InvalidInput("form: the word to make an entry of")
    text, segment = _readable_segment(session, dictionary, viewer, text_id, segment_id)
    ws = next((w for w in dictionary.vernacular_ws or [] if w in segment["text"]),
              next(iter(segment["text"]), (dictionary.vernacular_ws or ["und"])[0]))  # fmt: skip
    sha = store_clip(session, storage, dictionary, text, segment, viewer.label)
    data = {
        "headword": {ws: form}, "status": "needs_review",
        "senses": [{"glosses": dict(glosses or {}),
                    "examples": [example_from_segment(text, segment, sha)]}],
    }  # fmt: skip
    return review.propose(session=session, dictionary=dictionary, viewer=viewer,
                          action="create", data=data, uploaded=sha)  # fmt: skip


def use_as_example(
    *, session, storage: Storage, dictionary: Dictionary, viewer: Viewer, entry_id: str,
    sense_id: str, text_id: str, segment_id: str, version: int | None = None,
) -> review.Change:  # fmt: skip
    """Copy a sentence, its translation and its clip into a sense of the entry as a new
    example (applied for editors, proposed for contributors)."""
    access.require(viewer, dictionary, "propose")
    entry = access.filter_entry(viewer, dictionary, stored_entry(
        session=session, dictionary=dictionary, entry_id=entry_id))  # fmt: skip
    if entry is None:
        raise EntryNotFound(f"no entry {entry_id} in {dictionary.slug!r}")
    sense = next((s for s in iter_senses(entry) if s.get("id") == sense_id), None)
    if sense is None:
        raise SenseNotFound(f"entry {entry_id} has no sense {sense_id}")
    text, segment = _readable_segment(session, dictionary, viewer, text_id, segment_id)
    sha = store_clip(session, storage, dictionary, text, segment, viewer.label)
    sense["examples"] = [*(sense.get("examples") or []), example_from_segment(text, segment, sha)]
    return review.change_entry(
        session=session, dictionary=dictionary, viewer=viewer, action="update",
        entry_id=entry_id, data=entry, version=entry["version"] if version is None else version,
        uploaded=sha,
    )  # fmt: skip
