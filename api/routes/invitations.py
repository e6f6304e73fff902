"""Invitations and reset links for members, as JSON, for owners:
`POST/GET /api/dictionaries/{slug}/invitations`, `DELETE .../invitations/{id}` and
`POST .../members/{email}/reset-link`. The pages are api/routes/member_pages.py."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from api import i18n
from api.deps import DictionaryDep, ManagerDep, SessionDep, SettingsDep
from api.links import deliver_invitation, reset_url
from lexicon.accounts import invitations, resets

router = APIRouter(prefix="/api/dictionaries/{slug}", tags=["invitations"])
Role = Literal["owner", "editor", "contributor", "viewer"]


class InvitationIn(BaseModel):
    email: str = Field(max_length=320)
    role: Role = "contributor"
    circles: list[str] = Field(default_factory=list, max_length=50)
    locale: str | None = Field(
        None,
        max_length=35,
        description="the language of the email and of the page the link opens, for someone "
        "without an account (one with an account gets their own): a shipped interface "
        "language (en, fr, ...); by default the asker's interface language",
    )


class InvitationCreated(BaseModel):
    id: int
    url: str = Field(description="the link to send: shown this once, stored only as a hash")
    expires_at: datetime
    emailed: bool = Field(False, description="also sent by email (WORDKEEP_SMTP_URL)")
    locale: str = Field("en", description="the language the email and the link's page are in")


class InvitationPublic(BaseModel):
    id: int
    email: str
    role: str
    circles: list[str]
    state: str = Field(description="pending, accepted, revoked or expired")
    created_at: datetime
    expires_at: datetime


class InvitationList(BaseModel):
    items: list[InvitationPublic]
    total: int
    next: str | None = None


class ResetLink(BaseModel):
    url: str = Field(description="the link to send the member: works once, for 2 hours")
    expires_at: datetime


@router.post("/invitations", response_model=InvitationCreated, status_code=201)
def create_invitation(
    data: InvitationIn,
    request: Request,
    dictionary: DictionaryDep,
    session: SessionDep,
    settings: SettingsDep,
    viewer: ManagerDep,
):
    """Invite someone by email with a role and circles. The link is also emailed when
    WORDKEEP_SMTP_URL is set; send it by any channel either way. The email and the page the
    link opens are in the invitee's language: their account's, else `locale`."""
    i18n.prefer(viewer.locale)  # the inviter's own language, as on their pages
    picked = i18n.pick(data.locale)
    row, token = invitations.create_invitation(
        session=session,
        dictionary=dictionary,
        email=data.email,
        role=data.role,
        circles=data.circles,
        created_by=viewer.user_id,
    )
    sent = deliver_invitation(request, settings, session, invitation=row, token=token,
                              dictionary=dictionary, viewer=viewer, picked=picked)  # fmt: skip
    return {"id": row.id, "expires_at": row.expires_at, **sent}


@router.get("/invitations", response_model=InvitationList)
def list_invitations(dictionary: DictionaryDep, session: SessionDep, viewer: ManagerDep):
    rows = invitations.list_invitations(session=session, dictionary=dictionary)
    items = [{**r.model_dump(), "state": invitations.invitation_state(r)} for r in rows]
    return {"items": items, "total": len(items), "next": None}


@router.delete("/invitations/{invitation_id}", status_code=204)
def revoke_invitation(
    invitation_id: int, dictionary: DictionaryDep, session: SessionDep, viewer: ManagerDep
):
    """Withdraw an invitation: its link stops working."""
    invitations.revoke_invitation(
        session=session, dictionary=dictionary, invitation_id=invitation_id
    )
    return Response(status_code=204)


@router.post("/members/{email}/reset-link", response_model=ResetLink, status_code=201)
def member_reset_link(
    email: str,
    request: Request,
    dictionary: DictionaryDep,
    session: SessionDep,
    settings: SettingsDep,
    viewer: ManagerDep,
):
    """A password-reset link for a member, to send them by any channel (single-use, 2 hours)."""
    row, token = resets.reset_for_member(
        session=session, viewer=viewer, dictionary=dictionary, email=email
    )
    return {"url": reset_url(request, settings, token), "expires_at": row.expires_at}
