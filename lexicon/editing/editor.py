"""The keepers' editor, domain side: list filters, validation of an entry keyed by form field,
saving (a proposal for contributors), the version a form was opened at, conflict resolution
and merges, the character palette. Reading the posted form into an entry is the web side's
(api.forms); what a form leaves out is carried over from `opened_version`."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import String, and_, cast, exists, not_, or_, select, true
from sqlalchemy.orm import aliased
from sqlmodel import Session

from lexicon.accounts import access
from lexicon.accounts.access import Viewer
from lexicon.db.transactions import transaction
from lexicon.editing import review
from lexicon.editing.dictionaries import touch
from lexicon.editing.write import restore_revision, update_entry
from lexicon.entries.read import alphabet_for, entry_dict, list_entries
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
from lexicon.shape import entry as shape
from lexicon.shape.diffs import COMPANIONS, FORM_FIELDS, differing_fields
from lexicon.shape.diffs import FIELD_LABELS as FIELD_LABELS  # the editor's pages use these
from lexicon.shape.diffs import diff as diff
from lexicon.shape.diffs import field_lines as field_lines
from lexicon.shape.labels import Label
from lexicon.shape.schemas import EntryIn, nfc_deep

STATUSES = ("draft", "needs_review", "published")
VISIBILITIES = ("public", "community", "restricted")
# Common IPA symbols for the palette of phonetic writing systems and the IPA fields.
IPA_SYMBOLS = list(
    "ɐɑɒæɓʙβɔɕçɗɖðʤəɘɚɛɜɝɞɟʄɡɠɢʛɦɧħɥʜɨɪʝɭɬɫɮʟɱɯɰŋɳɲɴøɵɸθœɶʘɹɺɾɻʀʁɽʂʃʈʧʉʊʋⱱʌɣɤʍχʎʏʑʐʒʔʡʕʢǀǁǂǃˈˌːˑʼʴʰʱʲʷˠˤ˞̃̈̊̀́̂̌̄"
)


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


def parts_of_speech(*, session: Session, dictionary: Dictionary, viewer: Viewer) -> list[str]:
    """The parts of speech of the entries `viewer` may see (for the list filter and the form):
    a label only a circle's entries use is the circle's to see."""
    rows = session.exec(
        select(Entry.part_of_speech)
        .where(Entry.dictionary_id == dictionary.id, Entry.part_of_speech.is_not(None),
               Entry.deleted.is_(False), access.entry_clause(viewer, dictionary, Entry))
        .distinct()
    ).all()  # fmt: skip
    return sorted({r[0] for r in rows if r[0]})


def validate(entry: dict, *, dictionary: Dictionary) -> dict[str, str]:
    """Messages keyed by form field (`headword`, `sense.1.gloss`, ...) for what cannot be saved."""
    errors: dict[str, str] = {}
    if not any(v.strip() for v in entry.get("headword", {}).values()):
        errors["headword"] = Label("Write the headword in at least one writing system.")
    if entry.get("status") not in STATUSES:
        errors["status"] = choose(STATUSES)
    if entry.get("visibility") not in (None, *VISIBILITIES):
        errors["visibility"] = choose(VISIBILITIES)
    for i, sense in enumerate(entry.get("senses") or []):
        if sense.get("visibility", "public") not in VISIBILITIES:
            errors[f"sense.{i}.visibility"] = choose(VISIBILITIES)
        for j, ex in enumerate(sense.get("examples", [])):
            if ex.get("visibility", "public") not in VISIBILITIES:
                errors[f"sense.{i}.ex.{j}.visibility"] = choose(VISIBILITIES)
            if _unconsented(ex.get("recording") or {}, ex):
                errors[f"sense.{i}.ex.{j}.rec.consent_publish"] = _NOT_PUBLIC
            if ex.get("translations") and not ex.get("text") and not ex.get("media"):
                errors[f"sense.{i}.ex.{j}.text"] = Label(
                    "The example has a translation but no sentence."
                )
    for i, pron in enumerate(entry.get("pronunciations") or []):
        if pron.get("visibility", "public") not in VISIBILITIES:
            errors[f"pron.{i}.visibility"] = choose(VISIBILITIES)
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


def choose(allowed) -> Label:
    """The message for a value that is not one of `allowed`."""
    return Label("Choose one of: %(choices)s.", choices=", ".join(allowed))


def blank_sense() -> dict:
    """A new sense of the editor's form: the shape's blank sense, no id yet."""
    return shape.blank_sense(id=None)


def blank_example() -> dict:
    """A new example of the editor's form: the shape's blank example, no id yet."""
    return shape.blank_example(id=None)


# ---------------------------------------------------------------- saving


def save_entry(
    *,
    session: Session,
    dictionary: Dictionary,
    viewer: Viewer,
    entry_id: str | None,
    entry: dict,
    version: int | None = None,
) -> review.Change:
    """Create (`entry_id` None) or update to `entry`, read from a form opened at `version` (a
    proposal when the viewer only contributes). InvalidInput carries `errors` keyed by form
    field and the `entry`; StaleVersion, if someone saved since, has it as `details["mine"]`."""
    if entry_id is not None:
        entry["id"] = entry_id
    _find_relation_targets(session, dictionary, viewer, entry)
    _raise_if_invalid(entry, dictionary)
    if entry_id is None:
        return review.change_entry(
            session=session, dictionary=dictionary, viewer=viewer, action="create", data=entry
        )
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
    saving; an entry hidden from them now is not found, whatever it was then, and one deleted
    since is EntryDeleted (`restore_and_save`)."""
    current = review.live_entry(
        session=session, dictionary=dictionary, viewer=viewer, entry_id=entry_id
    )
    return _opened(session, dictionary, entry_id, version, viewer, current)


