"""Entry dicts -> a Toolbox/MDF database: one `\\lx` record per entry, a blank line between.

The inverse of `lexicon.io.mdf.read_mdf`: standard markers for what Wordkeep models, the
`extra["mdf"]` residue written back where the reader will find it again (entry residue before
the first sense, sense residue before its examples, example residue after its translations).
"""

from __future__ import annotations

from pathlib import Path

from lexicon.io.mdf import ENTRY_LEVEL

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
    """Write `entries` to `dest` as MDF; `media_names` maps a media sha256 to its file name."""
    writer = _Writer(
        {"V": vernacular, "E": english, "N": national, "R": regional}, media_names or {}
    )
    records = [HEADER] + [writer.record(e) for e in entries]
    dest = Path(dest)
    dest.write_text((NEWLINE * 2).join(records) + NEWLINE, encoding="utf-8", newline="")
    return dest


def _clean(value) -> str:
    # A value spans one line; the reader joins continuation lines with a space anyway.
    return " ".join(str(value).split()) if value is not None else ""


class _Writer:
    def __init__(self, languages: dict[str, str], media_names: dict[str, str]):
        self.roles = {tag: role for role, tag in reversed(languages.items())}
        self.vern = languages["V"]
        self.english = languages["E"]
        self.media_names = media_names
        self.lines: list[str] = []

    def put(self, marker: str, value) -> None:
        text = _clean(value)
        if text:
            self.lines.append(f"\\{marker} {text}")

    def multi(self, what: str, texts: dict) -> None:
        for lang, text in (texts or {}).items():
            marker = ROLE_MARKERS[what].get(self.roles.get(lang, ""))
            self.put(marker or f"{SUFFIX_BASE[what]}_{lang}", text)

    def residue(self, obj: dict, markers=None) -> None:
        for marker, value in markers if markers is not None else _residue(obj):
            self.lines.append(f"\\{marker} {_clean(value)}".rstrip())

    def media_name(self, obj: dict) -> str:
        media = obj.get("media") or {}
        if media.get("sha256") in self.media_names:
            return self.media_names[media["sha256"]]
        kept = ((obj.get("extra") or {}).get("import") or {}).get("media") or {}
        return kept.get("href") or media.get("href") or media.get("original_name") or ""

    # ------------------------------------------------------------------ record
    def record(self, entry: dict) -> str:
        self.lines = []
        headword = entry.get("headword") or {}
        self.put("lx", headword.get(self.vern) or next(iter(headword.values()), ""))
        if entry.get("homograph"):
            self.put("hm", entry["homograph"])
        self.put("lc", (entry.get("citation") or {}).get(self.vern))
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
        return NEWLINE.join(self.lines)

    def entry_parts(self, entry: dict) -> None:
        for p in entry.get("pronunciations") or []:
            self.put("ph", p.get("ipa"))
            if p.get("media") or (p.get("extra") or {}).get("import"):
                self.put("sf", self.media_name(p))
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
        sn = ((sense.get("extra") or {}).get("mdf") or {}).get("sn")
        if sn or numbered:
            self.lines.append(f"\\sn {_clean(sn or '')}".rstrip())
        self.multi("gloss", sense.get("glosses"))
        self.multi("definition", sense.get("definitions"))
        for r in sense.get("reversals") or []:
            self.multi("reversal", {r.get("lang") or self.english: r.get("text")})
        for domain in sense.get("semantic_domains") or []:
            self.put("sd", domain)
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
        self.multi("translation", ex.get("translations"))
        self.residue(ex)


def _residue(obj: dict) -> list:
    return list(((obj.get("extra") or {}).get("mdf") or {}).get("markers") or [])
