"""Consistent copies of a live database, and restoring one into an empty database (SPEC 5b).

Everything the tracker knows is in the database - contracts, events, documents and
templates (their bytes too), users, the audit trail - so a copy of the database is a
copy of the installation; only the audit anchor log and the secret keys live outside it.

* SQLite: the online backup API copies the database page by page inside one read
  transaction, so writers may go on and the copy is the state at one instant.
* PostgreSQL: ``pg_dump --format=custom`` reads everything in one repeatable-read
  snapshot; ``pg_restore`` loads it.

Restoring refuses a database that already holds tables, so a restore can never mix
two histories or overwrite a live installation.
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import Engine, make_url

from tracker.errors import Conflict, InvalidInput

PG_TIMEOUT = 3600


class BackupFailed(Conflict):
    """The database tool refused or failed; the message says what it printed."""


def _sqlite_path(engine: Engine) -> str:
    database = engine.url.database
    if not database or database == ":memory:":
        raise InvalidInput({"database": "An in-memory SQLite database cannot be backed up or restored."})
    return database


def _pg_env_and_url(engine: Engine) -> tuple[dict, str]:
    """A libpq URL for pg_dump/pg_restore (no driver suffix); the password goes by environment."""
    url = make_url(engine.url.render_as_string(hide_password=False)).set(drivername="postgresql")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
        url = url.set(password=None)
    return env, url.render_as_string(hide_password=False)


def _run(args: list[str], env: dict) -> None:
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=PG_TIMEOUT)
    except FileNotFoundError:
        raise BackupFailed(f"{args[0]} is not installed; install the PostgreSQL client tools.")
    except subprocess.TimeoutExpired:
        raise BackupFailed(f"{args[0]} did not finish within {PG_TIMEOUT} seconds.")
    if done.returncode != 0:
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no message"]
        raise BackupFailed(f"{args[0]} failed: {last[0]}")


def _target(path: str | os.PathLike, *, must_exist: bool) -> Path:
    target = Path(path).expanduser()
    if must_exist and not target.is_file():
        raise InvalidInput({"from": f"There is no backup file at {target}."})
    if not must_exist:
        if target.exists():
            raise InvalidInput({"to": f"{target} already exists; choose a new file name."})
        if not target.parent.is_dir():
            raise InvalidInput({"to": f"The folder {target.parent} does not exist."})
    return target


def backup(engine: Engine, to: str | os.PathLike) -> Path:
    """Write a consistent copy of the live database to a new file ``to``."""
    target = _target(to, must_exist=False)
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(_sqlite_path(engine), timeout=30)
        copy = sqlite3.connect(str(target))
        try:
            source.backup(copy, pages=1024)
        finally:
            copy.close()
            source.close()
    elif engine.dialect.name == "postgresql":
        env, url = _pg_env_and_url(engine)
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", url], env)
    else:
        raise InvalidInput({"database": f"Backups of {engine.dialect.name} databases are not supported."})
    return target


def is_empty(engine: Engine) -> bool:
    return not inspect(engine).get_table_names()


def restore(engine: Engine, source: str | os.PathLike) -> None:
    """Load a backup into the (empty) database the engine points at."""
    origin = _target(source, must_exist=True)
    if not is_empty(engine):
        raise Conflict("The target database is not empty; restore only into a new, empty database.")
    if engine.dialect.name == "sqlite":
        engine.dispose()
        try:
            backup_db = sqlite3.connect(f"file:{origin}?mode=ro", uri=True)
            backup_db.execute("PRAGMA schema_version").fetchone()
        except sqlite3.DatabaseError:
            raise InvalidInput({"from": f"{origin} is not a SQLite backup of the tracker."})
        live = sqlite3.connect(_sqlite_path(engine), timeout=30)
        try:
            backup_db.backup(live)
        finally:
            live.close()
            backup_db.close()
    elif engine.dialect.name == "postgresql":
        env, url = _pg_env_and_url(engine)
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={url}", str(origin)], env)
    else:
        raise InvalidInput({"database": f"Restoring {engine.dialect.name} databases is not supported."})
    engine.dispose()
