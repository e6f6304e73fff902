"""The facts of a FLExText file, for the round-trip comparison: an import then export keeps
them. Each element is named by its path of (kind, guid or position) steps from the text:

    (path, "item", type, lang, value)     every item, empty ones too
    (path, "@", attribute, value)         every attribute (guids included)

Comments and the order of items among themselves are not facts."""

from __future__ import annotations

from lexicon.io.flextext.read import parse_xml

_KINDS = {"interlinear-text", "paragraph", "phrase", "word", "morph", "language", "media"}


def _walk(elem, path: tuple, facts: set) -> None:
    for key, value in elem.attrib.items():
        facts.add((path, "@", str(key), value))
    counts: dict[str, int] = {}
    for child in elem:
        if not isinstance(child.tag, str):
            continue
        if child.tag == "item":
            facts.add((path, "item", child.get("type"), child.get("lang"), child.text or ""))
            continue
        n = counts[child.tag] = counts.get(child.tag, 0) + 1
        step = (child.tag, n) if child.tag in _KINDS else (child.tag,)
        if child.text and child.text.strip():
            facts.add((path + (step,), "text", child.text.strip()))
        _walk(child, path + (step,), facts)


def flextext_facts(data: bytes, name: str = "file.flextext") -> set[tuple]:
    root = parse_xml(data, name)
    facts: set[tuple] = set()
    _walk(root, (), facts)
    return facts
