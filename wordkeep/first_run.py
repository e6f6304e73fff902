"""First run: while no site admin exists, `wordkeep serve` prints a one-time setup link whose
page makes the first admin (lexicon.accounts.setup). A new link at each start, until an admin
exists; `wordkeep user add --admin` still makes one from the terminal."""

from __future__ import annotations

import typer
from sqlalchemy import Engine

from lexicon.accounts.setup import SETUP_HOURS, new_setup_link
from lexicon.db.engine import session_for
from wordkeep.settings import Settings


def print_setup_link(settings: Settings, engine: Engine, *, host: str, port: int) -> str | None:
    """Print the setup link if no admin exists yet; return it (None when there is an admin)."""
    with session_for(engine) as session:
        token = new_setup_link(session=session)
    if token is None:
        return None
    base = (settings.public_url or f"http://{host}:{port}").rstrip("/")
    url = f"{base}/setup/{token}"
    typer.echo(
        f"No admin account yet. Open this link to create it (it works once, for {SETUP_HOURS} h):\n"
        f"  {url}\n"
        "(or run: wordkeep user add EMAIL --admin)"
    )
    return url
