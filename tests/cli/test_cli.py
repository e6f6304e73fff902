"""The command line: init, the demo dictionary (once), exit codes."""

import subprocess
import sys

from typer.testing import CliRunner

from wordkeep.cli import app

runner = CliRunner()


def test_init_with_demo_loads_once(tmp_path, monkeypatch, database_url, db_kind):
    monkeypatch.setenv("WORDKEEP_DATABASE_URL", database_url)
    monkeypatch.setenv("WORDKEEP_MEDIA_DIR", str(tmp_path / "media"))
    first = runner.invoke(app, ["init", "--demo"])
    assert first.exit_code == 0, first.output
    assert "demo dictionary 'hdi' loaded" in first.output
    second = runner.invoke(app, ["init", "--demo"])
    assert "already there" in second.output
    from sqlmodel import Session

    from lexicon import entries
    from lexicon.accounts.access import ANONYMOUS
    from lexicon.db.engine import make_engine

    with Session(make_engine(database_url)) as session:
        hdi = entries.get_dictionary(session=session, slug="hdi")
        assert entries.count_entries(session=session, dictionary=hdi, viewer=ANONYMOUS) == 300


def test_bad_settings_exit_2(monkeypatch):
    monkeypatch.setenv("WORDKEEP_ENVIRONMENT", "production")
    monkeypatch.setenv("WORDKEEP_SECRET_KEY", "short-key")  # production needs 32 bytes
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 2
    assert "WORDKEEP_SECRET_KEY" in result.output


def test_console_entry_point_prints_help():
    out = subprocess.run(
        [sys.executable, "-m", "wordkeep", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0
    for command in ("serve", "init"):
        assert command in out.stdout
