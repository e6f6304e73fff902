"""The keepers' editor, domain side: list filters, the entry form <-> entry dict mapping,
validation per form field, readable diffs, conflict resolution and the settings form.

The form edits part of an entry; everything it does not show (citation, etymologies, pictures,
subsenses, `extra`, ...) is carried over from the version the form was opened at, so a save from
the form never drops data it could not display.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import String, and_, cast, exists, not_, or_, select, true
from sqlalchemy.orm import aliased
from sqlmodel import Session

from lexicon.accounts import access
from lexicon.accounts.access import Viewer
from lexicon.alphabet import Alphabet
from lexicon.db.transactions import transaction
from lexicon.editing import review
from lexicon.editing.write import update_entry
from lexicon.entries.diffs import COMPANIONS, FORM_FIELDS, differing_fields
from lexicon.entries.diffs import FIELD_LABELS as FIELD_LABELS  # the editor's pages use these
from lexicon.entries.diffs import diff as diff
from lexicon.entries.diffs import field_lines as field_lines
from lexicon.entries.labels import Label
from lexicon.entries.read import alphabet_for, entry_dict, list_entries, stored_entry
from lexicon.entries.schemas import EntryIn, nfc_deep
from lexicon.errors import EntryNotFound, InvalidInput, StaleVersion
from lexicon.models import (
    Dictionary,
    Entry,
    Example,
    Membership,
    Pronunciation,
    Revision,
    Sense,
    User,
)

STATUSES = ("draft", "needs_review", "published")
VISIBILITIES = ("public", "community", "restricted")
# Common IPA symbols for the palette of phonetic writing systems and the IPA fields.
IPA_SYMBOLS = list(
    "ɐɑɒæɓʙβɔɕçɗɖðʤəɘɚɛɜɝɞɟʄɡɠɢʛɦɧħɥʜɨɪʝɭɬɫɮʟɱɯɰŋɳɲɴøɵɸθœɶʘɹɺɾɻʀʁɽʂʃʈʧʉʊʋⱱʌɣɤʍχʎʏʑʐʒʔʡʕʢǀǁǂǃˈˌːˑʼʴʰʱʲʷˠˤ˞̃̈̊̀́̂̌̄"
)


class SettingsInvalid(InvalidInput):
    """The dictionary settings form has a mistake; `errors` maps field names to messages."""


# ---------------------------------------------------------------- entry list


def entry_filter(
    *,
    part_of_speech: str | None = None,
    missing_audio: bool = False,
    missing_gloss: bool = False,
    missing_example: bool = False,
    search: str | None = None,
    viewer: Viewer | None = None,
    dictionary: Dictionary | None = None,
) -> Callable | None:
    """A `where(Entry)` for `list_entries` from the keepers' list filters (None: none).
    With a `viewer`, "missing" means missing from what they may see: a recording, gloss or
    example hidden from them counts as missing, so the list never tells that one exists."""

    def seen(model):
        return true() if viewer is None else access.item_clause(viewer, dictionary, model)

    outer = aliased(Sense)

    def seen_sense(sense):  # its own scope and its parent's (deeper senses do not count)
        if viewer is None:
            return true()
        parent = exists().where(outer.id == sense.parent_id, outer.parent_id.is_(None), seen(outer))
        return and_(seen(sense), or_(sense.parent_id.is_(None), parent))

    def where(entry):
        clauses = []
        if part_of_speech:
            clauses.append(entry.part_of_speech == part_of_speech)
        if missing_audio:
            if viewer is None:
                clauses.append(entry.has_audio.is_(False))
            else:
                heard = exists().where(
                    Pronunciation.entry_id == entry.id,
                    Pronunciation.media_sha256.is_not(None),
                    seen(Pronunciation),
                )
                clauses.append(not_(heard))
        if missing_gloss:
            # JSON columns cannot be compared directly on PostgreSQL: compare their text.
            has_gloss = exists().where(
                Sense.entry_id == entry.id, cast(Sense.glosses, String) != "{}", seen_sense(Sense)
            )
            clauses.append(not_(has_gloss))
        if missing_example:
            has_example = exists().where(
                Example.entry_id == entry.id,
                Example.sense_id == Sense.id,
                seen(Example),
                seen_sense(Sense),
            )
            clauses.append(not_(has_example))
        if search:
            pattern = "%" + search.replace("%", "").replace("_", "") + "%"
            clauses.append(entry.headword_text.ilike(pattern))
        return and_(*clauses) if clauses else None

    wanted = part_of_speech or missing_audio or missing_gloss or missing_example or search
    return where if wanted else None


def parts_of_speech(*, session: Session, dictionary: Dictionary) -> list[str]:
    """The parts of speech used in a dictionary (for the list filter and the form)."""
    rows = session.exec(
        select(Entry.part_of_speech)
        .where(Entry.dictionary_id == dictionary.id, Entry.part_of_speech.is_not(None))
        .distinct()
    ).all()
    return sorted({r[0] for r in rows if r[0]})


# ---------------------------------------------------------------- form -> entry


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


def _text(value) -> str:
    if isinstance(value, list):
        value = value[-1] if value else ""
    return (value or "").strip()


def _multitext(form_mt, base_mt: dict | None = None) -> dict:
    """Writing systems the form showed take the form's value; others keep the stored one."""
    form_mt = form_mt if isinstance(form_mt, dict) else {}
    out = {k: v for k, v in (base_mt or {}).items() if k not in form_mt}
    out.update({k: _text(v) for k, v in form_mt.items() if _text(v)})
    return out


