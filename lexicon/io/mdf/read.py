"""Toolbox / MDF (Multi-Dictionary Formatter) databases: `\\lx` records -> entry dicts.

MDF languages are roles: V(ernacular), E(nglish), N(ational), R(egional); the caller says which
BCP 47 tag each role is. Markers Wordkeep does not model are kept, in order, in the `extra["mdf"]`
of the object they belong to (entry, sense or example) and written back by `write_mdf`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lexicon.errors import ImportRejected
from lexicon.io import recording_notes
from lexicon.io.ids import derive_id
from lexicon.io.mdf.markers import DEFAULT_MARKERS, ENTRY_LEVEL, LANGUAGE_SUFFIXES, SUFFIXED, fields
from lexicon.io.safety import DEFAULT_LIMITS, Limits, check_file_size, nfc
from lexicon.shape.entry import (
    blank_entry,
    blank_example,
    blank_picture,
    blank_pronunciation,
    blank_sense,
)


class MdfError(ImportRejected):
    """The file is not a Toolbox/MDF database."""


@dataclass
class MdfDocument:
    """Entries read from an MDF file, with the `\\_sh` header and warnings."""

    entries: list[dict] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    media: list[dict] = field(default_factory=list)
    languages: dict[str, str] = field(default_factory=dict)


def _decode(raw: bytes, name: str, warnings: list) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        warnings.append(
            {
                "file": name,
                "line": raw[: exc.start].count(b"\n") + 1,
                "message": "not UTF-8; read as Windows-1252 (legacy Toolbox encoding)",
            }
        )
        return raw.decode("cp1252", errors="replace")


def read_mdf(
    path,
    *,
    vernacular: str = "und",
    english: str = "en",
    national: str = "qaa-x-national",
    regional: str = "qaa-x-regional",
    marker_map: dict | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> MdfDocument:
    """Read an MDF/Toolbox file; `marker_map` adds or overrides markers (`{"dn": ("gloss", "N")}`)."""
    path = Path(path)
    check_file_size(path, limits)
    doc = MdfDocument()
    doc.languages = {"V": vernacular, "E": english, "N": national, "R": regional}
    markers = {**DEFAULT_MARKERS, **(marker_map or {})}
    text = _decode(path.read_bytes(), path.name, doc.warnings)
    builder = _Builder(doc, markers, path.name)
    seen_lx = False
    for line, marker, value in fields(text):
        if marker == "lx":
            seen_lx = True
            builder.start(line, nfc(value))
        elif not seen_lx:
            doc.header.append(f"\\{marker} {value}".rstrip())
        else:
            builder.add(line, marker, nfc(value))
    builder.flush()
    if not seen_lx and text.strip():
        raise MdfError(f"{path.name}: no \\lx record found; is this a Toolbox/MDF file?")
    _keep_sources(doc, text, builder.starts)
    _resolve(doc)
    return doc


def _keep_sources(doc: MdfDocument, text: str, starts: list[int]) -> None:
    """Each record's own lines, exactly as they came (line ends included; blank lines at its end
    left out), for writing an untouched record back verbatim (lexicon.shape.verbatim); the lines
    before the first record (the `\\_sh` header) go with the first record."""
    lines = text.splitlines(keepends=True)
    bounds = starts[1:] + [len(lines) + 1]
    for e, start, end in zip(doc.entries, starts, bounds, strict=True):
        block = lines[start - 1 : end - 1]
        while block and not block[-1].strip():
            block.pop()
        if block:
            block[-1] = block[-1].rstrip("\r\n")
        e["extra"].setdefault("mdf", {})["source"] = nfc("".join(block))
    if doc.entries and starts:
        head = "".join(lines[: starts[0] - 1]).rstrip("\r\n")
        if head.strip():
            doc.entries[0]["extra"]["mdf"]["header"] = nfc(head)


class _Builder:
    """Follows the MDF hierarchy: entry > sense (\\sn) > example (\\xv)."""

    def __init__(self, doc: MdfDocument, markers: dict, name: str):
        self.doc, self.markers, self.name = doc, markers, name
        self.entry: dict | None = None
        self.ids: dict[str, int] = {}
        self.starts: list[int] = []  # the line each record starts at
        self.marker = ""  # the marker being handled, as the file spells it

    def warn(self, line: int, message: str) -> None:
        self.doc.warnings.append({"file": self.name, "line": line, "message": message})

    def flush(self) -> None:
        if self.entry is not None:
            self.entry.pop("_state")
            self.doc.entries.append(self.entry)
        self.entry = None

    def start(self, line: int, headword: str) -> None:
        self.flush()
        self.starts.append(line)
        v = self.doc.languages["V"]
        self.entry = blank_entry(
            headword={v: headword} if headword else {},
            _state={"line": line, "pos": None, "sense": None, "example": None},
        )
        if not headword:
            self.warn(line, "\\lx record with an empty headword")

    def _lang(self, role: str | None, marker: str) -> str:
        if role in self.doc.languages:
            return self.doc.languages[role]
        return role or marker

    def _resolve_marker(self, marker: str) -> tuple[str, str | None] | None:
        if marker in self.markers:
            return self.markers[marker]
        if "_" in marker:
            base, suffix = marker.split("_", 1)
            what = SUFFIXED.get(base) or (self.markers.get(base) or (None,))[0]
            if what:
                code = LANGUAGE_SUFFIXES.get(suffix.lower(), suffix.lower())
                return what, "=" + code
        return None

    def sense(self, create: bool = True) -> dict | None:
        st = self.entry["_state"]
        if st["sense"] is None and create:
            self.new_sense()
        return st["sense"]

    def new_sense(self) -> dict:
        st = self.entry["_state"]
        s = blank_sense(part_of_speech=st["pos"])
        self.entry["senses"].append(s)
        st["sense"], st["example"] = s, None
        return s

    def keep(self, marker: str, value: str) -> None:
        """An unmodelled marker stays with the object it was written under."""
        st = self.entry["_state"]
        if marker in ENTRY_LEVEL:
            owner = self.entry
        elif marker.startswith("x") and st["example"] is not None:
            owner = st["example"]  # \x.. markers describe the example above them
        else:
            owner = st["sense"] or self.entry
        owner.setdefault("extra", {}).setdefault("mdf", {}).setdefault("markers", []).append(
            [marker, value]
        )

    def add(self, line: int, marker: str, value: str) -> None:
        if self.recording_note(marker, value):
            return
        spec = self._resolve_marker(marker)
        if spec is None:
            self.keep(marker, value)
            return
        what, role = spec
        lang = role[1:] if role and role.startswith("=") else self._lang(role, marker)
        if not value and what not in ("sense",):
            self.keep(marker, value)  # an empty field is a fact of the file too
            return
        self.marker = marker
        handler = getattr(self, "on_" + what, None)
        if handler is None:
            self.keep(marker, value)
            return
        if handler(line, value, lang, role) is False:
            self.keep(marker, value)

    def recording_note(self, marker: str, value: str) -> bool:
        """\\sf-speaker, \\sfx-consent-publish ...: who spoke the recording above, and the
        consent given (lexicon/io/recording_notes.py); False when it is not one."""
        base, _, name = marker.partition("-")
        if base not in ("sf", "sfx") or name not in recording_notes.FIELDS:
            return False
        if base == "sf":
            target = next((p for p in reversed(self.entry["pronunciations"]) if p["media"]), None)
        else:
            example = self.entry["_state"]["example"]
            target = example.setdefault("recording", {}) if example and example["media"] else None
        if target is None:
            return False  # no recording above it: kept as a marker
        target.update(recording_notes.from_pairs([(name, value)]))
        return True

    # ------------------------------------------------------------------ handlers
    def on_homograph(self, line, value, lang, role):
        if not value.strip().isdigit():
            self.warn(line, f"\\hm {value!r} is not a number; kept as a marker")
            return False
        self.entry["homograph"] = int(value)

    def on_headword(self, line, value, lang, role):
        if lang in self.entry["headword"]:
            return False
        self.entry["headword"][lang] = value

    def on_citation(self, line, value, lang, role):
        if lang in self.entry["citation"]:
            return False
        self.entry["citation"][lang] = value

    def on_ipa(self, line, value, lang, role):
        self.entry["pronunciations"].append(_pron(value, None))

    def on_pos(self, line, value, lang, role):
        st = self.entry["_state"]
        st["pos"] = value
        s = st["sense"]
        if s is not None and not s["glosses"] and not s["definitions"]:
            s["part_of_speech"] = value
        if self.entry["part_of_speech"] is None:
            self.entry["part_of_speech"] = value

    def on_sense(self, line, value, lang, role):
        s = self.new_sense()
        if value:
            s["extra"] = {"mdf": {"sn": value}}

    def _multi(self, target: dict, lang: str, value: str, owner=None, what: str = "") -> None:
        """One value per language: a second field of the same language is joined with "; ";
        the owner remembers the parts, so a writer can give each its own line again."""
        if not target.get(lang):
            target[lang] = value
            return
        if owner is not None:
            parts = owner.setdefault("extra", {}).setdefault("mdf", {}).setdefault("parts", {})
            parts.setdefault(f"{what}|{lang}", [target[lang]]).append(value)
        target[lang] = f"{target[lang]}; {value}"

    def on_gloss(self, line, value, lang, role):
        s = self.sense()
        self._multi(s["glosses"], lang, value, s, "gloss")

    def on_definition(self, line, value, lang, role):
        s = self.sense()
        self._multi(s["definitions"], lang, value, s, "definition")

    def on_reversal(self, line, value, lang, role):
        self.sense()["reversals"].append({"lang": lang, "text": value})

    def on_domain(self, line, value, lang, role):
        s = self.sense()
        if self.marker != "sd" or "sd" in (s.get("extra") or {}).get("mdf", {}):
            # \\sd_Eng, \\sd_Mal ...: which marker each domain came in, in order
            mx = s.setdefault("extra", {}).setdefault("mdf", {})
            mx.setdefault("sd", ["sd"] * len(s["semantic_domains"])).append(self.marker)
        s["semantic_domains"].append(value)

    def on_example(self, line, value, lang, role):
        ex = blank_example(text={lang: value})
        self.sense()["examples"].append(ex)
        self.entry["_state"]["example"] = ex

    def on_translation(self, line, value, lang, role):
        ex = self.entry["_state"]["example"]
        if ex is None:
            self.warn(line, "example translation without a preceding \\xv; kept as a marker")
            return False
        self._multi(ex["translations"], lang, value, ex, "translation")

    def on_sound(self, line, value, lang, role):
        media = {"href": value, "original_name": value.replace("\\", "/").rsplit("/", 1)[-1]}
        self.entry["pronunciations"].append(_pron("", media))
        self.doc.media.append({"kind": "audio", "href": value, "line": line})

    def on_example_sound(self, line, value, lang, role):
        ex = self.entry["_state"]["example"]
        if ex is None or ex["media"]:
            return False
        ex["media"] = {"href": value, "original_name": value.replace("\\", "/").rsplit("/", 1)[-1]}
        self.doc.media.append({"kind": "audio", "href": value, "line": line})

    def on_picture(self, line, value, lang, role):
        s = self.sense()
        s["pictures"].append(
            blank_picture(
                media={
                    "href": value,
                    "original_name": value.replace("\\", "/").rsplit("/", 1)[-1],
                },
            )
        )
        self.doc.media.append({"kind": "image", "href": value, "line": line})

    def on_relation(self, line, value, lang, role):
        self.entry["relations"].append(
            {"type": role or "cf", "target_id": "", "target_headword": value, "extra": {}}
        )

    def on_variant(self, line, value, lang, role):
        self.entry["variants"].append({"form": {lang: value}, "type": "", "extra": {}})

    def on_etymology(self, line, value, lang, role):
        self.entry["etymologies"].append(
            {"type": "proto", "source": "", "form": {"und": value}, "gloss": {}, "extra": {}}
        )

    def on_borrowed(self, line, value, lang, role):
        self.entry["etymologies"].append(
            {"type": "borrowed", "source": value, "form": {}, "gloss": {}, "extra": {}}
        )

    def _last_etymology(self):
        if not self.entry["etymologies"]:
            self.on_etymology(0, "", "", None)
            self.entry["etymologies"][-1]["form"] = {}
        return self.entry["etymologies"][-1]

    def on_etymology_gloss(self, line, value, lang, role):
        self._multi(self._last_etymology()["gloss"], lang, value)

    def on_etymology_source(self, line, value, lang, role):
        self._last_etymology()["source"] = value

    def on_note(self, line, value, lang, role):
        st = self.entry["_state"]
        owner = st["sense"] or self.entry
        ntype = role if role and not role.startswith("=") else "general"
        nlang = lang if role and role.startswith("=") else self.doc.languages["E"]
        owner["notes"].append({"type": ntype, "text": {nlang: value}})


def _pron(ipa: str, media: dict | None) -> dict:
    return blank_pronunciation(ipa=ipa, media=media)


def _resolve(doc: MdfDocument) -> None:
    """Give stable ids (headword + homograph) and point relations at the entries they name."""
    seen: dict[str, int] = {}
    by_headword: dict[str, dict] = {}
    for e in doc.entries:
        hw = next(iter(e["headword"].values()), "")
        key = f"{hw}\x1f{e['homograph']}"
        seen[key] = seen.get(key, 0) + 1
        e["id"] = derive_id("mdf", key, str(seen[key]))
        by_headword.setdefault(hw, e)
        if e["homograph"]:
            by_headword.setdefault(f"{hw}{e['homograph']}", e)
        for i, p in enumerate(e["pronunciations"]):
            p["id"] = derive_id(e["id"], "pronunciation", str(i))
        for i, s in enumerate(e["senses"]):
            s["id"] = derive_id(e["id"], "sense", str(i))
            for j, ex in enumerate(s["examples"]):
                ex["id"] = derive_id(s["id"], "example", str(j))
            for j, pic in enumerate(s["pictures"]):
                pic["id"] = derive_id(s["id"], "picture", str(j))
    for e in doc.entries:
        for r in e["relations"]:
            target = by_headword.get(r["target_headword"].strip())
            if target is not None:
                r["target_id"] = target["id"]
