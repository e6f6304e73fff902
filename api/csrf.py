"""CSRF protection: a random token kept in the signed session cookie, echoed by every form
(`{{ csrf_field() }}`) or by scripts (`X-CSRF-Token` header, value from `{{ csrf_token() }}`).

A cross-site page cannot read the victim's cookie, so it cannot send the token. Requests that
authenticate with `Authorization: Bearer` carry no ambient credentials and need no token.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request
from jinja2 import pass_context
from markupsafe import Markup, escape

from lexicon.errors import Forbidden

SESSION_KEY = "csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class CsrfRejected(Forbidden):
    """The form came without this session's CSRF token (reload the page and try again)."""


def csrf_token(request: Request) -> str:
    """This session's token (created on first use)."""
    token = request.session.get(SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return token


def rotate(request: Request) -> str:
    """A fresh token (after logging in or out), so a token seen before cannot be replayed."""
    request.session[SESSION_KEY] = secrets.token_urlsafe(32)
    return request.session[SESSION_KEY]


def _bearer(request: Request) -> bool:
    return request.headers.get("authorization", "").lower().startswith("bearer ")


async def require_csrf(request: Request) -> None:
    """Dependency for every route that changes data from a form: 403 without the token."""
    if request.method in SAFE_METHODS or _bearer(request):
        return
    sent = request.headers.get(HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
        form = await request.form()  # Starlette caches it: the route's Form() fields still work
        value = form.get(FIELD)
        sent = value if isinstance(value, str) else None
    expected = request.session.get(SESSION_KEY) if "session" in request.scope else None
    if not expected or not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRejected(
            "csrf_token: missing or not this session's; reload the page and try again"
        )


async def require_csrf_for_session(request: Request) -> None:
    """The app-wide dependency (api/app.py) for every route: a POST/PUT/PATCH/DELETE from a
    caller logged in by the session cookie (a browser) must send the token; Bearer-token and
    anonymous callers carry no cookie credentials. Forms that work before login (the login
    form itself) add `require_csrf`."""
    if request.method in SAFE_METHODS or _bearer(request) or "session" not in request.scope:
        return
    if request.session.get("user_id") is None:
        return
    await require_csrf(request)


@pass_context
def csrf_field(context) -> Markup:
    """`{{ csrf_field() }}`: the hidden input every changing form carries."""
    token = csrf_token(context["request"])
    return Markup(f'<input type="hidden" name="{FIELD}" value="{escape(token)}">')


@pass_context
def csrf_token_global(context) -> str:
    """`{{ csrf_token() }}` for a `<meta name="csrf-token">` read by scripts."""
    return csrf_token(context["request"])


def install(env) -> None:
    """Make `csrf_field()` and `csrf_token()` available in every template."""
    env.globals["csrf_field"] = csrf_field
    env.globals["csrf_token"] = csrf_token_global
