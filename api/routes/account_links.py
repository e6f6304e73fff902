"""The pages a link opens, for people not logged in yet: the first-run setup
(`/setup/{token}`), an invitation (`/invite/{token}`), "Forgot your password?" (`/forgot`) and
a password reset (`/reset/{token}`). Each form carries the CSRF token (they work before login,
as /login does); a used, expired or wrong link gets a page that says which."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api import i18n
from api.deps import CsrfChecked, SessionDep, SettingsDep, ViewerDep
from api.i18n import _
from api.links import reset_url, send_reset, start_session
from api.templating import render
from api.urls import urls
from lexicon.accounts import invitations, resets
from lexicon.accounts import setup as first_run
from lexicon.accounts.access import ROLE_RANK
from lexicon.accounts.links import LinkNotValid
from lexicon.accounts.users import MIN_PASSWORD
from lexicon.errors import InvalidInput, NotAuthenticated
from lexicon.models import Dictionary

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
Text = Annotated[str, Form()]


def _invalid(request: Request, exc: LinkNotValid, viewer=None):
    """The page for a link that does not work, saying why; nothing was written."""
    messages = {
        "unknown": _("This link is not valid. Check that it was copied whole."),
        "used": _("This link was used already: each link works once."),
        "revoked": _("This link was withdrawn."),
        "expired": _("This link has expired. Ask for a new one."),
        "done": _("This site has an admin already. Log in instead."),
    }
    status = 404 if exc.reason == "unknown" else 410
    ctx = {"message": messages.get(exc.reason, messages["unknown"]), "viewer": viewer}
    return render(request, "links/invalid.html", ctx, status_code=status)


def _form_error(exc: InvalidInput) -> str:
    """A domain's refusal of a form field, in the reader's language."""
    field = exc.message.split(":", 1)[0]
    return {
        "password": _("The password must be at least %(count)s characters.", count=MIN_PASSWORD),
        "email": _("This is not an email address."),
        "display_name": _("Give a name of at most 200 characters."),
    }.get(field, exc.message)


def _check_passwords(password: str, again: str) -> None:
    if password != again:
        raise InvalidInput("password_again: the two passwords differ")


def _passwords_error(exc: InvalidInput) -> str:
    if exc.message.startswith("password_again"):
        return _("The two passwords are not the same.")
    return _form_error(exc)


# ---------------------------------------------------------------- first run


@router.get("/setup/{token}")
def setup_page(token: str, request: Request, session: SessionDep):
    try:
        first_run.open_setup(session=session, token=token)
    except LinkNotValid as exc:
        return _invalid(request, exc)
    return render(request, "links/setup.html", {"token": token, "values": {}, "error": ""})


@router.post("/setup/{token}")
def setup_admin(
    token: str,
    request: Request,
    session: SessionDep,
    _csrf: CsrfChecked,
    email: Text = "",
    display_name: Text = "",
    password: Text = "",
    password_again: Text = "",
):
    """Make the first site admin, log them in and open the home page."""
    try:
        _check_passwords(password, password_again)
        user = first_run.create_first_admin(
            session=session,
            token=token,
            email=email,
            display_name=display_name,
            password=password,
        )
    except LinkNotValid as exc:
        return _invalid(request, exc)
    except InvalidInput as exc:
        values = {"email": email, "display_name": display_name}
        ctx = {"token": token, "values": values, "error": _passwords_error(exc)}
        return render(request, "links/setup.html", ctx, status_code=422)
    start_session(request, user)
    return RedirectResponse(urls.index(), status_code=303)


# ---------------------------------------------------------------- invitations


def _invitation_page(request, session, viewer, token, *, values=None, error="", status=200):
    found = invitations.open_invitation(session=session, token=token)
    invitation = found["invitation"]
    ctx = {
        "token": token,
        "invitation": invitation,
        "invited_to": session.get(Dictionary, invitation.dictionary_id),
        "has_account": found["has_account"],
        "is_them": viewer.email == invitation.email,
        "viewer": viewer,
        "values": values or {},
        "error": error,
    }
    return render(request, "links/invite.html", ctx, status_code=status)


def _landing(dictionary: Dictionary, role: str) -> str:
    """Where an accepted invitation leads: the editor for those who write, else the dictionary."""
    if ROLE_RANK[role] >= ROLE_RANK["contributor"]:
        return urls.editor(dictionary.slug)
    return urls.dictionary(dictionary.slug)


@router.get("/invite/{token}")
def invitation_page(token: str, request: Request, session: SessionDep, viewer: ViewerDep):
    try:
        return _invitation_page(request, session, viewer, token)
    except LinkNotValid as exc:
        return _invalid(request, exc, viewer)


@router.post("/invite/{token}")
def accept_invitation(
    token: str,
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _csrf: CsrfChecked,
    display_name: Text = "",
    password: Text = "",
    password_again: Text = "",
):
    """Accept: with the account logged in, or a new account with a name and a password."""
    try:
        found = invitations.open_invitation(session=session, token=token)
        if not found["has_account"]:
            _check_passwords(password, password_again)
        user = invitations.accept_invitation(
            session=session,
            token=token,
            viewer_id=viewer.user_id,
            display_name=display_name,
            password=password,
            locale=i18n.page_choice(),  # the invitation's language, from its link's ?lang=
        )
    except LinkNotValid as exc:
        return _invalid(request, exc, viewer)
    except InvalidInput as exc:
        values = {"display_name": display_name}
        return _invitation_page(
            request, session, viewer, token, values=values, error=_passwords_error(exc), status=422
        )
    except NotAuthenticated:
        return RedirectResponse(urls.login(urls.invitation(token)), status_code=303)
    if user.id != viewer.user_id:
        start_session(request, user)
    invitation = found["invitation"]
    dictionary = session.get(Dictionary, invitation.dictionary_id)
    return RedirectResponse(_landing(dictionary, invitation.role), status_code=303)


# ---------------------------------------------------------------- password resets


@router.get("/forgot")
def forgot_page(request: Request, settings: SettingsDep, viewer: ViewerDep):
    ctx = {"can_mail": bool(settings.smtp_url), "sent": False, "viewer": viewer}
    return render(request, "links/forgot.html", ctx)


@router.post("/forgot")
def forgot(
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    settings: SettingsDep,
    viewer: ViewerDep,
    _csrf: CsrfChecked,
    email: Text = "",
):
    """Email a reset link if the account exists; the answer is the same either way (it must
    not tell who has an account), and the email leaves after the answer."""
    if settings.smtp_url:
        made = resets.forgot_password(session=session, email=email)
        if made is not None:
            user, token = made
            url = reset_url(request, settings, token)
            locale = i18n.match(user.locale) or i18n.current()  # the account's, if it chose
            background.add_task(send_reset, settings, email=user.email, url=url, locale=locale)
    ctx = {"can_mail": bool(settings.smtp_url), "sent": True, "viewer": viewer}
    return render(request, "links/forgot.html", ctx)


@router.get("/reset/{token}")
def reset_page(token: str, request: Request, session: SessionDep, viewer: ViewerDep):
    try:
        user = resets.open_reset(session=session, token=token)
    except LinkNotValid as exc:
        return _invalid(request, exc, viewer)
    ctx = {"token": token, "email": user.email, "error": "", "viewer": viewer}
    return render(request, "links/reset.html", ctx)


@router.post("/reset/{token}")
def reset_password(
    token: str,
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _csrf: CsrfChecked,
    password: Text = "",
    password_again: Text = "",
):
    """Set the new password; every other session of the account ends, this browser logs in."""
    try:
        user = resets.open_reset(session=session, token=token)
        _check_passwords(password, password_again)
        user = resets.use_reset(session=session, token=token, password=password)
    except LinkNotValid as exc:
        return _invalid(request, exc, viewer)
    except InvalidInput as exc:
        ctx = {"token": token, "email": user.email, "error": _passwords_error(exc)}
        return render(request, "links/reset.html", {**ctx, "viewer": viewer}, status_code=422)
    start_session(request, user)
    return RedirectResponse(urls.account(), status_code=303)