def _opened(session, dictionary, entry_id: str, version: int | None, viewer, current) -> dict:
    """Revision `version` as the viewer saw it, hidden parts left out by what is hidden from
    them in it or in `current` (the stored entry)."""
    if version is None:
        raise InvalidInput("version: the form does not say which version it edits")
    row = session.exec(
        select(Revision).where(Revision.entry_id == entry_id, Revision.number == version)
    ).scalar_one_or_none()
    if row is None or row.dictionary_id != dictionary.id:
        raise InvalidInput(f"version: entry {entry_id} has no version {version}")
    seen = access.filter_revision(viewer, dictionary, copy.deepcopy(row.data), current)
    if seen is None:
        raise EntryNotFound(f"no entry {entry_id} in {dictionary.slug!r}")
    return seen


def restore_and_save(
    *,
    session: Session,
    dictionary: Dictionary,
    viewer: Viewer,
    entry_id: str,
    version: int | None,
    edit: Callable[[dict], dict],
) -> review.Change:
    """Save the keeper's form onto an entry deleted while they edited it (EntryDeleted): it is
    restored as it was when deleted (a revision of its own, kept whatever follows) and the form
    (`edit` reads it onto the version it was opened at) saved onto that: at once when nobody
    saved the entry between their opening it and its delete, else as any save made meanwhile
    (StaleVersion: the conflict view). One restored meanwhile is only saved onto. InvalidInput
    restores nothing."""
    access.require(viewer, dictionary, "edit")
    stale = None
    with transaction(session):
        touch(session, dictionary)  # the dictionary's row first, as every write takes it
        current = review.seen_entry(
            session=session, dictionary=dictionary, viewer=viewer, entry_id=entry_id
        )
        entry = edit(_opened(session, dictionary, entry_id, version, viewer, current))
        at = version
        if current["deleted"]:
            before = current["version"] - 1  # the delete is a revision of its own
            restored = restore_revision(
                session=session, dictionary=dictionary, entry_id=entry_id, number=before,
                editor=viewer.label, viewer=viewer,
            )  # fmt: skip
            at = restored["version"] if before == version else version
        try:
            return save_entry(session=session, dictionary=dictionary, viewer=viewer,
                              entry_id=entry_id, entry=entry, version=at)  # fmt: skip
        except StaleVersion as exc:  # the restore stays: the keeper chooses, as after any save
            stale = exc
    raise stale


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
        version=version, editor=viewer.label, comment=comment, viewer=viewer, current=current,
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
