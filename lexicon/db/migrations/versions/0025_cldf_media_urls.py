"""cldf media urls: the addresses a CLDF import kept for media it did not carry, written out

csvw gives a CLDF `Download_URL` cell as rfc3986's URIReference, and the CLDF reader kept its
repr ("URIReference(scheme='https', authority='cdstar.eva.mpg.de', path='/...wav', query=None,
fragment=None)") instead of the address in the `extra.import.media.href` of pronunciations,
examples and pictures whose file was not in the upload. Those kept references are rewritten
as the addresses (https://cdstar.eva.mpg.de/...wav), so exports name them again. Revisions keep
what was written at the time.

Revision ID: 0025_cldf_media_urls
Revises: 0024_gloss_articles
"""

import json
import re

import sqlalchemy as sa
from alembic import op

revision = "0025_cldf_media_urls"
down_revision = "0024_gloss_articles"  # the head when written; keep the chain linear
branch_labels = None
depends_on = None

_PART = r"(None|'[^']*')"
_REPR = re.compile(
    rf"URIReference\(scheme={_PART}, authority={_PART}, path={_PART}, query={_PART}, "
    rf"fragment={_PART}\)"
)


def address(match: re.Match) -> str:
    """The URL a URIReference's repr stands for (RFC 3986, section 5.3)."""
    scheme, authority, path, query, fragment = (
        None if g == "None" else g[1:-1] for g in match.groups()
    )
    return (
        (f"{scheme}:" if scheme else "")
        + (f"//{authority}" if authority is not None else "")
        + (path or "")
        + (f"?{query}" if query is not None else "")
        + (f"#{fragment}" if fragment is not None else "")
    )


def _fixed(value):
    if isinstance(value, str):
        return _REPR.sub(address, value)
    if isinstance(value, list):
        return [_fixed(v) for v in value]
    if isinstance(value, dict):
        return {k: _fixed(v) for k, v in value.items()}
    return value


def upgrade() -> None:
    bind = op.get_bind()
    cast = "CAST(:extra AS json)" if bind.dialect.name == "postgresql" else ":extra"
    for table in ("pronunciation", "example", "picture"):
        rows = bind.execute(
            sa.text(f"SELECT id, extra FROM {table} WHERE CAST(extra AS TEXT) LIKE :repr"),
            {"repr": "%URIReference(scheme=%"},
        ).all()
        for row_id, extra in rows:
            value = json.loads(extra) if isinstance(extra, str) else extra
            bind.execute(
                sa.text(f"UPDATE {table} SET extra = {cast} WHERE id = :id"),
                {"extra": json.dumps(_fixed(value), ensure_ascii=False), "id": row_id},
            )


def downgrade() -> None:
    pass  # the addresses are right under every version
