"""Toolbox / MDF databases in (`read`) and out (`write`)."""

from lexicon.io.mdf.read import (
    MdfDocument,
    MdfError,
    read_mdf,
)

__all__ = [
    "MdfDocument",
    "MdfError",
    "read_mdf",
]
