"""Entry dicts -> a Toolbox/MDF database: one `\\lx` record per entry, a blank line between.

The inverse of `lexicon.io.mdf.read_mdf`: standard markers for what Wordkeep models, the
`extra["mdf"]` residue written back where the reader will find it again (entry residue before
the first sense, sense residue before its examples, example residue after its translations).
"""

from __future__ import annotations

from pathlib import Path

from lexicon.io import recording_notes
from lexicon.io.mdf.markers import DEFAULT_MARKERS, ENTRY_LEVEL, LANGUAGE_SUFFIXES, SUFFIXED, fields
from lexicon.shape import verbatim
from lexicon.shape.entry import iter_senses, named_file

HEADER = "\\_sh v3.0  400  MDF 4.0"
NEWLINE = "\r\n"  # Toolbox is Windows software; its own databases use CRLF
ROLE_MARKERS = {  # what -> {role: marker}; other languages get a suffixed marker (\g_fr)
    "gloss": {"E": "ge", "N": "gn", "R": "gr", "V": "gv"},
    "definition": {"E": "de", "N": "dn", "R": "dr", "V": "dv"},
    "reversal": {"E": "re", "N": "rn", "R": "rr"},
    "translation": {"E": "xe", "N": "xn", "R": "xr"},
}
SUFFIX_BASE = {"gloss": "g", "definition": "d", "reversal": "r", "translation": "x"}
NOTE_MARKERS = {
    "general": "nt",
    "grammar": "ng",
    "phonology": "np",
    "discourse": "nd",
    "anthropology": "na",
    "sociolinguistics": "ns",
    "questions": "nq",
    "source": "so",
    "scientific-name": "sc",
    "literal-meaning": "lt",
    "usage": "ue",
}
RELATION_MARKERS = {"cf": "cf", "synonym": "sy", "antonym": "an", "main": "mn"}


def write_mdf(
    entries: list[dict],
    dest,
    *,
    vernacular: str = "und",
    english: str = "en",
    national: str = "qaa-x-national",
    regional: str = "qaa-x-regional",
    media_names: dict[str, str] | None = None,
) -> Path:
    """Write `entries` to `dest` as MDF; `media_names` maps a media sha256 to its file name.

    A dictionary imported from MDF keeps its markers: its `\\_sh` header, the markers its
    records were written with (`\\g_Eng`, `\\sd_Mal`, `\\lx_Kar` ...) and, for a record nobody
    edited since, the record itself (lexicon.shape.verbatim). One made in Wordkeep gets standard
    MDF markers."""
    languages = {"V": vernacular, "E": english, "N": national, "R": regional}
    sources = [
        ((e.get("extra") or {}).get("mdf") or {}).get("source") or "" for e in entries
    ]  # fmt: skip
    writer = _Writer(languages, media_names or {}, marker_spelling(sources, languages))
    # The header the file came with; none if it came without; MDF's own for a new dictionary.
    header = next(
        (h for e in entries if (h := ((e.get("extra") or {}).get("mdf") or {}).get("header"))),
        None if any(sources) else HEADER,
    )
    newline = NEWLINE if not any(sources) or any("\r\n" in t for t in sources) else "\n"
    writer.newline = newline
    records = ([header] if header else []) + [writer.record(e) for e in entries]
    dest = Path(dest)
    dest.write_text((newline * 2).join(records) + newline, encoding="utf-8", newline="")
    return dest


_SPELLED = {"gloss", "definition", "reversal", "translation", "headword", "citation"}


def marker_spelling(sources: list[str], languages: dict[str, str]) -> dict:
    """(what, language) -> the marker the imported records used for it (the first seen), so
    that an edited record keeps `\\g_Eng` rather than becoming `\\ge`."""
    spelling: dict[tuple[str, str], str] = {}
    for text in sources:
        for _, marker, _value in fields(text):
            spec = _resolve(marker)
            if spec is None or spec[0] not in _SPELLED:
                continue
            what, role = spec
            lang = role[1:] if role and role.startswith("=") else languages.get(role or "")
            if lang:
                spelling.setdefault((what, lang), marker)
    return spelling


