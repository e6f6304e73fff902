"""Praat .TextGrid -> a text dict (docs/text-shape.md), through praatio.

The transcription tier's labelled intervals become segments (times rounded to the
millisecond; the exact times Praat wrote stay in the segment's `extra.textgrid` so that an
untouched segment is written back to the last digit), a translation tier's intervals with
the same bounds their translations (the keeper may list a transcription tier per speaker),
a words tier's intervals inside them their timed words.
Every other tier, interval and point stays in
`extra.textgrid`:

    {"xmin": 0.0, "xmax": 1.87, "mapping": {"transcription": name, "vernacular": ws,
     "translations": {ws: name}},
     "tiers": [{"class": "IntervalTier" | "TextTier", "name": ..., "xmin": ..., "xmax": ...,
                "entries": [[start, end, label]] or [[time, label]]}]}
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from praatio.utilities import textgrid_io

from lexicon.errors import InvalidInput
from lexicon.io.ids import derive_id
from lexicon.io.safety import DEFAULT_LIMITS, Limits
from lexicon.io.textparts import (
    TextRejected,
    blank_segment,
    blank_text,
    content_id,
    decode,
    language_of_name,
    read_bytes,
    round_seconds,
    speaker,
)

_NEGATIVE = re.compile(r"^\s*(?:(?:xmin|xmax|number|time)\s*=\s*)?-\s*\d", re.MULTILINE)
INTERVAL = "IntervalTier"
POINT = "TextTier"


def _number(value, where: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TextRejected(f"{where}: time {value!r} is not a number") from None
    if not math.isfinite(number) or number < 0:
        raise TextRejected(f"{where}: time {value!r} is negative or not finite")
    return number


def _tier(raw: dict, name: str) -> dict:
    where = f"{name}: tier {raw.get('name')!r}"
    tier = {
        "class": raw["class"],
        "name": raw["name"],
        "xmin": _number(raw["xmin"], where),
        "xmax": _number(raw["xmax"], where),
        "entries": [],
    }
    last_end, last = None, None
    for n, entry in enumerate(raw["entries"], 1):
        if tier["class"] == INTERVAL:
            here = f"{where}, interval {n}"
            start, end = _number(entry[0], here), _number(entry[1], here)
            if end < start:
                raise TextRejected(f"{here}: ends ({end}) before it starts ({start})")
            if last_end is not None and start < last_end:
                raise TextRejected(f"{here} (from {start}) overlaps interval {last}")
            last_end, last = end, n
            tier["entries"].append([start, end, entry[2]])
        else:
            tier["entries"].append([_number(entry[0], f"{where}, point {n}"), entry[1]])
    return tier


def parse_grid(data: bytes, name: str) -> dict:
    """The TextGrid as plain data (all intervals, empty ones too), refused (TextRejected) when
    it is not a readable text TextGrid or its times do not hold together."""
    text = decode(data, name)
    if text.lstrip().startswith("{") or 'Object class = "TextGrid' not in text[:400]:
        raise TextRejected(f"{name}: not a Praat TextGrid (no 'Object class = \"TextGrid\"')")
    negative = _NEGATIVE.search(text)
    if negative:  # praatio would drop the sign
        line = text.count("\n", 0, negative.start()) + 1
        raise TextRejected(f"{name}: line {line}: a negative time ({negative.group(0).strip()}...)")
    try:
        raw = textgrid_io.parseTextgridStr(text, includeEmptyIntervals=True)
        grid = {
            "xmin": _number(raw["xmin"], name),
            "xmax": _number(raw["xmax"], name),
            "tiers": [_tier(t, name) for t in raw["tiers"]],
        }
    except TextRejected:
        raise
    except Exception as exc:  # praatio raises bare errors of many kinds on broken input
        raise TextRejected(f"{name}: not a readable Praat TextGrid ({exc})") from exc
    return grid


def _labelled(tier: dict) -> list[list]:
    return [e for e in tier["entries"] if e[-1] != ""]


def _named(grid: dict, tier_name: str, role: str, name: str) -> dict:
    for tier in grid["tiers"]:
        if tier["name"] == tier_name and tier["class"] == INTERVAL:
            return tier
    have = ", ".join(repr(t["name"]) for t in grid["tiers"] if t["class"] == INTERVAL)
    raise InvalidInput(f"{name}: no interval tier {tier_name!r} for the {role} (tiers: {have})")


def _default_translations(grid: dict, main: dict, analysis: str | None, taken: set) -> dict:
    """The first other interval tier whose labelled intervals all share the bounds of the
    transcription's (a translation made interval by interval)."""
    bounds = {(e[0], e[1]) for e in _labelled(main)}
    for tier in grid["tiers"]:
        if tier is main or tier["name"] in taken or tier["class"] != INTERVAL:
            continue
        if _labelled(tier) and all((e[0], e[1]) in bounds for e in _labelled(tier)):
            return {analysis or language_of_name(tier["name"]): tier["name"]}
    return {}


