"""SPEC 5d over the API: revised uploads, adopting a redline, tracked changes out, unmodified redlines, the
contract's language; every refusal answered 4xx with nothing stored."""
from __future__ import annotations

import io
import zipfile

import docx
import pytest

from tests.helpers.contract_data import CONTRACT_DETAILS, SPONSOR_IDENTITY
from tests.helpers.word_redline import word_redline
from tracker.extensions import db
from tracker.models import AuditEntry, Document


@pytest.fixture
def desk(app, api, builtin_templates, make_sponsor, make_contract, make_user):
    sponsor = make_sponsor("Novacure Oncology SA", "FR", **SPONSOR_IDENTITY)
    reference = make_contract(sponsor, **CONTRACT_DETAILS)
    gr, ib = api(make_user("legal", "GR")), api(make_user("legal", "IB"))
    sponsor_user = api(make_user("sponsor", None, sponsor="Novacure Oncology SA"))
    generated = gr.post(f"/contracts/{reference}/documents", json={"template": "coordinating_fr", "site": "GR"}).json()
    content = gr.get(f"/documents/{generated['id']}/content").content
    return reference, gr, ib, sponsor_user, generated, content


def documents(app) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count(Document.id))).scalar()


def upload(client, reference, data, **form):
    return client.post(f"/contracts/{reference}/documents/upload", data={"site": "GR", **form},
                       files={"file": ("agreement.docx", io.BytesIO(data))})


def edited(content: bytes) -> bytes:
    document = docx.Document(io.BytesIO(content))
    paragraph = next(p for p in document.paragraphs if len(p.text.split()) > 10)
    paragraph.runs[0].text = "Clause revue par le service juridique du centre. " + paragraph.runs[0].text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_revised_version_is_current_sent_and_compared(app, desk):
    reference, gr, _ib, sponsor_user, generated, content = desk
    answer = upload(gr, reference, edited(content), kind="revised")
    assert answer.status_code == 201, answer.text
    revised = answer.json()
    assert revised["kind"] == "revised" and revised["based_on"] == generated["id"] and revised["language"] == "fr"
    assert revised["comparison"]["base_id"] == generated["id"] and revised["comparison"]["changed"] == 1
    assert revised["comparison"]["unmodified"] is False
    # The shipped agreements are regulated models: the clause the site's lawyer rewrote is a deviation.
    (deviation,) = revised["comparison"]["deviations"]
    assert deviation["status"] == "changed" and deviation["new"].startswith("Clause revue par le service juridique")
    for action in ("mark_complete", "send_to_sponsor"):
        event = gr.post(f"/contracts/{reference}/events", json={"site": "GR", "action": action})
        assert event.status_code == 201
    assert event.json()["document_id"] == revised["id"]  # the current version went out
    assert sponsor_user.get(f"/documents/{revised['id']}/content").status_code == 200
    changes = gr.get(f"/documents/{revised['id']}/changes")
    assert changes.status_code == 200 and changes.headers["Content-Disposition"].startswith("attachment;")
    with zipfile.ZipFile(io.BytesIO(changes.content)) as archive:
        xml = archive.read("word/document.xml").decode()
    assert "<w:ins " in xml and "w:author=" in xml and "w:date=" in xml  # the edit only added words
    assert "Clause revue par le service juridique du centre." in xml
    with app.app_context():
        rows = db.session.execute(db.select(AuditEntry).where(
            AuditEntry.entity == "document", AuditEntry.entity_id == str(revised["id"]))).scalars().all()
        assert {r.field for r in rows} >= {"kind", "sha256", "based_on", "language"}


@pytest.mark.parametrize("who, form, status", [
    ("sponsor", {"kind": "revised"}, 403),
    ("ib", {"kind": "revised"}, 403),
    ("gr", {"kind": "final"}, 422),
    ("gr", {"kind": "revised", "language": "de"}, 422),
    ("gr", {"kind": "revised", "site": "ZZ"}, 422),
    ("gr", {"language": "en"}, 422),
])
def test_bad_revised_uploads_store_nothing(app, desk, who, form, status):
    reference, gr, ib, sponsor_user, _generated, content = desk
    client = {"gr": gr, "ib": ib, "sponsor": sponsor_user}[who]
    before = documents(app)
    answer = upload(client, reference, edited(content), **form)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["message"]
    assert documents(app) == before


def test_a_revised_upload_that_is_not_a_docx_is_refused(app, desk):
    reference, gr, *_ = desk
    before = documents(app)
    answer = upload(gr, reference, b"%PDF-1.7 not a word file", kind="revised")
    assert answer.status_code == 422 and documents(app) == before


