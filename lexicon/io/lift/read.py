"""LIFT elements -> entry dicts (docs/entry-shape.md).

Each element is mapped child by child; whatever a handler does not fully understand (an odd
attribute, an empty `<media/>`, a second translation, a reversal with `<main>`) is kept verbatim
as XML in the owning object's `extra["lift"]` and written back by `lift_write`. So nothing is
lost by construction, and the mapping can grow without risking data.
"""

from __future__ import annotations

import uuid

from lexicon.io import recording_notes
from lexicon.io.ids import as_uuid, derive_id
from lexicon.io.lift.elements import ElementReader, attr_value, simple_form, to_xml
from lexicon.io.lift.unchanged import SOURCE_MARK, source_digest
from lexicon.shape.entry import (
    blank_entry,
    blank_example,
    blank_picture,
    blank_pronunciation,
    blank_sense,
)

SEMANTIC_DOMAIN_TRAITS = ("semantic-domain-ddp4", "semantic-domain")


class Reader(ElementReader):
    """Turns `<entry>` elements into entry dicts; collects warnings and media references."""

    def entry(self, el, source: str | None = None) -> dict:
        """Map one `<entry>` (`source`: its to_xml when the caller has it, and `nfc_already`
        set when every value in it is NFC, lift.elements.to_xml_checked); relation targets are
        resolved later by `resolve_relations`."""
        x: dict = {}
        items = el.items()
        attrs = dict(items)
        lift_id, guid = attrs.get("id"), attrs.get("guid")
        eid = as_uuid(guid) or as_uuid((lift_id or "").rsplit("_", 1)[-1])
        if not eid:
            eid = derive_id("entry", self.text(lift_id)) if lift_id else str(uuid.uuid4())
        self.attrs(el, x, ("order",), items)
        order = attrs.get("order")
        homograph = int(order) if order and order.isdigit() else 0
        if order is not None and (not order.isdigit() or homograph == 0):
            x.setdefault("attrs", {})["order"] = order  # "0" or odd values: keep as written
        e = _blank_entry(eid, homograph)
        e["created_at"] = self.text(attrs.get("dateCreated")) or None
        e["updated_at"] = self.text(attrs.get("dateModified")) or None
        e["deleted"] = attrs.get("dateDeleted") is not None
        for child in el:
            if isinstance(child.tag, str) and not self._entry_child(child, e, x):
                self.residue(x, child)
        self._headword_audio(e, x)
        x["source"] = source or to_xml(el)  # written back while nobody edits it (io.verbatim)
        if digest := source_digest(x["source"]):
            x[SOURCE_MARK] = digest  # the same XML again need not be read (lift.unchanged)
        # lift.raw.raw_sources takes the file's own text from here, then drops the line
        x["source_line"] = el.sourceline
        if not e["headword"] and e["citation"]:
            e["headword"] = dict(e["citation"])
            x["headword_from"] = "citation"
        if not e["headword"]:
            self.warn(el, f"entry {lift_id or guid or ''} has neither lexical-unit nor citation")
        for sense in e["senses"]:
            if sense["part_of_speech"]:
                e["part_of_speech"] = sense["part_of_speech"]
                break
        self.nfc_already = False
        return self.finish(e, x)

    def _entry_child(self, child, e: dict, x: dict) -> bool:
        tag = child.tag
        if tag == "sense":
            e["senses"].append(self.sense(child, e["id"], len(e["senses"])))
            return True
        if tag == "trait":
            t = self.trait(child, x)
            if t is None:
                return False
            if t[0] == "morph-type" and e["morph_type"] is None:
                e["morph_type"] = t[1]
            else:
                x.setdefault("traits", []).append(list(t))
            return True
        if tag in ("lexical-unit", "citation"):
            if not len(child):
                return False  # an empty container stays as XML
            if child.keys():
                return False
            if tag == "lexical-unit" and not e["lexeme_form"]:
                e["lexeme_form"] = self.multitext(child, x, "lexical-unit", self.langs_vern)
                e["headword"] = dict(e["lexeme_form"])
                return True
            if tag == "citation" and not e["citation"]:
                e["citation"] = self.multitext(child, x, "citation", self.langs_vern)
                return True
            return False
        if tag in _ENTRY_CHILDREN:
            method, key = _ENTRY_CHILDREN[tag]
            item = getattr(self, method)(child, e["id"], len(e[key]))
            if item is None:
                return False
            if key == "notes":
                _note_extra(item, x, len(e[key]))
            e[key].append(item)
            return True
        return tag == "field" and self.field(child, x)

    def _headword_audio(self, e: dict, x: dict) -> None:
        """A recording of the lexical unit or citation is the entry's pronunciation recording;
        `media_form` says where it is written back."""
        if "audio" not in x:
            return
        audio = x["audio"] or {}
        for key in ("lexical-unit", "citation"):
            for lang, ref in (audio.pop(key, None) or {}).items():
                p = blank_pronunciation(id=derive_id(e["id"], key, lang))
                href = ref["audio_href"]
                p["media"] = {
                    "href": href,
                    "original_name": href.replace("\\", "/").rsplit("/", 1)[-1],
                }
                lx = {"media_form": {"key": key, "lang": lang}, "hrefs": {"media": href}}
                e["pronunciations"].insert(0, self.finish(p, lx))
        if not audio:
            x.pop("audio", None)

    @staticmethod
    def _audio_media(obj: dict, x: dict, key: str) -> None:
        """An audio form among an object's own forms becomes the object's recording."""
        audio = x.get("audio") or {}
        forms = audio.get(key) or {}
        if obj.get("media") is not None or not forms:
            return
        lang = next(iter(forms))
        href = forms.pop(lang)["audio_href"]
        obj["media"] = {"href": href, "original_name": href.replace("\\", "/").rsplit("/", 1)[-1]}
        x["media_form"] = {"key": key, "lang": lang}
        x.setdefault("hrefs", {})["media"] = href
        if not forms:
            audio.pop(key)
        if not audio:
            x.pop("audio")

    def pronunciation(self, el, entry_id: str, index: int) -> dict | None:
        x: dict = {}
        self.attrs(el, x)
        forms, media = [], None
        for child in el:
            if child.tag == "form":
                forms.append(child)
            elif child.tag == "media" and media is None:
                media = self.media_ref(child, "audio", entry_id, x, "media")
                if media is None:
                    self.residue(x, child)
            elif child.tag == "media":
                # A second recording: kept as XML, its file still travels (see doc.media).
                self.media_ref(child, "audio", entry_id, {}, "media")
                self.residue(x, child)
            elif isinstance(child.tag, str) and not self.common(child, x):
                self.residue(x, child)
        values = self.multitext(forms, x, "forms")
        ipa = next((v for k, v in values.items() if "fonipa" in k), "")
        if not ipa and values:
            ipa = next(iter(values.values()))
        p = blank_pronunciation(
            id=derive_id(entry_id, "pronunciation", str(index)), ipa=ipa, forms=values, media=media
        )
        p.update(recording_notes.take_traits(x))
        self._audio_media(p, x, "forms")
        return self.finish(p, x)

    def variant(self, el, entry_id: str, index: int) -> dict:
        x: dict = {}
        self.attrs(el, x)
        forms, vtype = [], ""
        for child in el:
            if child.tag == "form":
                forms.append(child)
            elif child.tag == "trait" and child.get("name") == "variant-type" and not vtype:
                t = self.trait(child, x)
                if t:
                    vtype = t[1]
                else:
                    self.residue(x, child)
            elif isinstance(child.tag, str) and not self.common(child, x):
                self.residue(x, child)
        v = {"form": self.multitext(forms, x, "form", self.langs_vern), "type": vtype}
        return self.finish(v, x)

    def relation(self, el, entry_id: str, index: int) -> dict:
        x: dict = {}
        self.attrs(el, x, ("type", "ref"))
        for child in el:
            if isinstance(child.tag, str) and not self.common(child, x):
                self.residue(x, child)
        ref = self.text(el.get("ref"))
        x["ref"] = ref
        if el.get("type") is None:
            x["no_type"] = True
        r = {"type": self.text(el.get("type")), "target_id": ref, "target_headword": ""}
        return self.finish(r, x)

    def etymology(self, el, entry_id: str, index: int) -> dict:
        x: dict = {}
        self.attrs(el, x, ("type", "source"))
        forms, glosses = [], []
        for child in el:
            if child.tag == "form":
                forms.append(child)
            elif child.tag == "gloss":
                glosses.append(child)
            elif isinstance(child.tag, str) and not self.common(child, x):
                self.residue(x, child)
        for name in ("type", "source"):
            if el.get(name) is None:
                x.setdefault("missing", []).append(name)
        ety = {
            "type": self.text(el.get("type")),
            "source": self.text(el.get("source")),
            "form": self.multitext(forms, x, "form"),
            "gloss": self.multitext(glosses, x, "gloss", tag="gloss"),
        }
        return self.finish(ety, x)

    def sense(self, el, entry_id: str, index: int, parent: str = "") -> dict:
        x: dict = {}
        items = el.items()
        self.attrs(el, x, ("order",), items)
        sid_raw = attr_value(items, "id")
        sid = as_uuid(sid_raw) or as_uuid((sid_raw or "").rsplit("_", 1)[-1])
        if not sid:
            sid = derive_id(entry_id, "sense", sid_raw or f"{parent}/{index}")
        s = blank_sense(id=sid)
        if (order := attr_value(items, "order")) is not None:
            x["order"] = order
        if sid_raw is None:
            x["no_id"] = True
        glosses = []
        for child in el:
            tag = child.tag
            if tag == "gloss":
                glosses.append(child)
            elif isinstance(tag, str) and not self._sense_child(child, tag, s, x, entry_id):
                self.residue(x, child)
        s["glosses"] = self.multitext(glosses, x, "glosses", self.langs_anal, tag="gloss")
        return self.finish(s, x)

    def _sense_child(self, child, tag: str, s: dict, x: dict, entry_id: str) -> bool:
        if tag == "trait":
            t = self.trait(child, x)
            if t is None:
                return False
            if t[0] in SEMANTIC_DOMAIN_TRAITS:
                s["semantic_domains"].append(t[1])
                if t[0] != SEMANTIC_DOMAIN_TRAITS[0]:
                    x["sd_trait"] = t[0]
            else:
                x.setdefault("traits", []).append(list(t))
            return True
        if tag == "definition":
            if child.keys() or s["definitions"] or not len(child):
                return False
            s["definitions"] = self.multitext(child, x, "definitions", self.langs_anal)
            return True
        if tag == "grammatical-info":
            return s["part_of_speech"] is None and self._grammatical_info(child, s, x)
        if tag == "note":
            note = self.note(child)
            _note_extra(note, x, len(s["notes"]))
            s["notes"].append(note)
            return True
        if tag == "example":
            s["examples"].append(self.example(child, s["id"], len(s["examples"])))
            return True
        if tag == "reversal":
            return self.reversal(child, s, x)
        if tag == "illustration":
            return self._illustration(child, s, entry_id)
        if tag == "subsense":
            sub = self.sense(child, entry_id, len(s["subsenses"]), parent=s["id"])
            s["subsenses"].append(sub)
            return True
        return tag == "field" and self.field(child, x)

    def _grammatical_info(self, el, s: dict, x: dict) -> bool:
        items = el.items()
        if len(items) != 1 or items[0][0] != "value":
            return False
        traits = [self.trait(t, x) for t in el]
        if any(t is None for t in traits):
            return False
        s["part_of_speech"] = self.text(items[0][1])
        x["gi"] = True
        if traits:
            x["gi_traits"] = [list(t) for t in traits]
        return True

    def _illustration(self, el, s: dict, entry_id: str) -> bool:
        media = self.media_ref(el, "image", entry_id, px := {}, "media")
        if media is None:
            return False
        caption = px.pop("labels", {}).get("media", {})
        pid = derive_id(s["id"], "picture", str(len(s["pictures"])))
        pic = blank_picture(id=pid, caption=caption, media=media)
        s["pictures"].append(self.finish(pic, _rename_label(px)))
        return True

    def example(self, el, sense_id: str, index: int) -> dict:
        x: dict = {}
        items = el.items()
        self.attrs(el, x, ("source",), items)
        forms, translations, translated = [], {}, False
        for child in el:
            tag = child.tag
            if tag == "form":
                forms.append(child)
            elif tag == "translation" and not translated:
                translated = True
                translations = self._translation(child, x)
            elif isinstance(tag, str) and not self.common(child, x):
                self.residue(x, child)
        ex = blank_example(
            id=derive_id(sense_id, "example", str(index)),
            text=self.multitext(forms, x, "text", self.langs_vern),
            translations=translations,
            source=self.text(attr_value(items, "source")),
        )
        if notes := recording_notes.take_traits(x):
            ex["recording"] = notes
        self._audio_media(ex, x, "text")
        return self.finish(ex, x)

    def _translation(self, el, x: dict) -> dict:
        """An example's first translation: its forms, or {} when it stays XML."""
        items = el.items()
        if any(k != "type" for k, _ in items) or not len(el):
            self.residue(x, el)
            return {}
        tx: dict = {}
        translations = self.multitext(el, tx, "translations", self.langs_anal)
        if (ttype := attr_value(items, "type")) is not None:
            x["translation_type"] = self.text(ttype)
        for k in ("rich", "inner", "audio"):
            if k in tx:
                x.setdefault(k, {}).update(tx[k])
        return translations

    def reversal(self, el, s: dict, x: dict) -> bool:
        """Plain reversals (forms and a type) become {"lang","text","type"}; others stay XML."""
        items = el.items()
        if any(k != "type" for k, _ in items):
            return False
        children = list(el)
        if any(c.tag != "form" for c in children):
            return False
        forms = [simple_form(c) for c in children]
        if None in forms:
            return False
        rtype = attr_value(items, "type")
        for lang, value in forms:
            item = {"lang": self.text(lang), "text": self.text(value)}
            # The store keeps reversals as {lang, text}: their LIFT type lives in the sense.
            types = x.setdefault("reversal_types", [None] * len(s["reversals"]))
            types.append(self.text(rtype) if rtype is not None else None)
            s["reversals"].append(item)
        return len(children) > 0


# <entry> children that become list items: tag -> (Reader method, entry key)
_ENTRY_CHILDREN = {
    "pronunciation": ("pronunciation", "pronunciations"),
    "variant": ("variant", "variants"),
    "sense": ("sense", "senses"),
    "note": ("note", "notes"),
    "relation": ("relation", "relations"),
    "etymology": ("etymology", "etymologies"),
}


def _note_extra(note: dict, parent_x: dict, index: int) -> None:
    """Notes have no `extra` in the store: their residue is kept by the owner, by position."""
    nx = note.pop("extra", None)
    if nx:
        parent_x.setdefault("note_extra", {})[str(index)] = nx["lift"]


def _rename_label(px: dict) -> dict:
    """Move the illustration label's rich/inner residue under the caption key."""
    for k in ("rich", "inner"):
        if "media.label" in px.get(k, {}):
            px[k]["caption"] = px[k].pop("media.label")
    return px


def _blank_entry(eid: str, homograph: int) -> dict:
    return blank_entry(id=eid, homograph=homograph, created_at=None, updated_at=None)
