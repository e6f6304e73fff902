"""Shared fixtures: a real database per test (SQLite file, and PostgreSQL when
WORDKEEP_TEST_DATABASE_URL is set), the app through TestClient, a live server and Chromium.

Every test that uses `engine` (directly or through session/client/...) runs once per database.
"""

from __future__ import annotations

import contextlib
import graphlib
import os
import shutil
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from api.app import create_app
from lexicon import editing
from lexicon.db.engine import make_engine, normalise_url
from lexicon.operations.upgrade import upgrade
from tests.factories import S3_CREDENTIALS, free_port, make_user, new_s3_bucket
from wordkeep.settings import Settings

PG_URL = os.environ.get("WORDKEEP_TEST_DATABASE_URL")
DATABASES = ["sqlite"] + (["postgresql"] if PG_URL else [])
FIXTURES = Path(__file__).parent / "fixtures"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]


def pytest_report_header(config):
    return f"wordkeep databases: {', '.join(DATABASES)}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once is much faster)."""
    path = tmp_path_factory.mktemp("template") / "wordkeep.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def _pg_test_url() -> str:
    """WORDKEEP_TEST_DATABASE_URL, or under pytest-xdist a database of this worker's own beside
    it (test_gw0, ...), made anew. Commits there do not wait for the disk (synchronous_commit
    off: only a crash of the server itself could lose them), a tenth of the time."""
    url = make_url(normalise_url(PG_URL))
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    name = f"{url.database}_{worker}" if worker else url.database
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if worker:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            with contextlib.suppress(DBAPIError):  # not the database's owner: only slower
                conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))
    except Exception as exc:  # CI must never pass by silently skipping PostgreSQL
        pytest.fail(f"WORDKEEP_TEST_DATABASE_URL is set but PostgreSQL is unusable: {exc}")
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_engine():
    engine = make_engine(_pg_test_url())
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # CI must never pass by silently skipping PostgreSQL
        pytest.fail(f"WORDKEEP_TEST_DATABASE_URL is set but PostgreSQL is unreachable: {exc}")
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    yield engine
    engine.dispose()


_FOREIGN_KEYS = """
    SELECT child.relname, parent.relname FROM pg_constraint c
    JOIN pg_class child ON child.oid = c.conrelid JOIN pg_class parent ON parent.oid = c.confrelid
    WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
"""


def _truncate_postgres(engine) -> None:
    """Empty every table and restart every sequence, as a new database would be. Only the
    tables with rows are emptied, by DELETEs (referencing tables first): TRUNCATE makes new
    files for all 29 tables and their indexes, 0.8 s a test."""
    with engine.begin() as conn:
        tables = (
            conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
            .scalars()
            .all()
        )
        if not tables:
            return
        full = conn.execute(
            text(" UNION ALL ".join(
                f'SELECT {i} WHERE EXISTS (SELECT 1 FROM "{t}")' for i, t in enumerate(tables)
            ))
        ).scalars().all()  # fmt: skip
        graph = {t: set() for t in tables}
        for child, parent in conn.execute(text(_FOREIGN_KEYS)):
            if child != parent and parent in graph:
                graph[parent].add(child)  # the rows that point at a table go before it
        try:
            order = list(graphlib.TopologicalSorter(graph).static_order())
        except graphlib.CycleError:
            order = None
        with_rows = {tables[i] for i in full}
        if order is None:
            quoted = ", ".join(f'"{t}"' for t in tables)
            conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
            return
        for table in order:
            if table in with_rows:
                conn.execute(text(f'DELETE FROM "{table}"'))
        conn.execute(
            text(
                "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, "
                "false) FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL"
            )
        )


@pytest.fixture(params=DATABASES)
def db_kind(request) -> str:
    return request.param


@pytest.fixture
def engine(db_kind, request, tmp_path):
    if db_kind == "sqlite":
        path = tmp_path / "wordkeep.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        engine = make_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
    else:
        engine = request.getfixturevalue("pg_engine")
        _truncate_postgres(engine)
        yield engine


@pytest.fixture
def database_url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def session(engine):
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def media_dir(tmp_path) -> Path:
    path = tmp_path / "media"
    path.mkdir()
    return path


@pytest.fixture
def settings(database_url, media_dir) -> Settings:
    return Settings(
        database_url=database_url,
        media_dir=str(media_dir),
        secret_key="test-secret-key-not-for-production",
        environment="development",
    )


@pytest.fixture
def app(settings, engine):
    return create_app(settings, engine=engine)


@pytest.fixture
def client(app):
    with TestClient(app) as client:
        yield client


@pytest.fixture
def owner(session):
    return make_user(session, "owner@example.org")


@pytest.fixture
def admin(session):
    """A site admin: by default the only accounts that may create dictionaries."""
    return make_user(session, "admin@example.org", is_admin=True)


@pytest.fixture
def dictionary(session, owner):
    return editing.create_dictionary(
        session=session,
        data={
            "slug": "demo",
            "title": "Demo Dictionary",
            "language_name": "Sena",
            "language_code": "seh",
            "vernacular_ws": ["seh", "seh-fonipa"],
            "analysis_ws": ["en", "pt"],
            "alphabet": {
                "letters": list("ab")
                + [
                    "ch",
                    "d",
                    "e",
                    "g",
                    "h",
                    "i",
                    "k",
                    "l",
                    "m",
                    "n",
                    "ng",
                    "o",
                    "p",
                    "r",
                    "s",
                    "t",
                    "u",
                    "w",
                    "y",
                    "'",
                ],
                "confusables": [["ŋ", "ng"]],
            },
        },
        owner_id=owner.user.id,
    )


@pytest.fixture
def auth(owner) -> dict:
    return owner.headers


@pytest.fixture
def live_server(app):
    """The app served by uvicorn on a free loopback port, in a thread, for the browser."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    yield SimpleNamespace(url=f"http://127.0.0.1:{port}", app=app)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 server on a free loopback port, for the whole session."""
    from moto.server import ThreadedMotoServer  # heavy, and only for the tests that use S3

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_media_url(s3_endpoint, monkeypatch) -> str:
    """A new bucket on the session's S3 server, its credentials in the environment; the media
    URL (s3://bucket/media?endpoint=...)."""
    for key, value in S3_CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    return new_s3_bucket(s3_endpoint)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install.sh (it installs chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()
