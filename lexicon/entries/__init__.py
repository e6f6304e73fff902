"""Dictionaries and entries as they are stored and read: the entry's shape (`shape`,
`schemas`), reading entries and dictionaries back (`read`), relations, labels, diffs between
versions and the dictionary's extra settings. Writing lives in `lexicon.editing`."""

from lexicon.entries.read import (
    DEFAULT_PAGE,
    MAX_PAGE,
    alphabet_for,
    count_entries,
    decode_cursor,
    dictionary_public,
    encode_cursor,
    entry_dict,
    entry_dicts,
    get_dictionary,
    iso,
    list_dictionaries,
    list_entries,
    list_revisions,
    media_public,
    media_url,
    read_entry,
    stored_entry,
)
from lexicon.shape.entry import (
    display_headword,
)

__all__ = [
    "DEFAULT_PAGE",
    "MAX_PAGE",
    "alphabet_for",
    "count_entries",
    "decode_cursor",
    "dictionary_public",
    "display_headword",
    "encode_cursor",
    "entry_dict",
    "entry_dicts",
    "get_dictionary",
    "iso",
    "list_dictionaries",
    "list_entries",
    "list_revisions",
    "media_public",
    "media_url",
    "read_entry",
    "stored_entry",
]
