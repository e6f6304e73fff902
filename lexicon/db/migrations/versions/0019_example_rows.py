"""example rows: example sentences and their translations get a search row kind of their own

Before, an entry's definitions and examples of one scope shared one `tx` row, so search could
not rank a word of an example below a word of a definition (issue 20). Examples now go to `ex`
rows: SQLite gets a third FTS5 table (`search_fts_ex`, filled by the indexer like the others,
emptied by the delete trigger), PostgreSQL a partial GIN index.

Every entry is listed in `search_reindex`, in plain SQL; `lexicon.db.upgrade` rebuilds them
with the index code of the running version once the schema is at head (as 0017_nested_scopes).

Revision ID: 0019_example_rows
Revises: 0018_recording_consent
"""

from alembic import op

revision = "0019_example_rows"
down_revision = "0018_recording_consent"  # the head when written; keep the chain linear
branch_labels = None
depends_on = None

_FTS = "USING fts5(stems, content='search_text', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"  # noqa: E501


def _sqlite_delete_trigger(text_kinds: tuple[str, ...]) -> None:
    """The delete trigger of 0009_search_speed, for the full-text tables of `text_kinds`."""
    texts = "".join(
        f"  INSERT INTO {table}({table}, rowid, stems)\n"
        f"    SELECT 'delete', old.id, old.stems WHERE old.kind = '{kind}';\n"
        for table, kind in (("search_fts_tx", "tx"), ("search_fts_ex", "ex"))
        if kind in text_kinds
    )
    op.execute("DROP TRIGGER IF EXISTS search_text_ad")
    op.execute(
        f"""CREATE TRIGGER search_text_ad AFTER DELETE ON search_text BEGIN
  INSERT INTO search_fts(search_fts, rowid, stems)
    SELECT 'delete', old.id, old.stems WHERE old.kind IN ('gl');
{texts}  INSERT INTO search_tri(search_tri, rowid, folded)
    SELECT 'delete', old.id, old.folded WHERE old.kind = 'hw';
END"""
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts_ex")
        op.execute(f"CREATE VIRTUAL TABLE search_fts_ex {_FTS}")
        _sqlite_delete_trigger(("tx", "ex"))
    else:
        op.execute(
            "CREATE INDEX ix_search_text_tsv_ex ON search_text "
            "USING gin (to_tsvector('simple'::regconfig, stems)) WHERE kind = 'ex'"
        )
    op.execute(
        "INSERT INTO search_reindex (entry_id) SELECT e.id FROM entry e "
        "WHERE NOT EXISTS (SELECT 1 FROM search_reindex r WHERE r.entry_id = e.id)"
    )


def downgrade() -> None:
    """Example rows become text rows again (the older code searches `tx` rows only)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "INSERT INTO search_fts_tx(rowid, stems) SELECT id, stems FROM search_text "
            "WHERE kind = 'ex'"
        )
        op.execute("UPDATE search_text SET kind = 'tx' WHERE kind = 'ex'")
        _sqlite_delete_trigger(("tx",))
        op.execute("DROP TABLE IF EXISTS search_fts_ex")
        return
    op.execute("UPDATE search_text SET kind = 'tx' WHERE kind = 'ex'")
    op.execute("DROP INDEX IF EXISTS ix_search_text_tsv_ex")