def _checked(item: dict, key: str = "remove") -> bool:
    return bool(_text(item.get(key)))


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
        out["visibility"] = _text(item.get("visibility")) or "public"
    if "circle" in item:
        out["circle"] = _text(item.get("circle")) or None


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
    out.update({k: _text(item.get(k)) for k in RECORDING_TEXT if k in item})
    out.update({k: _YES_NO.get(_text(item.get(k))) for k in CONSENTS if k in item})
    out["speaker_named"] = _checked(item, "speaker_named")
    return out


def _examples(form_sense: dict, base_sense: dict) -> list[dict]:
    base = _by_id(base_sense.get("examples", []))
    out = []
    for item in _ordered(form_sense.get("ex")):
        if _checked(item):
            continue
        old = copy.deepcopy(base.get(_text(item.get("id")), {}))
        ex = {**old, "id": old.get("id")}
        ex["text"] = _multitext(item.get("text"), old.get("text"))
        ex["translations"] = _multitext(item.get("tr"), old.get("translations"))
        ex["source"] = _text(item.get("source")) if "source" in item else old.get("source", "")
        if isinstance(item.get("rec"), dict) or old.get("recording"):
            rec = item.get("rec") if isinstance(item.get("rec"), dict) else {}
            ex["recording"] = _recording(rec, old.get("recording") or {})
        _visibility(item, ex)
        if ex["text"] or ex["translations"] or ex.get("media"):
            out.append(ex)
    return out


def _senses(form: dict, base: dict) -> list[dict]:
    stored = _by_id(base.get("senses", []))
    out = []
    for item in _ordered(form.get("sense")):
        if _checked(item):
            continue
        old = copy.deepcopy(stored.get(_text(item.get("id")), {}))
        sense = {**old, "id": old.get("id")}
        sense["glosses"] = _multitext(item.get("gloss"), old.get("glosses"))
        sense["definitions"] = _multitext(item.get("def"), old.get("definitions"))
        if "domains" in item:
            sense["semantic_domains"] = _lines(item.get("domains"))
        if "part_of_speech" in item:
            sense["part_of_speech"] = _text(item.get("part_of_speech")) or None
        _visibility(item, sense)
        sense["examples"] = _examples(item, old)
        content = (sense["glosses"], sense["definitions"], sense.get("semantic_domains"))
        if any(content) or sense["examples"] or old.get("pictures") or old.get("subsenses"):
            out.append(sense)
    return out


