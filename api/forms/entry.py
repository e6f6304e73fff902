"""The keepers' entry form <-> entry dict: the posted names (`sense.0.ex.1.text.seh`, ...)
read into the whole entry to save.

The form edits part of an entry; everything it does not show (citation, etymologies, a picture's
file, subsenses, `extra`, ...) is carried over from the version the form was opened at, so a save
from the form never drops data it could not display.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable

from lexicon.shape.diffs import flatten
from lexicon.shape.schemas import nfc_deep


def parse_form(pairs: Iterable[tuple[str, str]]) -> dict:
    """Flat names such as `sense.0.ex.1.text.seh` -> nested dicts; repeated names -> lists."""
    root: dict = {}
    for name, value in pairs:
        if name.startswith("_") or "csrf" in name:
            continue
        parts = name.split(".")
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            last = parts[-1]
            if last in node:
                prev = node[last]
                node[last] = (prev if isinstance(prev, list) else [prev]) + [value]
            else:
                node[last] = value
    return nfc_deep(root)


def _ordered(group) -> list[dict]:
    if not isinstance(group, dict):
        return []
    keys = sorted((k for k in group if k.isdigit()), key=int)
    return [group[k] for k in keys if isinstance(group[k], dict)]


def field_text(value) -> str:
    """One field's value, stripped (the last one when a name was posted more than once)."""
    if isinstance(value, list):
        value = value[-1] if value else ""
    return (value or "").strip()


def _multitext(form_mt, base_mt: dict | None = None) -> dict:
    """Writing systems the form showed take the form's value; others keep the stored one."""
    form_mt = form_mt if isinstance(form_mt, dict) else {}
    out = {k: v for k, v in (base_mt or {}).items() if k not in form_mt}
    out.update({k: field_text(v) for k, v in form_mt.items() if field_text(v)})
    return out


def _checked(item: dict, key: str = "remove") -> bool:
    return bool(field_text(item.get(key)))


def _by_id(items: list[dict]) -> dict:
    return {i["id"]: i for i in items if i.get("id")}


def _lines(value) -> list[str]:
    raw = "\n".join(value) if isinstance(value, list) else (value or "")
    seen: list[str] = []
    for line in raw.replace(";", "\n").splitlines():
        line = " ".join(line.split())
        if line and line not in seen:
            seen.append(line)
    return seen


def _visibility(item: dict, out: dict) -> None:
    """A sense's or example's visibility and circle, when the form showed them (else the
    stored ones stay, and a new item is public, the schema's default)."""
    if "visibility" in item:
        out["visibility"] = field_text(item.get("visibility")) or "public"
    if "circle" in item:
        out["circle"] = field_text(item.get("circle")) or None


RECORDING_TEXT = ("speaker", "dialect", "place", "recorded_on", "consent")
CONSENTS = ("consent_publish", "consent_speech_tools")
_YES_NO = {"yes": True, "no": False}


def _recording(item: dict, old: dict) -> dict:
    """Who spoke a recording and the consent given (docs/entry-shape.md): the form's values
    where it showed them (its hidden `notes` field says so), else the stored ones."""
    out = {k: old.get(k) or "" for k in RECORDING_TEXT}
    out.update({k: old.get(k) for k in CONSENTS}, speaker_named=bool(old.get("speaker_named")))
    if not _checked(item, "notes"):
        return out
    out.update({k: field_text(item.get(k)) for k in RECORDING_TEXT if k in item})
    out.update({k: _YES_NO.get(field_text(item.get(k))) for k in CONSENTS if k in item})
    out["speaker_named"] = _checked(item, "speaker_named")
    return out


def _examples(form_sense: dict, base_sense: dict) -> list[dict]:
    base = _by_id(base_sense.get("examples", []))
    out = []
    for item in _ordered(form_sense.get("ex")):
        if _checked(item):
            continue
        old = copy.deepcopy(base.get(field_text(item.get("id")), {}))
        ex = {**old, "id": old.get("id")}
        ex["text"] = _multitext(item.get("text"), old.get("text"))
        ex["translations"] = _multitext(item.get("tr"), old.get("translations"))
        ex["source"] = field_text(item.get("source")) if "source" in item else old.get("source", "")
        if isinstance(item.get("rec"), dict) or old.get("recording"):
            rec = item.get("rec") if isinstance(item.get("rec"), dict) else {}
            ex["recording"] = _recording(rec, old.get("recording") or {})
        if sha := field_text(item.get("media")):  # recorded while the form was open
            ex["media"] = (
                {"sha256": sha} if sha != (old.get("media") or {}).get("sha256") else old["media"]
            )
        if _checked(item, "media_remove"):  # the recording, and who spoke it, go
            ex["media"], ex["recording"] = None, {}
        _visibility(item, ex)
        if ex["text"] or ex["translations"] or ex.get("media"):
            out.append(ex)
    return out


def _pictures(form_sense: dict, base_sense: dict) -> list[dict]:
    """The sense's pictures in the form's order, captions, credits and visibility as edited,
    those marked removed left out; the form never makes one (an upload does). A sense whose
    form showed no pictures keeps the stored ones."""
    stored = base_sense.get("pictures") or []
    if not isinstance(form_sense.get("pic"), dict):
        return copy.deepcopy(stored)
    base = _by_id(stored)
    out = []
    for item in _ordered(form_sense.get("pic")):
        old = base.pop(field_text(item.get("id")), None)
        if old is None or _checked(item):
            continue
        picture = copy.deepcopy(old)
        picture["caption"] = _multitext(item.get("caption"), old.get("caption"))
        if "credit" in item:
            picture["credit"] = field_text(item.get("credit"))
        _visibility(item, picture)
        out.append(picture)
    return out + [p for p in stored if p.get("id") in base]  # one the form did not show: kept


