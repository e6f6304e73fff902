"""Three-way merge of a text (no database): the version a keeper's form was opened at (base),
what they saved (mine) and what someone else saved meanwhile (theirs). A change only one side
made is taken; where both changed the same field of the text or the same segment (or one
removed a segment the other changed), that is a clash, settled by a pick of "mine" or "theirs".
Segments are matched by id; a segment only mine has (a new row) is added after the segment that
comes before it in mine.

Readable lines of each side of a clash (the conflict page) are here too, as `Label`s, and each
clash as the JSON API names it (`clash_public`)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

from lexicon.shape.diffs import visibility_text
from lexicon.shape.labels import Label, value_label

# The text's own fields, in reading order, each group merged (and chosen) as one.
GROUPS = (
    ("title",),
    ("description",),
    ("genre",),
    ("place",),
    ("recorded_on",),
    ("speakers",),
    ("status",),
    ("visibility", "circle"),
    ("extra",),
)
FIELD_LABELS = {
    "title": Label("Title"),
    "description": Label("Description"),
    "genre": Label("Genre"),
    "place": Label("Place"),
    "recorded_on": Label("Recorded on"),
    "speakers": Label("Speakers"),
    "status": Label("Status"),
    "visibility": Label("Who may see it"),
    "extra": Label("Other data"),
}
# A readable line of a clash's side: its label, the value, the value's writing system (or None).
Line = tuple[Label, str, str | None]
_SEGMENT_FIELDS = ("start", "end", "speaker", "text", "translation", "visibility", "circle",
                   "words", "extra")  # fmt: skip


@dataclass
class Clash:
    """One thing both sides changed: a text field group (`key` its first field) or a segment
    (`key` "segment:<id>"), each side's value and the base's (None: the segment is not there
    on that side), and for a segment its number (in mine, else in theirs)."""

    key: str
    mine: Any
    theirs: Any
    number: int = 0
    base: Any = None

    @property
    def is_segment(self) -> bool:
        return self.key.startswith("segment:")


def merge_texts(
    base: dict, mine: dict, theirs: dict, picks: dict[str, str] | None = None
) -> tuple[dict, list[Clash]]:
    """Theirs with every change only mine made, and for each clash the side `picks` names
    (theirs when not named); the clashes, fields first, then segments in mine's order."""
    picks = picks or {}
    out = copy.deepcopy(theirs)
    clashes: list[Clash] = []
    for group in GROUPS:
        sides = [{f: text.get(f) for f in group} for text in (base, mine, theirs)]
        side = _three_way(*sides)
        if side == "clash":
            clashes.append(Clash(group[0], sides[1], sides[2], base=sides[0]))
            side = picks.get(group[0], "theirs")
        if side == "mine":
            out.update(copy.deepcopy(sides[1]))
    out["segments"] = _segments(base, mine, theirs, picks, clashes)
    return out, clashes


def _three_way(base, mine, theirs) -> str:
    """Which side a value is taken from: "theirs" when mine did not change it, "mine" when
    theirs did not (or both made the same change), else "clash"."""
    b, m, t = _comparable(base), _comparable(mine), _comparable(theirs)
    if m == b:
        return "theirs"
    if t == b or m == t:
        return "mine"
    return "clash"


