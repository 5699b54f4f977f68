"""Each track has an owner: one legal user of its site (issue 15).

The creator owns the coordinating track when they are a legal user of that site; staff of the site
(or an admin) change it on the contract page or with ``PUT /api/v1/contracts/REF/tracks/SITE/owner``;
anyone else is refused, an unfit owner is refused naming the field, and every change is audited.
"""
from __future__ import annotations

import re

import pytest

from tracker.extensions import db
from tracker.models import AuditEntry, Contract, User

from tests.helpers.web import Forms, csrf_token

EN = {"Accept-Language": "en"}


def _body(sponsor_id: int, coordinating: str = "GR") -> dict:
    return {"sponsor_id": sponsor_id, "title": "A phase I trial", "protocol_number": "PRO-7", "phase": "I",
            "coordinating_site": coordinating, "sites": ["GR", "IB"], "received_on": "2026-11-02"}


def _owners(app, reference: str) -> dict[str, str | None]:
    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        return {t.site.code: (t.owner.email if t.owner else None) for t in contract.tracks}


def _owner_audit(app, reference: str) -> list[tuple[str | None, str | None, str | None]]:
    with app.app_context():
        contract_id = db.session.execute(db.select(Contract.id).where(Contract.reference == reference)).scalar_one()
        rows = db.session.execute(db.select(AuditEntry).where(
            AuditEntry.contract_id == contract_id, AuditEntry.field == "owner").order_by(AuditEntry.id)).scalars()
        return [(r.old_value, r.new_value, r.actor_email) for r in rows]


@pytest.mark.parametrize("creator, owner", [("legal GR", True), ("manager GR", False), ("legal IB", False),
                                            ("admin", False)])
def test_the_creator_owns_the_coordinating_track_when_a_legal_user_of_that_site(app, api, make_user, make_sponsor,
                                                                                 creator, owner):
    role, _, site = creator.partition(" ")
    email = make_user(role, site or None)
    created = api(email).post("/contracts", json=_body(make_sponsor()))
    assert created.status_code == 201, created.text
    tracks = {t["site"]: t["owner"] for t in created.json()["tracks"]}
    assert tracks == {"GR": email if owner else None, "IB": None}
    assert _owners(app, created.json()["reference"]) == tracks


@pytest.fixture
def world(api, make_user, make_sponsor, make_contract):
    sponsor_id = make_sponsor()
    people = {name: make_user(role, site, language="en") for name, role, site in (
        ("legal_gr", "legal", "GR"), ("legal_gr_2", "legal", "GR"), ("manager_gr", "manager", "GR"),
        ("legal_ib", "legal", "IB"), ("manager_ib", "manager", "IB"), ("admin", "admin", None))}
    people["sponsor"] = make_user("sponsor", None, sponsor="Novacure Oncology SA")
    reference = make_contract(sponsor_id)
    return reference, people


def _put(api, email, reference, site, body):
    return api(email).session.put(f"{api(email).base}/contracts/{reference}/tracks/{site}/owner", json=body,
                                  timeout=30)


class TestTheApi:
    def test_staff_of_the_site_set_change_and_clear_the_owner(self, app, api, world):
        reference, people = world
        client = api(people["manager_gr"])
        url = f"{client.base}/contracts/{reference}/tracks/gr/owner"
        response = client.session.put(url, json={"owner": people["legal_gr"].upper()}, timeout=30)
        assert response.status_code == 200, response.text
        assert (response.json()["site"], response.json()["owner"]) == ("GR", people["legal_gr"])
        assert response.json()["sla"]["status"] in ("on_track", "warning", "breached")
        assert _put(api, people["legal_gr"], reference, "GR", {"owner": people["legal_gr_2"]}).status_code == 200
        assert _put(api, people["admin"], reference, "IB", {"owner": people["legal_ib"]}).status_code == 200
        cleared = _put(api, people["legal_gr_2"], reference, "GR", {"owner": None})
        assert cleared.status_code == 200 and cleared.json()["owner"] is None
        assert _owners(app, reference) == {"GR": None, "IB": people["legal_ib"]}
        assert _owner_audit(app, reference) == [
            (None, people["legal_gr"], people["manager_gr"]), (people["legal_gr"], people["legal_gr_2"], people["legal_gr"]),
            (None, people["legal_ib"], people["admin"]), (people["legal_gr_2"], None, people["legal_gr_2"])]
        track = next(t for t in api(people["legal_ib"]).get(f"/contracts/{reference}").json()["tracks"]
                     if t["site"] == "IB")
        assert track["owner"] == people["legal_ib"]

    @pytest.mark.parametrize("who, site", [("legal_ib", "GR"), ("manager_ib", "GR"), ("legal_gr", "IB"),
                                           ("sponsor", "GR")])
    def test_anyone_else_is_refused_and_nothing_changes(self, app, api, world, who, site):
        reference, people = world
        response = _put(api, people[who], reference, site, {"owner": people["legal_gr"]})
        assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
        assert _owners(app, reference) == {"GR": None, "IB": None} and _owner_audit(app, reference) == []

    @pytest.mark.parametrize("owner", ["manager_gr", "legal_ib", "admin", "sponsor", "nobody@nowhere.test",
                                       "disabled"])
    def test_an_owner_who_is_not_an_active_legal_user_of_the_site_is_422(self, app, api, world, make_user,
                                                                          owner):
        reference, people = world
        if owner == "disabled":
            email = make_user("legal", "GR")
            with app.app_context():
                db.session.execute(db.update(User).where(User.email == email).values(active=False))
                db.session.commit()
        else:
            email = people.get(owner, owner)
        response = _put(api, people["manager_gr"], reference, "GR", {"owner": email})
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "invalid_input" and "active legal user of Gustave Roussy" in error["fields"]["owner"]
        assert _owners(app, reference) == {"GR": None, "IB": None} and _owner_audit(app, reference) == []

    @pytest.mark.parametrize("body, field", [({}, "owner"), ({"owner": 12}, "owner"), ({"owner": ["a"]}, "owner"),
                                             ({"owner": None, "site": "GR"}, "site")])
    def test_a_malformed_body_names_the_field(self, app, api, world, body, field):
        reference, people = world
        response = _put(api, people["legal_gr"], reference, "GR", body)
        assert response.status_code == 422 and field in response.json()["error"]["fields"]
        assert _owner_audit(app, reference) == []

    def test_not_json_a_site_off_the_contract_and_an_invisible_contract(self, api, world, make_sponsor,
                                                                        make_contract, make_user):
        reference, people = world
        client = api(people["legal_gr"])
        url = f"{client.base}/contracts/{reference}/tracks/GR/owner"
        assert client.session.put(url, data="owner=x", timeout=30).status_code == 422
        assert client.session.put(url, data="{", headers={"Content-Type": "application/json"},
                                  timeout=30).status_code == 422
        assert _put(api, people["legal_gr"], reference, "XX", {"owner": None}).status_code == 404
        other = make_contract(make_sponsor("Helix Therapeutics Inc.", "US"), sites=("IB",), coordinating="IB")
        assert _put(api, people["sponsor"], other, "IB", {"owner": None}).status_code == 404
        assert _put(api, people["legal_gr"], other, "IB", {"owner": None}).status_code == 404
        assert api().session.put(url, json={"owner": None}, timeout=30).status_code == 401


