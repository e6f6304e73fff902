"""gloss infinitives: a gloss's stems leave out a leading "to" ("to speak" is the gloss `speak`)

Written rows get the new stems from `search_index.gloss_words`; this rewrites the stored ones.
On SQLite the full-text table over glosses is external-content: each changed row's old words
are deleted from it and its new words added, in the same transaction.

Also: the partial indexes on headwords (ix_search_text_order) and glosses (ix_search_text_stems)
lose their `kind` column, constant in them. PostgreSQL drops a condition the index predicate
implies, so it could not seek past that unconstrained middle column and read every gloss of
the dictionary to find one (18 ms at 100,000 entries instead of 0.1).

Revision ID: 0012_gloss_infinitives
Revises: 0011_import_job_heartbeat
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_gloss_infinitives"
down_revision = "0011_import_job_heartbeat"  # the head when written; keep the chain linear
branch_labels = None
depends_on = None

_CHANGED = "kind = 'gl' AND stems LIKE 'to %'"
_PARTIAL = {
    "ix_search_text_order": (("dictionary_id", "kind", "sort_key", "norm", "folded"), "hw"),
    "ix_search_text_stems": (("dictionary_id", "kind", "stems", "sort_key"), "gl"),
}


def _partial_indexes(with_kind: bool) -> None:
    for name, (columns, kind) in _PARTIAL.items():
        op.drop_index(name, table_name="search_text")
        where = sa.text(f"kind = '{kind}'")
        columns = [c for c in columns if with_kind or c != "kind"]
        op.create_index(name, "search_text", columns, sqlite_where=where, postgresql_where=where)


def upgrade() -> None:
    _partial_indexes(with_kind=False)
    _infinitives()


def _infinitives() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute(f"UPDATE search_text SET stems = substr(stems, 4) WHERE {_CHANGED}")
        return
    op.execute(
        f"CREATE TEMP TABLE wk_infinitive AS SELECT id, stems FROM search_text WHERE {_CHANGED}"
    )
    op.execute(
        "INSERT INTO search_fts(search_fts, rowid, stems) "
        "SELECT 'delete', id, stems FROM wk_infinitive"
    )
    op.execute(
        "UPDATE search_text SET stems = substr(stems, 4) WHERE id IN (SELECT id FROM wk_infinitive)"
    )
    op.execute(
        "INSERT INTO search_fts(rowid, stems) SELECT id, substr(stems, 4) FROM wk_infinitive"
    )
    op.execute("DROP TABLE wk_infinitive")


def downgrade() -> None:
    """The indexes go back; the stems stay (older code reads them as a gloss without "to")."""
    _partial_indexes(with_kind=True)