def _mean_length(tier: dict) -> float:
    spans = [e[1] - e[0] for e in _labelled(tier)]
    return sum(spans) / len(spans) if spans else -1.0


def _transcription_names(grid: dict, mapping: dict, name: str) -> list[str]:
    """The keeper's tier (or list of tiers, one per speaker), else the interval tier whose
    labelled intervals are longest on average: utterances rather than words or phones."""
    given = mapping.get("transcription")
    if given:
        names = [given] if isinstance(given, str) else list(given)
    else:
        intervals = [t for t in grid["tiers"] if t["class"] == INTERVAL]
        if not intervals:
            raise InvalidInput(
                f"{name}: the TextGrid has no interval tier to read a transcription from"
            )
        names = [max(intervals, key=_mean_length)["name"]]
    for tier_name in names:
        _named(grid, tier_name, "transcription", name)
    return names


_WORDS_NAME = re.compile(r"word|palabra|\bmots?\b|wort|\bwd\b", re.IGNORECASE)


def _nested(tier: dict, main: dict) -> bool:
    """Every labelled interval of `tier` lies inside a labelled interval of `main`."""
    spans = sorted((e[0], e[1]) for e in _labelled(main))
    return all(any(a <= e[0] and e[1] <= b for a, b in spans) for e in _labelled(tier))


def _words_tier(grid: dict, main: dict, mapping: dict, n: int, taken: set, name: str):
    """The tier whose intervals are the words of `main`'s segments: the keeper's ("words": a
    tier, or a list with one per transcription tier), else a tier named for words whose
    labelled intervals all lie inside the transcription's; None for none."""
    if "words" in mapping:
        given = mapping["words"]
        given = given if isinstance(given, str) or given is None else (list(given) + [None] * n)[n]
        if given:
            tier = _named(grid, given, "words", name)
            if tier is main or given in taken:
                raise InvalidInput(
                    f"{name}: tier {given!r} is already the transcription or translation"
                )
        return given or None
    for tier in grid["tiers"]:
        if (
            tier is not main
            and tier["class"] == INTERVAL
            and tier["name"] not in taken
            and _WORDS_NAME.search(tier["name"])
            and len(_labelled(tier)) > len(_labelled(main))
            and _nested(tier, main)
        ):
            return tier["name"]
    return None


def _explicit_translations(mapping: dict) -> dict | None:
    if "translations" in mapping:
        return dict(mapping["translations"] or {})
    if "translation" in mapping:
        one = mapping["translation"]
        return {mapping.get("analysis") or language_of_name(one): one} if one else {}
    return None


def resolve_mapping(grid: dict, mapping: dict | None, name: str) -> dict:
    """{"transcription": first tier, "vernacular": ws, "translations": {ws: tier name},
    "tiers": [{"transcription", "speaker", "translations"}]}, from the keeper's `mapping`
    (same keys as ELAN's; "transcription" may list a tier per speaker, the tier's name then
    being the speaker) and the defaults (see `_transcription_names`; a translation tier
    matches its transcription bound for bound)."""
    mapping = dict(mapping or {})
    names = _transcription_names(grid, mapping, name)
    taken, tiers = set(names), []
    for n, tier_name in enumerate(names):
        main = _named(grid, tier_name, "transcription", name)
        chosen = _explicit_translations(mapping) if n == 0 else None
        if chosen is None:
            chosen = _default_translations(grid, main, mapping.get("analysis"), taken)
        for ws, other in chosen.items():
            if _named(grid, other, f"translation ({ws})", name)["name"] in names:
                raise InvalidInput(
                    f"{name}: tier {other!r} cannot be both transcription and translation"
                )
        taken.update(chosen.values())
        words = _words_tier(grid, main, mapping, n, taken, name)
        taken.add(words)
        who = tier_name if len(names) > 1 else None
        tiers.append(
            {"transcription": tier_name, "speaker": who, "translations": chosen, "words": words}
        )
    vernacular = mapping.get("vernacular") or language_of_name(names[0])
    return {
        "transcription": names[0],
        "vernacular": vernacular,
        "translations": tiers[0]["translations"],
        "words": tiers[0]["words"],
        "tiers": tiers,
    }


