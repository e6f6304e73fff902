"""Writing-system tags the store refuses (`x-rtl`, `en_US`) are kept under a private-use tag.

The mapping (Wordkeep tag -> original) is kept on the dictionary and reversed on export, so a
LIFT file comes back with the tags it had.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_OK = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
MULTITEXT = {
    "entry": ("headword", "citation", "lexeme_form"),
    "pronunciation": ("forms",),
    "sense": ("glosses", "definitions"),
    "example": ("text", "translations"),
    "picture": ("caption",),
    "variant": ("form",),
    "note": ("text",),
    "etymology": ("form", "gloss"),
}


@dataclass
class WsFix:
    mapping: dict[str, str] = field(default_factory=dict)  # wordkeep tag -> original
    added: dict[str, str] = field(default_factory=dict)


def safe_tag(tag: str) -> str:
    pieces = [p[:8] for p in re.split(r"[^A-Za-z0-9]+", tag) if p]
    return "-".join(["qaa", "x", *pieces]) if pieces else "qaa-x-blank"


def _walk(entry: dict):
    """Yield (kind, object) for every object of an entry that holds multitexts."""
    yield "entry", entry
    for p in entry.get("pronunciations") or []:
        yield "pronunciation", p
    for v in entry.get("variants") or []:
        yield "variant", v
    for n in entry.get("notes") or []:
        yield "note", n
    for ety in entry.get("etymologies") or []:
        yield "etymology", ety
    stack = list(entry.get("senses") or [])
    while stack:
        s = stack.pop()
        stack.extend(s.get("subsenses") or [])
        yield "sense", s
        for n in s.get("notes") or []:
            yield "note", n
        for x in s.get("examples") or []:
            yield "example", x
        for pic in s.get("pictures") or []:
            yield "picture", pic


def _rename(entries: list[dict], rename) -> None:
    for e in entries:
        for kind, obj in _walk(e):
            for key in MULTITEXT[kind]:
                mt = obj.get(key)
                if mt and any(rename(k) != k for k in mt):
                    obj[key] = {rename(k): v for k, v in mt.items()}
            for r in obj.get("reversals") or []:
                r["lang"] = rename(r.get("lang") or "")


def fix_entries(entries: list[dict], known: dict[str, str]) -> WsFix:
    """Rename unacceptable tags in place; `known` is the dictionary's existing mapping."""
    fix = WsFix(mapping=dict(known))
    reverse = {old: new for new, old in fix.mapping.items()}

    def rename(tag: str) -> str:
        if tag in reverse:  # the same few tags come back on every entry
            return reverse[tag]
        if _OK.match(tag):
            reverse[tag] = tag
            return tag
        new = safe_tag(tag)
        while new in fix.mapping and fix.mapping[new] != tag:
            new += "x"
        reverse[tag] = new
        fix.mapping[new] = tag
        fix.added[new] = tag
        return new

    _rename(entries, rename)
    return fix


def restore_entries(entries: list[dict], mapping: dict[str, str]) -> None:
    """Put the original tags back (for export)."""
    if mapping:
        _rename(entries, lambda tag: mapping.get(tag, tag))
