"""Prepared Core statements run on the DB-API cursor: compiled once per shape, bound by hand.

For the small, frequent queries of search (a dozen rows each), SQLAlchemy's per-execution work
(parameter processing, result rows) costs more than the database does. A `Prepared` keeps the
driver's SQL per dialect and IN-list size; `fetch` returns plain tuples (JSON columns as the
driver gives them: see `json_value`).
"""

from __future__ import annotations

import orjson


class Prepared:
    """A built statement and its driver SQL per dialect and IN-list size (see `fetch`)."""

    __slots__ = ("stmt", "driver")

    def __init__(self, stmt):
        self.stmt, self.driver = stmt, {}


def fetch(session, cached: Prepared, params: dict) -> list[tuple]:
    """Rows of a cached statement, run on the driver's cursor with its SQL compiled once per
    IN-list size: for these small queries SQLAlchemy's per-execution work (parameters, result
    rows) cost more than the database. Only plain values (ints, strings) come back."""
    connection = session.connection()
    params = {k: _padded(v) if isinstance(v, list) else v for k, v in params.items()}
    shape = (connection.dialect.name,
             *((k, len(v)) for k, v in params.items() if isinstance(v, list)))  # fmt: skip
    plan = cached.driver.get(shape)
    if plan is None:
        plan = cached.driver[shape] = driver_plan(connection.dialect, cached.stmt, params)
    sql, positional, sources = plan
    values = [
        params[src[1]] if src[0] == "p" else params[src[1]][src[2]] if src[0] == "l" else src[1]
        for src in sources
    ]
    raw = connection.connection.driver_connection
    if not positional:
        values = dict(zip((src[-1] for src in sources), values, strict=True))
    cursor = raw.cursor()
    try:
        cursor.execute(sql, values)
        return cursor.fetchall()
    finally:
        cursor.close()


def _padded(values: list) -> list:
    """An IN list padded to a power of two with its last value (a repeat changes nothing):
    each statement then has a few SQL texts instead of one per list length, and they stay
    among the hundred or so that the driver keeps prepared per connection."""
    size = 1 << max(0, len(values) - 1).bit_length()
    return values + values[-1:] * (size - len(values)) if values else values


def driver_plan(dialect, stmt, params: dict) -> tuple:
    """(sql, positional, sources): where each bound value comes from, in the driver's order:
    ("p", name) a parameter, ("l", name, i) an item of a list parameter, ("c", value) a value
    fixed in the statement. Pyformat drivers get the bound name as each source's last item."""
    compiled = stmt.compile(dialect=dialect)
    state = compiled.construct_expanded_state(params)
    expanded = {
        new: (old, i)
        for old, news in (state.parameter_expansion or {}).items()
        if isinstance(params.get(old), list)
        for i, new in enumerate(news)
    }
    order = state.positiontup if compiled.positional else list(state.parameters)
    sources = []
    for name in order:
        if name in expanded:
            source = ("l", *expanded[name])
        elif name in params and not isinstance(params[name], list):
            source = ("p", name)
        else:
            source = ("c", state.parameters[name])
        sources.append(source if compiled.positional else (*source, name))
    return state.statement, compiled.positional, sources


def json_value(value):
    """A JSON column as the driver gives it: text on SQLite, already decoded on PostgreSQL."""
    return orjson.loads(value) if isinstance(value, str) else value
