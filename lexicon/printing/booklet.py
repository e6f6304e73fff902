"""A text (a recorded story, docs/text-shape.md) as a printed booklet, typeset by Typst.

Two layouts: `plain`, each sentence with its translation under it, and `interlinear`, each
analysed sentence's words in columns with their morphemes, the morphemes' glosses and the
word's gloss under them (FLExText's analysis), then the translation. The text is read as the
viewer may see it (`lexicon.texts.read_text`): a segment hidden from them is never printed.
Like the dictionary's layouts, the data reaches templates/print/text.typ as JSON (never as
Typst markup), and every character is checked against the chosen fonts first."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session

from lexicon.accounts.access import Viewer
from lexicon.errors import InvalidInput
from lexicon.models import Dictionary
from lexicon.printing import prepare
from lexicon.printing.fonts import choose_fonts, describe_missing
from lexicon.printing.options import PrintOptions, merged_labels
from lexicon.printing.render import (
    TEMPLATE_CHARS,
    _compile_in_child,
    _raise_uncovered,
    _typst_lang,
    default_template_dir,
)
from lexicon.printing.service import _cached, _files_state, with_uploaded_fonts
from lexicon.texts import first_form, read_text

TEXT_LAYOUTS = ("plain", "interlinear")
TEMPLATE = "text.typ"
FONT_SIZE = 11.0
MARKS = "-=~"  # affix and clitic marks a morpheme's form carries (FLEx writes "-y", "=ri")


class UnknownTextLayout(InvalidInput):
    """The text's print layout asked for is neither plain nor interlinear."""


def _pairs(multitext: dict | None, order: list[str]) -> list[list[str]]:
    """A multitext as [[ws, form, Typst language], ...], the writing systems of `order` first
    (the language sets each line's direction: Arabic or Hebrew runs right to left)."""
    forms = {k: prepare.nfc(v) for k, v in (multitext or {}).items() if v}
    ranked = [ws for ws in order if ws in forms] + [ws for ws in forms if ws not in order]
    return [[ws, forms[ws], _typst_lang([ws])] for ws in ranked]


def _gloss(multitext: dict | None, langs: list[str]) -> str:
    pairs = _pairs(multitext, langs)
    return pairs[0][1] if pairs else ""


def _morpheme_gloss(morpheme: dict, langs: list[str]) -> str:
    """A morpheme's gloss with the marks of its form around it ("-y" glossed ADV: "-ADV")."""
    form, gloss = morpheme.get("text") or "", _gloss(morpheme.get("gloss"), langs)
    if not gloss:
        return ""
    head = form[0] if form[:1] and form[0] in MARKS else ""
    tail = form[-1] if len(form) > 1 and form[-1] in MARKS else ""
    return f"{head}{gloss}{tail}"


def _columns(words: list[dict], langs: list[str]) -> list[dict]:
    """The interlinear columns of a sentence: a word (with punctuation after it joined to it),
    its morphemes, their glosses, and the word's own gloss."""
    out: list[dict] = []
    for word in words:
        form = prepare.nfc(word.get("text") or "")
        if word.get("punct"):
            if out:
                out[-1]["form"] += form
            else:
                out.append({"form": form, "morphs": "", "mgloss": "", "gloss": ""})
            continue
        morphemes = [m for m in word.get("morphemes") or [] if isinstance(m, dict)]
        morphs = "".join(prepare.nfc(m.get("text") or "") for m in morphemes)
        glosses = "".join(_morpheme_gloss(m, langs) for m in morphemes)
        gloss = _gloss(word.get("gloss"), langs)
        out.append({"form": form, "morphs": morphs, "mgloss": prepare.nfc(glosses),
                    "gloss": gloss})  # fmt: skip
    return out


def _time(seconds) -> str:
    if not isinstance(seconds, int | float):
        return ""
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"


