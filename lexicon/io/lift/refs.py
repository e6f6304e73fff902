"""Relations in LIFT name their targets by LIFT id or guid; point them at Wordkeep ids."""

from __future__ import annotations

from lexicon.shape.entry import iter_senses


def target_keys(e: dict) -> dict[str, tuple[str, str]]:
    """What a relation may name `e` or one of its senses by: {key: (id, headword)}."""
    keys: dict[str, tuple[str, str]] = {}
    lx = e["extra"].get("lift", {})
    lift_id = lx.get("attrs", {}).get("id")
    hw = next(iter(e["headword"].values()), "")
    for key in filter(None, (lift_id, lx.get("attrs", {}).get("guid"), e["id"])):
        keys[key] = (e["id"], hw)
    for s in iter_senses(e):
        sx = s.get("extra", {}).get("lift", {})
        for key in filter(None, (sx.get("attrs", {}).get("id"), s["id"])):
            keys[key] = (s["id"], hw)
    return keys


def resolve_relations(entries: list[dict], warn, ids: dict | None = None) -> None:
    """Point relation targets at Wordkeep ids when the LIFT ref names an entry or sense here
    (`ids`: every target of the file, when some of its entries are not among `entries`)."""
    if ids is None:
        ids = {}
        for e in entries:
            ids.update(target_keys(e))
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
