"""LIFT 0.13 packages (FieldWorks, WeSay): read a .lift file, folder or zip; write one back.

The mapping lives in `lift_read` / `lift_write`; this module handles the package around it
(header, .lift-ranges found beside the file, WritingSystems/, audio/ and pictures/), version
checks, safe parsing and the canonical "facts" used to prove a round trip loses nothing.

Why not `lift-utils` (PyPI 0.4.1, SIL CAR): weighed by the round-trip test (parse -> write ->
compare facts) it lost 60 facts of AllFLExFields (traits, custom fields, a translation), 3,430
of Sena (notes, spans, translations), crashed on WeSay's header-less Biatah file, and parses
with lxml's default (entity-resolving) parser. This mapping loses none on those files.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from lexicon.errors import ImportRejected
from lexicon.io.bulk import gc_paused
from lexicon.io.lift.elements import to_xml, to_xml_checked
from lexicon.io.lift.raw import raw_sources
from lexicon.io.lift.read import Reader
from lexicon.io.lift.refs import resolve_relations, target_keys
from lexicon.io.lift.unchanged import Kept, kept, settle
from lexicon.io.lift.write import Writer, _entry_lift_id, _lx, indent
from lexicon.io.safety import (
    DEFAULT_LIMITS,
    Limits,
    check_file_size,
    check_xml_prolog,
    nfc,
    package_file,
    refuse_doctype,
    safe_extract,
    xml_iterparse,
    xml_parser,
)
from lexicon.shape.entry import iter_senses

PRODUCER = "Wordkeep 0.1"
MEDIA_DIRS = {"audio": "audio", "image": "pictures"}


class LiftVersionError(ImportRejected):
    """The LIFT file is older than 0.13 (or names no version)."""


class NotLift(ImportRejected):
    """The file is not a LIFT document."""


@dataclass
class LiftDocument:
    """A whole LIFT package in memory: entries as dicts plus what surrounds them."""

    entries: list[dict] = field(default_factory=list)
    producer: str = ""
    version: str = "0.13"
    header_xml: str | None = None
    field_defs: dict[str, dict] = field(default_factory=dict)
    range_refs: dict[str, str] = field(default_factory=dict)
    ranges: dict[str, list[dict]] = field(default_factory=dict)
    ranges_xml: str | None = None
    writing_systems: dict[str, str] = field(default_factory=dict)
    vernacular_ws: list[str] = field(default_factory=list)
    analysis_ws: list[str] = field(default_factory=list)
    media: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    raw_entries: list[str] = field(default_factory=list)
    deleted_ids: list[str] = field(default_factory=list)  # FLEx tombstones (dateDeleted)
    kept: list[str] = field(default_factory=list)  # stored ids of entries left unread (unchanged)
    # Written as they are, {entry id: `<entry>` text} (lift.write.plain_source, checked by the
    # caller); those entries' dicts need only what the others' relations ask of them.
    verbatim: dict[str, str] = field(default_factory=dict)
    name: str = "lexicon"
    base_dir: Path | None = None
    _tmp: str | None = None

    def package_extra(self) -> dict:
        """What to keep on the dictionary (`extra["lift"]`) so an export can rebuild the package."""
        return {
            "producer": self.producer,
            "header_xml": self.header_xml,
            "ranges_xml": self.ranges_xml,
            "writing_systems": self.writing_systems,
            "name": self.name,
            "raw_entries": self.raw_entries,
        }

    @classmethod
    def from_parts(
        cls, *, entries: list[dict], lift_extra: dict | None = None, verbatim: dict | None = None
    ) -> LiftDocument:
        """Build a document from stored entries and a dictionary's `extra["lift"]`."""
        lx = lift_extra or {}
        return cls(
            entries=entries,
            verbatim=verbatim or {},
            producer=lx.get("producer") or "",
            header_xml=lx.get("header_xml"),
            ranges_xml=lx.get("ranges_xml"),
            writing_systems=dict(lx.get("writing_systems") or {}),
            name=lx.get("name") or "lexicon",
            raw_entries=list(lx.get("raw_entries") or []),
        )

    def find_media(self, href: str, kind: str) -> Path | None:
        """The file an href names inside the package, looked up where FLEx and WeSay put it.

        A URL, an absolute path or a `..` step never resolves (safety.package_file)."""
        if self.base_dir is None or not href:
            return None
        sub = MEDIA_DIRS.get(kind, "audio")
        return package_file(href, self.base_dir, look_in=("", sub, "audio", "pictures", "others"))

    def close(self) -> None:
        """Remove the folder a zip was unpacked into."""
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---------------------------------------------------------------------- reading
@gc_paused()
def read_lift(path, *, limits: Limits = DEFAULT_LIMITS, known: dict | None = None) -> LiftDocument:
    """Read a .lift file, a folder holding one, or a zip package; refuse what is unsafe or old.

    `known` ({synced_source: (stored id, headword)}, lift.unchanged) names entries stored as
    they are in the file: those are left unread, their stored ids listed in `kept`."""
    path = Path(path)
    tmp = None
    if path.is_file() and zipfile.is_zipfile(path):
        tmp = tempfile.mkdtemp(prefix="wordkeep-lift-")
        safe_extract(path, Path(tmp), limits)
        folder = Path(tmp)
    elif path.is_dir():
        folder = path
    else:
        folder = None
    try:
        lift_path = find_lift(folder) if folder else path
        doc = _read_lift_file(lift_path, limits, known or {})
    except BaseException:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    doc._tmp = tmp
    return doc


