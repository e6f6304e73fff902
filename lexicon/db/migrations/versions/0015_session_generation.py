"""session generation: logging out (or a password change, or an admin) ends every session

A session cookie carries the user's `session_generation` from the moment of login; a request
whose cookie carries an older one is anonymous. Logging out, changing the password and
`wordkeep user logout EMAIL` add one to it. Cookies signed before this migration carry none and
count as generation 0 until the first such bump.

Revision ID: 0015_session_generation
Revises: 0014_browse_indexes
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_session_generation"
down_revision = "0014_browse_indexes"  # the head when written; keep the chain linear
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.add_column(
            sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    # Not a batch: SQLite would copy `user` and drop the old table, which the foreign keys of
    # memberships and tokens refuse. SQLite 3.35+ drops a plain column in place.
    op.drop_column("user", "session_generation")
