"""The MDF markers Wordkeep knows (what each holds, in which language role), the language
suffixes of suffixed markers (`\\g_Eng`), and how a Toolbox file splits into fields. The
reader and the writer both use these."""

from __future__ import annotations

import re

# marker -> (what, language role or detail)
DEFAULT_MARKERS: dict[str, tuple[str, str | None]] = {
    "lx": ("headword", "V"),
    "hm": ("homograph", None),
    "lc": ("citation", "V"),
    "ph": ("ipa", None),
    "ps": ("pos", None),
    "sn": ("sense", None),
    "ge": ("gloss", "E"),
    "gn": ("gloss", "N"),
    "gr": ("gloss", "R"),
    "gv": ("gloss", "V"),
    "de": ("definition", "E"),
    "dn": ("definition", "N"),
    "dr": ("definition", "R"),
    "dv": ("definition", "V"),
    "re": ("reversal", "E"),
    "rn": ("reversal", "N"),
    "rr": ("reversal", "R"),
    "xv": ("example", "V"),
    "xe": ("translation", "E"),
    "xn": ("translation", "N"),
    "xr": ("translation", "R"),
    "sd": ("domain", None),
    "sf": ("sound", None),
    "sfx": ("example_sound", None),
    "pc": ("picture", None),
    "cf": ("relation", "cf"),
    "sy": ("relation", "synonym"),
    "an": ("relation", "antonym"),
    "mn": ("relation", "main"),
    "va": ("variant", "V"),
    "et": ("etymology", None),
    "eg": ("etymology_gloss", "E"),
    "es": ("etymology_source", None),
    "bw": ("borrowed", None),
    "nt": ("note", "general"),
    "ng": ("note", "grammar"),
    "np": ("note", "phonology"),
    "nd": ("note", "discourse"),
    "na": ("note", "anthropology"),
    "ns": ("note", "sociolinguistics"),
    "nq": ("note", "questions"),
    "so": ("note", "source"),
    "sc": ("note", "scientific-name"),
    "lt": ("note", "literal-meaning"),
    "ue": ("note", "usage"),
}
# \g_Eng, \d_Fra, \x_Ind ...: base -> what
SUFFIXED = {
    "g": "gloss",
    "d": "definition",
    "x": "translation",
    "r": "reversal",
    "e": "translation",
    "n": "note",
}
LANGUAGE_SUFFIXES = {
    "eng": "en",
    "en": "en",
    "fra": "fr",
    "fre": "fr",
    "fr": "fr",
    "spa": "es",
    "por": "pt",
    "ind": "id",
    "deu": "de",
    "ger": "de",
    "nld": "nl",
    "dut": "nl",
    "rus": "ru",
    "zho": "zh",
    "chi": "zh",
    "ara": "ar",
    "swa": "sw",
    "swh": "swh",
    "tpi": "tpi",
    "bis": "bi",
    "pis": "pis",
    "hin": "hi",
    "urd": "ur",
    "tha": "th",
    "vie": "vi",
    "tok": "tpi",
    "hau": "ha",
}
ENTRY_LEVEL = {"dt", "st", "lf", "mn", "bw", "cm", "cmf"}  # record-wide markers
MARKER = re.compile(r"^\\([^\s\\]+)(?:[ \t]+(.*))?$")


def fields(text: str):
    """Yield (line number, marker, value) with continuation lines joined by a space."""
    current = None
    for n, line in enumerate(text.splitlines(), start=1):
        m = MARKER.match(line)
        if m:
            if current:
                yield current
            current = [n, m.group(1), (m.group(2) or "").rstrip()]
        elif current is not None:
            if line.strip():
                current[2] = (current[2] + " " + line.strip()).strip()
            else:
                # A blank line ends a record in Toolbox; it also ends any wrapped value.
                yield current
                current = None
    if current:
        yield current
