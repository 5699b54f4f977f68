"""Everything a sweep or a digest reads once per run: sites, their windows and calendars, people.

Loading it up front keeps a sweep to a few queries however many tracks it looks at.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from tracker.alerts.rules import MANAGERS, OWNER, SPONSOR
from tracker.alerts.window import SiteWindow, load_windows
from tracker.extensions import db
from tracker.models import Site, Sponsor, User


class Person(NamedTuple):
    id: int
    email: str
    name: str
    language: str | None
    role: str


@dataclass
class Directory:
    now: datetime
    windows: dict[int, SiteWindow]
    site_names: dict[int, str]
    sponsor_names: dict[int, str]
    staff: dict[tuple[int, str], list[Person]] = field(default_factory=dict)
    sponsor_people: dict[int, list[Person]] = field(default_factory=dict)
    people: dict[int, Person] = field(default_factory=dict)

    def recipients(self, audience: str, *, site_id: int, sponsor_id: int, owner_id: int | None) -> list[Person]:
        """The people an audience means on one track: owner (else legal staff), managers, sponsor users."""
        if audience == OWNER:
            owner = self.people.get(owner_id) if owner_id else None
            if owner is not None and owner.role == "legal":
                return [owner]
            return self.staff.get((site_id, "legal"), [])
        if audience == MANAGERS:
            return self.staff.get((site_id, "manager"), [])
        if audience == SPONSOR:
            return self.sponsor_people.get(sponsor_id, [])
        return []


def load_directory(now: datetime) -> Directory:
    directory = Directory(
        now=now,
        windows=load_windows(),
        site_names=dict(db.session.execute(db.select(Site.id, Site.name)).all()),
        sponsor_names=dict(db.session.execute(db.select(Sponsor.id, Sponsor.name)).all()),
    )
    rows = db.session.execute(
        db.select(User.id, User.email, User.name, User.language, User.role, User.site_id, User.sponsor_id)
        .where(User.active.is_(True), User.role.in_(("legal", "manager", "sponsor"))).order_by(User.id)).all()
    for row in rows:
        person = Person(row.id, row.email, row.name, row.language, row.role)
        directory.people[row.id] = person
        if row.role == "sponsor":
            if row.sponsor_id is not None:
                directory.sponsor_people.setdefault(row.sponsor_id, []).append(person)
        elif row.site_id is not None:
            directory.staff.setdefault((row.site_id, row.role), []).append(person)
    return directory
