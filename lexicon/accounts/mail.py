"""Sending a message through the SMTP server named by a URL (WORDKEEP_SMTP_URL):

    smtp://[user:password@]host[:port][?from=wordkeep@example.org&starttls=1]
    smtps://[user:password@]host[:port][?from=...]     (TLS from the start, port 465)

Plain text only; the caller writes the message in the reader's language.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from lexicon.errors import InvalidInput, WordkeepError

SCHEMES = {"smtp": 25, "smtps": 465}


class MailNotSent(WordkeepError):
    """The SMTP server could not be reached or refused the message."""


def parse_smtp_url(url: str) -> dict:
    """The parts of an SMTP URL; InvalidInput if it is not one."""
    parts = urlsplit(url.strip())
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise InvalidInput(
            "WORDKEEP_SMTP_URL: expected smtp://[user:password@]host[:port] or smtps://..."
        )
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    try:
        port = parts.port or SCHEMES[parts.scheme]
    except ValueError as exc:
        raise InvalidInput("WORDKEEP_SMTP_URL: the port is not a number") from exc
    return {
        "tls": parts.scheme == "smtps",
        "starttls": query.get("starttls", "0").lower() in ("1", "true", "yes"),
        "host": parts.hostname,
        "port": port,
        "user": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "sender": query.get("from") or f"wordkeep@{parts.hostname}",
    }


def send_mail(*, smtp_url: str, to: str, subject: str, body: str, timeout: float = 15) -> None:
    """Send one plain-text message; MailNotSent if the server cannot take it."""
    server = parse_smtp_url(smtp_url)
    message = EmailMessage()
    message["From"] = server["sender"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        if server["tls"]:
            context = ssl.create_default_context()
            smtp = smtplib.SMTP_SSL(
                server["host"], server["port"], timeout=timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(server["host"], server["port"], timeout=timeout)
        with smtp:
            if server["starttls"]:
                smtp.starttls(context=ssl.create_default_context())
            if server["user"]:
                smtp.login(server["user"], server["password"])
            smtp.send_message(message)
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        raise MailNotSent(f"the email to {to} could not be sent: {exc}") from exc
