"""The facts of a TextGrid, for the round-trip comparison: an import then export keeps them.

    ("interval", tier, xmin, xmax, text)   every labelled interval (empty ones are gaps)
    ("point", tier, time, mark)            every point of a point tier
    ("tier", name, class)                  every tier

Times are the floats Praat wrote, compared exactly."""

from __future__ import annotations

from lexicon.io.textgrid.read import INTERVAL, parse_grid


def textgrid_facts(data: bytes, name: str = "file.TextGrid") -> set[tuple]:
    grid = parse_grid(data, name)
    facts = set()
    for tier in grid["tiers"]:
        facts.add(("tier", tier["name"], tier["class"]))
        for entry in tier["entries"]:
            if tier["class"] == INTERVAL:
                if entry[2] != "":
                    facts.add(("interval", tier["name"], *entry))
            else:
                facts.add(("point", tier["name"], *entry))
    return facts
