"""`wordkeep backup`, `wordkeep restore` and `wordkeep check-media`: a consistent copy of the
database and media, and the media store compared with the database."""

from __future__ import annotations

from pathlib import Path

import typer

from lexicon.db.engine import make_engine, session_for
from lexicon.media.storage import storage_from_url
from lexicon.media.sweep import check_media, sweep_once
from lexicon.operations.backup import create_backup, restore_backup
from wordkeep.common import FAILED, err, friendly, load_settings, open_engine


@friendly
def backup_command(
    output: Path = typer.Option(..., "--output", "-o", help="A new (or empty) folder."),
) -> None:
    """Back up the database and media (safe while the server runs) into a folder."""
    settings = load_settings()
    engine = open_engine(settings)
    manifest = create_backup(
        engine=engine, storage=storage_from_url(settings.media_dir), dest=output
    )
    database = manifest["database"]
    media = sum(1 for f in manifest["files"] if "key" in f)
    typer.echo(
        f"backup written to {output}: {database['kind']} ({database['method']}), "
        f"{database['counts'].get('entry', 0)} entries, {media} media files"
    )
    for key in manifest["missing_media"]:
        err.print(f"[yellow]warning:[/yellow] media {key} is named by the database but missing")


@friendly
def restore_command(
    source: Path = typer.Argument(..., help="A folder written by `wordkeep backup`."),
) -> None:
    """Restore a backup into an empty database (checks every file first; refuses a bad one)."""
    settings = load_settings()
    # Not migrated first: the restore checks the backup before it changes anything.
    engine = make_engine(settings.database_url)
    manifest = restore_backup(
        engine=engine, storage=storage_from_url(settings.media_dir), source=source
    )
    counts = manifest["database"]["counts"]
    typer.echo(f"restored {counts.get('entry', 0)} entries from {source}")


@friendly
def check_command(
    repair: bool = typer.Option(False, "--repair", help="Delete orphan and partial files."),
    older_than: float = typer.Option(
        None,
        "--older-than",
        help="Seconds (default WORDKEEP_MEDIA_SWEEP_GRACE); younger files may belong to an "
        "upload in flight and are kept.",
    ),
) -> None:
    """Compare the media store with the database: orphan, missing and half-written files."""
    settings = load_settings()
    storage = storage_from_url(settings.media_dir)
    engine = open_engine(settings)
    with session_for(engine) as session:
        found = check_media(session=session, storage=storage)
    for kind in ("orphans", "partial", "missing"):
        for name in found[kind]:
            typer.echo(f"{kind[:-1] if kind.endswith('s') else kind}: {name}")
    if repair:
        grace = settings.media_sweep_grace if older_than is None else older_than
        # The same locked sweep `wordkeep serve` runs in the background.
        removed = sweep_once(engine=engine, storage=storage, older_than=grace)
        if removed is None:
            err.print("[yellow]another server is sweeping now; nothing removed[/yellow]")
        else:
            typer.echo(f"removed {len(removed)} files")
    if found["missing"]:
        err.print(f"[red]error:[/red] {len(found['missing'])} media files are missing")
        raise typer.Exit(FAILED)
