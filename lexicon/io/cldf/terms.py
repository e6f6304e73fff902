"""What the CLDF reader and writer share: the CLDF terms Wordkeep maps, per table, the columns
that link rows, and the error a dataset that cannot be read raises."""

from __future__ import annotations

from lexicon.errors import ImportRejected

TERMS = {  # term -> our key, per table
    "EntryTable": (
        "id",
        "languageReference",
        "headword",
        "partOfSpeech",
        "comment",
        "mediaReference",
    ),
    "SenseTable": ("id", "description", "entryReference", "mediaReference", "exampleReference"),
    "ExampleTable": (
        "id",
        "languageReference",
        "primaryText",
        "translatedText",
        "metaLanguageReference",
        "comment",
        "mediaReference",
    ),
    "MediaTable": ("id", "name", "mediaType", "downloadUrl", "description"),
}


class CldfError(ImportRejected):
    """The dataset is not a readable CLDF Dictionary."""
