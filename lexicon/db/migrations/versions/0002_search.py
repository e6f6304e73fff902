"""search index: folded texts, FTS5/trigram (SQLite) or pg_trgm/tsvector (PostgreSQL), vocabulary

Revision ID: 0002_search
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_search"
down_revision = "0001"
branch_labels = None
depends_on = None


def _text_c():
    # Prefix searches are range scans: they need code point order, not a locale's.
    return sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "search_text",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("dictionary_id", sa.Integer(), sa.ForeignKey("dictionary.id"), nullable=False),
        sa.Column("entry_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(4), nullable=False),  # hw gl tx dom pos
        sa.Column("field", sa.String(16), nullable=False),
        sa.Column("lang", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("norm", _text_c(), nullable=False),
        sa.Column("folded", _text_c(), nullable=False),
        sa.Column("stems", sa.Text(), nullable=False),
        sa.Column("sort_key", _text_c(), nullable=False),
        sa.Column("visibility", sa.String(16), nullable=False),
        sa.Column("circle", sa.String(200), nullable=True),
        sa.Column("e_visibility", sa.String(16), nullable=False),
        sa.Column("e_circle", sa.String(200), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_index("ix_search_text_entry", "search_text", ["entry_id"])
    op.create_index(
        "ix_search_text_norm", "search_text", ["dictionary_id", "kind", "norm", "sort_key"]
    )
    op.create_index(
        "ix_search_text_folded", "search_text", ["dictionary_id", "kind", "folded", "sort_key"]
    )
    # Short prefixes match thousands of headwords: walk them in alphabetical order instead.
    headwords_only = sa.text("kind = 'hw'")
    op.create_index(
        "ix_search_text_order",
        "search_text",
        ["dictionary_id", "kind", "sort_key", "norm", "folded"],
        sqlite_where=headwords_only,
        postgresql_where=headwords_only,
    )
    gloss_only = sa.text("kind = 'gl'")
    op.create_index(
        "ix_search_text_stems",
        "search_text",
        ["dictionary_id", "kind", "stems", "sort_key"],
        sqlite_where=gloss_only,
        postgresql_where=gloss_only,
    )
    op.create_table(
        "search_vocab",
        sa.Column("dictionary_id", sa.Integer(), sa.ForeignKey("dictionary.id"), nullable=False),
        sa.Column("key", _text_c(), nullable=False),
        sa.Column("word", _text_c(), nullable=False),
        sa.PrimaryKeyConstraint("dictionary_id", "key", "word"),
    )
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_up()
    else:
        _postgres_up()


def _sqlite_up() -> None:
    # External-content FTS5 tables kept in step by triggers; rows are only inserted and deleted.
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5(stems, content='search_text', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    # SQLite < 3.45 cannot remove diacritics in the trigram tokenizer: it indexes `folded`.
    op.execute(
        "CREATE VIRTUAL TABLE search_tri USING fts5(folded, content='search_text', "
        "content_rowid='id', tokenize='trigram')"
    )
    op.execute(
        """CREATE TRIGGER search_text_ai AFTER INSERT ON search_text BEGIN
  INSERT INTO search_fts(rowid, stems) SELECT new.id, new.stems WHERE new.kind IN ('gl', 'tx');
  INSERT INTO search_tri(rowid, folded) SELECT new.id, new.folded WHERE new.kind = 'hw';
END"""
    )
    op.execute(
        """CREATE TRIGGER search_text_ad AFTER DELETE ON search_text BEGIN
  INSERT INTO search_fts(search_fts, rowid, stems)
    SELECT 'delete', old.id, old.stems WHERE old.kind IN ('gl', 'tx');
  INSERT INTO search_tri(search_tri, rowid, folded)
    SELECT 'delete', old.id, old.folded WHERE old.kind = 'hw';
END"""
    )


def _postgres_up() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        "CREATE INDEX ix_search_text_trgm ON search_text USING gin (folded gin_trgm_ops) "
        "WHERE kind = 'hw'"
    )
    op.execute(
        "CREATE INDEX ix_search_text_tsv ON search_text "
        "USING gin (to_tsvector('simple'::regconfig, stems)) WHERE kind IN ('gl', 'tx')"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS search_text_ai")
        op.execute("DROP TRIGGER IF EXISTS search_text_ad")
        op.execute("DROP TABLE IF EXISTS search_fts")
        op.execute("DROP TABLE IF EXISTS search_tri")
    op.drop_table("search_vocab")
    op.drop_table("search_text")
