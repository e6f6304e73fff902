"""covering search indexes (SQLite): a headword or gloss lookup never visits the table

Every branch of a search reads a few columns of each matching row (entry, visibility, the
matched text); with them in the index, SQLite answers from the index alone instead of one
table lookup per row in a table that also holds every definition and example. At 100,000
entries this took a fifth off a search's CPU time, and a half off counting a common prefix.
The two indexes over every kind of row (`norm`, `folded`) give way to partial ones: headwords
(covering), and the semantic domains and parts of speech that browse looks up and counts
(covering too). A search of two
characters ("nú", "ka") reads the headwords that begin with them, in alphabetical order, from
an index on those first two characters, and stops at the page's end: walking the first
letter's block took 10 ms when few words of the letter begin so.

PostgreSQL keeps its indexes: an index row there is limited to about 2.7 kB, which a long
gloss and its stems could pass, and its index-only scans depend on vacuum.

Revision ID: 0013_covering_search_indexes
Revises: 0012_gloss_infinitives
"""

from alembic import op

revision = "0013_covering_search_indexes"
down_revision = "0012_gloss_infinitives"  # the head when written; keep the chain linear
branch_labels = None
depends_on = None

# Keep in step with lexicon.search.index (COVERED and the Index declarations).
COVERED = "entry_id, e_visibility, status, visibility, e_circle, circle, field, lang, text, kind"
NEW = {
    "ix_search_hw_norm": (f"dictionary_id, norm, sort_key, {COVERED}", "hw"),
    "ix_search_hw_folded": (f"dictionary_id, folded, sort_key, {COVERED}", "hw"),
    "ix_search_hw_norm2": (f"dictionary_id, substr(norm, 1, 2), sort_key, norm, {COVERED}", "hw"),
    "ix_search_hw_folded2": (
        f"dictionary_id, substr(folded, 1, 2), sort_key, folded, {COVERED}",
        "hw",
    ),
    "ix_search_text_order": (f"dictionary_id, sort_key, norm, folded, {COVERED}", "hw"),
    "ix_search_text_stems": (f"dictionary_id, stems, sort_key, {COVERED}", "gl"),
    "ix_search_dom_norm": (f"dictionary_id, norm, {COVERED}", "dom"),
    "ix_search_dom_folded": (f"dictionary_id, folded, {COVERED}", "dom"),
    "ix_search_pos_norm": (f"dictionary_id, norm, {COVERED}", "pos"),
}
OLD = {
    "ix_search_text_norm": ("dictionary_id, kind, norm, sort_key", None),
    "ix_search_text_folded": ("dictionary_id, kind, folded, sort_key", None),
    "ix_search_text_order": ("dictionary_id, sort_key, norm, folded", "hw"),
    "ix_search_text_stems": ("dictionary_id, stems, sort_key", "gl"),
}


def _replace(drop: dict, create: dict) -> None:
    for name in drop:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    for name, (columns, kind) in create.items():
        where = f" WHERE kind = '{kind}'" if kind else ""
        op.execute(f"CREATE INDEX {name} ON search_text ({columns}){where}")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _replace(OLD, NEW)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _replace(NEW, OLD)
