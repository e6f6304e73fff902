"""Choosing fonts for a print and checking that they cover every character to be printed.

Typst is told to use exactly the families chosen here (with its own fallback off), so the
coverage reported before printing is the coverage of the PDF.
"""

from __future__ import annotations

import functools
import hashlib
import struct
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from lexicon.errors import InvalidInput

# Families tried, in this order, for characters the chosen font lacks: IPA first, then Noto.
PREFERRED_FALLBACKS = ("Charis SIL", "Doulos SIL", "Andika", "Noto Serif", "Noto Sans")
DEFAULT_FAMILY = "Charis SIL"


class UncoveredCharacters(InvalidInput):
    """Some characters to be printed are in none of the chosen fonts."""

    def __init__(self, message: str = "", *, missing: list[dict] | None = None, **details):
        super().__init__(message, missing=missing or [], **details)
        self.missing = missing or []


class FontNotFound(InvalidInput):
    """The font family asked for is not installed and not in the uploaded font files."""


@dataclass(frozen=True)
class FontChoice:
    """The families given to Typst, the files their coverage was read from, and the gaps."""

    families: tuple[str, ...]
    font_paths: tuple[str, ...]
    missing: tuple[str, ...]


def _read_cmap(data: bytes, offset: int) -> set[int]:
    """Code points mapped by the Unicode subtables of the font starting at `offset`."""
    num_tables = struct.unpack_from(">H", data, offset + 4)[0]
    cmap_at = None
    for i in range(num_tables):
        tag, _, table_offset, _ = struct.unpack_from(">4sIII", data, offset + 12 + 16 * i)
        if tag == b"cmap":
            cmap_at = table_offset
    if cmap_at is None:
        return set()
    count = struct.unpack_from(">H", data, cmap_at + 2)[0]
    points: set[int] = set()
    for i in range(count):
        platform, encoding, sub = struct.unpack_from(">HHI", data, cmap_at + 4 + 8 * i)
        if platform == 0 or (platform == 3 and encoding in (1, 10)):
            points |= _read_subtable(data, cmap_at + sub)
    return points


def _read_subtable(data: bytes, at: int) -> set[int]:
    fmt = struct.unpack_from(">H", data, at)[0]
    points: set[int] = set()
    if fmt == 4:
        segs = struct.unpack_from(">H", data, at + 6)[0] // 2
        ends = struct.unpack_from(f">{segs}H", data, at + 14)
        starts = struct.unpack_from(f">{segs}H", data, at + 16 + 2 * segs)
        deltas = struct.unpack_from(f">{segs}h", data, at + 16 + 4 * segs)
        range_at = at + 16 + 6 * segs
        offsets = struct.unpack_from(f">{segs}H", data, range_at)
        for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
            for cp in range(start, end + 1):
                if cp == 0xFFFF:
                    continue
                if offsets[i] == 0:
                    glyph = (cp + deltas[i]) & 0xFFFF
                else:
                    glyph_at = range_at + 2 * i + offsets[i] + 2 * (cp - start)
                    glyph = struct.unpack_from(">H", data, glyph_at)[0]
                if glyph:
                    points.add(cp)
    elif fmt == 12:
        groups = struct.unpack_from(">I", data, at + 12)[0]
        for g in range(groups):
            start, end, glyph = struct.unpack_from(">III", data, at + 16 + 12 * g)
            points.update(range(start + (glyph == 0), end + 1))
    return points


@functools.lru_cache(maxsize=256)
def font_coverage(path: str, index: int = 0) -> frozenset[int]:
    """The code points a font file (or one face of a collection) has glyphs for."""
    data = Path(path).read_bytes()
    offset = 0
    if data[:4] == b"ttcf":
        offset = struct.unpack_from(">I", data, 12 + 4 * index)[0]
    try:
        return frozenset(_read_cmap(data, offset))
    except struct.error as exc:
        raise InvalidInput(f"font file {Path(path).name}: unreadable cmap table ({exc})") from exc


