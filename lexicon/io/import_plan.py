"""An import's new entries made ready before its write transaction (lexicon.editing.batch).

On SQLite the write transaction keeps every other keeper waiting, and for a first import most
of it was building rows in Python. So `write_import` settles the file's entries (media
attached, foreign ids remapped) and plans its new entries with reads only, against the
dictionary as the import will leave it (`package_changes`: its languages, its LIFT header);
inside the transaction `create_entries` checks that the plan still holds and inserts it, or
makes the rows again if anything they depend on changed meanwhile. An import inside a caller's
transaction (a new dictionary and its file, one transaction) plans there, as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from lexicon.editing.batch import NewEntries, plan_entries
from lexicon.entries.read import media_public
from lexicon.io import syncmarks
from lexicon.io.sources import Parsed
from lexicon.models import Dictionary


@dataclass
class Plan:
    """The new entries of an import, BATCH at a time, and each entry's content hash."""

    fresh_ids: list[str] = field(default_factory=list)
    batches: list[NewEntries] = field(default_factory=list)
    digests: dict = field(default_factory=dict)


def package_changes(dictionary: Dictionary, parsed: Parsed, ws_mapping: dict) -> tuple:
    """What the import changes of the dictionary: (server-owned `extra` values, settings)."""
    extra: dict = {}  # server-owned parts of dictionary.extra (lexicon.shape.extra)
    changes: dict = {}
    if parsed.lift_extra is not None:
        extra["lift"] = parsed.lift_extra
    if ws_mapping:
        extra["ws_map"] = ws_mapping
    if dictionary.vernacular_ws in ([], ["und"]) and parsed.vernacular_ws:
        changes["vernacular_ws"] = parsed.vernacular_ws[:3]
    return extra, changes


def plan_new_entries(
    session: Session, dictionary: Dictionary, parsed: Parsed, prepared, editor: str, batch: int
) -> Plan:
    """Plan the entries of `parsed` the dictionary does not hold yet (settled already: media
    attached, ids remapped), against the dictionary as `package_changes` will leave it."""
    entries = parsed.entries
    digests = {e["id"]: syncmarks.content_hash(e) for e in entries}
    existing = syncmarks.stored_marks(session, dictionary, list(digests))
    fresh = [e for e in entries if e["id"] not in existing]
    plan = Plan([e["id"] for e in fresh], digests=digests)
    if not fresh:
        return plan
    extra, changes = package_changes(dictionary, parsed, prepared.ws_mapping)
    projected = Dictionary(**{**dictionary.model_dump(), **changes,
                              "extra": {**(dictionary.extra or {}), **extra}})  # fmt: skip
    # The package's files get their rows in the transaction: their public dicts from them now.
    given = {
        ready.sha256: media_public(projected, ready.row)
        for ready in prepared.media.values()
        if ready.row is not None
    }
    for i in range(0, len(fresh), batch):
        items = fresh[i : i + batch]
        for e in items:
            syncmarks.mark_synced(e, 1, digests[e["id"]])
        plan.batches.append(plan_entries(session=session, dictionary=projected, items=items,
                                         editor=editor, action="import", media=given))  # fmt: skip
    return plan
