"""Entry dicts -> LIFT 0.13 elements, writing back the residue `lift_read` kept."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.parsers import expat

from lxml import etree

from lexicon.io import recording_notes
from lexicon.io.lift.elements import form_plain
from lexicon.io.lift.read import SEMANTIC_DOMAIN_TRAITS
from lexicon.io.lift.unchanged import names_media
from lexicon.io.safety import nfc, xml_parser
from lexicon.shape import verbatim
from lexicon.shape.entry import MEDIA_KINDS, audio_refs, iter_media, named_file

_PARSER = xml_parser()


def _frag(xml: str):
    return etree.fromstring(xml, _PARSER)


def _lx(obj: dict) -> dict:
    return (obj.get("extra") or {}).get("lift") or {}


def _media_or_named(obj: dict) -> dict:
    """An object's stored media, else the file another format's import named and the package
    did not carry (a Toolbox `\\pc` or `\\sf` with no file): written as its href, as FLEx
    links a file it does not have yet, instead of dropped."""
    named = named_file(obj)
    return obj.get("media") or ({"href": named} if named else {})


def lift_date(value) -> str:
    """An ISO date/datetime as LIFT writes it (`2014-09-25T09:13:41Z`); '' for none."""
    if not value:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    text = str(value)
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if len(text) <= 10:
        return text
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_dt(text: str | None) -> datetime | None:
    try:
        dt = datetime.fromisoformat((text or "").replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _later(a: str, b: str | None) -> bool:
    """True when date `a` is after `b` (or `b` is missing or unreadable)."""
    da, db = _parse_dt(a), _parse_dt(b)
    if db is None:
        return not b
    return da is not None and (da - db).total_seconds() >= 1


def well_formed(xml: str) -> bool:
    """Whether a stored `<entry>` text is one element lxml parses, under the limits our reader
    parses with (else its entry is rebuilt from its parts). Told by expat with namespaces: no
    tree built, two thirds of lxml's time, and the same answer on every character of text and
    attribute values and on the namespace rules (expat refuses a few element names lxml takes:
    those entries are rebuilt). A text that is long, or might nest deeper than lxml allows
    (more tags than its 256 levels), is parsed by lxml itself."""
    if not xml.startswith("<entry"):
        return False
    if len(xml) > 1_000_000 or xml.count("<") > 256:
        try:
            _frag(xml)
        except etree.XMLSyntaxError:
            return False
        return True
    try:
        expat.ParserCreate(namespace_separator=" ").Parse(xml.encode("utf-8"), True)
    except (expat.ExpatError, UnicodeEncodeError):
        return False
    return True


def plain_source(e: dict) -> str | None:
    """The entry's imported `<entry>` text if it may go back out as it came (as
    `Writer.verbatim`) and its entry holds no media file: the text names none (`names_media`)
    and has no character reference that could spell an audio writing system's tag. Such an
    entry is written from this text alone, whatever else its dict holds."""
    source = verbatim.source_of(e, "lift")
    if source is None or names_media(source) or "&#" in source or not well_formed(source):
        return None
    return source


class Writer:
    """Builds `<entry>` elements; `refs` maps Wordkeep ids back to the LIFT ids of targets."""

    def __init__(self, refs: dict[str, str] | None = None, media_href=None):
        self.refs = refs or {}
        self.media_href = media_href or default_media_href

    # ------------------------------------------------------------------ helpers
    def multitext(self, parent, values: dict, x: dict, key: str, tag: str = "form") -> None:
        rich = (x.get("rich") or {}).get(key) or {}
        for lang, text in (values or {}).items():
            stored = rich.get(lang)
            if stored is not None:
                el = _frag(stored)
                if form_plain(el) == nfc(text):
                    parent.append(el)
                    continue
            form = etree.SubElement(parent, tag, lang=lang)
            etree.SubElement(form, "text").text = nfc(text)
        for lang, ref in ((x.get("audio") or {}).get(key) or {}).items():
            self.audio_form(parent, lang, ref, tag)
        for xml in (x.get("inner") or {}).get(key) or []:
            parent.append(_frag(xml))

    def audio_form(self, parent, lang: str, media: dict, tag: str = "form") -> None:
        """A recording as FieldWorks and WeSay write it: a form in an audio writing system whose
        text names the file under audio/."""
        href = self.media_href(media, "audio", {"hrefs": {"media": media.get("audio_href")}})
        if href:
            form = etree.SubElement(parent, tag, lang=lang)
            etree.SubElement(form, "text").text = nfc(href)

    def container(self, parent, tag: str, values: dict, x: dict, key: str, audio=()) -> None:
        if values or (x.get("inner") or {}).get(key) or (x.get("audio") or {}).get(key) or audio:
            el = etree.SubElement(parent, tag)
            self.multitext(el, values, x, key)
            for lang, media, px in audio:
                self.audio_form(el, lang, {**media, "audio_href": px["hrefs"]["media"]})

    @staticmethod
    def attrs(el, x: dict) -> None:
        for k, v in (x.get("attrs") or {}).items():
            el.set(k, v)

    def tail(self, el, x: dict) -> None:
        """Traits, custom fields and residue XML of one object."""
        for name, value in x.get("traits") or []:
            etree.SubElement(el, "trait", name=name, value=value)
        for f in x.get("fields") or []:
            fel = etree.SubElement(el, "field", type=f["type"])
            fx = {"rich": {"text": f.get("rich") or {}}, "audio": {"text": f.get("audio") or {}}}
            self.multitext(fel, f.get("text") or {}, fx, "text")
        for xml in x.get("xml") or []:
            el.append(_frag(xml))

    def note(self, parent, note: dict, owner_x: dict, index: int) -> None:
        x = _lx(note) or (owner_x.get("note_extra") or {}).get(str(index)) or {}
        el = etree.SubElement(parent, "note")
        self.attrs(el, x)
        if note.get("type"):
            el.set("type", note["type"])
        self.multitext(el, note.get("text") or {}, x, "text")
        self.tail(el, x)

    # ------------------------------------------------------------------ entry
    def verbatim(self, e: dict) -> str | None:
        """The entry's imported `<entry>` text, if it may go back out as it came
        (lexicon.shape.verbatim: not edited since, whole for this reader) and every media file
        name in it is still the one this export gives the file; else None."""
        source = verbatim.source_of(e, "lift")
        if source is None:
            return None
        # Untouched since its import, the entry holds the media its text names: when it names
        # none, no file name to check (a walk of every part and of the whole JSON, saved).
        if names_media(source) and not self._media_as_named(e):
            return None
        return source if well_formed(source) else None  # else rebuilt

    def _media_as_named(self, e: dict) -> bool:
        """Whether every media file the entry names is named as this export names the file."""
        for obj, kind, x in _media_holders(e):
            href = (x.get("hrefs") or {}).get("media")
            if obj.get("media") and (not href or self.media_href(obj["media"], kind, x) != href):
                return False
        for ref in audio_refs(e):
            name = ref["audio_href"]
            if self.media_href(ref, "audio", {"hrefs": {"media": name}}) != name:
                return False
        return True

    def entry(self, e: dict):
        x = _lx(e)
        el = etree.Element("entry")
        self.attrs(el, x)
        el.set("id", (x.get("attrs") or {}).get("id") or _entry_lift_id(e))
        el.set("guid", (x.get("attrs") or {}).get("guid") or e["id"])
        if e.get("homograph"):
            el.set("order", str(e["homograph"]))
        created = lift_date(e.get("created_at"))
        modified = lift_date(e.get("updated_at"))
        # Unchanged since the import: keep FLEx's own dates (the import time is no edit).
        synced = x.get("synced_version")
        untouched = synced is not None and (e.get("version") or 0) <= synced
        if created and not untouched and not el.get("dateCreated"):
            el.set("dateCreated", created)
        if modified and not untouched and _later(modified, el.get("dateModified")):
            el.set("dateModified", modified)
        if e.get("deleted") and not el.get("dateDeleted"):
            el.set("dateDeleted", modified or created or "1970-01-01")
        headword = e.get("headword") or {}
        from_citation = x.get("headword_from") == "citation" and headword == e.get("citation")
        audio = _headword_audio(e.get("pronunciations") or [])
        if not from_citation:
            lu_audio = audio.get("lexical-unit", [])
            self.container(el, "lexical-unit", headword, x, "lexical-unit", lu_audio)
        cit_audio = audio.get("citation", [])
        self.container(el, "citation", e.get("citation") or {}, x, "citation", cit_audio)
        if e.get("morph_type"):
            etree.SubElement(el, "trait", name="morph-type", value=e["morph_type"])
        for p in e.get("pronunciations") or []:
            if not _only_headword_audio(p):
                self.pronunciation(el, p)
        for v in e.get("variants") or []:
            self.variant(el, v)
        for i, n in enumerate(e.get("notes") or []):
            self.note(el, n, x, i)
        for r in e.get("relations") or []:
            self.relation(el, r)
        for ety in e.get("etymologies") or []:
            self.etymology(el, ety)
        for s in e.get("senses") or []:
            self.sense(el, s, "sense")
        self.tail(el, x)
        return el

    def pronunciation(self, parent, p: dict) -> None:
        x = _lx(p)
        el = etree.SubElement(parent, "pronunciation")
        self.attrs(el, x)
        forms = dict(p.get("forms") or {})
        if p.get("ipa") and p["ipa"] not in forms.values():
            lang = next((k for k in forms if "fonipa" in k), None) or "und-fonipa"
            forms[lang] = p["ipa"]
        self.multitext(el, forms, x, "forms")
        mf = x.get("media_form") or {}
        if mf.get("key") == "forms" and (x.get("hrefs") or {}).get("media"):
            self.audio_form(
                el, mf["lang"], {**(p.get("media") or {}), "audio_href": x["hrefs"]["media"]}
            )
        elif not mf:
            self.media(el, "media", _media_or_named(p), x, "audio")
        _recording_traits(el, p)
        self.tail(el, x)

    def media(self, parent, tag: str, media: dict, x: dict, kind: str) -> None:
        href = self.media_href(media, kind, x)
        if not href:
            return
        el = etree.SubElement(parent, tag, href=href)
        label = (x.get("labels") or {}).get("media")
        if label:
            self.multitext(etree.SubElement(el, "label"), label, x, "media.label")

    def variant(self, parent, v: dict) -> None:
        x = _lx(v)
        el = etree.SubElement(parent, "variant")
        self.attrs(el, x)
        self.multitext(el, v.get("form") or {}, x, "form")
        if v.get("type"):
            etree.SubElement(el, "trait", name="variant-type", value=v["type"])
        self.tail(el, x)

    def relation(self, parent, r: dict) -> None:
        x = _lx(r)
        el = etree.SubElement(parent, "relation")
        if r.get("type") or not x.get("no_type"):
            el.set("type", r.get("type") or "")
        target = r.get("target_id") or ""
        if x.get("ref") is not None and x.get("target", x["ref"]) == target:
            el.set("ref", x["ref"])  # untouched: the ref exactly as it came
        else:
            el.set("ref", self.refs.get(target) or target)
        self.attrs(el, x)
        self.tail(el, x)

    def etymology(self, parent, ety: dict) -> None:
        x = _lx(ety)
        el = etree.SubElement(parent, "etymology")
        missing = x.get("missing") or ()
        for name in ("type", "source"):
            if ety.get(name) or name not in missing:
                el.set(name, ety.get(name) or "")
        self.attrs(el, x)
        self.multitext(el, ety.get("form") or {}, x, "form")
        self.multitext(el, ety.get("gloss") or {}, x, "gloss", tag="gloss")
        self.tail(el, x)

    # ------------------------------------------------------------------ sense
    def sense(self, parent, s: dict, tag: str) -> None:
        x = _lx(s)
        el = etree.SubElement(parent, tag)
        if not x.get("no_id"):
            el.set("id", s["id"])
        self.attrs(el, x)
        if x.get("order") is not None:
            el.set("order", x["order"])
        if s.get("part_of_speech") or x.get("gi"):
            gi = etree.SubElement(el, "grammatical-info", value=s.get("part_of_speech") or "")
            for name, value in x.get("gi_traits") or []:
                etree.SubElement(gi, "trait", name=name, value=value)
        self.multitext(el, s.get("glosses") or {}, x, "glosses", tag="gloss")
        self.container(el, "definition", s.get("definitions") or {}, x, "definitions")
        sd_name = x.get("sd_trait") or SEMANTIC_DOMAIN_TRAITS[0]
        for domain in s.get("semantic_domains") or []:
            etree.SubElement(el, "trait", name=sd_name, value=domain)
        for i, n in enumerate(s.get("notes") or []):
            self.note(el, n, x, i)
        for ex in s.get("examples") or []:
            self.example(el, ex)
        self.reversals(el, s.get("reversals") or [], x.get("reversal_types") or [])
        for pic in s.get("pictures") or []:
            px = _lx(pic)
            # A picture whose file is missing still has its href in extra.
            lx = {
                "labels": {"media": pic.get("caption") or {}},
                "hrefs": px.get("hrefs"),
                "rich": {"media.label": (px.get("rich") or {}).get("caption", {})},
                "inner": {"media.label": (px.get("inner") or {}).get("caption", [])},
            }
            self.media(el, "illustration", _media_or_named(pic), lx, "image")
            for xml in px.get("xml") or []:
                el.append(_frag(xml))
        for sub in s.get("subsenses") or []:
            self.sense(el, sub, "subsense")
        self.tail(el, x)

    def example(self, parent, ex: dict) -> None:
        x = _lx(ex)
        el = etree.SubElement(parent, "example")
        self.attrs(el, x)
        if ex.get("source"):
            el.set("source", ex["source"])
        self.multitext(el, ex.get("text") or {}, x, "text")
        mf = x.get("media_form") or {}
        if mf.get("key") == "text" and (x.get("hrefs") or {}).get("media"):
            self.audio_form(
                el, mf["lang"], {**(ex.get("media") or {}), "audio_href": x["hrefs"]["media"]}
            )
        elif not mf and (media := _media_or_named(ex)):
            # A recording made in Wordkeep (or named by a Toolbox \sfx): LIFT's example has no
            # <media>, so it goes out as FieldWorks writes one, a form in the sentence
            # language's audio writing system.
            if not media.get("sha256"):
                media = {"audio_href": media.get("href")}
            self.audio_form(el, _audio_lang(ex.get("text") or {}), media)
        tr_audio = (x.get("audio") or {}).get("translations")
        if ex.get("translations") or "translation_type" in x or tr_audio:
            tr = etree.SubElement(el, "translation")
            if x.get("translation_type") is not None:
                tr.set("type", x["translation_type"])
            self.multitext(tr, ex.get("translations") or {}, x, "translations")
        _recording_traits(el, ex.get("recording") or {})
        self.tail(el, x)

    @staticmethod
    def reversals(parent, items: list[dict], types: list) -> None:
        for i, item in enumerate(items):
            el = etree.SubElement(parent, "reversal")
            rtype = item.get("type") or (types[i] if i < len(types) else None)
            if rtype is not None:
                el.set("type", rtype)
            form = etree.SubElement(el, "form", lang=item.get("lang") or "")
            etree.SubElement(form, "text").text = nfc(item.get("text") or "")


def _audio_lang(text: dict) -> str:
    """The audio writing system of a sentence's language (`seh` -> `seh-Zxxx-x-audio`)."""
    lang = next(iter(text), "und").split("-")[0] or "und"
    return f"{lang}-Zxxx-x-audio"


