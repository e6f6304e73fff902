"""Spreadsheets (CSV, XLSX) in and out: one row per sense, columns mapped from the headers.

The mapping is guessed from headers such as `headword, pos, gloss_en, definition_fr, example,
example_en, audio` and can be edited before import. Rows with the same `id` (or, without an id
column, consecutive rows with the same headword and homograph) form one entry; rows with the
same sense number add examples to that sense. A dry run lists every bad row before anything
is written. Cells that a spreadsheet would run as a formula are neutralised on export.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lexicon.errors import ImportRejected
from lexicon.io.ids import as_uuid, derive_id
from lexicon.io.safety import (
    DEFAULT_LIMITS,
    Limits,
    check_file_size,
    check_xml_members,
    check_zip,
    nfc,
    package_file,
    safe_extract,
)
from lexicon.shape.entry import (
    blank_entry,
    blank_example,
    blank_picture,
    blank_pronunciation,
    blank_sense,
)

SIMPLE_TARGETS = {
    "id",
    "headword",
    "citation",
    "homograph",
    "pos",
    "sense",
    "example",
    "audio",
    "picture",
    "semantic_domain",
    "note",
    "ignore",
    "ipa",
    "morph_type",
}
LANG_TARGETS = {"headword", "citation", "gloss", "definition", "example", "note"}
ALIASES = {
    "id": "id",
    "guid": "id",
    "entry_id": "id",
    "headword": "headword",
    "lexeme": "headword",
    "word": "headword",
    "lx": "headword",
    "lexical_unit": "headword",
    "citation": "citation",
    "homograph": "homograph",
    "hm": "homograph",
    "pos": "pos",
    "part_of_speech": "pos",
    "ps": "pos",
    "sense": "sense",
    "sense_number": "sense",
    "sn": "sense",
    "gloss": "gloss",
    "ge": "gloss:en",
    "definition": "definition",
    "de": "definition:en",
    "example": "example",
    "xv": "example",
    "xe": "example:en",
    "audio": "audio",
    "sound": "audio",
    "sf": "audio",
    "picture": "picture",
    "image": "picture",
    "photo": "picture",
    "semantic_domain": "semantic_domain",
    "domain": "semantic_domain",
    "sd": "semantic_domain",
    "note": "note",
    "notes": "note",
    "ipa": "ipa",
    "pronunciation": "ipa",
    "morph_type": "morph_type",
    "english": "gloss:en",
    "french": "gloss:fr",
    "translation": "example:en",
}
_DANGEROUS = re.compile(r"^'*[=+\-@\t\r]")
_NEUTRALISED = re.compile(r"^'+[=+\-@\t\r]")


class TableError(ImportRejected):
    """The spreadsheet cannot be imported; the message lists the rows that are wrong."""


def neutralise(value: str) -> str:
    """Prefix `'` to a cell a spreadsheet would run as a formula (reversible, see unneutralise)."""
    return "'" + value if value and _DANGEROUS.match(value) else value


def unneutralise(value: str) -> str:
    return value[1:] if _NEUTRALISED.match(value) else value


def _norm_header(h: str) -> str:
    return re.sub(r"[\s\-()\[\].]+", "_", h.strip().lower()).strip("_")


def guess_mapping(headers: list[str], *, vernacular: str = "und", meta: str = "en") -> dict:
    """Column header -> target such as `headword`, `gloss:en`, `example:fr`, or `ignore`."""
    mapping = {}
    for h in headers:
        key = _norm_header(h)
        target = ALIASES.get(key)
        if target is None and "_" in key:
            base, lang = key.split("_", 1)
            base = ALIASES.get(base, base)
            if base in LANG_TARGETS:
                target = f"{base}:{lang.replace('_', '-')}"
        if target in ("gloss", "definition"):
            target = f"{target}:{meta}"
        mapping[h] = target or f"extra:{h}"
    return mapping


def check_mapping(mapping: dict) -> list[str]:
    problems = []
    for col, target in mapping.items():
        base, _, lang = (target or "").partition(":")
        if base == "extra" or target in SIMPLE_TARGETS:
            continue
        if base in LANG_TARGETS and lang:
            continue
        problems.append(f"column {col!r}: unknown target {target!r}")
    if "headword" not in {(t or "").partition(":")[0] for t in mapping.values()}:
        problems.append("no column is mapped to the headword")
    return problems


@dataclass
class TableDocument:
    entries: list[dict] = field(default_factory=list)
    mapping: dict = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    media: list[dict] = field(default_factory=list)
    rows: int = 0
    base: Path | None = None  # the folder media names are looked up in (sources.resolve_media)
    _tmp: tempfile.TemporaryDirectory | None = None

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _decode(raw: bytes, name: str, doc: TableDocument) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        doc.warnings.append(
            {"file": name, "line": None, "message": "not UTF-8; read as Windows-1252"}
        )
        return raw.decode("cp1252", errors="replace")


def _read_csv(path: Path, doc: TableDocument) -> tuple[list[str], list[tuple[int, list[str]]]]:
    text = _decode(path.read_bytes(), path.name, doc)
    # The delimiter is the header line's (spreadsheets write `,`, `;` or tabs); quoting is
    # always the spreadsheets' double quote. csv.Sniffer guessed `'` as the quote character
    # from cells holding apostrophes (a glottal stop in many orthographies) and mangled them.
    header = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=header.count) if any(c in header for c in ",;\t") else ","
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter)
    rows = []
    headers: list[str] = []
    for cells in reader:
        if not headers:
            headers = [nfc(h).strip() for h in cells]
            continue
        rows.append((reader.line_num, cells))
    return headers, rows


def _read_xlsx(path: Path, doc: TableDocument, limits: Limits):
    from openpyxl import load_workbook

    with zipfile.ZipFile(path) as zf:
        check_zip(zf, limits)  # an .xlsx is a zip: refuse bombs before openpyxl unpacks it
        check_xml_members(zf, "workbook part")  # and DOCTYPEs/entities before it parses one
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        headers: list[str] = []
        rows = []
        for n, values in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = ["" if v is None else str(v) for v in values]
            if not headers:
                headers = [nfc(h).strip() for h in cells]
                continue
            rows.append((n, cells))
    finally:
        wb.close()
    return headers, rows


def read_table(
    path,
    *,
    mapping: dict | None = None,
    vernacular: str = "und",
    meta: str = "en",
    limits: Limits = DEFAULT_LIMITS,
) -> TableDocument:
    """Read a .csv or .xlsx (or a zip holding one plus its audio); errors are listed per row."""
    path = Path(path)
    check_file_size(path, limits)
    doc = TableDocument()
    if path.suffix.lower() == ".zip":
        doc._tmp = tempfile.TemporaryDirectory(prefix="wordkeep-table-")
        safe_extract(path, Path(doc._tmp.name), limits)
        found = sorted(
            p
            for p in Path(doc._tmp.name).rglob("*")
            if p.suffix.lower() in (".csv", ".xlsx", ".tsv")
        )
        if not found:
            doc.close()
            raise TableError(f"{path.name}: no .csv or .xlsx file in the zip")
        path = min(found, key=lambda p: len(p.parts))
    doc.base = path.parent
    if path.suffix.lower() == ".xlsx":
        headers, rows = _read_xlsx(path, doc, limits)
    else:
        headers, rows = _read_csv(path, doc)
    if not headers:
        raise TableError(f"{path.name}: the file is empty (no header row)")
    doc.mapping = (
        dict(mapping) if mapping else guess_mapping(headers, vernacular=vernacular, meta=meta)
    )
    missing = [c for c in doc.mapping if c not in headers]
    problems = check_mapping(doc.mapping) + [f"column {c!r} is not in the file" for c in missing]
    for p in problems:
        doc.errors.append({"file": path.name, "line": 1, "message": p})
    if not problems:
        _build(headers, rows, doc, vernacular, meta, path)
    doc.rows = len(rows)
    return doc


def _row_values(headers, cells, mapping, vernacular, meta) -> dict:
    """Group one row's non-empty cells by target: {"gloss": {"en": ...}, "pos": ..., ...}."""
    out: dict = {}
    for col, raw in zip(headers, cells, strict=False):
        target = mapping.get(col)
        if not target or target == "ignore" or not raw.strip():
            continue
        value = nfc(unneutralise(raw))
        base, _, lang = target.partition(":")
        if base == "extra":
            out.setdefault("extra", {})[lang] = value
        elif base == "example":
            slot, lang = ("example_tr", lang) if lang else ("example_text", vernacular)
            out.setdefault(slot, {})[lang] = value
        elif base in ("headword", "citation"):
            out.setdefault(base, {})[lang or vernacular] = value
        elif base in ("gloss", "definition", "note"):
            out.setdefault(base, {})[lang or meta] = value
        else:
            out[base] = value
    return out


