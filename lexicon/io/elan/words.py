"""The words tier of an ELAN transcription: a child tier of word tokens (a symbolic
subdivision, or time-aligned words) read into each segment's `words` and written back to it.

A word keeps its annotation id (and time slots, when timed) in `extra.elan`, so that the
tiers hanging from the words (glosses, parts of speech) stay attached on export."""

from __future__ import annotations

import re

from lexicon.errors import InvalidInput
from lexicon.io.elan.document import is_symbolic, tier_by_id
from lexicon.io.textparts import ms_to_seconds, seconds_to_ms

WORDS_NAME = re.compile(r"word|palabra|token|^form\b|\bwd\b|\bmots?\b|wort", re.IGNORECASE)


def words_tier(model: dict, tid: str, mapping: dict, n: int, taken: set, name: str) -> str | None:
    """The words tier of transcription tier `tid`: the keeper's ("words": a tier, None, or a
    list with one per transcription tier), else a child named for words (word, palabra,
    token, FORM ...) that is not a translation; None for none."""
    if "words" in mapping:
        given = mapping["words"]
        if given is not None and not isinstance(given, str):
            given = (list(given) + [None] * (n + 1))[n]
        if given:
            tier = tier_by_id(model, given)
            if tier is None or tier["attrs"].get("PARENT_REF") != tid or given in taken:
                raise InvalidInput(
                    f"{name}: words tier {given!r} is not a child of the transcription tier "
                    f"{tid!r} (or it is already a translation)"
                )
        return given or None
    for tier in model["tiers"]:
        attrs = tier["attrs"]
        if (
            attrs.get("PARENT_REF") == tid
            and attrs["TIER_ID"] not in taken
            and WORDS_NAME.search(attrs["TIER_ID"])
            and (tier["ref"] or tier["align"])
        ):
            return attrs["TIER_ID"]
    return None


def _word(aid: str, value: str, kept: dict, start=None, end=None) -> dict:
    return {
        "text": value,
        "start": ms_to_seconds(start),
        "end": ms_to_seconds(end),
        "gloss": {},
        "pos": None,
        "entry_id": None,
        "link": "none",
        "morphemes": [],
        "guid": None,
        "extra": {"elan": {"id": aid, **kept}},
    }


def _in_order(refs: list) -> list:
    """Sibling REF_ANNOTATIONs in their PREVIOUS_ANNOTATION order (file order if broken)."""
    by_prev = {r[3]: r for r in refs}
    if len(by_prev) != len(refs) or None not in by_prev:
        return refs
    ordered, prev = [], None
    while prev in by_prev and len(ordered) < len(refs):
        ordered.append(by_prev[prev])
        prev = by_prev[prev][0]
    return ordered if len(ordered) == len(refs) else refs


def take_words(model: dict, tier_id: str, segments: dict) -> None:
    """Move the words tier's annotations into the words of their segments (`segments`: by
    annotation id); timed words go to the segment whose time holds them, the rest stay."""
    tier = tier_by_id(model, tier_id)
    if is_symbolic(model, tier):
        children: dict[str, list] = {}
        for ref in tier["ref"]:
            children.setdefault(ref[1], []).append(ref)
        for parent, seg in segments.items():
            mine = _in_order(children.get(parent, []))
            seg["words"] = [_word(r[0], r[2], {"svg": r[4]}) for r in mine]
        tier["ref"] = [r for r in tier["ref"] if r[1] not in segments]
        return
    slots = dict(model["time_slots"])
    spans = [
        (slots[s["extra"]["elan"]["ts"][0]], slots[s["extra"]["elan"]["ts"][1]], s)
        for s in segments.values()
    ]
    rest = []
    for aid, ts1, ts2, value, svg in tier["align"]:
        start, end = slots[ts1], slots[ts2]
        home = next(
            (s for a, b, s in spans if None not in (a, b, start, end) and a <= start and end <= b),
            None,
        )
        if home is None:
            rest.append([aid, ts1, ts2, value, svg])
        else:
            home["words"].append(_word(aid, value, {"ts": [ts1, ts2], "svg": svg}, start, end))
    tier["align"] = rest


def word_annotations(model: dict, tier: dict, seg: dict, aid: str, slots: dict, ids) -> None:
    """Write a segment's words to the words tier (REF_ANNOTATIONs under annotation `aid`, or
    time-aligned ones on their slots); a new untimed word has no place on a timed tier."""
    prev = None
    for word in seg.get("words") or []:
        kept = (word.get("extra") or {}).get("elan") or {}
        if is_symbolic(model, tier):
            wid = ids.annotation(kept.get("id"))
            tier["ref"].append([wid, aid, word.get("text") or "", prev, kept.get("svg")])
            prev = wid
            continue
        wanted = kept.get("ts") or []
        if len(wanted) == 2 and all(s in slots for s in wanted) and wanted[0] != wanted[1]:
            ts1, ts2 = wanted
        elif word.get("start") is not None and word.get("end") is not None:
            ts1 = ids.slot(slots)
            slots[ts1] = None
            ts2 = ids.slot(slots)
        else:
            continue
        for ts, key in ((ts1, "start"), (ts2, "end")):
            if word.get(key) is not None:
                slots[ts] = seconds_to_ms(word[key])
            else:
                slots.setdefault(ts, None)
        wid = ids.annotation(kept.get("id"))
        tier["align"].append([wid, ts1, ts2, word.get("text") or "", kept.get("svg")])
