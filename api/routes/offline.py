"""Learners offline (issue 21): the web app manifest, the service worker, the offline page,
and the data a phone saves (lexicon.search.offline), with its sizes and its changes.

Every data route reads through the access rule for the visitor who asks (DictionaryDep,
ViewerDep): a phone saves only what its visitor may see, and the service worker keeps each
account's data apart (api/static/sw.js).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from api.deps import DictionaryDep, SessionDep, ViewerDep
from api.templating import render
from api.urls import urls
from lexicon.search import offline

router = APIRouter(tags=["offline"])

STATIC = Path(__file__).resolve().parent.parent / "static"
_PRIVATE = {"Cache-Control": "private, no-store", "Vary": "Cookie, Authorization"}


@router.get("/sw.js", include_in_schema=False)
def service_worker():
    """The service worker, from the site root: its scope is the whole site."""
    return FileResponse(
        STATIC / "sw.js",
        media_type="text/javascript",
        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
    )


@router.get("/d/{slug}/manifest.webmanifest", include_in_schema=False)
def manifest(dictionary: DictionaryDep):
    icons = urls.icons(dictionary.slug)
    body = {
        "name": dictionary.title,
        "short_name": dictionary.title[:30],
        "description": dictionary.description or dictionary.title,
        "start_url": urls.dictionary(dictionary.slug),
        "scope": urls.dictionary(dictionary.slug),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1f4e79",
        "icons": [
            {"src": f"{icons}icon-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": f"{icons}icon-512.png", "sizes": "512x512", "type": "image/png"},
            {
                "src": f"{icons}icon-512.png",
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },  # fmt: skip
            {"src": f"{icons}icon.svg", "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return JSONResponse(body, media_type="application/manifest+json")


@router.get("/offline", include_in_schema=False, response_class=HTMLResponse)
def offline_page(request: Request, viewer: ViewerDep):
    """What a phone shows for a page it has not saved, instead of the browser's error."""
    return render(request, "offline.html", {"viewer": viewer, "shell": False})


@router.get("/d/{slug}/offline", include_in_schema=False, response_class=HTMLResponse)
def dictionary_offline_page(request: Request, dictionary: DictionaryDep, viewer: ViewerDep):
    """The saved dictionary's shell: offline, the service worker answers the learner pages'
    URLs with it, and api/static/offline.js draws the page from the saved data."""
    return render(request, "offline.html", {"viewer": viewer, "shell": True}, dictionary=dictionary)


@router.get("/api/dictionaries/{slug}/offline")
def offline_data(request: Request, dictionary: DictionaryDep, session: SessionDep,
                 viewer: ViewerDep):  # fmt: skip
    """Everything a phone saves of the dictionary, as this visitor may see it."""
    _, body, packed = offline.offline_data(session, dictionary=dictionary, viewer=viewer)
    headers = dict(_PRIVATE)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(packed, media_type="application/json", headers=headers)
    return Response(body, media_type="application/json", headers=headers)


@router.get("/api/dictionaries/{slug}/offline/plan")
def offline_plan(dictionary: DictionaryDep, session: SessionDep, viewer: ViewerDep):
    """What saving takes: the text, the recordings and the pictures, each with its size."""
    plan = offline.offline_plan(session, dictionary=dictionary, viewer=viewer)
    return JSONResponse(plan, headers=_PRIVATE)


@router.get("/api/dictionaries/{slug}/offline/changes")
def offline_changes(
    dictionary: DictionaryDep,
    session: SessionDep,
    viewer: ViewerDep,
    since: Annotated[int, Query(ge=0)],
    as_of: Annotated[str, Query(max_length=40)] = "",
    access: Annotated[str, Query(max_length=64)] = "",
):
    """What changed since the phone saved generation `since`: entries written since, the
    order of every entry the visitor sees now (others are dropped), or `full` to save again."""
    delta = offline.changes_since(
        session, dictionary=dictionary, viewer=viewer, since=since, as_of=as_of, digest=access
    )
    return JSONResponse(delta, headers=_PRIVATE)
