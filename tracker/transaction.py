"""The one way an entry point runs an operation: in a transaction that commits or rolls back whole.

Pages, the API and the commands wrap each operation in ``atomic()``: everything the
operation wrote (rows, audit entries, outbox rows) commits together, and any error -
a domain refusal or a bug - rolls all of it back before the error is answered.
"""
from __future__ import annotations

from contextlib import contextmanager

from tracker.extensions import db


@contextmanager
def atomic():
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
