"""The one access rule. Every read path (pages, API, search, browse, exports, PDFs, media,
revisions) asks this module what a viewer may see; nothing else decides.

Levels: a dictionary is public or private; an entry, sense, example, pronunciation or picture is
public, community (any member of the dictionary) or restricted (members of its named circle;
owners and site admins see everything so they can manage it). Unpublished entries (draft,
needs review) are seen by those who may edit or propose.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from types import SimpleNamespace

from sqlalchemy import and_, false, func, literal, or_, true

from lexicon.errors import Conflict, DictionaryNotFound, Forbidden, NotAuthenticated
from lexicon.shape import verbatim
from lexicon.shape.entry import audio_refs, iter_media

ROLE_RANK = {"viewer": 1, "contributor": 2, "editor": 3, "owner": 4}
# What each action needs at least.
ACTION_ROLE = {
    "read": "viewer",
    "propose": "contributor",
    "edit": "editor",
    "review": "editor",
    "manage": "owner",
}


@dataclass(frozen=True)
class Viewer:
    """Who is asking: their memberships (dictionary id -> role) and circles (id -> names)."""

    user_id: int | None = None
    email: str = ""
    display_name: str = ""
    is_admin: bool = False
    roles: dict[int, str] = field(default_factory=dict)
    circles: dict[int, frozenset[str]] = field(default_factory=dict)
    locale: str | None = None  # the user's interface language, if they chose one

    @property
    def anonymous(self) -> bool:
        return self.user_id is None

    @property
    def label(self) -> str:
        return self.email or "anonymous"

    def role_in(self, dictionary) -> str | None:
        if self.is_admin:
            return "owner"
        return self.roles.get(dictionary.id)

    def rank_in(self, dictionary) -> int:
        return ROLE_RANK.get(self.role_in(dictionary) or "", 0)


ANONYMOUS = Viewer()


def can_see_dictionary(viewer: Viewer, dictionary) -> bool:
    return dictionary.visibility == "public" or viewer.rank_in(dictionary) > 0


def require_dictionary(viewer: Viewer, dictionary) -> None:
    """A private dictionary is answered as missing, so its existence does not leak."""
    if not can_see_dictionary(viewer, dictionary):
        raise DictionaryNotFound(f"no dictionary {dictionary.slug!r}")


def may(viewer: Viewer, dictionary, action: str) -> bool:
    return viewer.rank_in(dictionary) >= ROLE_RANK[ACTION_ROLE[action]]


def require(viewer: Viewer, dictionary, action: str) -> None:
    """Raise unless the viewer may do `action` (read/propose/edit/review/manage) here."""
    require_dictionary(viewer, dictionary)
    if may(viewer, dictionary, action):
        return
    if viewer.anonymous:
        raise NotAuthenticated("log in to do this")
    raise Forbidden(f"your role does not allow '{action}' in {dictionary.slug!r}")


def access_key(viewer: Viewer, dictionary) -> tuple:
    """What this rule looks at, for one dictionary: equal keys see the same. Caches of
    derived results (search statements, search pages) key on it."""
    return (
        viewer.user_id,
        viewer.is_admin,
        viewer.roles.get(dictionary.id),
        tuple(sorted(viewer.circles.get(dictionary.id, ()))),
        dictionary.id,
        dictionary.visibility,
    )


# Nested scopes (a restricted example inside a sense restricted to another circle) are one
# conjunction: `conjunction` folds them into one (visibility, circle) whose circle names every
# circle needed, joined as SEP + "a" + SEP + "b" + SEP. A single circle stays its plain name.
SEP = "\x1f"
LEVEL = {"public": 0, "community": 1, "restricted": 2}
CIRCLE_LENGTH = 200  # the circle columns' size


def circle_names(circle: str | None) -> frozenset[str]:
    """Every circle a (possibly joined) circle value requires."""
    if not circle:
        return frozenset()
    if circle.startswith(SEP):
        return frozenset(n for n in circle.split(SEP) if n)
    return frozenset([circle])


def _own_circles(viewer: Viewer, dictionary) -> frozenset[str]:
    """The viewer's circles here, if a member (circle names with SEP in them are ignored)."""
    if viewer.rank_in(dictionary) <= 0:
        return frozenset()
    return frozenset(c for c in viewer.circles.get(dictionary.id, ()) if SEP not in c)


