"""Guards for hostile input: zip bombs, path traversal, oversized files, XML entity tricks.

Every importer opens what a user uploads through these helpers, so a bad file is refused with
a message naming the problem before anything is written.
"""

from __future__ import annotations

import re
import stat
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from lxml import etree

from lexicon.errors import ImportRejected, TooLarge


@dataclass(frozen=True)
class Limits:
    """Size limits for one import; the defaults suit a large community dictionary with audio."""

    max_file_bytes: int = 200 * 1024 * 1024
    max_zip_members: int = 20_000
    max_member_bytes: int = 200 * 1024 * 1024
    max_total_bytes: int = 2 * 1024 * 1024 * 1024
    max_ratio: int = 200  # uncompressed / compressed, per member; zip bombs reach 1000+


DEFAULT_LIMITS = Limits()


class UnsafeArchive(ImportRejected):
    """The archive is unsafe to unpack (path traversal, too many or too large members)."""


class UnsafeXML(ImportRejected):
    """The XML declares entities or a DTD, which an interchange file never needs."""


def nfc(text: str | None) -> str:
    """Return `text` in Unicode NFC ('' for None)."""
    if not text:
        return ""
    return unicodedata.normalize("NFC", text)


def check_file_size(path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse a file larger than the configured limit."""
    size = Path(path).stat().st_size
    if size > limits.max_file_bytes:
        raise TooLarge(
            f"{Path(path).name}: {size:,} bytes is over the import limit of "
            f"{limits.max_file_bytes:,} bytes"
        )


def _safe_member_path(name: str) -> PurePosixPath:
    """Return the member's relative path, or refuse names that would land outside the target."""
    clean = name.replace("\\", "/")
    p = PurePosixPath(clean)
    if clean.startswith("/") or (len(clean) > 1 and clean[1] == ":") or ".." in p.parts:
        raise UnsafeArchive(f"zip member {name!r} has a path outside the archive (path traversal)")
    return p


def check_zip(zf: zipfile.ZipFile, limits: Limits = DEFAULT_LIMITS) -> list[zipfile.ZipInfo]:
    """Check every member of an open zip; return the file members (directories left out)."""
    infos = zf.infolist()
    if len(infos) > limits.max_zip_members:
        raise UnsafeArchive(
            f"zip has {len(infos):,} members, more than the limit of {limits.max_zip_members:,}"
        )
    total = 0
    files = []
    for info in infos:
        _safe_member_path(info.filename)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise UnsafeArchive(f"zip member {info.filename!r} is a symbolic link")
        if info.is_dir():
            continue
        if info.file_size > limits.max_member_bytes:
            raise UnsafeArchive(
                f"zip member {info.filename!r} unpacks to {info.file_size:,} bytes, over the "
                f"limit of {limits.max_member_bytes:,}"
            )
        if info.compress_size and info.file_size / info.compress_size > limits.max_ratio:
            raise UnsafeArchive(
                f"zip member {info.filename!r} is compressed {info.file_size // info.compress_size}"
                f":1, which looks like a zip bomb"
            )
        total += info.file_size
        files.append(info)
    if total > limits.max_total_bytes:
        raise UnsafeArchive(
            f"zip unpacks to {total:,} bytes, over the limit of {limits.max_total_bytes:,}"
        )
    return files


def safe_extract(zip_path: Path, dest: Path, limits: Limits = DEFAULT_LIMITS) -> list[Path]:
    """Unpack a zip into `dest` after checking it; return the paths written."""
    check_file_size(zip_path, limits)
    try:
        zf = zipfile.ZipFile(zip_path)
    except zipfile.BadZipFile as exc:
        raise ImportRejected(f"{Path(zip_path).name}: not a readable zip file ({exc})") from exc
    written = []
    with zf:
        dest = Path(dest).resolve()
        for info in check_zip(zf, limits):
            rel = _safe_member_path(info.filename)
            target = (dest / rel).resolve()
            if dest not in target.parents:
                raise UnsafeArchive(f"zip member {info.filename!r} would be written outside")
            target.parent.mkdir(parents=True, exist_ok=True)
            # Copy in chunks and count, since the header's size can lie.
            budget = limits.max_member_bytes
            with zf.open(info) as src, open(target, "wb") as out:
                while chunk := src.read(1 << 20):
                    budget -= len(chunk)
                    if budget < 0:
                        raise UnsafeArchive(f"zip member {info.filename!r} is larger than stated")
                    out.write(chunk)
            written.append(target)
    return written


def xml_parser() -> etree.XMLParser:
    """An lxml parser with entities, DTD loading and network access turned off."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=False,
    )


# What an XML file never needs here; looked for in the whole document, in UTF-8 and UTF-16.
_XML_MARKERS = tuple(
    (word, enc) for word in ("<!ENTITY", "<!DOCTYPE") for enc in ("ascii", "utf-16-le", "utf-16-be")
)
_XML_SCAN_CHUNK = 1 << 20


def check_xml_stream(fh, name: str, what: str = "XML file") -> None:
    """Refuse an XML document (an open binary file) with a DOCTYPE or entity declarations
    anywhere in it (billion laughs, XXE, entities that would break every later export).

    The whole document is read, not only its head: padding cannot hide a declaration."""
    patterns = [(word, word.encode(enc)) for word, enc in _XML_MARKERS]
    keep = max(len(p) for _, p in patterns) - 1
    tail = b""
    while chunk := fh.read(_XML_SCAN_CHUNK):
        window = (tail + chunk).upper()
        for word, pattern in patterns:
            if pattern in window:
                if word == "<!ENTITY":
                    raise UnsafeXML(
                        f"{name}: {what} declares XML entities (a 'billion laughs' or external "
                        f"entity attack); refused"
                    )
                raise UnsafeXML(f"{name}: {what} has a DOCTYPE declaration; refused")
        tail = window[-keep:]


def check_xml_prolog(path: Path, what: str = "XML file") -> None:
    """Refuse an XML file with a DOCTYPE or entity declarations anywhere (see check_xml_stream)."""
    with open(path, "rb") as fh:
        check_xml_stream(fh, Path(path).name, what)


def check_xml_members(zf: zipfile.ZipFile, what: str) -> None:
    """The same check for every XML part of a zip-based document (an .xlsx workbook)."""
    for info in zf.infolist():
        if info.is_dir() or not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        with zf.open(info) as fh:
            check_xml_stream(fh, info.filename, what)


def refuse_doctype(tree, name: str, what: str = "XML file") -> None:
    """After parsing: refuse a document whose parser saw a DOCTYPE (however it was spelt)."""
    docinfo = tree.getroottree().docinfo if hasattr(tree, "getroottree") else tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise UnsafeXML(f"{name}: {what} has a DOCTYPE declaration; refused")


def xml_iterparse(path: Path, **kw):
    """lxml iterparse with the same safe settings as `xml_parser`."""
    return etree.iterparse(
        str(path),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        **kw,
    )


# ---------------------------------------------------------------------- names inside a package
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_DRIVE = re.compile(r"^[A-Za-z]:(/|$)")


class OutsidePackage(ImportRejected):
    """A file in the upload names a file outside the upload (or a URL): refused."""


def package_ref_problem(name) -> str | None:
    """Why `name` cannot name a file inside an upload, or None when it may.

    A name inside a package is a relative path: no URL scheme (nothing is ever fetched), not
    absolute, no `..` step, no NUL; percent-escapes are checked decoded too."""
    if not isinstance(name, str) or not name.strip():
        return "is not a file name"
    for form in dict.fromkeys((name, unquote(name))):
        clean = form.replace("\\", "/")
        if "\x00" in clean:
            return "contains a NUL character"
        if _DRIVE.match(clean) or clean.startswith("/"):
            return "is an absolute path"
        if _SCHEME.match(clean):
            return "is a URL; Wordkeep never fetches URLs"
        if ".." in PurePosixPath(clean).parts:
            return "steps out of its folder with '..'"
    return None


def _local_absolute(name: str) -> bool:
    """An absolute path on the keeper's own disk (a drive, a root, or a file: URL), with no
    '..' step: its last part may name a file the package carries."""
    for form in dict.fromkeys((name, unquote(name))):
        clean = form.replace("\\", "/")
        if "\x00" in clean or ".." in PurePosixPath(clean).parts:
            return False
    clean = name.replace("\\", "/")
    if clean.lower().startswith("file:"):
        return True
    return bool(_DRIVE.match(clean) or clean.startswith("/"))


def _inside(path: Path, root: Path) -> bool:
    return root in path.parents


def package_path(name, root: Path, what: str) -> Path:
    """The path `name` gives inside the package at `root` (it need not exist yet);
    refuse (OutsidePackage, naming `what`) a name that leads outside it, symbolic links
    followed."""
    problem = package_ref_problem(name)
    if problem:
        raise OutsidePackage(
            f"{what}: {str(name)[:200]!r} {problem}; an import reads only files inside the upload"
        )
    root = Path(root).resolve()
    cand = (root / name.replace("\\", "/")).resolve()
    if not _inside(cand, root):
        raise OutsidePackage(
            f"{what}: {name[:200]!r} leads outside the upload (a symbolic link); "
            f"an import reads only files inside the upload"
        )
    return cand


def package_file(name, root: Path, *, look_in: tuple[str, ...] = ("",)) -> Path | None:
    """The file that `name` (a media href, a `\\pc` value, a media column ...) names inside
    the package at `root`, or None: "not in the package".

    The one resolver every import format uses. The name is tried as given and by its last
    part, in each folder of `look_in` (where FLEx, WeSay or a spreadsheet keep media). An
    absolute path on the keeper's disk is tried by its last part only; a network URL, a `..`
    step, or a symbolic link out of the package never resolves."""
    if not isinstance(name, str):
        return None
    clean = unicodedata.normalize("NFC", name.replace("\\", "/"))
    base = clean.rsplit("/", 1)[-1]
    names = (clean, base)
    if package_ref_problem(name):
        # FLEx and Toolbox write the keeper's own absolute paths (C:\\Users\\...\\x.wav,
        # file://D:/...): the package may carry that file by its last part. Only that part is
        # looked for, inside the package; a network URL or a '..' step is never followed.
        if not _local_absolute(name) or base.strip(".") == "" or "\x00" in base:
            return None
        names = (base,)
    root = Path(root).resolve()
    for sub in look_in:
        for rel in dict.fromkeys(names):
            cand = (root / sub / rel).resolve()
            if _inside(cand, root) and cand.is_file():
                return cand
    return None
