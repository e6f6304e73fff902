"""Relation targets, resolved when an entry is read: a relation shows its target only to those
who may see the target (`lexicon.accounts.access.target_visible`), labelled with the target's headword
as it is now. The label stored with a relation (importers fill it in) is never shown for a
target found in the dictionary, so a hidden target leaves no id and no headword behind.

Every read path that shows relations passes its entries through `resolve` (the store's entry
reads and lists, revisions, exports); the store's writes keep the relations whose targets the
writer may not see (`hidden`), the way `access.keep_hidden` keeps hidden senses.
"""

from __future__ import annotations

from sqlalchemy import select

from lexicon.accounts import access
from lexicon.models import Dictionary, Entry, Sense

_CHUNK = 500


def targets(session, dictionary: Dictionary, ids) -> dict[str, dict]:
    """target id -> what the access rule needs of it: the entry's headword, status,
    visibility, circle and deleted flag, and for a sense the (visibility, circle) of the sense
    and of every sense around it (`scopes`). Ids found nowhere in the dictionary are absent."""
    ids = sorted({i for i in ids if i})
    out: dict[str, dict] = {}
    if not ids:
        return out
    columns = (Entry.id, Entry.headword_text, Entry.status, Entry.visibility, Entry.circle,
               Entry.deleted)  # fmt: skip

    def entries(wanted) -> dict[str, dict]:
        found = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            for eid, headword, status, visibility, circle, deleted in session.execute(
                select(*columns).where(Entry.dictionary_id == dictionary.id, Entry.id.in_(chunk))
            ):
                found[eid] = {"headword": headword or "", "status": status,
                              "visibility": visibility, "circle": circle,
                              "deleted": bool(deleted), "scopes": ()}  # fmt: skip
        return found

    out.update(entries(ids))
    senses: dict[str, tuple] = {}  # id -> (entry_id, parent_id, visibility, circle)
    wanted = [i for i in ids if i not in out]
    while wanted:
        fresh = []
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            for sid, eid, parent, visibility, circle in session.execute(
                select(Sense.id, Sense.entry_id, Sense.parent_id, Sense.visibility, Sense.circle)
                .where(Sense.id.in_(chunk))
            ):  # fmt: skip
                senses[sid] = (eid, parent, visibility, circle)
                if parent and parent not in senses:
                    fresh.append(parent)
        wanted = sorted(set(fresh) - set(senses))
    owners = entries(sorted({s[0] for s in senses.values()}))
    for target in ids:
        if target in out or target not in senses or senses[target][0] not in owners:
            continue  # not a sense of this dictionary
        scopes, at = [], target
        while at in senses:
            eid, parent, visibility, circle = senses[at]
            scopes.append((visibility, circle))
            at = parent
        out[target] = {**owners[senses[target][0]], "scopes": tuple(scopes)}
    return out


def resolve(session, dictionary: Dictionary, viewer, entries: list[dict]) -> list[dict]:
    """`entries` (already filtered for `viewer`) with each relation's target checked against
    the access rule and labelled with its headword now; hidden targets are left out."""
    wanted = {r.get("target_id") for e in entries for r in e.get("relations") or []}
    found = targets(session, dictionary, wanted)
    return [access.filter_relations(viewer, dictionary, e, found) for e in entries]


def resolve_one(session, dictionary: Dictionary, viewer, entry: dict | None) -> dict | None:
    if entry is None:
        return None
    return resolve(session, dictionary, viewer, [entry])[0]


def hidden(session, dictionary: Dictionary, viewer, relations: list[dict]) -> list[dict]:
    """Those of `relations` whose targets `viewer` may not see."""
    found = targets(session, dictionary, {r.get("target_id") for r in relations})
    return [
        r
        for r in relations
        if r.get("target_id")
        and not access.target_visible(viewer, dictionary, found.get(r["target_id"]))
    ]
