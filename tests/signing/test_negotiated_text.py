"""SPEC 5d: the negotiated text is what gets signed. A sponsor's Word redline, adopted, is the version
``agree`` fixes and the parties sign online; a courtesy translation is never fixed by default; a fixed
or executed version cannot be withdrawn, and /verify keeps recognising the executed PDF."""
from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest

from tests.helpers.actors import STAFF
from tests.helpers.contract_data import CONTRACT_DETAILS, SPONSOR_IDENTITY
from tests.helpers.documents import needs_soffice
from tests.helpers.signing import PEOPLE, name_all, track_of, verify
from tests.helpers.word_redline import body_paragraphs, word_redline
from tracker.database import utcnow
from tracker.documents.operations import generate
from tracker.extensions import db
from tracker.models import AuditEntry, Contract, Document
from tracker.models.signing import ExecutedAgreement, FixedVersion
from tracker.pipeline.operations import apply_action
from tracker.timeutil import local_date


@pytest.fixture
def negotiated(app, api, builtin_templates, make_sponsor, make_contract, make_user):
    """GR generated v1, sent it; the sponsor returned a Word redline (v2) over the API; GR staff adopted it (v3)."""
    sponsor = make_sponsor("Novacure Oncology SA", "FR", **SPONSOR_IDENTITY)
    reference = make_contract(sponsor, **CONTRACT_DETAILS)
    staff = api(make_user("legal", "GR"))
    sponsor_user = api(make_user("sponsor", None, sponsor="Novacure Oncology SA"))
    sent = staff.post(f"/contracts/{reference}/documents", json={"template": "coordinating_fr", "site": "GR"}).json()
    for action in ("mark_complete", "send_to_sponsor"):
        answer = staff.post(f"/contracts/{reference}/events", json={"site": "GR", "action": action})
        assert answer.status_code == 201, answer.text
    redline = word_redline(staff.get(f"/documents/{sent['id']}/content").content)
    uploaded = sponsor_user.post(f"/contracts/{reference}/documents/upload", data={"site": "GR"},
                                 files={"file": ("redline.docx", io.BytesIO(redline.data))})
    assert uploaded.status_code == 201, uploaded.text
    body = uploaded.json()
    assert body["kind"] == "redline" and body["compared_to"] == sent["id"] and body["language"] == "fr"
    assert body["comparison"]["base_id"] == sent["id"] and body["comparison"]["unmodified"] is False
    assert body["comparison"]["changed"] >= 2 and body["comparison"]["removed"] >= 1
    assert sponsor_user.post(f"/documents/{body['id']}/adopt").status_code == 403  # a sponsor adopts nothing
    adopted = staff.post(f"/documents/{body['id']}/adopt")
    assert adopted.status_code == 201, adopted.text
    return reference, sent, body, adopted.json(), redline, staff, sponsor_user


