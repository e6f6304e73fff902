"""`wordkeep text segment ID` (wordkeep/cli_segment.py): proposals saved as a revision; a silent
recording refused with exit code 2 and nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from lexicon.db.engine import make_engine
from lexicon.models import Text, TextSegment
from tests.lexicon.texts.audio_synth import build
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


def imported(engine, recording: Path) -> Text:
    done = runner.invoke(app, ["text", "import", str(STORY), "-d", "demo", "--audio",
                               str(recording)])  # fmt: skip
    assert done.exit_code == 0, done.output
    with Session(engine) as session:
        return session.exec(select(Text)).one()


def test_segment(env, tmp_path):
    wav = tmp_path / "speech.wav"
    build([("silence", 2.0), ("speech", 1.2), ("silence", 0.8), ("speech", 1.0),
           ("silence", 0.5)], wav)  # fmt: skip
    text = imported(env, wav)
    done = runner.invoke(app, ["text", "segment", text.id, "--min-pause", "0.3"])
    assert done.exit_code == 0, done.output
    assert "2 proposed segments, 2 transcribed kept" in done.output
    with Session(env) as session:
        stored = session.get(Text, text.id)
        count = len(session.exec(select(TextSegment).where(TextSegment.text_id == text.id)).all())
        assert stored.version == 2 and count == 4
        assert stored.extra["segmenting"]["min_pause"] == 0.3


def test_silence_is_refused(env, tmp_path):
    wav = tmp_path / "silent.wav"
    build([("silence", 2.5)], wav)
    text = imported(env, wav)
    refused = runner.invoke(app, ["text", "segment", text.id])
    assert refused.exit_code == 2 and "silent" in refused.output
    assert runner.invoke(app, ["text", "segment", text.id, "--pad", "9"]).exit_code == 2
    assert runner.invoke(app, ["text", "segment", "no-such-text"]).exit_code == 2
    with Session(env) as session:
        assert session.get(Text, text.id).version == 1
