"""The entry's shape (docs/entry-shape.md), as plain data and pure functions: no database.

`entry` (blank entries, walking senses and media, the displayed headword), `schemas` (the
pydantic models the API and the importers validate against), `verbatim` (the sources kept
for writing an untouched record back), `diffs` and `labels` (readable differences between
versions), `extra` (the dictionary's extra settings). Everything else may import these.
"""
