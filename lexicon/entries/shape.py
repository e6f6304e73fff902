"""The entry's shape in code (docs/entry-shape.md): the one place that knows how a headword is
displayed, what a blank entry holds and how to walk an entry's senses and media."""

from __future__ import annotations

from lexicon.models import (
    Dictionary,
)


def display_headword(dictionary: Dictionary, headword: dict, citation=None, lexeme=None) -> str:
    """The form shown and sorted: the first vernacular writing system that has one."""
    for forms in (citation or {}, headword or {}, lexeme or {}):
        for ws in dictionary.vernacular_ws or []:
            if forms.get(ws, "").strip():
                return forms[ws].strip()
    for forms in (headword or {}, citation or {}, lexeme or {}):
        for value in forms.values():
            if value.strip():
                return value.strip()
    return ""
