"""import job heartbeat: a running job's last sign of life, so a job whose process died is
reported failed instead of running forever

Revision ID: 0011_import_job_heartbeat
Revises: 0010_dictionary_generation
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011_import_job_heartbeat"
down_revision = "0010_dictionary_generation"  # the head when written; keep the chain linear
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("import_job") as batch:
        batch.add_column(
            sa.Column("heartbeat_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("import_job") as batch:
        batch.drop_column("heartbeat_at")
