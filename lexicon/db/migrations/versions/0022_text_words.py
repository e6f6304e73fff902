"""text_word: each word and morpheme of a text's segments with the entry it is linked to,
kept in step with every text write (issue 22: the concordance and new-word candidates).

Revision ID: 0022_text_words
Revises: 0021_texts
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision = "0022_text_words"
down_revision = "0021_texts"  # the head when written; keep the chain linear
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "text_word",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("dictionary_id", sa.Integer(), sa.ForeignKey("dictionary.id"), nullable=False),
        sa.Column("text_id", AutoString(length=64), sa.ForeignKey("text.id"), nullable=False),
        sa.Column("segment_id", AutoString(length=64), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("m", sa.Integer(), nullable=False),
        sa.Column("form", AutoString(), nullable=False),
        sa.Column(
            "folded",
            sa.String().with_variant(sa.String(collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("entry_id", AutoString(length=64), nullable=True),
        sa.Column("link", AutoString(), nullable=False),
    )
    op.create_index("ix_text_word_text_id", "text_word", ["text_id"])
    op.create_index("ix_text_word_entry", "text_word", ["dictionary_id", "entry_id"])
    op.create_index("ix_text_word_folded", "text_word", ["dictionary_id", "folded"])


def downgrade() -> None:
    op.drop_table("text_word")
