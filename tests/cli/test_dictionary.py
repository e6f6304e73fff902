"""`wordkeep dictionary create|list` and `wordkeep import --create` (wordkeep/cli_dictionary.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from lexicon import accounts
from lexicon.db.engine import make_engine
from lexicon.models import Dictionary, Entry, Membership
from wordkeep.cli import app

FIX = Path(__file__).parents[1] / "fixtures"
PATANI = FIX / "lift-patani-audio" / "two-mp3"
runner = CliRunner()


@pytest.fixture
def env(monkeypatch, database_url, tmp_path):
    monkeypatch.setenv("WORDKEEP_DATABASE_URL", database_url)
    monkeypatch.setenv("WORDKEEP_MEDIA_DIR", str(tmp_path / "media"))
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def slugs(engine) -> list[str]:
    with Session(engine) as session:
        return sorted(d.slug for d in session.exec(select(Dictionary)))


def test_create_and_list(env):
    empty = runner.invoke(app, ["dictionary", "list"])
    assert empty.exit_code == 0 and "no dictionaries yet" in empty.output
    made = runner.invoke(
        app, ["dictionary", "create", "sena", "--title", "Sena words", "--language-name", "Sena"]
    )
    assert made.exit_code == 0, made.output
    assert "created dictionary 'sena'" in made.output
    private = runner.invoke(
        app,
        ["dictionary", "create", "geiriadur", "--title", "Geiriadur", "--language-code", "cy",
         "--private"],
    )  # fmt: skip
    assert private.exit_code == 0, private.output
    with Session(env) as session:
        sena = session.exec(select(Dictionary).where(Dictionary.slug == "sena")).one()
        welsh = session.exec(select(Dictionary).where(Dictionary.slug == "geiriadur")).one()
    # The code (and so the writing system and CLDR alphabet) follows from the name, and back.
    assert (sena.language_code, sena.vernacular_ws, sena.visibility) == ("seh", ["seh"], "public")
    assert (welsh.language_name, welsh.visibility) == ("Welsh", "private")
    assert "ch" in welsh.alphabet["letters"]
    listed = runner.invoke(app, ["dictionary", "list"])
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    assert lines[0].startswith("geiriadur\t0 entries\tprivate\tWelsh (cy)\tGeiriadur")
    assert lines[1].startswith("sena\t0 entries\tpublic\tSena (seh)\tSena words")


def test_create_with_an_owner(env):
    with Session(env) as session:
        accounts.create_user(session=session, email="keeper@example.org", password="pw-123456789")
    r = runner.invoke(app, ["dictionary", "create", "k", "--title", "K", "--owner", "keeper@example.org"])  # fmt: skip
    assert r.exit_code == 0, r.output
    with Session(env) as session:
        assert session.exec(select(Membership.role)).one() == "owner"


def test_a_duplicate_slug_or_a_bad_one(env):
    assert runner.invoke(app, ["dictionary", "create", "sena", "--title", "A"]).exit_code == 0
    again = runner.invoke(app, ["dictionary", "create", "sena", "--title", "B"])
    assert again.exit_code == 1 and "exists already" in again.output
    bad = runner.invoke(app, ["dictionary", "create", "Not A Slug", "--title", "C"])
    assert bad.exit_code == 2
    nobody = runner.invoke(
        app, ["dictionary", "create", "x", "--title", "X", "--owner", "no@x.org"]
    )
    assert nobody.exit_code == 2
    assert slugs(env) == ["sena"]


def test_import_into_a_missing_dictionary_says_how_to_create_it(env):
    r = runner.invoke(app, ["import", str(PATANI), "--dictionary", "patani"])
    assert r.exit_code == 2
    assert "--create" in r.output and "wordkeep dictionary create patani" in r.output
    assert slugs(env) == []


def test_import_create_makes_the_dictionary_from_the_file(env):
    dry = runner.invoke(app, ["import", str(PATANI), "-d", "patani", "--create", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would import 1 entries" in dry.output
    assert slugs(env) == []
    r = runner.invoke(app, ["import", str(PATANI), "-d", "patani", "--create"])
    assert r.exit_code == 0, r.output
    assert "created dictionary 'patani'" in r.output and "media 2 stored" in r.output
    with Session(env) as session:
        d = session.exec(select(Dictionary)).one()
        assert (d.language_name, d.language_code) == ("Patani", "ptn")
        assert (d.vernacular_ws, d.analysis_ws) == (["ptn"], ["fr"])
        assert session.exec(select(Entry.has_audio)).one() is True
    # With the dictionary there, --create changes nothing: the import merges as always.
    again = runner.invoke(app, ["import", str(PATANI), "-d", "patani", "--create"])
    assert again.exit_code == 0 and "1 unchanged" in again.output
    assert slugs(env) == ["patani"]


def test_import_create_of_a_bad_file_creates_nothing(env, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("headword,homograph\nx,one\n", "utf-8")
    r = runner.invoke(app, ["import", str(bad), "-d", "bad", "--create"])
    assert r.exit_code == 2, r.output
    assert slugs(env) == []
