"""browse indexes: a letter's page of entries, and its count, never visit the entry table

Browsing by letter counted the letter's entries by reading every entry row of the dictionary
(rows that carry the whole entry as JSON): 120 ms at 100,000 entries, before the page itself.
The two indexes on entries in the dictionary's order, the whole of it and per letter, now
carry what the access rule and the page's order read (lexicon.models.ENTRY_LISTED).

Revision ID: 0014_browse_indexes
Revises: 0013_covering_search_indexes
"""

from alembic import op

revision = "0014_browse_indexes"
down_revision = "0013_covering_search_indexes"  # the head when written; keep the chain linear
branch_labels = None
depends_on = None

LISTED = ["id", "status", "visibility", "circle"]  # keep in step with models.ENTRY_LISTED


def upgrade() -> None:
    op.drop_index("ix_entry_dict_sort", table_name="entry")
    op.drop_index("ix_entry_letter", table_name="entry")
    op.create_index(
        "ix_entry_dict_sort", "entry", ["dictionary_id", "deleted", "sort_key", "letter", *LISTED]
    )
    op.create_index(
        "ix_entry_letter", "entry", ["dictionary_id", "deleted", "letter", "sort_key", *LISTED]
    )


def downgrade() -> None:
    op.drop_index("ix_entry_dict_sort", table_name="entry")
    op.drop_index("ix_entry_letter", table_name="entry")
    op.create_index("ix_entry_dict_sort", "entry", ["dictionary_id", "deleted", "sort_key"])
    op.create_index("ix_entry_letter", "entry", ["letter"])
