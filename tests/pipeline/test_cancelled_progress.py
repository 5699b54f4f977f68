"""A contract cancelled after one site signed says so everywhere (issue 15: it showed "1/1").

The associated site executes its agreement, then the coordinator is cancelled: the contract is
cancelled, ``executed_sites`` counts every site ("1/2"), and the pages say "Cancelled · 1 site had
signed" - in the API, on the contract page and in the list.
"""
from __future__ import annotations

import re

import pytest

EN = {"Accept-Language": "en"}
FR = {"Accept-Language": "fr"}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


@pytest.fixture
def signed_then_cancelled(api, make_user, make_sponsor, make_contract):
    reference = make_contract(make_sponsor())
    legal_gr, legal_ib = api(make_user("legal", "GR")), api(make_user("legal", "IB"))
    manager = api(make_user("manager", "GR"))

    def act(client, site, action, **extra):
        response = client.post(f"/contracts/{reference}/events", json={"site": site, "action": action, **extra})
        assert response.status_code == 201, response.text

    act(legal_gr, "GR", "mark_complete")
    act(legal_gr, "GR", "agree")
    act(legal_ib, "IB", "conformity_ok")
    for party in ("institution", "investigator", "sponsor"):
        act(legal_ib, "IB", "sign", party=party)
    before = legal_gr.get(f"/contracts/{reference}").json()
    assert (before["status"], before["executed_sites"]) == ("open", "1/2")
    act(manager, "GR", "cancel", comment="The sponsor stopped the programme.")
    return reference, legal_gr


def test_the_api_says_cancelled_with_one_of_two_sites_signed(signed_then_cancelled):
    reference, client = signed_then_cancelled
    body = client.get(f"/contracts/{reference}").json()
    assert (body["status"], body["executed_sites"]) == ("cancelled", "1/2")
    assert {t["site"]: t["stage"] for t in body["tracks"]} == {"GR": "cancelled", "IB": "executed"}
    listed = next(c for c in client.get("/contracts").json()["contracts"] if c["reference"] == reference)
    assert (listed["status"], listed["executed_sites"]) == ("cancelled", "1/2")


def test_the_contract_and_list_pages_say_cancelled_and_one_site_had_signed(signed_then_cancelled, client,
                                                                           make_user, login):
    reference, _api = signed_then_cancelled
    login(make_user("legal", "GR"))
    page = _text(client.get(f"/contracts/{reference}", headers=EN).get_data(as_text=True))
    assert "Status Cancelled · 1 site had signed" in page
    assert "Reason: The sponsor stopped the programme." in page
    assert "sites executed" not in page
    listing = _text(client.get("/contracts", headers=EN).get_data(as_text=True))
    row = listing[listing.index(reference):]
    assert re.search(r"GR: Cancelled IB: Executed Cancelled · 1 site had signed", row[:400]), row[:400]
    french = _text(client.get(f"/contracts/{reference}", headers=FR).get_data(as_text=True))
    assert "Annulée · 1 centre avait signé" in french


def test_a_cancelled_contract_with_nothing_signed_just_says_cancelled(api, client, make_user, make_sponsor,
                                                                      make_contract, login):
    reference = make_contract(make_sponsor())
    manager = make_user("manager", "GR")
    response = api(manager).post(f"/contracts/{reference}/events", json={
        "site": "GR", "action": "cancel", "comment": "Withdrawn."})
    assert response.status_code == 201
    assert api(manager).get(f"/contracts/{reference}").json()["executed_sites"] == "0/2"
    login(manager)
    page = _text(client.get(f"/contracts/{reference}", headers=EN).get_data(as_text=True))
    assert re.search(r"Status Cancelled (?!·)", page) and "had signed" not in page
