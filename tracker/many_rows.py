"""Statements over many rows at once: on PostgreSQL, one array per column instead of one placeholder per value.

psycopg rewrites each ``%(name)s`` of a statement into ``$n`` and keeps only short statements'
rewrites: an ``IN`` of 500 keys or an ``INSERT`` of 200 rows of 21 columns is parsed again on
every call, and for the alert sweep's thousands of rows that parsing cost more than the
database's own work. With arrays a statement has a few parameters whatever the number of
rows, and its text is the same each time. SQLite keeps the plain forms: it has no arrays, and
its statements are not parsed by psycopg.
"""
from __future__ import annotations

from sqlalchemy import Table, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY

from tracker.extensions import db


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def one_of(column, values: list):
    """``column IN values``: ``column = ANY(array)`` on PostgreSQL."""
    if _postgresql():
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


def bind_processors(dialect, columns: list) -> list:
    """Each column's bind processor under ``dialect`` (None where values go to the driver as they are):
    what an INSERT of ORM values would apply to each, for statements written by hand."""
    return [column.type.dialect_impl(dialect).bind_processor(dialect) for column in columns]


def _arrays(table: Table, names: list[str], rows: list[dict]) -> tuple[str, list[list]]:
    """``unnest(...)`` of one typed array per column named, and those arrays (each value through its
    column type's bind processor, as an INSERT of the rows would send it)."""
    dialect = db.session.get_bind().dialect
    columns = [table.c[name] for name in names]
    unnest = ", ".join(f"%b::{column.type.compile(dialect)}[]" for column in columns)  # binary: no escaping
    arrays = []
    for column, process in zip(columns, bind_processors(dialect, columns)):
        values = [row[column.key] for row in rows]
        arrays.append([process(v) for v in values] if process else values)
    return f"unnest({unnest})", arrays


def insert_skipping_existing(table: Table, rows: list[dict], key: str) -> list:
    """PostgreSQL: insert ``rows`` (each with the same keys), skipping those whose unique ``key`` exists,
    in the rows' order; return the ``key`` of each row inserted."""
    names = list(rows[0])
    source, arrays = _arrays(table, names, rows)
    quote = db.session.get_bind().dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {table.name} ({', '.join(quote(n) for n in names)}) SELECT * FROM {source} "
           f"ON CONFLICT ({quote(key)}) DO NOTHING RETURNING {quote(key)}")
    return db.session.connection().exec_driver_sql(sql, tuple(arrays)).scalars().all()


def update_where(table: Table, rows: list[dict], *, match: dict[str, str], values: dict[str, str]) -> None:
    """For each row, ``UPDATE table SET column = row[key] ... WHERE column = row[key] ...``: one statement
    with arrays on PostgreSQL, an executemany elsewhere. ``match`` and ``values`` map columns to row keys."""
    if not rows:
        return
    if not _postgresql():
        stmt = (table.update().where(*(table.c[c] == bindparam(k) for c, k in match.items()))
                .values({c: bindparam(k) for c, k in values.items()}))
        db.session.execute(stmt, rows)
        return
    pairs = [*match.items(), *values.items()]
    renamed = [{column: row[k] for column, k in pairs} for row in rows]
    source, arrays = _arrays(table, [column for column, _k in pairs], renamed)
    quote = db.session.get_bind().dialect.identifier_preparer.quote
    alias = ", ".join(quote(column) for column, _k in pairs)
    sets = ", ".join(f"{quote(c)} = v.{quote(c)}" for c in values)
    where = " AND ".join(f"{table.name}.{quote(c)} = v.{quote(c)}" for c in match)
    db.session.connection().exec_driver_sql(
        f"UPDATE {table.name} SET {sets} FROM {source} AS v({alias}) WHERE {where}", tuple(arrays))