def _build(headers, rows, doc: TableDocument, vernacular: str, meta: str, path: Path) -> None:
    entry: dict | None = None
    entry_key = None
    senses: dict[str, dict] = {}
    seen: dict[str, int] = {}
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(headers) and any(c.strip() for c in cells[len(headers) :]):
            doc.errors.append(
                {
                    "file": path.name,
                    "line": line,
                    "message": f"row {line} has {len(cells)} cells but the header has "
                    f"{len(headers)} columns",
                }
            )
            continue
        v = _row_values(headers, cells, doc.mapping, vernacular, meta)
        hm = v.get("homograph", "0").strip()
        if not hm.isdigit():
            doc.errors.append(
                {
                    "file": path.name,
                    "line": line,
                    "message": f"homograph {hm!r} is not a number",
                }
            )
            continue
        hw = v.get("headword")
        key = v.get("id") or (tuple(sorted(hw.items())) if hw else None, int(hm))
        if not hw and not (v.get("id") and entry is not None and key == entry_key):
            doc.errors.append({"file": path.name, "line": line, "message": "no headword"})
            continue
        if entry is None or key != entry_key:
            entry = _new_entry(v, hw, int(hm), seen)
            entry_key, senses = key, {}
            doc.entries.append(entry)
        _add_row(entry, senses, v, line, doc, path)


