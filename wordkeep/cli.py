"""`wordkeep`: the command line. It calls lexicon/ directly (no HTTP).

This module assembles the commands; each lives in a `cli_*` module, and what they share (the
settings, the database, the error-to-exit-code table) in wordkeep/common.py. Exit codes: 0 done,
2 bad input (nothing written), 1 anything else.
"""

from __future__ import annotations

import sys

import typer

from wordkeep import (
    cli_align,
    cli_backup,
    cli_dictionary,
    cli_io,
    cli_print,
    cli_segment,
    cli_serve,
    cli_text,
    cli_text_print,
    cli_users,
)

app = typer.Typer(
    help="Wordkeep: dictionaries for endangered languages.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("init")(cli_serve.init)
app.command("serve")(cli_serve.serve)
app.command("import")(cli_io.import_command)
app.command("export")(cli_io.export_command)
app.command("print")(cli_print.print_command)
app.command("backup")(cli_backup.backup_command)
app.command("restore")(cli_backup.restore_command)
app.command("check-media")(cli_backup.check_command)
cli_users.register(app)  # `user ...` and `token ...`
cli_dictionary.register(app)  # `dictionary create|list`
cli_text.register(app)  # `text import|export`
cli_segment.register(cli_text.text_app)  # `text segment`
cli_align.register(cli_text.text_app)  # `text align`
cli_text_print.register(cli_text.text_app)  # `text print`


def main() -> None:
    app(prog_name="wordkeep")


if __name__ == "__main__":
    sys.exit(main())
