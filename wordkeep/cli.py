"""`wordkeep`: the command line. It calls lexicon/ directly (no HTTP).

Exit codes: 0 done, 2 bad input (nothing written), 1 anything else.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import typer
from rich.console import Console

from lexicon.errors import InvalidInput, NotFound, WordkeepError
from wordkeep.settings import Settings

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEMO_FILE = DATA_DIR / "demo" / "hdi.json"
SAMPLES_DIR = DATA_DIR / "demo" / "samples"  # small dictionaries with recordings and pictures

app = typer.Typer(
    help="Wordkeep: dictionaries for endangered languages.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)


def friendly(fn):
    """Turn domain errors into a one-line message and the documented exit code."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (InvalidInput, NotFound) as exc:
            err.print(f"[red]error:[/red] {exc.message}")
            raise typer.Exit(2) from exc
        except WordkeepError as exc:
            err.print(f"[red]error:[/red] {exc.message}")
            raise typer.Exit(1) from exc
        except ValueError as exc:  # settings that do not validate
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from exc

    return wrapper


def open_engine(settings: Settings):
    """The configured database, migrated to the newest schema."""
    from lexicon.db.engine import make_engine
    from lexicon.operations.upgrade import upgrade

    engine = make_engine(settings.database_url)
    upgrade(engine)
    return engine


def load_settings() -> Settings:
    try:
        return Settings()
    except ValueError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc


@app.command()
@friendly
def init(
    demo: bool = typer.Option(False, "--demo", help="Also load the demo dictionary."),
) -> None:
    """Create (or upgrade) the database schema and the media folder."""
    settings = load_settings()
    engine = open_engine(settings)
    if "://" not in settings.media_dir:
        Path(settings.media_dir).mkdir(parents=True, exist_ok=True)
    typer.echo(f"database ready: {engine.url.render_as_string(hide_password=True)}")
    if demo:
        load_demo_into(engine, settings)


def load_demo_into(engine, settings: Settings) -> None:
    from lexicon.db.engine import session_for
    from lexicon.media.storage import storage_from_url
    from lexicon.operations.demo import load_demo, load_samples

    with session_for(engine) as session:
        loaded = [load_demo(session=session, path=DEMO_FILE)]
        loaded += load_samples(
            session=session, storage=storage_from_url(settings.media_dir), folder=SAMPLES_DIR
        )
    for dictionary, created in loaded:
        state = "loaded" if created else "already there"
        typer.echo(f"demo dictionary '{dictionary.slug}' {state}")


@app.command()
@friendly
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    demo: bool = typer.Option(False, "--demo", help="Load the demo dictionary (once)."),
    workers: int = typer.Option(1, help="Worker processes (each is stateless)."),
) -> None:
    """Upgrade the schema, then serve the web app and API (and sweep orphan media files)."""
    import uvicorn

    from wordkeep.serving import limit_malloc_arenas

    limit_malloc_arenas()  # first, while this process has no threads (wordkeep/serving.py)
    settings = load_settings()
    migrate_in_child(demo)
    from lexicon.db.engine import make_engine

    engine = make_engine(settings.database_url)
    typer.echo(f"Wordkeep on http://{host}:{port}/  (API docs at /docs)")
    sweeper = start_media_sweeper(settings, engine)
    try:
        if workers > 1:
            engine.dispose()  # the workers open their own; the sweeper reconnects when it runs
            uvicorn.run(
                "api.app:create_app",
                factory=True,
                host=host,
                port=port,
                workers=workers,
                log_level=settings.log_level,
                access_log=False,
            )
            return
        from api.app import create_app

        # api/middleware.py writes a JSON access log with request ids; uvicorn's would repeat it.
        uvicorn.run(
            create_app(settings, engine=engine),
            host=host,
            port=port,
            log_level=settings.log_level,
            access_log=False,
        )
    finally:
        if sweeper is not None:
            sweeper.stop()


def migrate_in_child(demo: bool) -> None:
    """`wordkeep init [--demo]` in a short-lived child process: Alembic and the migration scripts
    (about 12 MB once imported) then never sit in the serving process's memory."""
    import subprocess

    done = subprocess.run([sys.executable, "-m", "wordkeep", "init", *(["--demo"] * demo)])
    if done.returncode:
        raise typer.Exit(done.returncode)


def start_media_sweeper(settings: Settings, engine):
    """The background sweep of orphan media (None when WORDKEEP_MEDIA_SWEEP_INTERVAL is 0)."""
    if not settings.media_sweep_interval:
        return None
    from api.middleware import configure_logging
    from lexicon.media.storage import storage_from_url
    from wordkeep.serving import MediaSweeper

    configure_logging(settings.log_level)  # its log lines are JSON like the workers'
    return MediaSweeper(
        engine=engine,
        storage=storage_from_url(settings.media_dir),
        interval=settings.media_sweep_interval,
        grace=settings.media_sweep_grace,
    ).start()


from wordkeep import cli_backup, cli_io, cli_users  # noqa: E402
from wordkeep.cli_print import print_command  # noqa: E402

app.command("import")(cli_io.import_command)
app.command("export")(cli_io.export_command)
app.command("print")(friendly(print_command))
app.command("backup")(cli_backup.backup_command)
app.command("restore")(cli_backup.restore_command)
app.command("check-media")(cli_backup.check_command)
cli_users.register(app)


def main() -> None:
    app(prog_name="wordkeep")


if __name__ == "__main__":
    sys.exit(main())
