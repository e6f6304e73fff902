"""nested scopes: a search row's scope is the conjunction of every scope enclosing its text

Before, a row kept only the narrowest of the scopes enclosing its text (entry, sense, subsense,
example), so a member of an inner example's circle found the example although the sense around
it was restricted to another circle. Rows now carry `lexicon.access.conjunction` of them all
(several circles joined in `circle`). This rebuilds the rows of every entry with a restricted
sense or example (the only ones whose rows can change), with the index code of this version.

Revision ID: 0017_nested_scopes
Revises: 0016_site_secret
"""

from alembic import op

revision = "0017_nested_scopes"
down_revision = "0016_site_secret"  # the head when written; keep the chain linear
branch_labels = None
depends_on = None

_NESTED = """
SELECT DISTINCT e.id, e.dictionary_id FROM entry e
WHERE e.deleted = {false} AND (
  EXISTS (SELECT 1 FROM sense s WHERE s.entry_id = e.id AND s.visibility <> 'public')
  OR EXISTS (SELECT 1 FROM example x WHERE x.entry_id = e.id AND x.visibility <> 'public'))
ORDER BY e.dictionary_id, e.id
"""


def upgrade() -> None:
    from sqlalchemy import select
    from sqlmodel import Session

    from lexicon import search_index, store
    from lexicon.models import Dictionary, Entry

    bind = op.get_bind()
    false = "0" if bind.dialect.name == "sqlite" else "false"
    found: dict[int, list[str]] = {}
    for entry_id, dictionary_id in bind.exec_driver_sql(_NESTED.format(false=false)):
        found.setdefault(dictionary_id, []).append(entry_id)
    if not found:
        return
    session = Session(bind=bind)
    for dictionary_id, ids in found.items():
        dictionary = session.get(Dictionary, dictionary_id)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = session.execute(select(Entry).where(Entry.id.in_(chunk))).scalars().all()
            entries = store.entry_dicts(session=session, dictionary=dictionary, rows=list(rows))
            search_index.reindex_entries(session=session, dictionary=dictionary, entries=entries)
    session.flush()


def downgrade() -> None:
    """Rows keep their joined scopes; older code reads a joined circle as no one's circle
    (only owners see those rows), which is closed, not open."""