def _senses(form: dict, base: dict) -> list[dict]:
    stored = _by_id(base.get("senses", []))
    out = []
    for item in _ordered(form.get("sense")):
        if _checked(item):
            continue
        old = copy.deepcopy(stored.get(field_text(item.get("id")), {}))
        sense = {**old, "id": old.get("id")}
        sense["glosses"] = _multitext(item.get("gloss"), old.get("glosses"))
        sense["definitions"] = _multitext(item.get("def"), old.get("definitions"))
        if "domains" in item:
            sense["semantic_domains"] = _lines(item.get("domains"))
        if "part_of_speech" in item:
            sense["part_of_speech"] = field_text(item.get("part_of_speech")) or None
        _visibility(item, sense)
        sense["examples"] = _examples(item, old)
        sense["pictures"] = _pictures(item, old)
        content = (sense["glosses"], sense["definitions"], sense.get("semantic_domains"))
        if any(content) or sense["examples"] or sense["pictures"] or old.get("subsenses"):
            out.append(sense)
    return out


def _pronunciations(form: dict, base: dict) -> list[dict]:
    stored = _by_id(base.get("pronunciations", []))
    out = []
    for item in _ordered(form.get("pron")):
        if _checked(item):
            continue
        old = copy.deepcopy(stored.get(field_text(item.get("id")), {}))
        pron = {**old, "id": old.get("id") or field_text(item.get("id")) or None}
        pron["ipa"] = field_text(item.get("ipa"))
        pron.update(_recording(item, old))
        _visibility(item, pron)
        sha = field_text(item.get("media"))
        # A recording uploaded while the form was open is not in the base version yet.
        pron["media"] = {"sha256": sha} if sha else old.get("media")
        if pron["ipa"] or pron["media"]:
            out.append(pron)
    return out


def _simple_list(form: dict, key: str, build: Callable[[dict], dict | None]) -> list[dict]:
    return [d for d in (build(i) for i in _ordered(form.get(key)) if not _checked(i)) if d]


def entry_from_form(form: dict, base: dict | None = None) -> dict:
    """The whole entry to save: the form's fields over `base` (the version it was opened at)."""
    base = copy.deepcopy(base or {})
    out = {k: v for k, v in base.items() if k not in ("id", "version")}
    out["headword"] = _multitext(form.get("headword"), base.get("headword"))
    out["part_of_speech"] = field_text(form.get("part_of_speech")) or None
    out["status"] = field_text(form.get("status")) or base.get("status") or "draft"
    visibility = field_text(form.get("visibility"))
    out["visibility"] = visibility or base.get("visibility")
    if "circle" in form:
        out["circle"] = field_text(form.get("circle")) or None
    out["pronunciations"] = _pronunciations(form, base)
    out["senses"] = _senses(form, base)

    def note(item):
        text = _multitext(item.get("text"))
        return {"type": field_text(item.get("type")), "text": text} if text else None

    def variant(item):
        form_mt = _multitext(item.get("form"))
        return (
            {"form": form_mt, "type": field_text(item.get("type")), "extra": {}}
            if form_mt
            else None
        )

    def relation(item):
        target = field_text(item.get("target_id"))
        if not target and not field_text(item.get("target_headword")):
            return None
        return {
            "type": field_text(item.get("type")) or "see",
            "target_id": target,
            "target_headword": field_text(item.get("target_headword")),
            "extra": {},
        }

    out["notes"] = _simple_list(form, "note", note)
    out["variants"] = _simple_list(form, "variant", variant)
    out["relations"] = _simple_list(form, "rel", relation)
    return out


def typed_entry(form: dict, entry_id: str | None) -> dict:
    """What the keeper typed, read onto nothing (the entry is no longer there for them to read
    it onto, or could not be read: busy): each sense, example and recording keeps the id the
    form posted, so the form saved again edits those and keeps what it does not show."""
    opened = {
        "senses": [
            {"id": field_text(s.get("id")),
             "examples": [{"id": field_text(e.get("id"))} for e in _ordered(s.get("ex"))]}
            for s in _ordered(form.get("sense"))
        ],
        "pronunciations": [{"id": field_text(p.get("id"))} for p in _ordered(form.get("pron"))],
    }  # fmt: skip
    return {**entry_from_form(form, opened), "id": entry_id, "version": form_version(form)}


def typed_entry_lines(pairs: Iterable[tuple[str, str]]) -> list[tuple]:
    """What the keeper posted from the entry form (or from the conflict page: its `mine_json`)
    as labelled lines: all a page shows them when it may show nothing of the dictionary."""
    form = parse_form(pairs)
    if "mine_json" in form:
        entry = json.loads(field_text(form["mine_json"]))
        return flatten(entry) if isinstance(entry, dict) else []
    return flatten(entry_from_form(form))


def form_version(form: dict) -> int | None:
    value = field_text(form.get("version"))
    return int(value) if value.isdigit() else None
