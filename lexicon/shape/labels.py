"""Readable text the domain makes for people (diff labels, form messages) without knowing the
reader's language: a `Label` is the English text, and also the message and values from which
the web layer writes it in the interface language (`api.i18n.translate`).

`scripts/i18n.py` extracts the first argument of every `Label("...")` call in lexicon/, so the
message must be written out there, with %(name)s placeholders for what varies.
"""

from __future__ import annotations

import re


class Label(str):
    """English text that remembers its message and values: `Label("Sense %(n)s", n=2)` reads
    "Sense 2", compares and hashes as that text, and can be translated as a whole."""

    message: str
    values: dict

    def __new__(cls, message: str, **values) -> Label:
        text = message % {k: str(v) for k, v in values.items()} if values else message
        label = super().__new__(cls, text)
        label.message = message
        label.values = values
        return label

    def __reduce__(self):  # copies and pickles keep the message, not only the text
        return (_rebuild, (self.message, self.values))


def _rebuild(message: str, values: dict) -> Label:
    return Label(message, **values)


def value_label(value: str | None) -> Label | None:
    """A stored value shown as a word ("needs_review" -> "needs review"); the words are in the
    catalogs through api.routes.language.value_names."""
    return Label(value.replace("_", " ")) if value else None


# Revision comments Wordkeep writes itself (stored in English, shown in the reader's language).
ADDED_RECORDING = "added a recording"
ADDED_PICTURE = "added a picture"
RESTORED = "restored revision %(number)s"
_RESTORED_RX = re.compile(r"restored revision (\d+)")
# A save made while someone else saved (texts, entries): mine kept in history, a merge.
KEPT_AT_THE_SAME_TIME = "edit made at the same time as another; kept in history"
MERGED = "merged with a save made at the same time"
RESOLVED = "conflict resolved: kept mine in %(kept)s of %(total)s clashes"
_RESOLVED_RX = re.compile(r"conflict resolved: kept mine in (\d+) of (\d+) clashes")


def revision_comment(comment: str | None) -> str | None:
    """A revision's comment for display: the ones Wordkeep writes itself as labels (translated
    by the web layer, older revisions' included); what a keeper typed, as it is."""
    if comment == ADDED_RECORDING:
        return Label("added a recording")
    if comment == ADDED_PICTURE:
        return Label("added a picture")
    if comment and (found := _RESTORED_RX.fullmatch(comment)):
        return Label("restored revision %(number)s", number=int(found.group(1)))
    if comment == KEPT_AT_THE_SAME_TIME:
        return Label("edit made at the same time as another; kept in history")
    if comment == MERGED:
        return Label("merged with a save made at the same time")
    if comment and (found := _RESOLVED_RX.fullmatch(comment)):
        kept, total = (int(n) for n in found.groups())
        return Label("conflict resolved: kept mine in %(kept)s of %(total)s clashes",
                     kept=kept, total=total)  # fmt: skip
    return comment
