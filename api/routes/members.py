"""Owners manage who may do what: members with roles, and the circles that see restricted items."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from api import i18n
from api.csrf import require_csrf_for_session
from api.deps import DictionaryDep, ManagerDep, SessionDep, SettingsDep, requires
from api.links import deliver_invitation
from api.routes.invitations import InvitationCreated
from lexicon import accounts
from lexicon.accounts import invitations

router = APIRouter(
    prefix="/api/dictionaries/{slug}",
    tags=["members"],
    dependencies=[Depends(requires("manage")), Depends(require_csrf_for_session)],
)
Role = Literal["owner", "editor", "contributor", "viewer"]


class MemberIn(BaseModel):
    role: Role
    locale: str | None = Field(
        None,
        max_length=35,
        description="for an email without an account: the language of its invitation "
        "(email and page); by default the asker's interface language",
    )


class MemberPublic(BaseModel):
    email: str
    display_name: str
    role: str
    circles: list[str]


class MemberPage(BaseModel):
    items: list[MemberPublic]
    total: int
    next: str | None = None


class CirclePublic(BaseModel):
    name: str
    members: list[str]


class CirclePage(BaseModel):
    items: list[CirclePublic]
    total: int
    next: str | None = None


def _page(items: list) -> dict:
    return {"items": items, "total": len(items), "next": None}


@router.get("/members", response_model=MemberPage)
def list_members(dictionary: DictionaryDep, session: SessionDep):
    return _page(accounts.list_members(session=session, dictionary=dictionary))


@router.get("/members/{email}", response_model=MemberPublic)
def get_member(
    email: str,
    dictionary: DictionaryDep,
    session: SessionDep,
):
    return accounts.member(session=session, dictionary=dictionary, email=email)


class MemberSet(MemberPublic):
    can_log_in: bool = Field(description="false until the account has a password")
    invitation: InvitationCreated | None = Field(
        None,
        description="for an email without an account that logs in: a link to send them, "
        "where they choose a name and a password (the account cannot log in before)",
    )


@router.put("/members/{email}", response_model=MemberSet)
def set_member(
    email: str,
    data: MemberIn,
    request: Request,
    dictionary: DictionaryDep,
    session: SessionDep,
    settings: SettingsDep,
    viewer: ManagerDep,
):
    """Give an email a role in this dictionary. An email without an account that logs in gets
    an account without a password and an invitation link (`invitation`, also emailed when
    WORDKEEP_SMTP_URL is set, in `locale`): opening it, they choose a name and a password."""
    i18n.prefer(viewer.locale)  # the inviter's own language, as on their pages
    picked = i18n.pick(data.locale)
    found, made = invitations.add_member(
        session=session, dictionary=dictionary, email=email, role=data.role,
        created_by=viewer.user_id,
    )  # fmt: skip
    if made is None:
        return {**found, "can_log_in": True, "invitation": None}
    row, token = made
    sent = deliver_invitation(request, settings, session, invitation=row, token=token,
                              dictionary=dictionary, viewer=viewer, picked=picked)  # fmt: skip
    invitation = {"id": row.id, "expires_at": row.expires_at, **sent}
    return {**found, "can_log_in": False, "invitation": invitation}


@router.delete("/members/{email}", status_code=204)
def remove_member(
    email: str,
    dictionary: DictionaryDep,
    session: SessionDep,
):
    """Take away the role and circles, and withdraw the email's pending invitations."""
    invitations.remove_member(session=session, dictionary=dictionary, email=email)
    return Response(status_code=204)


@router.get("/circles", response_model=CirclePage)
def list_circles(dictionary: DictionaryDep, session: SessionDep):
    return _page(accounts.list_circles(session=session, dictionary=dictionary))


@router.get("/circles/{name}/members", response_model=CirclePublic)
def get_circle(
    name: str,
    dictionary: DictionaryDep,
    session: SessionDep,
):
    return accounts.circle(session=session, dictionary=dictionary, name=name)


@router.put("/circles/{name}/members/{email}", response_model=CirclePublic)
def add_circle_member(
    name: str,
    email: str,
    dictionary: DictionaryDep,
    session: SessionDep,
):
    """Put a member in the circle (created on first use)."""
    return accounts.add_circle_member(
        session=session, dictionary=dictionary, name=name, email=email
    )


@router.delete("/circles/{name}/members/{email}", response_model=CirclePublic)
def remove_circle_member(
    name: str,
    email: str,
    dictionary: DictionaryDep,
    session: SessionDep,
):
    return accounts.remove_circle_member(
        session=session, dictionary=dictionary, name=name, email=email
    )
