"""site secret: the generated session-signing key, shared by every app server (PostgreSQL)

With no WORDKEEP_SECRET_KEY set, the first start generates a random key and keeps it. With
PostgreSQL, several app servers serve one database and must sign cookies with one key, so the
key is a row here (lexicon.accounts.site_secret). SQLite keeps it in a file beside the database instead
(mode 0600), so this table is created on PostgreSQL only.

Revision ID: 0016_site_secret
Revises: 0015_session_generation
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_site_secret"
down_revision = "0015_session_generation"  # the head when written; keep the chain linear
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_table(
        "site_secret",
        sa.Column("name", sa.String(), primary_key=True),
        sa.Column("value", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_table("site_secret")
