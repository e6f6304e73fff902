"""The web side of account links: their absolute URLs (WORDKEEP_PUBLIC_URL, else the address
the request came to) and the emails that carry them, written in the sender's interface
language. Sending is lexicon.accounts.mail; the links themselves are lexicon.accounts."""

from __future__ import annotations

import logging

from fastapi import Request

from api import csrf
from api.i18n import _
from api.urls import urls
from lexicon.accounts.mail import MailNotSent, send_mail
from wordkeep.settings import Settings

log = logging.getLogger("wordkeep.mail")


def absolute(request: Request, settings: Settings, path: str) -> str:
    base = (settings.public_url or str(request.base_url)).rstrip("/")
    return base + path


def invitation_url(request: Request, settings: Settings, token: str) -> str:
    return absolute(request, settings, urls.invitation(token))


def reset_url(request: Request, settings: Settings, token: str) -> str:
    return absolute(request, settings, urls.reset(token))


def _send(settings: Settings, to: str, subject: str, body: str) -> bool:
    """Email `body` if SMTP is configured; False if not configured or not sent (logged)."""
    if not settings.smtp_url:
        return False
    try:
        send_mail(smtp_url=settings.smtp_url, to=to, subject=subject, body=body)
    except MailNotSent as exc:
        log.warning("email not sent", extra={"to": to, "error": exc.message})
        return False
    return True


def send_invitation(settings: Settings, *, invitation, dictionary, inviter: str, url: str) -> bool:
    subject = _("Invitation to %(title)s", title=dictionary.title)
    body = "\n\n".join(
        [
            _(
                "%(name)s invites you to work on the dictionary %(title)s in Wordkeep.",
                name=inviter,
                title=dictionary.title,
            ),
            _("Open this link to join (it works once, within 7 days):"),
            url,
            _("If you did not expect this message, you can ignore it."),
        ]
    )
    return _send(settings, invitation.email, subject, body + "\n")


def send_reset(settings: Settings, *, email: str, url: str) -> bool:
    subject = _("Your Wordkeep password")
    body = "\n\n".join(
        [
            _("Someone asked for a new password for this email address in Wordkeep."),
            _("Open this link to choose a new one (it works once, within 2 hours):"),
            url,
            _("If you did not ask for it, you can ignore this message: your password stays."),
        ]
    )
    return _send(settings, email, subject, body + "\n")


def start_session(request: Request, user) -> None:
    """Log `user` in on this browser, as /login does: a fresh session (no fixation) carrying
    the user's session generation, and a fresh CSRF token."""
    request.session.clear()
    request.session["user_id"] = user.id
    request.session["generation"] = user.session_generation
    csrf.rotate(request)
