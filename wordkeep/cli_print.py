"""`wordkeep print`: a dictionary, wordlist or flashcards as PDF, from the command line."""

from __future__ import annotations

from pathlib import Path

import typer

from lexicon import accounts, entries
from lexicon.accounts.access import ANONYMOUS
from lexicon.db.engine import session_for
from lexicon.media.storage import storage_from_url
from lexicon.printing import PrintOptions
from lexicon.printing.service import Selection, print_dictionary
from wordkeep.common import friendly, load_settings, open_engine


@friendly
def print_command(
    dictionary: str = typer.Option(..., "--dictionary", "-d", help="Slug of the dictionary."),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the PDF."),
    layout: str = typer.Option(
        "dictionary", "--layout", help="dictionary | wordlist | table | flashcards"
    ),
    letter: str | None = typer.Option(None, "--letter", help="Only entries under this letter."),
    domain: str | None = typer.Option(None, "--domain", help="Semantic domain code or name."),
    query: str | None = typer.Option(None, "--query", "-q", help="Search forms and glosses."),
    pos: str | None = typer.Option(None, "--pos", help="Part of speech."),
    status: str | None = typer.Option(None, "--status", help="draft | needs_review | published"),
    paper: str = typer.Option("a4", "--paper", help="a4 | letter"),
    font: str | None = typer.Option(None, "--font", help="Font family (default Charis SIL)."),
    font_file: list[Path] = typer.Option([], "--font-file", help="A font file to use (repeat)."),
    font_size: float | None = typer.Option(None, "--font-size", help="Points (6-24)."),
    langs: str | None = typer.Option(None, "--langs", help="Gloss languages, e.g. en,pt."),
    qr: bool = typer.Option(False, "--qr", help="A QR code per entry that opens its audio."),
    base_url: str = typer.Option(
        "", "--base-url", help="Site address the QR codes open (default: WORDKEEP_PUBLIC_URL)."
    ),
    as_user: str | None = typer.Option(
        None, "--as", help="Print what this user (email) may see; default: the public view."
    ),
    allow_uncovered: bool = typer.Option(
        False, "--allow-uncovered", help="Print even if a character has no glyph."
    ),
) -> None:
    """Print a dictionary, wordlist or flashcards as a typeset PDF."""
    settings = load_settings()
    options = PrintOptions(
        paper=paper,
        font_family=font,
        font_paths=tuple(str(p.resolve()) for p in font_file),
        font_size=font_size,
        langs=tuple(x.strip() for x in (langs or "").split(",") if x.strip()),
        qr=qr,
        base_url=base_url or settings.public_url or "",
        allow_uncovered=allow_uncovered,
    )
    selection = Selection(letter=letter, domain=domain, pos=pos, q=query, status=status)
    with session_for(open_engine(settings)) as session:
        found = entries.get_dictionary(session=session, slug=dictionary)
        viewer = ANONYMOUS
        if as_user:
            user = accounts.get_user(session=session, email=as_user)
            viewer = accounts.viewer_for_user(session=session, user=user)
        pdf, _ = print_dictionary(
            session=session, dictionary=found, viewer=viewer, selection=selection,
            layout=layout, options=options, storage=storage_from_url(settings.media_dir),
        )  # fmt: skip
    output.write_bytes(pdf)
    typer.echo(f"wrote {output} ({len(pdf):,} bytes)")
