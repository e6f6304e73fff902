"""Printable dictionaries, wordlists and flashcards, typeset by Typst from JSON data."""

from lexicon.printing.fonts import FontNotFound, UncoveredCharacters
from lexicon.printing.options import DEFAULT_LABELS, LAYOUTS, PrintOptions
from lexicon.printing.render import (
    UnknownLayout,
    build_document,
    check_coverage,
    render,
    render_pdf,
)

__all__ = [
    "DEFAULT_LABELS",
    "LAYOUTS",
    "FontNotFound",
    "PrintOptions",
    "UncoveredCharacters",
    "UnknownLayout",
    "build_document",
    "check_coverage",
    "render",
    "render_pdf",
]