def _resolve(marker: str):
    if marker in DEFAULT_MARKERS:
        return DEFAULT_MARKERS[marker]
    if "_" in marker:
        base, suffix = marker.split("_", 1)
        what = SUFFIXED.get(base) or (DEFAULT_MARKERS.get(base) or (None,))[0]
        if what:
            return what, "=" + LANGUAGE_SUFFIXES.get(suffix.lower(), suffix.lower())
    return None


def _clean(value) -> str:
    # A value spans one line (the reader joins continuation lines with a space anyway); the
    # spaces inside a line are the file's own.
    return " ".join(str(value).splitlines()).strip() if value is not None else ""


class _Writer:
    def __init__(self, languages: dict[str, str], media_names: dict[str, str], spelling=None):
        self.roles = {tag: role for role, tag in reversed(languages.items())}
        self.vern = languages["V"]
        self.english = languages["E"]
        self.media_names = media_names
        self.spelling = spelling or {}
        self.newline = NEWLINE
        self.lines: list[str] = []
        self.parts: dict = {}

    def put(self, marker: str, value) -> None:
        text = _clean(value)
        if text:
            self.lines.append(f"\\{marker} {text}")

    def marker(self, what: str, lang: str) -> str:
        """The marker for `what` in `lang`: as the imported records spelt it, else MDF's."""
        spelt = self.spelling.get((what, lang))
        if spelt:
            return spelt
        standard = ROLE_MARKERS[what].get(self.roles.get(lang, ""))
        return standard or f"{SUFFIX_BASE[what]}_{lang}"

    def multi(self, what: str, texts: dict) -> None:
        for lang, text in (texts or {}).items():
            marker = self.marker(what, lang)
            parts = self.parts.get(f"{what}|{lang}")
            if parts and "; ".join(parts) == text:
                for part in parts:  # fields the reader joined go back on lines of their own
                    self.put(marker, part)
            else:
                self.put(marker, text)

    def residue(self, obj: dict, markers=None) -> None:
        for marker, value in markers if markers is not None else _residue(obj):
            self.lines.append(f"\\{marker} {_clean(value)}".rstrip())

    def media_name(self, obj: dict) -> str:
        media = obj.get("media") or {}
        if media.get("sha256") in self.media_names:
            return self.media_names[media["sha256"]]
        return named_file(obj) or media.get("href") or media.get("original_name") or ""

    # ------------------------------------------------------------------ record
    def record(self, entry: dict) -> str:
        source = verbatim.source_of(entry, "mdf")
        if source is not None and self._media_agree(entry, source):
            named = {v for _, m, v in fields(source) if m in RELATION_MARKERS.values()}
            if all(r.get("target_headword") in named for r in entry.get("relations") or []):
                return source  # (a target renamed since: rebuilt with its name now)
        self.lines = []
        headword = entry.get("headword") or {}
        main = self.vern if headword.get(self.vern) else next(iter(headword), None)
        self.put("lx", headword.get(main) or "")
        for lang, text in headword.items():  # \\lx_Kar: the headword in another orthography
            if lang != main:
                self.put(self.spelling.get(("headword", lang)) or f"lx_{lang}", text)
        if entry.get("homograph"):
            self.put("hm", entry["homograph"])
        for lang, text in (entry.get("citation") or {}).items():
            default = "lc" if lang == self.vern else f"lc_{lang}"
            self.put(self.spelling.get(("citation", lang)) or default, text)
        markers = _residue(entry)
        tail = len(markers)
        while tail and markers[tail - 1][0] in ENTRY_LEVEL:
            tail -= 1  # record-wide markers at the end stay there (\dt closes a record)
        self.residue(entry, markers[:tail])
        self.entry_parts(entry)
        for note in entry.get("notes") or []:
            self.note(note)  # before the first sense, or the reader gives it to that sense
        senses = entry.get("senses") or []
        pos = None
        if entry.get("part_of_speech") and not (senses and senses[0].get("part_of_speech")):
            pos = entry["part_of_speech"]
            self.put("ps", pos)
        for sense in senses:
            if sense.get("part_of_speech") and sense["part_of_speech"] != pos:
                pos = sense["part_of_speech"]
                self.put("ps", pos)
            self.sense(sense, numbered=len(senses) > 1)
        self.residue(entry, markers[tail:])
        return self.newline.join(self.lines)

    def _media_agree(self, entry: dict, source: str) -> bool:
        """Every media file name this record would be written with is in its source (a file
        renamed in the package, or a recording added, means the copy is out of date)."""
        named = {value for _, marker, value in fields(source) if marker in ("sf", "sfx", "pc")}
        objs = list(entry.get("pronunciations") or [])
        for s in iter_senses(entry):
            objs += s.get("pictures") or []
            objs += s.get("examples") or []
        return all(self.media_name(o) in named for o in objs if o.get("media"))

    def entry_parts(self, entry: dict) -> None:
        for p in entry.get("pronunciations") or []:
            self.put("ph", p.get("ipa"))
            if p.get("media") or (p.get("extra") or {}).get("import"):
                self.put("sf", self.media_name(p))
                for name, value in recording_notes.to_pairs(p):
                    self.put(f"sf-{name}", value)  # MDF has no marker for these
        for v in entry.get("variants") or []:
            form = v.get("form") or {}
            self.put("va", form.get(self.vern) or next(iter(form.values()), ""))
        for et in entry.get("etymologies") or []:
            self.etymology(et)
        for r in entry.get("relations") or []:
            self.put(RELATION_MARKERS.get(r.get("type") or "cf", "cf"), r.get("target_headword"))

    def etymology(self, et: dict) -> None:
        if et.get("type") == "borrowed":
            self.put("bw", et.get("source") or "?")
        else:
            self.put("et", next(iter((et.get("form") or {}).values()), ""))
        for lang, text in (et.get("gloss") or {}).items():
            self.put("eg" if lang == self.english else f"eg_{lang}", text)
        if et.get("type") != "borrowed":
            self.put("es", et.get("source"))

    def note(self, note: dict) -> None:
        ntype = note.get("type") or "general"
        for lang, text in (note.get("text") or {}).items():
            if lang == self.english or ntype != "general":
                self.put(NOTE_MARKERS.get(ntype, "nt"), text)
            else:
                self.put(f"n_{lang}", text)

    def sense(self, sense: dict, *, numbered: bool) -> None:
        mx = (sense.get("extra") or {}).get("mdf") or {}
        sn = mx.get("sn")
        if sn or numbered:
            self.lines.append(f"\\sn {_clean(sn or '')}".rstrip())
        self.parts = mx.get("parts") or {}
        self.multi("gloss", sense.get("glosses"))
        self.multi("definition", sense.get("definitions"))
        self.parts = {}
        for r in sense.get("reversals") or []:
            self.multi("reversal", {r.get("lang") or self.english: r.get("text")})
        domains = sense.get("semantic_domains") or []
        sd = mx.get("sd") if len(mx.get("sd") or ()) == len(domains) else None
        for i, domain in enumerate(domains):
            self.put(sd[i] if sd else "sd", domain)  # \\sd_Eng, \\sd_Mal as they came
        for pic in sense.get("pictures") or []:
            self.put("pc", self.media_name(pic))
        for note in sense.get("notes") or []:
            self.note(note)
        self.residue(sense)  # before the examples, or \x.. residue would move into one
        for ex in sense.get("examples") or []:
            self.example(ex)
        for sub in sense.get("subsenses") or []:
            self.sense(sub, numbered=True)  # MDF has no nesting: a subsense becomes a sense

    def example(self, ex: dict) -> None:
        text = ex.get("text") or {}
        self.put("xv", text.get(self.vern) or next(iter(text.values()), ""))
        if ex.get("media") or (ex.get("extra") or {}).get("import"):
            self.put("sfx", self.media_name(ex))
            for name, value in recording_notes.to_pairs(ex.get("recording") or {}):
                self.put(f"sfx-{name}", value)
        self.parts = ((ex.get("extra") or {}).get("mdf") or {}).get("parts") or {}
        self.multi("translation", ex.get("translations"))
        self.parts = {}
        self.residue(ex)


def _residue(obj: dict) -> list:
    return list(((obj.get("extra") or {}).get("mdf") or {}).get("markers") or [])
