"""How long a signed-in session lasts, decided from timestamps the session itself carries.

A session id (what the session cookie and the remember-me cookie hold, signed with the
app's secret) reads ``"<user id>:<generation>:<signed-in epoch seconds>:<s|r>"``:
``s`` for a browser session, ``r`` when the person ticked "Keep me signed in".

- The generation lets the server end every session of a person at once (sign-out,
  password change, disabling: tracker.people.accounts.end_sessions).
- A browser session ends after a time without activity - 30 minutes for sponsors, who
  come from outside, a working day (10 hours) for staff - and in any case 12 hours after
  signing in.
- A remembered session is kept through idle time (that is what the person asked for) but
  ends 14 days after signing in, whatever the cookie's own expiry says.

Everything here takes ``now``; the web layer passes the clock and keeps "last seen".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

SPONSOR_IDLE = timedelta(minutes=30)
STAFF_IDLE = timedelta(hours=10)
ABSOLUTE = timedelta(hours=12)
REMEMBERED = timedelta(days=14)
# "Last seen" is rewritten at most this often, so not every request sends a new cookie.
SEEN_STEP = timedelta(minutes=1)
_EPOCH_MAX = 253402300799  # 9999-12-31T23:59:59Z
_INT_MAX = 2**31 - 1


@dataclass(frozen=True)
class SessionId:
    user_id: int
    generation: int
    signed_in_at: datetime
    remembered: bool

    def __str__(self) -> str:
        return (f"{self.user_id}:{self.generation}:{int(self.signed_in_at.timestamp())}:"
                f"{'r' if self.remembered else 's'}")


def parse(raw) -> SessionId | None:
    """The parts of a session id, or None when it is not one (older formats included: they sign out)."""
    if not isinstance(raw, str) or len(raw) > 60:
        return None
    parts = raw.split(":")
    if len(parts) != 4 or parts[3] not in ("s", "r") or not all(p.isdigit() and p.isascii() for p in parts[:3]):
        return None
    user_id, generation, epoch = (int(p) for p in parts[:3])
    if user_id > _INT_MAX or generation > _INT_MAX or epoch > _EPOCH_MAX:
        return None
    return SessionId(user_id, generation, datetime.fromtimestamp(epoch, timezone.utc), parts[3] == "r")


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def from_epoch(value) -> datetime | None:
    """A stored "last seen" back as a time; None when it is missing or not a number of seconds."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _EPOCH_MAX:
        return None
    return datetime.fromtimestamp(value, timezone.utc)


def idle_limit(role: str) -> timedelta:
    return SPONSOR_IDLE if role == "sponsor" else STAFF_IDLE


def expiry(sid: SessionId, role: str, last_seen: datetime | None, now: datetime) -> str | None:
    """Why this session has ended at ``now`` - ``"absolute"`` or ``"idle"`` - or None while it is alive.

    A session signed in "in the future" (a forged or clock-skewed id) is treated as ended.
    """
    if sid.signed_in_at > now + timedelta(minutes=5):
        return "absolute"
    if now - sid.signed_in_at >= (REMEMBERED if sid.remembered else ABSOLUTE):
        return "absolute"
    if not sid.remembered:
        seen = last_seen if last_seen is not None else sid.signed_in_at
        if now - seen >= idle_limit(role):
            return "idle"
    return None


def needs_touch(last_seen: datetime | None, now: datetime) -> bool:
    return last_seen is None or now - last_seen >= SEEN_STEP
