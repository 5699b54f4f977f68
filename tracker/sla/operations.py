"""Changes to the deadline rules: policy versions, closure days and the Whit Monday setting.

A calendar change moves due dates, so the stored deadline fields of the site's open
tracks are recomputed in the same transaction. A new policy version changes nothing
already running: stages keep the version they started under, ceilings the one in
force when they started.
"""
from __future__ import annotations

import copy
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from tracker import formatting
from tracker import audit
from tracker.errors import Conflict, InvalidInput, NotFound
from tracker.extensions import db
from tracker.models import Policy, Site, SiteClosure, Track
from tracker.stages.rules import CLOSED_STAGES
from tracker.sla import stored
from tracker.sla.calendars import forget_closures
from tracker.sla.policy import DEFAULTS, current_policy, settings_of, validate


def save_policy(data: dict, *, actor: audit.Actor, now: datetime, note: str | None = None) -> Policy:
    """Store a new policy version and audit each setting that changed."""
    clean = validate(data)
    if note is not None and len(note) > 500:
        raise InvalidInput({"note": str(_l("At most %(n)d characters.", n=500))})
    previous = current_policy()
    old = settings_of(previous.id) if previous else {}
    policy = Policy(settings=copy.deepcopy(clean), created_at=now, created_by_id=actor.user_id, note=note)
    db.session.add(policy)
    db.session.flush()
    changes = {k: (old.get(k), v) for k, v in clean.items() if old.get(k) != v}
    audit.record(actor, "policy", policy.id, changes or {"version": (previous.id if previous else None, policy.id)},
                 now=now, reason=note)
    return policy


def ensure_default_policy(*, now: datetime) -> bool:
    """Seed the first policy version when there is none; True if one was added."""
    if current_policy() is not None:
        return False
    save_policy(dict(DEFAULTS), actor=audit.SYSTEM, now=now)
    return True


def _refresh_open_tracks(site: Site, now: datetime) -> None:
    forget_closures()
    tracks = db.session.execute(
        db.select(Track).where(Track.site_id == site.id, Track.stage.not_in(CLOSED_STAGES))).scalars()
    for track in tracks:
        stored.refresh(track, now)


def add_closure(site: Site, day: date | None, label: str | None, *, actor: audit.Actor, now: datetime) -> SiteClosure:
    """Close a site for a day: its internal deadlines move, its regulatory ceilings do not."""
    if day is None:
        raise InvalidInput({"day": str(_l("Give the date of the closure."))})
    if label and len(label) > 200:
        raise InvalidInput({"label": str(_l("At most %(n)d characters.", n=200))})
    exists = db.session.execute(
        db.select(SiteClosure.id).where(SiteClosure.site_id == site.id, SiteClosure.day == day)).first()
    if exists:
        raise Conflict(str(_l("%(site)s is already closed on %(day)s.", site=site.name, day=formatting.day(day))))
    closure = SiteClosure(site_id=site.id, day=day, label=(label or "").strip() or None)
    db.session.add(closure)
    db.session.flush()
    audit.record(actor, "site_closure", closure.id, {"site": (None, site.code), "day": (None, day)}, now=now)
    _refresh_open_tracks(site, now)
    return closure


def remove_closure(site: Site, closure_id: int, *, actor: audit.Actor, now: datetime) -> None:
    closure = db.session.get(SiteClosure, closure_id)
    if closure is None or closure.site_id != site.id:
        raise NotFound(str(_l("No such closure day.")))
    audit.record(actor, "site_closure", closure.id, {"day": (closure.day, None)}, now=now)
    db.session.delete(closure)
    db.session.flush()
    _refresh_open_tracks(site, now)


def set_whit_monday(site: Site, works: bool, *, actor: audit.Actor, now: datetime) -> None:
    if site.works_whit_monday == works:
        return
    audit.record(actor, "site", site.id, {"works_whit_monday": (site.works_whit_monday, works)}, now=now)
    site.works_whit_monday = works
    db.session.flush()
    _refresh_open_tracks(site, now)
