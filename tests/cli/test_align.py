"""`wordkeep text align ID` (wordkeep/cli_align.py): words aligned and saved as a revision, a
word nothing maps named in the output, the result exported as .readalong; a text with nothing
transcribed refused with exit code 2."""

from __future__ import annotations

import pytest
from lxml import etree
from sqlmodel import Session, select
from typer.testing import CliRunner

from lexicon.db.engine import make_engine
from lexicon.models import Text, TextSegment
from tests.lexicon.texts.speech_synth import build
from wordkeep.cli import app

runner = CliRunner()


@pytest.fixture
def env(monkeypatch, database_url, dictionary, tmp_path):
    monkeypatch.setenv("WORDKEEP_DATABASE_URL", database_url)
    monkeypatch.setenv("WORDKEEP_MEDIA_DIR", str(tmp_path / "media"))
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def imported(engine, tmp_path, words: str) -> Text:
    wav = tmp_path / "story.wav"
    truth = build([(["the", "river", "carries", "water"], 0.2)], wav, voice="en-us")[0]
    story = tmp_path / "story.txt"
    story.write_text(f"0:{truth['start']:06.3f} - 0:{truth['end']:06.3f}\n{words}\nThe river\n")
    done = runner.invoke(app, ["text", "import", str(story), "-d", "demo", "--audio", str(wav)])
    assert done.exit_code == 0, done.output
    with Session(engine) as session:
        return session.exec(select(Text)).one()


def test_align(env, tmp_path):
    text = imported(env, tmp_path, "the ǂǃǂ carries water")
    done = runner.invoke(app, ["text", "align", text.id])
    assert done.exit_code == 0, done.output
    assert "not aligned (no phones for it): 'ǂǃǂ'" in done.output
    assert "3 words aligned in 1 of 1 segments" in done.output
    with Session(env) as session:
        segment = session.exec(select(TextSegment).where(TextSegment.text_id == text.id)).one()
        assert [w["start"] is not None for w in segment.words] == [True, False, True, True]
        assert session.get(Text, text.id).version == 2
    out = tmp_path / "story.readalong"
    assert runner.invoke(app, ["text", "export", text.id, "-o", str(out)]).exit_code == 0
    assert [w.get("time") is not None for w in etree.parse(str(out)).findall(".//w")] == [
        True, False, True, True]  # fmt: skip


def test_nothing_to_align(env, tmp_path):
    text = imported(env, tmp_path, "123 456")  # no word to align (no letter)
    done = runner.invoke(app, ["text", "align", text.id])
    assert done.exit_code == 2 and "no segment" in done.output
