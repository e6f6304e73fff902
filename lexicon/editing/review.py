"""Changes to entries by role: editors change entries directly, contributors propose changes
that wait (as `Proposal` rows, never in the entry) until an editor accepts or rejects them.

Whoever saves an entry saves what they could see: parts hidden from them (restricted senses,
examples, recordings) are put back, never deleted by accident, and never shown in answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select
from sqlmodel import Session

from lexicon import accounts, editing
from lexicon.accounts import access
from lexicon.accounts.access import Viewer
from lexicon.db.transactions import transaction
from lexicon.editing.named_media import check_named_media
from lexicon.editing.write import deleted_meanwhile
from lexicon.entries import relations
from lexicon.entries.read import (
    MAX_PAGE,
    decode_cursor,
    encode_cursor,
    entry_dict,
    list_revisions,
    stored_entry,
)
from lexicon.errors import Conflict, EntryNotFound, InvalidInput, NotFound, StaleVersion
from lexicon.models import Dictionary, Entry, Proposal, User, utcnow
from lexicon.shape.schemas import EntryIn, nfc_deep

ACTIONS = ("create", "update", "delete")
STATUSES = ("pending", "accepted", "rejected")


class ProposalNotFound(NotFound):
    """No such proposal in this dictionary (or not visible to the caller)."""


class ProposalClosed(Conflict):
    """The proposal was accepted or rejected already."""


class ProposalOutOfSight(Conflict):
    """The proposal's entry is hidden from its author now; it cannot be accepted."""


class ProposalBeyondReviewer(Conflict):
    """The proposal adds parts the reviewer may not see; a member of their circle must review
    it."""


class ProposalPublic(BaseModel):
    id: int
    entry_id: str | None
    base_version: int | None
    action: str
    data: dict
    author: str
    status: str
    comment: str
    created_at: datetime
    reviewed_by: str | None
    reviewed_at: datetime | None


@dataclass
class Change:
    """What became of a change: applied to the entry, or waiting as a proposal."""

    entry: dict | None = None
    proposal: dict | None = None


# ---------------------------------------------------------------- reading what one may change


def _raw_entry(session: Session, dictionary: Dictionary, entry_id: str) -> dict:
    return stored_entry(session=session, dictionary=dictionary, entry_id=entry_id)


def _visible_entry(session, dictionary, viewer: Viewer, entry_id: str) -> dict:
    """The stored (unfiltered) entry, if the viewer may see it at all."""
    current = _raw_entry(session, dictionary, entry_id)
    if access.filter_entry(viewer, dictionary, current) is None:
        raise EntryNotFound(f"no entry {entry_id} in {dictionary.slug!r}")
    return current


def seen_entry(*, session: Session, dictionary: Dictionary, viewer: Viewer, entry_id: str) -> dict:
    """The stored (unfiltered) entry, deleted or not, if the viewer may see it: else
    EntryNotFound, saying nothing was saved (it was hidden from them, or never there)."""
    current = _raw_entry_any(session, dictionary, entry_id)
    if access.filter_entry(viewer, dictionary, current) is None:
        raise EntryNotFound(
            f"no entry {entry_id} in {dictionary.slug!r} that you may see (deleted, or hidden "
            "from you, since you opened it?); nothing was saved"
        )
    return current


def live_entry(*, session: Session, dictionary: Dictionary, viewer: Viewer, entry_id: str) -> dict:
    """The stored entry the viewer changes (updates, deletes). EntryDeleted when it was deleted
    since they opened it (and they may see it as it was: it can be restored), EntryNotFound
    when it is not there for them (hidden from them since, deleted or not); nothing is saved."""
    current = seen_entry(session=session, dictionary=dictionary, viewer=viewer, entry_id=entry_id)
    if current["deleted"]:
        raise deleted_meanwhile(entry_id, current["version"])
    return current


def _validated(data: EntryIn | dict) -> dict:
    if isinstance(data, EntryIn):
        data = data.model_dump()
    try:
        return EntryIn.model_validate(nfc_deep(data)).model_dump(mode="json")
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(f"{where}: {first['msg']}", errors=exc.errors()) from exc


def _seen(viewer, dictionary, entry: dict | None) -> dict | None:
    return access.filter_entry(viewer, dictionary, entry) if entry is not None else None


def _stale_filtered(exc: StaleVersion, session, viewer, dictionary) -> StaleVersion:
    """The 409's `current` as the viewer may see it: hidden parts and relations to hidden
    targets left out (a conflict view shows every relation it gets)."""
    exc.current = relations.resolve_one(
        session, dictionary, viewer, _seen(viewer, dictionary, exc.current)
    )
    return exc


