"""`wordkeep import` and `wordkeep export`: the interchange formats from the command line.

Registered in wordkeep/cli.py; errors end a command through wordkeep/common.py's exit-code table.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.markup import escape
from sqlmodel import Session

from lexicon import entries
from lexicon.errors import DictionaryNotFound, InvalidInput
from lexicon.io.exporter import export_dictionary
from lexicon.io.importer import ImportReport, import_file
from lexicon.media.storage import storage_from_url
from wordkeep import cli_dictionary
from wordkeep.common import BAD_INPUT, err, friendly, load_settings, open_engine, progress_bar


@contextmanager
def _context(slug: str):
    settings = load_settings()
    engine = open_engine(settings)
    try:
        with Session(engine, expire_on_commit=False) as session:
            dictionary = entries.get_dictionary(session=session, slug=slug)
            yield session, dictionary, storage_from_url(settings.media_dir)
    finally:
        engine.dispose()


@friendly
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
    create: bool = typer.Option(
        False,
        "--create",
        help="Create the dictionary from the file's metadata (title, language, writing "
        "systems, alphabet) when none has this slug.",
    ),
) -> None:
    """Import a dictionary file: all entries or none, each with its first revision."""
    if not file.exists():
        raise InvalidInput(f"{file}: no such file or folder")
    options: dict = {"national": national} if national else {}
    try:
        if mapping:
            options["mapping"] = json.loads(mapping)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"--mapping: not valid JSON ({exc.msg})") from exc
    try:
        with _context(dictionary) as (session, d, storage), progress_bar(file.name) as tick:
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
    except DictionaryNotFound as exc:
        if not create:  # the message says how to create it
            raise cli_dictionary.not_found(dictionary, file) from exc
        with progress_bar(file.name) as tick:
            report = cli_dictionary.import_creating(
                file=file, slug=dictionary, format=format, dry_run=dry_run, editor=editor,
                options=options, progress=tick,
            )  # fmt: skip
    _show(report, dry_run)
    if report.errors:
        raise typer.Exit(BAD_INPUT)


def _show(report: ImportReport, dry_run: bool) -> None:
    """An import's warnings and errors (on stderr) and its counts."""
    for w in report.warnings[:20]:
        where = f"line {w['line']}: " if w.get("line") else ""
        err.print(f"[yellow]warning:[/yellow] {escape(where + w['message'])}")
    if len(report.warnings) > 20:
        err.print(f"[yellow]... and {len(report.warnings) - 20} more warnings[/yellow]")
    for e in report.errors:
        err.print(f"[red]error:[/red] line {e.get('line')}: {escape(e['message'])}")
    verb = "would import" if dry_run else "imported"
    typer.echo(
        f"{verb} {report.entries_read} entries ({report.format}): {report.created} new, "
        f"{report.updated} updated, {report.unchanged} unchanged, {report.deleted} deleted, "
        f"{report.skipped} "
        f"skipped; media {report.media_added} stored, {report.media_missing} missing"
    )


@friendly
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
    with _context(dictionary) as (session, d, storage), progress_bar(d.slug) as tick:
        path = export_dictionary(
            session=session,
            dictionary=d,
            format=format,
            dest=output,
            storage=storage,
            progress=tick,
        )
    typer.echo(f"wrote {path}")
