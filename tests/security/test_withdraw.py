"""Staff of a document's site (and admins) withdraw a version: gone from lists, kept for the audit."""
from __future__ import annotations

import re

import pytest

from tests.helpers.documents import docx_bytes
from tests.helpers.web import upload
from tracker.extensions import db
from tracker.models import AuditEntry, Document

SPONSOR = "Novacure Oncology SA"


@pytest.fixture
def versions(api, contract, make_user):
    legal = api(make_user("legal", "GR"))
    sent = legal.post(f"/contracts/{contract}/documents", json={"template": "coordinating_fr", "site": "GR"}).json()
    sponsor = api(make_user("sponsor", None, sponsor=SPONSOR))
    redline = upload(sponsor, f"/contracts/{contract}/documents/upload", docx_bytes("Clause ajoutée"), site="GR")
    assert redline.status_code == 201
    return {"legal": legal, "sponsor": sponsor, "sent": sent, "redline": redline.json()}


def test_staff_withdraw_a_version_over_the_api(app, contract, versions):
    legal, redline = versions["legal"], versions["redline"]
    answer = legal.post(f"/documents/{redline['id']}/withdraw", json={"reason": "Sent to the wrong study"})
    assert answer.status_code == 200 and answer.json()["withdrawn_at"]
    listed = [d["id"] for d in legal.get(f"/contracts/{contract}/documents").json()["documents"]]
    assert listed == [versions["sent"]["id"]]
    assert legal.get(f"/documents/{redline['id']}/content").status_code == 200  # staff keep it for the audit
    assert versions["sponsor"].get(f"/documents/{redline['id']}/content").status_code == 404
    again = legal.post(f"/documents/{redline['id']}/withdraw")
    assert again.status_code == 409
    with app.app_context():
        row = db.session.execute(db.select(AuditEntry).where(AuditEntry.entity == "document",
                                                             AuditEntry.field == "withdrawn_at")).scalar_one()
        assert row.entity_id == str(redline["id"]) and row.reason == "Sent to the wrong study"
        assert db.session.get(Document, redline["id"]).content  # still in the database


def test_only_staff_of_the_documents_site_or_admins_may_withdraw(api, contract, versions, make_user):
    target = versions["sent"]["id"]
    assert versions["sponsor"].post(f"/documents/{target}/withdraw").status_code == 403
    assert api(make_user("legal", "IB")).post(f"/documents/{target}/withdraw").status_code == 403
    assert api(make_user("admin", None)).post(f"/documents/{target}/withdraw").status_code == 200


def test_a_withdraw_request_with_bad_fields_changes_nothing(app, contract, versions):
    legal, target = versions["legal"], versions["sent"]["id"]
    for body in ({"reason": 12}, {"reason": "x" * 501}, {"why": "typo"}):
        assert legal.post(f"/documents/{target}/withdraw", json=body).status_code == 422
    with app.app_context():
        assert db.session.get(Document, target).withdrawn_at is None


def test_withdraw_from_the_page_goes_through_a_confirmation(browser, contract, versions, make_user):
    person = browser(make_user("legal", "GR"))
    page = person.get(f"/contracts/{contract}").text
    link = re.search(r'href="(/contracts/[^"]+/documents/(\d+)/withdraw)"', page)
    assert link, "no withdraw link on the contract page"
    confirm = person.get(link.group(1))
    assert confirm.status_code == 200 and "Withdraw this version?" in confirm.text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', confirm.text).group(1)
    done = person.post(link.group(1), data={"csrf_token": token, "reason": "Duplicate"}, allow_redirects=True)
    assert "withdrawn" in done.text
    assert f'/documents/{link.group(2)}/download"' not in done.text
    assert person.post(link.group(1), data={"reason": "no token"}).status_code == 400  # CSRF


def test_sponsors_and_other_sites_get_no_withdraw_page(browser, contract, versions, make_user):
    target = versions["sent"]["id"]
    ib = browser(make_user("legal", "IB"))
    assert ib.get(f"/contracts/{contract}/documents/{target}/withdraw").status_code == 403
    sponsor = browser(make_user("sponsor", None, sponsor=SPONSOR))
    assert sponsor.get(f"/contracts/{contract}/documents/{target}/withdraw").status_code in (403, 404)