def build_text_document(*, dictionary: dict, text: dict, layout: str, options: PrintOptions,
                        labels: dict | None = None) -> dict:  # fmt: skip
    """The JSON document templates/print/text.typ lays out."""
    if layout not in TEXT_LAYOUTS:
        raise UnknownTextLayout(
            f"layout: expected one of {', '.join(TEXT_LAYOUTS)}, got {layout!r}", field="layout"
        )
    vern = list(dictionary.get("vernacular_ws") or [])
    langs = list(options.langs) or list(dictionary.get("analysis_ws") or ["en"])
    speakers = {s.get("code"): s.get("name") or "" for s in text.get("speakers") or []}
    segments = []
    for n, segment in enumerate(text.get("segments") or [], 1):
        words = segment.get("words") or []
        segments.append({
            "n": n,
            "time": _time(segment.get("start")),
            "speaker": prepare.nfc(speakers.get(segment.get("speaker"), "")),
            "text": _pairs(segment.get("text"), vern),
            "translation": _pairs(segment.get("translation"), langs),
            "words": (columns := _columns(words, langs) if layout == "interlinear" else []),
            # The rows every column of the sentence has (an empty cell keeps its row's height).
            "rows": [row for row in ("morphs", "mgloss", "gloss") if any(c[row] for c in columns)],
        })  # fmt: skip
    title = _pairs(text.get("title"), vern + langs)
    facts = [text.get("genre"), text.get("place"), text.get("recorded_on")]
    facts += [", ".join(name for name in speakers.values() if name)]
    return {
        "layout": layout,
        "options": {
            "paper": options.typst_paper(),
            "font_size": options.font_size or FONT_SIZE,
            "lang": _typst_lang(langs),
        },  # fmt: skip
        "labels": merged_labels(labels),
        "meta": {
            "title": title[0][1] if title else prepare.nfc(dictionary.get("title") or ""),
            "subtitles": [t[1] for t in title[1:]],
            "source": " · ".join(
                x
                for x in (
                    prepare.nfc(dictionary.get("title")),
                    prepare.nfc(dictionary.get("language_name")),
                )
                if x
            ),  # fmt: skip
            "facts": " · ".join(prepare.nfc(str(f)) for f in facts if f),
            "description": first_form(text.get("description")),
            "credits": prepare.nfc(dictionary.get("credits")),
            "licence": prepare.nfc(dictionary.get("licence")),
            "date": None,
        },
        "segments": segments,
    }


def _where(doc: dict) -> dict[str, str]:
    """For each printed character, a sentence (or part of the page) where it occurs."""
    where: dict[str, str] = {}

    def walk(value, context: str) -> None:
        if isinstance(value, str):
            for ch in value:
                where.setdefault(ch, context)
        elif isinstance(value, dict):
            for sub in value.values():
                walk(sub, context)
        elif isinstance(value, list):
            for sub in value:
                walk(sub, context)

    for segment in doc["segments"]:
        walk(segment, segment["text"][0][1] if segment["text"] else f"sentence {segment['n']}")
    walk(doc["meta"], doc["meta"]["title"])
    for ch in TEMPLATE_CHARS:
        where.setdefault(ch, "layout")
    return where


def render_text(*, doc: dict, options: PrintOptions, template_dir: Path | None = None,
                output: str = "pdf", ppi: int = 96) -> bytes | list[bytes]:  # fmt: skip
    """Compile the booklet: PDF bytes, or a list of PNG pages when output='png'."""
    where = _where(doc)
    choice = choose_fonts(text_chars=set(where), family=options.font_family,
                          font_paths=tuple(options.font_paths))  # fmt: skip
    if choice.missing and not options.allow_uncovered:
        _raise_uncovered(describe_missing(choice.missing, where))
    template_dir = Path(template_dir or default_template_dir())
    with tempfile.TemporaryDirectory(prefix="wordkeep-print-text-") as tmp:
        root = Path(tmp)
        for src in template_dir.glob("*.typ"):
            shutil.copyfile(src, root / src.name)
        (root / "data.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        (root / "fonts.json").write_text(json.dumps(choice.families), encoding="utf-8")
        job = {"input": str(root / TEMPLATE), "root": str(root),
               "font_paths": list(choice.font_paths), "format": output,
               "ppi": ppi if output == "png" else None, "timestamp": 0,
               "output_dir": str(root)}  # fmt: skip
        pages = _compile_in_child(job)
    return pages if output == "png" else pages[0]


def print_text(
    *,
    session: Session,
    dictionary: Dictionary,
    text_id: str,
    viewer: Viewer | None,
    layout: str = "plain",
    options: PrintOptions,
    storage=None,
    labels: dict | None = None,
    cache_dir: Path | None = None,
    admit: Callable[[], contextlib.AbstractContextManager] | None = None,
) -> tuple[bytes, str]:
    """The text as `viewer` may see it (None: everything, for the command line), as PDF
    bytes, and a cache key usable as an ETag. TextNotFound if they may not see it."""
    options = with_uploaded_fonts(options.checked(), dictionary, storage, cache_dir)
    text = read_text(session=session, dictionary=dictionary, text_id=text_id, viewer=viewer)
    data = dictionary.model_dump(include={"title", "language_name", "credits", "licence",
                                          "vernacular_ws", "analysis_ws"})  # fmt: skip
    doc = build_text_document(dictionary=data, text=text, layout=layout, options=options,
                              labels=labels)  # fmt: skip
    digest = hashlib.sha256()
    files = _files_state([default_template_dir(), *options.font_paths])
    for part in (doc, dataclasses.asdict(options), files):
        digest.update(json.dumps(part, sort_keys=True, default=str).encode() + b"\0")
    key = digest.hexdigest()
    return _cached(cache_dir, key, ".pdf", lambda: render_text(doc=doc, options=options),
                   admit), key  # fmt: skip
