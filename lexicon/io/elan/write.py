"""A text dict -> ELAN .eaf bytes, through pympi-ling's `Eaf` and its writer.

A text read from an .eaf file is written back from its `extra.elan` model with the segments
put back on the mapped tiers (their annotation ids and time slots kept, their times and
values as the segments now have them); any other text gets a fresh document: a
transcription tier per speaker and a symbolic translation tier per writing system."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime
from xml.etree import ElementTree

from lxml import etree
from pympi import Elan

from lexicon.errors import InvalidInput
from lexicon.io.elan.document import is_symbolic
from lexicon.io.elan.words import word_annotations
from lexicon.io.safety import xml_parser
from lexicon.io.textparts import check_span, first_value, seconds_to_ms, timed_segments

_NUMBER = re.compile(r"(\d+)$")
_SLOT_ID = re.compile(r"ts\d+")
TRANSLATION_TYPE = "translation-lt"
WORDS_TYPE = "words-lt"
TIMED_WORDS_TYPE = "words-timed-lt"  # aligned words: each word's own times


class _Ids:
    """New annotation and time slot ids above the largest a document uses."""

    def __init__(self, model: dict):
        ann = [a[0] for t in model["tiers"] for a in t["align"] + t["ref"]]
        self.used = set(ann)
        self.next_ann = self._above(ann)
        self.next_ts = self._above([s for s, _v in model["time_slots"]])

    @staticmethod
    def _above(ids) -> int:
        nums = [int(m.group(1)) for i in ids if (m := _NUMBER.search(i or ""))]
        return max(nums, default=0) + 1

    def annotation(self, wanted: str | None = None) -> str:
        if wanted and wanted not in self.used:
            self.used.add(wanted)
            return wanted
        while f"a{self.next_ann}" in self.used:
            self.next_ann += 1
        self.used.add(f"a{self.next_ann}")
        return f"a{self.next_ann}"

    def slot(self, slots: dict) -> str:
        while f"ts{self.next_ts}" in slots:
            self.next_ts += 1
        return f"ts{self.next_ts}"


def _tier(model: dict, tier_id: str) -> dict:
    return next(t for t in model["tiers"] if t["attrs"]["TIER_ID"] == tier_id)


def _slots_for(seg: dict, kept: dict, slots: dict, ids: _Ids) -> tuple[str, str]:
    wanted = kept.get("ts") or []
    if len(wanted) == 2 and all(s in slots for s in wanted) and wanted[0] != wanted[1]:
        ts1, ts2 = wanted
    else:
        ts1 = ids.slot(slots)
        slots[ts1] = None
        ts2 = ids.slot(slots)
    slots[ts1], slots[ts2] = seconds_to_ms(seg["start"]), seconds_to_ms(seg["end"])
    return ts1, ts2


def _translation_refs(seg: dict, kept: dict, aid: str, ws: str, ids: _Ids) -> list[list]:
    """The REF_ANNOTATIONs of one translation: the file's own pieces when the translation is
    as read, else one annotation with the segment's translation."""
    value = (seg.get("translation") or {}).get(ws, "") or ""
    pieces = (kept.get("translations") or {}).get(ws) or []
    if pieces and " ".join(p[1] for p in pieces if p[1]) == value:
        return [[ids.annotation(p[0]), aid, p[1], p[2], p[3]] for p in pieces]
    if not value:
        return []
    first = pieces[0] if pieces else [None, "", None, None]
    return [[ids.annotation(first[0]), aid, value, None, first[3]]]


def _aligned_translation(seg: dict, kept: dict, own: tuple, ws: str, slots: dict, ids) -> list:
    """The annotation of a time-aligned translation tier: on the time slots it was read with
    (moved to the segment's times), else on the segment's own."""
    value = (seg.get("translation") or {}).get(ws, "") or ""
    before = (kept.get("aligned") or {}).get(ws)
    if not value and not (before and before[3] == ""):
        return []
    ts1, ts2 = own
    if before and before[1] in slots and before[2] in slots and before[1] != before[2]:
        ts1, ts2 = before[1], before[2]
        slots[ts1], slots[ts2] = slots[own[0]], slots[own[1]]
    return [[ids.annotation(before[0] if before else None), ts1, ts2, value, before and before[4]]]


