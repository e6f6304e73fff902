"""Printable dictionaries, wordlists and flashcards, typeset by Typst from JSON data.

Entries (the entry shape) become a plain JSON document (prepare.py); a template in
templates/print/ lays it out, so entry text is never Typst markup. Before compiling, every
character is checked against the chosen fonts (fonts.py). A dictionary may give, in its
`extra`: `letter_pronunciations` ({"ng": "ŋ"}, shown with the alphabet) and `abbreviations`
({"v.intr": "intransitive verb"}, added to the list of abbreviations used).
"""

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
