"""Every write to a text, and reading texts back: create, read, list, update, delete and
restore, with optimistic versions and a revision per change like entries (docs/text-shape.md).

A text is one `text` row and a `text_segment` row per utterance; each write replaces the
segment rows, adds a revision with the whole text dict and bumps `version`, in one
transaction (the outermost `transaction()` commits)."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, insert, select, update
from sqlmodel import Session

from lexicon.accounts.access import Viewer
from lexicon.db.transactions import transaction
from lexicon.editing.dictionaries import touch
from lexicon.entries.read import iso, media_public
from lexicon.errors import InvalidInput, NotFound, StaleVersion
from lexicon.models import Dictionary, Media, Text, TextRevision, TextSegment, utcnow
from lexicon.shape.labels import revision_comment
from lexicon.texts import links, view
from lexicon.texts.shape import clean_text, first_form, text_end

# Recordings and annotations are measured apart; a few milliseconds' difference is not a
# recording that ends before its text does.
DURATION_SLACK = 0.05
SEGMENT_FIELDS = ("start", "end", "speaker", "text", "translation", "visibility", "circle",
                  "words", "extra")  # fmt: skip


class TextNotFound(NotFound):
    """No text with that id in this dictionary (or not visible to the caller)."""


class TextRevisionNotFound(NotFound):
    """No revision with that number for this text."""


class AudioTooShort(InvalidInput):
    """The recording ends before the text's last annotation."""


# ---------------------------------------------------------------- reading


def _media(session, dictionary, sha256: str | None) -> dict | None:
    if not sha256:
        return None
    row = session.exec(
        select(Media).where(Media.dictionary_id == dictionary.id, Media.sha256 == sha256)
    ).scalar_one_or_none()
    return media_public(dictionary, row) if row is not None else {"sha256": sha256}


def _segment_dict(row: TextSegment) -> dict:
    return {"id": row.id, **{f: getattr(row, f) for f in SEGMENT_FIELDS}}


def text_dict(session: Session, dictionary: Dictionary, row: Text) -> dict:
    """The whole stored text (every segment), as docs/text-shape.md has it."""
    segments = session.exec(
        select(TextSegment).where(TextSegment.text_id == row.id).order_by(TextSegment.position)
    ).scalars()
    return {
        "id": row.id,
        "version": row.version,
        "title": row.title,
        "description": row.description,
        "genre": row.genre,
        "recorded_on": row.recorded_on,
        "place": row.place,
        "speakers": row.speakers,
        "visibility": row.visibility,
        "circle": row.circle,
        "status": row.status,
        "media": _media(session, dictionary, row.media_sha256),
        "segments": [_segment_dict(s) for s in segments],
        "extra": row.extra,
        "deleted": row.deleted,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "created_by": row.created_by,
        "updated_by": row.updated_by,
    }


def _row(session, dictionary, text_id: str, lock: bool = False) -> Text:
    stmt = select(Text).where(Text.id == text_id, Text.dictionary_id == dictionary.id)
    if lock and session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    row = session.exec(stmt).scalar_one_or_none()
    if row is None:
        raise TextNotFound(f"no text {text_id} in {dictionary.slug!r}")
    return row


def read_text(
    *, session: Session, dictionary: Dictionary, text_id: str, viewer: Viewer | None = None
) -> dict:
    """One live text as `viewer` may see it (None: everything); hidden ones are not found."""
    row = _row(session, dictionary, text_id)
    if row.deleted:
        raise TextNotFound(f"no text {text_id} in {dictionary.slug!r}")
    seen = view.filter_text(viewer, dictionary, text_dict(session, dictionary, row))
    if seen is None:
        raise TextNotFound(f"no text {text_id} in {dictionary.slug!r}")
    return seen


def locked_text(*, session: Session, dictionary: Dictionary, text_id: str) -> dict:
    """The whole live text (every segment), its row locked until the transaction ends (on
    PostgreSQL; SQLite's write transaction holds the whole database)."""
    row = _row(session, dictionary, text_id, lock=True)
    if row.deleted:
        raise TextNotFound(f"no text {text_id} in {dictionary.slug!r}")
    return text_dict(session, dictionary, row)


def deleted_text(*, session: Session, dictionary: Dictionary, text_id: str) -> dict | None:
    """The whole text as it was when deleted, its row locked like `locked_text`'s (None: no
    such text, or it is not deleted)."""
    try:
        row = _row(session, dictionary, text_id, lock=True)
    except TextNotFound:
        return None
    return text_dict(session, dictionary, row) if row.deleted else None


