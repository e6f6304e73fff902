"""ELAN .eaf -> a text dict (docs/text-shape.md).

The transcription tier's annotations become segments, its symbolic children's annotations
their translations (the tiers the keeper picks in `mapping`, or the defaults below); every
other tier, type, vocabulary, participant and time slot stays in `extra.elan` (the model of
`lexicon.io.elan.document`), so that `write_eaf` gives the file back."""

from __future__ import annotations

import re
from pathlib import Path

from lexicon.errors import InvalidInput
from lexicon.io.elan.document import is_symbolic, linguistic_type, parse_model, tier_by_id
from lexicon.io.elan.words import WORDS_NAME, take_words, words_tier
from lexicon.io.ids import as_uuid, derive_id
from lexicon.io.safety import DEFAULT_LIMITS, Limits
from lexicon.io.textparts import (
    UNDETERMINED,
    blank_segment,
    blank_text,
    content_id,
    language_of_name,
    ms_to_seconds,
    read_bytes,
    speaker,
)

_URN = re.compile(r"urn:nl-mpi-tools-elan-eaf:([0-9a-fA-F-]{36})")


def _time_aligned(model: dict, tier: dict) -> bool:
    return linguistic_type(model, tier).get("TIME_ALIGNABLE", "true") != "false" and bool(
        tier["align"] or not tier["ref"]
    )


def default_transcription(model: dict) -> str | None:
    """The first top-level time-aligned tier with annotations (else the first top-level one)."""
    top = [t for t in model["tiers"] if not t["attrs"].get("PARENT_REF")]
    for tier in top:
        if _time_aligned(model, tier) and tier["align"]:
            return tier["attrs"]["TIER_ID"]
    return top[0]["attrs"]["TIER_ID"] if top else None


def _children(model: dict, tier_id: str) -> list[dict]:
    return [t for t in model["tiers"] if t["attrs"].get("PARENT_REF") == tier_id]


def tier_language(model: dict, tier: dict, given: str | None = None) -> str:
    """The writing system of a tier: the keeper's choice, else its LANG_REF, else a language
    its name spells ("Spanish" -> es), else 'und'."""
    if given:
        return given
    if tier["attrs"].get("LANG_REF"):
        return tier["attrs"]["LANG_REF"]
    return language_of_name(tier["attrs"]["TIER_ID"])


def _tier_or_refuse(model: dict, tier_id: str, role: str, name: str) -> dict:
    tier = tier_by_id(model, tier_id)
    if tier is None:
        have = ", ".join(repr(t["attrs"]["TIER_ID"]) for t in model["tiers"]) or "none"
        raise InvalidInput(f"{name}: no tier {tier_id!r} for the {role} (tiers: {have})")
    return tier


def _transcription_ids(model: dict, mapping: dict, name: str) -> list[str]:
    """The transcription tiers: the keeper's (one id or a list), else the default tier and
    the other speakers' tiers like it (top level, same linguistic type, another participant)."""
    given = mapping.get("transcription")
    if given:
        ids = [given] if isinstance(given, str) else list(given)
    else:
        first = default_transcription(model)
        if first is None:
            raise InvalidInput(f"{name}: the file has no tier to read a transcription from")
        head = tier_by_id(model, first)["attrs"]
        ids = [first]
        for tier in model["tiers"]:
            attrs = tier["attrs"]
            if (
                attrs["TIER_ID"] != first
                and not attrs.get("PARENT_REF")
                and attrs.get("LINGUISTIC_TYPE_REF") == head.get("LINGUISTIC_TYPE_REF")
                and attrs.get("PARTICIPANT")
                and head.get("PARTICIPANT")
                and attrs["PARTICIPANT"] != head["PARTICIPANT"]
                and tier["align"]
            ):
                ids.append(attrs["TIER_ID"])
    for tid in ids:
        if not _time_aligned(model, _tier_or_refuse(model, tid, "transcription", name)):
            raise InvalidInput(
                f"{name}: tier {tid!r} is not time-aligned; pick a time-aligned tier"
            )
    return ids


_TRANSLATION_NAME = re.compile(r"transl|tradu|übersetz|free|gloss|glosa|^ft\b|^tr\b", re.IGNORECASE)


def _translation_score(model: dict, kid: dict) -> tuple:
    """How much a symbolic child looks like a free translation rather than words or tags:
    one annotation per parent, a name or language saying so, a 1-1 association, annotations;
    tuples compare in that order."""
    parents = [r[1] for r in kid["ref"]]
    name = kid["attrs"]["TIER_ID"]
    named = bool(
        kid["attrs"].get("LANG_REF")
        or language_of_name(name) != UNDETERMINED
        or _TRANSLATION_NAME.search(name)
    )
    association = (linguistic_type(model, kid).get("CONSTRAINTS") or "") == "Symbolic_Association"
    return (len(parents) == len(set(parents)), named, association, bool(parents))


