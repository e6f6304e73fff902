"""CLDF Dictionary datasets (pycldf): entries, senses, examples and media, in and out.

Columns with a CLDF term are mapped; every other column (Dictionaria's `Comment_French`,
`alt_translation1`, Palula's `Inflection_Class` ...) is kept in `extra["cldf"]` and written
back as a column of the same name. Export is checked with pycldf's own validator.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lexicon.io import recording_notes
from lexicon.io.cldf.terms import TERMS, CldfError
from lexicon.io.ids import derive_id
from lexicon.io.safety import DEFAULT_LIMITS, Limits, OutsidePackage, check_zip, nfc, package_path
from lexicon.shape.entry import (
    blank_entry,
    blank_example,
    blank_picture,
    blank_pronunciation,
    blank_sense,
)


@dataclass
class CldfDocument:
    entries: list[dict] = field(default_factory=list)
    media: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    languages: list[dict] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)


def _find_metadata(path: Path) -> Path:
    if path.is_file():
        return path
    for cand in list(path.glob("*-metadata.json")) + list(path.glob("cldf/*-metadata.json")):
        return cand
    raise CldfError(f"{path.name}: no CLDF metadata file (*-metadata.json) found")


CSVW_CONTEXT = "http://www.w3.org/ns/csvw"


def _table_name(table: dict, i: int) -> str:
    kind = table.get("dc:conformsTo")
    if isinstance(kind, str) and "#" in kind:
        return kind.rsplit("#", 1)[-1]
    url = table.get("url")
    return f"table {url!r}" if isinstance(url, str) else f"table {i + 1}"


def _no_base(value, where: str) -> None:
    """`@base` re-points every relative url of the metadata (at another folder, a server)."""
    if isinstance(value, dict):
        if "@base" in value:
            raise OutsidePackage(f"{where}: '@base' is not allowed; table urls are relative")
        for v in value.values():
            _no_base(v, where)
    elif isinstance(value, list):
        for v in value:
            _no_base(v, where)


def check_metadata(md: Path, root: Path) -> None:
    """Refuse metadata naming any file outside the package at `root`, or any URL, before
    pycldf/csvw see it: they open a table's url wherever it points (a local path, http) and
    fetch a dialect or tableSchema given as a URL. Names the table and property refused."""
    import json

    try:
        data = json.loads(md.read_text("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CldfError(f"{md.name}: not valid UTF-8 JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise CldfError(f"{md.name}: the metadata is not a JSON object")
    where = md.name
    ctx = data.get("@context")
    ctx_ok = ctx in (None, CSVW_CONTEXT) or (
        isinstance(ctx, list)
        and all(c == CSVW_CONTEXT or (isinstance(c, dict) and set(c) <= {"@language"}) for c in ctx)
    )
    if not ctx_ok:
        raise OutsidePackage(
            f"{where}: @context must be {CSVW_CONTEXT!r} (with at most @language); "
            f"nothing is fetched"
        )
    _no_base(data, where)
    tables = data.get("tables") if "tables" in data else [data]
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise CldfError(f"{where}: 'tables' is not a list of table descriptions")
    if isinstance(data.get("dc:source"), str) and data["dc:source"]:
        package_path(data["dc:source"], root, f"{where}: dc:source")
    for name in ("dialect", "tableSchema"):
        if isinstance(data.get(name), str):
            package_path(data[name], root, f"{where}: {name}")
    for i, table in enumerate(tables):
        label = f"{where}: {_table_name(table, i)}"
        url = table.get("url")
        if not isinstance(url, str):
            raise CldfError(f"{label}: has no url")
        package_path(url, root, f"{label} url")
        for name in ("dialect", "tableSchema"):
            if isinstance(table.get(name), str):
                package_path(table[name], root, f"{label} {name}")
        schema = table.get("tableSchema")
        for fk in (schema.get("foreignKeys") or []) if isinstance(schema, dict) else []:
            ref = fk.get("reference") if isinstance(fk, dict) else None
            for name in ("resource", "schemaReference"):
                if isinstance(ref, dict) and isinstance(ref.get(name), str):
                    package_path(ref[name], root, f"{label} foreign key {name}")


def _check_loaded(ds, md: Path, root: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Belt and braces: every table pycldf will read is a local file inside the package. A
    table csvw reads from `<url>.zip` (when the file itself is missing) is an archive inside
    the upload: it gets the upload's archive checks (size, ratio, members) first."""
    root = root.resolve()
    for i, table in enumerate(ds.tables):
        target = table.url.resolve(table.base)
        kind = table.common_props.get("dc:conformsTo")
        label = f"{md.name}: {_table_name({'url': str(table.url), 'dc:conformsTo': kind}, i)}"
        if not isinstance(target, Path):
            raise OutsidePackage(f"{label} url: is a URL; Wordkeep never fetches URLs")
        if root not in Path(target).resolve().parents:
            raise OutsidePackage(f"{label} url: leads outside the upload")
        if Path(target).is_file():
            continue
        zipped = Path(target).with_name(Path(target).name + ".zip")
        if not zipped.is_file():
            raise CldfError(f"{label} url: {str(table.url)!r} is not in the package")
        try:
            with zipfile.ZipFile(zipped) as zf:
                check_zip(zf, limits)
        except zipfile.BadZipFile as exc:
            raise CldfError(f"{label} url: {zipped.name!r} is not a readable zip ({exc})") from exc


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return " ; ".join(_text(x) for x in v)
    if callable(getattr(v, "unsplit", None)):  # an anyURI cell (csvw gives rfc3986's URIReference)
        return nfc(v.unsplit())
    return nfc(str(v))


