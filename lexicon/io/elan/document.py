"""An .eaf file as plain data (the model kept in `extra.elan`), parsed through the safe XML
parser and checked: every time slot, parent tier, linguistic type and referred annotation
must exist, and no time may be negative or run backwards.

The model holds what pympi-ling's `Eaf` holds, as JSON (lists and dicts), so that the
writer can hand it back to pympi:

    {"document": {...}, "licenses": [[text, url]], "header": {...}, "media": [{...}],
     "linked_files": [{...}], "properties": [[name, value]],
     "time_slots": [[id, ms or None]],
     "tiers": [{"attrs": {...}, "align": [[id, ts1, ts2, value, svg]],
                "ref": [[id, ref, value, previous, svg]], "ann_attrs": {id: {...}}}],
     "linguistic_types": [{...}], "locales": [[code, country, variant]],
     "languages": [[id, definition, label]], "constraints": [[stereotype, description]],
     "vocabularies": [[cv_id, ext_ref, [[lang, description]],
                       [[cve_id, ext_ref, [[value, lang, description]]]]]],
     "lexicon_refs": [{...}], "external_refs": [[id, type, value]],
     "others": ["<REF_LINK_SET ...>...", ...]}   # elements pympi does not model, as XML

pympi's own parser is not used for reading: it parses without the safe settings, and it
fails on valid files (annotation or slot ids without digits, no schema attribute)."""

from __future__ import annotations

import io

from lxml import etree

from lexicon.io.safety import check_xml_stream, refuse_doctype, xml_parser
from lexicon.io.textparts import TextRejected

XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
# Annotation attributes pympi keeps in its own tuples; any other is kept in ann_attrs.
_ALIGN_KEYS = {"ANNOTATION_ID", "TIME_SLOT_REF1", "TIME_SLOT_REF2", "SVG_REF"}
_REF_KEYS = {"ANNOTATION_ID", "ANNOTATION_REF", "PREVIOUS_ANNOTATION", "SVG_REF"}


def parse_xml(data: bytes, name: str):
    """The root element of an .eaf file, refused (TextRejected) when it is not safe XML or not
    an ELAN annotation document."""
    check_xml_stream(io.BytesIO(data), name, "ELAN file")
    try:
        root = etree.fromstring(data, xml_parser())
    except etree.XMLSyntaxError as exc:
        raise TextRejected(
            f"{name}: not a readable ELAN file: line {exc.lineno}: {exc.msg}"
        ) from exc
    refuse_doctype(root, name, "ELAN file")
    if root.tag != "ANNOTATION_DOCUMENT":
        raise TextRejected(
            f"{name}: not an ELAN file (line {root.sourceline}: the root element is "
            f"<{root.tag}>, not <ANNOTATION_DOCUMENT>)"
        )
    return root


def _attrs(elem) -> dict:
    return {str(k): v for k, v in elem.attrib.items()}


def _document_attrs(root) -> dict:
    attrs = {}
    for key, value in root.attrib.items():
        if key.startswith(XSI):
            attrs["xmlns:xsi"] = XSI[1:-1]
            attrs["xsi:" + key[len(XSI) :]] = value
        else:
            attrs[key] = value
    return attrs


def _text(elem) -> str:
    return elem.text or ""


def _header(elem, model: dict, name: str) -> None:
    model["header"] = _attrs(elem)
    units = elem.get("TIME_UNITS", "milliseconds")
    if units != "milliseconds":
        raise TextRejected(
            f"{name}: line {elem.sourceline}: time units {units!r}; Wordkeep reads milliseconds"
        )
    for child in elem:
        if child.tag == "MEDIA_DESCRIPTOR":
            model["media"].append(_attrs(child))
        elif child.tag == "LINKED_FILE_DESCRIPTOR":
            model["linked_files"].append(_attrs(child))
        elif child.tag == "PROPERTY":
            model["properties"].append([child.get("NAME", ""), _text(child)])


def _time_slots(elem, model: dict, name: str) -> None:
    seen = set()
    for slot in elem:
        if slot.tag != "TIME_SLOT":
            continue
        sid = slot.get("TIME_SLOT_ID")
        where = f"{name}: line {slot.sourceline}: time slot {sid!r}"
        if not sid or sid in seen:
            raise TextRejected(f"{where} has no id or repeats one")
        seen.add(sid)
        raw = slot.get("TIME_VALUE")
        value = None
        if raw is not None:
            try:
                value = int(raw.strip())
            except ValueError:
                raise TextRejected(f"{where}: time {raw!r} is not whole milliseconds") from None
            if value < 0:
                raise TextRejected(f"{where}: time {value} ms is negative")
        model["time_slots"].append([sid, value])