def place_segments(model: dict, mapping: dict, segments: list[dict], kept_ok: bool) -> None:
    """Put `segments` on the tiers `mapping` names, as annotations with their time slots.
    `kept_ok`: the segments' extra.elan ids come from this same document."""
    slots = dict(model["time_slots"])
    ids = _Ids(model)
    tier = _tier(model, mapping["transcription"])
    targets = {ws: _tier(model, tid) for ws, tid in mapping["translations"].items()}
    words = _tier(model, mapping["words"]) if mapping.get("words") else None
    for seg in segments:
        kept = ((seg.get("extra") or {}).get("elan") or {}) if kept_ok else {}
        aid = ids.annotation(kept.get("id"))
        ts1, ts2 = _slots_for(seg, kept, slots, ids)
        value = first_value(seg.get("text"), mapping["vernacular"])
        tier["align"].append([aid, ts1, ts2, value, kept.get("svg")])
        if kept.get("attrs"):
            tier["ann_attrs"][aid] = kept["attrs"]
        for ws, target in targets.items():
            if is_symbolic(model, target):
                target["ref"].extend(_translation_refs(seg, kept, aid, ws, ids))
            else:
                target["align"].extend(_aligned_translation(seg, kept, (ts1, ts2), ws, slots, ids))
        if words is not None:
            word_annotations(model, words, seg, aid, slots, ids)
    model["time_slots"] = [[k, v] for k, v in slots.items()]
    _bump_last_used(model, ids)


def _bump_last_used(model: dict, ids: _Ids) -> None:
    top = ids._above(ids.used) - 1
    for prop in model["properties"]:
        if prop[0] == "lastUsedAnnotationId" and str(prop[1]).isdigit() and int(prop[1]) < top:
            prop[1] = str(top)


def drop_orphans(model: dict) -> None:
    """Remove the annotations that refer to an annotation no longer there (a deleted segment's
    children), and PREVIOUS_ANNOTATION links to removed ones."""
    while True:
        present = {a[0] for t in model["tiers"] for a in t["align"] + t["ref"]}
        removed = False
        for tier in model["tiers"]:
            keep = [r for r in tier["ref"] if r[1] in present]
            removed |= len(keep) != len(tier["ref"])
            tier["ref"] = keep
        if not removed:
            break
    for tier in model["tiers"]:
        for ref in tier["ref"]:
            if ref[3] is not None and ref[3] not in present:
                ref[3] = None


def kept_groups(model: dict, mapping: dict, segments: list[dict]) -> list[tuple[dict, list]]:
    """Each transcription tier of a document read before, with its segments: those read from
    it, then new ones by their speaker (the first tier takes the rest)."""
    groups = mapping.get("tiers") or [
        {
            "transcription": mapping["transcription"],
            "speaker": None,
            "translations": mapping["translations"],
            "words": mapping.get("words"),
        }
    ]
    tiers = {g["transcription"] for g in groups}
    members: dict[str, list] = {g["transcription"]: [] for g in groups}
    for seg in segments:
        tier = ((seg.get("extra") or {}).get("elan") or {}).get("tier")
        if tier not in tiers:
            who = seg.get("speaker")
            tier = next((g["transcription"] for g in groups if who and g["speaker"] == who), None)
        members[tier or groups[0]["transcription"]].append(seg)
    return [
        ({**g, "vernacular": mapping["vernacular"]}, members[g["transcription"]]) for g in groups
    ]


def timed_words(segments: list[dict]) -> bool:
    """Do some of these segments' words have times (aligned words, issue 23)?"""
    return any(w.get("start") is not None for s in segments for w in s.get("words") or [])


def timed_words_type(model: dict) -> str:
    """The linguistic type of a time-aligned words tier (Included_In), added if missing."""
    if not any(lt.get("LINGUISTIC_TYPE_ID") == TIMED_WORDS_TYPE
               for lt in model["linguistic_types"]):  # fmt: skip
        model["linguistic_types"].append({"LINGUISTIC_TYPE_ID": TIMED_WORDS_TYPE,
                                          "CONSTRAINTS": "Included_In",
                                          "TIME_ALIGNABLE": "true",
                                          "GRAPHIC_REFERENCES": "false"})  # fmt: skip
    if not any(c[0] == "Included_In" for c in model["constraints"]):
        model["constraints"].append(["Included_In", Elan.Eaf.CONSTRAINTS["Included_In"]])
    return TIMED_WORDS_TYPE


def _add_words_tier(model: dict, group: dict, members: list[dict]) -> dict:
    """A read document's transcription tier without a words tier gets one (time-aligned) when
    its segments' words now have times."""
    if group.get("words") or not timed_words(members):
        return group
    tier_id = f"words@{group['transcription']}"
    if not any(t["attrs"]["TIER_ID"] == tier_id for t in model["tiers"]):
        model["tiers"].append(_new_tier(tier_id, timed_words_type(model), group["transcription"]))
    return {**group, "words": tier_id}


