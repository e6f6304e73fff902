"""FLExText (FieldWorks' interlinear XML) -> text dicts (docs/text-shape.md).

    interlinear-text (guid) -> the text: title, comment -> title, description
      paragraph (guid)      -> each segment's extra.flextext.paragraph
        phrase (guid)       -> a segment: txt -> text, gls -> translation,
                               begin/end-time-offset (ms) -> start/end, speaker
          word (guid)       -> a word: txt (or punct, with "punct": True) -> text,
                               gls -> gloss, pos -> pos
            morph (guid)    -> a morpheme: txt -> text, gls -> gloss, msa -> pos

What has no field (other items such as segnum, lit, note, cf, hn; empty items; attributes;
other elements such as media-files; the languages) is kept in the `extra.flextext` of the
text, segment, word or morpheme, and written back."""

from __future__ import annotations

import io
from pathlib import Path

from lxml import etree

from lexicon.io.ids import as_uuid, derive_id
from lexicon.io.safety import DEFAULT_LIMITS, Limits, check_xml_stream, refuse_doctype, xml_parser
from lexicon.io.textparts import (
    TextRejected,
    blank_segment,
    blank_text,
    check_span,
    content_id,
    ms_to_seconds,
    read_bytes,
    speaker,
)

# Item types that become fields, per level: {type: field}.
TEXT_ITEMS = {"title": "title", "comment": "description"}
PHRASE_ITEMS = {"txt": "text", "gls": "translation"}
WORD_ITEMS = {"txt": "text", "punct": "text", "gls": "gloss", "pos": "pos"}
MORPH_ITEMS = {"txt": "text", "gls": "gloss", "msa": "pos"}


def parse_xml(data: bytes, name: str):
    check_xml_stream(io.BytesIO(data), name, "FLExText file")
    try:
        root = etree.fromstring(data, xml_parser())
    except etree.XMLSyntaxError as exc:
        raise TextRejected(
            f"{name}: not a readable FLExText file: line {exc.lineno}: {exc.msg}"
        ) from exc
    refuse_doctype(root, name, "FLExText file")
    if root.tag != "document" or root.find("interlinear-text") is None:
        raise TextRejected(
            f"{name}: not a FLExText file (line {root.sourceline}: no <document> with an "
            f"<interlinear-text>)"
        )
    return root


def _attrs(elem, *skip: str) -> dict:
    return {str(k): v for k, v in elem.attrib.items() if k not in skip}


def _items(elem, mapped: dict, out: dict, single: set[str] = frozenset()) -> list[list]:
    """Put `elem`'s own items of a mapped type into `out` (multitexts by lang, or one string
    for the types in `single`); return the others (and empty ones) as [type, lang, value]."""
    rest = []
    for item in elem.findall("item"):
        kind, lang, value = item.get("type", ""), item.get("lang", ""), item.text or ""
        field = mapped.get(kind)
        if field is None or value == "":
            rest.append([kind, lang, value])
        elif field in single:
            if out.get(field):
                rest.append([kind, lang, value])
            else:
                out[field] = value
                out.setdefault("_langs", {})[field] = [kind, lang]
        elif lang in out.setdefault(field, {}):
            rest.append([kind, lang, value])
        else:
            out[field][lang] = value
    return rest


def _others(elem, known: set[str]) -> list[str]:
    """Child elements the reader does not know, as XML, to be written back as they were."""
    return [
        etree.tostring(child, encoding="unicode", with_tail=False)
        for child in elem
        if isinstance(child.tag, str) and child.tag not in known
    ]


def _kept(rest: list, attrs: dict, others: list, **more) -> dict:
    kept = {k: v for k, v in (("items", rest), ("attrs", attrs), ("others", others)) if v}
    kept.update({k: v for k, v in more.items() if v})
    return kept


def _morpheme(elem) -> dict:
    out: dict = {}
    rest = _items(elem, MORPH_ITEMS, out, single={"text", "pos"})
    langs = out.pop("_langs", {})
    morph = {
        "text": out.get("text", ""),
        "gloss": out.get("gloss", {}),
        "pos": out.get("pos"),
        "entry_id": None,
        "guid": elem.get("guid"),
    }
    kept = _kept(rest, _attrs(elem, "guid"), _others(elem, {"item"}), langs=langs)
    morph["extra"] = {"flextext": kept} if kept else {}
    return morph


def words_text(words: list[dict]) -> dict:
    """A phrase's text put together from its words (FLEx need not write the phrase's txt)."""
    parts = []
    for word in words:
        if word.get("punct") and parts:
            parts[-1] += word["text"]
        elif word["text"]:
            parts.append(word["text"])
    langs = [(w.get("extra") or {}).get("flextext", {}).get("langs", {}).get("text") for w in words]
    lang = next((pair[1] for pair in langs if pair), "und")
    return {lang: " ".join(parts)} if parts else {}