def conjunction(*scopes: tuple[str | None, str | None]) -> tuple[str, str | None]:
    """One (visibility, circle) allowing exactly the viewers every (visibility, circle) of
    `scopes` allows: the scopes of an item and of everything enclosing it. Restricted without
    a circle (or with more circles than a column holds) is left to owners alone."""
    level, circles, unnamed = "public", set(), False
    for visibility, circle in scopes:
        visibility = visibility or "public"
        if visibility not in LEVEL:
            visibility, circle = "restricted", None  # unknown: closed
        if LEVEL[visibility] > LEVEL[level]:
            level = visibility
        if visibility == "restricted":
            names = circle_names(circle)
            unnamed = unnamed or not names
            circles |= names
    if level != "restricted":
        return level, None
    if unnamed or not circles:
        return "restricted", None
    if len(circles) == 1:
        return "restricted", next(iter(circles))
    joined = SEP + SEP.join(sorted(circles)) + SEP
    return "restricted", joined if len(joined) <= CIRCLE_LENGTH else None


def can_see(viewer: Viewer, dictionary, visibility: str, circle: str | None) -> bool:
    """May the viewer see one item with this visibility (and circle, or joined circles)?
    Restricted means members of the dictionary in every circle named."""
    if visibility == "public":
        return True
    rank = viewer.rank_in(dictionary)
    if visibility == "community":
        return rank > 0
    if rank >= ROLE_RANK["owner"]:
        return True
    names = circle_names(circle)
    return bool(names) and names <= _own_circles(viewer, dictionary)


def sees_originals(viewer: Viewer | None, dictionary) -> bool:
    """May the viewer have a photo's original (it may carry GPS and camera EXIF: a sacred
    site's location)? Editors and owners may; everyone else gets the stripped web and print
    copies. `None` is the command line (the server's operator). The /media original route and
    exports both ask this."""
    return viewer is None or may(viewer, dictionary, "edit")


def sees_speakers(viewer: Viewer | None, dictionary) -> bool:
    """May the viewer see who spoke a recording whose speaker did not agree to be named
    (`speaker_named` false), and the consent notes of recordings and pictures (free text that
    can name people)? Those who manage the recordings may: editors, owners and site admins;
    `None` is the command line. Everyone else gets those fields blank (`private_notes`); the
    consent flags, dialect, place and date stay. Pages, API, exports, print and history all
    read entries through `filter_entry`, so they all follow this."""
    return viewer is None or may(viewer, dictionary, "edit")


def sees_unpublished(viewer: Viewer, dictionary) -> bool:
    return may(viewer, dictionary, "propose")


def entry_clause(viewer: Viewer, dictionary, model):
    """SQL condition on an Entry-like `model` (columns visibility, circle, status)."""
    if not can_see_dictionary(viewer, dictionary):
        return false()
    rank = viewer.rank_in(dictionary)
    if rank >= ROLE_RANK["owner"]:
        seen = true()
    else:
        circles = sorted(_own_circles(viewer, dictionary))
        allowed = ["public", "community"] if rank > 0 else ["public"]
        seen = model.visibility.in_(allowed)
        if circles:
            named = model.circle.in_(circles)
            if len(circles) > 1:  # joined circles: every one of them is the viewer's
                rest = model.circle
                for circle in circles:
                    rest = func.replace(rest, SEP + circle + SEP, SEP)
                named = or_(named, and_(func.substr(model.circle, 1, 1) == SEP, rest == SEP))
            seen = or_(seen, and_(model.visibility == "restricted", named))
    if sees_unpublished(viewer, dictionary):
        return seen
    return and_(seen, model.status == "published")


def item_clause(viewer: Viewer, dictionary, model):
    """SQL condition on a part's own visibility and circle (columns of `model`: a sense,
    example or pronunciation); its entry, and the parts around it, are checked apart."""
    part = SimpleNamespace(
        visibility=model.visibility, circle=model.circle, status=literal("published")
    )
    return entry_clause(viewer, dictionary, part)


def can_see_entry(viewer: Viewer, dictionary, entry: dict) -> bool:
    if not can_see_dictionary(viewer, dictionary):
        return False
    if entry.get("status", "published") != "published" and not sees_unpublished(viewer, dictionary):
        return False
    return can_see(viewer, dictionary, entry.get("visibility", "public"), entry.get("circle"))


def _visible(viewer, dictionary, items: list[dict]) -> list[dict]:
    return [
        i
        for i in items
        if can_see(viewer, dictionary, i.get("visibility", "public"), i.get("circle"))
    ]


