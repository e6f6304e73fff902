"""CLDF Dictionary datasets in (`read`) and out (`write`)."""

from lexicon.io.cldf.read import (
    CldfDocument,
    CldfError,
    check_metadata,
    read_cldf,
)

__all__ = [
    "CldfDocument",
    "CldfError",
    "check_metadata",
    "read_cldf",
]
