"""`wordkeep import` / `wordkeep export` (registered by wordkeep/cli.py from wordkeep/cli_io.py)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import typer
from sqlmodel import Session
from typer.testing import CliRunner

from lexicon import editing, entries
from lexicon.db.engine import make_engine
from wordkeep.cli_io import export_command, import_command

FIX = Path(__file__).parents[1] / "fixtures"
runner = CliRunner()
app = typer.Typer()
app.command("import")(import_command)
app.command("export")(export_command)


def _env(monkeypatch, database_url, tmp_path):
    monkeypatch.setenv("WORDKEEP_DATABASE_URL", database_url)
    monkeypatch.setenv("WORDKEEP_MEDIA_DIR", str(tmp_path / "media"))
    with Session(make_engine(database_url)) as session:
        editing.create_dictionary(
            session=session, data={"slug": "pt", "title": "Patani", "language_code": "ptn"}
        )
        session.commit()


def test_import_and_export(monkeypatch, database_url, tmp_path):
    _env(monkeypatch, database_url, tmp_path)
    src = FIX / "lift-patani-audio" / "two-mp3"
    dry = runner.invoke(app, ["import", str(src), "--dictionary", "pt", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would import 1 entries (lift): 1 new" in dry.output
    real = runner.invoke(app, ["import", str(src), "-d", "pt"])
    assert real.exit_code == 0, real.output
    assert "1 new" in real.output and "media 2 stored" in real.output
    out = tmp_path / "pt.zip"
    exp = runner.invoke(app, ["export", "-d", "pt", "--format", "lift", "-o", str(out)])
    assert exp.exit_code == 0, exp.output
    assert any(n.startswith("audio/") for n in zipfile.ZipFile(out).namelist())


def test_bad_input_exits_2_and_writes_nothing(monkeypatch, database_url, tmp_path):
    _env(monkeypatch, database_url, tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text("headword,homograph\nx,one\n", "utf-8")
    r = runner.invoke(app, ["import", str(bad), "-d", "pt"])
    assert r.exit_code == 2
    assert "'one' is not a number" in r.output
    old = runner.invoke(app, ["import", str(FIX / "lift-schema" / "simple-0.12.lift"), "-d", "pt"])
    assert old.exit_code == 2 and "older than 0.13" in old.output
    missing = runner.invoke(app, ["import", str(tmp_path / "nope.lift"), "-d", "pt"])
    assert missing.exit_code == 2
    nodict = runner.invoke(app, ["export", "-d", "nope", "-o", str(tmp_path / "x.zip")])
    assert nodict.exit_code == 2
    with Session(make_engine(database_url)) as session:
        d = entries.get_dictionary(session=session, slug="pt")
        from lexicon.accounts.access import ANONYMOUS

        assert entries.count_entries(session=session, dictionary=d, viewer=ANONYMOUS) == 0
