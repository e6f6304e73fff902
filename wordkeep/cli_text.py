"""`wordkeep text import|export|relink`: texts (recorded stories, docs/text-shape.md) from and to
ELAN, Praat TextGrid, FLExText and plain transcript files, with a text's long recording.

Registered in wordkeep/cli.py; errors end a command through wordkeep/common.py's exit-code table
(a refused file or recording: 2, and nothing is written)."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import typer
from sqlmodel import Session

from lexicon import entries, texts
from lexicon.io.texts import check_audio_covers, format_name, read_text, write_text
from lexicon.media.storage import storage_from_url
from lexicon.texts.links import relink_texts
from wordkeep.common import friendly, load_settings, open_engine

text_app = typer.Typer(help="Import and export texts (recorded stories).", no_args_is_help=True)
EXTENSIONS = {".eaf": "eaf", ".textgrid": "textgrid", ".flextext": "flextext", ".txt": "txt",
              ".readalong": "readalong"}  # fmt: skip


def register(app: typer.Typer) -> None:
    app.add_typer(text_app, name="text")


@text_app.command("import")
@friendly
def import_command(
    file: Path = typer.Argument(..., help="The text: .eaf, .TextGrid, .flextext or .txt."),
    dictionary: str = typer.Option(..., "--dictionary", "-d", help="Slug of the dictionary."),
    audio: Path | None = typer.Option(None, "--audio", help="Its long recording."),
    format: str | None = typer.Option(None, "--format", "-f", help="eaf, textgrid, flextext, txt."),
    status: str | None = typer.Option(None, "--status", help="draft or published."),
) -> None:
    """Import a text (and its recording) into a dictionary; all or nothing."""
    data = read_text(file, format=format)
    if status:
        data["status"] = status
    settings = load_settings()
    engine = open_engine(settings)
    try:
        with Session(engine, expire_on_commit=False) as session:
            d = entries.get_dictionary(session=session, slug=dictionary)
            storage = storage_from_url(settings.media_dir)
            with open(audio, "rb") if audio else nullcontext() as recording:
                text = texts.import_text(
                    session=session, storage=storage, dictionary=d, data=data,
                    editor="command line", audio_file=recording,
                    audio_name=audio.name if audio else "",
                    limits=texts.text_limits(settings.max_text_audio_bytes),
                    also_check=check_audio_covers,
                )  # fmt: skip
    finally:
        engine.dispose()
    count = len(text["segments"])
    typer.echo(f"imported text {text['id']}: {count} segment{'' if count == 1 else 's'}")


@text_app.command("export")
@friendly
def export_command(
    text_id: str = typer.Argument(..., help="The text's id."),
    output: Path = typer.Option(..., "-o", "--output", help="The file to write (.eaf, ...)."),
    format: str | None = typer.Option(
        None, "--format", "-f", help="eaf, textgrid, flextext, txt or readalong (default: by -o)."
    ),
) -> None:
    """Export a text as ELAN, Praat TextGrid, FLExText or a plain transcript."""
    fmt = format_name(format or EXTENSIONS.get(output.suffix.lower(), "eaf"))
    engine = open_engine(load_settings())
    try:
        with Session(engine, expire_on_commit=False) as session:
            _, text = texts.find_text(session=session, text_id=text_id)
    finally:
        engine.dispose()
    output.write_bytes(write_text(text, fmt))
    typer.echo(f"wrote {output}")


@text_app.command("relink")
@friendly
def relink_command(
    dictionary: str = typer.Option(..., "--dictionary", "-d", help="Slug of the dictionary."),
) -> None:
    """Link the words of every text to entries again (after many new entries or an alphabet
    change); the keepers' own choices stay as they are."""
    engine = open_engine(load_settings())
    try:
        with Session(engine, expire_on_commit=False) as session:
            d = entries.get_dictionary(session=session, slug=dictionary)
            done = relink_texts(session, d)
    finally:
        engine.dispose()
    typer.echo(f"relinked the words of {done} texts")
