"""Entries as readable labelled lines, and the differences between two versions of an entry
(the history page, the review queue and the conflict view). Labels are `Label`s: English text
that the web layer can write in the interface language as a whole ("Sens 1 · glose (en)")."""

from __future__ import annotations

from lexicon.shape.labels import Label, value_label

# Top-level fields the form edits and the conflict view compares, in reading order.
FORM_FIELDS = (
    "headword",
    "part_of_speech",
    "pronunciations",
    "senses",
    "variants",
    "relations",
    "notes",
    "status",
    "visibility",
)
# Fields that travel with a form field when one side is chosen in a conflict.
COMPANIONS = {"visibility": ("circle",)}
FIELD_LABELS = {
    "headword": Label("Headword"),
    "part_of_speech": Label("Part of speech"),
    "pronunciations": Label("Pronunciations"),
    "senses": Label("Senses"),
    "variants": Label("Variants"),
    "relations": Label("Related entries"),
    "notes": Label("Notes"),
    "status": Label("Status"),
    "visibility": Label("Visibility"),
}


def field_value(entry: dict, field: str) -> dict:
    """One form field of an entry with its companions (visibility with its circle)."""
    return {f: entry.get(f) for f in (field, *COMPANIONS.get(field, ()))}


def field_lines(entry: dict, field: str) -> list[tuple[Label, str]]:
    """The readable lines of one form field of an entry (for the conflict view)."""
    return flatten(field_value(entry, field))


def differing_fields(a: dict, b: dict) -> list[str]:
    return [
        f for f in FORM_FIELDS if _comparable(field_value(a, f)) != _comparable(field_value(b, f))
    ]


def _comparable(value):
    """Drop ids and server details so two independently saved copies compare by content."""
    if isinstance(value, dict):
        skip = {"id", "url", "original_url", "duration", "size", "mime", "kind"}
        return {
            k: _comparable(v) for k, v in value.items() if k not in skip and v not in ({}, [], None)
        }
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


def visibility_text(item: dict) -> Label | None:
    """ "restricted (circle: elders)", or the level alone; None for the public default."""
    level = item.get("visibility") or "public"
    if level == "restricted" and item.get("circle"):
        return Label(
            "%(visibility)s (circle: %(circle)s)",
            visibility=value_label(level),
            circle=item["circle"],
        )
    return value_label(level)


def flatten(entry: dict) -> list[tuple[Label, str]]:
    """An entry as labelled lines ("Sense 1 · gloss (en)", "house"), in reading order."""
    lines: list[tuple[Label, str]] = []

    def mt(label, values: dict | None) -> None:
        for ws, text in (values or {}).items():
            lines.append((label(ws), text))

    mt(lambda ws: Label("Headword (%(ws)s)", ws=ws), entry.get("headword"))
    mt(lambda ws: Label("Citation form (%(ws)s)", ws=ws), entry.get("citation"))
    if entry.get("part_of_speech"):
        lines.append((FIELD_LABELS["part_of_speech"], entry["part_of_speech"]))
    if entry.get("status"):
        lines.append((FIELD_LABELS["status"], value_label(entry["status"])))
    if entry.get("visibility"):
        lines.append((FIELD_LABELS["visibility"], visibility_text(entry)))
    for i, p in enumerate((entry.get("pronunciations") or []), 1):
        if p.get("ipa"):
            lines.append((Label("Pronunciation %(n)s · IPA", n=i), p["ipa"]))
        if p.get("media"):
            name = p["media"].get("original_name") or p["media"]["sha256"][:12]
            lines.append((Label("Pronunciation %(n)s · recording", n=i), name))
    for i, s in enumerate((entry.get("senses") or []), 1):
        _sense_lines(lines, mt, i, s)
    for i, v in enumerate((entry.get("variants") or []), 1):
        kind = v.get("type")
        if kind:
            mt(
                lambda ws, i=i, k=kind: Label(
                    "Variant %(n)s [%(type)s] (%(ws)s)", n=i, type=k, ws=ws
                ),
                v.get("form"),
            )
        else:
            mt(lambda ws, i=i: Label("Variant %(n)s (%(ws)s)", n=i, ws=ws), v.get("form"))
    for i, r in enumerate((entry.get("relations") or []), 1):
        label = Label("Relation %(n)s · %(type)s", n=i, type=r.get("type", ""))
        lines.append((label, r.get("target_headword") or r["target_id"]))
    for i, n in enumerate((entry.get("notes") or []), 1):
        mt(lambda ws, i=i: Label("Note %(n)s (%(ws)s)", n=i, ws=ws), n.get("text"))
    return lines


def _sense_lines(lines: list, mt, i: int, s: dict) -> None:
    if s.get("part_of_speech"):
        lines.append((Label("Sense %(n)s · part of speech", n=i), s["part_of_speech"]))
    mt(lambda ws: Label("Sense %(n)s · gloss (%(ws)s)", n=i, ws=ws), s.get("glosses"))
    mt(lambda ws: Label("Sense %(n)s · definition (%(ws)s)", n=i, ws=ws), s.get("definitions"))
    if s.get("semantic_domains"):
        label = Label("Sense %(n)s · semantic domains", n=i)
        lines.append((label, "; ".join(s["semantic_domains"])))
    # Public is the default: only a narrower visibility is worth a line.
    if (s.get("visibility") or "public") != "public":
        lines.append((Label("Sense %(n)s · visibility", n=i), visibility_text(s)))
    for j, ex in enumerate((s.get("examples") or []), 1):
        mt(
            lambda ws, j=j: Label("Sense %(n)s · example %(m)s (%(ws)s)", n=i, m=j, ws=ws),
            ex.get("text"),
        )
        mt(
            lambda ws, j=j: Label(
                "Sense %(n)s · example %(m)s translation (%(ws)s)", n=i, m=j, ws=ws
            ),
            ex.get("translations"),
        )
        if (ex.get("visibility") or "public") != "public":
            label = Label("Sense %(n)s · example %(m)s · visibility", n=i, m=j)
            lines.append((label, visibility_text(ex)))


def diff(old: dict, new: dict) -> list[dict]:
    """Rows {"label", "old", "new", "change"} with change in added/removed/changed/same."""
    a, b = dict(flatten(old)), dict(flatten(new))
    labels = list(dict.fromkeys([k for k, _ in flatten(old)] + [k for k, _ in flatten(new)]))
    rows = []
    for label in labels:
        before, after = a.get(label), b.get(label)
        if before == after:
            change = "same"
        elif before is None:
            change = "added"
        elif after is None:
            change = "removed"
        else:
            change = "changed"
        rows.append({"label": label, "old": before, "new": after, "change": change})
    return rows
