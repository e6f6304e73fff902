"""A text dict -> FLExText bytes (docs/text-shape.md; the reverse of `flextext.read`).

Fields are written as items; what the reader kept in `extra.flextext` (other items,
attributes, paragraphs, languages, unknown elements) comes back where it was, except an
item whose type and language a field now fills. A segment without words that did not come
from FLEx is split into words (and punctuation) so that FLEx can interlinearise it."""

from __future__ import annotations

import re

from lxml import etree

from lexicon.io.flextext.read import words_text
from lexicon.io.ids import as_uuid, derive_id
from lexicon.io.safety import xml_parser
from lexicon.io.textparts import seconds_to_ms

_TOKEN = re.compile(r"\w[\w'’-]*|[^\w\s]+")
BEFORE_WORDS = {"txt", "segnum"}


def _flex(obj: dict) -> dict:
    return (obj.get("extra") or {}).get("flextext") or {}


def _item(parent, kind: str, lang: str, value: str) -> None:
    item = etree.SubElement(parent, "item", {"type": kind, "lang": lang})
    item.text = value


def _multitext(parent, kind: str, values: dict | None) -> set[tuple[str, str]]:
    written = set()
    for lang, value in (values or {}).items():
        if value:
            _item(parent, kind, lang, value)
            written.add((kind, lang))
    return written


def _kept_items(parent, kept: dict, written: set, only=None, skip=()) -> None:
    for kind, lang, value in kept.get("items", []):
        if (kind, lang) in written or kind in skip or (only is not None and kind not in only):
            continue
        _item(parent, kind, lang, value)


def _others(parent, kept: dict) -> None:
    for xml in kept.get("others", []):
        parent.append(etree.fromstring(xml, xml_parser()))


def _single(parent, kept: dict, field: str, default_kind: str, lang: str, value) -> set:
    if not value:
        return set()
    kind, lang = (kept.get("langs") or {}).get(field) or [default_kind, lang]
    _item(parent, kind, lang, value)
    return {(kind, lang)}


def _morph(parent, morph: dict, vernacular: str) -> None:
    kept = _flex(morph)
    attrs = dict(kept.get("attrs") or {})
    if morph.get("guid"):
        attrs["guid"] = morph["guid"]
    elem = etree.SubElement(parent, "morph", attrs)
    written = _single(elem, kept, "text", "txt", vernacular, morph.get("text"))
    _kept_items(elem, kept, written, skip={"gls", "msa"})
    written |= _multitext(elem, "gls", morph.get("gloss"))
    _kept_items(elem, kept, written, only={"gls"})
    written |= _single(elem, kept, "pos", "msa", "en", morph.get("pos"))
    _kept_items(elem, kept, written, only={"msa"})
    _others(elem, kept)


def _word(parent, word: dict, vernacular: str) -> None:
    kept = _flex(word)
    attrs = dict(kept.get("attrs") or {})
    if word.get("guid"):
        attrs["guid"] = word["guid"]
    elem = etree.SubElement(parent, "word", attrs)
    kind = "punct" if word.get("punct") else "txt"
    written = _single(elem, kept, "text", kind, vernacular, word.get("text"))
    if word.get("morphemes") or kept.get("empty_morphemes"):
        morphs = etree.SubElement(elem, "morphemes", kept.get("morphemes_attrs") or {})
        for morph in word.get("morphemes") or []:
            _morph(morphs, morph, vernacular)
    written |= _multitext(elem, "gls", word.get("gloss"))
    written |= _single(elem, kept, "pos", "pos", "en", word.get("pos"))
    _kept_items(elem, kept, written)
    _others(elem, kept)


def tokens(value: str) -> list[dict]:
    """Words and punctuation of a transcription, for FLEx to interlinearise."""
    found = []
    for token in _TOKEN.findall(value or ""):
        word = {"text": token, "gloss": {}, "pos": None, "morphemes": [], "guid": None}
        if not token[0].isalnum() and token[0] != "_":
            word["punct"] = True
        found.append(word)
    return found


def _phrase_attrs(seg: dict, kept: dict) -> dict:
    attrs = dict(kept.get("attrs") or {})
    if not kept.get("no_guid") and as_uuid(seg.get("id")) and "guid" not in attrs:
        attrs["guid"] = seg["id"]
    if seg.get("start") is not None:
        attrs["begin-time-offset"] = str(seconds_to_ms(seg["start"]))
    if seg.get("end") is not None:
        attrs["end-time-offset"] = str(seconds_to_ms(seg["end"]))
    if seg.get("speaker"):
        attrs["speaker"] = seg["speaker"]
    return attrs


def _phrase(parent, seg: dict, vernacular: str) -> None:
    kept = _flex(seg)
    elem = etree.SubElement(parent, "phrase", _phrase_attrs(seg, kept))
    words = seg.get("words") or []
    derived = kept.get("derived_text") and seg.get("text") == words_text(words)
    written = set() if derived else _multitext(elem, "txt", seg.get("text"))
    _kept_items(elem, kept, written, only=BEFORE_WORDS)
    if not words and not kept and seg.get("text"):
        words = tokens(next(iter(seg["text"].values())))
    if words or kept.get("empty_words"):
        holder = etree.SubElement(elem, "words")
        for word in words:
            _word(holder, word, vernacular)
    written |= _multitext(elem, "gls", seg.get("translation"))
    _kept_items(elem, kept, written, skip=BEFORE_WORDS)
    _others(elem, kept)


def _paragraphs(parent, text: dict, kept: dict, vernacular: str) -> None:
    holder = etree.SubElement(parent, "paragraphs")
    attrs = {p["key"]: p["attrs"] for p in kept.get("paragraphs", [])}
    current, phrases = object(), None
    for n, seg in enumerate(text.get("segments") or []):
        key = _flex(seg).get("paragraph", current if n else "#0")
        if key != current or phrases is None:
            default = {"guid": derive_id(str(text.get("id")), "paragraph", str(key))}
            para = etree.SubElement(holder, "paragraph", attrs.get(key, default))
            phrases = etree.SubElement(para, "phrases")
            current = key
        _phrase(phrases, seg, (next(iter(seg.get("text") or {}), None) or vernacular))


def _languages(parent, text: dict, kept: dict) -> None:
    langs = [dict(a) for a in kept.get("languages", [])]
    have = {a.get("lang") for a in langs}
    segments = text.get("segments") or []
    for key, vernacular in (("text", True), ("translation", False)):
        for ws in dict.fromkeys(ws for s in segments for ws in (s.get(key) or {})):
            if ws not in have:
                langs.append({"lang": ws, **({"vernacular": "true"} if vernacular else {})})
                have.add(ws)
    holder = etree.SubElement(parent, "languages")
    for attrs in langs:
        etree.SubElement(holder, "language", attrs)


def write_flextext(text: dict) -> bytes:
    """The FLExText file of a text (see the module's docstring)."""
    kept = _flex(text)
    root = etree.Element("document", kept.get("document") or {"version": "2"})
    attrs = dict(kept.get("attrs") or {})
    if as_uuid(text.get("id")) and "guid" not in attrs:
        attrs["guid"] = text["id"]
    elem = etree.SubElement(root, "interlinear-text", attrs)
    written = _multitext(elem, "title", text.get("title"))
    written |= _multitext(elem, "comment", text.get("description"))
    _kept_items(elem, kept, written)
    vernacular = next((ws for s in text.get("segments") or [] for ws in s.get("text") or {}), "und")
    _paragraphs(elem, text, kept, vernacular)
    _languages(elem, text, kept)
    _others(elem, kept)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