# ---------------------------------------------------------------------------- fresh document
def _new_tier(tier_id: str, ltype: str, parent: str | None = None, who: str | None = None) -> dict:
    attrs = {"TIER_ID": tier_id, "LINGUISTIC_TYPE_REF": ltype}
    if parent:
        attrs["PARENT_REF"] = parent
    if who:
        attrs["PARTICIPANT"] = who
    return {"attrs": attrs, "align": [], "ref": [], "ann_attrs": {}}


def fresh_model() -> dict:
    """An empty EAF 3.0 document with a time-aligned and a translation linguistic type."""
    return {
        "document": {
            "AUTHOR": "Wordkeep",
            "DATE": datetime.now(UTC).isoformat(timespec="seconds"),
            "FORMAT": "3.0",
            "VERSION": "3.0",
            "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "xsi:noNamespaceSchemaLocation": "http://www.mpi.nl/tools/elan/EAFv3.0.xsd",
        },
        "licenses": [],
        "header": {"MEDIA_FILE": "", "TIME_UNITS": "milliseconds"},
        "media": [],
        "linked_files": [],
        "properties": [],
        "time_slots": [],
        "tiers": [],
        "linguistic_types": [
            {
                "LINGUISTIC_TYPE_ID": "default-lt",
                "TIME_ALIGNABLE": "true",
                "GRAPHIC_REFERENCES": "false",
            },
            {
                "LINGUISTIC_TYPE_ID": WORDS_TYPE,
                "CONSTRAINTS": "Symbolic_Subdivision",
                "TIME_ALIGNABLE": "false",
                "GRAPHIC_REFERENCES": "false",
            },
            {
                "LINGUISTIC_TYPE_ID": TRANSLATION_TYPE,
                "CONSTRAINTS": "Symbolic_Association",
                "TIME_ALIGNABLE": "false",
                "GRAPHIC_REFERENCES": "false",
            },
        ],
        "locales": [],
        "languages": [],
        "constraints": [[k, v] for k, v in Elan.Eaf.CONSTRAINTS.items()],
        "vocabularies": [],
        "lexicon_refs": [],
        "external_refs": [],
    }


def _writing_systems(segments: list[dict], key: str) -> list[str]:
    return list(dict.fromkeys(ws for s in segments for ws in (s.get(key) or {})))


def fresh_groups(model: dict, segments: list[dict]) -> list[tuple[dict, list[dict]]]:
    """Tiers for a text not read from ELAN: one transcription tier per speaker (one in all
    when there is at most one), each with a translation tier per writing system."""
    speakers = list(dict.fromkeys(s.get("speaker") for s in segments)) or [None]
    vernacular = (_writing_systems(segments, "text") or ["und"])[0]
    analysis = _writing_systems(segments, "translation")
    groups = []
    for who in speakers:
        suffix = f"@{who}" if len(speakers) > 1 and who else ""
        tid = f"transcription{suffix}"
        model["tiers"].append(_new_tier(tid, "default-lt", who=who))
        translations = {}
        for ws in analysis:
            model["tiers"].append(_new_tier(f"translation-{ws}{suffix}", TRANSLATION_TYPE, tid))
            translations[ws] = f"translation-{ws}{suffix}"
        members = [s for s in segments if s.get("speaker") == who]
        mapping = {"transcription": tid, "vernacular": vernacular, "translations": translations}
        if any(s.get("words") for s in members):
            mapping["words"] = f"words{suffix}"
            ltype = timed_words_type(model) if timed_words(members) else WORDS_TYPE
            model["tiers"].append(_new_tier(mapping["words"], ltype, tid))
        groups.append((mapping, members))
    return groups


# ---------------------------------------------------------------------------- to pympi
def _renumber_slots(model: dict) -> None:
    """pympi orders time slots by the number in 'tsN': give other ids that form, in order."""
    if all(_SLOT_ID.fullmatch(s) for s, _v in model["time_slots"]):
        return
    new = {s: f"ts{n}" for n, (s, _v) in enumerate(model["time_slots"], 1)}
    model["time_slots"] = [[new[s], v] for s, v in model["time_slots"]]
    for tier in model["tiers"]:
        for ann in tier["align"]:
            ann[1], ann[2] = new[ann[1]], new[ann[2]]


