"""Learner search and browse: the JSON API and the pages (a plain GET form, enhanced by JS)."""

import json
from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import SessionDep, ViewerDep, dictionary_to_read, quick_read
from api.templating import render
from lexicon import search
from lexicon.accounts import access
from lexicon.search import browse
from lexicon.search.query import SearchPage

router = APIRouter()


def _search(request: Request, session, dictionary, viewer, q, limit=search.DEFAULT_LIMIT,
            cursor=None, exact=False) -> bytes:  # fmt: skip
    """One search as its JSON body, from the worker's page cache while the dictionary is
    unchanged (pages are kept as JSON: a few kB each, a sixth of the same page as objects)."""
    return request.app.state.page_cache.page(
        "search", dictionary, viewer, (q, limit, cursor, exact),
        lambda: _json(search.search(session=session, dictionary=dictionary, viewer=viewer, q=q,
                                    limit=limit, cursor=cursor, exact=exact)),
    )  # fmt: skip


def _json(page: dict) -> bytes:
    """A page built in SearchPage's shape (lexicon.search/browse), sent as is: validating it
    again through the response model would cost more than the search when it is cached."""
    return orjson.dumps(page)


@router.get("/api/dictionaries/{slug}/search", response_model=SearchPage, tags=["search"])
async def search_entries(
    request: Request,
    slug: str,
    *,
    q: Annotated[
        str, Query(max_length=200, description="vernacular or translation, any case/accents")
    ] = "",
    limit: Annotated[int, Query(ge=1, le=search.MAX_LIMIT)] = search.DEFAULT_LIMIT,
    cursor: str | None = None,
    exact: Annotated[
        bool, Query(description="exact letters: no folding, no typo tolerance")
    ] = False,
    session: SessionDep,
    viewer: ViewerDep,
):
    """Both directions at once, best match first; each item says why it matched (`match`)."""

    def answer(session) -> bytes:  # on the reader's session: see quick_read
        dictionary = dictionary_to_read(request, session, viewer, slug)
        return _search(request, session, dictionary, viewer, q, limit, cursor, exact)

    return Response(await quick_read(request, session, answer), media_type="application/json")


@router.get("/api/dictionaries/{slug}/browse", response_model=SearchPage, tags=["search"])
async def browse_entries(
    request: Request,
    slug: str,
    *,
    letter: Annotated[
        str | None, Query(description="a letter of the alphabet, or # for others")
    ] = None,
    domain: Annotated[str | None, Query(description="semantic domain code (6.5) or name")] = None,
    pos: Annotated[str | None, Query(description="part of speech")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
    session: SessionDep,
    viewer: ViewerDep,
):
    """Entries in the dictionary's own alphabetical order, by letter, domain or part of speech."""

    def answer() -> bytes:
        dictionary = dictionary_to_read(request, session, viewer, slug)
        return request.app.state.page_cache.page(
            "browse", dictionary, viewer, (letter, domain, pos, limit, cursor),
            lambda: _json(browse.browse(session=session, dictionary=dictionary, viewer=viewer,
                          letter=letter, domain=domain, pos=pos, limit=limit, cursor=cursor)),
        )  # fmt: skip

    # A thread: a letter's page of a large dictionary, counted, is tens of milliseconds.
    return Response(await run_in_threadpool(answer), media_type="application/json")


@router.get("/d/{slug}/search", include_in_schema=False, response_class=HTMLResponse)
async def search_page(
    request: Request,
    slug: str,
    *,
    q: Annotated[str, Query(max_length=200)] = "",
    cursor: str | None = None,
    exact: bool = False,
    session: SessionDep,
    viewer: ViewerDep,
):
    def answer(session):
        dictionary = dictionary_to_read(request, session, viewer, slug)
        results = (
            json.loads(
                _search(request, session, dictionary, viewer, q, cursor=cursor, exact=exact)
            )  # fmt: skip
            if q.strip()
            else None
        )
        context = {"q": q, "exact": exact, "results": results, "viewer": viewer,
                   "may_edit": access.may(viewer, dictionary, "edit")}  # fmt: skip
        return render(request, "search.html", context, dictionary=dictionary)

    return await quick_read(request, session, answer)


@router.get("/d/{slug}/browse", include_in_schema=False, response_class=HTMLResponse)
async def browse_page(
    request: Request,
    slug: str,
    *,
    letter: str | None = None,
    domain: str | None = None,
    pos: str | None = None,
    cursor: str | None = None,
    session: SessionDep,
    viewer: ViewerDep,
):
    def answer():
        dictionary = dictionary_to_read(request, session, viewer, slug)

        def cached(kind: str, key: tuple, compute):  # until the next write to the dictionary
            return request.app.state.page_cache.page(kind, dictionary, viewer, key, compute)

        view = browse.browse_view(
            session=session, dictionary=dictionary, viewer=viewer, letter=letter,
            domain=domain, pos=pos, cursor=cursor, cached=cached,
        )  # fmt: skip
        context = {**view, "letter": letter, "domain": domain, "pos": pos, "viewer": viewer}
        return render(request, "browse.html", context, dictionary=dictionary)

    # A thread: counting every letter, domain and part of speech of a large dictionary (once
    # per write to it) is not a quick read.
    return await run_in_threadpool(answer)