def _columns(ds, table: str) -> dict[str, str]:
    """term -> column name for the terms this table has."""
    out = {}
    for term in TERMS[table]:
        try:
            out[term] = ds[table, term].name
        except KeyError:
            continue
    return out


def _rows(ds, table: str) -> list[tuple[dict, dict]]:
    """(mapped terms, other columns) for each row; empty when the table is missing."""
    try:
        ds[table]
    except KeyError:
        return []
    cols = _columns(ds, table)
    mapped_names = set(cols.values())
    out = []
    for row in ds.iter_rows(table):
        terms = {t: row.get(name) for t, name in cols.items()}
        other = {k: v for k, v in row.items() if k not in mapped_names}
        out.append((terms, other))
    return out


def _links(other: dict, name: str, terms: dict | None = None, term: str = "") -> list[str]:
    value = (terms or {}).get(term) if term else None
    if not value:
        value = other.pop(name, None)
    else:
        other.pop(name, None)
    if value is None:
        return []
    if isinstance(value, str):
        value = [v.strip() for v in value.split(";")]
    return [str(v) for v in value if v]


def _extra(other: dict) -> dict:
    kept = {
        k: (v if isinstance(v, list) else _text(v))
        for k, v in other.items()
        if v not in (None, "", [])
    }
    return {"cldf": kept} if kept else {}


def read_cldf(
    path, *, meta_language: str = "en", root=None, limits: Limits = DEFAULT_LIMITS
) -> CldfDocument:
    """Read a CLDF Dictionary (metadata file or the folder holding it).

    `root` is the package (the unpacked upload; the metadata's folder when not given): no
    file outside it is opened, and no URL is fetched."""
    ds = _open_dataset(Path(path), root, limits)
    doc = CldfDocument(metadata={k: v for k, v in ds.properties.items() if isinstance(v, str)})
    langs = _read_languages(ds, doc)
    media = _read_media(ds, doc)
    entries = {}
    for terms, other in _rows(ds, "EntryTable"):
        e = _entry(terms, other, langs, media, meta_language)
        entries[_text(terms.get("id"))] = e
        doc.entries.append(e)
    senses, example_senses = _read_senses(ds, doc, entries, media, meta_language)
    for terms, other in _rows(ds, "ExampleTable"):
        _example(
            terms,
            other,
            senses,
            langs,
            media,
            meta_language,
            doc,
            example_senses.get(_text(terms.get("id")), []),
        )
    _relations(doc.entries, entries)
    return doc