def _annotation(holder, tier: dict, name: str, tier_id: str) -> None:
    for ann in holder:
        aid = ann.get("ANNOTATION_ID")
        value_elem = ann.find("ANNOTATION_VALUE")
        value = "" if value_elem is None else _text(value_elem)
        if not aid:
            raise TextRejected(
                f"{name}: line {ann.sourceline}: an annotation on tier {tier_id!r} has no id"
            )
        if ann.tag == "ALIGNABLE_ANNOTATION":
            keys = _ALIGN_KEYS
            tier["align"].append(
                [
                    aid,
                    ann.get("TIME_SLOT_REF1"),
                    ann.get("TIME_SLOT_REF2"),
                    value,
                    ann.get("SVG_REF"),
                ]
            )
        elif ann.tag == "REF_ANNOTATION":
            keys = _REF_KEYS
            tier["ref"].append(
                [
                    aid,
                    ann.get("ANNOTATION_REF"),
                    value,
                    ann.get("PREVIOUS_ANNOTATION"),
                    ann.get("SVG_REF"),
                ]
            )
        else:
            continue
        rest = {k: v for k, v in _attrs(ann).items() if k not in keys}
        if rest:
            tier["ann_attrs"][aid] = rest
        tier["lines"][aid] = ann.sourceline


def _tier(elem, model: dict, name: str) -> None:
    tier_id = elem.get("TIER_ID")
    if not tier_id:
        raise TextRejected(f"{name}: line {elem.sourceline}: a tier has no TIER_ID")
    tier = {"attrs": _attrs(elem), "align": [], "ref": [], "ann_attrs": {}, "lines": {}}
    tier["line"] = elem.sourceline
    for holder in elem:
        if holder.tag == "ANNOTATION":
            _annotation(holder, tier, name, tier_id)
    model["tiers"].append(tier)


def _vocabulary(elem) -> list:
    descriptions = []
    if elem.get("DESCRIPTION") is not None:  # EAF 2.x: one description, no language
        descriptions.append(["und", elem.get("DESCRIPTION")])
    entries = []
    for child in elem:
        if child.tag == "DESCRIPTION":
            descriptions.append([child.get("LANG_REF", "und"), child.text])
        elif child.tag == "CV_ENTRY":  # EAF 2.x: one value, no id
            values = [[_text(child), "und", child.get("DESCRIPTION")]]
            entries.append([f"cveid{len(entries)}", child.get("EXT_REF"), values])
        elif child.tag == "CV_ENTRY_ML":
            values = [
                [_text(v), v.get("LANG_REF", "und"), v.get("DESCRIPTION")]
                for v in child
                if v.tag == "CVE_VALUE"
            ]
            entries.append([child.get("CVE_ID"), child.get("EXT_REF"), values])
    return [elem.get("CV_ID"), elem.get("EXT_REF"), descriptions, entries]


def blank_model() -> dict:
    return {
        "document": {},
        "licenses": [],
        "header": {},
        "media": [],
        "linked_files": [],
        "properties": [],
        "time_slots": [],
        "tiers": [],
        "linguistic_types": [],
        "locales": [],
        "languages": [],
        "constraints": [],
        "vocabularies": [],
        "lexicon_refs": [],
        "external_refs": [],
    }


def _element(elem, model: dict, name: str) -> None:
    tag = elem.tag
    if tag == "LICENSE":
        model["licenses"].append([_text(elem), elem.get("LICENSE_URL", "")])
    elif tag == "HEADER":
        _header(elem, model, name)
    elif tag == "TIME_ORDER":
        _time_slots(elem, model, name)
    elif tag == "TIER":
        _tier(elem, model, name)
    elif tag == "LINGUISTIC_TYPE":
        model["linguistic_types"].append(_attrs(elem))
    elif tag == "LOCALE":
        model["locales"].append(
            [elem.get("LANGUAGE_CODE"), elem.get("COUNTRY_CODE"), elem.get("VARIANT")]
        )
    elif tag == "LANGUAGE":
        model["languages"].append(
            [elem.get("LANG_ID"), elem.get("LANG_DEF"), elem.get("LANG_LABEL")]
        )
    elif tag == "CONSTRAINT":
        model["constraints"].append([elem.get("STEREOTYPE"), elem.get("DESCRIPTION")])
    elif tag == "CONTROLLED_VOCABULARY":
        model["vocabularies"].append(_vocabulary(elem))
    elif tag == "LEXICON_REF":
        model["lexicon_refs"].append(_attrs(elem))
    elif tag == "EXTERNAL_REF":
        model["external_refs"].append([elem.get("EXT_REF_ID"), elem.get("TYPE"), elem.get("VALUE")])
    else:  # REF_LINK_SET and whatever pympi does not know: kept as XML, written back
        model.setdefault("others", []).append(
            etree.tostring(elem, encoding="unicode", with_tail=False)
        )