def _comparable(value):
    """What counts as a change: not surrounding spaces (the form trims them), nor an empty
    value against a missing one, nor an id (segments are matched by id already)."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        pairs = ((k, _comparable(v)) for k, v in value.items() if k != "id")
        out = {k: v for k, v in pairs if v is not None}
        return out or None
    if isinstance(value, list):
        return [_comparable(v) for v in value] or None
    return value


def same_segment(a: dict | None, b: dict | None) -> bool:
    """Do two versions of a segment say the same (as the merge counts changes)?"""
    return _comparable(_segment(a)) == _comparable(_segment(b))


def same_text(a: dict, b: dict) -> bool:
    """Do two versions of a text say the same: its fields, and its segments in their order?"""
    for group in GROUPS:
        if _comparable({f: a.get(f) for f in group}) != _comparable({f: b.get(f) for f in group}):
            return False
    ours, other = a.get("segments") or [], b.get("segments") or []
    if [s["id"] for s in ours] != [s["id"] for s in other]:
        return False
    return all(same_segment(x, y) for x, y in zip(ours, other, strict=True))


def _segment(segment: dict | None) -> dict | None:
    if segment is None:
        return None
    out = {f: segment.get(f) for f in _SEGMENT_FIELDS}
    out["visibility"] = out["visibility"] or "public"
    return out


def _segments(base, mine, theirs, picks, clashes) -> list[dict]:
    by = [{s["id"]: s for s in text.get("segments") or []} for text in (base, mine, theirs)]
    _same_new_ones(*by)
    order = [list(ids) for ids in by]
    chosen: dict[str, dict | None] = {}
    found = []
    for sid in dict.fromkeys(order[1] + order[2] + order[0]):
        b, m, t = (ids.get(sid) for ids in by)
        side = _three_way(_segment(b), _segment(m), _segment(t))
        if side == "clash":
            number = (order[1].index(sid) if m is not None else order[2].index(sid)) + 1
            found.append(Clash(f"segment:{sid}", m, t, number, base=b))
            side = picks.get(found[-1].key, "theirs")
        chosen[sid] = copy.deepcopy(m if side == "mine" else t)
    clashes += sorted(found, key=lambda c: (c.mine is None, c.number))
    placed = [sid for sid in order[2] if chosen[sid] is not None]
    kept, after, anchor = set(placed), {}, None
    for sid in order[1]:  # mine's own segments go after the one before them in mine
        if sid in kept:
            anchor = sid
        elif chosen[sid] is not None:
            after.setdefault(anchor, []).append(sid)
    ids = after.get(None, []) + [s for sid in placed for s in (sid, *after.get(sid, ()))]
    return [chosen[sid] for sid in ids]


def _same_new_ones(base: dict, mine: dict, theirs: dict) -> None:
    """A new segment of mine that says what a new one of theirs says is that one (the same
    form saved twice, or the same sentence added by both): `mine` takes its id, in place."""
    unmatched = [sid for sid in theirs if sid not in base and sid not in mine]
    if not unmatched:
        return
    renamed = {}
    for sid, segment in mine.items():
        if sid in base or sid in theirs:
            continue
        match = next((t for t in unmatched if same_segment(segment, theirs[t])), None)
        if match is not None:
            unmatched.remove(match)
            renamed[sid] = match
    if renamed:
        items = [(renamed.get(sid, sid), s) for sid, s in mine.items()]
        mine.clear()
        mine.update((sid, dict(s, id=sid)) for sid, s in items)


# ---------------------------------------------------------------- as the API names them

SIDE = (
    "as a JSON object: the field (`circle` beside `visibility`) keyed by its name, or the whole "
    "sentence; null where the sentence is not there on that side (removed, or hidden from you)"
)


class ClashPublic(BaseModel):
    """One clash of a save made against an older version of a text (the API's 409)."""

    key: str = Field(
        description='what a choice names: "title", "visibility", ... or "segment:<id>"'
    )
    field: str | None = Field(None, description="the text's field, for a clash of a field")
    segment_id: str | None = Field(None, description="the sentence's id, for a clash of one")
    number: int | None = Field(None, description="the sentence's number, in yours else theirs")
    base: dict | None = Field(description="at the version you edited, " + SIDE)
    mine: dict | None = Field(description="in what you sent, " + SIDE)
    theirs: dict | None = Field(description="as it is now, " + SIDE)


def clash_public(clash: Clash) -> dict:
    """A clash as the JSON API answers it."""
    if clash.is_segment:
        where = {"segment_id": clash.key.removeprefix("segment:"), "number": clash.number}
    else:
        where = {"field": clash.key}
    sides = {"base": clash.base, "mine": clash.mine, "theirs": clash.theirs}
    return ClashPublic(key=clash.key, **where, **sides).model_dump(mode="json")


# ---------------------------------------------------------------- readable sides


def clash_label(clash: Clash) -> Label:
    """The clash's heading: the field's name, or "Sentence 3"."""
    if clash.is_segment:
        return Label("Sentence %(number)s", number=clash.number)
    return FIELD_LABELS[clash.key]


def clash_lines(clash: Clash, side: str) -> list[Line]:
    """One side ("mine" or "theirs") of a clash as lines (label, value, the value's writing
    system or None); none for a removed segment or an empty field."""
    value = clash.mine if side == "mine" else clash.theirs
    if value is None:
        return []
    if clash.is_segment:
        return segment_lines(value)
    return _field_lines(clash.key, value)


def seconds_text(value) -> str:
    """A time as the editor's form shows it (seconds, to the millisecond)."""
    return "" if value is None else f"{float(value):.3f}"


def segment_lines(segment: dict) -> list[Line]:
    """A segment as the conflict page shows it: its times, transcription and translation (each
    writing system), and what else it has that can differ."""
    lines: list[Line] = []
    if segment.get("start") is not None:
        times = Label(
            "%(start)s–%(end)s s",
            start=seconds_text(segment["start"]),
            end=seconds_text(segment.get("end")),
        )
        lines.append((Label("Time"), times, None))
    for ws, form in (segment.get("text") or {}).items():
        lines.append((Label("Transcription (%(ws)s)", ws=ws), form, ws))
    for ws, form in (segment.get("translation") or {}).items():
        lines.append((Label("Translation (%(ws)s)", ws=ws), form, ws))
    if segment.get("speaker"):
        lines.append((Label("Speaker"), segment["speaker"], None))
    if (segment.get("visibility") or "public") != "public":
        lines.append((FIELD_LABELS["visibility"], visibility_text(segment), None))
    words = segment.get("words") or []
    if words:
        timed = sum(1 for w in words if w.get("start") is not None)
        said = " ".join(str(w.get("text") or "") for w in words)
        lines.append((Label("Words"), said, next(iter(segment.get("text") or {}), None)))
        count = Label("%(timed)s of %(count)s", timed=timed, count=len(words))
        lines.append((Label("Timed words"), count, None))
    return lines


def _field_lines(key: str, value: dict) -> list[Line]:
    label = FIELD_LABELS[key]
    field = value.get(key)
    if key == "title":
        return [(Label("Title (%(ws)s)", ws=ws), form, ws) for ws, form in (field or {}).items()]
    if key == "description":
        return [
            (Label("Description (%(ws)s)", ws=ws), form, ws) for ws, form in (field or {}).items()
        ]
    if key == "speakers":
        return [(Label("Speaker %(code)s", code=s.get("code", "")), s.get("name") or "", None)
                for s in field or []]  # fmt: skip
    if key == "visibility":
        return [(label, visibility_text(value), None)]
    if key == "status":
        return [(label, value_label(field), None)] if field else []
    if key == "extra":
        return [(label, ", ".join(sorted(field)), None)] if field else []
    return [(label, field, None)] if field else []
