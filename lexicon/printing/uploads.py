"""Font files a dictionary's owner uploads for printing (an orthography no shipped font covers).

The file is kept in media storage under `print-fonts/<slug>/<sha256>.<ext>` and listed in
`dictionary.extra["print_fonts"]`; printing copies it to a local folder Typst can read.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from pathlib import Path

from sqlmodel import Session

from lexicon.editing.dictionaries import set_server_extra
from lexicon.errors import TooLarge, UnsupportedMedia
from lexicon.models import Dictionary
from lexicon.printing.fonts import font_coverage
from lexicon.shape.extra import checked_font, font_key

FONT_KINDS = {b"\x00\x01\x00\x00": "ttf", b"true": "ttf", b"OTTO": "otf", b"ttcf": "ttc"}
MAX_FONT_BYTES = 30 * 1024 * 1024


class NotAFont(UnsupportedMedia):
    """The file is not a TrueType or OpenType font."""


def _family_of(data: bytes, ext: str, filename: str) -> str:
    import typst  # heavy: imported when used (docs/architecture.md)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload.{ext}"
        path.write_bytes(data)
        families = sorted({f.family for f in typst.Fonts(False, False, [tmp]).fonts()})
        if not families or not font_coverage(str(path)):
            raise NotAFont(f"file {filename!r}: not a usable TrueType/OpenType font")
    return families[0]


def add_print_font(
    *, session: Session, dictionary: Dictionary, storage, filename: str, data: bytes
) -> dict:
    """Store an uploaded font and list it on the dictionary; returns its record."""
    if len(data) > MAX_FONT_BYTES:
        raise TooLarge(f"file {filename!r}: {len(data):,} bytes; fonts may be {MAX_FONT_BYTES:,}")
    ext = FONT_KINDS.get(data[:4])
    if ext is None:
        raise NotAFont(f"file {filename!r}: not a TrueType/OpenType font (.ttf, .otf, .ttc)")
    family = _family_of(data, ext, filename)
    sha256 = hashlib.sha256(data).hexdigest()
    key = font_key(dictionary.slug, sha256, ext)
    storage.put(key, io.BytesIO(data), content_type=f"font/{ext}")
    record = {"family": family, "sha256": sha256, "key": key, "name": Path(filename).name}
    fonts = (dictionary.extra or {}).get("print_fonts") or []
    kept = [f for f in fonts if f.get("sha256") != sha256]
    set_server_extra(
        session=session, dictionary=dictionary, values={"print_fonts": [*kept, record]}
    )
    return record


def print_font_dirs(*, dictionary: Dictionary, storage, cache_dir: Path) -> tuple[str, ...]:
    """Local folders holding the dictionary's uploaded fonts (fetched once per content)."""
    dirs = []
    for index, record in enumerate((dictionary.extra or {}).get("print_fonts") or []):
        # Checked here too, where hash and key become paths: a record written by anything
        # but add_print_font (an old client PATCH, a hand-edited row) is refused, not followed.
        record = checked_font(dictionary.slug, record, index)
        home = Path(cache_dir) / "fonts" / record["sha256"]
        target = home / Path(record["key"]).name
        if not target.exists():
            home.mkdir(parents=True, exist_ok=True)
            with storage.open(record["key"]) as handle:
                data = handle.read()
            partial = target.with_suffix(".part")
            partial.write_bytes(data)
            partial.replace(target)
        dirs.append(str(home))
    return tuple(dirs)
