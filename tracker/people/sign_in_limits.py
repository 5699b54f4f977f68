"""Failed sign-ins per account: 5 within 15 minutes lock the account for the rest of that window.

The count must hold across every worker and server, or an attacker simply spreads the
guesses: with ``TRACKER_REDIS_URL`` set it lives in Redis (one sorted set of failure times
per account), otherwise in the database (table ``sign_in_failures``), which every worker
of one machine shares. Accounts are named by the SHA-256 of the normalised e-mail, and an
address with no account is counted like any other, so a lockout reveals nothing.

The window slides: the account is locked while the last five failures all fall within
15 minutes, that is until the oldest of them is 15 minutes old. A successful sign-in
clears the count. Two guesses racing in different workers may both be checked when the
count stands at four; the fifth failure still locks.
"""
from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from tracker.extensions import db
from tracker.models import SignInFailure

WINDOW = timedelta(minutes=15)
MAX_FAILURES = 5


def account_key(email) -> str:
    text = " ".join(str(email or "").split()).lower()[:254]
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


class DatabaseFailures:
    """Failure times in the database; the caller's transaction commits them."""

    def recent(self, key: str, now: datetime) -> list[datetime]:
        return list(db.session.execute(db.select(SignInFailure.failed_at).where(
            SignInFailure.account_key == key, SignInFailure.failed_at > now - WINDOW,
        ).order_by(SignInFailure.failed_at)).scalars())

    def add(self, key: str, now: datetime) -> None:
        # Old failures of any account are of no more use: drop them as we go.
        db.session.execute(db.delete(SignInFailure).where(SignInFailure.failed_at <= now - WINDOW))
        db.session.add(SignInFailure(account_key=key, failed_at=now))
        db.session.flush()

    def clear(self, key: str) -> None:
        db.session.execute(db.delete(SignInFailure).where(SignInFailure.account_key == key))


class RedisFailures:
    """Failure times in a Redis sorted set per account, expiring with the window.

    Should Redis be unreachable, the count falls back to the database for that call, so
    sign-in neither fails nor loses its limit.
    """

    def __init__(self, url: str):
        import redis

        self.redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.database = DatabaseFailures()

    def _either(self, work, fallback):
        import redis

        try:
            return work()
        except redis.RedisError:
            return fallback()

    @staticmethod
    def _name(key: str) -> str:
        return f"tracker:sign-in-failures:{key}"

    def recent(self, key: str, now: datetime) -> list[datetime]:
        def read():
            low = (now - WINDOW).timestamp()
            scores = self.redis.zrangebyscore(self._name(key), f"({low}", "+inf", withscores=True)
            return sorted(datetime.fromtimestamp(score, timezone.utc) for _member, score in scores)
        return self._either(read, lambda: self.database.recent(key, now))

    def add(self, key: str, now: datetime) -> None:
        def write():
            name = self._name(key)
            with self.redis.pipeline() as pipe:
                pipe.zremrangebyscore(name, "-inf", (now - WINDOW).timestamp())
                pipe.zadd(name, {uuid.uuid4().hex: now.timestamp()})
                pipe.expire(name, int(WINDOW.total_seconds()) + 60)
                pipe.execute()
        self._either(write, lambda: self.database.add(key, now))

    def clear(self, key: str) -> None:
        self._either(lambda: self.redis.delete(self._name(key)), lambda: self.database.clear(key))


@lru_cache(maxsize=4)
def _redis_store(url: str) -> RedisFailures:
    return RedisFailures(url)


def store_for(redis_url: str | None):
    """Where failures are counted: Redis when configured, else the database."""
    return _redis_store(redis_url) if redis_url else DatabaseFailures()


def locked_for(failures: list[datetime], now: datetime) -> timedelta | None:
    """How long the account stays locked given its recent failures (None: not locked)."""
    if len(failures) < MAX_FAILURES:
        return None
    left = failures[-MAX_FAILURES] + WINDOW - now
    return left if left > timedelta(0) else None
