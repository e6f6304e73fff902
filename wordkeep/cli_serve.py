"""`wordkeep init` and `wordkeep serve`: the database, the demo dictionary, and the web app.

The only module of wordkeep/ that imports api/: serving is what it is for.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer
import uvicorn
from sqlalchemy import Engine

from api.app import create_app
from api.middleware import configure_logging
from lexicon.db.engine import make_engine, session_for
from lexicon.media.storage import storage_from_url
from lexicon.operations.demo import load_demo, load_samples
from wordkeep.common import friendly, load_settings, open_engine
from wordkeep.first_run import print_setup_link
from wordkeep.serving import MediaSweeper, limit_malloc_arenas
from wordkeep.settings import Settings

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEMO_FILE = DATA_DIR / "demo" / "hdi.json"
SAMPLES_DIR = DATA_DIR / "demo" / "samples"  # small dictionaries with recordings and pictures


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


def load_demo_into(engine: Engine, settings: Settings) -> None:
    with session_for(engine) as session:
        loaded = [load_demo(session=session, path=DEMO_FILE)]
        loaded += load_samples(
            session=session, storage=storage_from_url(settings.media_dir), folder=SAMPLES_DIR
        )
    for dictionary, created in loaded:
        state = "loaded" if created else "already there"
        typer.echo(f"demo dictionary '{dictionary.slug}' {state}")


@friendly
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    demo: bool = typer.Option(False, "--demo", help="Load the demo dictionary (once)."),
    workers: int = typer.Option(1, help="Worker processes (each is stateless)."),
) -> None:
    """Upgrade the schema, then serve the web app and API (and sweep orphan media files)."""
    limit_malloc_arenas()  # first, while this process has no threads (wordkeep/serving.py)
    settings = load_settings()
    migrate_in_child(demo)
    engine = make_engine(settings.database_url)
    typer.echo(f"Wordkeep on http://{host}:{port}/  (API docs at /docs)")
    print_setup_link(settings, engine, host=host, port=port)  # while no admin exists
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
    """`wordkeep init [--demo]` in a short-lived child process: the migration scripts and
    Alembic's state while it runs (about 4 MB) then never sit in the serving process's memory.
    (Alembic itself is imported with the other commands, by wordkeep/common.py.)"""
    done = subprocess.run([sys.executable, "-m", "wordkeep", "init", *(["--demo"] * demo)])
    if done.returncode:
        raise typer.Exit(done.returncode)


def start_media_sweeper(settings: Settings, engine: Engine) -> MediaSweeper | None:
    """The background sweep of orphan media (None when WORDKEEP_MEDIA_SWEEP_INTERVAL is 0)."""
    if not settings.media_sweep_interval:
        return None
    configure_logging(settings.log_level)  # its log lines are JSON like the workers'
    return MediaSweeper(
        engine=engine,
        storage=storage_from_url(settings.media_dir),
        interval=settings.media_sweep_interval,
        grace=settings.media_sweep_grace,
    ).start()