def _pronunciations(form: dict, base: dict) -> list[dict]:
    stored = _by_id(base.get("pronunciations", []))
    out = []
    for item in _ordered(form.get("pron")):
        if _checked(item):
            continue
        old = copy.deepcopy(stored.get(_text(item.get("id")), {}))
        pron = {**old, "id": old.get("id") or _text(item.get("id")) or None}
        pron["ipa"] = _text(item.get("ipa"))
        pron.update(_recording(item, old))
        _visibility(item, pron)
        sha = _text(item.get("media"))
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
    out["part_of_speech"] = _text(form.get("part_of_speech")) or None
    out["status"] = _text(form.get("status")) or base.get("status") or "draft"
    visibility = _text(form.get("visibility"))
    out["visibility"] = visibility or base.get("visibility")
    if "circle" in form:
        out["circle"] = _text(form.get("circle")) or None
    out["pronunciations"] = _pronunciations(form, base)
    out["senses"] = _senses(form, base)

    def note(item):
        text = _multitext(item.get("text"))
        return {"type": _text(item.get("type")), "text": text} if text else None

    def variant(item):
        form_mt = _multitext(item.get("form"))
        return {"form": form_mt, "type": _text(item.get("type")), "extra": {}} if form_mt else None

    def relation(item):
        target = _text(item.get("target_id"))
        if not target and not _text(item.get("target_headword")):
            return None
        return {
            "type": _text(item.get("type")) or "see",
            "target_id": target,
            "target_headword": _text(item.get("target_headword")),
            "extra": {},
        }

    out["notes"] = _simple_list(form, "note", note)
    out["variants"] = _simple_list(form, "variant", variant)
    out["relations"] = _simple_list(form, "rel", relation)
    return out


def form_version(form: dict) -> int | None:
    value = _text(form.get("version"))
    return int(value) if value.isdigit() else None


def validate(entry: dict, *, dictionary: Dictionary) -> dict[str, str]:
    """Messages keyed by form field (`headword`, `sense.1.gloss`, ...) for what cannot be saved."""
    errors: dict[str, str] = {}
    if not any(v.strip() for v in entry.get("headword", {}).values()):
        errors["headword"] = Label("Write the headword in at least one writing system.")
    if entry.get("status") not in STATUSES:
        errors["status"] = _choose(STATUSES)
    if entry.get("visibility") not in (None, *VISIBILITIES):
        errors["visibility"] = _choose(VISIBILITIES)
    for i, sense in enumerate(entry.get("senses") or []):
        if sense.get("visibility", "public") not in VISIBILITIES:
            errors[f"sense.{i}.visibility"] = _choose(VISIBILITIES)
        for j, ex in enumerate(sense.get("examples", [])):
            if ex.get("visibility", "public") not in VISIBILITIES:
                errors[f"sense.{i}.ex.{j}.visibility"] = _choose(VISIBILITIES)
            if _unconsented(ex.get("recording") or {}, ex):
                errors[f"sense.{i}.ex.{j}.rec.consent_publish"] = _NOT_PUBLIC
            if ex.get("translations") and not ex.get("text") and not ex.get("media"):
                errors[f"sense.{i}.ex.{j}.text"] = Label(
                    "The example has a translation but no sentence."
                )
    for i, pron in enumerate(entry.get("pronunciations") or []):
        if pron.get("visibility", "public") not in VISIBILITIES:
            errors[f"pron.{i}.visibility"] = _choose(VISIBILITIES)
        if _unconsented(pron, pron):
            errors[f"pron.{i}.consent_publish"] = _NOT_PUBLIC
    for i, rel in enumerate(entry.get("relations") or []):
        if not rel["target_id"]:
            errors[f"rel.{i}.target_id"] = Label(
                "No entry “%(headword)s”: type part of its headword and choose it.",
                headword=rel["target_headword"],
            )
        elif rel["target_id"] == entry.get("id"):
            errors[f"rel.{i}.target_id"] = Label("An entry cannot be related to itself.")
    return errors


