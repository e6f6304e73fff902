"""Writing CLDF Dictionary datasets with pycldf, checked by pycldf's validator."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from lexicon.io import recording_notes
from lexicon.io.cldf.read import CldfError
from lexicon.io.lift.read import derive_id
from lexicon.shape.entry import iter_senses

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
    from pycldf import Dictionary  # here, not at import: ~10 MB a web worker rarely needs

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


class _ListHandler(logging.Handler):
    def __init__(self, sink: list):
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record):
        self.sink.append(record.getMessage())


def _media_row(
    media: dict | None, media_files: dict, dest: Path, rows: dict, notes: dict | None = None
) -> str | None:
    """Add a MediaTable row (copying the file under media/); its ID, or None without a file.
    `notes`: the recording's speaker and consent fields, in their columns."""
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
    language = {"ID": lang, "Name": dictionary.get("language_name") or lang}
    if re.fullmatch(r"[a-z0-9]{4}[1-9][0-9]{3}", dictionary.get("glottocode") or ""):
        language["Glottocode"] = dictionary["glottocode"]
    if re.fullmatch(r"[a-z]{3}", dictionary.get("language_code") or ""):
        language["ISO639P3code"] = dictionary["language_code"]
    out = {"EntryTable": [], "SenseTable": [], "ExampleTable": [], "LanguageTable": [language]}
    media_rows: dict[str, dict] = {}
    used: set[str] = set()

    def unique(wanted: str) -> str:
        cid, n = _cid(wanted), 1
        while cid in used:
            n += 1
            cid = f"{_cid(wanted)}-{n}"
        used.add(cid)
        return cid

    for e in entries:
        eid = unique(((e.get("extra") or {}).get("cldf") or {}).get("ID") or e["id"])
        comments = [_first(n.get("text")) for n in e.get("notes") or []]
        out["EntryTable"].append(
            {
                "ID": eid,
                "Language_ID": lang,
                "Headword": _first(e.get("headword")),
                "Part_Of_Speech": e.get("part_of_speech") or "",
                "Comment": "; ".join(c for c in comments if c),
                "Citation_Form": _first(e.get("citation")),
                "Pronunciation": "; ".join(
                    p.get("ipa") for p in e.get("pronunciations") or [] if p.get("ipa")
                ),
                "Media_IDs": [
                    m
                    for m in (
                        _media_row(p.get("media"), media_files, dest, media_rows, p)
                        for p in e.get("pronunciations") or []
                    )
                    if m
                ],
            }
        )
        for s in iter_senses(e):
            sid = unique(((s.get("extra") or {}).get("cldf") or {}).get("ID") or s["id"])
            ex_ids = []
            for ex in s.get("examples") or []:
                if not _first(ex.get("text")):
                    continue  # CLDF requires the example's text; a translation alone cannot go
                xid = unique(((ex.get("extra") or {}).get("cldf") or {}).get("ID") or ex["id"])
                ex_ids.append(xid)
                cx = (ex.get("extra") or {}).get("cldf") or {}
                out["ExampleTable"].append(
                    {
                        "ID": xid,
                        "Language_ID": lang,
                        "Primary_Text": _first(ex.get("text")),
                        "Translated_Text": (ex.get("translations") or {}).get(meta)
                        or _first(ex.get("translations")),
                        "Analyzed_Word": cx.get("Analyzed_Word") or [],
                        "Gloss": cx.get("Gloss") or [],
                        "Media_IDs": [
                            m
                            for m in [
                                _media_row(
                                    ex.get("media"),
                                    media_files,
                                    dest,
                                    media_rows,
                                    ex.get("recording"),
                                )  # fmt: skip
                            ]
                            if m
                        ],
                    }
                )
            out["SenseTable"].append(
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
                    "Media_IDs": [
                        m
                        for m in (
                            _media_row(p.get("media"), media_files, dest, media_rows)
                            for p in s.get("pictures") or []
                        )
                        if m
                    ],
                }
            )
    out["MediaTable"] = list(media_rows.values())
    return out