def find_lift(folder: Path) -> Path:
    found = sorted(p for p in folder.rglob("*.lift") if p.is_file() and "__MACOSX" not in p.parts)
    if not found:
        raise NotLift(f"{folder.name}: no .lift file in the package")
    # Several .lift files: FLEx puts the lexicon at the top level, so take the shallowest.
    return min(found, key=lambda p: (len(p.parts), p.name))


def _check_version(root, path: Path) -> str:
    if root.tag != "lift":
        raise NotLift(f"{path.name}: the root element is <{root.tag}>, not <lift>")
    version = root.get("version")
    try:
        parts = tuple(int(p) for p in (version or "").split("."))
    except ValueError:
        parts = ()
    if not parts or parts < (0, 13):
        said = f"version {version}" if version else "no version attribute"
        raise LiftVersionError(
            f"{path.name}: LIFT {said} is older than 0.13, which Wordkeep needs; open it in a "
            f"current FieldWorks or WeSay and export LIFT 0.13 again"
        )
    return version or "0.13"


def _read_lift_file(path: Path, limits: Limits, known: dict) -> LiftDocument:
    check_file_size(path, limits)
    check_xml_prolog(path, "LIFT file")
    doc = LiftDocument(name=path.stem, base_dir=path.parent)
    reader = Reader(path.name)
    root = None
    items: list = []  # the entries in file order: entry dicts, and Kept ones when `known`
    # Events only for the elements handled here: lxml still builds every element, but Python
    # sees 24k events instead of a million (the read is then mostly the Reader's own work).
    events = xml_iterparse(path, events=("start", "end"), tag=("lift", "entry", "header"))
    try:
        for event, el in events:
            if event == "start":
                if root is None:
                    root = el.getroottree().getroot()
                    doc.version = _check_version(root, path)
                    doc.producer = nfc(root.get("producer"))
                continue
            if el.getparent() is not root:
                continue
            _skip_top_level(root, el, reader)
            if el.tag != "entry":
                _read_header(el, doc)
            else:
                _read_entry(el, doc, reader, items, known)
            el.clear()
    except etree.XMLSyntaxError as exc:
        raise ImportRejected(f"{path.name}: not well-formed XML: {exc}") from exc
    if root is None:  # no <lift> element anywhere
        if events.root is None:
            raise NotLift(f"{path.name}: empty file")
        _check_version(events.root, path)  # refuses: the root is something else
    refuse_doctype(events.root, path.name, "LIFT file")
    _skip_top_level(root, None, reader)
    targets = _settle(items, doc, reader)  # before: it adds the entries read after all
    resolve_relations(doc.entries, reader.warn, targets)
    raw_sources(path, doc.entries)
    _read_ranges(path, doc, reader, limits)
    _read_writing_systems(path.parent, doc)
    doc.vernacular_ws = _ranked(reader.langs_vern)
    doc.analysis_ws = _ranked(reader.langs_anal)
    _collect_media(doc, reader)
    if reader.non_nfc:
        reader.warn(None, f"{reader.non_nfc} text values were not in Unicode NFC; normalised")
    doc.warnings = [{"file": path.name, **w} for w in reader.warnings]
    return doc


def _settle(items: list, doc: LiftDocument, reader: Reader) -> dict | None:
    """Read the Kept entries whose relations need it; list the others in `doc.kept`; return
    the relation targets of the whole file (None when every entry was read)."""
    if not doc.kept:
        return None
    for at in settle(items, target_keys):
        source, line = items[at].source, items[at].line
        items[at] = reader.entry(etree.fromstring(source.encode("utf-8"), xml_parser()), source)
        items[at]["extra"]["lift"]["source_line"] = line  # its line in the file (raw_sources)
    doc.entries = [item for item in items if not isinstance(item, Kept)]
    doc.kept = [item.stored_id for item in items if isinstance(item, Kept)]
    ids: dict = {}
    for item in items:
        ids.update(item.keys if isinstance(item, Kept) else target_keys(item))
    return ids