def _open_dataset(path: Path, root, limits: Limits):
    """The pycldf Dataset of a checked CLDF Dictionary package."""
    from pycldf import Dataset  # heavy: imported when used (docs/architecture.md)

    md = _find_metadata(path)
    root = Path(root or md.parent)
    check_metadata(md, root)
    try:
        ds = Dataset.from_metadata(md)
    except Exception as exc:  # pycldf raises many kinds for a broken metadata file
        raise CldfError(f"{md.name}: not a readable CLDF dataset ({exc})") from exc
    _check_loaded(ds, md, root, limits)
    if ds.module != "Dictionary":
        raise CldfError(f"{md.name}: a CLDF {ds.module} dataset, not a Dictionary")
    return ds


def _read_languages(ds, doc: CldfDocument) -> dict:
    """{LanguageTable id: language code}; each language goes into `doc.languages`."""
    langs = {}
    if _has(ds, "LanguageTable"):
        for row in ds.iter_rows("LanguageTable", "id", "iso639P3code", "glottocode", "name"):
            code = row.get("iso639P3code") or row.get("id")
            langs[row["id"]] = code
            doc.languages.append(
                {
                    "id": row["id"],
                    "code": code,
                    "name": row.get("name") or "",
                    "glottocode": row.get("glottocode") or "",
                }
            )
    return langs


def _read_media(ds, doc: CldfDocument) -> dict:
    """{MediaTable id: media dict}; each file to look up goes into `doc.media`."""
    media = {}
    for terms, _other in _rows(ds, "MediaTable"):
        mid = _text(terms.get("id"))
        name = _text(terms.get("name")) or mid
        url = _text(terms.get("downloadUrl"))
        media[mid] = {
            "href": url or name,
            "original_name": name,
            "mime": _text(terms.get("mediaType")),
            "cldf_id": mid,
        }
        if notes := recording_notes.from_columns(_other):  # speaker, consent: popped on use
            media[mid]["notes"] = notes
        doc.media.append(  # the file is looked up in the package by sources.resolve_media
            {
                "kind": "image" if media[mid]["mime"].startswith("image") else "audio",
                "href": url or name,
                "cldf_id": mid,
                "path": None,
                "also": name,  # a downloadUrl may be a URL: the file by its name, if packed
            }
        )
    return media


def _read_senses(ds, doc: CldfDocument, entries: dict, media: dict, meta: str):
    """({sense id: (sense, entry)}, {example id: [sense ids the SenseTable links it to]});
    each sense is added to its entry."""
    senses = {}
    example_senses: dict[str, list[str]] = {}
    for terms, other in _rows(ds, "SenseTable"):
        eid = _text(terms.get("entryReference"))
        if eid not in entries:
            doc.warnings.append(
                {
                    "file": "senses",
                    "line": None,
                    "message": f"sense {terms.get('id')} names entry {eid!r}, "
                    f"which is not in the entries table",
                }
            )
            continue
        s = _sense(terms, other, entries[eid], media, meta)
        senses[_text(terms.get("id"))] = (s, entries[eid])
        for xid in terms.get("exampleReference") or []:
            example_senses.setdefault(str(xid), []).append(_text(terms.get("id")))
    return senses, example_senses


def _has(ds, table: str) -> bool:
    try:
        ds[table]
    except KeyError:
        return False
    return True


