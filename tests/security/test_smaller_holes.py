"""Staff create only contracts their site takes part in; e-mail links open for the staff who get them."""
from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest

from tracker.extensions import db
from tracker.models import Contract


def _body(sponsor_id, coordinating="IB", sites=("IB",)) -> dict:
    return {"sponsor_id": sponsor_id, "title": "IB-only trial", "protocol_number": "IB-1", "phase": "I",
            "coordinating_site": coordinating, "sites": list(sites),
            "received_on": (date.today() - timedelta(days=1)).isoformat()}


def _contracts(app) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count(Contract.id))).scalar()


@pytest.mark.parametrize("role", ["legal", "manager"])
def test_staff_cannot_create_a_contract_their_site_takes_no_part_in(app, api, make_user, make_sponsor, role):
    sponsor_id = make_sponsor()
    client = api(make_user(role, "GR"))
    refused = client.post("/contracts", json=_body(sponsor_id))
    assert refused.status_code == 403 and "Your site must take part" in refused.json()["error"]["message"]
    assert _contracts(app) == 0
    assert client.post("/contracts", json=_body(sponsor_id, "IB", ["IB", "GR"])).status_code == 201
    assert client.post("/contracts", json=_body(sponsor_id, "GR", ["GR"])).status_code == 201


def test_admins_may_create_a_contract_for_any_site(api, make_user, make_sponsor):
    assert api(make_user("admin", None)).post("/contracts", json=_body(make_sponsor())).status_code == 201


def test_the_page_says_why_and_stores_nothing(app, client, make_user, make_sponsor, login):
    from tests.helpers.web import csrf_token

    sponsor_id = make_sponsor()
    login(make_user("legal", "GR"))
    response = client.post("/contracts/new", follow_redirects=True, headers={"Accept-Language": "en"}, data={
        **{k: v for k, v in _body(sponsor_id).items() if k not in ("sites", "sponsor_id")},
        "sponsor": "Novacure Oncology SA",  # IB coordinates, alone
        "csrf_token": csrf_token(client, "/contracts/new")})
    assert "Your site must take part in the contracts you create" in response.get_data(as_text=True)
    assert _contracts(app) == 0


ALERT = {"stage": "review", "due_on": date(2026, 5, 11), "since_on": date(2026, 5, 4), "ceiling_on": date(2026, 6, 1),
         "missing": ["institution"], "title": "Phase I of NVC-114", "acronym": "ESCALADE", "site": "Gustave Roussy",
         "round": 4, "round_limit": 3, "days_late": 2, "owner": "Claire", "reporter_site": "Institut Bergonié",
         "issue": "Article 3 differs", "reminder": 1}


@pytest.mark.parametrize("kind, audience", [("warning", "owner"), ("breach", "owner"), ("breach", "managers"),
                                            ("escalation", "managers"), ("ceiling_warning", "owner"),
                                            ("ceiling_breach", "managers"), ("conformity_issue", "owner")])
def test_links_in_staff_e_mails_open_for_the_staff_who_get_them(app, client, login, make_user, make_sponsor,
                                                                 make_contract, kind, audience):
    from tracker.alerts import mails
    from tracker.mail.render import rendering

    reference = make_contract(make_sponsor())
    with app.app_context(), rendering():
        _subject, text, html = mails.render_track_alert(kind, "en", {**ALERT, "reference": reference,
                                                                    "audience": audience})
        _s, digest_text, _h = mails.render_digest("en", {"site": "Gustave Roussy", "site_code": "GR",
                                                         "day": date(2026, 5, 11), "open": 1, "breached": 0,
                                                         "rows": [], "more": 0, "name": "M"})
    links = set(re.findall(r"https?://[^\s\"<>]+", text + html + digest_text))
    assert links, "no link in the e-mail"
    login(make_user("manager" if audience == "managers" else "legal", "GR"))
    for link in links:
        parts = urlsplit(link)
        assert f"{parts.scheme}://{parts.netloc}" == app.config["BASE_URL"]
        response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        assert response.status_code == 200, link
