"""The one way an entry point runs an operation: in a transaction that commits or rolls back whole.

Pages, the API and the commands wrap each operation in ``atomic()``: everything the
operation wrote (rows, audit entries, outbox rows) commits together, and any error -
a domain refusal or a bug - rolls all of it back before the error is answered.

``atomic()`` is also how a request that only reads says it is about to write. GET, HEAD
and OPTIONS requests are answered as readers: on SQLite their transactions start
DEFERRED, so readers never queue for the write lock (``tracker.database``). When such a
request writes (a token's last use, a cached PDF), the block first ends the read and its
own transaction then starts with the write lock, as every write does. A flush of changes
outside ``atomic()`` in a reading request is a mistake: the tests refuse it outright.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager

from flask import Flask, current_app, has_app_context, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from tracker import database
from tracker.extensions import db

READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
log = logging.getLogger(__name__)


@contextmanager
def atomic():
    with _writing():
        try:
            yield
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise


@contextmanager
def _writing():
    """Within a reading request: end the read transaction, and start the block's own with the write lock."""
    if not database.reading():
        yield
        return
    if db.session().in_transaction():
        db.session.commit()  # nothing is pending outside atomic(): this only ends the read snapshot
    token = database.set_reading(False)
    try:
        yield
    finally:
        database.reset_reading(token)


def init_app(app: Flask) -> None:
    """Answer GET, HEAD and OPTIONS as readers; register before any hook that may touch the database."""

    @app.before_request
    def _start_reading():
        if request.method in READING_METHODS:
            database.set_reading(True)

    @app.teardown_request
    def _stop_reading(_exc=None):
        if not database.reading():
            return
        database.set_reading(False)
        session = db.session()
        if session.in_transaction() and not (session.new or session.dirty or session.deleted):
            if session.connection().info.get("tracker_deferred"):
                session.rollback()  # end the snapshot now, even where the session outlives the request


@event.listens_for(Session, "before_flush")
def _no_writes_while_reading(session, _context, _instances):
    if not database.reading() or not (session.new or session.dirty or session.deleted):
        return
    problem = "a reading request (GET, HEAD, OPTIONS) flushed changes outside atomic()"
    if has_app_context() and current_app.testing:
        raise RuntimeError(problem)
    log.warning("%s: %s", problem, request.path if has_request_context() else "")
