"""Demo data: sponsors, people of every role and contracts with realistic histories.

The first contracts are walked through the real pipeline operations (``demo.scenarios``); the
large sets are loaded in bulk (``demo.bulk``) through the same pure functions, so the demo data
obeys the same rules, events and audit trail as live data.
"""
from __future__ import annotations

from datetime import datetime

from tracker import audit
from tracker.demo.bulk import Loader
from tracker.demo.writing import realign_sequences, refresh_statistics, vacuum_after_load
from tracker.demo.parties import SPONSORS, ensure_more_sponsors, ensure_people
from tracker.demo.scenarios import DEMO_AGREEMENTS, activate_and_amend, live_contracts
from tracker.demo.trials import bulk_plan
from tracker.extensions import db
from tracker.models import Contract, Site, Sponsor, User
from tracker.timeutil import local_date


def seed(*, count: int, now: datetime, echo=print, progress=None) -> list[tuple[str, str, str]]:
    """Add what is missing of the demo set, up to ``count`` demo contracts.

    The first ``DEMO_AGREEMENTS`` contracts go through the pipeline one action at a time,
    with their agreements generated; the others are loaded in bulk (``demo.bulk``) with the
    same rules. ``progress(n)`` is told of every ``n`` contracts added.
    """
    logins = ensure_people(now)
    if count > DEMO_AGREEMENTS:
        ensure_more_sponsors(now)
    db.session.commit()
    existing = db.session.execute(db.select(db.func.count(Contract.id)).where(Contract.amends_id.is_(None))).scalar()
    sponsors = db.session.execute(
        db.select(Sponsor).where(Sponsor.name.in_([n for n, _ in SPONSORS])).order_by(Sponsor.id)).scalars().all()
    staff = {}
    for site in db.session.execute(db.select(Site)).scalars():
        for role in ("legal", "manager"):
            user = db.session.execute(db.select(User).where(User.site_id == site.id, User.role == role)).scalars().first()
            if user:
                staff[site.code if role == "legal" else "manager:" + site.code] = audit.Actor.of(user)
    if progress:
        progress(min(existing, count))  # already there
    live_until = min(count, DEMO_AGREEMENTS)
    live_contracts(range(existing, live_until), now, sponsors, staff, progress)
    if count <= DEMO_AGREEMENTS:  # the small demo shows an amendment too; the benchmark sets stay first agreements
        activate_and_amend(now, staff)
    db.session.commit()
    start = max(existing, live_until)
    if count > start:
        everyone = db.session.execute(db.select(Sponsor).order_by(Sponsor.id)).scalars().all()
        sites = {s.code: s for s in db.session.execute(db.select(Site)).scalars()}
        loader = Loader(now=now, plan=bulk_plan(everyone, sites, local_date(now)), staff=staff)
        first_loaded = (db.session.execute(db.select(db.func.max(Contract.id))).scalar() or 0) + 1
        loader.load(range(start, count), progress)
        realign_sequences()
        refresh_statistics()
        db.session.commit()
        # The loaded history's deadlines have passed long ago: record what they raised, unsent.
        from tracker.alerts.sweep import sweep

        sweep(now, imported=True, from_contract_id=first_loaded)
        db.session.commit()
        vacuum_after_load()  # after the sweep's updates to the tracks
    if count > existing:
        echo(f"Created {count - existing} demo contracts.")
    return logins
