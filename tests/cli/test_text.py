"""`wordkeep text import|export` (wordkeep/cli_text.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from lexicon import texts
from lexicon.db.engine import make_engine
from lexicon.media import audio
from lexicon.models import Media, Text, TextWord
from tests.factories import add_entry
from wordkeep.cli import app

STORY = Path(__file__).parents[1] / "fixtures" / "texts" / "story.txt"
runner = CliRunner()


@pytest.fixture
def env(monkeypatch, database_url, dictionary, tmp_path):
    monkeypatch.setenv("WORDKEEP_DATABASE_URL", database_url)
    monkeypatch.setenv("WORDKEEP_MEDIA_DIR", str(tmp_path / "media"))
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def tone(path: Path, seconds: float) -> Path:
    audio.write_tone(path, container="wav", codec="pcm_s16le", lead=0.2, tone=seconds - 0.4,
                     tail=0.2)  # fmt: skip
    return path


def rows(engine, model) -> list:
    with Session(engine) as session:
        return list(session.exec(select(model)).all())


def test_import_and_export(env, tmp_path):
    done = runner.invoke(app, ["text", "import", str(STORY), "--dictionary", "demo",
                               "--audio", str(tone(tmp_path / "s.wav", 2.5))])  # fmt: skip
    assert done.exit_code == 0, done.output
    [text] = rows(env, Text)
    assert text.media_sha256 and len(rows(env, Media)) == 1
    for name, marker in (("out.eaf", b"ANNOTATION_DOCUMENT"), ("out.TextGrid", b"TextGrid"),
                         ("out.flextext", b"interlinear-text")):  # fmt: skip
        out = tmp_path / name
        written = runner.invoke(app, ["text", "export", text.id, "-o", str(out)])
        assert written.exit_code == 0, written.output
        assert marker in out.read_bytes() and b"ndidapita" in out.read_bytes()


def test_refusals_write_nothing(env, tmp_path):
    short = runner.invoke(app, ["text", "import", str(STORY), "-d", "demo",
                                "--audio", str(tone(tmp_path / "s.wav", 1.0))])  # fmt: skip
    assert short.exit_code == 2 and "recording" in short.output
    bad = tmp_path / "bad.txt"
    bad.write_text("0:05.000 - 0:02.000\nNdiye\n")
    assert runner.invoke(app, ["text", "import", str(bad), "-d", "demo"]).exit_code == 2
    assert runner.invoke(app, ["text", "import", str(STORY), "-d", "nope"]).exit_code == 2
    assert rows(env, Text) == [] and rows(env, Media) == []
    assert not [p for p in (tmp_path / "media").rglob("*") if p.is_file()]
    missing = runner.invoke(app, ["text", "export", "no-such-id", "-o", str(tmp_path / "x.eaf")])
    assert missing.exit_code == 2


def test_relink_after_new_entries(env, session, dictionary):
    text = texts.create_text(session=session, dictionary=dictionary,
                             data={"segments": [{"text": {"seh": "Ndiye pa tsiku"}}]})  # fmt: skip
    tsiku = add_entry(session, dictionary, "tsiku", "day")["id"]
    done = runner.invoke(app, ["text", "relink", "--dictionary", "demo"])
    assert done.exit_code == 0 and "1 texts" in done.output, done.output
    linked = {w.form: (w.entry_id, w.link) for w in rows(env, TextWord) if w.text_id == text["id"]}
    assert linked["tsiku"] == (tsiku, "auto") and linked["pa"] == (None, "none")
