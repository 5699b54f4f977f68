"""Each site's own figures and investigator identity (site_details) on POST and PATCH /api/v1/contracts."""
from datetime import date, timedelta

from tracker.extensions import db
from tracker.models import AuditEntry, Contract, Track

DETAILS = {"GR": {"investigator_title": "Dr", "investigator_department": "DITEP", "investigator_rpps": "10000000009"},
           "IB": {"investigator_title": "Pr", "investigator_rpps": "123 4567 8903", "patients": 6,
                  "budget": [{"item": "Screening visit", "amount": "1100", "unit": "EUR per patient"}],
                  "third_party": "GCS Recherche Sud-Ouest"}}


def _body(sponsor_id, **over):
    return {"sponsor_id": sponsor_id, "title": "Anti-CLDN18.2 ADC in gastric cancer", "protocol_number": "CLD-01",
            "phase": "I/II", "coordinating_site": "GR", "sites": ["GR", "IB"],
            "received_on": (date.today() - timedelta(days=2)).isoformat(), "patients": 36,
            "investigators": {"GR": "Claire Martin", "IB": "Paul Garnier"}, **over}


def _count(app, model):
    with app.app_context():
        return db.session.execute(db.select(db.func.count(model.id))).scalar()


def test_site_details_are_kept_per_site_and_shown_with_each_track(api, make_user, make_sponsor):
    client = api(make_user("legal", "GR"))
    created = client.post("/contracts", json=_body(make_sponsor(), site_details=DETAILS))
    assert created.status_code == 201, created.text
    tracks = {t["site"]: t for t in created.json()["tracks"]}
    assert tracks["GR"]["site_details"] == {
        "investigator_title": "Dr", "investigator_department": "DITEP", "investigator_rpps": "10000000009",
        "patients": None, "budget": None, "third_party": None}
    assert tracks["IB"]["site_details"] == {
        "investigator_title": "Pr", "investigator_department": None, "investigator_rpps": "12345678903",
        "patients": 6, "budget": [{"item": "Screening visit", "amount": "1100.00", "unit": "EUR per patient"}],
        "third_party": "GCS Recherche Sud-Ouest"}


def test_a_bad_rpps_or_figure_is_refused_naming_the_field_and_nothing_is_stored(app, api, make_user, make_sponsor):
    client = api(make_user("legal", "GR"))
    before = _count(app, Contract)
    refused = client.post("/contracts", json=_body(make_sponsor(), site_details={
        "GR": {"investigator_rpps": "10000000008", "colour": "blue"},
        "IB": {"patients": 0, "budget": [{"item": "Visit", "amount": "abc"}]},
        "XX": {"patients": 3}}))
    assert refused.status_code == 422
    fields = refused.json()["error"]["fields"]
    assert "10000000008 fails the RPPS checksum" in fields["site_details.GR.investigator_rpps"]
    assert fields["site_details.GR.colour"] == "Unknown field."
    assert "between 1 and 100000" in fields["site_details.IB.patients"]
    assert "row 1" in fields["site_details.IB.budget"] and "number" in fields["site_details.IB.budget"]
    assert "XX does not take part" in fields["site_details.XX"]
    assert _count(app, Contract) == before
    short = client.post("/contracts", json=_body(make_sponsor("Other"), site_details={"GR": {"investigator_rpps":
                                                                                             "1234"}}))
    assert short.json()["error"]["fields"] == {"site_details.GR.investigator_rpps": "An RPPS number has 11 digits."}


def test_patch_changes_site_details_and_audits_them(app, api, make_user, make_sponsor):
    coordinator = api(make_user("legal", "GR"))
    reference = coordinator.post("/contracts", json=_body(make_sponsor())).json()["reference"]
    associated = api(make_user("legal", "IB"))
    url = associated.base + f"/contracts/{reference}"
    # an associated site's staff change their own site's figures, not the coordinator's
    mine = associated.session.patch(url, json={"site_details": {"IB": {"patients": 4, "investigator_rpps":
                                                                       "12345678903"}}})
    assert mine.status_code == 200, mine.text
    assert {t["site"]: t["site_details"]["patients"] for t in mine.json()["tracks"]} == {"GR": None, "IB": 4}
    theirs = associated.session.patch(url, json={"site_details": {"GR": {"patients": 40}}})
    assert theirs.status_code == 403
    bad = coordinator.session.patch(coordinator.base + f"/contracts/{reference}",
                                    json={"site_details": {"GR": {"investigator_rpps": "99999999999"}}})
    assert bad.status_code == 422 and "site_details.GR.investigator_rpps" in bad.json()["error"]["fields"]
    with app.app_context():
        track = db.session.execute(db.select(Track).join(Track.site).where(Track.role == "associated")).scalar_one()
        assert (track.patients, track.investigator_rpps) == (4, "12345678903")
        fields = set(db.session.execute(db.select(AuditEntry.field).where(
            AuditEntry.entity == "track", AuditEntry.entity_id == str(track.id))).scalars())
        assert {"patients", "investigator_rpps"} <= fields


def test_patch_is_refused_to_sponsors_and_for_unknown_contracts(api, make_user, make_sponsor):
    sponsor_id = make_sponsor("Novacure Oncology SA")
    reference = api(make_user("legal", "GR")).post("/contracts", json=_body(sponsor_id)).json()["reference"]
    sponsor = api(make_user("sponsor", None, sponsor="Novacure Oncology SA"))
    assert sponsor.session.patch(sponsor.base + f"/contracts/{reference}", json={"patients": 3}).status_code == 403
    staff = api(make_user("legal", "GR"))
    assert staff.session.patch(staff.base + "/contracts/FT-1999-0001", json={"patients": 3}).status_code == 404
