"""`wordkeep dictionary create|list`, and `wordkeep import --create`: a dictionary made from
the command line, empty or from a file's own metadata (lexicon.io.starting).

Registered in wordkeep/cli.py; errors end a command through wordkeep/common.py's exit-code table.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from sqlmodel import Session, select

from lexicon import accounts, entries, languages
from lexicon.accounts.access import Viewer
from lexicon.errors import DictionaryNotFound, InvalidInput
from lexicon.io.importer import ImportReport
from lexicon.io.starting import (
    check_file,
    create_dictionary_from,
    dictionary_fields,
    propose_slug,
    read_findings,
)
from lexicon.media.storage import storage_from_url
from lexicon.models import Dictionary
from wordkeep.common import err, friendly, load_settings, open_engine

dictionary_app = typer.Typer(help="Create and list dictionaries.", no_args_is_help=True)
EVERYTHING = Viewer(user_id=0, is_admin=True)  # the operator at the terminal sees every entry


def register(app: typer.Typer) -> None:
    app.add_typer(dictionary_app, name="dictionary")


def language_fields(name: str, code: str) -> dict:
    """Name and code as given, each filled in from the ISO 639-3 table when the other is
    known there; the vernacular writing system and the CLDR alphabet follow from the code."""
    out: dict = {}
    if code and not name:
        name = languages.known_language_name(code)
    if name and not code:
        exact = languages.exact_language(name)
        code = exact.tag if exact is not None else ""
    if name:
        out["language_name"] = name
    if code:
        out["language_code"] = code
        out["vernacular_ws"] = [code]
        letters = languages.proposed_alphabet(code)
        if letters:
            out["alphabet"] = {"letters": letters}
    return out


def _owner_id(session: Session, email: str | None) -> int | None:
    return accounts.get_user(session=session, email=email).id if email else None


@dictionary_app.command("create")
@friendly
def create_command(
    slug: str = typer.Argument(..., help="Short name for web addresses (a-z, 0-9, hyphens)."),
    title: str = typer.Option(..., "--title", help="The dictionary's title."),
    language_name: str = typer.Option("", "--language-name", help="e.g. Sena."),
    language_code: str = typer.Option("", "--language-code", help="ISO 639-3 or BCP 47."),
    private: bool = typer.Option(False, "--private", help="Only its members may see it."),
    owner: str | None = typer.Option(None, "--owner", help="Email of the account to own it."),
) -> None:
    """Create an empty dictionary."""
    data = {
        "slug": slug,
        "title": title,
        "visibility": "private" if private else "public",
        **language_fields(language_name.strip(), language_code.strip()),
    }
    engine = open_engine(load_settings())
    try:
        with Session(engine, expire_on_commit=False) as session:
            dictionary, _ = create_dictionary_from(
                session=session, data=data, owner_id=_owner_id(session, owner)
            )
    finally:
        engine.dispose()
    language = f" ({dictionary.language_name})" if dictionary.language_name else ""
    typer.echo(f"created dictionary '{dictionary.slug}': {dictionary.title}{language}")


@dictionary_app.command("list")
@friendly
def list_command() -> None:
    """List every dictionary: slug, entries, visibility, language and title."""
    engine = open_engine(load_settings())
    try:
        with Session(engine, expire_on_commit=False) as session:
            rows = entries.list_dictionaries(session=session, viewer=EVERYTHING)
            counts = {
                d.slug: entries.count_entries(session=session, dictionary=d, viewer=EVERYTHING)
                for d in rows
            }
    finally:
        engine.dispose()
    if not rows:
        typer.echo("no dictionaries yet: wordkeep dictionary create SLUG --title TITLE")
        return
    for d in rows:
        language = d.language_name + (f" ({d.language_code})" if d.language_code else "")
        typer.echo(
            f"{d.slug}\t{counts[d.slug]} entries\t{d.visibility}\t{language or '-'}\t{d.title}"
        )


def missing(session: Session, slug: str) -> bool:
    """Whether no dictionary has this slug."""
    return session.exec(select(Dictionary.id).where(Dictionary.slug == slug)).first() is None


def not_found(slug: str, file: Path) -> DictionaryNotFound:
    """The error of `wordkeep import` into a dictionary that does not exist: how to make it."""
    return DictionaryNotFound(
        f"no dictionary {slug!r}; create it from the file with "
        f"`wordkeep import {file} --dictionary {slug} --create`, or empty with "
        f"`wordkeep dictionary create {slug} --title TITLE`"
    )


def import_creating(
    *,
    file: Path,
    slug: str,
    format: str | None,
    dry_run: bool,
    editor: str,
    options: dict,
    progress=None,
) -> ImportReport:
    """`wordkeep import FILE --dictionary SLUG --create` for a slug no dictionary has: the
    dictionary made from what the file says of itself (title, language, writing systems,
    alphabet, licence) and the import, in one transaction; a dry run only reports."""
    settings = load_settings()
    engine = open_engine(settings)
    try:
        findings = read_findings(file, format)
        title = findings.title or findings.language_name or slug
        given = {"slug": slug, "title": title}
        if not findings.language_code and findings.language_name:
            given.update(language_fields(findings.language_name, ""))
        data = dictionary_fields(findings, given)
        if propose_slug(slug) != slug:
            raise InvalidInput(f"--dictionary: {slug!r} is not a slug (a-z, 0-9, hyphens)")
        with Session(engine, expire_on_commit=False) as session:
            if dry_run:
                return check_file(
                    session=session, path=file, fields=data, format=format, options=options
                )
            dictionary, report = create_dictionary_from(
                session=session,
                data=data,
                path=file,
                format=format,
                storage=storage_from_url(settings.media_dir),
                editor=editor,
                options=options,
                progress=progress,
            )
    finally:
        engine.dispose()
    language = f", {dictionary.language_name}" if dictionary.language_name else ""
    ws = " ".join(dictionary.vernacular_ws)
    err.print(
        f"created dictionary '{escape(dictionary.slug)}': {escape(dictionary.title)}"
        f"{escape(language)} (writing systems {escape(ws)})"
    )
    return report