_NOT_PUBLIC = Label(
    "The speaker did not agree to publication: let only the community or a circle hear this"
    " recording, or remove it."
)


def _unconsented(recording: dict, item: dict) -> bool:
    """A recording whose speaker said no to publication, shown to the public."""
    public = item.get("visibility", "public") == "public"
    return recording.get("consent_publish") is False and public and bool(item.get("media"))


def _choose(allowed) -> Label:
    return Label("Choose one of: %(choices)s.", choices=", ".join(allowed))


def blank_sense() -> dict:
    return {"id": None, "glosses": {}, "definitions": {}, "semantic_domains": [], "examples": []}


def blank_example() -> dict:
    return {"id": None, "text": {}, "translations": {}, "source": ""}


# ---------------------------------------------------------------- saving


def save_entry(
    *, session: Session, dictionary: Dictionary, viewer: Viewer, entry_id: str | None, form: dict
) -> review.Change:
    """Create or update from a posted form (a proposal when the viewer only contributes);
    raises StaleVersion, with the form's entry as `details["mine"]`, if someone saved since."""
    if entry_id is None:
        entry = entry_from_form(form)
        _find_relation_targets(session, dictionary, viewer, entry)
        _raise_if_invalid(entry, dictionary)
        return review.change_entry(
            session=session, dictionary=dictionary, viewer=viewer, action="create", data=entry
        )
    version = form_version(form)
    base = opened_version(
        session=session, dictionary=dictionary, entry_id=entry_id, version=version, viewer=viewer
    )
    entry = entry_from_form(form, base)
    entry["id"] = entry_id
    _find_relation_targets(session, dictionary, viewer, entry)
    _raise_if_invalid(entry, dictionary)
    try:
        return review.change_entry(
            session=session, dictionary=dictionary, viewer=viewer, action="update",
            entry_id=entry_id, data=entry, version=version,
        )  # fmt: skip
    except StaleVersion as exc:
        exc.details["mine"] = entry  # the conflict view shows it next to theirs
        raise


def _find_relation_targets(session, dictionary, viewer: Viewer, entry: dict) -> None:
    """A related entry typed by headword (no script to pick it) is looked up exactly."""
    for rel in entry.get("relations", []):
        if rel["target_id"] or not rel["target_headword"]:
            continue
        found = list_entries(
            session=session, dictionary=dictionary, viewer=viewer, limit=2,
            where=lambda e, text=rel["target_headword"]: e.headword_text == text,
        )["items"]  # fmt: skip
        if len(found) == 1:
            rel["target_id"] = found[0]["id"]


def _raise_if_invalid(entry: dict, dictionary: Dictionary) -> None:
    errors = validate(entry, dictionary=dictionary)
    if errors:
        raise InvalidInput(next(iter(errors.values())), errors=errors, entry=entry)


def opened_version(
    *, session: Session, dictionary: Dictionary, entry_id: str, version: int | None, viewer: Viewer
) -> dict:
    """The entry as `viewer` saw it at `version` (revision n is version n): what the form is
    merged onto. Parts hidden from the viewer, then or now, are left out here and put back on
    saving; an entry hidden from them now is not found, whatever it was then."""
    if version is None:
        raise InvalidInput("version: the form does not say which version it edits")
    current = stored_entry(session=session, dictionary=dictionary, entry_id=entry_id)
    if access.filter_entry(viewer, dictionary, current) is None:
        raise EntryNotFound(f"no entry {entry_id} in {dictionary.slug!r}")
    row = session.exec(
        select(Revision).where(Revision.entry_id == entry_id, Revision.number == version)
    ).scalar_one_or_none()
    if row is None or row.dictionary_id != dictionary.id:
        raise InvalidInput(f"version: entry {entry_id} has no version {version}")
    seen = access.filter_revision(viewer, dictionary, copy.deepcopy(row.data), current)
    if seen is None:
        raise EntryNotFound(f"no entry {entry_id} in {dictionary.slug!r}")
    return seen


