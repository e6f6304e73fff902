"""new-dictionary jobs: an import job may have no dictionary yet (the wizard's import creates
its dictionary in the job's own transaction, so a failed one leaves only its job row)

Revision ID: 0023_new_dictionary_jobs
Revises: 0022_text_words
"""

import sqlalchemy as sa
from alembic import op

revision = "0023_new_dictionary_jobs"
down_revision = "0022_text_words"  # the head when written; keep the chain linear
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("import_job") as batch:
        batch.alter_column("dictionary_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM import_job WHERE dictionary_id IS NULL")
    with op.batch_alter_table("import_job") as batch:
        batch.alter_column("dictionary_id", existing_type=sa.Integer(), nullable=False)
