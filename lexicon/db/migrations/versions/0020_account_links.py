"""account links: invitations, password resets and the first-run setup link (issue 18)

Each is a single-use link whose token is kept only as its SHA-256 (`token_hash`), with an
expiry. `user.last_seen_at` records the last login, for the members page.

Revision ID: 0020_account_links
Revises: 0019_example_rows
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import UTCDateTime

revision = "0020_account_links"
down_revision = "0019_example_rows"  # the head when written; keep the chain linear
branch_labels = None
depends_on = None


def _link_columns() -> list:
    return [
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "invitation",
        *_link_columns(),
        sa.Column("dictionary_id", sa.Integer(), sa.ForeignKey("dictionary.id"), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("circles", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("used_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_invitation_token_hash", "invitation", ["token_hash"], unique=True)
    op.create_index("ix_invitation_dictionary_id", "invitation", ["dictionary_id"])
    op.create_table(
        "password_reset",
        *_link_columns(),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
    )
    op.create_index("ix_password_reset_token_hash", "password_reset", ["token_hash"], unique=True)
    op.create_index("ix_password_reset_user_id", "password_reset", ["user_id"])
    op.create_table(
        "setup_link",
        *_link_columns(),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_setup_link_token_hash", "setup_link", ["token_hash"], unique=True)
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("last_seen_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    # Not a batch: see 0015_session_generation (SQLite 3.35+ drops a plain column in place).
    op.drop_column("user", "last_seen_at")
    op.drop_table("setup_link")
    op.drop_table("password_reset")
    op.drop_table("invitation")
