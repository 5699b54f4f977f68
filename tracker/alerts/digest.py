"""The managers' daily digest (SPEC 4): each working day from 08:00 site time.

One e-mail per manager of a site, listing the site's open contracts ranked by the
share of their stage SLA already used, breaches first. It is queued only while the
site's window is open (08:00-19:00 on a working day), so a digest missed because
nothing ran that day is skipped rather than delivered stale the next morning; its key
(site, local date, manager) makes it once a day however often the check runs.
"""
from __future__ import annotations

from datetime import date, datetime

from tracker.alerts import mails
from tracker.alerts.queue import existing_keys, insert_new
from tracker.alerts.rules import Person, SweepContext, load_context, outbox_row
from tracker.alerts.window import SiteWindow
from tracker.extensions import db
from tracker.models import Contract, Site, Sponsor, Track
from tracker.pipeline import rules as pipeline
from tracker.sla import deadlines
from tracker.timeutil import local_date

# Rows listed in one e-mail; the rest are counted and one link away.
LISTED = 100
ORDER = {"breached": 0, "warning": 1, "on_track": 2, "paused": 3, "none": 4}


def ranking(site: Site, window: SiteWindow, today: date) -> list[dict]:
    """The site's open tracks with their SLA share used, breaches first, then by share used."""
    calendar = window.calendar
    rows = db.session.execute(
        db.select(Track.stage, Track.round, Track.due_on, Track.stage_entered_at, Track.institution_signed_at,
                  Track.investigator_signed_at, Contract.reference, Contract.title, Contract.acronym,
                  Sponsor.name.label("sponsor"))
        .join(Contract, Contract.id == Track.contract_id).join(Sponsor, Sponsor.id == Contract.sponsor_id)
        .where(Track.site_id == site.id, Track.stage.not_in(tuple(sorted(pipeline.CLOSED_STAGES))))
    ).all()
    ranked = []
    for row in rows:
        holder = pipeline.holder(row.stage, {"institution": row.institution_signed_at,
                                             "investigator": row.investigator_signed_at})
        share = None
        if row.due_on is None:
            status = "paused" if holder == "sponsor" else "none"
        else:
            entered = local_date(row.stage_entered_at, window.timezone)
            allowed = max(calendar.working_days_between(entered, row.due_on), 1)
            share = calendar.working_days_between(entered, today) / allowed
            status = deadlines.sla_status(calendar, row.due_on, today, paused=False)
        ranked.append({"reference": row.reference, "title": row.title, "acronym": row.acronym,
                       "sponsor": row.sponsor, "stage": row.stage, "round": row.round, "due_on": row.due_on,
                       "status": status, "share": share})
    ranked.sort(key=lambda r: (ORDER[r["status"]], -(r["share"] or 0), r["due_on"] or date.max, r["reference"]))
    return ranked


def _site_digest(state: SweepContext, site: Site, people: list[Person]) -> int:
    window = state.windows[site.id]
    today = window.today(state.now)
    keys = {person.id: f"digest:{site.id}:{today.isoformat()}:{person.id}" for person in people}
    present = existing_keys(keys.values())
    people = [p for p in people if keys[p.id] not in present]
    if not people:
        return 0
    ranked = ranking(site, window, today)
    values = {"site": site.name, "site_code": site.code, "day": today, "open": len(ranked),
              "breached": sum(1 for r in ranked if r["status"] == "breached"),
              "rows": ranked[:LISTED], "more": max(len(ranked) - LISTED, 0)}
    rows = []
    for person in people:
        language = mails.language_of(person.language)
        rendered = mails.render_digest(language, {**values, "name": person.name})
        rows.append(outbox_row(state, "digest", keys[person.id], person, site.id, rendered, language=language))
    rows.sort(key=lambda r: r["key"])
    return insert_new(rows)


def digest(now: datetime) -> int:
    """Queue today's digest for every manager of every site whose window is open; return rows added."""
    state = load_context(now)
    queued = 0
    sites = db.session.execute(db.select(Site).order_by(Site.id)).scalars().all()
    with mails.rendering():
        for site in sites:
            people = state.staff.get((site.id, "manager"), [])
            if people and state.windows[site.id].is_open(now):
                queued += _site_digest(state, site, people)
    return queued
