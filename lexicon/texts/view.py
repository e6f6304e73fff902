"""What a viewer may see of a text: the text's own scope, and each segment inside it
(`access.conjunction` of both), through the one access rule (lexicon.accounts.access). Every
read path (pages, API, exports, audio) reads texts through here."""

from __future__ import annotations

from lexicon.accounts import access
from lexicon.accounts.access import Viewer
from lexicon.errors import Conflict


class HiddenSegmentsInTheWay(Conflict):
    """The change would move a segment the one making it may not see."""


def can_see_text(viewer: Viewer, dictionary, text: dict) -> bool:
    """The text's own scope and status (its segments are checked apart)."""
    return access.can_see_entry(viewer, dictionary, text)


def segment_scope(text: dict, segment: dict) -> tuple[str, str | None]:
    """One (visibility, circle) for a segment inside its text."""
    return access.conjunction(
        (text.get("visibility"), text.get("circle")),
        (segment.get("visibility"), segment.get("circle")),
    )


def sees_segment(viewer: Viewer, dictionary, text: dict, segment: dict) -> bool:
    return access.can_see(viewer, dictionary, *segment_scope(text, segment))


def sees_speakers(viewer: Viewer | None, dictionary) -> bool:
    return access.sees_speakers(viewer, dictionary)


def _speakers_for(viewer, dictionary, speakers: list[dict]) -> list[dict]:
    """Speakers as the viewer may see them: a name its speaker did not agree to show is
    blanked for those outside `access.sees_speakers`."""
    if sees_speakers(viewer, dictionary):
        return [dict(s) for s in speakers]
    return [dict(s, name="" if not s.get("speaker_named") else s.get("name", "")) for s in speakers]


def filter_text(viewer: Viewer | None, dictionary, text: dict | None) -> dict | None:
    """The text as this viewer may see it: None if hidden, else without the segments hidden
    from them (and without the long recording unless they may hear every part of it).
    `viewer` None: the command line, which sees everything."""
    if text is None or viewer is None:
        return text
    if not can_see_text(viewer, dictionary, text):
        return None
    segments = text.get("segments") or []
    shown = [s for s in segments if sees_segment(viewer, dictionary, text, s)]
    out = dict(text, segments=shown, speakers=_speakers_for(viewer, dictionary, text["speakers"]))
    out["has_recording"] = bool(text.get("media"))  # its sentences' clips may still be heard
    if len(shown) != len(segments):
        # The long recording holds the hidden segments' speech too; the format residue may
        # hold their annotations.
        out["media"] = None
        out["extra"] = {}
        out["segments_hidden"] = True
    return out


def text_clause(viewer: Viewer, dictionary, model):
    """SQL condition on Text rows the viewer may see (their own scope and status)."""
    return access.entry_clause(viewer, dictionary, model)


def keep_hidden(viewer: Viewer | None, dictionary, current: dict, incoming: dict) -> dict:
    """`incoming` (saved by a viewer who saw a filtered text) with the segments hidden from
    them put back as they are, in their places; a segment of `incoming` that claims a hidden
    segment's id is left out. With no viewer (the command line) `incoming` stands."""
    if viewer is None:
        return incoming
    hidden = [
        (i, s)
        for i, s in enumerate(current.get("segments") or [])
        if not sees_segment(viewer, dictionary, current, s)
    ]
    if not hidden:
        if not sees_speakers(viewer, dictionary):
            return dict(incoming, speakers=_names_back(current, incoming))
        return incoming
    if not can_see_text(viewer, dictionary, current):
        raise HiddenSegmentsInTheWay("this text is not yours to change")
    ids = {s.get("id") for _, s in hidden}
    segments = [s for s in incoming.get("segments") or [] if s.get("id") not in ids]
    for index, segment in hidden:
        segments.insert(min(index, len(segments)), segment)
    out = dict(incoming, segments=segments)
    # What the viewer never saw stays as it is: the residue and the long recording.
    out["extra"] = current.get("extra") or {}
    if not sees_speakers(viewer, dictionary):
        out["speakers"] = _names_back(current, out)
    return out


def _names_back(current: dict, incoming: dict) -> list[dict]:
    """Speakers' names blanked for the writer, put back as they are now."""
    before = {s["code"]: s for s in current.get("speakers") or []}
    out = []
    for speaker in incoming.get("speakers") or []:
        old = before.get(speaker.get("code"))
        if old is not None and not old.get("speaker_named") and not speaker.get("name"):
            speaker = dict(speaker, name=old.get("name", ""))
        out.append(speaker)
    return out
