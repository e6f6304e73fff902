"""Writing CLDF Dictionary datasets with pycldf, checked by pycldf's validator."""

from __future__ import annotations

import logging
import mimetypes
import re
from pathlib import Path

from lexicon.io import recording_notes
from lexicon.io.cldf.terms import CldfError
from lexicon.io.ids import derive_id
from lexicon.shape.entry import iter_senses, named_file

TERM = "http://cldf.clld.org/v1.0/terms.rdf#"
_ID_OK = re.compile(r"[^a-zA-Z0-9_\-]")


def _cid(value: str) -> str:
    return _ID_OK.sub("_", value) or "x"


def _first(mt: dict | None) -> str:
    return next(iter((mt or {}).values()), "")


def write_cldf(
    entries: list[dict],
    dest,
    *,
    dictionary: dict | None = None,
    media_files: dict | None = None,
    meta_language: str = "en",
) -> Path:
    """Write a CLDF Dictionary into folder `dest` and validate it; returns the metadata path.

    `media_files` maps a media key (sha256 or href) to (file name, source path or bytes, mime).
    """
    dictionary = dictionary or {}
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    from pycldf import Dictionary  # heavy: imported when used (docs/architecture.md)

    ds = Dictionary.in_dir(dest)
    ds.add_component("ExampleTable")
    ds.add_component("MediaTable")
    ds.add_component("LanguageTable")
    link = {"datatype": "string", "separator": " ; "}
    ds.add_columns(
        "EntryTable",
        {"name": "Media_IDs", "propertyUrl": TERM + "mediaReference", **link},
        {"name": "Comment", "propertyUrl": TERM + "comment"},
        "Citation_Form",
        "Pronunciation",
    )
    ds.add_columns(
        "SenseTable",
        {"name": "Media_IDs", "propertyUrl": TERM + "mediaReference", **link},
        {"name": "Example_IDs", "propertyUrl": TERM + "exampleReference", **link},
        "Semantic_Domain",
        "Definition",
    )
    ds.add_columns(
        "ExampleTable", {"name": "Media_IDs", "propertyUrl": TERM + "mediaReference", **link}
    )
    # Who spoke a recording and the consent given (lexicon/io/recording_notes.py).
    ds.add_columns("MediaTable", *(recording_notes.column(n) for n in recording_notes.FIELDS))
    rows = _cldf_rows(entries, dictionary, media_files or {}, meta_language, dest)
    _allow_empty(ds, rows)
    ds.properties["dc:title"] = dictionary.get("title") or "Dictionary"
    if dictionary.get("licence"):
        ds.properties["dc:license"] = dictionary["licence"]
    ds.write(**rows)
    log = logging.getLogger("wordkeep.cldf.validate")
    problems: list[str] = []
    handler = _ListHandler(problems)
    log.addHandler(handler)
    try:
        ok = ds.validate(log=log)
    finally:
        log.removeHandler(handler)
    if not ok:
        raise CldfError("the CLDF export does not validate: " + "; ".join(problems[:5]))
    return dest / "Dictionary-metadata.json"


def _allow_empty(ds, rows: dict) -> None:
    """A required column (a sense's Description, say) that some row leaves empty - a sense
    with no gloss yet, as keepers and FLEx leave them - is marked not required in this export's
    metadata, so the dataset stays valid and reads back whole (the sense kept, with no gloss)
    instead of being refused by any CLDF reader; a dictionary with every value present keeps
    the standard tables as they are."""
    for table, table_rows in rows.items():
        for column in ds[table].tableSchema.columns:
            empty = (row.get(column.name) in (None, "", []) for row in table_rows)
            if column.required and column.name != "ID" and any(empty):
                column.required = False


class _ListHandler(logging.Handler):
    def __init__(self, sink: list):
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record):
        self.sink.append(record.getMessage())


def _media_or_named(part: dict) -> dict | None:
    """A part's stored file, else the address its import kept for one it did not carry (a
    CLDF media row's `Download_URL`, as Dictionaria's point at their archive): written back as
    it came. A bare file name (a Toolbox `\\sf`) cannot go: CLDF wants a local file there."""
    named = named_file(part)
    if part.get("media") or "://" not in named:
        return part.get("media")
    mime = mimetypes.guess_type(named)[0] or "application/octet-stream"
    return {"href": named, "mime": mime}


def _media_row(
    media: dict | None, media_files: dict, dest: Path, rows: dict, notes: dict | None = None
) -> str | None:
    """Add a MediaTable row (copying the file under media/); its ID, or None without a file
    (nor an address an import kept for one). `notes`: the recording's speaker and consent
    fields, in their columns."""
    if not media:
        return None
    key = media.get("sha256") or media.get("href") or media.get("original_name")
    if not key:
        return None
    mid = _cid(media.get("sha256") or derive_id("media", key))
    if mid in rows:
        return mid
    name = media.get("original_name") or str(key).rsplit("/", 1)[-1]
    url = media.get("href") if "://" in (media.get("href") or "") else ""
    if key in media_files:
        name, src, mime = media_files[key]
        target = dest / "media" / _cid_file(name)
        target.parent.mkdir(exist_ok=True)
        if isinstance(src, bytes):
            target.write_bytes(src)
        else:
            target.write_bytes(Path(src).read_bytes())
        url = f"media/{target.name}"
        media = {**media, "mime": mime or media.get("mime")}
    if not url:
        return None
    rows[mid] = {
        "ID": mid,
        "Name": name,
        "Media_Type": media.get("mime") or "",
        "Download_URL": url,
        "Description": "",
        **{recording_notes.column(n): "" for n in recording_notes.FIELDS},
        **{recording_notes.column(n): v for n, v in recording_notes.to_pairs(notes or {})},
    }
    return mid


