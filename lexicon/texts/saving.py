"""A keeper's save of a text from the editor's form, when others save it too. The form is read
onto the version it was opened at (its revision, as the keeper may see it); when someone saved
since, the two saves are merged (lexicon.texts.merge): saved at once when nothing clashes, else
`TextConflict` carries the clashes for the keeper to choose (`resolve_conflict`). Nothing typed
is lost: when a choice leaves out some of mine, mine is first written as a revision of its
own (as entries do, lexicon.editing.editor.resolve_conflict). The JSON API's `PUT` is the same
save, of the whole text a client sent (`save_sent_text`)."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from lexicon.accounts.access import Viewer
from lexicon.db.transactions import transaction
from lexicon.editing.dictionaries import touch
from lexicon.errors import Gone, InvalidInput, StaleVersion
from lexicon.models import Dictionary, TextRevision
from lexicon.shape.labels import KEPT_AT_THE_SAME_TIME, MERGED, RESOLVED
from lexicon.texts import store, view
from lexicon.texts.merge import Clash, merge_texts, same_segment, same_text
from lexicon.texts.shape import clean_text

SIDES = ("mine", "theirs")


class TextConflict(StaleVersion):
    """Someone else saved the text meanwhile and changed some of the same things."""

    def __init__(self, message: str = "", *, current: dict, clashes: list[Clash], **details):
        super().__init__(message, current=current, **details)
        self.clashes = clashes


class TextDeleted(store.TextNotFound, Gone):
    """The text was deleted while the keeper edited it: nothing was saved; it can be restored
    (`restore_and_save`)."""


@dataclass
class _Sides:
    theirs: dict  # the text now, as the keeper may see it
    base: dict  # the text when the form was opened, as the keeper may see it
    mine: dict  # the form read onto base, tidied (new segments have their ids)
    typed: dict  # the form read onto base, as it came (what the form shows again on an error)
    hidden: set[str]  # ids of the segments hidden from the keeper now


def _revision(session, dictionary, text_id: str, version: int | None, viewer) -> dict:
    if version is None:
        raise InvalidInput("version: the version of the text this edits is missing")
    if not _whole_number(version):
        raise InvalidInput(f"version: {version!r} is not a version of the text, such as 3")
    row = session.exec(
        select(TextRevision).where(TextRevision.text_id == text_id, TextRevision.number == version)
    ).scalar_one_or_none()
    seen = None if row is None else view.filter_text(viewer, dictionary, copy.deepcopy(row.data))
    if seen is None or row.dictionary_id != dictionary.id:
        raise InvalidInput(f"version: text {text_id} has no version {version}")
    return seen


def _live(session, dictionary, viewer, text_id: str) -> tuple[dict, dict]:
    """The whole text, locked, and the keeper's view of it. TextDeleted when it was deleted
    meanwhile (and they may see it as it was), else TextNotFound when it is not there for them
    (hidden from them since they opened it, or never there); either way nothing is saved."""
    touch(session, dictionary)  # the dictionary's row first, as every write takes it (one order)
    try:
        whole = store.locked_text(session=session, dictionary=dictionary, text_id=text_id)
    except store.TextNotFound:
        whole = store.deleted_text(session=session, dictionary=dictionary, text_id=text_id)
        if view.filter_text(viewer, dictionary, whole) is not None:
            last = whole["version"] - 1  # the delete is a revision of its own
            raise TextDeleted(
                f"text {text_id} was deleted after you opened it; nothing was saved: restore it "
                f"(its revision {last}), then send your change again", last_revision=last,
            ) from None  # fmt: skip
    theirs = view.filter_text(viewer, dictionary, whole)
    if theirs is None:
        raise store.TextNotFound(
            f"no text {text_id} in {dictionary.slug!r} that you may see (deleted, or hidden from "
            "you, since you opened it?); nothing was saved"
        )
    return whole, theirs


def _sides(session, dictionary, viewer, text_id: str, version, edit) -> _Sides:
    whole, theirs = _live(session, dictionary, viewer, text_id)
    if version == whole["version"]:
        base = theirs
    else:
        base = _revision(session, dictionary, text_id, version, viewer)
    typed = edit(copy.deepcopy(base))
    with _showing(typed):
        mine = clean_text(typed)
    hidden = {
        s["id"] for s in whole["segments"] if not view.sees_segment(viewer, dictionary, whole, s)
    }
    return _Sides(theirs, base, mine, typed, hidden)


@contextmanager
def _showing(typed: dict) -> Iterator[None]:
    """An InvalidInput carries what the keeper typed (`details["text"]`): the form shows it
    again with the message, so nothing typed is lost to a mistake either."""
    try:
        yield
    except InvalidInput as exc:
        exc.details.setdefault("text", typed)
        raise


def save_text(
    *,
    session: Session,
    dictionary: Dictionary,
    viewer: Viewer,
    text_id: str,
    version: int | None,
    edit: Callable[[dict], dict],
) -> tuple[dict, bool]:
    """Save the keeper's form, opened at `version`: `edit` makes the text they left from the
    text as it was then. Returns the saved text and whether it was merged with a save made
    meanwhile; TextConflict if that save changed some of the same things; InvalidInput (with
    `details["text"]`, what the form made) if what they typed cannot be kept."""
    with transaction(session):
        sides = _sides(session, dictionary, viewer, text_id, version, edit)
        current = sides.theirs["version"]
        with _showing(sides.typed):
            if version == current:
                return _write(session, dictionary, viewer, text_id, sides.mine, current, ""), False
            merged, clashes = merge_texts(sides.base, sides.mine, sides.theirs)
            if clashes:
                raise _conflict(sides, clashes, version)
            if same_text(merged, sides.theirs):  # mine was theirs already
                return sides.theirs, True
            return _write(session, dictionary, viewer, text_id, merged, current, MERGED), True


def restore_and_save(
    *,
    session: Session,
    dictionary: Dictionary,
    viewer: Viewer,
    text_id: str,
    version: int | None,
    edit: Callable[[dict], dict],
) -> tuple[dict, bool]:
    """Save the keeper's form onto a text deleted while they edited it (TextDeleted): it is
    restored as it was when deleted (a revision of its own, kept whatever follows), then the
    form is saved onto it as onto any save made meanwhile (`save_text`: merged, or
    TextConflict). A text someone restored meanwhile is only saved onto."""
    with transaction(session):
        touch(session, dictionary)
        whole = store.deleted_text(session=session, dictionary=dictionary, text_id=text_id)
        if view.filter_text(viewer, dictionary, whole) is not None:
            store.restore_revision(
                session=session, dictionary=dictionary, text_id=text_id,
                number=whole["version"] - 1, editor=viewer.label, viewer=viewer,
            )  # fmt: skip
    return save_text(session=session, dictionary=dictionary, viewer=viewer, text_id=text_id,
                     version=version, edit=edit)  # fmt: skip


def resolve_conflict(
    *,
    session: Session,
    dictionary: Dictionary,
    viewer: Viewer,
    text_id: str,
    version: int | None,
    their_version: int,
    edit: Callable[[dict], dict],
    picks: dict[str, str],
    every: str | None = None,
) -> dict:
    """Save the keeper's choices after a conflict: for each clash the side `picks` names (or
    `every` clash that side). Theirs stays in history; when not all of mine is kept, mine is
    first written as its own revision. TextConflict again if yet another save came since
    `their_version`: the keeper compares again."""
    with transaction(session):
        sides = _sides(session, dictionary, viewer, text_id, version, edit)
        _, clashes = merge_texts(sides.base, sides.mine, sides.theirs)
        if sides.theirs["version"] != their_version:
            raise _conflict(sides, clashes, version, again=True)
        chosen = {c.key: _side(every) or _side(picks.get(c.key)) or "theirs" for c in clashes}
        with _showing(sides.typed):
            return _resolve(session, dictionary, viewer, sides, chosen)


def _resolve(session, dictionary, viewer, sides: _Sides, chosen: dict[str, str]) -> dict:
    merged, _ = merge_texts(sides.base, sides.mine, sides.theirs, chosen)
    text_id, at = sides.theirs["id"], sides.theirs["version"]
    fresh: dict[str, str] = {}
    if any(side != "mine" for side in chosen.values()):
        mine = _out_of_sight(sides.mine, sides, fresh)
        kept = _write(session, dictionary, viewer, text_id, mine, at, KEPT_AT_THE_SAME_TIME)
        at = kept["version"]
    kept_mine = sum(side == "mine" for side in chosen.values())
    comment = RESOLVED % {"kept": kept_mine, "total": len(chosen)} if chosen else MERGED
    merged = _out_of_sight(merged, sides, fresh)
    return _write(session, dictionary, viewer, text_id, merged, at, comment)


def _side(value) -> str | None:
    return value if value in SIDES else None


def _whole_number(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _conflict(sides: _Sides, clashes: list[Clash], version, again: bool = False):
    theirs = sides.theirs
    return TextConflict(
        f"text {theirs['id']} was saved since version {version} (it is at version "
        f"{theirs['version']}) and some of the same things were changed: see the clashes",
        current=theirs, clashes=clashes, mine=sides.mine, base_version=version, again=again,
    )  # fmt: skip


def _out_of_sight(text: dict, sides: _Sides, fresh: dict[str, str]) -> dict:
    """A segment claiming the id of one hidden from the keeper now cannot be written by them:
    left out if they did not change it (the hidden one stays as it is), else made a new
    segment (a new id, the same in both revisions), so what they typed is kept."""
    if not sides.hidden:
        return text
    opened = {s["id"]: s for s in sides.base.get("segments") or []}
    segments = []
    for segment in text.get("segments") or []:
        sid = segment["id"]
        if sid in sides.hidden:
            if same_segment(segment, opened.get(sid)):
                continue
            segment = dict(segment, id=fresh.setdefault(sid, str(uuid.uuid4())))
        segments.append(segment)
    return dict(text, segments=segments)


def _write(session, dictionary, viewer: Viewer, text_id: str, text: dict, version, comment):
    """Write as the keeper (what is hidden from them stays); answer what they may see of it."""
    saved = store.update_text(
        session=session, dictionary=dictionary, text_id=text_id, data=text, version=version,
        editor=viewer.label, viewer=viewer, comment=comment,
    )  # fmt: skip
    return view.filter_text(viewer, dictionary, saved)


def save_sent_text(
    *,
    session: Session,
    dictionary: Dictionary,
    viewer: Viewer,
    text_id: str,
    version,
    data: dict,
    resolve: dict | None = None,
) -> tuple[dict, bool]:
    """Save the whole text an API client sent, edited from `version`, as the form's save is
    saved (`save_text`: merged with saves made since; TextConflict on a clash). With `resolve`
    (`{"their_version", "choices", "every"}`, after a TextConflict) as the keeper's choice is
    (`resolve_conflict`). Returns the saved text and whether it was merged."""
    edit = lambda _opened: copy.deepcopy(data)  # noqa: E731 (the whole text, as sent)
    if resolve is None:
        return save_text(session=session, dictionary=dictionary, viewer=viewer, text_id=text_id,
                         version=version, edit=edit)  # fmt: skip
    their_version, picks, every = _resolution(resolve)
    saved = resolve_conflict(
        session=session, dictionary=dictionary, viewer=viewer, text_id=text_id, version=version,
        their_version=their_version, edit=edit, picks=picks, every=every,
    )  # fmt: skip
    return saved, True


def _resolution(resolve) -> tuple[int, dict[str, str], str | None]:
    """A client's choice after a conflict: the version it compared with, and a side per clash
    (`choices`, by the clash's key) or for `every` clash; InvalidInput if it is not one."""
    if not isinstance(resolve, dict) or not _whole_number(resolve.get("their_version")):
        raise InvalidInput("resolve.their_version: the version the clashes were compared with")
    choices, every = resolve.get("choices") or {}, resolve.get("every")
    if not isinstance(choices, dict) or any(side not in SIDES for side in choices.values()):
        raise InvalidInput('resolve.choices: each clash\'s key and "mine" or "theirs"')
    if every is not None and every not in SIDES:
        raise InvalidInput('resolve.every: "mine" or "theirs"')
    return resolve["their_version"], {str(k): v for k, v in choices.items()}, every
