"""Documents from the contract page, the comparison page and the template page."""
import io
import re
from datetime import timedelta

import docx

from tests.helpers.contract_data import CONTRACT_DETAILS, SPONSOR_IDENTITY
from tests.helpers.web import csrf_token
from tracker.timeutil import local_date

EN = {"Accept-Language": "en"}


def _redline(data: bytes) -> bytes:
    document = docx.Document(io.BytesIO(data))
    insurance = next(p for p in document.paragraphs if p.text.startswith("Conformément à l'article L. 1121-10"))
    insurance.runs[0].text = insurance.runs[0].text.replace("figure en annexe 2", "est remise avant toute inclusion")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_generate_upload_and_compare_from_the_pages(client, builtin_templates, make_user, make_sponsor,
                                                    make_contract, login, now):
    sponsor_id = make_sponsor(**SPONSOR_IDENTITY)
    reference = make_contract(sponsor_id, received_on=local_date(now) - timedelta(days=2), **CONTRACT_DETAILS)
    login(make_user("legal", "GR"))
    page = f"/contracts/{reference}"
    response = client.post(f"{page}/documents/generate", headers=EN, follow_redirects=True, data={
        "csrf_token": csrf_token(client, page), "template": "coordinating_fr", "site": "GR"})
    html = response.get_data(as_text=True)
    assert f"{reference}-GR-v1.docx" in html and "Version 1 generated" in html
    document_id = re.search(r'href="/documents/(\d+)/download"', html).group(1)
    sent = client.get(f"/documents/{document_id}/download")
    assert sent.headers["Content-Disposition"].startswith("attachment")
    response = client.post(f"{page}/documents/upload", headers=EN, follow_redirects=True, data={
        "csrf_token": csrf_token(client, page), "site": "GR",
        "file": (io.BytesIO(_redline(sent.data)), "retour promoteur.docx")}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert "Redline stored as version 2." in html
    compare_link = re.search(r'href="([^"]+/compare)"', html).group(1)
    compare = client.get(compare_link, headers=EN).get_data(as_text=True)
    assert "1 clause changed" in compare and "0 clauses added" in compare
    assert "<ins>toute inclusion</ins>" in compare


def test_a_bad_redline_is_refused_with_the_reason(client, builtin_templates, make_user, make_sponsor,
                                                  make_contract, login):
    reference = make_contract(make_sponsor())
    login(make_user("legal", "GR"))
    page = f"/contracts/{reference}"
    response = client.post(f"{page}/documents/upload", headers=EN, follow_redirects=True, data={
        "csrf_token": csrf_token(client, page), "site": "GR",
        "file": (io.BytesIO(b"MZ\x90\x00 an executable"), "contract.docx")}, content_type="multipart/form-data")
    assert "Not done: not a .docx file" in response.get_data(as_text=True)
    assert "No document yet." in response.get_data(as_text=True)


def test_template_page_lists_every_problem(client, builtin_templates, make_user, login):
    login(make_user("admin", None))
    document = docx.Document("contract_templates/associated_en.docx")
    document.add_paragraph("{{ sponsor.shoe_size }} {{ site.budget_code }}")
    out = io.BytesIO()
    document.save(out)
    response = client.post("/admin/templates", headers=EN, data={
        "csrf_token": csrf_token(client, "/admin/templates"), "name": "associated_en",
        "file": (io.BytesIO(out.getvalue()), "associated_en.docx")}, content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "sponsor.shoe_size" in html and "site.budget_code" in html
    assert html.count("<td>associated_en</td>") == 1  # nothing stored
