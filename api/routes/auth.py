"""Logging in and out (email + password, signed session cookie, throttled), the account page,
and API tokens (`/api/tokens`: created and shown once, listed, revoked by their owner)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from api import csrf
from api.deps import (
    CurrentUser,
    SessionDep,
    SettingsDep,
    ViewerDep,
)
from api.i18n import _
from api.templating import render
from api.urls import safe_next, urls
from lexicon import accounts
from lexicon.models import User

router = APIRouter(tags=["auth"])
pages = dict(include_in_schema=False, response_class=HTMLResponse)


def setup(app) -> None:
    """Every template gets `csrf_field()` and `csrf_token()`."""
    csrf.install(app.state.templates.env)


def _login_page(request: Request, *, email="", next_="/", error="", status_code=200):
    return render(
        request,
        "login.html",
        {"email": email, "next": next_, "error": error},
        status_code=status_code,
    )


@router.get("/login", **pages)
def login_form(request: Request, next: str = "/"):
    return _login_page(request, next_=safe_next(next))


@router.post("/login", dependencies=[Depends(csrf.require_csrf)], **pages)
def login(
    request: Request,
    *,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
    session: SessionDep,
    settings: SettingsDep,
):
    """Check the password (throttled after repeated failures) and start a session."""
    next_ = safe_next(next)
    try:
        user = accounts.authenticate(
            session=session,
            email=email,
            password=password,
            max_failures=settings.login_max_failures,
            lockout_seconds=settings.login_lockout_seconds,
            address=request.client.host if request.client else "",
            max_failures_per_address=settings.login_max_failures_per_address,
            window_seconds=settings.login_failure_window,
        )
    except accounts.LoginThrottled as exc:
        error = _("Too many attempts: try again in %(seconds)s s.", seconds=exc.retry_after)
        page = _login_page(request, email=email, next_=next_, error=error, status_code=429)
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    except accounts.WrongCredentials:
        error = _("Wrong email or password.")
        return _login_page(request, email=email, next_=next_, error=error, status_code=401)
    request.session.clear()  # a new session for the new user (no fixation)
    request.session["user_id"] = user.id
    request.session["generation"] = user.session_generation  # logging out ends it (deps)
    csrf.rotate(request)
    return RedirectResponse(next_, status_code=303)


@router.get("/logout", **pages)
def logout_form(request: Request, viewer: ViewerDep):
    return render(request, "logout.html", {"viewer": viewer})


@router.post("/logout", dependencies=[Depends(csrf.require_csrf)], **pages)
@router.post("/account/logout-everywhere", dependencies=[Depends(csrf.require_csrf)], **pages)
def logout(request: Request, viewer: ViewerDep, session: SessionDep):
    """End the session, and every other session of the user: a copy of the cookie kept
    elsewhere (another device, a stolen one) no longer works. API tokens stay valid."""
    if not viewer.anonymous and "user_id" in request.session:
        accounts.end_sessions(session=session, user_id=viewer.user_id)
    request.session.clear()
    csrf.rotate(request)
    return RedirectResponse("/", status_code=303)


# ---------------------------------------------------------------- tokens


class TokenIn(BaseModel):
    name: str = Field("", max_length=200, description="what the token is for")


class TokenPublic(BaseModel):
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenPublic):
    token: str = Field(description="the token itself: shown this once, stored only as a hash")


class TokenList(BaseModel):
    items: list[TokenPublic]
    total: int
    next: str | None = None


TOKENS = dict(tags=["tokens"], dependencies=[Depends(csrf.require_csrf_for_session)])


@router.get("/api/tokens", response_model=TokenList, tags=["tokens"])
def list_tokens(user: CurrentUser, session: SessionDep):
    items = accounts.list_tokens(session=session, user=user)
    return {"items": [t.model_dump() for t in items], "total": len(items), "next": None}


@router.post("/api/tokens", response_model=TokenCreated, status_code=201, **TOKENS)
def create_token(
    *,
    data: TokenIn | None = None,
    user: CurrentUser,
    session: SessionDep,
):
    row, plaintext = accounts.create_token(
        session=session, user=user, name=(data.name if data else "").strip()
    )
    return {**row.model_dump(), "token": plaintext}


@router.delete("/api/tokens/{token_id}", status_code=204, **TOKENS)
def revoke_token(token_id: int, user: CurrentUser, session: SessionDep):
    accounts.revoke_token(session=session, user=user, token_id=token_id)
    return Response(status_code=204)


# ---------------------------------------------------------------- the account page


def _account_page(request, session, viewer, new_token=None, status_code=200):
    if viewer.anonymous:
        return RedirectResponse(urls.login(next=urls.account()), status_code=303)
    user = session.get(User, viewer.user_id)
    tokens = accounts.list_tokens(session=session, user=user)
    ctx = {"viewer": viewer, "tokens": tokens, "new_token": new_token}
    return render(request, "account.html", ctx, status_code=status_code)


@router.get("/account", **pages)
def account(request: Request, viewer: ViewerDep, session: SessionDep):
    return _account_page(request, session, viewer)


@router.post("/account/tokens", dependencies=[Depends(csrf.require_csrf)], **pages)
def account_create_token(
    request: Request,
    *,
    name: Annotated[str, Form()] = "",
    viewer: ViewerDep,
    session: SessionDep,
):
    """Create a token from the page: shown once, on the page this request answers."""
    if viewer.anonymous:
        return _account_page(request, session, viewer)
    user = session.get(User, viewer.user_id)
    _, plaintext = accounts.create_token(session=session, user=user, name=name.strip())
    page = _account_page(request, session, viewer, new_token=plaintext)
    page.headers["Cache-Control"] = "no-store"
    return page


@router.post(
    "/account/tokens/{token_id}/revoke", dependencies=[Depends(csrf.require_csrf)], **pages
)
def account_revoke_token(token_id: int, viewer: ViewerDep, session: SessionDep):
    if not viewer.anonymous:
        user = session.get(User, viewer.user_id)
        accounts.revoke_token(session=session, user=user, token_id=token_id)
    return RedirectResponse(urls.account(), status_code=303)