def to_eaf_object(model: dict) -> Elan.Eaf:
    eaf = Elan.Eaf()
    eaf.adocument = dict(model["document"])
    eaf.licenses = [tuple(x) for x in model["licenses"]]
    eaf.header = dict(model["header"])
    eaf.media_descriptors = [dict(m) for m in model["media"]]
    eaf.linked_file_descriptors = [dict(m) for m in model["linked_files"]]
    eaf.properties = [tuple(p) for p in model["properties"]]
    eaf.timeslots = {s: v for s, v in model["time_slots"]}
    eaf.tiers = {
        t["attrs"]["TIER_ID"]: (
            {a[0]: (a[1], a[2], a[3], a[4]) for a in t["align"]},
            {r[0]: (r[1], r[2], r[3], r[4]) for r in t["ref"]},
            dict(t["attrs"]),
            n,
        )
        for n, t in enumerate(model["tiers"])
    }
    eaf.linguistic_types = {lt["LINGUISTIC_TYPE_ID"]: dict(lt) for lt in model["linguistic_types"]}
    eaf.locales = {code: (cc, var) for code, cc, var in model["locales"]}
    eaf.languages = {lid: (ldef, label) for lid, ldef, label in model["languages"]}
    eaf.constraints = {st: desc for st, desc in model["constraints"]}
    eaf.controlled_vocabularies = {
        cv_id: (
            [tuple(d) for d in descriptions],
            {cve: ([tuple(v) for v in values], ext) for cve, ext, values in entries},
            ext_ref,
        )
        for cv_id, ext_ref, descriptions, entries in model["vocabularies"]
    }
    eaf.lexicon_refs = {lr.get("LEX_REF_ID"): dict(lr) for lr in model["lexicon_refs"]}
    eaf.external_refs = {eid: (etype, value) for eid, etype, value in model["external_refs"]}
    return eaf


def _append_others(root, others: list[str]) -> None:
    """Put back the elements pympi does not model, before the EXTERNAL_REFs (EAF's order)."""
    at = next((n for n, child in enumerate(root) if child.tag == "EXTERNAL_REF"), len(root))
    for n, xml in enumerate(others):
        elem = etree.fromstring(xml, xml_parser())
        root.insert(at + n, ElementTree.fromstring(etree.tostring(elem, encoding="unicode")))


def _serialise(model: dict) -> bytes:
    root = Elan.to_adocument(to_eaf_object(model), pretty=True)
    extra = {aid: attrs for t in model["tiers"] for aid, attrs in t["ann_attrs"].items()}
    if extra:
        for tag in ("ALIGNABLE_ANNOTATION", "REF_ANNOTATION"):
            for ann in root.iter(tag):
                for key, value in extra.get(ann.get("ANNOTATION_ID"), {}).items():
                    ann.set(key, value)
    _append_others(root, model.get("others") or [])
    body = ElementTree.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")


def _checked_segments(text: dict, from_elan: bool) -> list[dict]:
    """The segments, refused (InvalidInput) when one lacks times, except a segment read from
    this ELAN document, whose unaligned time slots go back unaligned."""
    segments = text.get("segments") or []
    if not from_elan:
        return timed_segments(text, "ELAN")
    for n, seg in enumerate(segments, 1):
        check_span(seg.get("start"), seg.get("end"), f"segment {n}")
        slots = ((seg.get("extra") or {}).get("elan") or {}).get("ts")
        if (seg.get("start") is None or seg.get("end") is None) and not slots:
            raise InvalidInput(
                f"ELAN needs a start and an end time on every segment; segment {n} has none "
                f"(export as FLExText or give it times)"
            )
    return segments


def write_eaf(text: dict) -> bytes:
    """The .eaf file of a text (see the module's docstring). Refused (InvalidInput) when a
    segment has no times, which ELAN's time-aligned tiers need."""
    kept = (text.get("extra") or {}).get("elan")
    segments = _checked_segments(text, bool(kept and kept.get("mapping")))
    if kept and kept.get("mapping"):
        model = copy.deepcopy(kept)
        mapping = model.pop("mapping")
        model.pop("participants", None)
        for group, members in kept_groups(model, mapping, segments):
            group = _add_words_tier(model, group, members)
            place_segments(model, group, members, kept_ok=True)
    else:
        model = fresh_model()
        for mapping, group in fresh_groups(model, segments):
            place_segments(model, mapping, group, kept_ok=False)
    drop_orphans(model)
    _renumber_slots(model)
    return _serialise(model)
