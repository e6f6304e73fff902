"""`wordkeep text segment ID`: propose a text's segments from its recording by voice activity
(lexicon.texts.segmenting), with a progress bar, and save them as the text's new revision.

Registered on `wordkeep text` by wordkeep/cli.py. Options left out come from the text's last
run (its `extra.segmenting`), then the defaults. A silent or noise-only recording ends with
exit code 2 and nothing is written; running it again is always safe."""

from __future__ import annotations

import typer

from lexicon.texts import segmenting
from wordkeep.common import friendly, opened_text, progress_bar


def register(text_app: typer.Typer) -> None:
    text_app.command("segment")(segment_command)


@friendly
def segment_command(
    text_id: str = typer.Argument(..., help="The text's id."),
    min_pause: float | None = typer.Option(None, help="Seconds: a shorter pause goes on."),
    min_segment: float | None = typer.Option(None, help="Seconds: shorter speech is dropped."),
    max_segment: float | None = typer.Option(None, help="Seconds: longer speech is cut."),
    pad: float | None = typer.Option(None, help="Seconds kept before and after speech."),
    threshold: float | None = typer.Option(None, help="Speech score (0-1) where speech starts."),
) -> None:
    """Segment a text's recording by voice activity; transcribed segments are kept."""
    overrides = {"min_pause": min_pause, "min_segment": min_segment,
                 "max_segment": max_segment, "pad": pad, "threshold": threshold}  # fmt: skip
    with (
        opened_text(text_id) as (session, dictionary, _, storage),
        progress_bar("segmenting", counts=False) as tick,
    ):
        stored, report = segmenting.segment_text(
            session=session, storage=storage, dictionary=dictionary, text_id=text_id,
            overrides=overrides, editor="command line", progress=tick,
        )  # fmt: skip
    typer.echo(
        f"text {text_id} is at version {stored['version']}: {report['added']} proposed "
        f"segments, {report['kept']} transcribed kept, {report['replaced']} untouched replaced"
    )