def find_text(*, session: Session, text_id: str) -> tuple[Dictionary, dict]:
    """A live text by its id alone (the command line names no dictionary), with its
    dictionary: everything in it (the operator at the terminal sees all)."""
    row = session.get(Text, text_id)
    if row is None or row.deleted:
        raise TextNotFound(f"no text {text_id}")
    dictionary = session.get(Dictionary, row.dictionary_id)
    return dictionary, text_dict(session, dictionary, row)


def list_texts(
    *, session: Session, dictionary: Dictionary, viewer: Viewer | None = None
) -> list[dict]:
    """The live texts `viewer` may see, by title: each without its segments, with how many
    of them the viewer may see (read as their scopes alone, not their words)."""
    stmt = select(Text).where(Text.dictionary_id == dictionary.id, Text.deleted.is_(False))
    if viewer is not None:
        stmt = stmt.where(view.text_clause(viewer, dictionary, Text))
    rows = list(session.exec(stmt).scalars())
    scopes: dict[str, list[dict]] = {row.id: [] for row in rows}
    if rows:
        found = session.exec(
            select(TextSegment.text_id, TextSegment.visibility, TextSegment.circle).where(
                TextSegment.text_id.in_(list(scopes))
            )
        )
        for text_id, visibility, circle in found:
            scopes[text_id].append({"visibility": visibility, "circle": circle})
    shas = {row.media_sha256 for row in rows if row.media_sha256}
    media = {
        m.sha256: media_public(dictionary, m)
        for m in session.exec(
            select(Media).where(Media.dictionary_id == dictionary.id, Media.sha256.in_(shas))
        ).scalars()
    } if shas else {}  # fmt: skip
    out = []
    for row in rows:
        text = _summary(row, media.get(row.media_sha256 or ""), scopes[row.id])
        text = view.filter_text(viewer, dictionary, text)
        if text is None:
            continue
        text["segment_count"] = len(text.pop("segments"))
        text.pop("extra", None)
        out.append(text)
    out.sort(key=lambda t: (first_form(t["title"]).casefold(), t["id"]))
    return out


def _summary(row: Text, media: dict | None, segments: list[dict]) -> dict:
    """A listed text: its own fields, its segments as their scopes only."""
    fields = ("id", "version", "title", "description", "genre", "recorded_on", "place",
              "speakers", "visibility", "circle", "status", "extra")  # fmt: skip
    return {
        **{f: getattr(row, f) for f in fields},
        "media": media,
        "segments": segments,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
    }


def has_texts(*, session: Session, dictionary: Dictionary, viewer: Viewer) -> bool:
    """Does the dictionary have a text `viewer` may see (the dictionary page links to them)?"""
    stmt = select(Text.id).where(
        Text.dictionary_id == dictionary.id,
        Text.deleted.is_(False),
        view.text_clause(viewer, dictionary, Text),
    )
    return session.exec(stmt.limit(1)).first() is not None


# ---------------------------------------------------------------- writing


def check_recording(text: dict, duration: float | None) -> None:
    """Refuse a recording shorter than the text's annotations."""
    end = text_end(text)
    if duration is None or end is None:
        return
    if duration + DURATION_SLACK < end:
        raise AudioTooShort(
            f"audio: the recording lasts {duration:.3f} s but the text's annotations run to "
            f"{end:.3f} s; is it the right recording?",
            duration=duration,
            annotations_end=end,
        )


def _recording_duration(session, dictionary, sha256: str | None) -> float | None:
    if not sha256:
        return None
    row = session.exec(
        select(Media).where(Media.dictionary_id == dictionary.id, Media.sha256 == sha256)
    ).scalar_one_or_none()
    if row is None:
        raise InvalidInput(f"media: no stored recording with sha256 {sha256}")
    if row.kind != "audio":
        raise InvalidInput("media: a text's recording is audio")
    return row.duration


def _segment_rows(session, text_id: str, segments: list[dict]) -> list[dict]:
    """Rows for the segments; an id another text holds (the same file imported twice) gets a
    new one, the old kept in the segment's extra."""
    ids = [s["id"] for s in segments]
    taken = set(
        session.exec(
            select(TextSegment.id).where(TextSegment.id.in_(ids), TextSegment.text_id != text_id)
        ).scalars()
    ) if ids else set()  # fmt: skip
    rows = []
    for position, segment in enumerate(segments):
        if segment["id"] in taken:
            segment["extra"] = dict(segment["extra"], source_id=segment["id"])
            segment["id"] = str(uuid.uuid4())
        rows.append({"id": segment["id"], "text_id": text_id, "position": position,
                     **{f: segment[f] for f in SEGMENT_FIELDS}})  # fmt: skip
    return rows


