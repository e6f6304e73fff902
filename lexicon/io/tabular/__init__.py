"""Spreadsheets (CSV, XLSX) in (`read`) and out (`write`)."""

from lexicon.io.tabular.read import (
    TableDocument,
    TableError,
    check_mapping,
    guess_mapping,
    read_table,
)

__all__ = [
    "TableDocument",
    "TableError",
    "check_mapping",
    "guess_mapping",
    "read_table",
]
