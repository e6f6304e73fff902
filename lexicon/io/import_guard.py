"""An import changes only what its importer may see, as an edit does.

Editors import, and a file names entries and texts by id: a Wordkeep JSON or LIFT file could
name an entry restricted to a circle the editor is not in, or a file stored for one, and the
import would rewrite that entry or put that file on a public one. So an import run for a
`viewer` (the web; the command line is the server's operator and sees everything):

- refuses, naming the id, an entry or text of the file whose stored namesake is hidden from
  the viewer, or that would remove a visible part holding hidden ones;
- puts back the parts of a stored entry hidden from the viewer exactly as they are (the file
  came from what they could see), as `access.keep_hidden` does for a save;
- names by sha256 only stored files the viewer may hear (`can_view_media`); a file named so
  that they may not is treated as one the dictionary does not have.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from lexicon.accounts import access
from lexicon.accounts.access import Viewer
from lexicon.entries.media_access import can_view_media
from lexicon.errors import ImportRejected
from lexicon.models import Dictionary, Entry


def bounding(viewer: Viewer | None, dictionary: Dictionary) -> Viewer | None:
    """The viewer whose sight bounds the import, or None when nothing is hidden from them
    (the command line, the dictionary's owners, site admins): then nothing is checked."""
    if viewer is None or access.may(viewer, dictionary, "manage"):
        return None
    return viewer


def hearable(session: Session, dictionary: Dictionary, viewer: Viewer | None, shas) -> set[str]:
    """The stored files among `shas` the import may name."""
    if viewer is None:
        return set(shas)
    return {
        sha256
        for sha256 in shas
        if can_view_media(session=session, dictionary=dictionary, viewer=viewer, sha256=sha256)
    }


def as_seen(viewer: Viewer | None, dictionary: Dictionary, current: dict, incoming: dict) -> dict:
    """`incoming` (an entry of the file) as it may replace the stored `current`: with the parts
    hidden from `viewer` put back; ImportRejected if the entry is theirs to change no more."""
    if viewer is None:
        return incoming
    if access.filter_entry(viewer, dictionary, current) is None:
        raise out_of_sight("entry", current["id"])
    try:
        return access.keep_hidden(viewer, dictionary, current, incoming)
    except access.HiddenPartsInTheWay as exc:
        raise ImportRejected(f"entry {current['id']}: {exc.message}; nothing was imported") from exc


def hidden_entries(
    session: Session, dictionary: Dictionary, viewer: Viewer | None, ids: list[str]
) -> list[str]:
    """Those of `ids` (stored entries of `dictionary`) hidden from `viewer` as a whole: what a
    dry run reports as the import's errors."""
    if viewer is None:
        return []
    table = Entry.__table__
    hidden = []
    for i in range(0, len(ids), 500):
        rows = session.execute(
            select(table.c.id, table.c.status, table.c.visibility, table.c.circle).where(
                table.c.id.in_(ids[i : i + 500]), table.c.dictionary_id == dictionary.id
            )
        )
        hidden += [r.id for r in rows if not access.can_see_entry(viewer, dictionary, r._asdict())]
    return sorted(hidden)


def check_deletions(viewer: Viewer | None, dictionary: Dictionary, entries: list[dict]) -> None:
    """The file deletes `entries` (stored entry dicts): each must be one `viewer` may see."""
    if viewer is None:
        return
    for entry in entries:
        if access.filter_entry(viewer, dictionary, entry) is None:
            raise out_of_sight("entry", entry["id"])


def out_of_sight(kind: str, item_id: str) -> ImportRejected:
    article = "an" if kind == "entry" else "a"
    return ImportRejected(
        f"{kind} {item_id}: the dictionary has {article} {kind} with this id that you may not "
        "change; nothing was imported (an owner may import this file)"
    )