def _filter_sense(viewer, dictionary, sense: dict) -> dict:
    sense = dict(sense)
    sense["examples"] = _visible(viewer, dictionary, sense.get("examples", []))
    sense["pictures"] = _visible(viewer, dictionary, sense.get("pictures", []))
    sense["subsenses"] = [
        _filter_sense(viewer, dictionary, s)
        for s in _visible(viewer, dictionary, sense.get("subsenses", []))
    ]
    return sense


def filter_entry(viewer: Viewer, dictionary, entry: dict) -> dict | None:
    """The entry as this viewer may see it: None if hidden, else without hidden parts."""
    if not can_see_entry(viewer, dictionary, entry):
        return None
    out = dict(entry)
    out["senses"] = [
        _filter_sense(viewer, dictionary, s)
        for s in _visible(viewer, dictionary, entry.get("senses", []))
    ]
    out["pronunciations"] = _visible(viewer, dictionary, entry.get("pronunciations", []))
    if verbatim.part_count(out) != verbatim.part_count(entry):
        # The imported source text holds every part: never for a viewer shown only some.
        out = verbatim.without_source(out)
    if not sees_speakers(viewer, dictionary):
        out = _without_private_notes(out)
    return out


def _recordings(entry: dict):
    """(kind, item, notes) for each part of `entry` with recording or consent notes: `notes`
    is the dict holding them (a pronunciation or picture itself, an example's `recording`)."""
    for p in entry.get("pronunciations") or []:
        yield "pronunciation", p, p
    stack = list(entry.get("senses") or [])
    while stack:
        sense = stack.pop()
        stack.extend(sense.get("subsenses") or [])
        for example in sense.get("examples") or []:
            if isinstance(example.get("recording"), dict):
                yield "example", example, example["recording"]
        for picture in sense.get("pictures") or []:
            yield "picture", picture, picture


def _private_fields(kind: str, item: dict, notes: dict, names: frozenset[str] = frozenset()):
    """Which fields of one part are not for those outside `sees_speakers`: the consent notes,
    the speaker's name unless they agreed to be named (or if it is one of `names`), and an
    example's `source` when it is that hidden name (an upload fills it with the speaker)."""
    fields = [(notes, "consent")]
    if kind == "picture":
        return fields
    speaker = notes.get("speaker") or ""
    if speaker and (not notes.get("speaker_named") or speaker in names):
        fields.append((notes, "speaker"))
        if kind == "example" and item.get("source") == speaker:
            fields.append((item, "source"))
    return fields


def _without_private_notes(entry: dict, names: frozenset[str] = frozenset()) -> dict:
    """A copy of `entry` with the fields `_private_fields` names blanked (and no verbatim
    source text if any was filled: it holds them too)."""
    blanked = False

    def blank(kind: str, item: dict, notes: dict) -> None:
        nonlocal blanked
        for holder, key in _private_fields(kind, item, notes, names):
            if holder.get(key):
                holder[key] = ""
                blanked = True

    out = dict(entry)
    out["pronunciations"] = [dict(p) for p in entry.get("pronunciations") or []]
    for p in out["pronunciations"]:
        blank("pronunciation", p, p)

    def sense(s: dict) -> dict:
        s = dict(s)
        s["examples"] = [dict(x) for x in s.get("examples") or []]
        for x in s["examples"]:
            if isinstance(x.get("recording"), dict):
                x["recording"] = dict(x["recording"])
                blank("example", x, x["recording"])
        s["pictures"] = [dict(x) for x in s.get("pictures") or []]
        for x in s["pictures"]:
            blank("picture", x, x)
        s["subsenses"] = [sense(x) for x in s.get("subsenses") or []]
        return s

    out["senses"] = [sense(s) for s in entry.get("senses") or []]
    return verbatim.without_source(out) if blanked else out


def _hidden_names(entry: dict) -> frozenset[str]:
    """The names of the speakers of `entry` who did not agree to be named."""
    return frozenset(
        notes["speaker"]
        for kind, _item, notes in _recordings(entry)
        if kind != "picture" and notes.get("speaker") and not notes.get("speaker_named")
    )


def media_shas(entry: dict) -> set[str]:
    """Every media sha256 an entry dict refers to: pronunciations, examples, pictures, and the
    recordings kept in audio writing-system forms (a gloss's, a translation's ...)."""
    shas = {part["media"]["sha256"] for _, part in iter_media(entry)}
    return shas | {ref["sha256"] for ref in audio_refs(entry) if ref.get("sha256")}


def media_visible(viewer: Viewer, dictionary, sha256: str, entries: list[dict]) -> bool:
    """A media file is visible if it is still there in the viewer's view of an entry using it."""
    for entry in entries:
        seen = filter_entry(viewer, dictionary, entry)
        if seen is not None and sha256 in media_shas(seen):
            return True
    return False