def _write(session, dictionary, values: dict, text: dict, action: str, comment: str, new: bool):
    """Write the text's row and segment rows and its revision; return the stored dict."""
    sha = values.get("media_sha256")
    check_recording(text, _recording_duration(session, dictionary, sha))
    fields = {k: text[k] for k in text if k != "segments"}
    values.update(fields)
    table = Text.__table__
    if new:
        session.execute(insert(table), [values])
    else:
        session.execute(update(table).where(table.c.id == values["id"]).values(**values))
        session.execute(
            delete(TextSegment.__table__).where(TextSegment.__table__.c.text_id == values["id"])
        )
    rows = _segment_rows(session, values["id"], text["segments"])
    if rows:
        session.execute(insert(TextSegment.__table__), rows)
    row = session.get(Text, values["id"])
    session.refresh(row)
    out = text_dict(session, dictionary, row)
    links.index_text(session, dictionary, out)
    session.execute(
        insert(TextRevision.__table__),
        [{"text_id": out["id"], "dictionary_id": dictionary.id, "number": out["version"],
          "action": action, "data": out, "editor": values["updated_by"], "comment": comment,
          "created_at": values["updated_at"]}],
    )  # fmt: skip
    return out


def create_text(
    *,
    session: Session,
    dictionary: Dictionary,
    data: dict,
    editor: str = "",
    media_sha256: str | None = None,
    action: str = "create",
) -> dict:
    """Store a new text (and its first revision). The id `data` carries is kept unless some
    text has it already (then a new one, the old kept in `extra.source_id`)."""
    text = clean_text(data)
    text_id = str(data.get("id") or uuid.uuid4())
    with transaction(session):
        touch(session, dictionary)
        if session.exec(select(Text.id).where(Text.id == text_id)).first() is not None:
            text["extra"] = dict(text["extra"], source_id=text_id)
            text_id = str(uuid.uuid4())
        now = utcnow()
        values = {
            "id": text_id, "dictionary_id": dictionary.id, "version": 1,
            "media_sha256": media_sha256, "deleted": False, "deleted_at": None,
            "created_at": now, "updated_at": now, "created_by": editor, "updated_by": editor,
        }  # fmt: skip
        return _write(session, dictionary, values, text, action, "", new=True)


def _stale(session, dictionary, row: Text, version: int, viewer) -> StaleVersion:
    current = view.filter_text(viewer, dictionary, text_dict(session, dictionary, row))
    return StaleVersion(
        f"text {row.id} is at version {row.version}, not {version}", current=current
    )


def update_text(
    *,
    session: Session,
    dictionary: Dictionary,
    text_id: str,
    data: dict,
    version: int | None,
    editor: str = "",
    viewer: Viewer | None = None,
    action: str = "update",
    comment: str = "",
    media_sha256: str | None | bool = False,
) -> dict:
    """Replace a text with `data` if `version` is still current, else StaleVersion. With a
    `viewer` (an editor who saw a filtered text), segments hidden from them stay as they are.
    `media_sha256` False keeps the recording; None removes it; a sha256 sets it."""
    if version is None:
        version = data.get("version") if isinstance(data, dict) else None
    if version is None:
        raise InvalidInput("version: the version being edited is required (If-Match or body)")
    with transaction(session):
        touch(session, dictionary)
        row = _row(session, dictionary, text_id, lock=True)
        if row.deleted and action != "restore":
            raise TextNotFound(f"text {text_id} is deleted; restore it first")
        if row.version != version:
            raise _stale(session, dictionary, row, version, viewer)
        current = text_dict(session, dictionary, row)
        if viewer is not None and view.filter_text(viewer, dictionary, current) is None:
            raise TextNotFound(f"no text {text_id} in {dictionary.slug!r}")
        text = view.keep_hidden(viewer, dictionary, current, clean_text(data))
        values = {
            "id": text_id, "version": row.version + 1, "updated_at": utcnow(),
            "updated_by": editor, "deleted": False, "deleted_at": None,
            "media_sha256": row.media_sha256 if media_sha256 is False else media_sha256,
        }  # fmt: skip
        session.expire(row)
        return _write(session, dictionary, values, text, action, comment, new=False)


