"""`wordkeep import` and `wordkeep export`: the interchange formats from the command line.

Registered in wordkeep/cli.py. Exit codes: 0 done, 2 bad input (nothing written), 1 other.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from lexicon.errors import InvalidInput, NotFound, TooLarge, UnsupportedMedia, WordkeepError

err = Console(stderr=True, soft_wrap=True)
BAD_INPUT = (InvalidInput, NotFound, TooLarge, UnsupportedMedia)


@contextmanager
def _bar(label: str):
    """A Rich progress bar on stderr; yields the callback the domain calls."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=None)

        def tick(done: int, total: int, stage: str) -> None:
            progress.update(
                task, completed=done, total=total or None, description=f"{label}: {stage}"
            )

        yield tick


@contextmanager
def _context(slug: str):
    from sqlmodel import Session

    from lexicon import entries
    from lexicon.media.storage import storage_from_url
    from wordkeep.cli import load_settings, open_engine

    settings = load_settings()
    engine = open_engine(settings)
    try:
        with Session(engine, expire_on_commit=False) as session:
            dictionary = entries.get_dictionary(session=session, slug=slug)
            yield session, dictionary, storage_from_url(settings.media_dir)
    finally:
        engine.dispose()


def _fail(exc: WordkeepError) -> None:
    err.print(f"[red]error:[/red] {exc.message}")
    raise typer.Exit(2 if isinstance(exc, BAD_INPUT) else 1) from exc


def import_command(
    file: Path = typer.Argument(..., help="A .lift/.zip/.csv/.xlsx/.sfm/.json file or folder."),
    dictionary: str = typer.Option(..., "--dictionary", "-d", help="Slug of the dictionary."),
    format: str | None = typer.Option(
        None, "--format", "-f", help="lift, csv, xlsx, cldf, mdf or json (guessed)."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check and report; write nothing."),
    mapping: str | None = typer.Option(
        None, help='CSV/XLSX columns as JSON, e.g. \'{"Word": "headword", "English": "gloss:en"}\'.'
    ),
    national: str | None = typer.Option(None, help="MDF: tag of the national language."),
    editor: str = typer.Option("cli", help="Name recorded in each entry's revision."),
) -> None:
    """Import a dictionary file: all entries or none, each with its first revision."""
    from lexicon.io.importer import import_file

    if not file.exists():
        err.print(f"[red]error:[/red] {file}: no such file or folder")
        raise typer.Exit(2)
    options: dict = {"national": national} if national else {}
    try:
        if mapping:
            options["mapping"] = json.loads(mapping)
    except json.JSONDecodeError as exc:
        err.print(f"[red]error:[/red] --mapping: not valid JSON ({exc.msg})")
        raise typer.Exit(2) from exc
    try:
        with _context(dictionary) as (session, d, storage), _bar(file.name) as tick:
            report = import_file(
                session=session,
                dictionary=d,
                path=file,
                format=format,
                dry_run=dry_run,
                editor=editor,
                progress=tick,
                storage=storage,
                options=options,
            )
    except WordkeepError as exc:
        _fail(exc)
    for w in report.warnings[:20]:
        where = f"line {w['line']}: " if w.get("line") else ""
        err.print(f"[yellow]warning:[/yellow] {where}{w['message']}")
    if len(report.warnings) > 20:
        err.print(f"[yellow]... and {len(report.warnings) - 20} more warnings[/yellow]")
    for e in report.errors:
        err.print(f"[red]error:[/red] line {e.get('line')}: {e['message']}")
    verb = "would import" if dry_run else "imported"
    typer.echo(
        f"{verb} {report.entries_read} entries ({report.format}): {report.created} new, "
        f"{report.updated} updated, {report.unchanged} unchanged, {report.deleted} deleted, "
        f"{report.skipped} "
        f"skipped; media {report.media_added} stored, {report.media_missing} missing"
    )
    if report.errors:
        raise typer.Exit(2)


def export_command(
    dictionary: str = typer.Option(..., "--dictionary", "-d", help="Slug of the dictionary."),
    format: str = typer.Option("lift", "--format", "-f", help="lift, csv, cldf, mdf or json."),
    output: Path = typer.Option(
        ...,
        "-o",
        "--output",
        help="The .zip to write; or a name in the format's own extension (words.json, .lift, "
        ".csv, .sfm) for the plain file, when no media travel along.",
    ),
) -> None:
    """Export a dictionary as a zip (LIFT package, CSV, CLDF, MDF or JSON) with its media,
    or as the plain file (words.json) when it has none."""
    from lexicon.io.exporter import export_dictionary

    try:
        with _context(dictionary) as (session, d, storage), _bar(d.slug) as tick:
            path = export_dictionary(
                session=session,
                dictionary=d,
                format=format,
                dest=output,
                storage=storage,
                progress=tick,
            )
    except WordkeepError as exc:
        _fail(exc)
    typer.echo(f"wrote {path}")