def target_visible(viewer: Viewer, dictionary, target: dict | None) -> bool:
    """May the viewer see a relation's target? `target` (lexicon.entries.relations.targets): its
    entry's status, visibility, circle and deleted flag, and for a sense the scopes of the
    sense and of every sense around it; all of them must allow the viewer. None (no such
    entry or sense in this dictionary) hides nothing: only the stored label is there."""
    if target is None:
        return True
    if target.get("deleted") and not may(viewer, dictionary, "edit"):
        return False
    if not can_see_entry(viewer, dictionary, target):
        return False
    return all(can_see(viewer, dictionary, v or "public", c) for v, c in target["scopes"])


def filter_relations(viewer: Viewer, dictionary, entry: dict, targets: dict) -> dict:
    """`entry` without the relations whose targets the viewer may not see (no id, no label
    left), the others labelled with their target's headword now. `targets`: see
    lexicon.entries.relations.targets."""
    kept = []
    for relation in entry.get("relations") or []:
        target_id = relation.get("target_id")
        target = targets.get(target_id) if target_id else None
        if target_id and not target_visible(viewer, dictionary, target):
            continue
        if target is not None:
            relation = dict(relation, target_headword=target["headword"])
        kept.append(relation)
    out = dict(entry, relations=kept)
    if len(kept) != len(entry.get("relations") or []):
        out = verbatim.without_source(out)  # the source names the hidden target too
    return out


def _sees(viewer: Viewer, dictionary, item: dict) -> bool:
    return can_see(viewer, dictionary, item.get("visibility", "public"), item.get("circle"))


def hidden_ids(viewer: Viewer, dictionary, entry: dict) -> set[str]:
    """Ids of every part of `entry` the viewer may not see (with everything inside them)."""
    return set(hidden_parts(viewer, dictionary, entry)) - {""}


def hidden_parts(viewer: Viewer, dictionary, entry: dict) -> list[str]:
    """The id of each part of `entry` the viewer may not see, with everything inside them;
    "" for a new part that has no id yet."""
    found: list[str] = []

    def all_ids(sense: dict) -> None:
        found.append(sense.get("id") or "")
        for item in sense.get("examples", []) + sense.get("pictures", []):
            found.append(item.get("id") or "")
        for sub in sense.get("subsenses", []):
            all_ids(sub)

    def walk(sense: dict) -> None:
        if not _sees(viewer, dictionary, sense):
            all_ids(sense)
            return
        for item in sense.get("examples", []) + sense.get("pictures", []):
            if not _sees(viewer, dictionary, item):
                found.append(item.get("id") or "")
        for sub in sense.get("subsenses", []):
            walk(sub)

    for p in entry.get("pronunciations", []):
        if not _sees(viewer, dictionary, p):
            found.append(p.get("id") or "")
    for sense in entry.get("senses", []):
        walk(sense)
    return found


def _drop_ids(entry: dict, ids: set[str]) -> dict:
    def keep(items: list[dict]) -> list[dict]:
        return [i for i in items if i.get("id") not in ids]

    def sense(s: dict) -> dict:
        return dict(
            s,
            examples=keep(s.get("examples", [])),
            pictures=keep(s.get("pictures", [])),
            subsenses=[sense(x) for x in keep(s.get("subsenses", []))],
        )

    return dict(
        entry,
        pronunciations=keep(entry.get("pronunciations", [])),
        senses=[sense(s) for s in keep(entry.get("senses", []))],
    )


def filter_revision(viewer: Viewer, dictionary, data: dict, current: dict) -> dict | None:
    """An old revision as the viewer may see it: by its own flags, and without any part that
    is hidden from the viewer now (a sense made restricted later stays hidden in history)."""
    seen = filter_entry(viewer, dictionary, data)
    if seen is None:
        return None
    seen = _drop_ids(seen, hidden_ids(viewer, dictionary, current))
    if verbatim.part_count(seen) != verbatim.part_count(data):
        # The revision's imported source text holds the parts hidden now, too.
        seen = verbatim.without_source(seen)
    if not sees_speakers(viewer, dictionary):
        # A speaker who no longer agrees to be named is not named in history either.
        unnamed = {
            item.get("id") for kind, item, notes in _recordings(current)
            if kind != "picture" and not notes.get("speaker_named")
        }  # fmt: skip
        names = _hidden_names(current) | _hidden_names(data)
        for kind, item, notes in _recordings(seen):
            if kind != "picture" and item.get("id") in unnamed:
                names |= {notes.get("speaker") or ""}
        seen = _without_private_notes(seen, names - {""})
    return seen


