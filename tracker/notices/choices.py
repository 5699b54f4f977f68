"""What each person chose per notification kind, and applying it to outbox rows as they are queued."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from tracker import audit
from tracker.errors import InvalidInput
from tracker.extensions import db
from tracker.models import User
from tracker.notices.kinds import CHOICES, DIGEST, KINDS, NOW, OFF, kinds_for


def choice_of(stored: dict | None, kind: str) -> str:
    """The person's choice for ``kind``: what they stored, else the kind's default."""
    if KINDS[kind].always:
        return NOW
    value = (stored or {}).get(kind)
    return value if value in CHOICES else KINDS[kind].default


def choices_of(user: User) -> dict[str, str]:
    return {k.name: choice_of(user.notification_choices, k.name) for k in kinds_for(user.role)}


def set_choices(user: User, data: dict, *, actor: audit.Actor, now: datetime) -> dict:
    """Store the person's choices ``{kind: now|digest|off}`` for the kinds of their role; audit what changed.

    A kind left without an answer (empty) keeps its choice, and so does a kind that is always sent (which
    can only be answered "now"). Refuses (422, naming each field) an unknown kind or choice, and stores
    nothing then.
    """
    mine = {k.name: k for k in kinds_for(user.role)}
    errors = {}
    for kind, value in data.items():
        if kind not in mine:
            errors[kind] = str(_l("There is no such notification for you."))
        elif value in ("", None):
            continue
        elif mine[kind].always and value != NOW:
            errors[kind] = str(_l("This notification is always sent."))
        elif value not in CHOICES:
            errors[kind] = str(_l("Choose now, digest or off."))
    if errors:
        raise InvalidInput(errors)
    data = {kind: value for kind, value in data.items() if value not in ("", None) and not mine[kind].always}
    before = choices_of(user)
    after = {**before, **data}
    changes = {k: (before[k], after[k]) for k in after if before[k] != after[k]}
    if changes:  # only what the person changed is stored; the rest keeps following the defaults
        user.notification_choices = {**(user.notification_choices or {}), **{k: after[k] for k in changes}}
        audit.record(actor, "user", user.id, {f"notify.{k}": v for k, v in changes.items()}, now=now)
    return changes


def apply(rows: list[dict]) -> list[dict]:
    """Outbox rows as their recipients want them: dropped for "off", held for "digest" (``status`` held).

    Rows of kinds outside the registry (deadline alerts, sign-in mails) pass unchanged, without a query.
    """
    concerned = {r["recipient_id"] for r in rows if r["kind"] in KINDS and r.get("recipient_id")}
    if not concerned:
        return rows
    stored = dict(db.session.execute(db.select(User.id, User.notification_choices)
                                     .where(User.id.in_(concerned))).all())
    kept = []
    for row in rows:
        if row["kind"] in KINDS and row.get("recipient_id") in stored:
            choice = choice_of(stored[row["recipient_id"]], row["kind"])
            if choice == OFF:
                continue
            if choice == DIGEST:
                row = {**row, "status": "held"}
        kept.append(row)
    return kept
