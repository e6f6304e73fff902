"""recording consent: a pronunciation's consent to publish and to use in speech tools, and
whether its speaker may be named; an example's recording notes get their own column

The consent flags are three-valued (NULL: not recorded). An example's recording notes (speaker,
dialect, place, date, consent) were kept in `extra["recording"]`; they move to `recording`.

Revision ID: 0018_recording_consent
Revises: 0017_nested_scopes
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0018_recording_consent"
down_revision = "0017_nested_scopes"  # the head when written; keep the chain linear
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pronunciation") as batch:
        batch.add_column(sa.Column("consent_publish", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("consent_speech_tools", sa.Boolean(), nullable=True))
        batch.add_column(
            sa.Column("speaker_named", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("example") as batch:
        batch.add_column(sa.Column("recording", sa.JSON(), nullable=False, server_default="{}"))
    bind = op.get_bind()
    example = sa.table(
        "example", sa.column("id"), sa.column("extra", sa.JSON()), sa.column("recording", sa.JSON())
    )
    has_notes = sa.cast(example.c.extra, sa.Text).like('%"recording"%')
    rows = bind.execute(sa.select(example.c.id, example.c.extra).where(has_notes)).all()
    for row_id, extra in rows:
        extra = json.loads(extra) if isinstance(extra, str) else (extra or {})
        if not isinstance(extra, dict) or "recording" not in extra:
            continue
        recording = extra.pop("recording")
        bind.execute(
            example.update()
            .where(example.c.id == row_id)
            .values(extra=extra, recording=recording if isinstance(recording, dict) else {})
        )


def downgrade() -> None:
    with op.batch_alter_table("example") as batch:
        batch.drop_column("recording")
    with op.batch_alter_table("pronunciation") as batch:
        batch.drop_column("speaker_named")
        batch.drop_column("consent_speech_tools")
        batch.drop_column("consent_publish")
