"""gloss articles: a gloss's leading English article is left out of its stems, as "to" is

"the fox", "a house": a learner's query with an article now finds the gloss `fox` as a whole
gloss, and a gloss written "a kind of tree" is found by "kind of tree" (lexicon/search/words.py
LEADING_WORDS). Entries with a gloss row whose stems begin with an article are listed in
`search_reindex`, in plain SQL; `lexicon.db.upgrade` rebuilds them with the index code of the
running version once the schema is at head (as 0019_example_rows).

Revision ID: 0024_gloss_articles
Revises: 0023_new_dictionary_jobs
"""

from alembic import op

revision = "0024_gloss_articles"
down_revision = "0023_new_dictionary_jobs"  # the head when written; keep the chain linear
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "INSERT INTO search_reindex (entry_id) SELECT DISTINCT s.entry_id FROM search_text s "
        "WHERE s.kind = 'gl' AND (s.stems LIKE 'a %' OR s.stems LIKE 'an %' "
        "OR s.stems LIKE 'the %') "
        "AND NOT EXISTS (SELECT 1 FROM search_reindex r WHERE r.entry_id = s.entry_id)"
    )


def downgrade() -> None:
    op.execute(
        "INSERT INTO search_reindex (entry_id) SELECT DISTINCT s.entry_id FROM search_text s "
        "WHERE s.kind = 'gl' AND (s.text LIKE 'a %' OR s.text LIKE 'an %' "
        "OR s.text LIKE 'the %' OR s.text LIKE 'A %' OR s.text LIKE 'An %' "
        "OR s.text LIKE 'The %') "
        "AND NOT EXISTS (SELECT 1 FROM search_reindex r WHERE r.entry_id = s.entry_id)"
    )
