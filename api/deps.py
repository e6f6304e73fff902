"""Request dependencies: the database session, who is asking, and the dictionary asked for.

Routes name them by type (`Annotated` aliases), never as `= Depends(...)` defaults:

    def edit_entry(dictionary: DictionaryDep, session: SessionDep, viewer: Requires("edit")): ...

`SessionDep` (`ImportSessionDep` for a route that imports a file), `SettingsDep`, `ViewerDep`
(anyone, maybe anonymous), `CurrentUser` (a signed-in user, else 401), `DictionaryDep` (the
path's `{slug}`, access-checked), `StorageDep` (media storage), `CsrfChecked`, `IfMatch`, and
the role checks `ProposerDep`, `EditorDep`, `ReviewerDep`, `ManagerDep` (`Requires(action)` for
any other action)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Header, Request
from sqlalchemy.exc import OperationalError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api import csrf
from lexicon import accounts, entries
from lexicon.accounts import access
from lexicon.accounts.access import ANONYMOUS, Viewer
from lexicon.db import bound_waits
from lexicon.errors import InvalidInput, NotAuthenticated
from lexicon.media.storage import Storage
from lexicon.models import Dictionary, User
from wordkeep.settings import Settings


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's database session. Async: making one does no I/O, and closing it (ending
    its transaction) is quick, so neither needs a trip to a worker thread; the handlers that
    use it run in worker threads as before. Someone waits for its answer, so on PostgreSQL its
    writes wait for others' rows (a large import's) at most WORDKEEP_LOCK_TIMEOUT, then are
    refused as busy (503), as SQLite's wait at most its busy timeout."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield bound_waits(session, request.app.state.settings.lock_timeout)


SessionDep = Annotated[Session, Depends(get_session)]


async def get_import_session(session: SessionDep) -> Session:
    """The request's session for a route that imports a file itself: an import waits for the
    rows it needs as long as it takes (its own writing is what others wait for)."""
    return bound_waits(session, None)


ImportSessionDep = Annotated[Session, Depends(get_import_session)]


async def get_storage(request: Request) -> Storage:  # async: no trip to a worker thread
    """The media storage (api.routes.media.setup makes it from WORDKEEP_MEDIA_DIR)."""
    return request.app.state.storage


StorageDep = Annotated[Storage, Depends(get_storage)]
CsrfChecked = Annotated[None, Depends(csrf.require_csrf)]

VIEWER_SCOPE_KEY = "wordkeep.viewer"  # set by the upload gate (api.uploads), which checked first


async def get_viewer(request: Request, session: SessionDep) -> Viewer:
    """Bearer token for API clients, else the signed session cookie, else anonymous.
    Async so that an anonymous request (most of a learner's) costs no trip to a worker thread;
    looking a token or user up in the database runs in one."""
    known = request.scope.get(VIEWER_SCOPE_KEY)
    if known is not None:
        return known
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return await run_in_threadpool(accounts.viewer_for_token, session=session, token=auth[7:])
    user_id = request.session.get("user_id") if "session" in request.scope else None
    if user_id is not None:
        viewer = await run_in_threadpool(
            accounts.viewer_for_user_id,
            session=session,
            user_id=user_id,
            generation=request.session.get("generation", 0),  # ended sessions are anonymous
        )
        if viewer is not None:
            return viewer
        request.session.clear()
    return ANONYMOUS


ViewerDep = Annotated[Viewer, Depends(get_viewer)]


def current_user(request: Request, viewer: ViewerDep, session: SessionDep) -> User:
    if viewer.anonymous:
        raise NotAuthenticated("log in (or send a Bearer token) to manage your tokens")
    return session.get(User, viewer.user_id)


CurrentUser = Annotated[User, Depends(current_user)]

T = TypeVar("T")


async def quick_read(request: Request, session: Session, work: Callable[[Session], T]) -> T:
    """Run `work(session)`, a learner's short read (a search, an entry, a recording's access
    check), where it costs least. Only for reads of a few milliseconds: a longer one would
    hold up the loop.

    On SQLite, in the event loop itself, on the app's reader connections (lexicon.db.
    reader_engine): its queries run in-process in a millisecond or two, and a worker's
    threads would only take turns at Python's global lock. Handing searches to the thread pool
    cost half as much CPU again per search and, at 16 clients, half the throughput
    (bench/load.py). A reader never waits for a lock and cannot write: a read SQLite calls busy
    (WAL readers rarely meet one) runs again in a worker thread on the request's own session.
    On PostgreSQL every query is a network round trip: a worker thread, always."""
    reader = request.app.state.reader
    if reader is None:
        return await run_in_threadpool(work, session)
    try:
        with Session(reader, expire_on_commit=False) as quick:
            return work(quick)
    except OperationalError as exc:
        if "locked" not in str(exc) and "busy" not in str(exc):
            raise
    return await run_in_threadpool(work, session)


def dictionary_to_read(request: Request, session: Session, viewer: Viewer, slug: str):
    """The dictionary for a read that runs on every keystroke or tap (search, browse, an entry):
    the worker's snapshot of its row, checked against its generation (`DictionarySnapshots`),
    with the same access check as `get_dictionary`. Never change what it returns."""
    dictionary = request.app.state.dictionaries.get(session, slug)
    access.require_dictionary(viewer, dictionary)
    return dictionary


def get_dictionary(slug: str, session: SessionDep, viewer: ViewerDep) -> Dictionary:
    dictionary = entries.get_dictionary(session=session, slug=slug)
    access.require_dictionary(viewer, dictionary)
    return dictionary


DictionaryDep = Annotated[Dictionary, Depends(get_dictionary)]


def requires(action: str):
    """A dependency that checks the viewer may do `action` in the path's dictionary."""

    async def check(dictionary: DictionaryDep, viewer: ViewerDep) -> Viewer:
        # async: it does no I/O, so it costs no trip to a worker thread
        access.require(viewer, dictionary, action)
        return viewer

    check.action = action  # api.uploads checks it before an upload's body is read
    return check


def Requires(action: str):  # noqa: N802 (a type, as a route's annotation reads it)
    """The viewer, checked that they may do `action` in the path's dictionary:
    `viewer: Requires("edit")`. The four roles have names: `EditorDep` and the rest."""
    return Annotated[Viewer, Depends(requires(action))]


ProposerDep = Annotated[Viewer, Depends(requires("propose"))]
EditorDep = Annotated[Viewer, Depends(requires("edit"))]
ReviewerDep = Annotated[Viewer, Depends(requires("review"))]
ManagerDep = Annotated[Viewer, Depends(requires("manage"))]


async def if_match_version(if_match: Annotated[str | None, Header()] = None) -> int | None:
    """The entry version named by an `If-Match: "3"` header, if any."""
    if if_match is None:
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise InvalidInput(f'If-Match: {if_match!r} is not an entry version such as "3"')
    return int(value)


IfMatch = Annotated[int | None, Depends(if_match_version)]
