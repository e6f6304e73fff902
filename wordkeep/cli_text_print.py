"""`wordkeep text print ID -o OUT.pdf [--interlinear]`: a text as a printed booklet
(lexicon.printing.booklet), every segment in it (the operator at the terminal sees all).

Registered on `wordkeep text` by wordkeep/cli.py. A character no font covers ends with exit
code 2 and nothing written, unless --allow-uncovered."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlmodel import Session

from lexicon import texts
from lexicon.media.storage import storage_from_url
from lexicon.printing import PrintOptions
from lexicon.printing.booklet import print_text
from wordkeep.common import friendly, load_settings, open_engine


def register(text_app: typer.Typer) -> None:
    text_app.command("print")(print_command)


@friendly
def print_command(
    text_id: str = typer.Argument(..., help="The text's id."),
    output: Path = typer.Option(..., "-o", "--output", help="The PDF to write."),
    interlinear: bool = typer.Option(
        False, "--interlinear", help="Words in columns with their morphemes and glosses."
    ),
    paper: str = typer.Option("a4", help="a4 or letter."),
    font: str | None = typer.Option(None, help="Font family, e.g. Charis SIL."),
    font_size: float | None = typer.Option(None, help="Points, 6 to 24 in half points."),
    allow_uncovered: bool = typer.Option(False, help="Print even if a character has no glyph."),
) -> None:
    """Print a text as a booklet: each sentence with its translation under it."""
    options = PrintOptions(paper=paper, font_family=font, font_size=font_size,
                           allow_uncovered=allow_uncovered)  # fmt: skip
    settings = load_settings()
    engine = open_engine(settings)
    try:
        with Session(engine, expire_on_commit=False) as session:
            dictionary, _ = texts.find_text(session=session, text_id=text_id)
            data, _ = print_text(
                session=session, dictionary=dictionary, text_id=text_id, viewer=None,
                layout="interlinear" if interlinear else "plain", options=options,
                storage=storage_from_url(settings.media_dir),
            )  # fmt: skip
    finally:
        engine.dispose()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    typer.echo(f"wrote {output}")
