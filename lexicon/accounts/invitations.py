"""Invitations: an owner brings someone into a dictionary with a role (and circles) by a link
sent by any channel (email, WhatsApp, SMS). The link is single-use, expires (7 days by
default) and is stored hashed (`links`). Opening it, the person chooses a display name and a
password, or logs in if the email has an account already; accepting makes the account, the
membership and the circles in one transaction."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlmodel import Session

from lexicon.accounts import links
from lexicon.accounts.access import ROLE_RANK, SEP
from lexicon.accounts.members import remove_member as users_remove_member
from lexicon.accounts.members import set_member
from lexicon.accounts.users import hash_password, normalise_email
from lexicon.db.engine import begin_write
from lexicon.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, NotFound
from lexicon.models import Circle, CircleMember, Invitation, Membership, User, utcnow

INVITATION_DAYS = 7
MAX_CIRCLE_NAME = 100
MAX_DISPLAY_NAME = 200


def _circle_names(circles) -> list[str]:
    names: list[str] = []
    for raw in circles or []:
        name = unicodedata.normalize("NFC", str(raw).strip())
        if not name:
            continue
        if len(name) > MAX_CIRCLE_NAME or SEP in name or "\x00" in name:
            raise InvalidInput(f"circles: {name[:40]!r} is not a circle name")
        if name not in names:
            names.append(name)
    return names


def create_invitation(
    *,
    session: Session,
    dictionary,
    email: str,
    role: str,
    circles=(),
    created_by: int | None = None,
    days: float = INVITATION_DAYS,
    now: datetime | None = None,
) -> tuple[Invitation, str]:
    """A new invitation and its token (shown once). An earlier pending invitation of the same
    email to this dictionary is withdrawn: only the newest link works."""
    now = now or utcnow()
    email = normalise_email(email)
    if "\x00" in email or len(email) > 320:
        raise InvalidInput("email: not an email address")
    if role not in ROLE_RANK:
        raise InvalidInput(f"role: {role!r} is not one of {', '.join(ROLE_RANK)}")
    names = _circle_names(circles)
    token, hashed = links.new_token()
    begin_write(session)
    session.execute(
        update(Invitation)
        .where(
            Invitation.dictionary_id == dictionary.id,
            Invitation.email == email,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    row = Invitation(
        dictionary_id=dictionary.id,
        email=email,
        role=role,
        circles=names,
        token_hash=hashed,
        created_by=created_by,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(row)
    session.commit()
    return row, token


def list_invitations(*, session: Session, dictionary) -> list[Invitation]:
    """Every invitation of the dictionary, newest first (hashes only)."""
    return list(
        session.exec(
            select(Invitation)
            .where(Invitation.dictionary_id == dictionary.id)
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        ).scalars()
    )


def pending_invitations(*, session: Session, dictionary, now: datetime | None = None) -> list:
    now = now or utcnow()
    return [
        i
        for i in list_invitations(session=session, dictionary=dictionary)
        if links.state(i, now) == "pending"
    ]


def invitation_state(invitation: Invitation, now: datetime | None = None) -> str:
    """pending, accepted, revoked or expired."""
    found = links.state(invitation, now or utcnow())
    return "accepted" if found == "used" else found


def revoke_invitation(
    *, session: Session, dictionary, invitation_id: int, now: datetime | None = None
) -> Invitation:
    """Withdraw an invitation: its link stops working. One already accepted is a Conflict
    (remove the member instead)."""
    row = session.get(Invitation, invitation_id)
    if row is None or row.dictionary_id != dictionary.id:
        raise NotFound(f"no invitation {invitation_id} in {dictionary.slug!r}")
    if row.used_at is not None:
        raise Conflict("this invitation was accepted already: remove the member instead")
    if row.revoked_at is None:
        row.revoked_at = now or utcnow()
        session.add(row)
        session.commit()
    return row


def revoke_invitations_of(*, session: Session, dictionary, email: str) -> None:
    """Withdraw every pending invitation of `email` to the dictionary (the member is removed)."""
    begin_write(session)
    session.execute(
        update(Invitation)
        .where(
            Invitation.dictionary_id == dictionary.id,
            Invitation.email == normalise_email(email),
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    session.commit()


def open_invitation(*, session: Session, token: str, now: datetime | None = None) -> dict:
    """What the invitation page shows: the invitation, its dictionary id, and whether its email
    has an account that logs in (then the person logs in to accept)."""
    row = links.find(session, Invitation, token, now or utcnow())
    user = session.exec(select(User).where(User.email == row.email)).scalar_one_or_none()
    return {
        "invitation": row,
        "has_account": user is not None and bool(user.password_hash) and not user.disabled,
    }


def accept_invitation(
    *,
    session: Session,
    token: str,
    viewer_id: int | None = None,
    display_name: str = "",
    password: str = "",
    locale: str | None = None,
    now: datetime | None = None,
) -> User:
    """Use the invitation: the account of its email gets the role and the circles, and
    `locale` (the invitation's language) as its interface language if it has none.

    An account that logs in already must be the one accepting (`viewer_id`); otherwise the
    person chooses a display name and a password, and the account is made (or, made earlier
    without a password by `PUT .../members/{email}`, completed). Checked before anything is
    written; the link, the account and the membership are one transaction."""
    now = now or utcnow()
    row = links.find(session, Invitation, token, now)
    user = session.exec(select(User).where(User.email == row.email)).scalar_one_or_none()
    if user is not None and user.disabled:
        raise Forbidden("this account is disabled")
    new_password = None
    if user is not None and user.password_hash:
        if viewer_id != user.id:
            raise NotAuthenticated(f"log in as {row.email} to accept this invitation")
    else:
        display_name = unicodedata.normalize("NFC", display_name.strip())
        if not display_name:
            raise InvalidInput("display_name: a name is required")
        if len(display_name) > MAX_DISPLAY_NAME:
            raise InvalidInput(f"display_name: at most {MAX_DISPLAY_NAME} characters")
        new_password = hash_password(password)
    if user is not None:
        _guard_last_owner(session, row, user)
    begin_write(session)
    links.claim(session, row, now)
    if user is None:
        user = User(email=row.email, display_name=display_name, password_hash=new_password or "")
    elif new_password:
        user.display_name = display_name
        user.password_hash = new_password
    user.last_seen_at = now
    if locale and not user.locale:
        user.locale = locale
    session.add(user)
    session.flush()
    _join(session, row, user)
    row.used_by = user.id
    session.add(row)
    session.commit()
    return user


def _guard_last_owner(session: Session, row: Invitation, user: User) -> None:
    owners = (
        session.exec(
            select(Membership.user_id).where(
                Membership.dictionary_id == row.dictionary_id, Membership.role == "owner"
            )
        )
        .scalars()
        .all()
    )
    if row.role != "owner" and list(owners) == [user.id]:
        raise Conflict(f"{user.email} is the last owner of this dictionary: name another first")


def _join(session: Session, row: Invitation, user: User) -> None:
    """The membership and circles of an accepted invitation (in the caller's transaction)."""
    membership = session.exec(
        select(Membership).where(
            Membership.user_id == user.id, Membership.dictionary_id == row.dictionary_id
        )
    ).scalar_one_or_none()
    if membership is None:
        membership = Membership(user_id=user.id, dictionary_id=row.dictionary_id, role=row.role)
    membership.role = row.role
    session.add(membership)
    for name in row.circles or []:
        circle = session.exec(
            select(Circle).where(Circle.dictionary_id == row.dictionary_id, Circle.name == name)
        ).scalar_one_or_none()
        if circle is None:
            circle = Circle(dictionary_id=row.dictionary_id, name=name)
            session.add(circle)
            session.flush()
        if session.get(CircleMember, (circle.id, user.id)) is None:
            session.add(CircleMember(circle_id=circle.id, user_id=user.id))


def add_member(
    *, session: Session, dictionary, email: str, role: str, created_by: int | None = None
) -> tuple[dict, tuple[Invitation, str] | None]:
    """Give `email` a role (`PUT .../members/{email}`). An email without an account that logs
    in gets one without a password, as before, and an invitation whose link lets its owner
    choose a name and a password: (the member, (invitation, token) or None)."""
    found = set_member(session=session, dictionary=dictionary, email=email, role=role)
    user = session.exec(select(User).where(User.email == found["email"])).scalar_one()
    if user.password_hash:
        return found, None
    made = create_invitation(
        session=session, dictionary=dictionary, email=user.email, role=role, created_by=created_by
    )
    return found, made


def remove_member(*, session: Session, dictionary, email: str) -> None:
    """Take away a member's role and circles, and withdraw their pending invitations."""
    users_remove_member(session=session, dictionary=dictionary, email=email)
    revoke_invitations_of(session=session, dictionary=dictionary, email=email)
