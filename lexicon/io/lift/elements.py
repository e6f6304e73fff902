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


def to_xml_checked(el) -> tuple[str, bool]:
    """`to_xml(el)`, and whether every text and attribute value in `el` is NFC already: so
    when its serialisation is, unless that holds U+0338, which NFC joins to a `<` or `>` (an
    escaped one in a value: `&lt;` + U+0338 passes, `<` + U+0338 in the value does not)."""
    text = etree.tostring(el, encoding="unicode", with_tail=False)
    if unicodedata.is_normalized("NFC", text):
        return text, "\u0338" not in text
    return unicodedata.normalize("NFC", text), False


def is_simple_form(el) -> bool:
    """A form/gloss that is exactly `<x lang=".."><text>plain</text></x>`."""
    return simple_form(el) is not None


def simple_form(el) -> tuple[str, str | None] | None:
    """(lang, text) of a simple form (`is_simple_form`), else None; read with as few calls
    into lxml as can be, since a file has one for nearly every value."""
    attrs = el.items()
    if len(attrs) != 1 or len(el) != 1 or attrs[0][0] != "lang" or _has_text(el.text):
        return None
    t = el[0]
    if t.tag != "text" or len(t) or t.keys() or _has_text(t.tail):
        return None
    return attrs[0][1], t.text


def _has_text(value: str | None) -> bool:
    return bool(value) and not value.isspace()


def attr_value(items: list, name: str) -> str | None:
    """The value of attribute `name` among `items` (`el.items()`), like `el.get(name)`."""
    for k, v in items:
        if k == name:
            return v
    return None


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
        # Set while reading an entry whose values are all NFC (`to_xml_checked`), so that
        # `text` has nothing to check; the caller sets it, Reader.entry clears it when done
        self.nfc_already = False

    def warn(self, el, message: str) -> None:
        line = getattr(el, "sourceline", None)
        self.warnings.append({"line": line, "message": message})

    def text(self, value: str | None) -> str:
        if not value:
            return ""
        if self.nfc_already or unicodedata.is_normalized("NFC", value):
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
        text = self.text
        as_is = self.nfc_already  # then `text(v)` is `v or ""`: not called for each form
        for child in items:
            if child.tag != tag:
                if isinstance(child.tag, str):
                    x.setdefault("inner", {}).setdefault(key, []).append(to_xml(child))
                continue
            simple = simple_form(child)
            lang = simple[0] if simple else child.get("lang")
            if simple and lang[-1:] in ("o", "O") and is_audio_ws(lang):
                kept = x.setdefault("audio", {}).setdefault(key, {})
                if lang not in kept and _has_text(simple[1]):
                    kept[text(lang)] = self.audio_ref(child, simple[1])
                    continue
            if lang and lang not in out:
                if not as_is:
                    lang = text(lang)
                if simple:
                    out[lang] = (simple[1] or "") if as_is else text(simple[1])
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

    def attrs(self, el, x: dict, known: tuple = (), items: list | None = None) -> None:
        """The attributes of `el` other than `known` to x["attrs"] (`items`: `el.items()`
        when the caller has it)."""
        extra = None
        for k, v in el.items() if items is None else items:
            if k not in known:
                if extra is None:
                    extra = {}
                extra[k] = self.text(v)
        if extra is not None:
            x.setdefault("attrs", {}).update(extra)

    def trait(self, el, x: dict) -> tuple[str, str] | None:
        """A plain trait as (name, value), or None (kept as residue) when it is anything more."""
        items = el.items()
        if len(items) == 2 and not len(el):
            (k1, v1), (k2, v2) = items
            if k1 == "name" and k2 == "value":
                return self.text(v1), self.text(v2)
            if k1 == "value" and k2 == "name":
                return self.text(v2), self.text(v1)
        return None

    def field(self, el, x: dict) -> bool:
        """A custom field with only forms goes to x["fields"]; anything else stays XML."""
        items = el.items()
        if len(items) != 1 or items[0][0] != "type":
            return False
        children = list(el)
        if any(c.tag != "form" for c in children):
            return False
        fx: dict = {}
        value = self.multitext(children, fx, "text")
        item = {"type": self.text(items[0][1]), "text": value}
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
        tag = child.tag
        if tag == "trait":
            t = self.trait(child, x)
            if t:
                x.setdefault("traits", []).append(list(t))
                return True
            return False
        if tag == "field":
            return self.field(child, x)
        return False

    @staticmethod
    def finish(obj: dict, x: dict) -> dict:
        obj["extra"] = {"lift": x} if x else {}
        return obj

    def note(self, el, *_ignored) -> dict:
        x: dict = {}
        items = el.items()
        self.attrs(el, x, ("type",), items)
        forms_els = []
        for child in el:
            tag = child.tag
            if tag == "form":
                forms_els.append(child)
            elif isinstance(tag, str) and not self.common(child, x):
                self.residue(x, child)
        forms = self.multitext(forms_els, x, "text")
        note = {"type": self.text(attr_value(items, "type")) or "", "text": forms}
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
