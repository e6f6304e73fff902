"""A word as spoken in a story (issue 23): once words are aligned (lexicon.texts.aligning), each
word linked to an entry has its clip, cut from the text's recording like a sentence's
(lexicon.texts.clips), which a keeper can make the entry's recording (`use_word_clip`: a new
first pronunciation with the clip, the speaker and their consent; applied for editors,
proposed for contributors). Every path reads the segment through the access rule first."""

from __future__ import annotations

from lexicon.accounts import access
from lexicon.accounts.access import Viewer
from lexicon.editing import review
from lexicon.entries.read import stored_entry
from lexicon.errors import EntryNotFound, InvalidInput
from lexicon.media.recordings import Served
from lexicon.media.storage import Storage
from lexicon.models import Dictionary
from lexicon.texts import clips, links


def _timed_word(session, dictionary, viewer, text_id: str, segment_id: str, n: int):
    """(text, segment, word n) when the viewer may hear the segment and the word has times."""
    text, segment = clips.sounding_segment(session, dictionary, viewer, text_id, segment_id)
    words = segment.get("words") or []
    word = words[n] if 0 <= n < len(words) else None
    if word is None or word.get("start") is None or word.get("end") is None:
        raise clips.ClipNotFound(f"word {n} of segment {segment_id} has no aligned times")
    return text, segment, word


def word_clip_to_serve(
    *, session, storage: Storage, dictionary: Dictionary, viewer: Viewer | None,
    text_id: str, segment_id: str, n: int,
) -> Served:  # fmt: skip
    """Word `n` of a segment as spoken (MP3, cut once, then kept in storage like sentence
    clips), if the viewer may hear the segment and the word is aligned."""
    text, _, word = _timed_word(session, dictionary, viewer, text_id, segment_id, n)
    return clips.span_to_serve(session, storage, dictionary, text, _span(word), word["text"][:40])


def _span(word: dict) -> dict:
    return {"start": word["start"], "end": word["end"]}


def use_word_clip(
    *, session, storage: Storage, dictionary: Dictionary, viewer: Viewer, entry_id: str,
    text_id: str, segment_id: str, n: int, version: int | None = None,
) -> review.Change:  # fmt: skip
    """Make word `n` of a segment (aligned, and linked to the entry) the entry's recording: a
    new first pronunciation with the word's clip and its speaker's consent."""
    access.require(viewer, dictionary, "propose")
    entry = access.filter_entry(viewer, dictionary, stored_entry(
        session=session, dictionary=dictionary, entry_id=entry_id))  # fmt: skip
    if entry is None:
        raise EntryNotFound(f"no entry {entry_id} in {dictionary.slug!r}")
    text, segment, word = _timed_word(session, dictionary, viewer, text_id, segment_id, n)
    linked = links.text_links(session, dictionary, viewer, text).get(segment_id, [])
    if not any(w["n"] == n and w["m"] == -1 and w["entry_id"] == entry_id for w in linked):
        raise InvalidInput(f"word: word {n} ({word['text']!r}) is not linked to this entry")
    sha = clips.store_clip(session, storage, dictionary, text,
                           {"id": f"{segment_id}-w{n}", **_span(word)}, viewer.label)  # fmt: skip
    example = clips.example_from_segment(text, segment, sha)
    pronunciation = {"media": {"sha256": sha}, **example["recording"],
                     "visibility": example["visibility"], "circle": example["circle"],
                     "extra": {"text": {"text_id": text_id, "segment_id": segment_id,
                                        "word": n}}}  # fmt: skip
    entry["pronunciations"] = [pronunciation, *(entry.get("pronunciations") or [])]
    return review.change_entry(
        session=session, dictionary=dictionary, viewer=viewer, action="update",
        entry_id=entry_id, data=entry, version=entry["version"] if version is None else version,
        uploaded=sha,
    )  # fmt: skip
