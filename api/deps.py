"""Request dependencies: the database session, who is asking, and the dictionary asked for."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import Depends, Header, Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.settings import Settings
from lexicon import access, accounts, store
from lexicon.access import ANONYMOUS, Viewer
from lexicon.errors import InvalidInput
from lexicon.models import Dictionary


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's database session. Async: making one does no I/O, and closing it (ending
    its transaction) is quick, so neither needs a trip to a worker thread; the handlers that
    use it run in worker threads as before."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield session


async def get_viewer(request: Request, session: Session = Depends(get_session)) -> Viewer:
    """Bearer token for API clients, else the signed session cookie, else anonymous.
    Async so that an anonymous request (most of a learner's) costs no trip to a worker thread;
    looking a token or user up in the database runs in one."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return await run_in_threadpool(accounts.viewer_for_token, session=session, token=auth[7:])
    user_id = request.session.get("user_id") if "session" in request.scope else None
    if user_id is not None:
        viewer = await run_in_threadpool(
            accounts.viewer_for_user_id, session=session, user_id=user_id
        )
        if viewer is not None:
            return viewer
        request.session.clear()
    return ANONYMOUS


def get_dictionary(
    slug: str, session: Session = Depends(get_session), viewer: Viewer = Depends(get_viewer)
) -> Dictionary:
    dictionary = store.get_dictionary(session=session, slug=slug)
    access.require_dictionary(viewer, dictionary)
    return dictionary


def requires(action: str):
    """A dependency that checks the viewer may do `action` in the path's dictionary."""

    def check(
        dictionary: Dictionary = Depends(get_dictionary), viewer: Viewer = Depends(get_viewer)
    ) -> Viewer:
        access.require(viewer, dictionary, action)
        return viewer

    return check


def if_match_version(if_match: str | None = Header(default=None)) -> int | None:
    """The entry version named by an `If-Match: "3"` header, if any."""
    if if_match is None:
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise InvalidInput(f'If-Match: {if_match!r} is not an entry version such as "3"')
    return int(value)
