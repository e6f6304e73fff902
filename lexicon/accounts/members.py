"""A dictionary's members and circles: who holds which role, and who belongs to which circle."""

from __future__ import annotations

import unicodedata

from sqlalchemy import select
from sqlmodel import Session

from lexicon.accounts.access import ROLE_RANK
from lexicon.accounts.users import (
    add_to_circle,
    create_user,
    get_user,
    normalise_email,
    set_role,
    viewer_for_user,
)
from lexicon.errors import Conflict, InvalidInput, NotFound
from lexicon.models import Circle, CircleMember, Membership, User


def _circle_names(session: Session, dictionary, user_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    rows = session.exec(
        select(CircleMember.user_id, Circle.name)
        .join(Circle, Circle.id == CircleMember.circle_id)
        .where(Circle.dictionary_id == dictionary.id, CircleMember.user_id.in_(user_ids))
        .order_by(Circle.name)
    ).all()
    for user_id, name in rows:
        names.setdefault(user_id, []).append(name)
    return names


def list_members(*, session: Session, dictionary) -> list[dict]:
    """Who has a role in `dictionary`: email, name, role and circles, by email."""
    rows = session.exec(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.dictionary_id == dictionary.id)
        .order_by(User.email)
    ).all()
    circles = _circle_names(session, dictionary, [u.id for u, _ in rows])
    return [
        {
            "email": u.email,
            "display_name": u.display_name,
            "role": role,
            "circles": circles.get(u.id, []),
        }
        for u, role in rows
    ]


def member(*, session: Session, dictionary, email: str) -> dict:
    email = normalise_email(email)
    for found in list_members(session=session, dictionary=dictionary):
        if found["email"] == email:
            return found
    raise NotFound(f"{email!r} is not a member of {dictionary.slug!r}")


def _owner_count(session: Session, dictionary) -> int:
    return len(
        session.exec(
            select(Membership.id).where(
                Membership.dictionary_id == dictionary.id, Membership.role == "owner"
            )
        ).all()
    )


def _guard_last_owner(session: Session, dictionary, user: User, role: str | None) -> None:
    current = viewer_for_user(session=session, user=user).roles.get(dictionary.id)
    if current == "owner" and role != "owner" and _owner_count(session, dictionary) <= 1:
        raise Conflict(f"{user.email} is the last owner of {dictionary.slug!r}: name another first")


def set_member(*, session: Session, dictionary, email: str, role: str) -> dict:
    """Give `email` a role (a user without a password is created if needed; they log in once
    a password is set, e.g. with `wordkeep user add`)."""
    try:
        user = get_user(session=session, email=email)
    except NotFound:
        user = create_user(session=session, email=email)
    if role not in ROLE_RANK:
        raise InvalidInput(f"role: {role!r} is not one of {', '.join(ROLE_RANK)}")
    _guard_last_owner(session, dictionary, user, role)
    set_role(session=session, user=user, dictionary=dictionary, role=role)
    return member(session=session, dictionary=dictionary, email=user.email)


def remove_member(*, session: Session, dictionary, email: str) -> None:
    """Take away a user's role in `dictionary`, and their places in its circles."""
    user = get_user(session=session, email=email)
    member(session=session, dictionary=dictionary, email=user.email)
    _guard_last_owner(session, dictionary, user, None)
    circle_ids = select(Circle.id).where(Circle.dictionary_id == dictionary.id)
    for row in session.exec(
        select(CircleMember).where(
            CircleMember.user_id == user.id, CircleMember.circle_id.in_(circle_ids)
        )
    ).scalars():
        session.delete(row)
    set_role(session=session, user=user, dictionary=dictionary, role=None)


def list_circles(*, session: Session, dictionary) -> list[dict]:
    """The circles of `dictionary` with their members' emails."""
    circles = (
        session.exec(
            select(Circle).where(Circle.dictionary_id == dictionary.id).order_by(Circle.name)
        )
        .scalars()
        .all()
    )
    out = []
    for circle in circles:
        emails = (
            session.exec(
                select(User.email)
                .join(CircleMember, CircleMember.user_id == User.id)
                .where(CircleMember.circle_id == circle.id)
                .order_by(User.email)
            )
            .scalars()
            .all()
        )
        out.append({"name": circle.name, "members": list(emails)})
    return out


def circle(*, session: Session, dictionary, name: str) -> dict:
    name = unicodedata.normalize("NFC", name.strip())
    for found in list_circles(session=session, dictionary=dictionary):
        if found["name"] == name:
            return found
    raise NotFound(f"no circle {name!r} in {dictionary.slug!r}")


def add_circle_member(*, session: Session, dictionary, name: str, email: str) -> dict:
    """Put a member of `dictionary` in its circle `name` (created on first use)."""
    user = get_user(session=session, email=email)
    if viewer_for_user(session=session, user=user).roles.get(dictionary.id) is None:
        raise InvalidInput(f"email: {user.email} must be a member of {dictionary.slug!r} first")
    add_to_circle(session=session, user=user, dictionary=dictionary, circle=name)
    return circle(session=session, dictionary=dictionary, name=name)


def remove_circle_member(*, session: Session, dictionary, name: str, email: str) -> dict:
    """Take a user out of a circle (the circle stays, possibly empty)."""
    user = get_user(session=session, email=email)
    name = unicodedata.normalize("NFC", name.strip())
    row = session.exec(
        select(Circle).where(Circle.dictionary_id == dictionary.id, Circle.name == name)
    ).scalar_one_or_none()
    link = session.get(CircleMember, (row.id, user.id)) if row is not None else None
    if link is None:
        raise NotFound(f"{user.email} is not in circle {name!r} of {dictionary.slug!r}")
    session.delete(link)
    session.commit()
    return circle(session=session, dictionary=dictionary, name=name)