def _new_entry(v: dict, hw: dict, hm: int, seen: dict) -> dict:
    raw_id = v.get("id", "")
    if raw_id:
        eid = as_uuid(raw_id) or derive_id("table", raw_id)
    else:
        k = f"{sorted(hw.items())}\x1f{hm}"
        seen[k] = seen.get(k, 0) + 1
        eid = derive_id("table", k, str(seen[k]))
    e = blank_entry(id=eid)
    e["headword"], e["homograph"] = dict(hw), hm
    e["citation"] = dict(v.get("citation") or {})
    e["morph_type"] = v.get("morph_type")
    if raw_id and raw_id != eid:
        e["extra"] = {"table": {"id": raw_id}}
    return e


def _media(doc: TableDocument, kind: str, name: str, line: int) -> dict:
    # Looked up inside the package by the one resolver (also sources.resolve_media's).
    local = package_file(name, doc.base) if doc.base else None
    doc.media.append(
        {"kind": kind, "href": name, "line": line, "path": str(local) if local else None}
    )
    return {"href": name, "original_name": name.replace("\\", "/").rsplit("/", 1)[-1]}


def _add_row(e: dict, senses: dict, v: dict, line: int, doc: TableDocument, path: Path) -> None:
    if v.get("ipa") or v.get("audio"):
        names = [(p.get("media") or {}).get("href") for p in e["pronunciations"]]
        if v.get("audio") not in names or (v.get("ipa") and not v.get("audio")):
            media = _media(doc, "audio", v["audio"], line) if v.get("audio") else None
            e["pronunciations"].append(
                blank_pronunciation(
                    id=derive_id(e["id"], "pronunciation", str(len(e["pronunciations"]))),
                    ipa=v.get("ipa", ""),
                    media=media,
                )
            )
    sense_key = v.get("sense")
    has_sense_data = any(k in v for k in ("gloss", "definition", "pos", "semantic_domain"))
    if sense_key is not None and sense_key in senses:
        s = senses[sense_key]
    elif sense_key is None and not has_sense_data and e["senses"]:
        s = e["senses"][-1]  # an example-only row adds to the sense above
    else:
        s = blank_sense(
            id=derive_id(e["id"], "sense", str(len(senses))), part_of_speech=v.get("pos")
        )
        parent = senses.get((sense_key or "").rpartition(".")[0])
        # "1.2" under an existing "1" is a subsense, as the export numbers them.
        (parent["subsenses"] if parent else e["senses"]).append(s)
        senses[sense_key if sense_key is not None else f"#{len(senses)}"] = s
        if e["part_of_speech"] is None:
            e["part_of_speech"] = v.get("pos")
    for k, target in (("gloss", "glosses"), ("definition", "definitions")):
        for lang, text in (v.get(k) or {}).items():
            s[target].setdefault(lang, text)
    if v.get("semantic_domain"):
        for d in v["semantic_domain"].split(";"):
            if d.strip() and d.strip() not in s["semantic_domains"]:
                s["semantic_domains"].append(d.strip())
    if v.get("note"):
        s["notes"].append({"type": "general", "text": v["note"]})
    if v.get("example_text") or v.get("example_tr"):
        s["examples"].append(
            blank_example(
                id=derive_id(s["id"], "example", str(len(s["examples"]))),
                text=v.get("example_text") or {},
                translations=v.get("example_tr") or {},
            )
        )
    if v.get("picture"):
        s["pictures"].append(
            blank_picture(
                id=derive_id(s["id"], "picture", str(len(s["pictures"]))),
                media=_media(doc, "image", v["picture"], line),
            )
        )
    if v.get("extra"):
        s.setdefault("extra", {}).setdefault("table", {}).update(v["extra"])