def entry_history(
    *, session: Session, dictionary: Dictionary, entry_id: str, viewer: Viewer, **page
) -> dict:
    """The entry's revisions as the viewer may see them: parts hidden now stay hidden in old
    revisions too (a sense restricted later never shows through its history)."""
    result = list_revisions(
        session=session, dictionary=dictionary, entry_id=entry_id, viewer=viewer, **page
    )
    current = _raw_entry_any(session, dictionary, entry_id)
    for item in result["items"]:
        if item["data"]:
            item["data"] = access.filter_revision(viewer, dictionary, item["data"], current) or {}
    return result


def _raw_entry_any(session, dictionary, entry_id: str) -> dict:
    """The stored entry, deleted or not."""
    row = session.exec(
        select(Entry).where(Entry.id == entry_id, Entry.dictionary_id == dictionary.id)
    ).scalar_one_or_none()
    if row is None:
        raise EntryNotFound(f"no entry {entry_id} in {dictionary.slug!r}")
    return entry_dict(session=session, dictionary=dictionary, row=row)


# ---------------------------------------------------------------- changing entries


def change_entry(
    *,
    session: Session,
    dictionary: Dictionary,
    viewer: Viewer,
    action: str,
    entry_id: str | None = None,
    data: EntryIn | dict | None = None,
    version: int | None = None,
    uploaded: str = "",
) -> Change:
    """Create, update or delete an entry: applied for editors, proposed for contributors.
    `uploaded`: a file (sha256) just stored for the viewer, theirs to name (named_media)."""
    access.require(viewer, dictionary, "propose")
    if not access.may(viewer, dictionary, "edit"):
        return Change(
            proposal=propose(
                session=session, dictionary=dictionary, viewer=viewer, action=action,
                entry_id=entry_id, data=data, version=version, uploaded=uploaded,
            )
        )  # fmt: skip
    if action == "create":
        entry = editing.create_entry(
            session=session, dictionary=dictionary, data=_validated(data), editor=viewer.label,
            viewer=viewer, uploaded=uploaded,
        )  # fmt: skip
        return Change(entry=_seen(viewer, dictionary, entry))
    with transaction(session):
        current = live_entry(session=session, dictionary=dictionary, viewer=viewer,
                             entry_id=entry_id)  # fmt: skip
        try:
            if action == "delete":
                editing.delete_entry(
                    session=session, dictionary=dictionary, entry_id=entry_id,
                    editor=viewer.label, version=version,
                )  # fmt: skip
                return Change()
            merged = access.keep_hidden(viewer, dictionary, current, _validated(data))
            entry = editing.update_entry(
                session=session, dictionary=dictionary, entry_id=entry_id, data=merged,
                version=version if version is not None else merged.get("version"),
                editor=viewer.label, viewer=viewer, uploaded=uploaded, current=current,
            )  # fmt: skip
        except StaleVersion as exc:
            raise _stale_filtered(exc, session, viewer, dictionary) from None
    return Change(entry=_seen(viewer, dictionary, entry))


def restore_revision(
    *, session: Session, dictionary: Dictionary, viewer: Viewer, entry_id: str, number: int
) -> dict:
    """Make revision `number` current (editors), if the viewer may see the entry at all."""
    access.require(viewer, dictionary, "edit")
    with transaction(session):
        if (
            access.filter_entry(viewer, dictionary, _raw_entry_any(session, dictionary, entry_id))
            is None
        ):
            raise EntryNotFound(f"no entry {entry_id} in {dictionary.slug!r}")
        entry = editing.restore_revision(
            session=session, dictionary=dictionary, entry_id=entry_id, number=number,
            editor=viewer.label, viewer=viewer,
        )  # fmt: skip
    return _seen(viewer, dictionary, entry)


def propose(
    *,
    session: Session,
    dictionary: Dictionary,
    viewer: Viewer,
    action: str,
    entry_id: str | None = None,
    data: EntryIn | dict | None = None,
    version: int | None = None,
    uploaded: str = "",
) -> dict:
    """Store a change as a pending proposal; the entry is not touched (`uploaded`: above)."""
    access.require(viewer, dictionary, "propose")
    if action not in ACTIONS:
        raise InvalidInput(f"action: {action!r} is not one of {', '.join(ACTIONS)}")
    clean = _validated(data) if action != "delete" else {}
    if clean and clean.get("visibility") is None:  # as the store will decide on accepting
        clean["visibility"] = dictionary.default_entry_visibility
    base = None
    if action != "create":
        current = live_entry(session=session, dictionary=dictionary, viewer=viewer,
                             entry_id=entry_id)  # fmt: skip
        base = version if version is not None else clean.get("version")
        if base is None and action == "update":
            raise InvalidInput("version: the version being edited is required (If-Match or body)")
        if base is not None and base != current["version"]:
            stale = StaleVersion(
                f"entry {entry_id} is at version {current['version']}, not {base}",
                current=current,
            )
            raise _stale_filtered(stale, session, viewer, dictionary)
        base = current["version"]
    if clean:  # a proposal names only files its author may hear, as an edit does
        stored = current if action != "create" else None  # the entry read above
        check_named_media(session, dictionary, viewer, clean, None, uploaded, stored)
    row = Proposal(
        dictionary_id=dictionary.id,
        entry_id=entry_id if action != "create" else None,
        base_version=base,
        action=action,
        data=clean,
        author_id=viewer.user_id,
    )
    session.add(row)
    session.commit()
    return proposal_public(session=session, dictionary=dictionary, viewer=viewer, row=row)


