"""A write that names a stored file by its sha256 (an entry's recording or picture, a
recording in an audio writing-system form) may name only a file its writer may hear or see.

Otherwise knowing a restricted recording's sha256 would be enough to put it on a public entry,
where everyone could then hear it (a file is served to whoever may see one part using it).
"""

from __future__ import annotations

from collections import Counter

from sqlmodel import Session

from lexicon.accounts import access
from lexicon.accounts.access import Viewer
from lexicon.entries.media_access import can_view_media
from lexicon.entries.read import entry_dict
from lexicon.errors import InvalidInput
from lexicon.models import Dictionary, Entry
from lexicon.shape.entry import audio_refs, iter_media, media_sha
from lexicon.shape.schemas import EntryIn


class FileNotYours(InvalidInput):
    """A write names a stored file its writer may not hear: answered as a file that is not
    there (`sha256` in details), so that a guessed sha256 learns nothing."""


def check_named_media(
    session: Session,
    dictionary: Dictionary,
    viewer: Viewer,
    incoming: EntryIn | dict,
    row: Entry | None,
    uploaded: str = "",
    stored: dict | None = None,
) -> None:
    """Raise InvalidInput, as for a file that is not there, if `incoming` (an entry about to
    be written by `viewer`, replacing the stored entry `row`, if any) names a file `viewer` may
    not hear. The parts of the stored entry hidden from the writer come back with their files
    (access.keep_hidden): those files may stay where they are, but not be named once more.
    The file the writer has just `uploaded` is theirs to name: they hold its bytes. `stored`:
    the stored entry as `row` is now, if the caller has it at hand (else it is read)."""
    sent = named_files(incoming)
    if not sent:
        return
    if stored is None and row is not None:
        stored = entry_dict(session=session, dictionary=dictionary, row=row)
    before = named_files(stored) if stored else Counter()
    seen = access.filter_entry(viewer, dictionary, stored) if stored else None
    in_sight = named_files(seen) if seen else Counter()
    for sha256, count in sent.items():
        if sha256 == uploaded or in_sight[sha256] or count <= before[sha256]:
            continue  # the writer hears it in this entry, or only hidden parts keep it
        if not can_view_media(session=session, dictionary=dictionary, viewer=viewer,
                              sha256=sha256):  # fmt: skip
            raise FileNotYours(f"media: no stored file with sha256 {sha256}", sha256=sha256)


def named_files(entry: EntryIn | dict) -> Counter:
    """How many times an entry names each stored file."""
    if isinstance(entry, EntryIn):
        entry = entry.model_dump(mode="json")
    found: Counter = Counter(media_sha(part) for _, part in iter_media(entry))
    del found[None]  # a part naming a file to come (an import's href) names no stored one
    for ref in audio_refs(entry):
        if ref.get("sha256"):
            found[ref["sha256"]] += 1
    return found
