"""nested scopes: a search row's scope is the conjunction of every scope enclosing its text

Before, a row kept only the narrowest of the scopes enclosing its text (entry, sense, subsense,
example), so a member of an inner example's circle found the example although the sense around
it was restricted to another circle. Rows now carry `lexicon.accounts.access.conjunction` of them all
(several circles joined in `circle`).

The rows of every entry with a sense or example that is not public (the only ones whose rows
can change) are listed in `search_reindex`, in plain SQL; `lexicon.db.upgrade` rebuilds them
with the index code of the running version once the schema is at head (so this migration never
reads tables through models that later migrations change), and empties the list.

Revision ID: 0017_nested_scopes
Revises: 0016_site_secret
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_nested_scopes"
down_revision = "0016_site_secret"  # the head when written; keep the chain linear
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("search_reindex", sa.Column("entry_id", sa.String(64), primary_key=True))
    op.execute(
        "INSERT INTO search_reindex (entry_id) SELECT e.id FROM entry e WHERE "
        "EXISTS (SELECT 1 FROM sense s WHERE s.entry_id = e.id AND s.visibility <> 'public') "
        "OR EXISTS (SELECT 1 FROM example x WHERE x.entry_id = e.id AND x.visibility <> 'public')"
    )


def downgrade() -> None:
    """Rows keep their joined scopes; older code reads a joined circle as no one's circle
    (only owners see those rows), which is closed, not open."""
    op.drop_table("search_reindex")
