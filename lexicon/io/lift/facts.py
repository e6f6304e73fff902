"""The facts of a LIFT package, for comparing a round trip by meaning rather than by bytes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from lxml import etree

from lexicon.io.lift.package import find_lift
from lexicon.io.safety import nfc, xml_parser


# ---------------------------------------------------------------------- facts
def lift_facts(path) -> Counter:
    """The canonical facts of a LIFT package, for comparing a round trip (not bytes).

    Each element is one fact: its ancestry (entry and sense ids, example text), tag, attributes
    and own text. Header range hrefs are left out: they are rewritten to the file beside.
    """
    path = Path(path)
    lift_path = find_lift(path) if path.is_dir() else path
    tree = etree.parse(str(lift_path), xml_parser())
    facts: Counter = Counter()
    _facts(tree.getroot(), (), facts)
    for rp in lift_path.parent.glob("*.lift-ranges"):
        _facts(etree.parse(str(rp), xml_parser()).getroot(), ("ranges",), facts)
    return facts


def _facts(el, ancestry: tuple, facts: Counter) -> None:
    for child in el:
        if not isinstance(child.tag, str):
            continue
        attrs = {k: nfc(v) for k, v in child.attrib.items()}
        if child.tag == "range" and "href" in attrs and el.tag == "ranges":
            attrs.pop("href")
        text = nfc(child.text or "").strip() if child.tag in ("text", "span") else ""
        tails = nfc("".join((c.tail or "") for c in child if c.tag == "span")).strip()
        facts[(ancestry, child.tag, tuple(sorted(attrs.items())), text, tails)] += 1
        key = child.tag
        if child.tag in ("entry",):
            key = ("entry", attrs.get("guid") or attrs.get("id"))
        elif child.tag in ("sense", "subsense"):
            key = (child.tag, attrs.get("id"))
        elif child.tag in ("example", "range", "range-element", "field", "relation"):
            key = (
                child.tag,
                attrs.get("id")
                or attrs.get("type")
                or attrs.get("ref")
                or " ".join(nfc("".join(child.itertext())).split())[:80],
            )
        _facts(child, ancestry + (key,), facts)
