"""Inputs that used to answer 500 now answer 4xx naming the field (or a one-line error), and store nothing.

Run on SQLite and on PostgreSQL (TRACKER_TEST_DATABASE_URL): the answers must be the same, although
PostgreSQL refuses NUL bytes and over-long text that SQLite would silently keep.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker.extensions import db
from tracker.models import AuditEntry, Contract, Event, Sponsor


def _count(app, model) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(model)).scalar()


def _contract_body(sponsor_id, **changes) -> dict:
    body = {"sponsor_id": sponsor_id, "title": "Phase I of NVC-114", "protocol_number": "NVC-114-001", "phase": "I",
            "coordinating_site": "GR", "sites": ["GR", "IB"],
            "received_on": (date.today() - timedelta(days=2)).isoformat()}
    body.update(changes)
    return body


@pytest.fixture
def staff(api, make_user, make_sponsor):
    return api(make_user("legal", "GR")), make_sponsor()


def _refused(response, field: str | None = None, status=(400, 404, 422)) -> dict:
    assert response.status_code in status, (response.status_code, response.text[:300])
    body = response.json()
    if field:
        assert field in body["error"].get("fields", {}), body
    return body


@pytest.mark.parametrize("depth", [40, 5_000, 100_000])
def test_deeply_nested_json_is_refused(app, staff, depth):
    client, _sponsor = staff
    body = '{"title": ' + "[" * depth + "]" * depth + "}"
    response = client.session.post(client.base + "/contracts", data=body,
                                   headers={"Content-Type": "application/json"}, timeout=30)
    _refused(response)
    assert _count(app, Contract) == 0


@pytest.mark.parametrize("value", [10**30, -1, 2**31, -2**31 - 1, -2**63 - 1, "1" + "0" * 30, 1e30, True])
def test_an_impossible_sponsor_id_is_refused(app, staff, value):
    client, sponsor_id = staff
    _refused(client.post("/contracts", json={**_contract_body(sponsor_id), "sponsor_id": value}), "sponsor_id")
    assert _count(app, Contract) == 0


@pytest.mark.parametrize("query", ["offset=1e23", "offset=100000000000000000000000", "offset=-1", "limit=1e20",
                                   "limit=%00", "offset=%F0%9F%92%A9"])
def test_bad_paging_of_the_api_list_is_refused(staff, query):
    client, _sponsor = staff
    _refused(client.get(f"/contracts?{query}"))


@pytest.mark.parametrize("path", ["/documents/1e20/content", "/documents/100000000000000000000/content",
                                  "/documents/2147483648/content", "/documents/-1/content",
                                  "/documents/100000000000000000000/withdraw"])
def test_huge_ids_in_api_addresses_are_not_found(staff, path):
    client, _sponsor = staff
    response = client.post(path) if path.endswith("withdraw") else client.get(path)
    assert response.status_code in (404, 405), response.status_code


def test_huge_ids_and_pages_in_page_addresses_answer_4xx(client, make_user, make_sponsor, make_contract, login):
    reference = make_contract(make_sponsor())
    login(make_user("admin", None))
    for path in ("/?page=1e20", "/?page=100000000000000000000", "/admin/outbox?page=1e20",
                 "/admin/outbox?page=100000000000000000000", "/documents/1e20/download",
                 "/documents/100000000000000000000/download", f"/contracts/{reference}/documents/1e20/compare",
                 f"/contracts/{reference}/documents/100000000000000000000/compare",
                 f"/contracts/{reference}/documents/100000000000000000000/withdraw",
                 "/admin/sites/GR/closures/100000000000000000000/delete", "/admin/sites/GR/closures/1e20/delete",
                 "/admin/outbox/100000000000000000000/retry", f"/contracts/{reference}/tracks/99999999999999/owner"):
        response = client.post(path) if path.endswith(("retry", "owner")) else client.get(path)
        assert response.status_code < 500, path
        assert response.status_code in (200, 400, 404, 405), (path, response.status_code)


@pytest.mark.parametrize("text", ["\ud800", "Phase I \udfff", "a\x00b", "\x00", "bell\x07", "esc\x1b[31m",
                                  "del\x7f", "c1\x85"])
def test_text_with_nul_control_characters_or_lone_surrogates_is_refused(app, staff, text):
    client, sponsor_id = staff
    _refused(client.post("/contracts", json=_contract_body(sponsor_id, title=text)), "title")
    _refused(client.post("/contracts", json=_contract_body(sponsor_id, budget=[{"item": text, "amount": 1}])),
             "budget")
    _refused(client.post("/sponsors", json={"name": text}), None, status=(403, 422))
    assert _count(app, Contract) == 0


@pytest.mark.parametrize("text", ["\ud800", "a\x00b", "esc\x1b"])
def test_a_comment_with_bad_characters_is_refused_and_a_multiline_one_accepted(app, api, make_user, make_sponsor,
                                                                              make_contract, text):
    reference = make_contract(make_sponsor())
    client = api(make_user("legal", "GR"))
    before = _count(app, Event)
    _refused(client.post(f"/contracts/{reference}/events", json={"site": "GR", "action": "mark_complete",
                                                                 "comment": text}), "comment")
    assert _count(app, Event) == before
    accepted = client.post(f"/contracts/{reference}/events", json={"site": "GR", "action": "mark_complete",
                                                                   "comment": "Complete.\nSee the annex:\tp. 3"})
    assert accepted.status_code == 201 and accepted.json()["comment"] == "Complete.\nSee the annex:\tp. 3"


@pytest.mark.parametrize("received_on", ["0001-01-01", "1999-12-31", "9999-12-31"])
def test_dates_out_of_any_sensible_range_are_refused(app, staff, received_on):
    client, sponsor_id = staff
    _refused(client.post("/contracts", json=_contract_body(sponsor_id, received_on=received_on)), "received_on")


def test_text_longer_than_its_column_is_refused_the_same_on_both_engines(app, api, make_user):
    admin = api(make_user("admin", None))
    before = _count(app, Sponsor)
    answer = admin.post("/sponsors", json={"name": "Long Registration SA", "country": "FR",
                                           "registration_number": "R" * 100})
    _refused(answer, "registration_number")
    assert _count(app, Sponsor) == before


def test_nul_in_the_sign_in_form_and_the_search_answers_4xx(client, make_user, login):
    from tests.helpers.web import csrf_token

    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": "legal\x00@gr.test", "password": "x" * 12, "csrf_token": token},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422 and "email" in response.get_data(as_text=True)
    login(make_user("legal", "GR"))
    for query in ("q=%00", "q=a%00b", "site=%00", "stage=%01", "%00=1"):
        assert client.get(f"/?{query}").status_code == 422, query
    assert client.get("/contracts/FT-2026-%0001").status_code == 404


def test_long_page_form_fields_are_refused_not_stored(app, client, make_user, login):
    from tests.helpers.web import csrf_token

    login(make_user("admin", None))
    token = csrf_token(client, "/admin/policy")
    response = client.post("/admin/sites/GR/closures", data={"csrf_token": token, "day": "2026-12-24",
                                                              "label": "L" * 300}, follow_redirects=True,
                           headers={"Accept-Language": "en"})
    assert response.status_code == 200 and "At most 200 characters." in response.get_data(as_text=True)
    from tracker.models import SiteClosure

    assert _count(app, SiteClosure) == 0


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


@pytest.mark.parametrize("command", [("sla", "sweep"), ("outbox", "send"), ("sla", "digest")])
@pytest.mark.parametrize("when", ["9999-12-31T23:59:59Z", "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+01:00",
                                  "1999-12-31T23:59:59Z"])
def test_commands_refuse_times_outside_the_calendar_they_know(cli, command, when):
    result = cli(*command, "--now", when)
    assert result.exit_code in (1, 2), result.output
    assert "between the years 2000 and 2200" in result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("email", ["le\x00gal@gr.test", "le\x01gal@gr.test", "legal@gr.test\x1b", "le gal@gr.test",
                                   "legal@gr\u2028.test"])
def test_users_create_refuses_control_characters_in_an_e_mail(app, cli, email):
    before = _count(app, AuditEntry)
    result = cli("users", "create", "--email", email, "--name", "Claire", "--role", "legal", "--site", "GR",
                 "--password", "correct horse battery")
    assert result.exit_code == 1 and result.output.startswith("Error:"), result.output
    assert _count(app, AuditEntry) == before


def test_users_create_refuses_a_name_with_control_characters_or_too_long(app, cli):
    for name in ("Cla\x00ire", "N" * 201):
        result = cli("users", "create", "--email", "claire@gr.test", "--name", name, "--role", "legal", "--site",
                     "GR", "--password", "correct horse battery")
        assert result.exit_code == 1 and result.output.startswith("Error:"), result.output


@pytest.mark.parametrize("value", [-1, -2**31 - 1, -2**63 - 1, 2**31])
def test_an_impossible_document_id_in_an_action_is_refused(app, api, make_user, make_sponsor, make_contract, value):
    """Below the integer range PostgreSQL refused the query (500); SQLite overflowed past 64 bits."""
    client = api(make_user("legal", "GR"))
    reference = make_contract(make_sponsor())
    before = _count(app, Event)
    response = client.post(f"/contracts/{reference}/events", json={"site": "GR", "action": "send_draft",
                                                                  "document_id": value})
    _refused(response, "document_id")
    assert _count(app, Event) == before


NAMELESS = b"--XX\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--XX--\r\n"


@pytest.mark.parametrize("path", ["/login", "/api/v1/health", "/api/v1/contracts", "/contracts/new", "/password-reset"])
def test_a_form_part_without_a_name_answers_400_signed_in_or_not(client, path):
    response = client.post(path, data=NAMELESS, content_type="multipart/form-data; boundary=XX")
    assert response.status_code == 400, (path, response.status_code)
    if path.startswith("/api/"):
        assert response.json["error"]["message"]


@pytest.mark.parametrize("method, path", [("DELETE", "/api/v1/health"), ("PUT", "/login"), ("PATCH", "/api/v1/contracts")])
def test_a_method_an_address_does_not_accept_answers_405_with_allow(client, method, path):
    response = client.open(path, method=method)
    assert response.status_code == 405
    allowed = {m.strip() for m in response.headers.get("Allow", "").split(",")}
    assert "GET" in allowed and method not in allowed, response.headers
