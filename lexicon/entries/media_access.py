"""Who may see or hear a stored file: the one access rule asked about everything that uses it
(an entry's part, a recording kept in an audio writing-system form, a text's long recording).
Serving a file asks it, and so does a write that names a stored file (lexicon.editing)."""

from __future__ import annotations

from sqlalchemy import String, cast, select, union
from sqlmodel import Session

from lexicon.accounts import access
from lexicon.accounts.access import Viewer
from lexicon.entries.read import entry_dicts
from lexicon.models import (
    Dictionary,
    Entry,
    Example,
    Picture,
    Pronunciation,
    Sense,
    Text,
    TextSegment,
)


def can_view_media(
    *, session: Session, dictionary: Dictionary, viewer: Viewer, sha256: str
) -> bool:
    """The one access check for media: it is as visible as something that uses it (an entry's
    part, a recording kept in an entry's audio writing-system form, or a text's long
    recording).

    A file nothing live uses (just uploaded, or removed from its entry) is seen by editors only.
    """
    rows = _live_entries(session, dictionary, _entries_with_media(session, sha256))
    texts = _text_recording(session, dictionary, viewer, sha256)
    if texts:
        return True
    if rows and access.media_visible(viewer, dictionary, sha256, entry_dicts(
            session=session, dictionary=dictionary, rows=rows)):  # fmt: skip
        return True
    # Not heard through a part that holds it: perhaps through a gloss's or a translation's
    # audio form (rare, and kept in JSON, so looked for only now).
    forms = _live_entries(
        session, dictionary, _entries_with_audio_form(session, dictionary, sha256)
    )
    if forms:
        entries = entry_dicts(session=session, dictionary=dictionary, rows=forms)
        return access.media_visible(viewer, dictionary, sha256, entries)
    if not rows and texts is None:
        return access.may(viewer, dictionary, "edit")
    return False


def _entries_with_media(session: Session, sha256: str) -> set[str]:
    # Two small queries by id: as one (IN a subquery) SQLite's planner walked every entry.
    parts = (Pronunciation, Example, Picture)
    found = union(*(select(part.entry_id).where(part.media_sha256 == sha256) for part in parts))
    return set(session.exec(found).scalars())


def _entries_with_audio_form(session: Session, dictionary: Dictionary, sha256: str) -> set[str]:
    """Entries of the dictionary whose JSON parts name the file (an audio writing-system form
    keeps {"audio_href", "sha256"} in a part's `extra`, see lexicon.shape.entry.audio_refs)."""
    if not sha256.isalnum():
        return set()
    found = session.exec(
        select(Entry.id).where(
            Entry.dictionary_id == dictionary.id, cast(Entry.extra, String).contains(sha256)
        )  # fmt: skip
    ).scalars()
    ids = set(found)
    for model in (Sense, Example, Pronunciation):
        ids.update(session.exec(
            select(model.entry_id).join(Entry, Entry.id == model.entry_id).where(
                Entry.dictionary_id == dictionary.id, cast(model.extra, String).contains(sha256))
        ).scalars())  # fmt: skip
    return ids


def _live_entries(session: Session, dictionary: Dictionary, ids: set[str]) -> list[Entry]:
    if not ids:
        return []
    rows = session.exec(select(Entry).where(Entry.id.in_(ids))).scalars()
    return [row for row in rows if row.dictionary_id == dictionary.id and not row.deleted]


def _text_recording(session, dictionary, viewer: Viewer, sha256: str) -> bool | None:
    """None if no live text has this recording; else may the viewer hear it: they see one
    such text and every segment in it (the recording holds every segment's speech, so a
    segment hidden from them keeps the whole recording from them)."""
    texts = session.exec(
        select(Text).where(
            Text.dictionary_id == dictionary.id,
            Text.media_sha256 == sha256,
            Text.deleted.is_(False),
        )
    ).scalars().all()  # fmt: skip
    if not texts:
        return None
    for text in texts:
        scope = (text.visibility, text.circle)
        if not access.can_see_entry(
            viewer, dictionary, {"status": text.status, "visibility": scope[0], "circle": scope[1]}
        ):
            continue
        segments = session.exec(
            select(TextSegment.visibility, TextSegment.circle).where(TextSegment.text_id == text.id)
        ).all()
        if all(
            access.can_see(viewer, dictionary, *access.conjunction(scope, (v, c)))
            for v, c in segments
        ):
            return True
    return False
