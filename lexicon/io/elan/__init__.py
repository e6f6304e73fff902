"""ELAN .eaf texts in (`read`) and out (`write`), through pympi-ling; `facts` for the
round-trip comparison."""

from lexicon.io.elan.facts import eaf_facts
from lexicon.io.elan.read import eaf_to_text, read_eaf, resolve_mapping
from lexicon.io.elan.write import write_eaf

__all__ = ["eaf_facts", "eaf_to_text", "read_eaf", "resolve_mapping", "write_eaf"]
