"""The FastAPI application: `create_app(settings)` builds everything, reads nothing at import."""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.middleware.sessions import SessionMiddleware

import api.routes
import api.uploads
from api import csrf, errors, middleware
from api.compression import VisitorGzip
from api.i18n import LocaleMiddleware
from api.templating import make_templates
from lexicon.accounts.site_secret import stored_secret_key
from lexicon.db.engine import make_engine, reader_engine
from lexicon.printing.limits import RenderGate
from lexicon.search.cache import DictionarySnapshots, PageCache
from wordkeep.settings import Settings

STATIC_DIR = __import__("pathlib").Path(__file__).parent / "static"


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """Build the app for `settings` (default: from the environment)."""
    settings = settings or Settings()
    app = FastAPI(
        title="Wordkeep",
        summary="Dictionaries for endangered languages: entries, search, audio, print, interchange.",
        version="0.1.0",
        # Every POST/PUT/PATCH/DELETE a browser sends with its session cookie must carry the CSRF
        # token; Bearer-token and anonymous requests carry no ambient credentials (api/csrf.py).
        # Applied here, not per route, so a new route cannot forget it (tests/api/test_csrf.py).
        dependencies=[Depends(csrf.require_csrf_for_session)],
    )
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings.database_url)
    app.state.reader = reader_engine(app.state.engine)  # SQLite's quick reads (deps.quick_read)
    app.state.templates = make_templates(settings.templates_dir)
    app.state.page_cache = PageCache(settings.page_cache_size)
    app.state.dictionaries = DictionarySnapshots()
    app.state.print_gate = RenderGate(
        per_minute=settings.print_renders_per_minute,
        concurrent=settings.print_concurrent_renders,
    )
    # Inside the session, which tells it who asks (api/compression.py).
    app.add_middleware(VisitorGzip)
    # Inside the session (it checks who asks before an upload's body is read), and it caps
    # every body as it streams.
    app.add_middleware(
        api.uploads.UploadGate,
        max_upload_bytes=settings.max_upload_bytes,
        max_import_bytes=settings.max_import_bytes,
        max_text_audio_bytes=settings.max_text_audio_bytes,
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key or stored_secret_key(app.state.engine),
        session_cookie="wordkeep_session",
        max_age=settings.session_max_age,
        same_site="lax",
        https_only=settings.https_only,
    )
    app.add_middleware(LocaleMiddleware, default=settings.default_locale)
    errors.install(app)
    middleware.install(app)  # last: it wraps everything (request id, JSON logs, JSON 500s)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in _route_modules():
        app.include_router(module.router)
    for module in _route_modules():
        if hasattr(module, "setup"):
            module.setup(app)
    return app


def _route_modules():
    """Every module in api/routes with a `router`: the health check and the learners' search
    first (a request is matched against the routes in order, and these are the most
    frequent), pages last so API paths win."""
    first, last = ("health", "search"), ("pages",)
    names = sorted(m.name for m in pkgutil.iter_modules(api.routes.__path__))
    names.sort(key=lambda n: (n not in first, n in last, first.index(n) if n in first else 0))
    modules = [importlib.import_module(f"api.routes.{n}") for n in names]
    return [m for m in modules if hasattr(m, "router")]
