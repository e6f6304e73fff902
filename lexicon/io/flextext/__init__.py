"""FLExText (FieldWorks interlinear texts) in (`read`) and out (`write`); `facts` for the
round-trip comparison."""

from lexicon.io.flextext.facts import flextext_facts
from lexicon.io.flextext.read import flextext_to_texts, read_flextexts
from lexicon.io.flextext.write import write_flextext

__all__ = ["flextext_facts", "flextext_to_texts", "read_flextexts", "write_flextext"]
