"""What every `wordkeep` command shares: the settings, the database, stderr, and the one table
from error to exit code.

Exit codes (README.md, "Command line"): 0 done; 2 bad input, nothing written (input that is
invalid or refused, something named that does not exist, a file over a limit or of a kind not
accepted, a setting or option that does not validate); 1 anything else.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine
from sqlmodel import Session

from lexicon import texts
from lexicon.db.engine import make_engine
from lexicon.errors import InvalidInput, NotFound, TooLarge, UnsupportedMedia, WordkeepError
from lexicon.media.storage import storage_from_url
from lexicon.operations.upgrade import upgrade
from wordkeep.settings import Settings

DONE, FAILED, BAD_INPUT = 0, 1, 2

# The one table, first match wins. InvalidInput covers ImportRejected (and every format's own
# refusal); ValueError is a setting or option that does not validate (pydantic's ValidationError
# is one). Any other WordkeepError (Conflict, Forbidden, ...) fails with 1; other exceptions are
# bugs and keep their traceback.
EXIT_CODES: tuple[tuple[type[Exception], int], ...] = (
    (InvalidInput, BAD_INPUT),
    (NotFound, BAD_INPUT),
    (TooLarge, BAD_INPUT),
    (UnsupportedMedia, BAD_INPUT),
    (ValueError, BAD_INPUT),
    (WordkeepError, FAILED),
)
HANDLED = tuple(kind for kind, _ in EXIT_CODES)

err = Console(stderr=True, soft_wrap=True)


def exit_code(exc: Exception) -> int:
    """The documented exit code for an error of the table (FAILED for any other)."""
    for kind, code in EXIT_CODES:
        if isinstance(exc, kind):
            return code
    return FAILED


def fail(exc: Exception) -> typer.Exit:
    """Print the error's one-line message on stderr; the Exit to raise with its code."""
    message = getattr(exc, "message", None) or str(exc)
    err.print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(exit_code(exc))


def friendly(fn):
    """A command whose errors of the table end it with their message and exit code."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except HANDLED as exc:
            raise fail(exc) from exc

    return wrapper


def load_settings() -> Settings:
    """The settings from the environment (ones that do not validate raise ValueError: exit 2)."""
    return Settings()


def open_engine(settings: Settings) -> Engine:
    """The configured database, migrated to the newest schema."""
    engine = make_engine(settings.database_url)
    upgrade(engine)
    return engine


@contextmanager
def progress_bar(label: str, counts: bool = True):
    """A Rich progress bar on stderr; yields the callback the domain calls with (done, total,
    stage). `counts`: show done/total (entries, segments), else a percentage (milliseconds
    of a recording read)."""
    amount = MofNCompleteColumn() if counts else TextColumn("{task.percentage:>3.0f}%")
    with Progress(TextColumn("{task.description}"), BarColumn(), amount, TimeElapsedColumn(),
                  console=err, transient=True) as progress:  # fmt: skip
        task = progress.add_task(label, total=None)

        def tick(done: int, total: int, stage: str) -> None:
            progress.update(
                task, completed=done, total=total or None, description=f"{label}: {stage}"
            )

        yield tick


@contextmanager
def opened_text(text_id: str):
    """(session, the text's dictionary, the text, media storage) for the text `text_id`, the
    engine disposed of afterwards."""
    settings = load_settings()
    engine = open_engine(settings)
    try:
        with Session(engine, expire_on_commit=False) as session:
            dictionary, text = texts.find_text(session=session, text_id=text_id)
            yield session, dictionary, text, storage_from_url(settings.media_dir)
    finally:
        engine.dispose()