def _read_entry(el, doc: LiftDocument, reader: Reader, items: list, known: dict) -> None:
    """Read one `<entry>` into `doc` and `items`; one stored unchanged (`known`) is not read
    but listed in `items` as a Kept entry."""
    source, nfc_already = to_xml_checked(el)
    if (item := kept(el, source, known)) is not None:
        items.append(item)
        doc.kept.append(item.stored_id)
        return
    reader.nfc_already = nfc_already  # every value NFC: none to check (Reader.entry clears it)
    entry = reader.entry(el, source)
    if entry["deleted"] or not entry["headword"]:
        # FLEx tombstones and headword-less entries cannot be dictionary entries;
        # they are kept verbatim and written back so nothing is lost.
        doc.raw_entries.append(to_xml(el))
        if entry["deleted"]:
            doc.deleted_ids.append(entry["id"])
        else:
            reader.warn(el, "entry without a headword kept as is, not imported")
    else:
        doc.entries.append(entry)
        items.append(entry)


def _skip_top_level(root, upto, reader: Reader) -> None:
    """Drop the top-level elements before `upto` (all when None), warning about non-LIFT ones;
    handled ones are empty already, so memory stays flat however long the file is."""
    while len(root) and root[0] is not upto:
        first = root[0]
        if isinstance(first.tag, str) and first.tag not in ("entry", "header"):
            reader.warn(first, f"<{first.tag}> at the top level is not LIFT; ignored")
        del root[0]


def _ranked(counts: dict[str, int]) -> list[str]:
    return [k for k, _ in sorted(counts.items(), key=lambda kv: -kv[1])]


def _read_header(el, doc: LiftDocument) -> None:
    doc.header_xml = to_xml(el)
    for f in el.iterfind("fields/field"):
        doc.field_defs[nfc(f.get("tag"))] = {
            nfc(form.get("lang")): nfc("".join(form.itertext())) for form in f.iterfind("form")
        }
    for r in el.iterfind("ranges/range"):
        doc.range_refs[nfc(r.get("id"))] = nfc(r.get("href"))
        if len(r):
            doc.ranges[nfc(r.get("id"))] = _range_elements(r)


def _range_elements(r) -> list[dict]:
    out = []
    for re_ in r.iterfind("range-element"):
        item = {
            "id": nfc(re_.get("id")),
            "parent": nfc(re_.get("parent")) or None,
            "guid": re_.get("guid"),
            "label": {},
            "abbrev": {},
        }
        for part in re_:  # the forms of every <label> and <abbrev>, as label/form would find
            if part.tag in ("label", "abbrev"):
                forms = item[part.tag]
                for f in part:
                    if f.tag == "form":
                        forms[nfc(f.get("lang"))] = nfc("".join(f.itertext()))
        out.append(item)
    return out


def _read_ranges(lift_path: Path, doc: LiftDocument, reader: Reader, limits: Limits) -> None:
    """The ranges file is looked for beside the .lift; its href is often an absolute C:/ path."""
    cands = [lift_path.with_suffix(".lift-ranges")] + sorted(lift_path.parent.glob("*.lift-ranges"))
    found = next((p for p in cands if p.is_file()), None)
    if found is None:
        if doc.range_refs and any(doc.range_refs.values()):
            reader.warn(None, "the header names a .lift-ranges file but none is beside the .lift")
        return
    check_file_size(found, limits)
    check_xml_prolog(found, "LIFT ranges file")
    try:
        tree = etree.parse(str(found), xml_parser())
    except etree.XMLSyntaxError as exc:
        raise ImportRejected(f"{found.name}: not well-formed XML: {exc}") from exc
    refuse_doctype(tree, found.name, "LIFT ranges file")
    doc.ranges_xml = nfc(etree.tostring(tree, encoding="unicode"))
    for r in tree.getroot().iterfind("range"):
        doc.ranges.setdefault(nfc(r.get("id")), []).extend(_range_elements(r))


def _read_writing_systems(folder: Path, doc: LiftDocument) -> None:
    ws_dir = folder / "WritingSystems"
    if ws_dir.is_dir():
        for p in sorted(ws_dir.glob("*.ldml")):
            if p.stat().st_size < 2 * 1024 * 1024:
                doc.writing_systems[p.name] = p.read_text("utf-8", errors="replace")