def _recording_traits(el, recording: dict) -> None:
    """Who spoke a recording and the consent given, as traits (lexicon/io/recording_notes.py)."""
    for name, value in recording_notes.to_pairs(recording):
        etree.SubElement(el, "trait", name=name, value=nfc(value))


def _media_holders(e: dict):
    """(object, kind, lift extra as the writer reads it) for everything with a media file."""
    for part, obj in iter_media(e):
        if part == "picture":
            yield obj, "image", {"hrefs": _lx(obj).get("hrefs")}
        else:
            yield obj, MEDIA_KINDS[part], _lx(obj)


def _headword_audio(pronunciations: list[dict]) -> dict[str, list]:
    """Recordings that came as audio forms of the lexical unit or citation, by container:
    [(lang, media, lift extra)] (a recording whose file is missing keeps its name)."""
    out: dict[str, list] = {}
    for p in pronunciations:
        x = _lx(p)
        mf = x.get("media_form") or {}
        if mf.get("key") in ("lexical-unit", "citation") and (x.get("hrefs") or {}).get("media"):
            out.setdefault(mf["key"], []).append((mf["lang"], p.get("media") or {}, x))
    return out


def _only_headword_audio(p: dict) -> bool:
    """A pronunciation that is nothing but a headword's audio form (nothing else to write)."""
    x = _lx(p)
    if (x.get("media_form") or {}).get("key") not in ("lexical-unit", "citation"):
        return False
    return not (p.get("ipa") or p.get("forms") or x.get("xml") or x.get("traits"))


def default_media_href(media: dict, kind: str, x: dict) -> str:
    """The href a media reference had in LIFT, else its file name."""
    href = (x.get("hrefs") or {}).get("media") or media.get("href")
    return href or media.get("original_name") or ""


def _entry_lift_id(e: dict) -> str:
    hw = next(iter((e.get("headword") or e.get("citation") or {}).values()), "")
    return f"{hw}_{e['id']}" if hw else e["id"]


def indent(el, level: int = 0) -> None:
    """Pretty-print structure only: never touches whitespace inside `<text>` (mixed content)."""
    if el.tag == "text" or not len(el):
        return
    pad = "\n" + "\t" * (level + 1)
    if not (el.text or "").strip():
        el.text = pad
    for child in el:
        if isinstance(child.tag, str):
            indent(child, level + 1)
        if not (child.tail or "").strip():
            child.tail = pad
    last = el[-1]
    if not (last.tail or "").strip():
        last.tail = "\n" + "\t" * level
