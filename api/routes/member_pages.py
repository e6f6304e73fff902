"""The members page of a dictionary (`/d/{slug}/edit/members`, owners): who has which role,
their circles and last activity, the pending invitations, and forms to invite (the link is
shown to copy and send by any channel, and emailed when SMTP is configured), change a role,
remove a member, withdraw an invitation or make a member a password-reset link."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api import i18n
from api.deps import CsrfChecked, DictionaryDep, ManagerDep, SessionDep, SettingsDep
from api.errors import status_for
from api.i18n import _
from api.links import deliver_invitation, reader_locale, reset_url
from api.templating import render
from api.urls import urls
from lexicon.accounts import invitations, resets, roster
from lexicon.accounts.access import ROLE_RANK
from lexicon.accounts.members import list_circles, set_member
from lexicon.errors import WordkeepError

router = APIRouter(
    prefix="/d/{slug}/edit", include_in_schema=False, default_response_class=HTMLResponse
)
Text = Annotated[str, Form()]


def _page(request, session, dictionary, viewer, *, new_link=None, error="", status=200):
    ctx = {
        "members": roster.roster(session=session, dictionary=dictionary),
        "invitations": invitations.pending_invitations(session=session, dictionary=dictionary),
        "circles": [c["name"] for c in list_circles(session=session, dictionary=dictionary)],
        "roles": list(ROLE_RANK),
        "new_link": new_link,
        "error": error,
        "saved": request.query_params.get("saved"),
        "viewer": viewer,
    }
    page = render(request, "editor/members.html", ctx, dictionary=dictionary, status_code=status)
    if new_link:
        page.headers["Cache-Control"] = "no-store"  # the link is shown this once
    return page


def _back(dictionary, saved: str) -> RedirectResponse:
    url = urls.editor(dictionary.slug, "members", query={"saved": saved})
    return RedirectResponse(url, status_code=303)


def _refused(request, session, dictionary, viewer, exc: WordkeepError):
    return _page(request, session, dictionary, viewer, error=exc.message, status=status_for(exc))


@router.get("/members")
def members_page(
    request: Request, dictionary: DictionaryDep, session: SessionDep, viewer: ManagerDep
):
    return _page(request, session, dictionary, viewer)


@router.post("/members/invite")
def invite(
    request: Request,
    dictionary: DictionaryDep,
    session: SessionDep,
    settings: SettingsDep,
    viewer: ManagerDep,
    _csrf: CsrfChecked,
    email: Text = "",
    role: Text = "contributor",
    circles: Text = "",
    locale: Text = "",
):
    """Invite, and show the link on the answer (it is not shown again). The email, the page
    the link opens and the message to copy are in the language picked (by default the
    inviter's), or in the invitee's own if they have an account that chose one."""
    try:
        picked = i18n.pick(locale)
        row, token = invitations.create_invitation(
            session=session,
            dictionary=dictionary,
            email=email,
            role=role,
            circles=[c for c in circles.split(",") if c.strip()],
            created_by=viewer.user_id,
        )
    except WordkeepError as exc:
        return _refused(request, session, dictionary, viewer, exc)
    sent = deliver_invitation(request, settings, session, invitation=row, token=token,
                              dictionary=dictionary, viewer=viewer, picked=picked)  # fmt: skip
    url = sent["url"]
    with i18n.speaking(sent["locale"]):
        message = _("Join %(title)s on Wordkeep: %(url)s", title=dictionary.title, url=url)
    link = {"kind": "invitation", "email": row.email, "url": url, "emailed": sent["emailed"],
            "expires_at": row.expires_at, "message": message}  # fmt: skip
    return _page(request, session, dictionary, viewer, new_link=link)


@router.post("/members/role")
def change_role(
    request: Request,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ManagerDep,
    _csrf: CsrfChecked,
    email: Text = "",
    role: Text = "",
):
    try:
        set_member(session=session, dictionary=dictionary, email=email, role=role)
    except WordkeepError as exc:
        return _refused(request, session, dictionary, viewer, exc)
    return _back(dictionary, "role")


@router.post("/members/remove")
def remove(
    request: Request,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ManagerDep,
    _csrf: CsrfChecked,
    email: Text = "",
):
    try:
        invitations.remove_member(session=session, dictionary=dictionary, email=email)
    except WordkeepError as exc:
        return _refused(request, session, dictionary, viewer, exc)
    return _back(dictionary, "removed")


@router.post("/members/reset")
def reset_link(
    request: Request,
    dictionary: DictionaryDep,
    session: SessionDep,
    settings: SettingsDep,
    viewer: ManagerDep,
    _csrf: CsrfChecked,
    email: Text = "",
):
    """A password-reset link for a member, shown to copy and send them."""
    try:
        row, token = resets.reset_for_member(
            session=session, viewer=viewer, dictionary=dictionary, email=email
        )
    except WordkeepError as exc:
        return _refused(request, session, dictionary, viewer, exc)
    url = reset_url(request, settings, token)
    with i18n.speaking(reader_locale(session, email)):  # the member's language, for them
        message = _("A link to choose a new Wordkeep password: %(url)s", url=url)
    link = {"kind": "reset", "email": email.strip().lower(), "url": url, "emailed": False,
            "expires_at": row.expires_at, "message": message}  # fmt: skip
    return _page(request, session, dictionary, viewer, new_link=link)


@router.post("/invitations/{invitation_id}/revoke")
def revoke(
    invitation_id: int,
    request: Request,
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ManagerDep,
    _csrf: CsrfChecked,
):
    try:
        invitations.revoke_invitation(
            session=session, dictionary=dictionary, invitation_id=invitation_id
        )
    except WordkeepError as exc:
        return _refused(request, session, dictionary, viewer, exc)
    return _back(dictionary, "revoked")
