"""A text dict -> Praat .TextGrid bytes (long text format, UTF-8), through praatio.

A text read from a TextGrid gets its kept tiers back with the segments on the mapped tiers
(an untouched segment at the exact times Praat wrote); any other text gets a transcription
tier per speaker and a translation tier per writing system. Gaps are filled with empty
intervals, as Praat expects."""

from __future__ import annotations

import copy

from praatio.utilities import textgrid_io

from lexicon.errors import InvalidInput
from lexicon.io.textgrid.read import INTERVAL
from lexicon.io.textparts import first_value, round_seconds, timed_segments


def _exact(seg: dict, key: str) -> float:
    """The segment's time, or the exact time it was read with when it rounds to the same."""
    kept = ((seg.get("extra") or {}).get("textgrid") or {}).get(key)
    if isinstance(kept, int | float) and round_seconds(kept) == seg[key]:
        return float(kept)
    return float(seg[key])


def _tier(grid: dict, name: str) -> dict:
    found = next((t for t in grid["tiers"] if t["name"] == name and t["class"] == INTERVAL), None)
    if found is None:
        found = {
            "class": INTERVAL,
            "name": name,
            "xmin": grid["xmin"],
            "xmax": grid["xmax"],
            "entries": [],
        }
        grid["tiers"].append(found)
    return found


def _word_entries(seg: dict, exact: bool) -> list[list]:
    """The intervals of a segment's timed words (words without times have no place)."""
    entries = []
    for word in seg.get("words") or []:
        if word.get("start") is None or word.get("end") is None or not word.get("text"):
            continue
        if exact:
            entries.append([_exact(word, "start"), _exact(word, "end"), word["text"]])
        else:
            entries.append([float(word["start"]), float(word["end"]), word["text"]])
    return entries


def place_segments(grid: dict, mapping: dict, segments: list[dict], exact: bool) -> None:
    main = _tier(grid, mapping["transcription"])
    targets = {ws: _tier(grid, name) for ws, name in mapping["translations"].items()}
    words = _tier(grid, mapping["words"]) if mapping.get("words") else None
    for seg in segments:
        start = _exact(seg, "start") if exact else float(seg["start"])
        end = _exact(seg, "end") if exact else float(seg["end"])
        main["entries"].append([start, end, first_value(seg.get("text"), mapping["vernacular"])])
        for ws, tier in targets.items():
            value = (seg.get("translation") or {}).get(ws)
            if value:
                tier["entries"].append([start, end, value])
        if words is not None:
            words["entries"].extend(_word_entries(seg, exact))


def kept_groups(mapping: dict, segments: list[dict]) -> list[tuple[dict, list[dict]]]:
    """Each transcription tier of a grid read before, with its segments: by the tier they
    were read from, else by speaker (the first tier takes the rest)."""
    groups = mapping.get("tiers") or [
        {
            "transcription": mapping["transcription"],
            "speaker": None,
            "translations": mapping["translations"],
            "words": mapping.get("words"),
        }
    ]
    names = [g["transcription"] for g in groups]
    members: dict[str, list] = {n: [] for n in names}
    for seg in segments:
        tier = ((seg.get("extra") or {}).get("textgrid") or {}).get("tier")
        if tier not in members:
            who = seg.get("speaker")
            tier = next(
                (g["transcription"] for g in groups if who and g["speaker"] == who), names[0]
            )
        members[tier].append(seg)
    return [
        ({**g, "vernacular": mapping["vernacular"]}, members[g["transcription"]]) for g in groups
    ]


def fresh_grid(segments: list[dict]) -> tuple[dict, list[tuple[dict, list[dict]]]]:
    """An empty grid, and the mapping of each speaker's segments onto its tiers."""
    grid = {"xmin": 0.0, "xmax": 0.0, "tiers": []}
    speakers = list(dict.fromkeys(s.get("speaker") for s in segments)) or [None]
    vernacular = next((ws for s in segments for ws in (s.get("text") or {})), "und")
    analysis = list(dict.fromkeys(ws for s in segments for ws in (s.get("translation") or {})))
    groups = []
    for who in speakers:
        suffix = f"@{who}" if len(speakers) > 1 and who else ""
        mapping = {
            "transcription": f"transcription{suffix}",
            "vernacular": vernacular,
            "translations": {ws: f"translation-{ws}{suffix}" for ws in analysis},
        }
        members = [s for s in segments if s.get("speaker") == who]
        if any(_word_entries(s, False) for s in members):
            mapping["words"] = f"words{suffix}"
        _tier(grid, mapping["transcription"])
        for name in mapping["translations"].values():
            _tier(grid, name)
        if mapping.get("words"):
            _tier(grid, mapping["words"])
        groups.append((mapping, [s for s in segments if s.get("speaker") == who]))
    return grid, groups


def _bounds(grid: dict) -> None:
    """Stretch the grid and its tiers over every interval and point; refuse overlaps."""
    times = [grid["xmax"]]
    for tier in grid["tiers"]:
        tier["entries"].sort(key=lambda e: (e[0], e[1] if len(e) == 3 else 0))
        if tier["class"] == INTERVAL:
            for a, b in zip(tier["entries"], tier["entries"][1:], strict=False):
                if b[0] < a[1]:
                    raise InvalidInput(
                        f"TextGrid: on tier {tier['name']!r}, {b[2]!r} (from {b[0]} s) overlaps "
                        f"{a[2]!r} ({a[0]}-{a[1]} s); Praat's tiers cannot overlap"
                    )
        times.extend(e[-2] for e in tier["entries"])
        times.append(tier["xmax"])
    grid["xmax"] = max(times)
    grid["xmin"] = min([grid["xmin"], *(t["xmin"] for t in grid["tiers"])], default=0.0)
    for tier in grid["tiers"]:
        tier["xmax"] = grid["xmax"]
        tier["xmin"] = min(tier["xmin"], *(e[0] for e in tier["entries"][:1]), grid["xmin"])


def _praatio_dict(grid: dict) -> dict:
    return {
        "xmin": grid["xmin"],
        "xmax": grid["xmax"],
        "tiers": [
            {
                "class": t["class"],
                "name": t["name"],
                "xmin": t["xmin"],
                "xmax": t["xmax"],
                "entries": [tuple(e) for e in t["entries"]],
            }
            for t in grid["tiers"]
        ],
    }


def write_textgrid(text: dict) -> bytes:
    """The TextGrid of a text (see the module's docstring). Refused (InvalidInput) when a
    segment has no times or two segments of one tier overlap."""
    segments = timed_segments(text, "TextGrid")
    kept = (text.get("extra") or {}).get("textgrid")
    if kept and kept.get("mapping"):
        grid = copy.deepcopy(kept)
        mapping = grid.pop("mapping")
        for group, members in kept_groups(mapping, segments):
            if not group.get("words") and any(_word_entries(s, False) for s in members):
                group = {**group, "words": f"words@{group['transcription']}"}  # aligned since
            place_segments(grid, group, members, exact=True)
    else:
        grid, groups = fresh_grid(segments)
        for mapping, group in groups:
            place_segments(grid, mapping, group, exact=False)
    _bounds(grid)
    body = textgrid_io.getTextgridAsStr(
        _praatio_dict(grid), "long_textgrid", includeBlankSpaces=True, minimumIntervalLength=None
    )
    return body.encode("utf-8")
