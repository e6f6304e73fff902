"""The README documents every setting and every CLI command (and the commands it shows exist)."""

import re
from pathlib import Path

import typer

from wordkeep.cli import app
from wordkeep.settings import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def command_names(typer_app: typer.Typer, prefix: str = "") -> list[str]:
    names = []
    for command in typer_app.registered_commands:
        name = command.name or command.callback.__name__.replace("_", "-")
        names.append(f"{prefix}{name}")
    for group in typer_app.registered_groups:
        names += command_names(group.typer_instance, f"{prefix}{group.name} ")
    return names


def test_every_setting_is_in_the_readme():
    missing = [
        f"WORDKEEP_{name.upper()}"
        for name in Settings.model_fields
        if f"`WORDKEEP_{name.upper()}`" not in README
    ]
    assert missing == []


def test_every_command_is_in_the_readme():
    names = command_names(app)
    assert {"serve", "init", "import", "export", "print"} <= set(names)
    missing = [name for name in names if f"`wordkeep {name}" not in README]
    assert missing == []


def test_the_readme_names_no_command_that_does_not_exist():
    shown = set(re.findall(r"`wordkeep ([a-z]+(?: [a-z]+)?)", README))
    names = command_names(app)
    unknown = [
        s
        for s in shown
        if not any(s == n or s.startswith(n + " ") or n.startswith(s) for n in names)
    ]
    assert unknown == []
