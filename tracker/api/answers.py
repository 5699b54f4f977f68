"""Finished JSON answers of the contract endpoints, kept until anything they were built from changes.

An answer is stored under its ETag (``tracker.api.etags``), which already names all it
depends on: the contract (its id and ``version``, moved by every change in the same
transaction, see ``tracker.contracts.versioning``), the rules its deadlines follow, the
day and whether the reader is a sponsor. A new version is a new key, so an old answer
is never served again and simply ages out. The tag's day is the server's; the days
left and statuses follow each site's own day, so an answer also records the date at
each site it was built on and is only used while every one still holds.

The caller checks access before it asks: a key is reached only through a contract (or
a page of contracts) the caller may see, and what a sponsor is shown is the same for
every user of that sponsor. The store is per process (least recently used answers go
first), or Redis when ``TRACKER_REDIS_URL`` is set, shared by every worker; should Redis
fail, the answer is simply built.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime

from flask import current_app

from tracker.recent import Recent
from tracker.timeutil import local_date

MEMORY_BYTES = 16 * 2**20  # per process: some 4,000 contracts, or 400 pages of a hundred
REDIS_SECONDS = 2 * 24 * 3600  # a day's answers are of no use after the next day


class Memory(Recent):
    """Answers in this process, the least recently used dropped beyond ``size`` bytes."""

    def __init__(self, size: int = MEMORY_BYTES):
        super().__init__(size, weigh=len)


class Shared:
    """Answers in Redis, for every worker; each expires after two days."""

    def __init__(self, url: str):
        import redis

        self.redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def get(self, key: str) -> bytes | None:
        import redis

        try:
            return self.redis.get(key)
        except redis.RedisError:
            return None

    def put(self, key: str, value: bytes) -> None:
        import redis

        try:
            self.redis.set(key, value, ex=REDIS_SECONDS)
        except redis.RedisError:
            pass

    def clear(self) -> None:
        """Nothing to do: keys carry the database's name and a version, so none can be stale."""


_memory = Memory()


def store():
    """The application's store: Redis when configured, else this process's memory."""
    app = current_app._get_current_object()
    found = app.extensions.get("tracker_answers")
    if found is None:
        url = app.config.get("REDIS_URL")
        found = Shared(url) if url else _memory
        app.extensions["tracker_answers"] = found
    return found


def clear_cache() -> None:
    """Forget this process's answers (tests start each from an empty database)."""
    _memory.clear()


def _key(tag: str) -> str:
    app = current_app._get_current_object()
    prefix = app.extensions.get("tracker_answer_prefix")
    if prefix is None:
        # The database's name keeps two deployments sharing one Redis apart; the URL itself is not stored.
        # Hashed once per application, not on every call.
        database = hashlib.sha256(app.config["SQLALCHEMY_DATABASE_URI"].encode()).hexdigest()[:12]
        prefix = app.extensions["tracker_answer_prefix"] = f"tracker:answer:{database}:"
    return prefix + tag.strip(chr(34))


def _days(timezones, now: datetime) -> dict[str, str]:
    return {tz: local_date(now, tz).isoformat() for tz in sorted(set(timezones))}


def get(tag: str, now: datetime) -> bytes | None:
    """The JSON body kept for this tag, if it was built on the same day at each of its sites."""
    kept = store().get(_key(tag))
    if kept is None:
        return None
    head, _, body = kept.partition(b"\n")
    days = json.loads(head)
    if days != _days(days, now):
        return None
    return body


def put(tag: str, body: bytes, timezones, now: datetime) -> None:
    """Keep this JSON body under its tag, with the day it was built on at each site (``timezones``)."""
    store().put(_key(tag), json.dumps(_days(timezones, now)).encode() + b"\n" + body)
