"""Praat .TextGrid texts in (`read`) and out (`write`), through praatio; `facts` for the
round-trip comparison."""

from lexicon.io.textgrid.facts import textgrid_facts
from lexicon.io.textgrid.read import grid_to_text, read_textgrid
from lexicon.io.textgrid.write import write_textgrid

__all__ = ["grid_to_text", "read_textgrid", "textgrid_facts", "write_textgrid"]