# ---------------------------------------------------------------- the review queue


def _emails(session: Session, ids: set[int]) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(session.exec(select(User.id, User.email).where(User.id.in_(ids))).all())


def proposal_public(
    *, session: Session, dictionary: Dictionary, viewer: Viewer, row: Proposal, emails=None
) -> dict:
    """A proposal as the viewer may see it (its entry data filtered by the access rule)."""
    emails = emails or _emails(session, {row.author_id, row.reviewed_by})
    data = {}
    if row.data:  # written against an older version: parts hidden now stay hidden in it
        current = _stored_or_none(session, dictionary, row.entry_id)
        data = (
            access.filter_revision(viewer, dictionary, row.data, current)
            if current is not None
            else access.filter_entry(viewer, dictionary, row.data)
        ) or {}
    if data:  # relations to targets the viewer may not see are left out
        data = relations.resolve_one(session, dictionary, viewer, data)
    return {
        "id": row.id,
        "entry_id": row.entry_id,
        "base_version": row.base_version,
        "action": row.action,
        "data": data,
        "author": emails.get(row.author_id, ""),
        "status": row.status,
        "comment": row.comment,
        "created_at": row.created_at,
        "reviewed_by": emails.get(row.reviewed_by) if row.reviewed_by else None,
        "reviewed_at": row.reviewed_at,
    }


def _stored_or_none(session, dictionary, entry_id: str | None) -> dict | None:
    if not entry_id:
        return None
    try:
        return _raw_entry_any(session, dictionary, entry_id)
    except EntryNotFound:
        return None


def _may_see_proposal(session, dictionary, viewer: Viewer, row: Proposal) -> bool:
    if not access.may(viewer, dictionary, "review") and row.author_id != viewer.user_id:
        return False
    if row.data and access.filter_entry(viewer, dictionary, row.data) is None:
        return False
    if row.entry_id:
        exists = session.exec(
            select(Entry).where(Entry.id == row.entry_id, Entry.dictionary_id == dictionary.id)
        ).scalar_one_or_none()
        if exists is not None:
            raw = entry_dict(session=session, dictionary=dictionary, row=exists)
            return access.filter_entry(viewer, dictionary, raw) is not None
    return True


def list_proposals(
    *,
    session: Session,
    dictionary: Dictionary,
    viewer: Viewer,
    status: str | None = "pending",
    entry_id: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> dict:
    """Proposals, oldest first: editors see all they may see, contributors their own."""
    access.require(viewer, dictionary, "propose")
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"status: {status!r} is not one of {', '.join(STATUSES)}")
    filters = [Proposal.dictionary_id == dictionary.id]
    if not access.may(viewer, dictionary, "review"):
        filters.append(Proposal.author_id == viewer.user_id)
    if status is not None:
        filters.append(Proposal.status == status)
    if entry_id is not None:
        filters.append(Proposal.entry_id == entry_id)
    limit = max(1, min(limit, MAX_PAGE))
    after = decode_cursor(cursor, 1)[0] if cursor else None
    if viewer.rank_in(dictionary) >= access.ROLE_RANK["owner"]:  # sees every proposal
        total = session.exec(
            select(func.count()).select_from(Proposal).where(*filters)
        ).scalar_one()
        if after is not None:
            filters.append(Proposal.id > after)
        rows = (
            session.exec(select(Proposal).where(*filters).order_by(Proposal.id).limit(limit + 1))
            .scalars()
            .all()
        )
    else:  # the total and the pages count only the proposals this viewer may see
        rows = [
            r
            for r in session.exec(select(Proposal).where(*filters).order_by(Proposal.id)).scalars()
            if _may_see_proposal(session, dictionary, viewer, r)
        ]
        total = len(rows)
        rows = [r for r in rows if after is None or r.id > after][: limit + 1]
    more = len(rows) > limit
    rows = rows[:limit]
    emails = _emails(session, {r.author_id for r in rows} | {r.reviewed_by for r in rows})
    items = [
        proposal_public(session=session, dictionary=dictionary, viewer=viewer, row=r, emails=emails)
        for r in rows
    ]
    following = encode_cursor(rows[-1].id) if more and rows else None
    return {"items": items, "total": total, "next": following}


