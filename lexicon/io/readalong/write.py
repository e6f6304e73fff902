"""A text as a .readalong file (ReadAlongs Studio's XML, DTD read-along-1.2): a page, a
paragraph, a sentence `<s>` per segment with its words `<w time= dur=>` (seconds, as
ReadAlongs writes them; a word without times is written without them), each translation
as `<s do-not-align="true" class="translation" xml:lang=...>` after its sentence. Segments
without words get their transcription as one unaligned sentence. The recording is not
inside: ReadAlongs' web component is given it beside the file."""

from __future__ import annotations

from lxml import etree

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def _sentence(parent, segment: dict, n: int, vernacular: str) -> None:
    attrs = {"id": f"s{n}"}
    if segment.get("start") is not None and segment.get("end") is not None:
        attrs.update(time=_seconds(segment["start"]),
                     dur=_seconds(segment["end"] - segment["start"]))  # fmt: skip
    sentence = etree.SubElement(parent, "s", attrs)
    words = [w for w in segment.get("words") or [] if str(w.get("text") or "").strip()]
    if not words:
        sentence.set("do-not-align", "true")
        sentence.text = (segment.get("text") or {}).get(vernacular) or next(
            iter((segment.get("text") or {}).values()), ""
        )
    for k, word in enumerate(words):
        w = etree.SubElement(sentence, "w", {"id": f"s{n}w{k}"})
        if word.get("start") is not None and word.get("end") is not None:
            w.set("time", _seconds(word["start"]))
            w.set("dur", _seconds(max(0.0, word["end"] - word["start"])))
        w.text = word["text"]
        w.tail = " "
    for ws, form in (segment.get("translation") or {}).items():
        extra = etree.SubElement(parent, "s", {"do-not-align": "true", "class": "translation"})
        extra.set(XML_LANG, ws)
        extra.text = form


def write_readalong(text: dict) -> bytes:
    """The .readalong XML of `text` (every segment it holds, in order)."""
    segments = text.get("segments") or []
    vernacular = next((ws for s in segments for ws in (s.get("text") or {})), "und")
    root = etree.Element("read-along", {"version": "1.2"})
    etree.SubElement(root, "meta", {"name": "generator", "content": "Wordkeep"})
    body_text = etree.SubElement(root, "text")
    body_text.set(XML_LANG, vernacular)
    title = next((v for v in (text.get("title") or {}).values() if v), "")
    if title:
        etree.SubElement(root, "meta", {"name": "title", "content": title})
    paragraph = etree.SubElement(
        etree.SubElement(etree.SubElement(body_text, "body"), "div", {"type": "page"}), "p"
    )
    for n, segment in enumerate(segments):
        _sentence(paragraph, segment, n, vernacular)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
