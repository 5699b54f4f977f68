"""Dates, times, amounts and sizes read the reader's way, in one date and one date-time format
(issue 26: "12/6/26, 11:05 PM", seconds and "+0100" on one product, "42.7 kB" and "1250.00" on French pages)."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest

from tests.helpers.contract_data import CONTRACT_DETAILS, SPONSOR_IDENTITY
from tests.helpers.web import csrf_token
from tracker import formatting
from tracker.timeutil import local_date

FR, EN = {"Accept-Language": "fr"}, {"Accept-Language": "en"}
NBSP = "[\u00a0\u202f ]"  # CLDR's French separators: a narrow or plain no-break space


@pytest.mark.parametrize("headers, day, moment, size, amount, small", [
    (FR, "7 déc. 2026", "7 déc. 2026, 14:05", f"42,7{NBSP}ko", f"1{NBSP}250,00{NBSP}€", f"512{NBSP}octets"),
    (EN, "Dec 7, 2026", "Dec 7, 2026, 2:05\u202fPM", "42.7 kB", "€1,250.00", "512 bytes"),
])
def test_one_date_format_one_date_time_format_sizes_and_amounts(app, headers, day, moment, size, amount, small):
    at = datetime(2026, 12, 7, 13, 5, 42, tzinfo=timezone.utc)  # 14:05:42 in Paris
    with app.test_request_context(headers=headers):
        assert formatting.day(date(2026, 12, 7)) == day and formatting.day(at) == day
        assert formatting.moment(at) == moment.replace("\u202f", " ") or formatting.moment(at) == moment
        assert re.fullmatch(size, formatting.filesize(42_700)) and re.fullmatch(small, formatting.filesize(512))
        assert re.fullmatch(amount, formatting.amount("1250.00", "EUR per patient"))
        assert formatting.amount("1250.00", "USD flat") in ("1\u202f250,00", "1,250.00")
        assert formatting.typed_day("2026-12-07") == day and formatting.typed_day("07/12/2026") == "07/12/2026"


def test_the_french_contract_page_shows_amounts_sizes_and_dates_the_french_way(client, builtin_templates, make_user,
                                                                               make_sponsor, make_contract, login, now):
    sponsor_id = make_sponsor(**SPONSOR_IDENTITY)
    details = {**CONTRACT_DETAILS, "budget": [{"item": "Archivage", "amount": "1250", "unit": "EUR flat"}]}
    received = local_date(now) - timedelta(days=2)
    reference = make_contract(sponsor_id, received_on=received, **details)
    login(make_user("legal", "GR"))
    page = f"/contracts/{reference}"
    client.post(f"{page}/documents/generate", headers=FR, data={
        "csrf_token": csrf_token(client, page), "template": "coordinating_fr", "site": "GR"})
    html = client.get(page, headers=FR).get_data(as_text=True)
    assert re.search(f">1{NBSP}250,00{NBSP}€<", html), "the budget amount is not in euros the French way"
    assert "1250.00" not in html and ">forfait<" in html  # "EUR flat": the amount already says €
    size = re.search(r"\.docx</a> \(([^)]*)\)", html).group(1)
    assert re.fullmatch(rf"\d+(,\d)?{NBSP}ko", size), size
    assert "kB" not in html
    with client.application.test_request_context(headers=FR):
        assert formatting.day(received) in html  # "Reçue le 5 déc. 2026"
    # every date-time on the page: day, month, year, then hours and minutes, never seconds or an offset
    times = re.findall(r"<time datetime=\"[^\"]+\">([^<]+)</time>", html)
    assert times and all(re.fullmatch(r"\d{1,2} \w+\.? \d{4}, \d{2}:\d{2}", t) for t in times), times
    shown = re.sub(r"<[^>]+>", " ", html)  # the text, not the machine-readable datetime attributes
    assert not re.search(r"\d{1,2}/\d{1,2}/\d{2}|\d{2}:\d{2}:\d{2}|UTC[+-]|[+-]0[0-9]00", shown)


def test_the_english_page_keeps_english_amounts(client, make_user, make_sponsor, make_contract, login):
    reference = make_contract(make_sponsor(**SPONSOR_IDENTITY), **CONTRACT_DETAILS)
    login(make_user("legal", "GR"))
    html = client.get(f"/contracts/{reference}", headers=EN).get_data(as_text=True)
    assert ">€450.00<" in html


def test_the_two_send_buttons_say_what_each_sends(app, client, make_user, make_sponsor, make_contract, login):
    """Issue 26: "Envoyer au promoteur" named both the draft's dispatch and a message's."""
    from tracker import audit
    from tracker.extensions import db
    from tracker.models import Contract
    from tracker.pipeline.operations import apply_action

    reference = make_contract(make_sponsor())
    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        apply_action(contract.coordinating_track, "mark_complete", actor=audit.SYSTEM,
                     now=datetime.now(timezone.utc))
        db.session.commit()
    login(make_user("legal", "GR", language="fr"))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(f"/contracts/{reference}").get_data(as_text=True)))
    assert "Envoyer le projet au promoteur" in text and "Envoyer le message au promoteur" in text
    assert not re.search(r"Envoyer au promoteur", text)
    assert "Mes dossiers" in text and "Ma file" not in text
    assert not re.search(r"\b[Ss]ites?\b", text), re.findall(r".{40}\bsites?\b.{40}", text)  # a "centre" in French
