"""Engine set-up: SQLite safety settings and a time-zone aware UTC column type."""
from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime, timezone

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1

# True while a request that only reads (GET, HEAD, OPTIONS) is being answered. On SQLite its
# transactions then start DEFERRED: readers share the database instead of queueing for the
# write lock. A write inside such a request goes through ``tracker.transaction.atomic()``,
# which ends the read and takes the lock first (``tracker.transaction``).
_reading: ContextVar[bool] = ContextVar("tracker_reading", default=False)


class BoundedInt(IntegerConverter):
    """An integer URL part that fits an id column on every engine (PostgreSQL's integer)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class UTCDateTime(TypeDecorator):
    """Store datetimes in UTC and hand them back time-zone aware.

    SQLite keeps no time zone, so values are written as naive UTC there and the
    zone is put back on read. A naive datetime is a programming error: refuse it
    rather than guess which zone it meant.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a time-zone aware one is required")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def configure_engine(engine: Engine) -> None:
    """Make SQLite fit for several writers: WAL, a busy timeout, immediate writes.

    pysqlite's own transaction handling starts transactions late and as DEFERRED,
    which lets two writers deadlock into "database is locked". Taking over the
    BEGIN and making it IMMEDIATE serialises writers up front; the busy timeout
    makes the second one wait instead of failing. Only while a read-only request
    is answered (``reading()``) does a transaction start DEFERRED: WAL lets it read
    a consistent snapshot next to a writer, and it never writes.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        deferred = _reading.get()
        connection.info["tracker_deferred"] = deferred
        connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


def reading() -> bool:
    """Whether this request only reads (its SQLite transactions start without the write lock)."""
    return _reading.get()


def set_reading(value: bool):
    """Mark the start (True) or end (False) of a read-only request; returns the token for ``reset_reading``."""
    return _reading.set(value)


def reset_reading(token) -> None:
    _reading.reset(token)


def utcnow() -> datetime:
    """The current time in UTC; only the edges (views, CLI) call it."""
    return datetime.now(timezone.utc)