def _merge(viewer, dictionary, old: list[dict], new: list[dict], nested: bool) -> list[dict]:
    out = list(new)
    for index, item in enumerate(old):
        if not _sees(viewer, dictionary, item):
            out.insert(min(index, len(out)), item)
    if nested:
        before = {s.get("id"): s for s in old if s.get("id")}
        out = [
            _merge_sense(viewer, dictionary, before[s["id"]], s)
            if s.get("id") in before and _sees(viewer, dictionary, before[s["id"]])
            else s
            for s in out
        ]
    return out


def _merge_sense(viewer, dictionary, old: dict, new: dict) -> dict:
    merged = dict(new)
    for key in ("examples", "pictures"):
        merged[key] = _merge(viewer, dictionary, old.get(key, []), new.get(key, []), False)
    merged["subsenses"] = _merge(
        viewer, dictionary, old.get("subsenses", []), new.get("subsenses", []), True
    )
    return merged


class HiddenPartsInTheWay(Conflict):
    """The change would remove a part that holds parts hidden from the one making it."""


def _ids(entry: dict) -> set[str]:
    found = {p.get("id") for p in entry.get("pronunciations", [])}
    stack = list(entry.get("senses", []))
    while stack:
        sense = stack.pop()
        found.add(sense.get("id"))
        found |= {i.get("id") for i in sense.get("examples", []) + sense.get("pictures", [])}
        stack.extend(sense.get("subsenses", []))
    return found - {None, ""}


def keep_hidden(viewer: Viewer, dictionary, current: dict, incoming: dict) -> dict:
    """`incoming` (sent by a viewer who saw a filtered entry) with the parts of `current`
    hidden from that viewer put back exactly as they are, so saving what one sees never deletes
    or rewrites what one cannot. A part of `incoming` that claims the id of a hidden part is
    not the viewer's to write and is left out (an old revision, a stale proposal, a forged
    form). Raises HiddenPartsInTheWay if a hidden part could not be put back because
    `incoming` removed the visible part that holds it."""
    hidden = hidden_ids(viewer, dictionary, current)
    merged = _drop_ids(incoming, hidden) if hidden else dict(incoming)
    merged["pronunciations"] = _merge(
        viewer, dictionary, current.get("pronunciations", []), merged.get("pronunciations", []),
        False,
    )  # fmt: skip
    merged["senses"] = _merge(
        viewer, dictionary, current.get("senses", []), merged.get("senses", []), True
    )
    if not sees_speakers(viewer, dictionary):
        merged = _keep_private_notes(merged, current)
    if not hidden <= _ids(merged):
        raise HiddenPartsInTheWay(
            "this change removes a sense that holds parts you may not see; "
            "ask someone who may see them to make it"
        )
    return merged


def _keep_private_notes(merged: dict, current: dict) -> dict:
    """`merged` with the fields of `current` its writer could not see (`_private_fields`: a
    speaker not named to them, consent notes) put back as they are now, part by part (by id),
    whatever the writer sent in their place. New parts keep what the writer gave them."""
    before = {item.get("id"): (kind, item, notes) for kind, item, notes in _recordings(current)}
    merged = copy.deepcopy(merged)
    stack = list(merged.get("senses") or [])
    while stack:  # an example sent without its recording notes gets them back
        sense = stack.pop()
        stack.extend(sense.get("subsenses") or [])
        for example in sense.get("examples") or []:
            if not isinstance(example.get("recording"), dict):
                example["recording"] = {}
    for kind, item, notes in _recordings(merged):
        old = before.get(item.get("id")) if item.get("id") else None
        if old is None or old[0] != kind:
            continue
        for holder, key in _private_fields(*old):
            value = holder.get(key, "")
            if holder is old[1] and key == "source":
                item["source"] = value
            else:
                notes[key] = value
    return merged


def restorable(viewer: Viewer, dictionary, old: dict, current: dict) -> dict | None:
    """Old revision `old` as `viewer` may put it back, like a save of what they see of it:
    the parts hidden from them in it (by its own flags or by what is hidden now) left out,
    and every part of `current` hidden from them kept exactly as it is now. None if the
    revision is hidden from them."""
    seen = filter_revision(viewer, dictionary, old, current)
    if seen is None:
        return None
    return keep_hidden(viewer, dictionary, current, seen)