def resolve_conflict(
    *,
    session: Session,
    dictionary: Dictionary,
    viewer: Viewer,
    entry_id: str,
    mine: dict,
    their_version: int,
    choices: dict[str, str],
) -> dict:
    """Save the keeper's choice after a conflict. Their version stays in history; when not all
    of mine is kept, mine is written first as its own revision so no typed text is lost."""
    access.require(viewer, dictionary, "edit")
    with transaction(session):
        theirs = opened_version(
            session=session, dictionary=dictionary, entry_id=entry_id, version=their_version,
            viewer=viewer,
        )  # fmt: skip
        result = merge(mine, theirs, choices)
        version = their_version
        if any(choices.get(f) != "mine" for f in differing_fields(mine, theirs)):
            kept = _write(session, dictionary, viewer, entry_id, mine, version, KEPT_COMMENT)
            version = kept["version"]
        comment = _choice_comment(choices)
        return _write(session, dictionary, viewer, entry_id, result, version, comment)


KEPT_COMMENT = "edit made at the same time as another; kept in history"


def _write(session, dictionary, viewer: Viewer, entry_id, data, version, comment) -> dict:
    # What the viewer cannot see (restricted senses, recordings) is put back, never dropped.
    row = session.exec(
        select(Entry).where(Entry.id == entry_id, Entry.dictionary_id == dictionary.id)
    ).scalar_one()
    current = entry_dict(session=session, dictionary=dictionary, row=row)
    try:
        clean = EntryIn.model_validate(nfc_deep(data)).model_dump(mode="json")
    except ValidationError as exc:
        raise InvalidInput(f"entry: {exc.errors()[0]['msg']}") from exc
    merged = access.keep_hidden(viewer, dictionary, current, clean)
    return update_entry(
        session=session, dictionary=dictionary, entry_id=entry_id, data=merged,
        version=version, editor=viewer.label, comment=comment, viewer=viewer,
    )  # fmt: skip


def merge(mine: dict, theirs: dict, choices: dict[str, str]) -> dict:
    """Theirs with each field chosen as "mine" taken from mine."""
    out = copy.deepcopy(theirs)
    for field in FORM_FIELDS:
        if choices.get(field) == "mine":
            for key in (field, *COMPANIONS.get(field, ())):
                out[key] = copy.deepcopy(mine.get(key))
    return out


def _choice_comment(choices: dict[str, str]) -> str:
    kept = sorted(f for f, c in choices.items() if c == "mine" and f in FORM_FIELDS)
    if not kept:
        return "conflict resolved: took the other version"
    return "conflict resolved: kept mine for " + ", ".join(kept)


# ---------------------------------------------------------------- palette and data


def palette(dictionary: Dictionary) -> list[dict]:
    """Groups of characters for the special-character palette: the alphabet's letters that are
    not on a plain keyboard (multigraphs whole), their capitals, confusables, IPA symbols."""
    alphabet = alphabet_for(dictionary)
    lower: list[str] = []
    upper: list[str] = []
    for letter in alphabet.letters:
        if len(letter.lower) > 1 or not letter.lower.isascii():
            lower.append(letter.lower)
            upper.append(letter.upper)
    extra = [m for g in alphabet.confusables for m in g if not m.isascii() and m not in lower]
    groups = [
        {"key": "letters", "name": "Alphabet", "chars": list(dict.fromkeys(lower + extra))},
        {"key": "capitals", "name": "Capitals", "chars": list(dict.fromkeys(upper))},
        {"key": "ipa", "name": "IPA", "chars": IPA_SYMBOLS},
    ]
    return [g for g in groups if g["chars"]]


def load_semantic_domains(path: Path) -> list[dict]:
    """The SIL semantic domain list shipped in data/ (code, name, guid, description)."""
    return json.loads(path.read_text(encoding="utf-8"))["domains"]


