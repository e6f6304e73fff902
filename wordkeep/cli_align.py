"""`wordkeep text align ID`: align the words of a text's transcribed segments to its recording
with ReadAlongs (lexicon.texts.aligning), with a progress bar, and save their times as the
text's new revision. Needs the `align` extra (pip install 'wordkeep[align]').

Registered on `wordkeep text` by wordkeep/cli.py. Words nothing maps to phones are listed by
name; their neighbours are aligned all the same. Running it again is always safe."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from sqlmodel import Session

from lexicon import texts
from lexicon.media.storage import storage_from_url
from lexicon.texts import aligning
from wordkeep.common import err, friendly, load_settings, open_engine


def register(text_app: typer.Typer) -> None:
    text_app.command("align")(align_command)


@friendly
def align_command(text_id: str = typer.Argument(..., help="The text's id.")) -> None:
    """Align the words of a text's transcribed segments to its recording (ReadAlongs)."""
    settings = load_settings()
    engine = open_engine(settings)
    try:
        with Session(engine, expire_on_commit=False) as session:
            dictionary, _ = texts.find_text(session=session, text_id=text_id)
            storage = storage_from_url(settings.media_dir)
            with Progress(TextColumn("{task.description}"), BarColumn(),
                          TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                          console=err, transient=True) as bar:  # fmt: skip
                task = bar.add_task("aligning", total=None)

                def tick(done: int, total: int, stage: str) -> None:
                    bar.update(task, completed=done, total=total or None, description=stage)

                stored, report = aligning.align_text(
                    session=session, storage=storage, dictionary=dictionary, text_id=text_id,
                    editor="command line", progress=tick,
                )  # fmt: skip
    finally:
        engine.dispose()
    for miss in report["unmapped"]:
        typer.echo(
            f"not aligned (no phones for it): {miss['word']!r} in segment {miss['segment_id']}"
        )
    for miss in report["failed"]:
        typer.echo(f"segment {miss['segment_id']} could not be aligned: {miss['text']!r}")
    typer.echo(
        f"text {text_id} is at version {stored['version']}: {report['words']} words aligned "
        f"in {report['aligned']} of {report['segments']} segments"
    )
