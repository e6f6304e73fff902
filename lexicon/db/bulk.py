"""Many rows into one table in one go, the fastest way each database takes them: SQLite one
`executemany` of plain tuples, PostgreSQL `COPY ... FROM STDIN` (psycopg formats the rows in C;
a multi-row INSERT cost this process 3-5x more CPU per row). Values are what the driver takes
(bind processors applied); the statement runs in the connection's current transaction."""

from __future__ import annotations

import itertools

from sqlalchemy.exc import DBAPIError

_COUNTER = itertools.count()


def insert_many(connection, table: str, columns: tuple, rows: list[tuple], *, ignore=False):
    """INSERT `rows` (tuples in `columns` order) into `table` (names as SQL spells them,
    quoted where need be); `ignore`: rows whose key is taken already are left out (ON CONFLICT
    DO NOTHING), on PostgreSQL through a temporary table COPY fills."""
    if not rows:
        return
    names = ", ".join(columns)
    if connection.dialect.name != "postgresql":
        marks = ", ".join("?" * len(columns))
        conflict = " ON CONFLICT DO NOTHING" if ignore else ""
        connection.exec_driver_sql(
            f"INSERT INTO {table} ({names}) VALUES ({marks}){conflict}", rows
        )
        return
    dbapi_error = connection.dialect.loaded_dbapi.Error
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        target = table
        if ignore:
            target = f"wk_bulk_{next(_COUNTER)}"
            cursor.execute(
                f"CREATE TEMPORARY TABLE {target} AS SELECT {names} FROM {table} WITH NO DATA"
            )
        statement = f"COPY {target} ({names}) FROM STDIN"
        _announce(connection, cursor, statement, rows)
        with cursor.copy(statement) as copy:
            write = copy.write_row
            for row in rows:
                write(row)
        if ignore:
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {names} FROM {target} ON CONFLICT DO NOTHING"
            )
            cursor.execute(f"DROP TABLE {target}")
    except dbapi_error as exc:  # as SQLAlchemy's execute raises it (IntegrityError, ...)
        raise DBAPIError.instance(f"COPY {target}", None, exc, dbapi_error) from exc
    finally:
        cursor.close()


def _announce(connection, cursor, statement: str, rows: list) -> None:
    """Tell the engine's `before_cursor_execute` listeners of the COPY, as of any statement
    (SQL tracing, the crash tests' pause points): it goes around SQLAlchemy's execute."""
    for listener in connection.dispatch.before_cursor_execute:
        listener(connection, cursor, statement, rows, None, True)
