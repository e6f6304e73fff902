"""Alembic environment: uses the connection handed in by lexicon.db.upgrade, or the URL."""

from alembic import context
from sqlalchemy import engine_from_config, pool
from sqlmodel import SQLModel

import lexicon.io.jobs  # noqa: F401  (ImportJob)
import lexicon.models  # noqa: F401  (registers the tables)
import lexicon.search.index  # noqa: F401

target_metadata = SQLModel.metadata
config = context.config


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    # SQLite's full-text tables are made by hand in migrations; autogenerate must not drop them.
    return not (type_ == "table" and reflected and name.startswith(("search_fts", "search_tri")))


def run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as conn:
        run(conn)
