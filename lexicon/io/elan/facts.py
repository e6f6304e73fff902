"""The facts of an .eaf file, read straight from its XML (not through the reader), for the
round-trip comparison: an import then export keeps them all.

    ("annotation", tier, parent tier, linguistic type, participant, id, start ms, end ms, value)

with a REF_ANNOTATION's times those of the annotation it refers to (followed to the aligned
one), and one fact per tier, linguistic type, controlled vocabulary entry, language, locale,
media descriptor and property."""

from __future__ import annotations

from lxml import etree

from lexicon.io.elan.document import parse_xml

_MODELLED = {
    "LICENSE",
    "HEADER",
    "TIME_ORDER",
    "TIER",
    "LINGUISTIC_TYPE",
    "LOCALE",
    "LANGUAGE",
    "CONSTRAINT",
    "CONTROLLED_VOCABULARY",
    "LEXICON_REF",
    "EXTERNAL_REF",
}


def _ref_times(aid: str, refs: dict, aligned: dict) -> tuple:
    seen = set()
    while aid in refs and aid not in seen:
        seen.add(aid)
        aid = refs[aid]
    return aligned.get(aid, (None, None))


def _annotation_facts(root) -> set[tuple]:
    slots = {
        s.get("TIME_SLOT_ID"): (int(s.get("TIME_VALUE")) if s.get("TIME_VALUE") else None)
        for s in root.iter("TIME_SLOT")
    }
    aligned, refs, rows = {}, {}, []
    for tier in root.iter("TIER"):
        head = (
            tier.get("TIER_ID"),
            tier.get("PARENT_REF"),
            tier.get("LINGUISTIC_TYPE_REF"),
            tier.get("PARTICIPANT"),
        )
        for ann in tier.iter("ALIGNABLE_ANNOTATION", "REF_ANNOTATION"):
            aid = ann.get("ANNOTATION_ID")
            value = ann.findtext("ANNOTATION_VALUE") or ""
            if ann.tag == "ALIGNABLE_ANNOTATION":
                aligned[aid] = (
                    slots.get(ann.get("TIME_SLOT_REF1")),
                    slots.get(ann.get("TIME_SLOT_REF2")),
                )
            else:
                refs[aid] = ann.get("ANNOTATION_REF")
            rows.append((head, aid, value, ann.get("CVE_REF")))
    facts = set()
    for head, aid, value, cve in rows:
        start, end = aligned[aid] if aid in aligned else _ref_times(aid, refs, aligned)
        facts.add(("annotation", *head, aid, start, end, value))
        if cve:
            facts.add(("cve_ref", aid, cve))
    return facts


def _attrs(elem, *skip: str) -> tuple:
    return tuple(sorted((k, v) for k, v in elem.attrib.items() if k not in skip))


def _other_facts(root) -> set[tuple]:
    facts = set()
    for tier in root.iter("TIER"):
        facts.add(("tier", _attrs(tier)))
    for tag in (
        "LINGUISTIC_TYPE",
        "LANGUAGE",
        "LOCALE",
        "MEDIA_DESCRIPTOR",
        "LINKED_FILE_DESCRIPTOR",
        "LEXICON_REF",
        "EXTERNAL_REF",
        "CONSTRAINT",
    ):
        for elem in root.iter(tag):
            facts.add((tag.lower(), _attrs(elem)))
    for prop in root.iter("PROPERTY"):
        if prop.get("NAME") != "lastUsedAnnotationId":
            facts.add(("property", prop.get("NAME"), prop.text or ""))
    for elem in root:
        if isinstance(elem.tag, str) and elem.tag not in _MODELLED:
            facts.add(
                ("element", etree.tostring(elem, method="c14n", with_tail=False).decode().strip())
            )
    for cv in root.iter("CONTROLLED_VOCABULARY"):
        for entry in cv.iter("CV_ENTRY_ML"):
            for value in entry.iter("CVE_VALUE"):
                facts.add(("cv", cv.get("CV_ID"), value.get("LANG_REF") or "und", value.text))
        for entry in cv.iter("CV_ENTRY"):
            facts.add(("cv", cv.get("CV_ID"), "und", entry.text))
    return facts


def eaf_facts(data: bytes, name: str = "file.eaf") -> set[tuple]:
    """Every fact of an .eaf file's bytes (see the module's docstring)."""
    root = parse_xml(data, name)
    return _annotation_facts(root) | _other_facts(root)
