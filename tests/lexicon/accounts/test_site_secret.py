"""Issue #16, finding 14: no placeholder secret key. Unset, a random key is generated on first
start and kept (SQLite: a file beside the database, mode 0600; PostgreSQL: a row, shared by every
app server); production refuses short keys."""

from __future__ import annotations

import stat

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from lexicon.accounts.site_secret import key_file, stored_secret_key
from tests.conftest import make_user
from tests.factories import login
from wordkeep.settings import Settings


def test_the_placeholder_and_short_production_keys_are_refused():
    for environment in ("development", "production"):
        with pytest.raises(ValueError, match="WORDKEEP_SECRET_KEY"):
            Settings(secret_key="change-me", environment=environment)
    with pytest.raises(ValueError, match="32"):
        Settings(secret_key="x" * 31, environment="production")
    assert Settings(secret_key="x" * 32, environment="production").secret_key == "x" * 32
    assert Settings(environment="production").secret_key is None  # generated at start


def _no_key(settings) -> Settings:
    return settings.model_copy(update={"secret_key": None})


def test_a_generated_key_is_kept_and_shared(settings, engine, session, db_kind):
    """Two app instances of one database (two workers, a restart, a second app server) sign
    with the same generated key: a session made on one opens on the other."""
    make_user(session, "alice@example.org")
    first = create_app(_no_key(settings), engine=engine)
    with TestClient(first) as one:
        assert login(one, "alice@example.org").status_code == 303
        cookie = one.cookies.get("wordkeep_session")
    assert cookie
    with TestClient(create_app(_no_key(settings), engine=engine)) as two:
        two.cookies.set("wordkeep_session", cookie)
        assert two.get("/account", follow_redirects=False).status_code == 200
    # Starting the app made the key (nothing else here asked for it), where it belongs.
    if db_kind == "sqlite":
        path = key_file(engine.url.database)
        assert path.exists(), "starting the app generated no key file"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        kept = [path.read_text().strip()]
    else:
        with engine.connect() as conn:
            kept = conn.execute(text("SELECT value FROM site_secret")).scalars().all()
    assert len(kept) == 1 and len(kept[0]) >= 32
    assert stored_secret_key(engine) == kept[0]  # the next start reuses it


def test_another_database_gets_another_key(tmp_path, sqlite_template):
    import shutil

    from lexicon.db.engine import make_engine

    keys = []
    for name in ("a", "b"):
        path = tmp_path / name / "wordkeep.db"
        path.parent.mkdir()
        shutil.copy(sqlite_template, path)
        keys.append(stored_secret_key(make_engine(f"sqlite:///{path}")))
    assert keys[0] != keys[1]


def test_a_cut_short_key_file_is_reported_not_used(tmp_path):
    from lexicon.db.engine import make_engine

    path = tmp_path / "wordkeep.db"
    key_file(str(path)).write_text("")
    with pytest.raises(ValueError, match="cut short"):
        stored_secret_key(make_engine(f"sqlite:///{path}"))


def test_a_generated_key_stays_out_of_backups(engine, media_dir, tmp_path, db_kind):
    from lexicon.media.storage import LocalStorage
    from lexicon.operations.backup import create_backup

    key = stored_secret_key(engine)
    manifest = create_backup(engine=engine, storage=LocalStorage(media_dir), dest=tmp_path / "b")
    assert "site_secret" not in manifest["database"]["counts"]
    for path in (tmp_path / "b").rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes(), path
