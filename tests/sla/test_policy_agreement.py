"""With a non-default policy, the contract page, the API and the sweep's alerts tell the same story.

The policy warns 3 working days before the due day (default 1) and escalates 4 working
days after it (default 2). Four review stages are placed around those boundaries,
counted from the test's own clock in the site's calendar, and each reader is asked.
"""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest

from tracker import audit
from tracker.alerts.sweep import sweep
from tracker.extensions import db
from tracker.models import Contract, OutboxMessage, Site, User
from tracker.pipeline.operations import apply_action
from tracker.sla.calendars import site_calendar
from tracker.sla.operations import save_policy
from tracker.sla.policy import DEFAULTS
from tracker.timeutil import local_date, zone

FIRST_REVIEW = DEFAULTS["review_first_round"]


@pytest.fixture
def world(app, now, make_sponsor, make_user, make_contract):
    """Policy 3/4 in force, and one GR review stage per case, due relative to today at the site."""
    with app.app_context():
        save_policy({**DEFAULTS, "warning_before": 3, "escalation_after": 4}, actor=audit.SYSTEM, now=now,
                    note="Earlier warnings, later escalations")
        db.session.commit()
        calendar = site_calendar(db.session.execute(db.select(Site).where(Site.code == "GR")).scalar_one())
    today = local_date(now)
    # The last working day up to today: on a weekend the boundaries are counted from Friday.
    anchor = today if calendar.is_working_day(today) else calendar.add_working_days(today, -1)
    due = {"left_4": calendar.add_working_days(anchor, 4), "left_3": calendar.add_working_days(anchor, 3),
           "late_3": calendar.add_working_days(anchor, -3), "late_4": calendar.add_working_days(anchor, -4)}
    sponsor_id = make_sponsor()
    people = {"legal": make_user("legal", "GR", language="en"), "manager": make_user("manager", "GR", language="en")}
    references = {}
    for case, due_on in due.items():
        entered = calendar.add_working_days(due_on, -FIRST_REVIEW)
        assert entered < today
        reference = make_contract(sponsor_id, sites=("GR",), received_on=entered - timedelta(days=7),
                                  acronym=case.upper())
        with app.app_context():
            contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
            apply_action(contract.tracks[0], "mark_complete", actor=audit.SYSTEM, now=now,
                         effective_at=datetime.combine(entered, time(10), tzinfo=zone("Europe/Paris")))
            db.session.commit()
        references[case] = reference
    return {"refs": references, "due": due, "people": people}


def _page_deadline(client, reference) -> str:
    """The deadline line of the GR track on the contract page, as words."""
    html = client.get(f"/contracts/{reference}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    line = re.search(r'id="track-GR".*?<p class="deadline">(.*?)</p>', html, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", line)).strip()


def test_page_api_and_alerts_agree_on_warning_and_escalation_days(app, login, api, now, world):
    refs, due = world["refs"], world["due"]
    # The API: the status each track's SLA is in today.
    reader = api(world["people"]["legal"])
    statuses = {case: reader.get(f"/contracts/{ref}").json()["tracks"][0]["sla"] for case, ref in refs.items()}
    assert {case: s["status"] for case, s in statuses.items()} == {
        "left_4": "on_track", "left_3": "warning", "late_3": "breached", "late_4": "breached"}
    assert {case: s["due_on"] for case, s in statuses.items()} == {c: d.isoformat() for c, d in due.items()}

    # The page, in words: due soon from the third working day before, escalated from the fourth after.
    client = login(world["people"]["legal"])
    words = {case: _page_deadline(client, ref) for case, ref in refs.items()}
    assert words["left_4"].startswith("On track")
    assert words["left_3"].startswith("Due soon")
    assert words["late_3"].startswith("Overdue") and "Escalated" not in words["late_3"]
    assert words["late_4"].startswith("Overdue") and "Escalated to the managers" in words["late_4"]

    # The sweep at the same moment queues exactly the alerts those states call for.
    with app.app_context():
        sweep(now)
        db.session.commit()
        rows = db.session.execute(
            db.select(OutboxMessage.kind, Contract.acronym, User.role)
            .join(Contract, Contract.id == OutboxMessage.contract_id)
            .join(User, User.id == OutboxMessage.recipient_id)).all()
    queued = sorted((acronym.lower(), kind, role) for kind, acronym, role in rows)
    assert queued == sorted([
        ("left_3", "warning", "legal"),
        ("late_3", "breach", "legal"), ("late_3", "breach", "manager"),
        ("late_4", "breach", "legal"), ("late_4", "breach", "manager"), ("late_4", "escalation", "manager"),
    ])