def _translations_of(model: dict, tid: str, mapping: dict, like: dict | None) -> dict:
    """{ws: tier id} for the transcription tier `tid`: the keeper's choice for the first tier;
    for the others (`like`: the first's choice), their child of the same linguistic type."""
    analysis = mapping.get("analysis")
    kids = [t for t in _children(model, tid) if is_symbolic(model, t)]
    if like is not None:
        chosen = {}
        for ws, other in like.items():
            ltype = tier_by_id(model, other)["attrs"].get("LINGUISTIC_TYPE_REF")
            same = [k for k in kids if k["attrs"].get("LINGUISTIC_TYPE_REF") == ltype]
            if same:
                chosen[ws] = max(same, key=lambda k: _translation_score(model, k))["attrs"][
                    "TIER_ID"
                ]
        return chosen
    if "translations" in mapping:
        return dict(mapping["translations"] or {})
    if "translation" in mapping:
        one = mapping["translation"]
        return (
            {tier_language(model, tier_by_id(model, one) or kids[0], analysis): one} if one else {}
        )
    kids = [k for k in kids if not WORDS_NAME.search(k["attrs"]["TIER_ID"])]
    if kids:
        best = max(kids, key=lambda k: _translation_score(model, k))
        one_each, named, *_rest = _translation_score(model, best)
        return (
            {tier_language(model, best, analysis): best["attrs"]["TIER_ID"]}
            if one_each or named
            else {}
        )
    main = tier_by_id(model, tid)
    for kid in _children(model, tid):
        if WORDS_NAME.search(kid["attrs"]["TIER_ID"]):
            continue
        if kid["align"] and _same_times(model, kid, main):
            return {tier_language(model, kid, analysis): kid["attrs"]["TIER_ID"]}
    return {}


def _spans(model: dict, tier: dict) -> dict:
    """{(start ms, end ms): [annotation, ...]} of a tier's time-aligned annotations."""
    slots = dict(model["time_slots"])
    spans: dict[tuple, list] = {}
    for ann in tier["align"]:
        spans.setdefault((slots[ann[1]], slots[ann[2]]), []).append(ann)
    return spans


def _same_times(model: dict, tier: dict, main: dict) -> bool:
    """True when every annotation of `tier` spans exactly the time of one of `main`'s."""
    theirs, ours = _spans(model, tier), _spans(model, main)
    return all(span in ours and span[0] is not None for span in theirs)


def _check_translations(model: dict, tid: str, chosen: dict, name: str) -> None:
    for ws, child_id in chosen.items():
        child = _tier_or_refuse(model, child_id, f"translation ({ws})", name)
        symbolic_child = child["attrs"].get("PARENT_REF") == tid and is_symbolic(model, child)
        if not symbolic_child and (child_id == tid or not _time_aligned(model, child)):
            raise InvalidInput(
                f"{name}: translation tier {child_id!r} is neither a symbolic child of the "
                f"transcription tier {tid!r} nor a time-aligned tier"
            )


def resolve_mapping(model: dict, mapping: dict | None, name: str) -> dict:
    """The keeper's choice of tiers, completed with the defaults:
    {"transcription": first tier id, "vernacular": ws, "translations": {ws: tier id},
     "tiers": [{"transcription": tier id, "speaker": participant, "translations": {...}}]}.

    `mapping` may give "transcription" (a tier id, or a list: one tier per speaker),
    "vernacular", "analysis" (the translation's writing system), and either "translations"
    ({ws: tier id}) or "translation" (a tier id, or None for none), for the first tier; the
    others take their child of the same type. Defaults: the first top-level time-aligned tier
    with annotations, the other participants' tiers of its type, each one's first symbolic
    child."""
    mapping = dict(mapping or {})
    tiers, first = [], None
    for tid in _transcription_ids(model, mapping, name):
        if "translation" in mapping and mapping["translation"]:
            _tier_or_refuse(model, mapping["translation"], "translation", name)
        chosen = _translations_of(model, tid, mapping, first)
        _check_translations(model, tid, chosen, name)
        first = chosen if first is None else first
        who = tier_by_id(model, tid)["attrs"].get("PARTICIPANT") or None
        words = words_tier(model, tid, mapping, len(tiers), set(chosen.values()), name)
        tiers.append({"transcription": tid, "speaker": who, "translations": chosen, "words": words})
    vernacular = tier_language(
        model, tier_by_id(model, tiers[0]["transcription"]), mapping.get("vernacular")
    )
    return {
        "transcription": tiers[0]["transcription"],
        "vernacular": vernacular,
        "translations": tiers[0]["translations"],
        "words": tiers[0]["words"],
        "tiers": tiers,
    }


