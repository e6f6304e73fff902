"""Relations in LIFT name their targets by LIFT id or guid; point them at Wordkeep ids."""

from __future__ import annotations


def target_keys(e: dict, keys: dict | None = None) -> dict[str, tuple[str, str]]:
    """What a relation may name `e` or one of its senses by: {key: (id, headword)} (added to
    `keys` when given)."""
    if keys is None:
        keys = {}
    eid = e["id"]
    attrs = e["extra"].get("lift", {}).get("attrs", {})
    hw = next(iter(e["headword"].values()), "")
    target = (eid, hw)
    for key in (attrs.get("id"), attrs.get("guid"), eid):
        if key:
            keys[key] = target
    _sense_keys(e.get("senses") or [], hw, keys)
    return keys


def _sense_keys(senses: list, hw: str, keys: dict) -> None:
    """The senses' keys, each sense's before its subsenses' (as shape.entry.iter_senses)."""
    for s in senses:
        sid = s["id"]
        sense_id = s.get("extra", {}).get("lift", {}).get("attrs", {}).get("id")
        if sense_id:
            keys[sense_id] = (sid, hw)
        if sid:
            keys[sid] = (sid, hw)
        if subsenses := s.get("subsenses"):
            _sense_keys(subsenses, hw, keys)


def resolve_relations(entries: list[dict], warn, ids: dict | None = None) -> None:
    """Point relation targets at Wordkeep ids when the LIFT ref names an entry or sense here
    (`ids`: every target of the file, when some of its entries are not among `entries`)."""
    if ids is None:
        ids = {}
        for e in entries:
            target_keys(e, ids)
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
