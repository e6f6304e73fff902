"""The one error-to-exit-code table (wordkeep/common.py), through the real `wordkeep` app, and
the rules of the wordkeep/ package: no import circle, no project import inside a function, and
api/ imported only to serve."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from lexicon.errors import (
    Conflict,
    ImportRejected,
    InvalidInput,
    NotFound,
    TooLarge,
    WordkeepError,
)
from lexicon.io.safety import DEFAULT_LIMITS
from wordkeep import common
from wordkeep.cli import app

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures"
README = (ROOT / "README.md").read_text(encoding="utf-8")
runner = CliRunner()


@pytest.fixture
def cli(monkeypatch, database_url, dictionary, tmp_path):
    monkeypatch.setenv("WORDKEEP_DATABASE_URL", database_url)
    monkeypatch.setenv("WORDKEEP_MEDIA_DIR", str(tmp_path / "media"))
    return lambda *args: runner.invoke(app, [str(a) for a in args])


def test_each_error_maps_to_its_documented_code(cli, dictionary, tmp_path):
    slug = dictionary.slug
    # InvalidInput, here an ImportRejected: a LIFT file of a schema older than 0.13.
    old = cli("import", FIX / "lift-schema" / "simple-0.12.lift", "-d", slug)
    assert (old.exit_code, "older than 0.13" in old.output) == (2, True), old.output
    # TooLarge: an import file over the limit (sparse: it takes no room on disk).
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as f:
        f.truncate(DEFAULT_LIMITS.max_file_bytes + 1)
    big = cli("import", huge, "-d", slug)
    assert (big.exit_code, "over the import limit" in big.output) == (2, True), big.output
    # NotFound: no such dictionary, for an import, an export and a print alike.
    for args in (
        ("import", FIX / "lift-schema" / "simple-0.12.lift", "-d", "nope"),
        ("export", "-d", "nope", "-o", tmp_path / "x.zip"),
        ("print", "-d", "nope", "-o", tmp_path / "x.pdf"),
        ("token", "create", "nobody@example.org"),
    ):
        missing = cli(*args)
        assert missing.exit_code == 2, (args, missing.output)
        assert missing.output.startswith("error: "), missing.output
    # Anything else is 1: a Conflict, a restore into a database that has data.
    backup = cli("backup", "-o", tmp_path / "b")
    assert backup.exit_code == 0, backup.output
    restore = cli("restore", tmp_path / "b")
    assert (restore.exit_code, "not empty" in restore.output) == (1, True), restore.output


def test_the_table_is_the_documented_one():
    assert common.exit_code(TooLarge("x")) == common.exit_code(ImportRejected("x")) == 2
    assert common.exit_code(NotFound("x")) == common.exit_code(InvalidInput("x")) == 2
    assert common.exit_code(Conflict("x")) == 1
    section = README.split("## Command line", 1)[1].split("\n## ", 1)[0]
    for kind, code in common.EXIT_CODES:
        if kind not in (ValueError, WordkeepError):  # a setting; anything else
            assert f"`{kind.__name__}`" in section, kind
        assert f"`{code}`" in section, code


def test_a_message_is_printed_as_it_is():
    """Square brackets in a message (a language tag) are text, not Rich markup."""
    tiny = typer.Typer()
    tiny.command("a")(common.friendly(_refuse))
    tiny.command("b")(lambda: None)
    done = runner.invoke(tiny, ["a"])
    assert done.exit_code == 2
    assert "error: gloss [en] is missing [/x]" in done.output


def _refuse() -> None:
    raise InvalidInput("gloss [en] is missing [/x]")


PROJECT = ("api", "lexicon", "wordkeep")


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(module, inside a function?) for every import of a project module in `path`."""
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            names = []
            if isinstance(child, ast.Import):
                names = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                names = [child.module]
                if child.module == "wordkeep":
                    names = [f"wordkeep.{alias.name}" for alias in child.names]
            found.extend((n, in_function) for n in names if n.split(".")[0] in PROJECT)
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def test_wordkeep_imports_at_module_level_without_a_circle_and_api_only_to_serve():
    modules = {p.stem: _imports(p) for p in sorted((ROOT / "wordkeep").glob("*.py"))}
    inside = [(m, name) for m, found in modules.items() for name, nested in found if nested]
    assert inside == []
    web = {m for m, found in modules.items() for name, _ in found if name.split(".")[0] == "api"}
    assert web == {"cli_serve"}
    graph = {
        m: {name.split(".")[1] for name, _ in found if name.startswith("wordkeep.")}
        for m, found in modules.items()
    }

    def reaches(start, goal, seen=()):
        return any(
            n == goal or (n not in seen and reaches(n, goal, (*seen, n))) for n in graph[start]
        )

    assert [m for m in graph if reaches(m, m)] == []