def _pending(session, dictionary, viewer: Viewer, proposal_id: int) -> Proposal:
    access.require(viewer, dictionary, "review")
    row = session.get(Proposal, proposal_id)
    if (
        row is None
        or row.dictionary_id != dictionary.id
        or not _may_see_proposal(session, dictionary, viewer, row)
    ):
        raise ProposalNotFound(f"no proposal {proposal_id} in {dictionary.slug!r}")
    if row.status != "pending":
        raise ProposalClosed(f"proposal {proposal_id} was {row.status} already")
    return row


def _close(session, row: Proposal, viewer: Viewer, status: str, comment: str) -> None:
    row.status = status
    row.comment = comment
    row.reviewed_by = viewer.user_id
    row.reviewed_at = utcnow()
    session.add(row)
    session.flush()


def accept(
    *,
    session: Session,
    dictionary: Dictionary,
    viewer: Viewer,
    proposal_id: int,
    comment: str = "",
    force: bool = False,
) -> dict:
    """Apply a pending proposal through the store (a revision by its author, action "accept").
    If the entry changed since it was proposed, StaleVersion unless `force`."""
    row = _pending(session, dictionary, viewer, proposal_id)
    author = session.get(User, row.author_id)
    author_viewer = accounts.viewer_for_user(session=session, user=author)
    note = f"proposal {row.id} accepted by {viewer.label}" + (f": {comment}" if comment else "")
    with transaction(session):
        if row.action == "create":
            data = _within_reviewers_sight(viewer, dictionary, {}, row.data, row.id)
            entry = editing.create_entry(
                session=session, dictionary=dictionary, data=data, editor=author.email,
                action="accept", comment=note, viewer=viewer,
            )  # fmt: skip
            row.entry_id = entry["id"]
        else:
            current = _visible_entry(session, dictionary, viewer, row.entry_id)
            if access.filter_entry(author_viewer, dictionary, current) is None:
                # The entry was hidden from its author since: their change cannot be theirs.
                raise ProposalOutOfSight(
                    f"proposal {row.id}: its author may no longer see entry {row.entry_id}"
                )
            version = current["version"] if force else row.base_version

            try:
                if row.action == "delete":
                    editing.delete_entry(
                        session=session, dictionary=dictionary, entry_id=row.entry_id,
                        editor=author.email, version=version,
                    )  # fmt: skip
                else:
                    data = access.keep_hidden(author_viewer, dictionary, current, row.data)
                    data = _within_reviewers_sight(viewer, dictionary, current, data, row.id)
                    data = editing.keep_hidden_relations(
                        session=session, dictionary=dictionary, viewer=author_viewer,
                        entry_id=row.entry_id, data=data,
                    )  # fmt: skip
                    editing.update_entry(
                        session=session, dictionary=dictionary, entry_id=row.entry_id,
                        data=data, version=version, editor=author.email, action="accept",
                        comment=note, viewer=viewer,
                    )  # fmt: skip
            except StaleVersion as exc:
                raise _stale_filtered(exc, session, viewer, dictionary) from None
        _close(session, row, viewer, "accepted", comment)
    return proposal_public(session=session, dictionary=dictionary, viewer=viewer, row=row)


def _within_reviewers_sight(viewer, dictionary, current: dict, data: dict, row_id) -> dict:
    """What an accepted proposal may write: only what its reviewer may see. Parts hidden from
    the reviewer stay exactly as they are now (a circle's sense is not made public by someone
    outside the circle); a proposal that adds or moves parts out of the reviewer's sight waits
    for a reviewer who may see them."""
    hidden_now = access.hidden_ids(viewer, dictionary, current) if current else set()
    beyond = any(i not in hidden_now for i in access.hidden_parts(viewer, dictionary, data))
    if beyond or not access.can_see_entry(viewer, dictionary, data):
        raise ProposalBeyondReviewer(
            f"proposal {row_id} adds or restricts parts to circles you are not in; "
            "ask a member of that circle to review it"
        )
    return access.keep_hidden(viewer, dictionary, current, data) if current else data


def reject(
    *, session: Session, dictionary: Dictionary, viewer: Viewer, proposal_id: int, comment: str = ""
) -> dict:
    """Close a pending proposal without touching the entry; it stays listed as rejected."""
    row = _pending(session, dictionary, viewer, proposal_id)
    with transaction(session):
        _close(session, row, viewer, "rejected", comment)
    return proposal_public(session=session, dictionary=dictionary, viewer=viewer, row=row)
