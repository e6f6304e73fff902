"""LIFT (FieldWorks, WeSay): the package around the XML (`package`), elements to entry dicts
(`read`), entry dicts to elements (`write`) and cross-references (`refs`)."""

from lexicon.io.lift.facts import lift_facts
from lexicon.io.lift.package import (
    MEDIA_DIRS,
    PRODUCER,
    LiftDocument,
    LiftVersionError,
    NotLift,
    read_lift,
    write_lift,
)

__all__ = [
    "LiftDocument",
    "LiftVersionError",
    "MEDIA_DIRS",
    "NotLift",
    "PRODUCER",
    "lift_facts",
    "read_lift",
    "write_lift",
]
