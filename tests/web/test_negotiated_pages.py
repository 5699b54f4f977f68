"""SPEC 5d from the staff pages: upload a revised version, adopt a redline, tracked changes out, withdraw
refused for the fixed version, an unmodified redline offering to agree."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta

import docx
import pytest

from tests.helpers.contract_data import CONTRACT_DETAILS, SPONSOR_IDENTITY
from tests.helpers.web import PASSWORD, csrf_token
from tests.helpers.word_redline import body_paragraphs, word_redline
from tracker.extensions import db
from tracker.models import Document
from tracker.timeutil import local_date

EN, FR = {"Accept-Language": "en"}, {"Accept-Language": "fr"}


@pytest.fixture
def contract_page(client, app, builtin_templates, make_user, make_sponsor, make_contract, login, now):
    reference = make_contract(make_sponsor(**SPONSOR_IDENTITY), received_on=local_date(now) - timedelta(days=2),
                              **CONTRACT_DETAILS)
    login(make_user("legal", "GR"))
    page = f"/contracts/{reference}"
    client.post(f"{page}/documents/generate", data={"csrf_token": csrf_token(client, page),
                                                    "template": "coordinating_fr", "site": "GR"})
    with app.app_context():
        sent = db.session.execute(db.select(Document)).scalar_one()
        return reference, page, sent.id, sent.content


def _upload_revised(client, page, data, headers=EN, **form):
    return client.post(f"{page}/documents/revised", headers=headers, follow_redirects=True, data={
        "rev-csrf_token": csrf_token(client, page), "rev-site": "GR", "rev-language": "fr",
        "rev-file": (io.BytesIO(data), "version juriste.docx"), **form}, content_type="multipart/form-data")


def _edited(content: bytes) -> bytes:
    document = docx.Document(io.BytesIO(content))
    paragraph = next(p for p in document.paragraphs if len(p.text.split()) > 10)
    paragraph.runs[0].text = "Texte revu par le juriste du centre."
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize("headers, done, current", [
    (EN, "it is now the current version of Gustave Roussy", "current version"),
    (FR, "version actuelle", "version actuelle"),
])
def test_a_revised_version_from_the_page(client, app, contract_page, headers, done, current):
    reference, page, sent_id, content = contract_page
    html = _upload_revised(client, page, _edited(content), headers).get_data(as_text=True)
    assert done in html and f"{reference}-GR-revised2.docx" in html and current in html
    compare = re.search(r'href="([^"]+/documents/\d+/compare)"', html).group(1)
    compared = client.get(compare, headers=headers).get_data(as_text=True)
    assert "Texte revu par le juriste du centre." in compared
    assert "Adopt" not in compared and "Adopter" not in compared  # a revised version is already the site's


def test_a_bad_revised_upload_stores_nothing(client, app, contract_page):
    _reference, page, *_ = contract_page
    html = _upload_revised(client, page, b"not a word file").get_data(as_text=True)
    assert "Not done: not a .docx file" in html
    html = _upload_revised(client, page, b"", **{"rev-file": (io.BytesIO(b""), "")}).get_data(as_text=True)
    assert "Not done" in html
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Document.id))).scalar() == 1


def test_adopt_from_the_comparison_page_then_fixed_cannot_be_withdrawn(client, app, contract_page, make_user):
    reference, page, sent_id, content = contract_page
    redline = word_redline(content)
    html = client.post(f"{page}/documents/upload", headers=EN, follow_redirects=True, data={
        "csrf_token": csrf_token(client, page), "site": "GR", "file": (io.BytesIO(redline.data), "retour.docx")},
        content_type="multipart/form-data").get_data(as_text=True)
    compare_url = re.search(r'href="([^"]+/documents/(\d+)/compare)"', html)
    redline_id = int(compare_url.group(2))
    compared = client.get(compare_url.group(1), headers=EN).get_data(as_text=True)
    assert "Adopt this redline" in compared and "Download with tracked changes" in compared
    changes = client.get(f"{page}/documents/{redline_id}/changes")
    assert changes.status_code == 200
    with zipfile.ZipFile(io.BytesIO(changes.data)) as archive:
        xml = archive.read("word/document.xml").decode()
    assert "<w:ins " in xml and "<w:del " in xml and 'w:author="Novacure Oncology SA"' in xml
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', compared) or re.search(
        r'name="csrf_token" value="([^"]+)"', compared)
    done = client.post(f"{page}/documents/{redline_id}/adopt", headers=EN, follow_redirects=True,
                       data={"csrf_token": token.group(1)}).get_data(as_text=True)
    assert "Redline adopted: version 3" in done
    with app.app_context():
        adopted = db.session.execute(db.select(Document).where(Document.kind == "revised")).scalar_one()
        assert adopted.based_on_id == redline_id and body_paragraphs(adopted.content) == redline.accepted
        adopted_id = adopted.id
    again = client.get(compare_url.group(1), headers=EN).get_data(as_text=True)
    assert "Adopted as version 3" in again and "Adopt this redline" not in again
    # Agree: the adopted text is fixed; its withdraw link is gone and a forced withdrawal is refused.
    for action in ("mark_complete", "agree"):
        client.post(f"{page}/tracks/{_track_id(app, reference)}/actions", data={"csrf_token": csrf_token(client, page),
                                                                      "action": action})
    with app.app_context():
        from tracker.models.signing import FixedVersion

        assert db.session.execute(db.select(FixedVersion.document_id)).scalar_one() == adopted_id
    html = client.get(page, headers=EN).get_data(as_text=True)
    assert "fixed for signature" in html
    assert f"/documents/{adopted_id}/withdraw" not in html and f"/documents/{sent_id}/withdraw" in html
    refused = client.post(f"{page}/documents/{adopted_id}/withdraw", headers=EN, follow_redirects=True,
                          data={"csrf_token": csrf_token(client, page)}).get_data(as_text=True)
    assert "fixed for signature; reopen to change the terms" in refused
    confirm = client.get(f"{page}/documents/{sent_id}/withdraw", headers=EN).get_data(as_text=True)
    assert "What follows:" in confirm
    # The sponsor's side: which version is fixed, and that its redline was adopted.
    sponsor = app.test_client()
    sponsor.post("/login", data={"email": make_user("sponsor", None, sponsor="Novacure Oncology SA"),
                                 "password": PASSWORD, "csrf_token": csrf_token(sponsor, "/login")})
    portal = sponsor.get(f"/portal/contracts/{reference}", headers=EN).get_data(as_text=True)
    assert "adopted by the site as version 3" in portal and "fixed for signature" in portal


def _track_id(app, reference):
    from tracker.models import Contract

    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        return contract.coordinating_track.id


def test_an_unmodified_redline_offers_to_agree(client, app, contract_page):
    reference, page, _sent_id, content = contract_page
    document = docx.Document(io.BytesIO(content))
    document.core_properties.comments = "re-saved"
    for action in ("mark_complete", "send_to_sponsor"):
        client.post(f"{page}/tracks/{_track_id(app, reference)}/actions",
                    data={"csrf_token": csrf_token(client, page), "action": action})
    out = io.BytesIO()
    document.save(out)
    html = client.post(f"{page}/documents/upload", headers=EN, follow_redirects=True, data={
        "csrf_token": csrf_token(client, page), "site": "GR", "file": (io.BytesIO(out.getvalue()), "retour.docx")},
        content_type="multipart/form-data").get_data(as_text=True)
    compare_url = re.search(r'href="([^"]+/documents/\d+/compare)"', html).group(1)
    compared = client.get(compare_url, headers=EN).get_data(as_text=True)
    assert "Unmodified:" in compared and "The sponsor returned the text unchanged." in compared
    assert "Agree the terms of Gustave Roussy" in compared and "Adopt this redline" not in compared


def test_an_admin_marks_a_regulated_model(client, app, builtin_templates, make_user, login):
    from tracker.models import AuditEntry, ContractTemplate

    login(make_user("admin", None))
    with app.app_context():
        template_id = db.session.execute(db.select(ContractTemplate.id).where(
            ContractTemplate.name == "associated_fr")).scalar_one()
        db.session.get(ContractTemplate, template_id).regulated = False  # shipped as one; start from a plain template
        db.session.commit()
    page = f"/admin/templates/{template_id}"
    assert "Mark as a regulated model" in client.get(page, headers=EN).get_data(as_text=True)
    bad = client.post(f"{page}/regulated", data={"csrf_token": csrf_token(client, page), "regulated": "maybe"})
    assert bad.status_code == 400
    done = client.post(f"{page}/regulated", headers=EN, follow_redirects=True,
                       data={"csrf_token": csrf_token(client, page), "regulated": "1"}).get_data(as_text=True)
    assert "associated_fr is a regulated model" in done and "No longer a regulated model" in done
    with app.app_context():
        assert db.session.get(ContractTemplate, template_id).regulated is True
        assert db.session.execute(db.select(AuditEntry).where(AuditEntry.entity == "template",
                                                              AuditEntry.field == "regulated")).first()


def test_the_associated_track_lists_where_it_differs_from_the_coordinator(client, app, contract_page, make_user,
                                                                          monkeypatch):
    reference, page, sent_id, content = contract_page  # GR generated v1
    track_id = _track_id(app, reference)
    for action in ("mark_complete", "agree"):
        client.post(f"{page}/tracks/{track_id}/actions", data={"csrf_token": csrf_token(client, page),
                                                               "action": action})
    ib = app.test_client()
    ib.post("/login", data={"email": make_user("legal", "IB"), "password": PASSWORD,
                            "csrf_token": csrf_token(ib, "/login")})

    def upload_for_ib(data):
        return ib.post(f"{page}/documents/revised", headers=EN, follow_redirects=True, data={
            "rev-csrf_token": csrf_token(ib, page), "rev-site": "IB", "rev-language": "fr",
            "rev-file": (io.BytesIO(data), "ib.docx")}, content_type="multipart/form-data").get_data(as_text=True)

    html = upload_for_ib(content)  # the coordinator's agreed text, as is
    assert "Same terms as the coordinator&#39;s fixed version" in html or "Same terms as the coordinator's fixed version" in html
    html = upload_for_ib(_edited(content))  # one clause rewritten by the associated site
    listed = re.search(r'<ul class="differences">(.*?)</ul>', html, re.S).group(1)
    assert "differences from the coordinator" in html and "Same terms" not in html
    assert "Texte revu par le juriste du centre." in listed and listed.count("<li>") == 2  # the clause rewritten

    from tracker.documents import conformity

    compared, compare = [], conformity.compare_clauses
    monkeypatch.setattr(conformity, "compare_clauses", lambda *pair: compared.append(pair) or compare(*pair))
    again = ib.get(page, headers=EN).get_data(as_text=True)  # the two versions were compared at the last view
    assert re.search(r'<ul class="differences">(.*?)</ul>', again, re.S).group(1) == listed and compared == []
