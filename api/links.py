"""The web side of account links: their absolute URLs (WORDKEEP_PUBLIC_URL, else the address
the request came to) and the emails that carry them, written in the reader's language: the
account's own interface language (`User.locale`) when the reader has one, else the language the
sender picked (an invitation form's), else the sender's page language. An invitation's link
carries that language (`?lang=`), so its page opens in it and accepting makes it the new
account's language. Sending is lexicon.accounts.mail; the links themselves are lexicon.accounts."""

from __future__ import annotations

import logging

from fastapi import Request

from api import csrf, i18n
from api.i18n import _
from api.urls import urls
from lexicon.accounts.mail import MailNotSent, send_mail
from lexicon.accounts.users import get_user
from lexicon.errors import InvalidInput, NotFound
from wordkeep.settings import Settings

log = logging.getLogger("wordkeep.mail")


def absolute(request: Request, settings: Settings, path: str) -> str:
    base = (settings.public_url or str(request.base_url)).rstrip("/")
    return base + path


def invitation_url(
    request: Request, settings: Settings, token: str, locale: str | None = None
) -> str:
    return absolute(request, settings, urls.invitation(token, lang=locale))


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


def reader_locale(session, email: str, picked: str | None = None) -> str:
    """The language to write to `email` in: its account's interface language if it chose
    one, else `picked` (the sender's choice for someone without one), else the page's."""
    try:
        own = get_user(session=session, email=email).locale
    except (NotFound, InvalidInput):
        own = None
    return i18n.match(own) or i18n.match(picked) or i18n.current()


def deliver_invitation(request, settings, session, *, invitation, token, dictionary, viewer,
                       picked: str | None = None) -> dict:  # fmt: skip
    """An invitation's link in its reader's language (reader_locale), emailed when SMTP is
    configured: {"url", "emailed", "locale"}."""
    locale = reader_locale(session, invitation.email, picked)
    url = invitation_url(request, settings, token, locale)
    emailed = send_invitation(settings, invitation=invitation, dictionary=dictionary,
                              inviter=viewer.display_name or viewer.email, url=url,
                              locale=locale)  # fmt: skip
    return {"url": url, "emailed": emailed, "locale": locale}


def send_invitation(
    settings: Settings, *, invitation, dictionary, inviter: str, url: str, locale: str | None
) -> bool:
    with i18n.speaking(locale):
        subject, body = _invitation_text(dictionary, inviter, url)
    return _send(settings, invitation.email, subject, body)


def _invitation_text(dictionary, inviter: str, url: str) -> tuple[str, str]:
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
    return subject, body + "\n"


def send_reset(settings: Settings, *, email: str, url: str, locale: str | None) -> bool:
    """A reset link's email, in `locale` (the account's language: not the asking browser's)."""
    with i18n.speaking(locale):
        subject, body = _reset_text(url)
    return _send(settings, email, subject, body)


def _reset_text(url: str) -> tuple[str, str]:
    subject = _("Your Wordkeep password")
    body = "\n\n".join(
        [
            _("Someone asked for a new password for this email address in Wordkeep."),
            _("Open this link to choose a new one (it works once, within 2 hours):"),
            url,
            _("If you did not ask for it, you can ignore this message: your password stays."),
        ]
    )
    return subject, body + "\n"


def start_session(request: Request, user) -> None:
    """Log `user` in on this browser, as /login does: a fresh session (no fixation) carrying
    the user's session generation, and a fresh CSRF token."""
    request.session.clear()
    request.session["user_id"] = user.id
    request.session["generation"] = user.session_generation
    csrf.rotate(request)