def _segment(seg_id: str, entry: list, vernacular: str) -> dict:
    seg = blank_segment(seg_id)
    start, end, label = entry
    seg["start"], seg["end"] = round_seconds(start), round_seconds(end)
    seg["text"] = {vernacular: label}
    exact = {}
    if seg["start"] != start:
        exact["start"] = start
    if seg["end"] != end:
        exact["end"] = end
    seg["extra"] = {"textgrid": exact} if exact else {}
    return seg


def _word(entry: list) -> dict:
    start, end, label = entry
    word = {
        "text": label,
        "start": round_seconds(start),
        "end": round_seconds(end),
        "gloss": {},
        "pos": None,
        "entry_id": None,
        "link": "none",
        "morphemes": [],
        "guid": None,
    }
    exact = {k: v for k, v in (("start", start), ("end", end)) if round_seconds(v) != v}
    word["extra"] = {"textgrid": exact} if exact else {}
    return word


def _take_words(tier: dict, by_bounds: dict) -> None:
    """Move the labelled intervals of a words tier into the words of the segment each lies
    in; the others stay on the tier."""
    spans = sorted(by_bounds)
    rest = []
    for entry in tier["entries"]:
        home = next((b for b in spans if b[0] <= entry[0] and entry[1] <= b[1]), None)
        if entry[2] != "" and home is not None:
            by_bounds[home]["words"].append(_word(entry))
        elif entry[2] != "":
            rest.append(entry)
    tier["entries"] = rest


def _tier_segments(grid: dict, group: dict, vernacular: str, text_id: str, first: bool) -> list:
    main = _named(grid, group["transcription"], "transcription", "")
    segments = []
    for n, entry in enumerate(_labelled(main), 1):
        key = str(n) if first else f"{main['name']}/{n}"
        seg = _segment(derive_id(text_id, "textgrid", key), entry, vernacular)
        seg["speaker"] = group["speaker"]
        if group["speaker"]:
            seg["extra"].setdefault("textgrid", {})["tier"] = main["name"]
        segments.append(seg)
    by_bounds = {(e[0], e[1]): seg for e, seg in zip(_labelled(main), segments, strict=True)}
    if group.get("words"):
        _take_words(_named(grid, group["words"], "words", ""), by_bounds)
    main["entries"] = []
    for ws, tier_name in group["translations"].items():
        tier = _named(grid, tier_name, "translation", "")
        rest = []
        for entry in tier["entries"]:
            seg = by_bounds.get((entry[0], entry[1]))
            if seg is not None and entry[2] != "":
                seg["translation"][ws] = entry[2]
            elif entry[2] != "":
                rest.append(entry)
        tier["entries"] = rest
    return segments


def grid_to_text(data: bytes, name: str, mapping: dict | None = None) -> dict:
    """A text dict from a TextGrid's bytes (see the module's docstring)."""
    grid = parse_grid(data, name)
    chosen = resolve_mapping(grid, mapping, name)
    text = blank_text(content_id("textgrid", data))
    segments = []
    for n, group in enumerate(chosen["tiers"]):
        segments += _tier_segments(grid, group, chosen["vernacular"], text["id"], n == 0)
    segments.sort(key=lambda s: (s["start"], s["end"]))
    text["speakers"] = [speaker(g["speaker"]) for g in chosen["tiers"] if g["speaker"]]
    grid["mapping"] = chosen
    text["segments"] = segments
    text["extra"] = {"textgrid": grid}
    return text


def read_textgrid(path: Path, mapping: dict | None = None, limits: Limits = DEFAULT_LIMITS) -> dict:
    """A text dict from the TextGrid at `path` (see `grid_to_text`)."""
    path = Path(path)
    return grid_to_text(read_bytes(path, limits), path.name, mapping)