def test_adoption_refusals(app, api, desk, make_sponsor, make_contract, make_user):
    reference, gr, ib, sponsor_user, generated, content = desk
    redline = upload(sponsor_user, reference, word_redline(content).data).json()
    before = documents(app)
    assert gr.post(f"/documents/{generated['id']}/adopt").status_code == 409  # a generated version
    assert ib.post(f"/documents/{redline['id']}/adopt").status_code == 403  # staff of the other site
    assert sponsor_user.post(f"/documents/{redline['id']}/adopt").status_code == 403
    assert gr.post("/documents/999999/adopt").status_code == 404
    assert gr.post(f"/documents/{redline['id']}/adopt", json={"colour": "red"}).status_code == 422
    make_sponsor("Helix Therapeutics Inc.", "US")
    other = api(make_user("sponsor", None, sponsor="Helix Therapeutics Inc."))  # another sponsor's user
    assert other.post(f"/documents/{redline['id']}/adopt").status_code == 403
    assert other.get(f"/documents/{redline['id']}/changes").status_code == 404
    assert gr.get(f"/documents/{generated['id']}/changes").status_code == 409
    assert documents(app) == before


def test_a_resaved_redline_is_unmodified(app, desk):
    reference, gr, _ib, sponsor_user, generated, content = desk
    document = docx.Document(io.BytesIO(content))
    document.core_properties.author = "Sponsor Legal"  # Word re-saved it: other bytes, same text
    out = io.BytesIO()
    document.save(out)
    assert out.getvalue() != content
    answer = upload(sponsor_user, reference, out.getvalue())
    assert answer.status_code == 201
    comparison = answer.json()["comparison"]
    assert comparison["unmodified"] is True and comparison["base_id"] == generated["id"]
    assert (comparison["changed"], comparison["added"], comparison["removed"]) == (0, 0, 0)


def test_the_contract_language_is_set_at_creation(app, api, make_sponsor, make_user):
    sponsor = make_sponsor("Novacure Oncology SA", "FR", **SPONSOR_IDENTITY)
    client = api(make_user("legal", "GR"))
    body = {"sponsor_id": sponsor, "title": "A trial", "protocol_number": "P-1", "phase": "I",
            "coordinating_site": "GR", "sites": ["GR"], "received_on": "2026-11-02"}
    assert client.post("/contracts", json=body).json()["language"] == "fr"
    created = client.post("/contracts", json={**body, "language": "en"})
    assert created.status_code == 201 and created.json()["language"] == "en"
    helix = make_sponsor("Helix Therapeutics Inc.", "US")  # a sponsor abroad, no language chosen
    assert client.post("/contracts", json={**body, "sponsor_id": helix}).json()["language"] == "en"
    bad = client.post("/contracts", json={**body, "language": "de"})
    assert bad.status_code == 422 and "language" in bad.json()["error"]["fields"]


def test_a_regulated_model_lists_the_deviations(app, api, desk, make_user, client, login):
    reference, gr, _ib, sponsor_user, generated, content = desk
    admin_email = make_user("admin", None)
    admin = api(admin_email)
    template = next(t for t in admin.get("/templates").json()["templates"] if t["name"] == "coordinating_fr")
    assert template["regulated"] is True  # the shipped national-model agreements are born regulated
    unmarked = admin.session.patch(f"{admin.base}/templates/{template['id']}", json={"regulated": False}, timeout=30)
    assert unmarked.status_code == 200 and unmarked.json()["regulated"] is False
    refused = api(make_user("legal", "GR")).session.patch(
        f"{admin.base}/templates/{template['id']}", json={"regulated": True}, timeout=30)
    assert refused.status_code == 403
    bad = admin.session.patch(f"{admin.base}/templates/{template['id']}", json={"regulated": "yes"}, timeout=30)
    assert bad.status_code == 422
    marked = admin.session.patch(f"{admin.base}/templates/{template['id']}", json={"regulated": True}, timeout=30)
    assert marked.status_code == 200 and marked.json()["regulated"] is True
    redline = upload(sponsor_user, reference, word_redline(content).data).json()
    deviations = redline["comparison"]["deviations"]
    assert {"changed", "removed", "added"} <= {d["status"] for d in deviations}
    assert all(set(d) == {"index", "status", "old", "new"} for d in deviations)
    login(make_user("legal", "GR"))
    page = client.get(f"/contracts/{reference}/documents/{redline['id']}/compare",
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f"{len(deviations)} deviations from the regulated model" in page
    assert page.count(">deviation<") == len(deviations)