def _aligned_translations(model: dict, chosen: dict, main: dict) -> dict:
    """{annotation id: {ws: [id, ts1, ts2, value, svg]}}: the annotation of each time-aligned
    translation tier spanning exactly the time of a transcription annotation (taken out of
    its tier; the others stay there)."""
    found: dict[str, dict] = {}
    slots = dict(model["time_slots"])
    for ws, tier_id in chosen.items():
        tier = tier_by_id(model, tier_id)
        if is_symbolic(model, tier):
            continue
        spans = _spans(model, tier)
        for aid, ts1, ts2, *_rest in main["align"]:
            candidates = spans.get((slots[ts1], slots[ts2])) or []
            if slots[ts1] is not None and candidates:
                found.setdefault(aid, {})[ws] = candidates.pop(0)
        taken = {id(a) for per in found.values() for a in per.values()}
        tier["align"] = [a for a in tier["align"] if id(a) not in taken]
    return found


def _translations(model: dict, chosen: dict) -> dict:
    """{parent annotation id: {ws: [[id, value, previous, svg], ...]}} in file order."""
    found: dict[str, dict] = {}
    for ws, tier_id in chosen.items():
        tier = tier_by_id(model, tier_id)
        if not is_symbolic(model, tier):
            continue
        for aid, ref, value, prev, svg in tier["ref"]:
            found.setdefault(ref, {}).setdefault(ws, []).append([aid, value, prev, svg])
        tier["ref"] = []
        tier["ann_attrs"] = {}
    return found


def _ordered_pieces(pieces: list) -> list:
    """Symbolic_Subdivision pieces in their PREVIOUS_ANNOTATION order."""
    by_prev = {p[2]: p for p in pieces}
    if len(by_prev) != len(pieces) or None not in by_prev:
        return pieces
    ordered, prev = [], None
    while prev in by_prev and len(ordered) < len(pieces):
        ordered.append(by_prev[prev])
        prev = by_prev[prev][0]
    return ordered if len(ordered) == len(pieces) else pieces


def _tier_segments(model: dict, group: dict, vernacular: str, text_id: str) -> list[dict]:
    tier = tier_by_id(model, group["transcription"])
    slots = dict(model["time_slots"])
    found = _translations(model, group["translations"])
    aligned = _aligned_translations(model, group["translations"], tier)
    segments = []
    for aid, ts1, ts2, value, svg in tier["align"]:
        seg = blank_segment(derive_id(text_id, "elan", aid))
        seg["start"], seg["end"] = ms_to_seconds(slots[ts1]), ms_to_seconds(slots[ts2])
        seg["speaker"] = group["speaker"]
        if value:
            seg["text"] = {vernacular: value}
        kept = {"id": aid, "tier": group["transcription"], "ts": [ts1, ts2], "svg": svg}
        kept["attrs"] = tier["ann_attrs"].get(aid, {})
        kept["translations"] = {}
        for ws, pieces in found.get(aid, {}).items():
            pieces = _ordered_pieces(pieces)
            seg["translation"][ws] = " ".join(p[1] for p in pieces if p[1])
            kept["translations"][ws] = pieces
        for ws, ann in aligned.get(aid, {}).items():
            seg["translation"][ws] = ann[3]
            kept.setdefault("aligned", {})[ws] = ann
        seg["extra"] = {"elan": kept}
        segments.append(seg)
    if group.get("words"):
        take_words(model, group["words"], {s["extra"]["elan"]["id"]: s for s in segments})
    tier["align"], tier["ann_attrs"] = [], {}
    return segments


def _segments(model: dict, mapping: dict, text_id: str) -> list[dict]:
    """Every transcription tier's segments, in time order (untimed ones last)."""
    segments = [
        seg
        for group in mapping["tiers"]
        for seg in _tier_segments(model, group, mapping["vernacular"], text_id)
    ]
    segments.sort(key=lambda s: (s["start"] is None, s["start"] or 0, s["end"] or 0))
    return segments


def _text_id(model: dict, data: bytes) -> str:
    for key, value in model["properties"]:
        if key == "URN" and value and (m := _URN.fullmatch(value.strip())):
            return as_uuid(m.group(1)) or content_id("elan", data)
    return content_id("elan", data)


def eaf_to_text(data: bytes, name: str, mapping: dict | None = None) -> dict:
    """A text dict from an .eaf file's bytes; refused (TextRejected / InvalidInput) when the
    file is broken or the mapping names tiers it does not have."""
    model = parse_model(data, name)
    chosen = resolve_mapping(model, mapping, name)
    text = blank_text(_text_id(model, data))
    text["segments"] = _segments(model, chosen, text["id"])
    participants = dict.fromkeys(
        t["attrs"]["PARTICIPANT"] for t in model["tiers"] if t["attrs"].get("PARTICIPANT")
    )
    codes = dict.fromkeys(g["speaker"] for g in chosen["tiers"] if g["speaker"])
    text["speakers"] = [speaker(code) for code in codes]
    model["mapping"] = chosen
    model["participants"] = list(participants)
    text["extra"] = {"elan": model}
    return text


def read_eaf(path: Path, mapping: dict | None = None, limits: Limits = DEFAULT_LIMITS) -> dict:
    """A text dict from the .eaf file at `path` (see `eaf_to_text`)."""
    path = Path(path)
    return eaf_to_text(read_bytes(path, limits), path.name, mapping)
