"""Relations in LIFT name their targets by LIFT id or guid; point them at Wordkeep ids."""

from __future__ import annotations

from lexicon.shape.entry import iter_senses


def resolve_relations(entries: list[dict], warn) -> None:
    """Point relation targets at Wordkeep ids when the LIFT ref names an entry or sense here."""
    ids: dict[str, tuple[str, dict]] = {}
    for e in entries:
        lx = e["extra"].get("lift", {})
        lift_id = lx.get("attrs", {}).get("id")
        hw = next(iter(e["headword"].values()), "")
        for key in filter(None, (lift_id, lx.get("attrs", {}).get("guid"), e["id"])):
            ids[key] = (e["id"], hw)
        for s in iter_senses(e):
            sx = s.get("extra", {}).get("lift", {})
            for key in filter(None, (sx.get("attrs", {}).get("id"), s["id"])):
                ids[key] = (s["id"], hw)
    for e in entries:
        for r in e["relations"]:
            ref = r["target_id"]
            if ref in ids:
                r["target_id"], r["target_headword"] = ids[ref]
                r["extra"]["lift"]["target"] = r["target_id"]
            elif ref:
                warn(
                    None,
                    f"relation {r['type']!r} of entry {e['id']} points at {ref!r}, "
                    f"which is not in this file (kept as is)",
                )