@functools.lru_cache(maxsize=16)
def _installed(font_paths: tuple[str, ...]) -> dict[str, tuple[str, int]]:
    """Family name (case-folded) -> the regular face's file, for system and given fonts."""
    import typst  # heavy: imported when used (docs/architecture.md)

    faces: dict[str, tuple[str, int]] = {}
    names: dict[str, str] = {}
    for info in typst.Fonts(include_embedded_fonts=False, font_paths=list(font_paths)).fonts():
        if info.path is None:
            continue
        key = info.family.casefold()
        score = (abs(info.weight - 400), info.style != "normal", abs(info.stretch - 1.0))
        if key not in faces or score < faces[key][0]:
            faces[key] = (score, (info.path, info.index))
            names[key] = info.family
    return {names[k]: v[1] for k, v in faces.items()}


def _families_in(font_paths: tuple[str, ...]) -> list[str]:
    import typst  # heavy: imported when used (docs/architecture.md)

    return sorted({i.family for i in typst.Fonts(False, False, list(font_paths)).fonts()})


def _is_printable(ch: str) -> bool:
    # Controls, format characters (ZWJ, bidi marks) and spaces need no glyph of their own.
    # Private-use letters (SIL PUA orthographies) do need one, and so are checked.
    kind = unicodedata.category(ch)
    return kind not in ("Cc", "Cf", "Zs", "Zl", "Zp") and not (0xFE00 <= ord(ch) <= 0xFE0F)


def _fallback_order(installed: dict[str, tuple[str, int]]) -> list[str]:
    preferred = [f for f in PREFERRED_FALLBACKS if f in installed]
    # Plain text faces (Noto Sans/Serif/Naskh X) before display ones (Kufi, Looped, Nastaliq).
    noto = sorted(
        (f for f in installed if f.startswith("Noto ") and f not in preferred),
        key=lambda f: (not f.startswith(("Noto Sans ", "Noto Serif ", "Noto Naskh ")), f),
    )
    rest = sorted(f for f in installed if f not in preferred and f not in noto)
    return preferred + noto + rest


def font_dirs(paths) -> tuple[str, ...]:
    """Folders Typst can search: folders as given; a font file gets a folder of its own."""
    out = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.append(str(path))
        elif path.is_file():
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()[:32]
            home = Path(tempfile.gettempdir()) / "wordkeep-fonts" / digest
            if not (home / path.name).exists():
                home.mkdir(parents=True, exist_ok=True)
                (home / path.name).write_bytes(data)
            out.append(str(home))
        else:
            raise FontNotFound(f"font file {raw}: not found", field="font_paths")
    return tuple(out)


def choose_fonts(
    *, text_chars: set[str], family: str | None = None, font_paths: tuple[str, ...] = ()
) -> FontChoice:
    """Pick the families for the characters to print: the chosen one, then fallbacks that fill gaps.

    Returns the characters no installed or given font covers in `missing`.
    """
    font_paths = font_dirs(font_paths)
    installed = _installed(tuple(font_paths))
    by_fold = {name.casefold(): name for name in installed}
    if family:
        if family.casefold() not in by_fold:
            raise FontNotFound(f"font family {family!r} is not installed", field="font_family")
        primary = [by_fold[family.casefold()]]
    elif font_paths:
        primary = _families_in(tuple(font_paths)) or [DEFAULT_FAMILY]
    else:
        primary = [DEFAULT_FAMILY]
    wanted = {ord(c) for c in text_chars if _is_printable(c)}
    chosen: list[str] = []
    for name in primary:
        chosen.append(name)
        wanted -= font_coverage(*installed[name]) if name in installed else set()
    for name in _fallback_order(installed):
        if not wanted:
            break
        if name in chosen:
            continue
        covered = wanted & font_coverage(*installed[name])
        if covered:
            chosen.append(name)
            wanted -= covered
    return FontChoice(tuple(chosen), tuple(font_paths), tuple(chr(c) for c in sorted(wanted)))


def describe_missing(missing: tuple[str, ...], where: dict[str, str]) -> list[dict]:
    """One record per uncovered character: the character, U+ code, Unicode name, an example."""
    return [
        {
            "char": ch,
            "codepoint": f"U+{ord(ch):04X}",
            "name": unicodedata.name(ch, "unnamed"),
            "example": where.get(ch, ""),
        }
        for ch in missing
    ]