def delete_text(
    *,
    session: Session,
    dictionary: Dictionary,
    text_id: str,
    editor: str = "",
    version: int | None = None,
    viewer: Viewer | None = None,
) -> dict:
    """Soft-delete: the text leaves every listing but stays restorable from its history."""
    with transaction(session):
        touch(session, dictionary)
        row = _row(session, dictionary, text_id, lock=True)
        current = text_dict(session, dictionary, row)
        if row.deleted or view.filter_text(viewer, dictionary, current) is None:
            raise TextNotFound(f"no text {text_id} in {dictionary.slug!r}")
        if version is not None and version != row.version:
            raise _stale(session, dictionary, row, version, viewer)
        now = utcnow()
        values = {"version": row.version + 1, "deleted": True, "deleted_at": now,
                  "updated_at": now, "updated_by": editor}  # fmt: skip
        session.execute(
            update(Text.__table__).where(Text.__table__.c.id == text_id).values(**values)
        )
        session.expire(row)
        current.update(version=values["version"], deleted=True, updated_at=iso(now),
                       updated_by=editor)  # fmt: skip
        session.execute(
            insert(TextRevision.__table__),
            [{"text_id": text_id, "dictionary_id": dictionary.id, "number": values["version"],
              "action": "delete", "data": current, "editor": editor, "comment": "",
              "created_at": now}],
        )  # fmt: skip
        return current


# ---------------------------------------------------------------- history


def _revision_seen(viewer, dictionary, data: dict, current: dict) -> dict | None:
    """An old revision as the viewer may see it: by its own scopes, and without the segments
    hidden from them now."""
    seen = view.filter_text(viewer, dictionary, data)
    if seen is None or viewer is None:
        return seen
    hidden_now = {
        s["id"] for s in current.get("segments") or []
        if not view.sees_segment(viewer, dictionary, current, s)
    }  # fmt: skip
    if not view.can_see_text(viewer, dictionary, current):
        return None
    if hidden_now:
        seen = dict(seen, segments=[s for s in seen["segments"] if s["id"] not in hidden_now],
                    media=None, extra={}, segments_hidden=True)  # fmt: skip
    return seen


def text_history(
    *, session: Session, dictionary: Dictionary, text_id: str, viewer: Viewer | None = None
) -> list[dict]:
    """The text's revisions, newest first, each as the viewer may see it."""
    row = _row(session, dictionary, text_id)
    current = text_dict(session, dictionary, row)
    if viewer is not None and not view.can_see_text(viewer, dictionary, current):
        raise TextNotFound(f"no text {text_id} in {dictionary.slug!r}")
    out = []
    for rev in session.exec(
        select(TextRevision)
        .where(TextRevision.text_id == text_id)
        .order_by(TextRevision.number.desc())
    ).scalars():
        seen = _revision_seen(viewer, dictionary, rev.data, current)
        if seen is not None:
            out.append({"number": rev.number, "action": rev.action, "editor": rev.editor,
                        "comment": revision_comment(rev.comment), "created_at": iso(rev.created_at),
                        "data": seen})  # fmt: skip
    return out


def restore_revision(
    *,
    session: Session,
    dictionary: Dictionary,
    text_id: str,
    number: int,
    editor: str = "",
    viewer: Viewer | None = None,
) -> dict:
    """Make revision `number` current again (undeleting the text if needed); segments hidden
    from `viewer` now stay exactly as they are."""
    with transaction(session):
        touch(session, dictionary)  # the dictionary's row first, as every write takes it
        row = _row(session, dictionary, text_id, lock=True)
        revision = session.exec(
            select(TextRevision).where(
                TextRevision.text_id == text_id, TextRevision.number == number
            )
        ).scalar_one_or_none()
        current = text_dict(session, dictionary, row)
        data = None if revision is None else _revision_seen(
            viewer, dictionary, revision.data, current
        )  # fmt: skip
        if data is None:
            raise TextRevisionNotFound(f"text {text_id} has no revision {number}")
        media = (revision.data.get("media") or {}).get("sha256")
        if data.get("segments_hidden"):
            media = row.media_sha256  # what the viewer could not hear stays as it is
        elif media and _media(session, dictionary, media).get("url") is None:
            media = row.media_sha256  # its file is gone
        return update_text(
            session=session, dictionary=dictionary, text_id=text_id, data=data,
            version=row.version, editor=editor, viewer=viewer, action="restore",
            comment=f"restored revision {number}", media_sha256=media,
        )  # fmt: skip
