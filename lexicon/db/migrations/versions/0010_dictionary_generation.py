"""dictionary generation: a counter every write to a dictionary's entries or settings bumps

Caches of derived results (search and browse pages) key on it, so any worker can tell whether
what it holds is still current from the dictionary row it reads anyway.

Revision ID: 0010_dictionary_generation
Revises: 0009_search_speed
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_dictionary_generation"
down_revision = "0009_search_speed"  # the head when written; keep the chain linear
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dictionary") as batch:
        batch.add_column(sa.Column("generation", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("dictionary") as batch:
        batch.drop_column("generation")
