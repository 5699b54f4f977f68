"""Account machinery: session generations, disabling and enabling people, setting a password.

A signed-in browser holds a session id ``"<user id>:<generation>:<signed-in time>:<s|r>"``
(tracker.people.sessions); the login manager's loader accepts it only while the user is
active and its generation is the current one. Moving the generation on (``end_sessions``)
therefore ends every session and remember-me cookie of that person at once, on every
worker, without a session store. Signing out does that too - on every device, which is
the simple and certain answer to "a copied cookie must not outlive sign-out". Disabling
an account also revokes its API tokens and voids its unused one-time links, in the
caller's transaction.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from tracker import audit
from tracker.errors import Conflict, InvalidInput
from tracker.extensions import db
from tracker.models import AccountLink, ApiToken, CalendarFeed, SessionGeneration, User
from tracker.people import sessions
from tracker.people.passwords import hash_password, password_problem


def generation_of(user_id: int) -> int:
    row = db.session.get(SessionGeneration, user_id)
    return row.generation if row is not None else 0


def session_id(user: User, *, now: datetime, remembered: bool = False) -> str:
    """What the session cookie (and the remember-me cookie) carries for a sign-in at ``now``."""
    return str(sessions.SessionId(user.id, generation_of(user.id), now, remembered))


def user_for_session(raw: str | None) -> User | None:
    """The active user a session id names, or None when it is malformed, stale or disabled.

    Ids in an older format (no sign-in time) are refused: their holder signs in again.
    """
    sid = sessions.parse(raw)
    if sid is None:
        return None
    user = db.session.get(User, sid.user_id)
    if user is None or not user.active:
        return None
    if sid.generation != generation_of(sid.user_id):
        return None
    return user


def end_sessions(user: User, *, now: datetime) -> int:
    """Move the user's session generation on, so every existing session of theirs is refused."""
    row = db.session.get(SessionGeneration, user.id)
    if row is None:
        row = SessionGeneration(user_id=user.id, generation=0, changed_at=now)
        db.session.add(row)
    row.generation += 1
    row.changed_at = now
    db.session.flush()
    return row.generation


def sign_out(user: User, *, now: datetime) -> None:
    """End the person's sessions: the cookies of this browser, and any copy of them, stop working."""
    end_sessions(user, now=now)


def revoke_tokens(user: User, *, actor: audit.Actor, now: datetime) -> int:
    """Revoke every API token of the user that is still valid; return how many."""
    tokens = db.session.execute(db.select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).order_by(ApiToken.id)).scalars().all()
    for token in tokens:
        token.revoked_at = now
        audit.record(actor, "api_token", token.id, {"revoked_at": (None, now)}, now=now)
    return len(tokens)


def revoke_feeds(user: User, *, actor: audit.Actor, now: datetime) -> int:
    """End the user's calendar feed addresses for good: disabling someone, or changing their role, must not
    leave a link that works again once they are enabled or given their old role back."""
    feeds = db.session.execute(db.select(CalendarFeed).where(
        CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None)).order_by(CalendarFeed.id)).scalars().all()
    for feed in feeds:
        feed.revoked_at = now
        audit.record(actor, "calendar_feed", feed.id, {"revoked_at": (None, now)}, now=now)
    return len(feeds)


def void_links(user: User, *, now: datetime, purpose: str | None = None) -> int:
    """Void the user's unused one-time links (of one purpose, or all)."""
    stmt = db.select(AccountLink).where(AccountLink.user_id == user.id, AccountLink.used_at.is_(None),
                                        AccountLink.voided_at.is_(None))
    if purpose is not None:
        stmt = stmt.where(AccountLink.purpose == purpose)
    links = db.session.execute(stmt).scalars().all()
    for link in links:
        link.voided_at = now
    return len(links)


def disable_user(user: User, *, actor: audit.Actor, now: datetime) -> None:
    """Disable an account: its sessions, remember-me cookies, API tokens and pending links end now."""
    if not user.active:
        raise Conflict(str(_l("%(email)s is already disabled.", email=user.email)))
    if actor.user_id == user.id:
        raise Conflict(str(_l("You cannot disable your own account.")))
    user.active = False
    end_sessions(user, now=now)
    revoke_tokens(user, actor=actor, now=now)
    revoke_feeds(user, actor=actor, now=now)
    void_links(user, now=now)
    audit.record(actor, "user", user.id, {"active": (True, False)}, now=now)


def enable_user(user: User, *, actor: audit.Actor, now: datetime) -> None:
    """Let a disabled person sign in again (with their password; old sessions and tokens stay ended)."""
    if user.active:
        raise Conflict(str(_l("%(email)s is already enabled.", email=user.email)))
    user.active = True
    audit.record(actor, "user", user.id, {"active": (False, True)}, now=now)


def set_password(user: User, password, *, actor: audit.Actor, now: datetime) -> None:
    """Give the user a new password, ending the sessions opened with the old one."""
    problem = password_problem(password, user.email)
    if problem:
        raise InvalidInput({"password": problem})
    user.password_hash = hash_password(password)
    end_sessions(user, now=now)
    audit.record(actor, "user", user.id, {"password": (None, "changed")}, now=now)


def note_sign_in(user: User, now: datetime) -> None:
    """Remember when the person signed in, for the users page.

    It is called as a session starts, outside any other change, so it commits on its own;
    it is not audited (it grants nothing, and the trail would fill with sign-ins).
    """
    user.last_sign_in_at = now
    db.session.commit()
