"""Pages and JSON gzipped for visitors who are not signed in: learners on a phone with a weak
connection (the browse page of a 12,000-entry dictionary is 175 kB of HTML, a fifth of
that gzipped: 31 kB), on the one-machine setup too, where no reverse proxy compresses.

A signed-in keeper's pages are left as they are: they carry secrets (the CSRF token, private
entries) next to text a page echoes back (a search), which is what a compression side channel
(BREACH) reads over HTTPS, by many requests each with the same secret. So is every page for a
visitor whose session holds a CSRF token (one who opened the login form, say): at most the one
answer that made the token can be compressed. Files that are compressed already (recordings,
pictures, zips, PDFs), partial responses (audio ranges) and responses that set their own
encoding (the offline data) are passed through by Starlette's GZipMiddleware."""

from __future__ import annotations

from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from api import csrf

MINIMUM_SIZE = 1000  # bytes: smaller answers gain less than the header costs
LEVEL = 5  # zlib level: that page in 2.3 ms, 3% larger than level 9 (10 ms)


class VisitorGzip:
    """GZipMiddleware for requests whose session holds no secret (no signed-in user, no CSRF
    token). Installed inside the session middleware, which puts the session in the scope."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gzip = GZipMiddleware(
            app,
            minimum_size=MINIMUM_SIZE,
            compresslevel=LEVEL,
            exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, "application/pdf"),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        session = scope.get("session") or {}
        secret = scope["type"] == "http" and (
            session.get("user_id") or session.get(csrf.SESSION_KEY)
        )
        await (self.app if secret else self.gzip)(scope, receive, send)
