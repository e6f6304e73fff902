"""Upload bodies: who asks is checked before a body is read, and a body is capped as it streams.

FastAPI reads (and spools to disk) a multipart body before it runs a route's dependencies, so
the login and role checks of an upload route came after an anonymous visitor's file was on
disk. `UploadGate`, a plain ASGI middleware, stands in front of every route that takes a file
(found by its `File` parameters, so a new upload route cannot be forgotten): it checks the viewer and the
role the route asks for (`deps.requires(action)`) first, and answers 401/403/404 without
reading a byte of the body. A route that takes a file but names no role stops the app from
starting.

It also counts the bytes of `http.request` messages, so a chunked
body (no Content-Length) is capped too: past the limit it answers 413 and the rest of the body
is never read. Imports may be `WORDKEEP_MAX_IMPORT_BYTES`, a text with its long recording
`WORDKEEP_MAX_TEXT_AUDIO_BYTES`, every other body `WORDKEEP_MAX_UPLOAD_BYTES` (plus room for
the form around the file).
"""

from __future__ import annotations

import re

from fastapi import HTTPException, Request
from fastapi.params import File
from fastapi.routing import APIRoute
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from api import errors
from api.deps import VIEWER_SCOPE_KEY, get_viewer
from lexicon import entries
from lexicon.accounts import access
from lexicon.errors import WordkeepError

FORM_OVERHEAD = 64 * 1024  # the multipart envelope and the fields around the file
IMPORT_PATH = re.compile(r"/(imports|import-jobs|edit/import|dictionaries/new)/?$")
# A text with its long recording: .../texts (POST), .../texts/{id}/audio, the editor's import.
TEXT_AUDIO_PATH = re.compile(r"/texts(/import|/new|/[^/]+/audio)?/?$")
WRITES = {"POST", "PUT", "PATCH"}
# Checks of upload routes outside any dictionary (no {slug}): action -> check(viewer, settings),
# raising when the viewer may not. Registered by the route module that names the action.
SITE_ACTIONS: dict = {}


def _takes_file(dependant) -> bool:
    return any(isinstance(p.field_info, File) for p in dependant.body_params) or any(
        _takes_file(sub) for sub in dependant.dependencies
    )


def takes_file(route: APIRoute) -> bool:
    """Whether the route has a `File` parameter (its own or a dependency's)."""
    return _takes_file(route.dependant)


def required_action(dependant) -> str | None:
    """The action of the route's `requires(action)` dependency, searched depth first."""
    for sub in dependant.dependencies:
        action = getattr(sub.call, "action", None) or required_action(sub)
        if action:
            return action
    return None


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int):
        super().__init__(413, f"file: the upload is over the limit of {limit:,} bytes")


def upload_routes(app) -> list[tuple]:
    """(path regex, methods, action) of every route of `app` that takes a file."""
    found = []
    for top in app.router.routes:
        contexts = getattr(top, "effective_route_contexts", None)  # an included router
        for ctx in contexts() if contexts else [top]:
            route = getattr(ctx, "original_route", ctx)
            if not (isinstance(route, APIRoute) and takes_file(route)):
                continue
            action = required_action(route.dependant)
            if action is None:
                raise RuntimeError(f"{route.path} takes a file but checks no role (requires)")
            found.append((ctx.path_regex, set(ctx.methods or ()), action))
    return found


class UploadGate:
    """Check who asks before an upload route reads its body; cap every body as it streams."""

    def __init__(self, app, *, max_upload_bytes: int, max_import_bytes: int,
                 max_text_audio_bytes: int | None = None):  # fmt: skip
        self.app = app
        self.limits = (max_upload_bytes, max_import_bytes, max_text_audio_bytes or max_upload_bytes)
        self.routes: list[tuple] | None = None  # found on the first request (routes come later)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        file_limit = self.file_limit(scope.get("path", ""))
        limit = file_limit + FORM_OVERHEAD
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            return await _too_large(file_limit, scope, receive, send)
        if scope.get("method") in WRITES and not await self._may_upload(scope, receive, send):
            return
        seen = 0
        started = False

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(file_limit)
            return message

        async def watched(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await _too_large(file_limit, scope, receive, send)

    def file_limit(self, path: str) -> int:
        media, imports, text_audio = self.limits
        if IMPORT_PATH.search(path):
            return imports
        return text_audio if TEXT_AUDIO_PATH.search(path) else media

    async def _may_upload(self, scope, receive, send) -> bool:
        """On an upload route: the viewer's role, checked before the body is read (False:
        refused, and answered)."""
        if self.routes is None:
            self.routes = upload_routes(scope["app"])
        path, method = scope.get("path", ""), scope["method"]
        hit = None
        for regex, methods, action in self.routes:
            if method in methods and (found := regex.match(path)):
                hit = found, action
                break
        if hit is None:
            return True
        found, action = hit
        request = Request(scope, receive)
        try:
            with Session(request.app.state.engine, expire_on_commit=False) as session:
                viewer = await get_viewer(request, session)
                slug = found.groupdict().get("slug")
                if slug is None and action in SITE_ACTIONS:  # e.g. a new dictionary's file
                    SITE_ACTIONS[action](viewer, request.app.state.settings)
                else:
                    dictionary = await run_in_threadpool(
                        entries.get_dictionary, session=session, slug=slug
                    )
                    access.require(viewer, dictionary, action)  # 401/403/404 before the body
        except WordkeepError as exc:
            response = await errors.domain_error(request, exc)
            await response(scope, receive, send)
            return False
        scope[VIEWER_SCOPE_KEY] = viewer  # `get_viewer` need not look it up again
        return True


async def _too_large(limit: int, scope, receive, send) -> None:
    detail = f"file: the upload is over the limit of {limit:,} bytes"
    await JSONResponse({"detail": detail}, status_code=413)(scope, receive, send)
