"""The writing side of the bulk demo load: chunks written by a thread of their own while the next is
built (COPY on PostgreSQL, one executemany per table on SQLite), and what the database needs once
the load is over (sequences moved past the loaded ids, planner statistics, a vacuum).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from operator import itemgetter

from sqlalchemy import Date, DateTime, text

from tracker import audit
from tracker.database import UTCDateTime
from tracker.extensions import db
from tracker.many_rows import bind_processors
from tracker.models import ReferenceCounter

# The tables whose ids the loader gives itself.
TABLES = ("contracts", "tracks", "events", "audit_entries")


class ChainMoved(RuntimeError):
    """Something else wrote to the audit trail while the demo set was being loaded."""


class Writer:
    """Writes built chunks in a thread of its own, each in a transaction on the writer's own connection."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.pool = ThreadPoolExecutor(1)
        self.pending = None
        self.connection = None

    def __enter__(self) -> "Writer":
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._wait()
        finally:
            self.pool.submit(self._close).result()
            self.pool.shutdown()

    def write(self, chunk: dict) -> None:
        """Queue ``chunk`` once the one before it is written (an error in that one is raised here)."""
        self._wait()
        self.pending = self.pool.submit(self._write, chunk)

    def _wait(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            pending.result()

    def _write(self, chunk: dict) -> None:
        if self.connection is None:  # made in the thread that uses it
            self.connection = self.engine.connect()
        connection = self.connection
        with connection.begin():
            audit.lock_chain(connection)
            if audit.head(connection) != chunk["head"]:
                raise ChainMoved("the audit trail was written to while the demo set was loading")
            for model, rows in chunk["rows"].items():
                if rows:
                    insert_rows(connection, model.__table__, rows)
            counters = ReferenceCounter.__table__
            for year, last in chunk["counters"].items():
                updated = connection.execute(counters.update().where(counters.c.year == year).values(last=last))
                if not updated.rowcount:
                    connection.execute(counters.insert().values(year=year, last=last))

    def _close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def insert_rows(connection, table, rows: list[dict]) -> None:
    """One executemany of ``rows`` into ``table``, each value through its column type's own bind processor.

    This is what ``session.execute(insert(table), rows)`` sends, without compiling parameters
    row by row: at a million rows that bookkeeping cost more than the database's own work.
    On PostgreSQL the rows go through COPY instead: one stream per table and chunk, no
    statement per row (the seed's round trips were most of its time there).
    """
    dialect = connection.dialect
    columns = [c for c in table.columns if c.key in rows[0]]
    processors = bind_processors(dialect, columns)
    names = ", ".join(dialect.identifier_preparer.quote(c.name) for c in columns)
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join([mark] * len(columns))})"
    values_of = itemgetter(*(c.key for c in columns))
    converted = [(i, _remembered(p) if isinstance(c.type, (UTCDateTime, Date, DateTime)) else p)
                 for i, (c, p) in enumerate(zip(columns, processors)) if p is not None]
    params = [values_of(row) for row in rows]
    if converted:
        for number, values in enumerate(params):
            values = list(values)
            for i, process in converted:
                values[i] = process(values[i])
            params[number] = tuple(values)
    if dialect.name == "postgresql":
        with connection.connection.dbapi_connection.cursor() as cursor:
            with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for values in params:
                    copy.write_row(values)
        return
    connection.exec_driver_sql(sql, params)


def _remembered(process):
    """``process``, answering a value it has seen from memory: the moves of a chunk share their moments."""
    seen = {}

    def remembered(value):
        if value not in seen:
            seen[value] = process(value)
        return seen[value]
    return remembered


def realign_sequences() -> None:
    """PostgreSQL: move the id sequences past the ids the loader gave explicitly."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))"))


def refresh_statistics() -> None:
    """PostgreSQL: give the planner statistics of what was just loaded.

    Autovacuum would do it in time where it runs, but a page asked for before then is planned as
    if the tables were empty (the sponsor portal took 270 ms instead of 70 at 100,000 contracts).
    SQLite is left without statistics: its default plans for these pages measured as fast or faster.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))


def vacuum_after_load() -> None:
    """PostgreSQL: VACUUM ANALYZE once the loaded history's alerts are recorded.

    Recording them moves every loaded track's next look, leaving a dead row version for each;
    and until a table is vacuumed its visibility map is empty, so no index-only scan can skip the
    table (the portal, the contract list's count and the queue read their indexes alone). Where
    autovacuum runs it would do this in time; after a bulk load it is done at once.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
