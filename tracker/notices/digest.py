"""The daily digest of notifications (SPEC 4): one mail per person gathering what they chose to read there.

A notification whose recipient chose "digest" is queued ``held`` (``tracker.notices.choices``).
Once a day (with the managers' digest: ``sla digest`` and the scheduler at 08:00) every
person with held notifications gets one mail listing them, each with the link to its
contract, in their language. Those about a contract cancelled since are dropped
(superseded), as the sender would have done. A person gets at most one such mail a day;
what arrives after it waits for the next. Like the alerts, it leaves only in working hours (the
person's site's; the first site's for a sponsor).
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from tracker.mail.window import load_windows
from tracker.extensions import db
from tracker.mail.queue import held, insert_new, outbox_row, settle_held
from tracker.mail.render import contract_link, language_of, render, rendering
from tracker.models import User
from tracker.timeutil import local_date


def _subject(v: dict) -> str:
    return _("Your notifications of the day (%(n)d)", n=len(v["items"]))


def digest(now: datetime) -> int:
    """Queue today's notification digests; return how many were queued."""
    by_person: dict[int, list] = {}
    cancelled = []
    for row, reference, status in held(now):
        if status == "cancelled":
            cancelled.append(row)
        else:
            by_person.setdefault(row.recipient_id, []).append((row, reference))
    settle_held(cancelled, "superseded")
    if not by_person:
        return 0
    people = {u.id: u for u in db.session.execute(db.select(User).where(
        User.id.in_(by_person), User.active.is_(True))).scalars()}
    queued = 0
    day = local_date(now).isoformat()
    windows = load_windows()
    with rendering():
        for person_id, items in by_person.items():
            person = people.get(person_id)
            # Staff read it in their site's working hours; sponsors in those of the first site.
            window = windows.get(person.site_id) if person else None
            window = window or next(iter(windows.values()), None)
            if person is None or window is None or not window.is_open(now):
                continue
            language = language_of(person.language)
            values = {"name": person.name, "items": [
                {"subject": row.subject, "link": contract_link(reference, sponsor=person.role == "sponsor")
                 if reference else None} for row, reference in items]}
            rendered = render("notice_digest", language, values, _subject)
            added = insert_new([outbox_row(key=f"notice_digest:{person.id}:{day}", kind="notice_digest",
                                           person=person, subject_text_html=rendered, language=language, now=now,
                                           not_before=now)])
            if added:  # else today's went out already: these wait for tomorrow's
                settle_held([row for row, _reference in items], "digested")
                queued += 1
    return queued
