"""`wordkeep text align ID`: align the words of a text's transcribed segments to its recording
with ReadAlongs (lexicon.texts.aligning), with a progress bar, and save their times as the
text's new revision. Needs the `align` extra (pip install 'wordkeep[align]').

Registered on `wordkeep text` by wordkeep/cli.py. Words nothing maps to phones are listed by
name; their neighbours are aligned all the same. Running it again is always safe."""

from __future__ import annotations

import typer

from lexicon.texts import aligning
from wordkeep.common import friendly, opened_text, progress_bar


def register(text_app: typer.Typer) -> None:
    text_app.command("align")(align_command)


@friendly
def align_command(text_id: str = typer.Argument(..., help="The text's id.")) -> None:
    """Align the words of a text's transcribed segments to its recording (ReadAlongs)."""
    with (
        opened_text(text_id) as (session, dictionary, _, storage),
        progress_bar("aligning") as tick,
    ):
        stored, report = aligning.align_text(
            session=session, storage=storage, dictionary=dictionary, text_id=text_id,
            editor="command line", progress=tick,
        )  # fmt: skip
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
