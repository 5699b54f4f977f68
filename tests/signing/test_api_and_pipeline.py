"""The signatories endpoint (SPEC 5b), the fixed version on the tracks, agreeing on a named version (never a
draft), reopen, and signatures made elsewhere with the signed PDF as evidence."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from reportlab.pdfgen import canvas

from tests.helpers.actors import STAFF
from tests.helpers.contract_data import CONTRACT_DETAILS, SPONSOR_IDENTITY
from tests.helpers.signing import name_all, track_of
from tracker.database import utcnow
from tracker.documents.operations import generate
from tracker.extensions import db
from tracker.models import AuditEntry, Contract, Document, Event, OutboxMessage
from tracker.models.signing import FixedVersion, Signatory, Signature, SigningLink
from tracker.pipeline.operations import apply_action
from tracker.timeutil import local_date

BODY = {"site": "GR", "party": "investigator", "name": "Dr Claire Martin", "email": "cmartin@gr.test"}


def _count(app, model) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(model)).scalar()


def test_naming_a_signatory_over_the_api_sends_the_link(app, api, agreed, make_user):
    client = api(make_user("legal", "GR"))
    answer = client.post(f"/contracts/{agreed.reference}/signatories", json=BODY)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["party"] == "investigator" and body["email"] == "cmartin@gr.test" and body["link_sent_at"]
    contract = client.get(f"/contracts/{agreed.reference}").json()
    gr = next(t for t in contract["tracks"] if t["site"] == "GR")
    with app.app_context():
        fixed = db.session.execute(db.select(FixedVersion).where(
            FixedVersion.track_id == track_of(agreed.reference, "GR").id)).scalar_one()
        assert gr["fixed_document"] == {"id": agreed.documents["GR"], "sha256": fixed.sha256}
    assert [s["name"] for s in gr["signatories"]] == ["Dr Claire Martin"] and "email" not in gr["signatories"][0]
    with app.app_context():
        mail = db.session.execute(db.select(OutboxMessage).where(OutboxMessage.kind == "signing_link")).scalar_one()
        assert mail.to_address == "cmartin@gr.test" and "/sign/" in mail.body_text


@pytest.mark.parametrize("who, body, status, field", [
    ("legal_ib", BODY, 403, None),
    ("sponsor", BODY, 403, None),
    ("legal_gr", {**BODY, "party": "notary"}, 422, "party"),
    ("legal_gr", {**BODY, "email": "not-an-address"}, 422, "email"),
    ("legal_gr", {**BODY, "name": ""}, 422, "name"),
    ("legal_gr", {**BODY, "site": "XX"}, 422, "site"),
    ("legal_gr", {**BODY, "colour": "red"}, 422, "colour"),
])
def test_refused_namings_store_nothing(app, api, agreed, make_user, who, body, status, field):
    email = {"legal_ib": lambda: make_user("legal", "IB"), "legal_gr": lambda: make_user("legal", "GR"),
             "sponsor": lambda: make_user("sponsor", None, sponsor="Novacure Oncology SA")}[who]()
    answer = api(email).post(f"/contracts/{agreed.reference}/signatories", json=body)
    assert answer.status_code == status, answer.text
    if field:
        assert field in answer.json()["error"]["fields"]
    assert _count(app, Signatory) == 0 and _count(app, SigningLink) == 0


def test_sponsors_never_name_signatories(api, agreed, make_user, make_sponsor):
    make_sponsor("Helix Therapeutics Inc.", "US")
    client = api(make_user("legal", "IB"))
    helix = client.post(f"/contracts/{agreed.reference}/signatories", json=BODY)
    assert helix.status_code == 403  # IB takes part, but GR's track is not its own
    sponsor = api(make_user("sponsor", None, sponsor="Helix Therapeutics Inc."))
    assert sponsor.post(f"/contracts/{agreed.reference}/signatories", json=BODY).status_code == 403  # no sponsor names
    assert sponsor.post("/contracts/FT-2099-9999/signatories", json=BODY).status_code == 403  # however the contract


def test_signatories_are_named_only_in_signature(app, api, make_user, make_sponsor, make_contract):
    reference = make_contract(make_sponsor())
    answer = api(make_user("legal", "GR")).post(f"/contracts/{reference}/signatories", json=BODY)
    assert answer.status_code == 409 and "once the track is in signature" in answer.json()["error"]["message"]


@pytest.fixture
def with_draft(app, builtin_templates, make_sponsor, make_contract):
    """GR in review with a complete agreement (v1) and a draft (v2)."""
    reference = make_contract(make_sponsor("Novacure Oncology SA", "FR", **SPONSOR_IDENTITY), **CONTRACT_DETAILS)
    with app.app_context():
        now = utcnow() - timedelta(hours=1)
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        complete = generate(contract, "GR", "coordinating_fr", actor=STAFF, now=now, today=local_date(now))
        draft = generate(contract, "GR", "coordinating_fr", actor=STAFF, now=now, today=local_date(now), draft=True)
        apply_action(contract.coordinating_track, "mark_complete", actor=STAFF, now=now, effective_at=now)
        db.session.commit()
        return reference, complete.id, draft.id


def test_agreeing_on_a_draft_is_refused_and_stores_nothing(app, api, with_draft, make_user):
    reference, complete, draft = with_draft
    client = api(make_user("legal", "GR"))
    audit_before, events_before = _count(app, AuditEntry), _count(app, Event)
    answer = client.post(f"/contracts/{reference}/events", json={"site": "GR", "action": "agree", "document_id": draft})
    assert answer.status_code == 409 and "draft" in answer.json()["error"]["message"]
    assert _count(app, AuditEntry) == audit_before and _count(app, Event) == events_before
    assert _count(app, FixedVersion) == 0
    with app.app_context():
        assert track_of(reference, "GR").stage == "review"
    # Without a name, the newest version without blanks is fixed, never the newer draft.
    assert client.post(f"/contracts/{reference}/events", json={"site": "GR", "action": "agree"}).status_code == 201
    gr = next(t for t in client.get(f"/contracts/{reference}").json()["tracks"] if t["site"] == "GR")
    assert gr["fixed_document"]["id"] == complete


def test_reopen_ends_the_fixed_version_and_voids_signatures_and_links(app, agreed, signer):
    name_all(app, agreed.reference)
    from tests.helpers.signing import PEOPLE

    person, email = PEOPLE["GR"]["institution"]
    old_path, answer = signer.sign(email, person, "GR")
    assert answer.status_code == 200
    ib_link = signer.link(PEOPLE["IB"]["sponsor"][1], "IB")
    with app.app_context():
        apply_action(track_of(agreed.reference, "GR"), "reopen", actor=STAFF, now=utcnow(), comment="Budget")
        db.session.commit()
        assert db.session.execute(db.select(FixedVersion).where(FixedVersion.ended_at.is_(None))).first() is None
        assert all(s.voided_at is not None for s in db.session.execute(db.select(Signature)).scalars())
        assert track_of(agreed.reference, "GR").institution_signed_at is None
    refused = signer.client.get(ib_link, headers={"Accept-Language": "en"})
    assert refused.status_code == 410
    # The next agreement fixes the version again and the people already named get new links.
    with app.app_context():
        apply_action(track_of(agreed.reference, "GR"), "agree", actor=STAFF, now=utcnow())
        db.session.commit()
    assert signer.link(email, "GR") != old_path


def _pdf() -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "Signed in wet ink")
    page.save()
    return out.getvalue()


def test_a_signature_made_elsewhere_is_recorded_with_its_signed_pdf(app, agreed, client, login, make_user):
    login(make_user("legal", "GR"))
    with app.app_context():
        track = track_of(agreed.reference, "GR")
        track_id, version = track.id, track.version
    page = client.get(f"/contracts/{agreed.reference}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Record a signature made elsewhere" in page
    from tests.helpers.web import csrf_token

    token = csrf_token(client, f"/contracts/{agreed.reference}")
    url = f"/contracts/{agreed.reference}/tracks/{track_id}/signing/elsewhere"
    bad = client.post(url, data={"csrf_token": token, "party": "sponsor", "version": version,
                                 "file": (io.BytesIO(b"not a pdf"), "signed.pdf")},
                      content_type="multipart/form-data", headers={"Accept-Language": "en"}, follow_redirects=True)
    assert "The file is not a PDF." in bad.get_data(as_text=True)
    bare = client.post(url, data={"csrf_token": token, "party": "sponsor", "version": version},
                       content_type="multipart/form-data", headers={"Accept-Language": "en"}, follow_redirects=True)
    assert "Attach the signed PDF, or say in the comment why there is none." in bare.get_data(as_text=True)
    assert _count(app, Document) == 2
    done = client.post(url, data={"csrf_token": token, "party": "sponsor", "version": version,
                                  "file": (io.BytesIO(_pdf()), "signed.pdf")},
                       content_type="multipart/form-data", headers={"Accept-Language": "en"}, follow_redirects=True)
    assert "The sponsor signed at Gustave Roussy" in done.get_data(as_text=True)
    with app.app_context():
        signature = db.session.execute(db.select(Signature)).scalar_one()
        assert signature.method == "recorded" and signature.party == "sponsor" and signature.event_id
        assert signature.evidence.kind == "signed_evidence" and signature.evidence.content.startswith(b"%PDF-")
        assert track_of(agreed.reference, "GR").sponsor_signed_at is not None
