"""Generating from the contract page: only the agreement written for the site's role, never on a
cancelled contract; a refusal says why and stores nothing."""
from __future__ import annotations

import io

import docx
import pytest

from tests.helpers.contract_data import CONTRACT_DETAILS, SPONSOR_IDENTITY
from tests.helpers.web import csrf_token
from tracker import audit
from tracker.extensions import db
from tracker.models import Contract, Document, Event
from tracker.pipeline.operations import apply_action

EN = {"Accept-Language": "en"}

def _documents(app) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count(Document.id))).scalar()

def _generate(client, reference, site, template):
    page = f"/contracts/{reference}"
    return client.post(f"{page}/documents/generate", headers=EN, follow_redirects=True,
                       data={"csrf_token": csrf_token(client, page), "template": template, "site": site})

@pytest.fixture
def reference(builtin_templates, make_sponsor, make_contract):
    # GR coordinates, IB is associated; the identity and details leave no field of the agreements blank.
    return make_contract(make_sponsor(**SPONSOR_IDENTITY), **CONTRACT_DETAILS)

@pytest.mark.parametrize("site, template, wrong", [
    ("GR", "associated_fr", "associated"), ("IB", "coordinating_en", "coordinating")])
def test_an_agreement_written_for_the_other_role_is_refused(app, client, make_user, login, reference,
                                                            site, template, wrong):
    login(make_user("legal", site))
    html = _generate(client, reference, site, template).get_data(as_text=True)
    assert "Not done:" in html and f"written for a {wrong} site" in html
    assert _documents(app) == 0
    right = "coordinating_fr" if site == "GR" else "associated_fr"
    assert "Version 1 generated" in _generate(client, reference, site, right).get_data(as_text=True)
    assert _documents(app) == 1

def test_nothing_is_generated_for_a_cancelled_contract(app, client, make_user, login, reference, now):
    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        apply_action(contract.coordinating_track, "cancel", actor=audit.SYSTEM, now=now,
                     comment="Programme stopped")
        db.session.commit()
    login(make_user("legal", "GR"))
    page = client.get(f"/contracts/{reference}", headers=EN).get_data(as_text=True)
    assert "/documents/generate" not in page  # no form offers it
    html = _generate(client, reference, "GR", "coordinating_fr").get_data(as_text=True)
    assert "Not done:" in html and "is cancelled" in html
    assert _documents(app) == 0


def test_a_redline_is_compared_with_the_version_sent_not_the_latest(app, client, make_user, login, reference,
                                                                      now):
    login(make_user("legal", "GR"))
    assert "Version 1 generated" in _generate(client, reference, "GR", "coordinating_fr").get_data(as_text=True)
    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        for action in ("mark_complete", "send_to_sponsor"):
            apply_action(contract.coordinating_track, action, actor=audit.SYSTEM, now=now)
        db.session.commit()
        sent = db.session.execute(db.select(Event).where(Event.action == "send_to_sponsor")).scalar_one()
        first = db.session.execute(db.select(Document).where(Document.version == 1)).scalar_one()
        assert sent.document_id == first.id  # the latest generated version went out
        original = first.content
    # The site prepares a version 2 meanwhile; the sponsor answers on what it received.
    assert "Version 2 generated" in _generate(client, reference, "GR", "coordinating_fr").get_data(as_text=True)
    marked = docx.Document(io.BytesIO(original))
    marked.add_paragraph("The Sponsor bears every insurance cost.")
    out = io.BytesIO()
    marked.save(out)
    page = f"/contracts/{reference}"
    html = client.post(f"{page}/documents/upload", headers=EN, follow_redirects=True,
                       content_type="multipart/form-data", data={"csrf_token": csrf_token(client, page), "site": "GR",
                             "file": (io.BytesIO(out.getvalue()), "answer.docx")}).get_data(as_text=True)
    assert "Redline stored as version 3" in html
    with app.app_context():
        redline = db.session.execute(db.select(Document).where(Document.version == 3)).scalar_one()
        assert redline.compared_to_id == first.id
        redline_id = redline.id
    compare = client.get(f"{page}/documents/{redline_id}/compare", headers=EN).get_data(as_text=True)
    assert "Sent: version 1 · Received: version 3" in compare
    assert "1 clause added" in compare and "0 clauses changed" in compare
