"""What each test process owns when the suite runs in parallel (pytest-xdist's ``-n``).

Every worker gets its own database (a SQLite file under its own temporary directory, or a
PostgreSQL database named after the one given, ``<name>_gw0``, ``<name>_gw1``…, created on
first use and dropped at the end), its own Redis databases and its own ports (always taken
free from the system). Without xdist the process is worker 0 and uses the database it was given.
"""
from __future__ import annotations

import os
import re

from sqlalchemy.engine import make_url

# Redis on this machine, without a database number; each worker takes two databases from 4 up.
REDIS_SERVER = os.environ.get("TRACKER_TEST_REDIS_SERVER", "redis://127.0.0.1:6379").rstrip("/")
REDIS_FIRST_DB, REDIS_DBS_PER_WORKER, REDIS_DB_COUNT = 4, 2, 16
MAX_WORKERS = (REDIS_DB_COUNT - REDIS_FIRST_DB) // REDIS_DBS_PER_WORKER


def worker_name() -> str | None:
    """``gw0``, ``gw1``… under xdist, None in a single process."""
    return os.environ.get("PYTEST_XDIST_WORKER")


def worker_index() -> int:
    match = re.fullmatch(r"gw(\d+)", worker_name() or "gw0")
    index = int(match.group(1)) if match else 0
    if index >= MAX_WORKERS:
        raise RuntimeError(f"the suite has Redis databases for {MAX_WORKERS} workers: run it with -n {MAX_WORKERS} or fewer")
    return index


def redis_url(slot: int) -> str:
    """The worker's Redis database number ``slot`` (0 or 1): flushed freely by the tests that use it."""
    if slot not in range(REDIS_DBS_PER_WORKER):
        raise ValueError(f"a worker has {REDIS_DBS_PER_WORKER} Redis databases")
    return f"{REDIS_SERVER}/{REDIS_FIRST_DB + REDIS_DBS_PER_WORKER * worker_index() + slot}"


def worker_database(url: str) -> str:
    """The PostgreSQL database this worker uses instead of ``url``'s: the same one without xdist."""
    name = worker_name()
    if not name:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{name}").render_as_string(hide_password=False)


def _admin(url: str):
    """An autocommit connection to the database the suite was given, to create and drop the workers' ones."""
    import psycopg

    parsed = make_url(url)
    return psycopg.connect(host=parsed.host or "localhost", port=parsed.port or 5432, user=parsed.username,
                           password=parsed.password, dbname=parsed.database, autocommit=True)


def create_worker_database(given: str, own: str) -> None:
    if own == given:
        return
    name = make_url(own).database
    with _admin(given) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_worker_database(given: str, own: str) -> None:
    if own == given:
        return
    with _admin(given) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{make_url(own).database}" WITH (FORCE)')