def _owner_forms(html: str) -> dict[int, dict]:
    return {int(m.group(1)): form for form in Forms(html).forms
            if (m := re.search(r"/tracks/(\d+)/owner$", form["action"]))}


def _flashes(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", m).strip() for m in re.findall(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', html, re.S)]


def _track_ids(app, reference) -> dict[str, int]:
    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        return {t.site.code: t.id for t in contract.tracks}


class TestThePage:
    def test_staff_of_the_site_choose_the_owner_among_its_legal_users(self, app, client, login, world):
        reference, people = world
        login(people["manager_gr"])
        ids = _track_ids(app, reference)
        page = client.get(f"/contracts/{reference}", headers=EN).get_data(as_text=True)
        forms = _owner_forms(page)
        assert list(forms) == [ids["GR"]]  # not the IB track: another site's
        with app.app_context():
            legal = {u.email: str(u.id) for u in db.session.execute(db.select(User).where(User.role == "legal"))
                     .scalars()}
        assert sorted(forms[ids["GR"]]["options"]["owner" + str(ids["GR"]) + "-owner"]) == sorted(
            ["", legal[people["legal_gr"]], legal[people["legal_gr_2"]]])
        assert "Nobody: all legal staff of the site" in page

        form = forms[ids["GR"]]
        response = client.post(form["action"], data={**form["fields"], f"owner{ids['GR']}-owner":
                                                     legal[people["legal_gr_2"]]}, headers=EN)
        assert response.status_code == 303
        after = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
        assert "Owner of the Gustave Roussy track saved." in _flashes(after)
        assert _owners(app, reference)["GR"] == people["legal_gr_2"]
        assert _owner_audit(app, reference) == [(None, people["legal_gr_2"], people["manager_gr"])]

    def test_a_refused_owner_is_explained_and_nothing_changes(self, app, client, login, world):
        reference, people = world
        ids = _track_ids(app, reference)
        with app.app_context():
            manager_id = db.session.execute(db.select(User.id).where(User.email == people["manager_gr"])).scalar()
        login(people["legal_gr"])
        token = csrf_token(client, f"/contracts/{reference}")
        field = f"owner{ids['GR']}-owner"
        for value in (str(manager_id), "not-a-number", "99999999"):
            response = client.post(f"/contracts/{reference}/tracks/{ids['GR']}/owner",
                                   data={f"owner{ids['GR']}-csrf_token": token, field: value}, headers=EN,
                                   follow_redirects=True)
            assert "Choose an active legal user of Gustave Roussy." in " ".join(
                _flashes(response.get_data(as_text=True))), value
        # Another site's track: refused, though the page offers no form for it.
        response = client.post(f"/contracts/{reference}/tracks/{ids['IB']}/owner",
                               data={f"owner{ids['IB']}-csrf_token": token, f"owner{ids['IB']}-owner": ""},
                               headers=EN, follow_redirects=True)
        assert "Only staff of Institut Bergonié" in " ".join(_flashes(response.get_data(as_text=True)))
        assert client.post(f"/contracts/{reference}/tracks/{ids['GR']}/owner", data={field: ""}).status_code == 400
        assert _owners(app, reference) == {"GR": None, "IB": None} and _owner_audit(app, reference) == []
