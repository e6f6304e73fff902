"""A recording's notes (who spoke, where, when, consent) as name/value pairs for the formats.

LIFT writes them as traits of the <pronunciation> or <example>, CLDF as MediaTable columns and
MDF as markers: the same names everywhere (`NAMES`), consent as yes/no, so a round trip through
any of them gives back what was written (docs/entry-shape.md).
"""

from __future__ import annotations

# shape field -> name in the files (LIFT trait, MDF marker suffix, CLDF column)
NAMES = {
    "speaker": "speaker",
    "dialect": "dialect",
    "place": "place",
    "recorded_on": "recorded-on",
    "consent": "consent",
    "consent_publish": "consent-publish",
    "consent_speech_tools": "consent-speech-tools",
    "speaker_named": "speaker-named",
}
FIELDS = {name: field for field, name in NAMES.items()}
FLAGS = ("consent_publish", "consent_speech_tools", "speaker_named")
_YES = {"yes", "true", "1", "y"}
_NO = {"no", "false", "0", "n"}


def to_pairs(recording: dict) -> list[tuple[str, str]]:
    """The notes worth writing, as (name, text) in a fixed order; empty ones are left out."""
    out = []
    for field, name in NAMES.items():
        value = recording.get(field)
        if field in FLAGS:
            if value is True or (value is False and field != "speaker_named"):
                out.append((name, "yes" if value else "no"))
        elif value:
            out.append((name, str(value)))
    return out


def flag(text: str) -> bool | None:
    """yes/no (and true/false, 1/0) as a flag; anything else is not an answer (None)."""
    value = (text or "").strip().lower()
    return True if value in _YES else False if value in _NO else None


def from_pairs(pairs) -> dict:
    """Shape fields from (name, text) pairs; names that are not notes are ignored."""
    out: dict = {}
    for name, text in pairs:
        field = FIELDS.get(name)
        if field is None:
            continue
        if field in FLAGS:
            value = flag(text)
            out[field] = bool(value) if field == "speaker_named" else value
        else:
            out[field] = text
    return out


def take_traits(x: dict) -> dict:
    """Pop the notes out of a LIFT object's plain traits (x["traits"]: [[name, value], ...])."""
    traits = x.get("traits") or []
    mine = [t for t in traits if t[0] in FIELDS]
    if mine:
        rest = [t for t in traits if t[0] not in FIELDS]
        if rest:
            x["traits"] = rest
        else:
            x.pop("traits")
    return from_pairs(mine)


def column(name: str) -> str:
    """The CLDF column for a note: `recorded-on` -> `Recorded_On`."""
    return name.replace("-", "_").title()


COLUMNS = {column(name): name for name in FIELDS}


def from_columns(row: dict) -> dict:
    """Shape fields from a CLDF MediaTable row's note columns (others are ignored)."""
    pairs = [(COLUMNS[k], str(v).strip()) for k, v in row.items() if k in COLUMNS and v]
    return from_pairs(pairs)
