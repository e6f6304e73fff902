"""Open an import source of any format as one `Parsed` bundle (entries, media, messages)."""

from __future__ import annotations

import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lexicon.errors import ImportRejected
from lexicon.io.cldf.read import read_cldf
from lexicon.io.jsonio import read_json
from lexicon.io.lift.package import read_lift
from lexicon.io.mdf.markers import fields
from lexicon.io.mdf.read import read_mdf
from lexicon.io.safety import Limits, package_file, safe_extract
from lexicon.io.tabular.read import read_table
from lexicon.io.textpack import PackageTexts, find_in_package, texts_list

MEDIA_SUBDIRS = ("", "audio", "pictures", "media", "images", "sound", "sounds")


@dataclass
class Parsed:
    format: str
    entries: list[dict] = field(default_factory=list)
    media: list[dict] = field(default_factory=list)  # {"kind", "href", "path"}
    warnings: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    lift_extra: dict | None = None
    deleted_ids: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # ids of stored entries left unread (LIFT)
    vernacular_ws: list[str] = field(default_factory=list)
    analysis_ws: list[str] = field(default_factory=list)
    # What the file says of its language and itself (CLDF's LanguageTable and properties):
    # prefills a dictionary created from it (lexicon.io.starting).
    languages: list[dict] = field(default_factory=list)  # {"code", "name", "glottocode"}
    metadata: dict = field(default_factory=dict)
    texts: PackageTexts = field(default_factory=PackageTexts)  # lexicon.io.textpack
    _closers: list = field(default_factory=list)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for close in self._closers:
            close()


def _unzip(path: Path, limits: Limits, closers: list) -> Path:
    tmp = tempfile.TemporaryDirectory(prefix="wordkeep-import-")
    closers.append(tmp.cleanup)
    safe_extract(path, Path(tmp.name), limits)
    return Path(tmp.name)


def _pick(folder: Path, suffixes: tuple[str, ...], what: str) -> Path:
    """The package's file of that format: the shallowest, by name; for MDF the first that
    holds a record (a `\\lx` line), so a README.txt or an examples file beside the lexicon
    is not taken for it."""
    found = sorted(
        (p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in suffixes),
        key=lambda p: (len(p.parts), p.name),
    )
    if not found:
        raise ImportRejected(f"no {what} file in the package")
    if what == "MDF":
        return next((p for p in found if _has_records(p)), found[0])
    return found[0]


def _has_records(path: Path, head: int = 1 << 20) -> bool:
    """Whether the first MiB of a Toolbox file has an `\\lx` record (as read_mdf finds them)."""
    with path.open("rb") as f:
        text = f.read(head).decode("utf-8", "replace").lstrip("\ufeff")
    return any(marker == "lx" for _, marker, _ in fields(text))


def resolve_media(refs: list[dict], base: Path, warnings: list[dict] | None = None) -> None:
    """Fill in `path` for each reference found inside the package at `base` (beside the file,
    or in audio/, pictures/ ...); one that is not gets a "not in the package" warning."""
    for ref in refs:
        if ref.get("path"):
            continue
        found = None
        for name in dict.fromkeys(filter(None, (ref.get("href"), ref.get("also")))):
            found = package_file(name, base, look_in=MEDIA_SUBDIRS)
            if found:
                break
        ref["path"] = str(found) if found else None
        if found is None and warnings is not None:
            line = f"line {ref['line']}: " if ref.get("line") else ""
            warnings.append(
                {
                    "line": None,
                    "message": f"{line}{ref.get('kind') or 'media'} file "
                    f"{str(ref.get('href'))[:200]!r} is not in the package (reference kept)",
                }
            )


PACKAGE_SIGNS = (
    ("lift", (".lift",)),
    ("cldf", ("-metadata.json",)),
    ("json", (".json",)),
    ("csv", (".csv", ".tsv")),
    ("xlsx", (".xlsx",)),
    ("mdf", (".sfm", ".db", ".mdf", ".txt")),
)


