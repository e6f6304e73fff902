"""indexes on media_sha256: serving a recording looks up what uses it (access check)

Without them every media request scans the example, pronunciation and picture tables
(bench/load.py, 100,000 entries: audio range requests p50 1.2 s).

Revision ID: 0006_media_sha256_indexes
Revises: 0002_search
"""

from alembic import op

revision = "0006_media_sha256_indexes"
down_revision = "0002_search"  # chain after the newest migration when 0003-0005 land
branch_labels = None
depends_on = None

TABLES = ("pronunciation", "example", "picture")


def upgrade() -> None:
    for table in TABLES:
        op.create_index(f"ix_{table}_media_sha256", table, ["media_sha256"])


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_media_sha256", table_name=table)