def test_an_adopted_redline_is_the_text_fixed_and_signed(app, negotiated, signer):
    reference, sent, redline_json, revised, redline, staff, sponsor_user = negotiated
    assert revised["kind"] == "revised" and revised["based_on"] == redline_json["id"]
    assert revised["compared_to"] == sent["id"] and revised["language"] == "fr"
    content = staff.get(f"/documents/{revised['id']}/content").content
    assert body_paragraphs(content) == redline.accepted
    assert b"w:ins " not in content and hashlib.sha256(content).hexdigest() == revised["sha256"]
    again = staff.post(f"/documents/{redline_json['id']}/adopt")
    assert again.status_code == 409 and f"version {revised['version']}" in again.json()["error"]["message"]
    for action in ("sponsor_replied", "agree"):
        assert staff.post(f"/contracts/{reference}/events", json={"site": "GR", "action": action}).status_code == 201
    track = next(t for t in staff.get(f"/contracts/{reference}").json()["tracks"] if t["site"] == "GR")
    assert track["fixed_document"] == {"id": revised["id"], "sha256": revised["sha256"]}
    # The sponsor's portal lists the version fixed, the one it is asked to sign.
    listed = {d["id"]: d for d in sponsor_user.get(f"/contracts/{reference}/documents").json()["documents"]}
    assert revised["id"] in listed and listed[revised["id"]]["based_on"] == redline_json["id"]
    refused = staff.post(f"/documents/{revised['id']}/withdraw", json={"reason": "oops"})
    assert refused.status_code == 409
    assert "fixed for signature; reopen to change the terms" in refused.json()["error"]["message"]
    with app.app_context():
        assert db.session.get(Document, revised["id"]).withdrawn_at is None
    if needs_soffice.args[0]:
        return  # signing online renders the fixed version to PDF with LibreOffice
    name_all(app, reference, sites=("GR",))
    for party in ("sponsor", "institution", "investigator"):
        person, email = PEOPLE["GR"][party]
        assert signer.sign(email, person, "GR")[1].status_code == 200
    with app.app_context():
        agreement = db.session.execute(db.select(ExecutedAgreement)).scalar_one()
        assert agreement.fixed_version.document_id == revised["id"]
        assert agreement.fixed_version.sha256 == revised["sha256"]
        executed_id, pdf = agreement.document_id, agreement.document.content
    refused = staff.post(f"/documents/{executed_id}/withdraw")
    assert refused.status_code == 409
    answer = verify(app.test_client(), pdf).get_data(as_text=True)
    assert "Gustave Roussy" in answer and reference in answer


def test_a_courtesy_translation_made_after_is_never_fixed_by_default(app, builtin_templates, make_sponsor,
                                                                     make_contract):
    sponsor = make_sponsor("Novacure Oncology SA", "FR", **SPONSOR_IDENTITY)
    reference = make_contract(sponsor, **CONTRACT_DETAILS)
    with app.app_context():
        now = utcnow() - timedelta(hours=1)
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        assert contract.language == "fr"
        french = generate(contract, "GR", "coordinating_fr", actor=STAFF, now=now, today=local_date(now))
        english = generate(contract, "GR", "coordinating_en", actor=STAFF, now=now, today=local_date(now))
        assert (french.language, english.language) == ("fr", "en") and english.version > french.version
        track = contract.coordinating_track
        for action in ("mark_complete", "agree"):
            apply_action(track, action, actor=STAFF, now=now, effective_at=now)
        fixed = db.session.execute(db.select(FixedVersion)).scalar_one()
        assert fixed.document_id == french.id
        db.session.commit()


def test_a_site_with_only_a_courtesy_copy_is_told_so(app, builtin_templates, make_sponsor, make_contract):
    sponsor = make_sponsor("Novacure Oncology SA", "FR", **SPONSOR_IDENTITY)
    reference = make_contract(sponsor, **CONTRACT_DETAILS)
    from tracker.errors import Conflict

    with app.app_context():
        now = utcnow() - timedelta(hours=1)
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        english = generate(contract, "GR", "coordinating_en", actor=STAFF, now=now, today=local_date(now))
        track = contract.coordinating_track
        apply_action(track, "mark_complete", actor=STAFF, now=now, effective_at=now)
        db.session.commit()
        stage = track.stage
        with pytest.raises(Conflict, match="no agreement in French"):
            apply_action(track, "agree", actor=STAFF, now=now, effective_at=now)
        db.session.rollback()
        track = track_of(reference, "GR")
        assert track.stage == stage and db.session.execute(db.select(FixedVersion)).first() is None
        # Named, the English copy may be fixed: someone chose it.
        apply_action(track, "agree", actor=STAFF, now=now, effective_at=now, document_id=english.id)
        assert db.session.execute(db.select(FixedVersion)).scalar_one().document_id == english.id
        assert db.session.execute(db.select(AuditEntry).where(AuditEntry.entity == "fixed_version")).first()
        db.session.commit()
