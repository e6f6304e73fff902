"""The members page's list: who has a role in a dictionary, their circles, and when they were
last active (their last login, or their last change or proposal in this dictionary)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import Session

from lexicon.accounts import links
from lexicon.accounts.access import ROLE_RANK
from lexicon.accounts.members import list_members
from lexicon.models import Proposal, Revision, User


def _latest(*moments):
    found = [links.aware(m) for m in moments if m is not None]
    return max(found) if found else None


def roster(*, session: Session, dictionary) -> list[dict]:
    """Members, owners first then by email: email, display_name, role, circles, can_log_in
    (a password is set), last_active (or None)."""
    members = list_members(session=session, dictionary=dictionary)
    emails = [m["email"] for m in members]
    users = {u.email: u for u in session.exec(select(User).where(User.email.in_(emails))).scalars()}
    edited = dict(
        session.exec(
            select(Revision.editor, func.max(Revision.created_at))
            .where(Revision.dictionary_id == dictionary.id, Revision.editor.in_(emails))
            .group_by(Revision.editor)
        ).all()
    )
    proposed = dict(
        session.exec(
            select(Proposal.author_id, func.max(Proposal.created_at))
            .where(Proposal.dictionary_id == dictionary.id)
            .group_by(Proposal.author_id)
        ).all()
    )
    out = []
    for m in members:
        user = users[m["email"]]
        out.append(
            {
                **m,
                "can_log_in": bool(user.password_hash) and not user.disabled,
                "last_active": _latest(
                    user.last_seen_at, edited.get(m["email"]), proposed.get(user.id)
                ),
            }
        )
    rank = {r: -n for r, n in ROLE_RANK.items()}
    return sorted(out, key=lambda m: (rank.get(m["role"], 0), m["email"]))
