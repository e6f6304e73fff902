"""Reading the parts every LIFT element is made of (forms, traits, fields, notes, media
references), keeping whatever is not understood as XML: the base of `lift.read.Reader`."""

from __future__ import annotations

import re
import unicodedata

from lxml import etree

from lexicon.io.safety import nfc

# FieldWorks' and WeSay's audio writing systems (`seh-Zxxx-x-audio`): a form's text is the name
# of a recording under audio/, not text.
_AUDIO_WS = re.compile(r"-zxxx(-[a-z0-9]+)*-x-audio$", re.IGNORECASE)


def is_audio_ws(lang: str | None) -> bool:
    """True for an audio writing system tag (`*-Zxxx-x-audio`)."""
    return bool(lang) and _AUDIO_WS.search(lang) is not None


def to_xml(el) -> str:
    """Serialise one element (without its tail) as NFC text."""
    return nfc(etree.tostring(el, encoding="unicode", with_tail=False))


def is_simple_form(el) -> bool:
    """A form/gloss that is exactly `<x lang=".."><text>plain</text></x>`."""
    if len(el) != 1 or el.keys() != ["lang"] or (el.text and el.text.strip()):
        return False
    t = el[0]
    return t.tag == "text" and not t.keys() and not len(t) and not (t.tail and t.tail.strip())


def form_plain(el) -> str:
    """The plain text of a form-like element (spans flattened)."""
    for child in el:
        if child.tag == "text":
            return nfc("".join(child.itertext()))
    return ""


class ElementReader:
    """What reading any LIFT element needs: text made NFC, forms, traits, fields, notes, media
    references, and the residue (XML kept verbatim); warnings and media found on the way."""

    def __init__(self, source_name: str = ""):
        self.source = source_name
        self.warnings: list[dict] = []
        self.media: list[dict] = []
        self.langs_vern: dict[str, int] = {}
        self.langs_anal: dict[str, int] = {}
        self.non_nfc = 0

    def warn(self, el, message: str) -> None:
        line = getattr(el, "sourceline", None)
        self.warnings.append({"line": line, "message": message})

    def text(self, value: str | None) -> str:
        if not value:
            return ""
        if unicodedata.is_normalized("NFC", value):
            return value
        self.non_nfc += 1
        return unicodedata.normalize("NFC", value)

    def residue(self, x: dict, el) -> None:
        if isinstance(el.tag, str):  # comments and processing instructions are not facts
            x.setdefault("xml", []).append(to_xml(el))

    def multitext(
        self, items, x: dict, key: str, langs: dict | None = None, tag: str = "form"
    ) -> dict:
        """Forms among `items` as {lang: text}; rich forms and odd children kept under `key`."""
        out: dict[str, str] = {}
        for child in items:
            if not isinstance(child.tag, str):
                continue
            lang = child.get("lang")
            if child.tag == tag and is_audio_ws(lang) and is_simple_form(child):
                kept = x.setdefault("audio", {}).setdefault(key, {})
                if lang not in kept and (child[0].text or "").strip():
                    kept[self.text(lang)] = self.audio_ref(child, child[0].text)
                    continue
            if child.tag == tag and lang and lang not in out:
                lang = self.text(lang)
                if is_simple_form(child):
                    out[lang] = self.text(child[0].text)
                else:
                    out[lang] = form_plain(child)
                    x.setdefault("rich", {}).setdefault(key, {})[lang] = to_xml(child)
                if langs is not None:
                    langs[lang] = langs.get(lang, 0) + 1
            else:
                x.setdefault("inner", {}).setdefault(key, []).append(to_xml(child))
        return out

    def audio_ref(self, el, name: str) -> dict:
        """A recording named by an audio form: found like any media href (see lift._collect_media)."""
        href = self.text(name.strip())
        self.media.append({"kind": "audio", "href": href, "line": el.sourceline})
        return {"audio_href": href}

    def attrs(self, el, x: dict, known: tuple = ()) -> None:
        names = el.keys()  # attribute names (iterating `el` itself gives its children)
        if all(k in known for k in names):
            return
        extra = {k: self.text(v) for k, v in el.items() if k not in known}
        x.setdefault("attrs", {}).update(extra)

    def trait(self, el, x: dict) -> tuple[str, str] | None:
        """A plain trait as (name, value), or None (kept as residue) when it is anything more."""
        if set(el.attrib) == {"name", "value"} and len(el) == 0:
            return self.text(el.get("name")), self.text(el.get("value"))
        return None

    def field(self, el, x: dict) -> bool:
        """A custom field with only forms goes to x["fields"]; anything else stays XML."""
        if set(el.attrib) != {"type"} or any(c.tag != "form" for c in el):
            return False
        fx: dict = {}
        value = self.multitext(list(el), fx, "text")
        item = {"type": self.text(el.get("type")), "text": value}
        if fx.get("audio"):
            item["audio"] = fx.pop("audio")["text"]
        if fx:
            item["rich"] = fx.get("rich", {}).get("text", {})
            if fx.get("inner"):
                return False
        x.setdefault("fields", []).append(item)
        return True

    def common(self, child, x: dict) -> bool:
        """Handle trait and field children shared by most elements."""
        if child.tag == "trait":
            t = self.trait(child, x)
            if t:
                x.setdefault("traits", []).append(list(t))
                return True
            return False
        if child.tag == "field":
            return self.field(child, x)
        return False

    @staticmethod
    def finish(obj: dict, x: dict) -> dict:
        obj["extra"] = {"lift": x} if x else {}
        return obj

    def note(self, el, *_ignored) -> dict:
        x: dict = {}
        self.attrs(el, x, ("type",))
        forms_els = []
        for child in el:
            if child.tag == "form":
                forms_els.append(child)
            elif isinstance(child.tag, str) and not self.common(child, x):
                self.residue(x, child)
        forms = self.multitext(forms_els, x, "text")
        note = {"type": self.text(el.get("type")) or "", "text": forms}
        if x:
            note["extra"] = {"lift": x}
        return note

    def media_ref(self, el, kind: str, entry_id: str, x: dict, key: str) -> dict | None:
        href = el.get("href")
        if not href or set(el.attrib) != {"href"}:
            return None
        href = self.text(href)
        children = [c for c in el if isinstance(c.tag, str)]
        if children and (len(children) > 1 or children[0].tag != "label" or children[0].attrib):
            return None
        if children:
            x.setdefault("labels", {})[key] = self.multitext(list(children[0]), x, key + ".label")
        name = href.replace("\\", "/").rsplit("/", 1)[-1]
        x.setdefault("hrefs", {})[key] = href
        self.media.append({"kind": kind, "href": href, "entry_id": entry_id, "line": el.sourceline})
        return {"href": href, "original_name": name}
