"""Everything a sweep or a digest reads once per run: sites, their windows and calendars, people.

Loading it up front keeps a sweep to a few queries however many tracks it looks at.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from tracker.alerts.rules import MANAGERS, OWNER, SPONSOR
from tracker.mail.window import SiteWindow, load_windows
from tracker.extensions import db
from tracker.models import Site, Sponsor, User


class Person(NamedTuple):
    id: int
    email: str
    name: str
    language: str | None
    role: str
    site_id: int | None = None


@dataclass
class Directory:
    now: datetime
    windows: dict[int, SiteWindow]
    site_names: dict[int, str]
    sponsor_names: dict[int, str]
    staff: dict[tuple[int, str], list[Person]] = field(default_factory=dict)
    sponsor_people: dict[int, list[Person]] = field(default_factory=dict)
    people: dict[int, Person] = field(default_factory=dict)

    def owner(self, owner_id: int | None, site_id: int) -> Person | None:
        """The track's owner while they are an active legal user of its site, else None."""
        owner = self.people.get(owner_id) if owner_id else None
        return owner if owner is not None and owner.role == "legal" and owner.site_id == site_id else None

    def recipients(self, audience: str, *, site_id: int, sponsor_id: int, owner_id: int | None) -> list[Person]:
        """The people an audience means on one track: owner (else legal staff), managers, sponsor users.

        SPEC 4: warnings and breaches go to the track's owner - while they are an active legal
        user of the track's site - and to all the site's legal staff when there is none.
        """
        if audience == OWNER:
            owner = self.owner(owner_id, site_id)
            if owner is not None:
                return [owner]
            return self.staff.get((site_id, "legal"), [])
        if audience == MANAGERS:
            return self.staff.get((site_id, "manager"), [])
        if audience == SPONSOR:
            return self.sponsor_people.get(sponsor_id, [])
        return []


def load_directory(now: datetime, site_ids: set[int] | None = None) -> Directory:
    """Sites, their windows and the active people; with ``site_ids``, only those sites' staff."""
    directory = Directory(
        now=now,
        windows=load_windows(),
        site_names=dict(db.session.execute(db.select(Site.id, Site.name)).all()),
        sponsor_names=dict(db.session.execute(db.select(Sponsor.id, Sponsor.name)).all()),
    )
    stmt = (db.select(User.id, User.email, User.name, User.language, User.role, User.site_id, User.sponsor_id)
            .where(User.active.is_(True), User.role.in_(("legal", "manager", "sponsor"))).order_by(User.id))
    if site_ids is not None:
        stmt = stmt.where(User.site_id.in_(site_ids))
    for row in db.session.execute(stmt).all():
        person = Person(row.id, row.email, row.name, row.language, row.role, row.site_id)
        directory.people[row.id] = person
        if row.role == "sponsor":
            if row.sponsor_id is not None:
                directory.sponsor_people.setdefault(row.sponsor_id, []).append(person)
        elif row.site_id is not None:
            directory.staff.setdefault((row.site_id, row.role), []).append(person)
    return directory