def _cid_file(name: str) -> str:
    return re.sub(r"[^\w.\-]", "_", name) or "file"


def _cldf_rows(entries, dictionary, media_files, meta, dest) -> dict:
    lang = _cid(
        dictionary.get("language_code")
        or next((k for e in entries for k in (e.get("headword") or {})), "und")
    )
    rows = _Rows(lang, meta, media_files, dest)
    rows.out["LanguageTable"] = [_language_row(dictionary, lang)]
    for e in entries:
        eid = rows.entry(e)
        for s in iter_senses(e):
            rows.sense(s, eid)
    rows.out["MediaTable"] = list(rows.media_rows.values())
    return rows.out


def _language_row(dictionary: dict, lang: str) -> dict:
    language = {"ID": lang, "Name": dictionary.get("language_name") or lang}
    if re.fullmatch(r"[a-z0-9]{4}[1-9][0-9]{3}", dictionary.get("glottocode") or ""):
        language["Glottocode"] = dictionary["glottocode"]
    if re.fullmatch(r"[a-z]{3}", dictionary.get("language_code") or ""):
        language["ISO639P3code"] = dictionary["language_code"]
    return language


def _cldf_id(obj: dict) -> str:
    """The id the object had in the CLDF it came from, else its own."""
    return ((obj.get("extra") or {}).get("cldf") or {}).get("ID") or obj["id"]


class _Rows:
    """The rows of the tables being built: ids unique across tables, one media row per file."""

    def __init__(self, lang: str, meta: str, media_files, dest):
        self.lang, self.meta, self.media_files, self.dest = lang, meta, media_files, dest
        self.out: dict = {"EntryTable": [], "SenseTable": [], "ExampleTable": []}
        self.media_rows: dict[str, dict] = {}
        self.used: set[str] = set()

    def unique(self, wanted: str) -> str:
        cid, n = _cid(wanted), 1
        while cid in self.used:
            n += 1
            cid = f"{_cid(wanted)}-{n}"
        self.used.add(cid)
        return cid

    def media_ids(self, parts, notes=lambda part: None) -> list[str]:
        """The MediaTable ids of the parts' files (rows added as they are first met)."""
        found = (
            _media_row(_media_or_named(p), self.media_files, self.dest, self.media_rows, notes(p))
            for p in parts
        )
        return [m for m in found if m]

    def entry(self, e: dict) -> str:
        eid = self.unique(_cldf_id(e))
        comments = [_first(n.get("text")) for n in e.get("notes") or []]
        pronunciations = e.get("pronunciations") or []
        self.out["EntryTable"].append(
            {
                "ID": eid,
                "Language_ID": self.lang,
                "Headword": _first(e.get("headword")),
                "Part_Of_Speech": e.get("part_of_speech") or "",
                "Comment": "; ".join(c for c in comments if c),
                "Citation_Form": _first(e.get("citation")),
                "Pronunciation": "; ".join(p.get("ipa") for p in pronunciations if p.get("ipa")),
                "Media_IDs": self.media_ids(pronunciations, notes=lambda p: p),
            }
        )
        return eid

    def sense(self, s: dict, eid: str) -> None:
        meta = self.meta
        sid = self.unique(_cldf_id(s))
        ex_ids = [self.example(ex) for ex in s.get("examples") or [] if _first(ex.get("text"))]
        # (CLDF requires an example's text: a translation alone cannot go)
        self.out["SenseTable"].append(
            {
                "ID": sid,
                "Entry_ID": eid,
                "Description": (s.get("glosses") or {}).get(meta)
                or _first(s.get("glosses"))
                or _first(s.get("definitions"))
                or "",
                "Definition": (s.get("definitions") or {}).get(meta)
                or _first(s.get("definitions")),
                "Semantic_Domain": "; ".join(s.get("semantic_domains") or []),
                "Example_IDs": ex_ids,
                "Media_IDs": self.media_ids(s.get("pictures") or []),
            }
        )

    def example(self, ex: dict) -> str:
        xid = self.unique(_cldf_id(ex))
        cx = (ex.get("extra") or {}).get("cldf") or {}
        self.out["ExampleTable"].append(
            {
                "ID": xid,
                "Language_ID": self.lang,
                "Primary_Text": _first(ex.get("text")),
                "Translated_Text": (ex.get("translations") or {}).get(self.meta)
                or _first(ex.get("translations")),
                "Analyzed_Word": cx.get("Analyzed_Word") or [],
                "Gloss": cx.get("Gloss") or [],
                "Media_IDs": self.media_ids([ex], notes=lambda x: x.get("recording")),
            }
        )
        return xid