def parse_model(data: bytes, name: str) -> dict:
    """The model of an .eaf file's bytes, checked (see `check_model`)."""
    root = parse_xml(data, name)
    model = blank_model()
    model["document"] = _document_attrs(root)
    for elem in root:
        if isinstance(elem.tag, str):
            _element(elem, model, name)
    check_model(model, name)
    for tier in model["tiers"]:
        tier.pop("lines", None)
        tier.pop("line", None)
    return model


# ---------------------------------------------------------------------------- checks
def _check_tiers(model: dict, name: str) -> None:
    types = {lt.get("LINGUISTIC_TYPE_ID") for lt in model["linguistic_types"]}
    ids = [t["attrs"]["TIER_ID"] for t in model["tiers"]]
    for tier in model["tiers"]:
        attrs = tier["attrs"]
        where = f"{name}: line {tier['line']}: tier {attrs['TIER_ID']!r}"
        if ids.count(attrs["TIER_ID"]) > 1:
            raise TextRejected(f"{where}: another tier has the same id")
        parent = attrs.get("PARENT_REF")
        if parent is not None and parent not in ids:
            raise TextRejected(
                f"{where} names parent tier {parent!r}, which the file does not have"
            )
        if parent == attrs["TIER_ID"]:
            raise TextRejected(f"{where} names itself as its parent")
        ltype = attrs.get("LINGUISTIC_TYPE_REF")
        if ltype not in types:
            raise TextRejected(
                f"{where} has linguistic type {ltype!r}, which the file does not define"
            )


def _check_annotations(model: dict, name: str) -> None:
    slots = dict(model["time_slots"])
    ann_ids: set[str] = set()
    for tier in model["tiers"]:
        tier_id = tier["attrs"]["TIER_ID"]
        spans = []
        for aid, ts1, ts2, _value, _svg in tier["align"]:
            where = f"{name}: line {tier['lines'][aid]}: annotation {aid!r} on tier {tier_id!r}"
            if aid in ann_ids:
                raise TextRejected(f"{where}: another annotation has the same id")
            ann_ids.add(aid)
            for ref in (ts1, ts2):
                if ref not in slots:
                    raise TextRejected(f"{where} names time slot {ref!r}, which does not exist")
            start, end = slots[ts1], slots[ts2]
            if start is not None and end is not None:
                if end < start:
                    raise TextRejected(f"{where} ends ({end} ms) before it starts ({start} ms)")
                spans.append((start, end, aid))
        _check_overlap(spans, f"{name}: tier {tier_id!r}")
        for aid, *_rest in tier["ref"]:
            if aid in ann_ids:
                raise TextRejected(
                    f"{name}: line {tier['lines'][aid]}: annotation {aid!r} on tier "
                    f"{tier_id!r}: another annotation has the same id"
                )
            ann_ids.add(aid)
    for tier in model["tiers"]:
        for aid, ref, *_rest in tier["ref"]:
            if ref not in ann_ids:
                raise TextRejected(
                    f"{name}: line {tier['lines'][aid]}: annotation {aid!r} on tier "
                    f"{tier['attrs']['TIER_ID']!r} refers to annotation {ref!r}, which does not exist"
                )


def _check_overlap(spans: list, what: str) -> None:
    spans.sort()
    for (s1, e1, a1), (s2, _e2, a2) in zip(spans, spans[1:], strict=False):
        if s2 < e1:
            raise TextRejected(
                f"{what}: annotation {a2!r} (from {s2} ms) overlaps {a1!r} ({s1}-{e1} ms)"
            )


def check_model(model: dict, name: str) -> None:
    """Refuse a model whose parts do not hold together (see the module's docstring)."""
    _check_tiers(model, name)
    _check_annotations(model, name)


def tier_by_id(model: dict, tier_id: str) -> dict | None:
    return next((t for t in model["tiers"] if t["attrs"]["TIER_ID"] == tier_id), None)


def linguistic_type(model: dict, tier: dict) -> dict:
    ref = tier["attrs"].get("LINGUISTIC_TYPE_REF")
    return next((lt for lt in model["linguistic_types"] if lt.get("LINGUISTIC_TYPE_ID") == ref), {})


def is_symbolic(model: dict, tier: dict) -> bool:
    """True for a tier whose annotations refer to a parent's (Symbolic_Association or
    _Subdivision), not to times."""
    constraint = linguistic_type(model, tier).get("CONSTRAINTS") or ""
    return constraint.startswith("Symbolic")