def sort_preview(*, letters: str, ignore: str, words: str, confusables: str = "") -> dict:
    """Words sorted by an alphabet typed into the settings form (the live preview)."""
    try:
        alphabet = Alphabet.from_config(alphabet_config(letters, ignore, confusables))
    except InvalidInput as exc:
        return {"error": exc.message, "words": []}
    items = [w for w in (" ".join(line.split()) for line in words.splitlines()) if w]
    ordered = sorted(items, key=alphabet.sort_key)
    return {
        "error": None,
        "words": [{"word": w, "letter": alphabet.letter_of(w)} for w in ordered],
        "letters": [lt.lower for lt in alphabet.letters],
    }


def alphabet_config(letters: str, ignore: str, confusables: str = "") -> dict:
    """The settings form's alphabet: letters separated by spaces or lines ("Ng ng" on one line
    is an upper/lower pair), ignorable characters separated by spaces, and spellings that
    count as one letter written as `ŋ=ng` (separated by spaces)."""
    items: list = []
    for line in letters.splitlines():
        tokens = line.split()
        pair = len(tokens) == 2 and tokens[0].lower() == tokens[1] and tokens[0] != tokens[1]
        items.extend([" ".join(tokens)] if pair else tokens)
    groups = [g.split("=") for g in confusables.split() if "=" in g]
    return {"letters": items, "ignore": ignore.split(), "confusables": groups}


def alphabet_text(config: dict) -> str:
    """The alphabet for the settings form: letters on one line, upper/lower pairs alone."""
    lines, run = [], []
    for letter in config.get("letters", []):
        text = letter if isinstance(letter, str) else " ".join(letter)
        if " " in text:
            lines += [" ".join(run), text] if run else [text]
            run = []
        else:
            run.append(text)
    return "\n".join(lines + ([" ".join(run)] if run else []))


def settings_changes(form: dict) -> dict:
    """The settings form -> a DictionaryUpdate dict; SettingsInvalid names the bad fields."""
    errors: dict[str, str] = {}
    tags = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
    changes: dict = {}
    for key in ("title", "language_name", "language_code", "licence", "description"):
        if key in form:
            changes[key] = _text(form.get(key))
    if not changes.get("title", "x"):
        errors["title"] = Label("The dictionary needs a title.")
    for key in ("vernacular_ws", "analysis_ws"):
        values = _text(form.get(key)).replace(",", " ").split()
        bad = [v for v in values if not tags.match(v)]
        if bad:
            errors[key] = Label(
                "“%(tag)s” is not a writing system tag such as “en” or “seh-fonipa”.", tag=bad[0]
            )
        elif not values:
            errors[key] = Label("Give at least one writing system.")
        changes[key] = values
    try:
        config = alphabet_config(
            _text(form.get("letters")), _text(form.get("ignore")), _text(form.get("confusables"))
        )
        Alphabet.from_config(config)
        changes["alphabet"] = config
    except InvalidInput as exc:
        errors["letters"] = exc.message
    for key, allowed in (
        ("visibility", ("public", "private")),
        ("default_entry_visibility", VISIBILITIES),
    ):
        value = _text(form.get(key))
        if value not in allowed:
            errors[key] = _choose(allowed)
        changes[key] = value
    if errors:
        raise SettingsInvalid(next(iter(errors.values())), errors=errors)
    return changes


def list_members(*, session: Session, dictionary: Dictionary) -> list[dict]:
    """Members of a dictionary with their roles, owners first."""
    rows = session.exec(
        select(User.id, User.email, User.display_name, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.dictionary_id == dictionary.id)
    ).all()
    rank = {"owner": 0, "editor": 1, "contributor": 2, "viewer": 3}
    members = [{"user_id": r[0], "email": r[1], "name": r[2], "role": r[3]} for r in rows]
    return sorted(members, key=lambda m: (rank.get(m["role"], 9), m["email"]))
