"""import jobs: background imports whose progress and report a page polls

Revision ID: 0008_import_jobs
Revises: 0006_media_sha256_indexes
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008_import_jobs"
down_revision = "0006_media_sha256_indexes"  # the head when written; keep the chain linear
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_job",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column(
            "dictionary_id",
            sa.Integer(),
            sa.ForeignKey("dictionary.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("format", sa.String(), nullable=False),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("stage", sa.String(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("error", sa.String(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    )
    op.create_index("ix_import_job_dictionary_id", "import_job", ["dictionary_id"])


def downgrade() -> None:
    op.drop_index("ix_import_job_dictionary_id", table_name="import_job")
    op.drop_table("import_job")
