"""One place that maps domain errors to HTTP: JSON for API clients, a page for browsers."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.csrf import CsrfRejected
from api.deps import VIEWER_SCOPE_KEY
from api.templating import render
from lexicon import accounts, errors, texts

STATUS = [
    (errors.StaleVersion, 409),
    (errors.Gone, 410),  # deleted, and restorable (before NotFound: it is one)
    (errors.NotFound, 404),
    (errors.NotAuthenticated, 401),
    (errors.Forbidden, 403),
    (errors.TooLarge, 413),
    (errors.TooManyRequests, 429),
    (errors.UnsupportedMedia, 415),
    (errors.Conflict, 409),
    (errors.InvalidInput, 422),
    (errors.Busy, 503),  # a write waited too long for another: send it again shortly
    (errors.NotInstalled, 501),  # an optional extra this server lacks: not the asker's fault
]


def status_for(exc: errors.WordkeepError) -> int:
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 400


def wants_html(request: Request) -> bool:
    if request.url.path.startswith("/api/"):
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept


async def _page(request: Request, status: int, message: str):
    context = {"status": status, "message": message, "viewer": await _signed_in(request),
               "back": _came_from(request)}  # fmt: skip
    return render(request, "error.html", context, status_code=status)


def _came_from(request: Request) -> str | None:
    """The page of this site the refused request came from (a form's: a picture that did not
    decode sends the keeper back to the entry), as a path; None from elsewhere or nowhere."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc != request.url.netloc or referer.scheme not in ("http", "https"):
        return None
    back = referer.path + (f"?{referer.query}" if referer.query else "")
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return back if back.startswith("/") and not back.startswith("//") and back != here else None


async def _signed_in(request: Request):
    """The keeper whose browser asked, so that an error page's header names them (not "Log
    in", as if they had been logged out) and speaks their language; None when anonymous, or
    when it cannot be told (the page must show even with the database down)."""
    known = request.scope.get(VIEWER_SCOPE_KEY)
    if known is not None:
        return known
    user_id = request.session.get("user_id") if "session" in request.scope else None
    if user_id is None:
        return None

    def look_up():
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            return accounts.viewer_for_user_id(
                session=session, user_id=user_id, generation=request.session.get("generation", 0)
            )

    try:
        return await run_in_threadpool(look_up)
    except Exception:  # noqa: BLE001 - the error page itself must not fail
        return None


KEEPS_TYPED = "wordkeep_keeps_typed"
# Refused for who the keeper is now, whatever they sent: signed out (or signed in again: the
# form's token is the old session's), their role taken, or the (private) dictionary.
REFUSED_FOR_WHO = (errors.NotAuthenticated, errors.Forbidden, errors.DictionaryNotFound)


def keeps_typed(lines: Callable[[list[tuple[str, str]]], list]):
    """Mark a route that saves a keeper's form: refused for who they are now (REFUSED_FOR_WHO),
    a browser is shown what they posted, `lines(pairs)` as (label, value) lines to copy, and
    nothing else of the dictionary (the status stays 401, 403 or 404)."""

    def mark(endpoint):
        setattr(endpoint, KEEPS_TYPED, lines)
        return endpoint

    return mark


async def _typed_page(request: Request, exc: errors.WordkeepError, status: int):
    """What the keeper typed, as `keeps_typed` marked their route; None for any other error,
    route or a post from another site (it is not their typing to show them)."""
    lines_of = getattr(request.scope.get("endpoint"), KEEPS_TYPED, None)
    other_site = request.headers.get("sec-fetch-site", "same-origin") != "same-origin"
    if lines_of is None or not isinstance(exc, REFUSED_FOR_WHO) or other_site:
        return None
    try:
        form = await request.form()  # read already by the token's check: Starlette keeps it
        lines = lines_of([(k, v) for k, v in form.multi_items() if isinstance(v, str)])
    except Exception:  # noqa: BLE001 - a form that cannot be read: the plain page
        return None
    viewer = await _signed_in(request)
    context = {
        "lines": lines, "viewer": viewer,
        "signed_out": viewer is None or isinstance(exc, CsrfRejected),
        "again": request.url.path.removesuffix("/resolve"),  # the form's page, to log in to
    }  # fmt: skip
    return render(request, "not_saved.html", context, status_code=status)


async def domain_error(request: Request, exc: errors.WordkeepError):
    status = status_for(exc)
    if wants_html(request):
        typed = await _typed_page(request, exc, status)
        return typed or await _page(request, status, exc.message)
    body: dict = {"detail": exc.message}
    if isinstance(exc, errors.StaleVersion) and exc.current is not None:
        body["current"] = exc.current
    if isinstance(exc, texts.TextConflict):  # each clash, to choose and send again
        body["clashes"] = [texts.clash_public(clash) for clash in exc.clashes]
    if isinstance(exc, errors.InvalidInput) and exc.details.get("errors"):
        body["errors"] = jsonable_encoder(exc.details["errors"], custom_encoder={Exception: str})
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(exc, errors.TooManyRequests | errors.Busy):
        headers = {"Retry-After": str(exc.retry_after)}
    return JSONResponse(body, status_code=status, headers=headers)


async def validation_error(request: Request, exc: RequestValidationError):
    details = jsonable_encoder(exc.errors(), custom_encoder={Exception: str})
    if wants_html(request):
        first = details[0] if details else {}
        where = ".".join(str(p) for p in first.get("loc", []))
        return await _page(request, 422, f"{where}: {first.get('msg', 'invalid input')}")
    return JSONResponse({"detail": details}, status_code=422)


async def http_error(request: Request, exc: StarletteHTTPException):
    if wants_html(request):
        # A bare reason phrase ("Not Found") only repeats the page's translated heading.
        detail = str(exc.detail)
        message = "" if detail == _phrase(exc.status_code) else detail
        return await _page(request, exc.status_code, message)
    return JSONResponse(
        {"detail": exc.detail}, status_code=exc.status_code, headers=getattr(exc, "headers", None)
    )


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def install(app: FastAPI) -> None:
    app.add_exception_handler(errors.WordkeepError, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
