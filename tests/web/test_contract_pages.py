"""The staff contract list and the create form."""
from datetime import timedelta

from tracker.extensions import db
from tracker.models import Contract
from tests.helpers.web import csrf_token
from tracker.timeutil import local_date

EN = {"Accept-Language": "en"}


def _form(client, sponsor_id, today, **over):
    data = {"csrf_token": csrf_token(client, "/contracts/new"), "sponsor": "Novacure Oncology SA",
            "title": "KRAS G12C inhibitor in colorectal cancer", "protocol_number": "KRS-2026-07",
            "phase": "II", "coordinating_site": "GR", "sites": ["IB"],
            "received_on": (today - timedelta(days=1)).isoformat(), "acronym": "KRASCOL",
            "patients": "40", "budget-0-item": "Screening visit", "budget-0-amount": "450",
            "budget-0-unit": "EUR per patient", "budget-1-item": "Archiving", "budget-1-amount": "1500",
            "budget-1-unit": "EUR flat"}
    data.update(over)
    return data


def test_create_a_contract_with_both_sites_and_find_it(client, app, make_user, make_sponsor, login, now):
    sponsor_id = make_sponsor()
    login(make_user("legal", "GR"))
    response = client.post("/contracts/new", data=_form(client, sponsor_id, local_date(now)), headers=EN)
    assert response.status_code == 302
    reference = response.headers["Location"].rsplit("/", 1)[1]
    page = client.get(f"/contracts/{reference}", headers=EN).get_data(as_text=True)
    assert "Gustave Roussy" in page and "Institut Bergonié" in page and "Screening visit" in page
    listing = client.get("/contracts?q=krascol", headers=EN).get_data(as_text=True)
    assert reference in listing


def test_validation_messages_sit_beside_the_fields_and_nothing_is_stored(client, app, make_user, make_sponsor, login,
                                                                        now):
    sponsor_id = make_sponsor()
    login(make_user("legal", "GR"))
    response = client.post("/contracts/new", headers=EN, data=_form(
        client, sponsor_id, local_date(now), title="", phase="",
        received_on=(local_date(now) + timedelta(days=5)).isoformat(),
        eu_ct_number="not-a-number", **{"budget-1-amount": ""}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="title-error"' in page and "This field is required." in page
    assert 'id="received_on-error"' in page and "cannot be in the future" in page
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Contract.id))).scalar() == 0
    # The second round keeps what was typed.
    assert 'value="KRS-2026-07"' in page


def test_list_search_filters_and_pages(client, app, make_user, make_sponsor, make_contract, login):
    novacure = make_sponsor("Novacure Oncology SA")
    helix = make_sponsor("Helix Therapeutics Inc.", "US")
    refs = [make_contract(novacure, protocol_number=f"NVC-{i:03d}") for i in range(27)]
    helix_ref = make_contract(helix, sites=("GR",), protocol_number="HLX-999")
    ib_ref = make_contract(helix, coordinating="IB", sites=("IB",), protocol_number="IB-ONLY")
    login(make_user("legal", "GR"))
    first = client.get("/contracts", headers=EN).get_data(as_text=True)
    assert "Page 1 of 2 (28 contracts)" in first.replace("</span>", "")
    assert helix_ref in first and ib_ref not in first
    second = client.get("/contracts?page=2", headers=EN).get_data(as_text=True)
    assert refs[0] in second
    assert helix_ref in client.get("/contracts?q=helix").get_data(as_text=True)
    by_protocol = client.get("/contracts?q=nvc-005").get_data(as_text=True)
    assert refs[5] in by_protocol and refs[6] not in by_protocol
    only_gr = client.get("/contracts?site=IB&q=hlx").get_data(as_text=True)
    assert helix_ref not in only_gr
    waiting = client.get("/contracts?stage=waiting_coordinator&q=hlx").get_data(as_text=True)
    assert helix_ref not in waiting  # a single-site contract has no associated track
    assert client.get("/contracts?page=99").status_code == 200
    assert client.get("/contracts?stage=<script>").status_code == 200


def test_contract_of_another_site_is_not_found(client, make_user, make_sponsor, make_contract, login):
    sponsor_id = make_sponsor()
    ref = make_contract(sponsor_id, coordinating="IB", sites=("IB",))
    login(make_user("legal", "GR"))
    assert client.get(f"/contracts/{ref}").status_code == 404


def test_a_long_list_is_counted_up_to_a_limit_and_says_page_of_many(client, app, make_user, make_sponsor,
                                                                     make_contract, login, monkeypatch):
    """Past the counting limit the pager says "Page n of many (more than N contracts)" and still leads to
    every page; near the end of the list the count is exact again."""
    from tracker.contracts import search

    monkeypatch.setattr(search, "COUNT_LIMIT", 10)
    monkeypatch.setattr(search, "PAGES_AHEAD", 1)
    monkeypatch.setitem(app.config, "PAGE_SIZE", 5)
    novacure = make_sponsor("Novacure Oncology SA")
    refs = [make_contract(novacure, protocol_number=f"NVC-{i:03d}") for i in range(23)]
    login(make_user("legal", "GR"))

    def page(number):
        html = client.get(f"/contracts?q=nvc&page={number}", headers=EN).get_data(as_text=True)
        pager = html[html.index('<nav class="pager"'):]
        pager = pager[:pager.index("</nav>")].replace("</span>", "")
        return html, pager

    shown = {}
    for number, label, previous, following in (
            (1, "Page 1 of many (more than 10 contracts)", False, True),  # counted 11 of up to 10: a floor
            (3, "Page 3 of many (more than 20 contracts)", True, True),
            (4, "Page 4 of 5 (23 contracts)", True, True),  # 4 + 1 pages ahead reach the end: exact
            (5, "Page 5 of 5 (23 contracts)", True, False)):
        html, pager = page(number)
        assert label in pager, pager
        assert (f"page={number - 1}\"" in pager) is previous
        assert (f"page={number + 1}\"" in pager) is following
        shown[number] = {ref for ref in refs if ref in html}
    shown[2] = {ref for ref in refs if ref in page(2)[0]}
    assert sorted(len(found) for found in shown.values()) == [3, 5, 5, 5, 5]
    assert set().union(*shown.values()) == set(refs)  # every contract once, none lost past the limit
