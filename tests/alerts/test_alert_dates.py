"""Every alert names its date, in the product's one date format and the reader's language (issue 15:
the French warning said "before the end of this day" on the day before the due day).

Calendar: a review entered on Thursday 30 April 2026 has 5 working days and is due on Monday
11 May 2026 (1 and 8 May are holidays); its warning day is Thursday 7 May.
"""
from __future__ import annotations

from datetime import date

import pytest

from tracker.alerts import mails
from tracker.mail.render import rendering


def test_the_french_warning_names_the_due_date(desk, smtp):
    french = desk.make_user("legal", "GR")
    english = desk.make_user("legal", "GR", language="en")
    reference = desk.contract("2026-04-28")
    desk.act(reference, "mark_complete", "2026-04-30 10:00")
    desk.sweep("2026-05-06 18:00")
    assert desk.alerts() == []  # Wednesday: two working days before
    desk.sweep("2026-05-07 09:00")
    assert desk.send("2026-05-07 09:00") == (2, 0)
    (fr,), (en,) = smtp.box.to(french), smtp.box.to(english)
    for part in ("plain", "html"):
        assert "au plus tard le 11 mai 2026" in fr.part(part)
        assert "on May 11, 2026 at the latest" in en.part(part)
    assert "11 mai 2026" in fr.subject and "May 11, 2026" in en.subject
    for text in (fr.part("plain"), en.part("plain")):
        assert "fin de cette journée" not in text and "end of this day" not in text


DAY = date(2026, 5, 11)
BASE = {"reference": "FT-2026-0042", "title": "A phase I trial", "acronym": "ONCO-1", "sponsor": "Novacure",
        "site": "Gustave Roussy", "stage": "review", "round": 1, "days_late": 2, "missing": [], "owner": None}
# kind, audience, the values that carry its date
KINDS = [
    ("warning", "owner", {"due_on": DAY}),
    ("breach", "owner", {"due_on": DAY}),
    ("breach", "managers", {"due_on": DAY}),
    ("escalation", "managers", {"due_on": DAY}),
    ("escalation", "managers", {"reason": "round", "round": 4, "round_limit": 3, "started_on": DAY}),
    ("sponsor_reminder", "sponsor", {"since_on": DAY, "stage": "with_sponsor", "reminder": 2}),
    ("ceiling_warning", "owner", {"ceiling_on": DAY}),
    ("ceiling_warning", "managers", {"ceiling_on": DAY}),
    ("ceiling_breach", "managers", {"ceiling_on": DAY}),
    ("conformity_issue", "owner", {"reporter_site": "Institut Bergonié", "issue": "Article 7 differs.",
                                   "reported_on": DAY}),
]
DATED = {"fr": "11 mai 2026", "en": "May 11, 2026"}


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("kind, audience, values", KINDS, ids=[f"{k}-{a}" for k, a, _v in KINDS])
def test_every_alert_names_its_date(app, language, kind, audience, values):
    with app.app_context(), rendering():
        subject, text, html = mails.render_track_alert(kind, language, {**BASE, **values, "name": "Camille",
                                                                        "audience": audience})
    body = text.split("\n\n", 2)[1]  # the first paragraph after the greeting
    assert DATED[language] in body, text
    assert DATED[language] in html
    assert subject.startswith("[FT-2026-0042]")
    assert "  " not in subject and subject == subject.strip()  # no doubled or dangling spaces (issue 26)