def _collect_media(doc: LiftDocument, reader: Reader) -> None:
    for ref in reader.media:
        path = doc.find_media(ref["href"], ref["kind"])
        ref["path"] = str(path) if path else None
        if path is None:
            reader.warn(
                None,
                f"line {ref['line']}: {ref['kind']} file {ref['href']!r} is not "
                f"in the package (reference kept)",
            )
    doc.media = reader.media


# ---------------------------------------------------------------------- writing
def write_lift(doc_or_parts, dest, *, media_files: dict | None = None, media_href=None) -> Path:
    """Write a LIFT package: `dest` ending in .zip gives a zip, otherwise a folder.

    `media_files` maps a package path (`audio/x.mp3`) to a source file path; a document read
    from disk brings its own media along.
    """
    doc = (
        doc_or_parts
        if isinstance(doc_or_parts, LiftDocument)
        else LiftDocument.from_parts(
            entries=doc_or_parts["entries"], lift_extra=doc_or_parts.get("lift_extra")
        )
    )
    dest = Path(dest)
    if dest.suffix.lower() == ".zip":
        with tempfile.TemporaryDirectory(prefix="wordkeep-lift-out-") as tmp:
            _write_folder(doc, Path(tmp), media_files, media_href)
            dest.parent.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
                for p in sorted(Path(tmp).rglob("*")):
                    if p.is_file():
                        zf.write(p, p.relative_to(tmp).as_posix())
        return dest
    _write_folder(doc, dest, media_files, media_href)
    return dest / f"{doc.name}.lift"


def _write_folder(doc: LiftDocument, folder: Path, media_files, media_href) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    name = _safe_name(doc.name)
    ranges_name = f"{name}.lift-ranges" if doc.ranges_xml else None
    if doc.ranges_xml:
        (folder / ranges_name).write_text(_xml_decl(doc.ranges_xml), "utf-8")
    for fname, text in doc.writing_systems.items():
        ws = folder / "WritingSystems"
        ws.mkdir(exist_ok=True)
        (ws / _safe_name(fname)).write_text(text, "utf-8")
    files = dict(media_files or {})
    if not files and doc.base_dir is not None:
        for ref in doc.media:
            if ref.get("path"):
                sub = MEDIA_DIRS.get(ref["kind"], "audio")
                files[f"{sub}/{Path(ref['path']).name}"] = ref["path"]
    for rel, src in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(src, bytes):
            target.write_bytes(src)
        else:
            shutil.copyfile(src, target)
    _write_lift_xml(doc, folder / f"{name}.lift", ranges_name, media_href)


def _safe_name(name: str) -> str:
    cleaned = "".join(c for c in name if c not in '/\\:*?"<>|\0').strip(". ")
    return cleaned or "lexicon"


def _xml_decl(xml: str) -> str:
    return xml if xml.startswith("<?xml") else '<?xml version="1.0" encoding="UTF-8"?>\n' + xml


def _header_element(doc: LiftDocument, ranges_name: str | None):
    if not doc.header_xml:
        return None
    header = etree.fromstring(doc.header_xml, xml_parser())
    for r in header.iterfind("ranges/range"):
        # Point at the ranges file that travels with this package, not at someone's C: drive.
        if ranges_name and r.get("href") is not None:
            r.set("href", ranges_name)
    return header


def _write_lift_xml(doc: LiftDocument, path: Path, ranges_name, media_href) -> None:
    refs: dict[str, str] = {}
    for e in doc.entries:
        refs[e["id"]] = (_lx(e).get("attrs") or {}).get("id") or _entry_lift_id(e)
        for s in iter_senses(e):
            refs[s["id"]] = (_lx(s).get("attrs") or {}).get("id") or s["id"]
    writer = Writer(refs, media_href)
    # Untouched entries go out as the file had them (lexicon.shape.verbatim), in its line ends.
    sources = [doc.verbatim.get(e["id"]) or writer.verbatim(e) for e in doc.entries]
    newline = "\r\n" if any(src and "\r\n" in src for src in sources) else "\n"

    def xml(el) -> str:
        el.tail = None
        text = etree.tostring(el, encoding="unicode")
        return text.replace("\n", newline) if newline != "\n" else text

    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(f'<?xml version="1.0" encoding="UTF-8"?>{newline}')
        fh.write(f'<lift version="0.13" producer="{PRODUCER}">{newline}')
        header = _header_element(doc, ranges_name)
        if header is not None:
            indent(header, 1)
            fh.write(xml(header) + newline)
        for e, source in zip(doc.entries, sources, strict=True):
            if source is None:
                el = writer.entry(e)
                indent(el, 1)
                source = xml(el)
            fh.write(source + newline)
        for raw in doc.raw_entries:
            fh.write(xml(etree.fromstring(raw, xml_parser())) + newline)
        fh.write(f"</lift>{newline}")
