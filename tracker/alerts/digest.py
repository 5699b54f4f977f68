"""The managers' daily digest (SPEC 4): each working day at 08:00 site time.

One e-mail per manager of a site, listing the site's open tracks ranked the way the
work queue and the dashboard rank them (``tracker.sla.state.urgency``): overdue first,
then by the share of the deadline already used. It is queued only while the site's
window is open (08:00-19:00 on a working day), so a digest missed because nothing ran
that day is skipped rather than delivered stale the next morning; its key (site, local
date, manager) makes it once a day however often the job runs. A site with nothing
open gets no digest, and the sender delivers only each manager's newest one.
"""
from __future__ import annotations

from datetime import datetime

from tracker.alerts import mails
from tracker.alerts.context import Directory, load_directory
from tracker.extensions import db
from tracker.mail.queue import existing_keys, insert_new, outbox_row
from tracker.mail.render import language_of, rendering
from tracker.metrics.ranking import ranking  # the same ranking as the work queue and the dashboard
from tracker.models import Site

# Rows listed in one e-mail; the rest are counted and one link away.
LISTED = 100


def _site_digest(directory: Directory, site: Site, people: list) -> int:
    window = directory.windows[site.id]
    today = window.today(directory.now)
    keys = {person.id: f"digest:{site.id}:{today.isoformat()}:{person.id}" for person in people}
    present = existing_keys(keys.values())
    people = [p for p in people if keys[p.id] not in present]
    if not people:
        return 0
    ranked = ranking(site, window, today)
    if not ranked:
        return 0  # nothing open at the site: no digest
    values = {"site": site.name, "site_code": site.code, "day": today, "open": len(ranked),
              "breached": sum(1 for r in ranked if r["status"] == "breached"),
              "rows": ranked[:LISTED], "more": max(len(ranked) - LISTED, 0)}
    # No audit-chain head here: managers cannot use it; the anchor log and `audit verify` keep it.
    rows = []
    for person in people:
        language = language_of(person.language)
        rendered = mails.render_digest(language, {**values, "name": person.name})
        rows.append(outbox_row(key=keys[person.id], kind="digest", person=person, subject_text_html=rendered,
                               language=language, now=directory.now, site_id=site.id,
                               not_before=window.next_opening(directory.now)))
    rows.sort(key=lambda r: r["key"])
    return insert_new(rows)


def digest(now: datetime, timezone: str | None = None) -> int:
    """Queue today's digest for every manager of every site whose window is open; return rows added.

    ``timezone`` limits the run to the sites in that zone (the scheduler runs one job at
    08:00 in each zone the sites use).
    """
    directory = load_directory(now)
    queued = 0
    sites = db.session.execute(db.select(Site).order_by(Site.id)).scalars().all()
    with rendering():
        for site in sites:
            if timezone is not None and site.timezone != timezone:
                continue
            people = directory.staff.get((site.id, "manager"), [])
            if people and directory.windows[site.id].is_open(now):
                queued += _site_digest(directory, site, people)
    return queued
