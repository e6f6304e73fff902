"""Build the print document, check its glyph coverage, and compile it with Typst."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import qrcode

from lexicon.alphabet import Alphabet
from lexicon.errors import InvalidInput
from lexicon.printing import prepare
from lexicon.printing.fonts import FontChoice, UncoveredCharacters, choose_fonts, describe_missing
from lexicon.printing.options import LAYOUTS, PrintOptions, merged_labels

# Characters the templates themselves print around the data (numbers, brackets, quotes).
TEMPLATE_CHARS = "0123456789/()[]{}:;.,‘’<–—·-"
PICTURE_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/svg+xml": "svg",
    "image/webp": "webp",
}
MediaReader = Callable[[dict], bytes | None]
_MAGIC = {b"\xff\xd8": "jpg", b"\x89PNG": "png", b"GIF8": "gif", b"RIFF": "webp"}


WORKER = Path(__file__).with_name("worker.py")


def default_template_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "templates" / "print"


@functools.lru_cache(maxsize=4096)
def qr_svg(url: str) -> str:
    """A QR code for `url` as SVG text: one path of dark runs, one unit per module."""
    # A fixed mask is as valid as the best-scoring one and skips 7 of 8 trial encodings
    # (about 2 ms instead of 8 ms a code), which matters with thousands of recordings.
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=1, mask_pattern=2
    )
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    size = len(matrix)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>'
    )


class UnknownLayout(InvalidInput):
    """The print layout asked for does not exist."""


def _language_names(langs, labels: dict) -> dict[str, str]:
    import icu  # heavy: imported when used (docs/architecture.md)

    ui = icu.Locale(labels.get("ui_lang", "en"))
    names = {lang: icu.Locale(lang).getDisplayLanguage(ui) or lang for lang in langs}
    names.update(labels.get("lang_names") or {})
    return names


def build_document(
    *,
    dictionary: dict,
    entries: list[dict],
    layout: str,
    options: PrintOptions,
    labels: dict | None = None,
    media: MediaReader | None = None,
) -> tuple[dict, dict[str, bytes]]:
    """The JSON document a template lays out, and the picture files it refers to."""
    if layout not in LAYOUTS:
        raise UnknownLayout(f"layout: expected one of {', '.join(LAYOUTS)}, got {layout!r}")
    options = options.checked()
    labels = merged_labels(labels)
    alphabet = Alphabet.from_config(dictionary.get("alphabet"))
    langs = tuple(options.langs) or tuple(dictionary.get("analysis_ws") or ["en"])
    base = options.base_url.rstrip("/")
    qr = (lambda url: qr_svg(url if "://" in url else base + url)) if options.qr else None
    ordered = prepare.sort_entries(alphabet, dictionary, entries)
    files: dict[str, bytes] = {}
    items = []
    for entry in ordered:
        item = prepare.prepare_entry(dictionary, entry, langs, qr=qr)
        if options.pictures and media is not None and layout != "dictionary":
            item["pic"] = _picture(entry, media, files)
        items.append(item)
    date = prepare.print_date(options, entries)
    doc = {
        "layout": layout,
        "options": {
            "paper": options.typst_paper(),
            "font_size": options.size_for(layout),
            "lang": _typst_lang(langs),
            "pictures": any(i["pic"] for i in items),
        },
        "labels": labels,
        "meta": _meta(dictionary, options, labels, layout, date),
        "alphabet": prepare.alphabet_table(alphabet, dictionary) if layout == "dictionary" else [],
        "abbreviations": prepare.abbreviations(dictionary, items, labels)
        if layout == "dictionary"
        else [],
        "sections": prepare.sections(alphabet, items),
        "index": prepare.reversal_index(items, langs, _language_names(langs, labels))
        if layout == "dictionary"
        else [],
    }
    return doc, files


def _typst_lang(langs) -> str:
    # Typst wants a bare ISO 639 code; private-use or odd tags fall back to English.
    code = (langs[0] if langs else "en").split("-")[0].lower()
    return code if code.isalpha() and 2 <= len(code) <= 3 and code != "qaa" else "en"


def _meta(dictionary, options, labels, layout, date: dt.date | None) -> dict:
    title = (
        options.title or prepare.nfc(dictionary.get("title")) or prepare.nfc(dictionary.get("slug"))
    )
    return {
        "title": title,
        "language": prepare.nfc(dictionary.get("language_name")),
        "credits": prepare.nfc(dictionary.get("credits")),
        "description": prepare.nfc(dictionary.get("description")),
        "licence": prepare.nfc(dictionary.get("licence")),
        "date": [date.year, date.month, date.day] if date else None,
        "date_text": date.isoformat() if date else "",
        "kind": labels.get(layout, "") if layout != "dictionary" else "",
    }


def _picture(entry: dict, media: MediaReader, files: dict[str, bytes]) -> str | None:
    found = prepare.first_picture(entry)
    if not found or found.get("mime") not in PICTURE_TYPES or not found.get("sha256"):
        return None
    stem = f"media/{found['sha256']}."
    known = next((n for n in files if n.startswith(stem)), None)
    if known:
        return known
    data = media(found)
    if not data:
        return None
    # Typst picks the decoder by the file's extension: name it by what the bytes are.
    ext = _MAGIC.get(data[:4]) or _MAGIC.get(data[:2]) or PICTURE_TYPES[found["mime"]]
    files[stem + ext] = data
    return stem + ext


def _text_chars(doc: dict) -> tuple[set[str], dict[str, str]]:
    """Every character the document prints, and for each one a headword where it occurs."""
    where: dict[str, str] = {}

    def walk(value, context: str) -> None:
        if isinstance(value, str):
            for ch in value:
                where.setdefault(ch, context)
        elif isinstance(value, dict):
            for key, sub in value.items():
                if key not in prepare.NOT_TEXT:
                    walk(sub, context)
        elif isinstance(value, list):
            for sub in value:
                walk(sub, context)

    for sec in doc["sections"]:
        walk(sec["heading"], sec["heading"])
        for item in sec["entries"]:
            walk(item, item["hw"])
    for key in ("meta", "labels", "alphabet", "abbreviations", "index"):
        walk(doc[key], key)
    for ch in TEMPLATE_CHARS:
        where.setdefault(ch, "layout")
    return set(where), where


def _choose(doc: dict, text: str, options: PrintOptions) -> tuple[FontChoice, list[dict]]:
    """Fonts for the document's characters, and the characters none covers (with examples).

    `text` is the document as JSON: its non-ASCII characters are exactly the printed ones
    (keys and syntax are ASCII). Only when something is missing is the document walked field
    by field, to drop ASCII that only the JSON syntax brought and to find examples.
    """
    chars = set(text) | set(TEMPLATE_CHARS)
    family, paths = options.font_family, tuple(options.font_paths)
    choice = choose_fonts(text_chars=chars, family=family, font_paths=paths)
    if not choice.missing:
        return choice, []
    exact, where = _text_chars(doc)
    if exact != chars:
        choice = choose_fonts(text_chars=exact, family=family, font_paths=paths)
    return choice, describe_missing(choice.missing, where)


def check_coverage(
    *,
    dictionary: dict,
    entries: list[dict],
    layout: str = "dictionary",
    options: PrintOptions,
    labels: dict | None = None,
) -> list[dict]:
    """Characters to be printed that no chosen or installed font covers (empty: all covered)."""
    # QR codes print no characters, so the check skips making them.
    quick = dataclasses.replace(options, qr=False)
    doc, _ = build_document(
        dictionary=dictionary, entries=entries, layout=layout, options=quick, labels=labels
    )
    return _choose(doc, json.dumps(doc, ensure_ascii=False), options)[1]


def _raise_uncovered(missing: list[dict]) -> None:
    shown = ", ".join(
        f"{m['char']} {m['codepoint']} ({m['name']}, in {m['example']!r})" for m in missing[:20]
    )
    more = f" and {len(missing) - 20} more" if len(missing) > 20 else ""
    raise UncoveredCharacters(
        f"no font covers {len(missing)} character(s): {shown}{more}",
        missing=missing,
        errors=missing,
    )


def render(
    *,
    dictionary: dict,
    entries: list[dict],
    layout: str = "dictionary",
    options: PrintOptions,
    labels: dict | None = None,
    media: MediaReader | None = None,
    template_dir: Path | None = None,
    output: str = "pdf",
    ppi: int = 72,
) -> bytes | list[bytes]:
    """Compile the layout to PDF bytes (or a list of PNG pages when output='png')."""
    doc, files = build_document(
        dictionary=dictionary,
        entries=entries,
        layout=layout,
        options=options,
        labels=labels,
        media=media,
    )
    text = json.dumps(doc, ensure_ascii=False)
    choice, missing = _choose(doc, text, options)
    if missing and not options.allow_uncovered:
        _raise_uncovered(missing)
    template_dir = Path(template_dir or default_template_dir())
    with tempfile.TemporaryDirectory(prefix="wordkeep-print-") as tmp:
        root = Path(tmp)
        for src in template_dir.glob("*.typ"):
            shutil.copyfile(src, root / src.name)
        for name, data in files.items():
            (root / name).parent.mkdir(exist_ok=True)
            (root / name).write_bytes(data)
        (root / "data.json").write_text(text, encoding="utf-8")
        (root / "fonts.json").write_text(json.dumps(choice.families), encoding="utf-8")
        date = doc["meta"]["date"]
        stamp = int(dt.datetime(*date, tzinfo=dt.UTC).timestamp()) if date else 0
        job = {
            "input": str(root / f"{layout}.typ"),
            "root": str(root),
            "font_paths": list(choice.font_paths),
            "format": output,
            "ppi": ppi if output == "png" else None,
            "timestamp": stamp,
            "output_dir": str(root),
        }
        pages = _compile_in_child(job)
    return pages if output == "png" else pages[0]


def _compile_in_child(job: dict) -> list[bytes]:
    """Run worker.py on the job; its pages (one PDF, or one PNG per page) in order."""
    done = subprocess.run(
        [sys.executable, str(WORKER)],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"typst failed on {Path(job['input']).name}: {done.stderr.strip()}")
    out = Path(job["output_dir"])
    return [p.read_bytes() for p in sorted(out.glob(f"page-*.{job['format']}"))]


def render_pdf(
    *,
    dictionary: dict,
    entries: list[dict],
    layout: str = "dictionary",
    options: PrintOptions,
    labels: dict | None = None,
    media: MediaReader | None = None,
    template_dir: Path | None = None,
) -> bytes:
    """A typeset PDF of `entries` (already filtered by access) in `layout`.

    Raises UncoveredCharacters (an InvalidInput) listing characters no font covers,
    unless options.allow_uncovered.
    """
    return render(
        dictionary=dictionary,
        entries=entries,
        layout=layout,
        options=options,
        labels=labels,
        media=media,
        template_dir=template_dir,
    )