def _entry(terms, other, langs, media, meta) -> dict:
    cid = _text(terms.get("id"))
    lang = langs.get(terms.get("languageReference"), _text(terms.get("languageReference")) or "und")
    e = blank_entry(
        id=derive_id("cldf", cid),
        headword={lang: _text(terms.get("headword"))},
        part_of_speech=_text(terms.get("partOfSpeech")) or None,
    )
    if terms.get("comment"):
        e["notes"].append({"type": "comment", "text": {meta: _text(terms["comment"])}})
    if other.get("Citation_Form"):
        e["citation"] = {lang: _text(other.pop("Citation_Form"))}
    for i, mid in enumerate(_links(other, "Media_IDs", terms, "mediaReference")):
        m = media.get(mid)
        if m and m["mime"].startswith("image"):
            e.setdefault("_pictures", []).append(m)
        elif m:
            e["pronunciations"].append(
                blank_pronunciation(id=derive_id(e["id"], "pronunciation", str(i)), media=dict(m))
            )
            e["pronunciations"][-1].update(e["pronunciations"][-1]["media"].pop("notes", {}))
    e["_related"] = _links(other, "Entry_IDs")
    e["extra"] = _extra(other)
    e["extra"].setdefault("cldf", {})["ID"] = cid
    return e


def _picture(owner_id: str, i: int, m: dict) -> dict:
    return blank_picture(id=derive_id(owner_id, "picture", str(i)), media=dict(m))


def _sense(terms, other, e, media, meta) -> dict:
    cid = _text(terms.get("id"))
    s = blank_sense(
        id=derive_id("cldf-sense", cid),
        part_of_speech=e["part_of_speech"],
        glosses={meta: _text(terms.get("description"))} if terms.get("description") else {},
    )
    definition = other.pop("Definition", None)
    if definition:
        s["definitions"] = {meta: _text(definition)}
    domain = other.pop("Semantic_Domain", None)
    if domain:
        s["semantic_domains"] = [d.strip() for d in _text(domain).split(";") if d.strip()]
    for m in e.pop("_pictures", []):
        s["pictures"].append(_picture(s["id"], len(s["pictures"]), m))
    for mid in _links(other, "Media_IDs", terms, "mediaReference"):
        if mid in media:
            s["pictures"].append(_picture(s["id"], len(s["pictures"]), media[mid]))
    s["extra"] = _extra(other)
    s["extra"].setdefault("cldf", {})["ID"] = cid
    e["senses"].append(s)
    return s


def _example(terms, other, senses, langs, media, meta, doc, linked) -> None:
    cid = _text(terms.get("id"))
    lang = langs.get(terms.get("languageReference"), _text(terms.get("languageReference")) or "und")
    tlang = langs.get(terms.get("metaLanguageReference")) or meta
    media_ids = _links(other, "Media_IDs", terms, "mediaReference")
    sense_ids = list(dict.fromkeys(_links(other, "Sense_IDs") + linked))
    extra = _extra(other)
    extra.setdefault("cldf", {})["ID"] = cid
    if terms.get("comment"):
        extra["cldf"]["Comment"] = _text(terms["comment"])
    if not any(sid in senses for sid in sense_ids):
        doc.warnings.append(
            {
                "file": "examples",
                "line": None,
                "message": f"example {cid} is linked to no known sense; skipped",
            }
        )
        return
    for sid in sense_ids:
        if sid not in senses:
            continue
        s, _e = senses[sid]
        s["examples"].append(
            blank_example(
                id=derive_id("cldf-example", cid, sid),
                text={lang: _text(terms.get("primaryText"))},
                translations={tlang: _text(terms.get("translatedText"))}
                if terms.get("translatedText")
                else {},
                media=dict(media[media_ids[0]]) if media_ids and media_ids[0] in media else None,
                extra=extra,
            )
        )
        if notes := (s["examples"][-1]["media"] or {}).pop("notes", None):
            s["examples"][-1]["recording"] = notes


def _relations(entries: list[dict], by_cldf_id: dict) -> None:
    for e in entries:
        for rid in e.pop("_related", []):
            target = by_cldf_id.get(rid)
            e["relations"].append(
                {
                    "type": "related",
                    "target_id": target["id"] if target else rid,
                    "target_headword": next(iter(target["headword"].values()), "")
                    if target
                    else "",
                    "extra": {"cldf": {"Entry_ID": rid}},
                }
            )
        e.pop("_pictures", None)
