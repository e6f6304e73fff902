"""search speed: glosses and long texts in separate full-text indexes

A gloss search used to MATCH an index of glosses and definitions/examples together and then
throw the text rows away: a common word ("is", "kin*") read thousands of rows to find a few
glosses. SQLite gets a second FTS5 table (`search_fts_tx`) for the texts; PostgreSQL gets one
partial GIN index per kind. On SQLite the insert trigger goes: the indexer fills the full-text
tables with one INSERT ... SELECT per batch (`search_index.reindex_entries`), which costs half
of a trigger firing per row; the delete trigger stays.

Revision ID: 0009_search_speed
Revises: 0008_import_jobs
"""

from alembic import op

revision = "0009_search_speed"
down_revision = "0008_import_jobs"  # the head when written; keep the chain linear
branch_labels = None
depends_on = None

_FTS = "USING fts5(stems, content='search_text', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"  # noqa: E501


def _sqlite_triggers(gloss_kinds: str, text_table: str | None) -> None:
    """The delete trigger, and (downgrade only: `text_table` None) the old insert trigger."""
    op.execute("DROP TRIGGER IF EXISTS search_text_ai")
    op.execute("DROP TRIGGER IF EXISTS search_text_ad")
    text_ad = ""
    if text_table:
        text_ad = (
            f"  INSERT INTO {text_table}({text_table}, rowid, stems)\n"
            "    SELECT 'delete', old.id, old.stems WHERE old.kind = 'tx';\n"
        )
    else:
        op.execute(
            f"""CREATE TRIGGER search_text_ai AFTER INSERT ON search_text BEGIN
  INSERT INTO search_fts(rowid, stems) SELECT new.id, new.stems WHERE new.kind IN ({gloss_kinds});
  INSERT INTO search_tri(rowid, folded) SELECT new.id, new.folded WHERE new.kind = 'hw';
END"""
        )
    op.execute(
        f"""CREATE TRIGGER search_text_ad AFTER DELETE ON search_text BEGIN
  INSERT INTO search_fts(search_fts, rowid, stems)
    SELECT 'delete', old.id, old.stems WHERE old.kind IN ({gloss_kinds});
{text_ad}  INSERT INTO search_tri(search_tri, rowid, folded)
    SELECT 'delete', old.id, old.folded WHERE old.kind = 'hw';
END"""
    )


def _sqlite_fill(table: str, kinds: str) -> None:
    op.execute(f"DROP TABLE IF EXISTS {table}")
    op.execute(f"CREATE VIRTUAL TABLE {table} {_FTS}")
    op.execute(
        f"INSERT INTO {table}(rowid, stems) SELECT id, stems FROM search_text "
        f"WHERE kind IN ({kinds})"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_fill("search_fts", "'gl'")
        _sqlite_fill("search_fts_tx", "'tx'")
        _sqlite_triggers("'gl'", "search_fts_tx")
        return
    for kind in ("gl", "tx"):
        op.execute(
            f"CREATE INDEX ix_search_text_tsv_{kind} ON search_text "
            f"USING gin (to_tsvector('simple'::regconfig, stems)) WHERE kind = '{kind}'"
        )
    op.execute("DROP INDEX IF EXISTS ix_search_text_tsv")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts_tx")
        _sqlite_fill("search_fts", "'gl', 'tx'")
        _sqlite_triggers("'gl', 'tx'", None)
        return
    op.execute(
        "CREATE INDEX ix_search_text_tsv ON search_text "
        "USING gin (to_tsvector('simple'::regconfig, stems)) WHERE kind IN ('gl', 'tx')"
    )
    op.execute("DROP INDEX IF EXISTS ix_search_text_tsv_gl")
    op.execute("DROP INDEX IF EXISTS ix_search_text_tsv_tx")
