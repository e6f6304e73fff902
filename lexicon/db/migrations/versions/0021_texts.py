"""texts: recorded stories and oral histories with their segments and revisions (issue 22)

`text` holds a text's description, scope and long recording (`media_sha256`); `text_segment`
one row per utterance (so that segments can be queried: the concordance); `text_revision` the
whole text dict after each change, restorable like an entry's (docs/text-shape.md).

Revision ID: 0021_texts
Revises: 0020_account_links
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision = "0021_texts"
down_revision = "0020_account_links"  # the head when written; keep the chain linear
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "text",
        sa.Column("id", AutoString(length=64), primary_key=True),
        sa.Column("dictionary_id", sa.Integer(), sa.ForeignKey("dictionary.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=False),
        sa.Column("genre", AutoString(), nullable=False),
        sa.Column("recorded_on", AutoString(), nullable=False),
        sa.Column("place", AutoString(), nullable=False),
        sa.Column("speakers", sa.JSON(), nullable=False),
        sa.Column("visibility", AutoString(), nullable=False),
        sa.Column("circle", AutoString(), nullable=True),
        sa.Column("status", AutoString(), nullable=False),
        sa.Column("media_sha256", AutoString(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", AutoString(), nullable=False),
        sa.Column("updated_by", AutoString(), nullable=False),
    )
    op.create_index("ix_text_dictionary_id", "text", ["dictionary_id"])
    op.create_index("ix_text_media_sha256", "text", ["media_sha256"])
    op.create_table(
        "text_segment",
        sa.Column("id", AutoString(length=64), primary_key=True),
        sa.Column("text_id", AutoString(), sa.ForeignKey("text.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("start", sa.Float(), nullable=True),
        sa.Column("end", sa.Float(), nullable=True),
        sa.Column("speaker", AutoString(), nullable=True),
        sa.Column("text", sa.JSON(), nullable=False),
        sa.Column("translation", sa.JSON(), nullable=False),
        sa.Column("visibility", AutoString(), nullable=False),
        sa.Column("circle", AutoString(), nullable=True),
        sa.Column("words", sa.JSON(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
    )
    op.create_index("ix_text_segment_text_id", "text_segment", ["text_id"])
    op.create_table(
        "text_revision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("text_id", AutoString(), sa.ForeignKey("text.id"), nullable=False),
        sa.Column("dictionary_id", sa.Integer(), sa.ForeignKey("dictionary.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("action", AutoString(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("editor", AutoString(), nullable=False),
        sa.Column("comment", AutoString(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("text_id", "number"),
    )
    op.create_index("ix_text_revision_text_id", "text_revision", ["text_id"])
    op.create_index("ix_text_revision_dictionary_id", "text_revision", ["dictionary_id"])


def downgrade() -> None:
    op.drop_table("text_revision")
    op.drop_table("text_segment")
    op.drop_table("text")