def _word(elem) -> dict:
    out: dict = {}
    rest = _items(elem, WORD_ITEMS, out, single={"text", "pos"})
    langs = out.pop("_langs", {})
    word = {
        "text": out.get("text", ""),
        "start": None,
        "end": None,
        "gloss": out.get("gloss", {}),
        "pos": out.get("pos"),
        "entry_id": None,
        "link": "none",
        "morphemes": [],
        "guid": elem.get("guid"),
    }
    if langs.get("text", [None])[0] == "punct":
        word["punct"] = True
    morphs = elem.find("morphemes")
    if morphs is not None:
        word["morphemes"] = [_morpheme(m) for m in morphs.findall("morph")]
    more = {"morphemes_attrs": _attrs(morphs)} if morphs is not None else {}
    if morphs is not None and not word["morphemes"]:
        more["empty_morphemes"] = True
    kept = _kept(
        rest, _attrs(elem, "guid"), _others(elem, {"item", "morphemes"}), langs=langs, **more
    )
    word["extra"] = {"flextext": kept} if kept else {}
    return word


def _times(elem, where: str) -> tuple[int | None, int | None]:
    values = []
    for key in ("begin-time-offset", "end-time-offset"):
        raw = elem.get(key)
        try:
            values.append(None if raw is None else int(raw.strip()))
        except ValueError:
            raise TextRejected(f"{where}: {key} {raw!r} is not whole milliseconds") from None
    check_span(*values, where)
    return values[0], values[1]


def _segment(elem, text_id: str, paragraph: str, n: int, name: str) -> dict:
    guid = as_uuid(elem.get("guid"))
    seg = blank_segment(guid or derive_id(text_id, "flextext", str(n)))
    start, end = _times(elem, f"{name}: line {elem.sourceline}: phrase {elem.get('guid') or n}")
    seg["start"], seg["end"] = ms_to_seconds(start), ms_to_seconds(end)
    seg["speaker"] = elem.get("speaker") or None
    out: dict = {}
    rest = _items(elem, PHRASE_ITEMS, out)
    seg["text"], seg["translation"] = out.get("text", {}), out.get("translation", {})
    words = elem.find("words")
    if words is not None:
        seg["words"] = [_word(w) for w in words.findall("word")]
    if not seg["text"] and seg["words"]:
        seg["text"] = words_text(seg["words"])
        derived = bool(seg["text"])
    else:
        derived = False
    skip = ("begin-time-offset", "end-time-offset", "speaker")
    attrs = _attrs(elem, *skip)
    if elem.get("guid") and not guid:
        attrs["guid"] = elem.get("guid")
    kept = _kept(rest, attrs, _others(elem, {"item", "words"}), paragraph=paragraph)
    if words is not None and not seg["words"]:
        kept["empty_words"] = True
    if elem.get("guid") is None:
        kept["no_guid"] = True
    if derived:
        kept["derived_text"] = True
    seg["extra"] = {"flextext": kept}
    return seg


def _segments(elem, text: dict, kept: dict, name: str) -> list[dict]:
    segments = []
    paragraphs = elem.find("paragraphs")
    for p_index, para in enumerate([] if paragraphs is None else paragraphs.findall("paragraph")):
        key = para.get("guid") or f"#{p_index}"
        kept["paragraphs"].append({"key": key, "attrs": _attrs(para)})
        for phrases in para.findall("phrases"):
            for phrase in phrases.findall("phrase"):
                seg = _segment(phrase, text["id"], key, len(segments) + 1, name)
                segments.append(seg)
    return segments


def _text(elem, data: bytes, name: str, document: dict) -> dict:
    text = blank_text(as_uuid(elem.get("guid")) or content_id("flextext", data))
    out: dict = {}
    rest = _items(elem, TEXT_ITEMS, out)
    text["title"], text["description"] = out.get("title", {}), out.get("description", {})
    langs = elem.find("languages")
    kept = {
        "document": document,
        "attrs": _attrs(elem),
        "items": rest,
        "paragraphs": [],
        "languages": [] if langs is None else [_attrs(lang) for lang in langs.findall("language")],
        "others": _others(elem, {"item", "paragraphs", "languages"}),
    }
    text["segments"] = _segments(elem, text, kept, name)
    codes = dict.fromkeys(s["speaker"] for s in text["segments"] if s["speaker"])
    text["speakers"] = [speaker(code) for code in codes]
    text["extra"] = {"flextext": kept}
    return text


def flextext_to_texts(data: bytes, name: str) -> list[dict]:
    """Every interlinear text of a FLExText file's bytes, as text dicts."""
    root = parse_xml(data, name)
    document = _attrs(root)
    elems = root.findall("interlinear-text")
    return [
        _text(e, data if len(elems) == 1 else data + str(n).encode(), name, document)
        for n, e in enumerate(elems)
    ]


def read_flextexts(path: Path, limits: Limits = DEFAULT_LIMITS) -> list[dict]:
    path = Path(path)
    return flextext_to_texts(read_bytes(path, limits), path.name)