def detect_format(path: Path) -> str:
    """Guess the format from the name (and, for zips and folders, what is inside)."""
    path = Path(path)
    suffix = path.suffix.lower()
    by_suffix = {
        ".lift": "lift",
        ".csv": "csv",
        ".tsv": "csv",
        ".xlsx": "xlsx",
        ".json": "json",
        ".sfm": "mdf",
        ".db": "mdf",
        ".txt": "mdf",
        ".mdf": "mdf",
    }
    if suffix in by_suffix:
        if suffix == ".json" and path.name.endswith("-metadata.json"):
            return "cldf"
        return by_suffix[suffix]
    names: list[str] = []
    if path.is_dir():
        names = [p.name.lower() for p in path.rglob("*") if p.is_file()]
    elif suffix == ".zip" and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            names = [n.rsplit("/", 1)[-1].lower() for n in zf.namelist()]
    # In this order: a LIFT or CLDF package carries other files (texts, tables) beside its
    # own; a README.txt, as exports of every format carry, says nothing of the format.
    for fmt, ends in PACKAGE_SIGNS:
        if any(n.endswith(ends) and n != "readme.txt" for n in names):
            return fmt
    raise ImportRejected(
        f"{path.name}: cannot tell the format; give it (lift, csv, xlsx, cldf, mdf or json)"
    )


def parse(
    path: Path, fmt: str, dictionary, options: dict, limits: Limits, known: dict | None = None
) -> Parsed:
    """Read `path` as `fmt` with the dictionary's languages as defaults (`known`: LIFT
    entries stored unchanged, lift.unchanged)."""
    vern = (dictionary.vernacular_ws or [dictionary.language_code or "und"])[0] or "und"
    analysis = dictionary.analysis_ws or ["en"]
    out = Parsed(format=fmt)
    try:
        _parse_into(out, path, fmt, vern, analysis, options, limits, known)
    except BaseException:
        out.__exit__(None, None, None)
        raise
    return out


def _parse_into(out: Parsed, path, fmt, vern, analysis, options, limits, known) -> None:
    if fmt == "lift":
        doc = read_lift(path, limits=limits, known=known)
        out._closers.append(doc.close)
        out.entries, out.media, out.warnings = doc.entries, doc.media, doc.warnings
        out.lift_extra = doc.package_extra()
        out.deleted_ids, out.kept = doc.deleted_ids, doc.kept
        out.vernacular_ws, out.analysis_ws = doc.vernacular_ws, doc.analysis_ws
        if doc._tmp or path.is_dir():  # a package: texts may sit beside the .lift
            out.texts = find_in_package(doc.base_dir, limits)
        return
    base = root = path if path.is_dir() else path.parent
    if path.suffix.lower() == ".zip" and fmt in ("mdf", "cldf", "json"):
        base = root = _unzip(path, limits, out._closers)
        pick = {"mdf": (".sfm", ".db", ".txt", ".mdf"), "cldf": (".json",), "json": (".json",)}
        path = _pick(base, pick[fmt], fmt.upper())
        if fmt == "cldf":
            path = next(iter(sorted(base.rglob("*-metadata.json"))), path)
        base = path.parent
    if fmt == "mdf":
        doc = read_mdf(
            path,
            vernacular=vern,
            english=options.get("english", "en"),
            national=options.get("national")
            or (analysis[1] if len(analysis) > 1 else "qaa-x-national"),
            regional=options.get("regional", "qaa-x-regional"),
            marker_map=options.get("marker_map"),
            limits=limits,
        )
        out.entries, out.media, out.warnings = doc.entries, doc.media, doc.warnings
    elif fmt == "cldf":
        doc = read_cldf(path, meta_language=analysis[0], root=root, limits=limits)
        out.entries, out.media, out.warnings = doc.entries, doc.media, doc.warnings
        out.languages, out.metadata = doc.languages, doc.metadata
    elif fmt in ("csv", "xlsx"):
        doc = read_table(
            path, mapping=options.get("mapping"), vernacular=vern, meta=analysis[0], limits=limits
        )
        out._closers.append(doc.close)
        out.entries, out.media = doc.entries, doc.media
        out.warnings, out.errors = doc.warnings, doc.errors
        base = doc.base or base
    elif fmt == "json":
        doc = read_json(path, limits=limits)
        out.entries, out.media, out.warnings = doc.entries, doc.media, doc.warnings
        out.texts = PackageTexts(texts_list(doc.texts, path.name), base, path.name)
    resolve_media(out.media, base, out.warnings)
