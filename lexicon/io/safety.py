"""Guards for hostile input: zip bombs, path traversal, oversized files, XML entity tricks.

Every importer opens what a user uploads through these helpers, so a bad file is refused with
a message naming the problem before anything is written.
"""

from __future__ import annotations

import stat
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

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


def check_xml_prolog(path: Path, what: str = "XML file") -> None:
    """Refuse XML whose prolog has a DOCTYPE with entity declarations (billion laughs, XXE)."""
    with open(path, "rb") as fh:
        head = fh.read(256 * 1024)
    # The prolog ends where the first element starts; entity declarations can only be before.
    upper = head.upper()
    if b"<!ENTITY" in upper:
        raise UnsafeXML(
            f"{Path(path).name}: {what} declares XML entities (a 'billion laughs' or external "
            f"entity attack); refused"
        )
    if b"<!DOCTYPE" in upper:
        raise UnsafeXML(f"{Path(path).name}: {what} has a DOCTYPE declaration; refused")


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
