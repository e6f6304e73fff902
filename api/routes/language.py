"""The interface language a person chooses: kept in the `wordkeep_lang` cookie for anyone,
and as `User.locale` for a logged-in user (so it follows them to another computer)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from api import csrf, i18n
from api.deps import SessionDep, ViewerDep
from api.i18n import _
from api.urls import safe_next
from lexicon import db
from lexicon.errors import InvalidInput
from lexicon.models import User

router = APIRouter(tags=["account"])
YEAR = 365 * 24 * 3600


def value_names() -> dict[str, str]:
    """Stored values the pages show as words (status, visibility, role, palette groups), so
    that a template's `_(value)` finds them in the catalogs. Never called for its result by
    the app: its `_()` calls are what `scripts/i18n.py extract` reads."""
    return {
        "draft": _("draft"),
        "needs review": _("needs review"),
        "published": _("published"),
        "public": _("public"),
        "community": _("community"),
        "restricted": _("restricted"),
        "private": _("private"),
        "owner": _("owner"),
        "editor": _("editor"),
        "contributor": _("contributor"),
        "viewer": _("viewer"),
        "Capitals": _("Capitals"),
        # What a revision or a proposal did (history and review pages).
        "create": _("create"),
        "update": _("update"),
        "delete": _("delete"),
        "restore": _("restore"),
        "import": _("import"),
        "accept": _("accept"),
    }


def save_user_locale(*, session: Session, user_id: int, locale: str | None) -> None:
    """Store a user's interface language (None: follow the browser again)."""
    with db.transaction(session):
        user = session.get(User, user_id)
        if user is not None:
            user.locale = locale
            session.add(user)


@router.post(
    "/account/language",
    dependencies=[Depends(csrf.require_csrf)],
    status_code=303,
    response_class=RedirectResponse,
)
def choose_language(
    request: Request,
    *,
    locale: Annotated[
        str, Form(description="A shipped interface language (en, fr, ...) or empty")
    ] = "",
    next: Annotated[str, Form()] = "/",
    session: SessionDep,
    viewer: ViewerDep,
):
    """Choose the interface language; an empty `locale` goes back to the browser's choice."""
    chosen = i18n.match(locale) if locale.strip() else None
    if locale.strip() and chosen is None:
        shipped = ", ".join(i18n.available())
        raise InvalidInput(f"locale: {locale!r} is not one of {shipped}", field="locale")
    if not viewer.anonymous:
        save_user_locale(session=session, user_id=viewer.user_id, locale=chosen)
    response = RedirectResponse(safe_next(next), status_code=303)
    if chosen:
        response.set_cookie(i18n.COOKIE, chosen, max_age=YEAR, path="/", samesite="lax")
    else:
        response.delete_cookie(i18n.COOKIE, path="/")
    return response
