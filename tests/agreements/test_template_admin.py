"""The template pages: versions, fields explained with real examples, PDF preview, download, defaults, retiring."""
import io
import re
import shutil
import subprocess

import docx
import pytest

from tests.helpers.contract_data import CONTRACT_DETAILS, SPONSOR_IDENTITY
from tests.helpers.web import csrf_token
from tracker.extensions import db
from tracker.models import AuditEntry, ContractTemplate

EN = {"Accept-Language": "en"}


def _id(app, name, version=1):
    with app.app_context():
        return db.session.execute(db.select(ContractTemplate.id).where(
            ContractTemplate.name == name, ContractTemplate.version == version)).scalar_one()


def _upload(client, name, data):
    return client.post("/admin/templates", headers=EN, content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/admin/templates"), "name": name,
        "file": (io.BytesIO(data), f"{name}.docx")})


def test_field_list_explains_each_field_with_an_example_from_a_real_contract(
        client, app, builtin_templates, make_user, make_sponsor, make_contract, login):
    make_contract(make_sponsor("Novacure Oncology", **SPONSOR_IDENTITY), **CONTRACT_DETAILS)
    login(make_user("admin", None))
    html = client.get(f"/admin/templates/{_id(app, 'coordinating_en')}", headers=EN).get_data(as_text=True)
    row = re.search(r"<code>sponsor.registration_number</code></td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*"
                    r"<td>([^<]*)</td>", html)
    assert row.groups() == ("The sponsor&#39;s registration number. SIREN or SIRET for a French company; the "
                            "register&#39;s number elsewhere.", "required", "832147565")
    assert re.search(r"<code>contract.eu_ct_number</code></td>\s*<td>[^<]*</td>\s*<td>optional</td>", html)
    assert re.search(r"<code>site.budget</code></td>\s*<td>[^<]*</td>\s*<td>required</td>\s*<td>1 row</td>", html)
    assert re.search(r"<code>contract.cro</code></td>\s*<td>[^<]*</td>\s*<td>optional</td>", html)
    assert "Examples from contract FT-" in html


def test_download_gives_the_version_as_uploaded(client, app, builtin_templates, make_user, login):
    login(make_user("admin", None))
    response = client.get(f"/admin/templates/{_id(app, 'associated_fr')}/download")
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment")
    with open("contract_templates/associated_fr.docx", "rb") as shipped:
        assert response.data == shipped.read()


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice is not installed")
def test_preview_is_a_pdf_filled_with_a_sample_contract(client, app, builtin_templates, make_user, login, tmp_path):
    login(make_user("admin", None))
    response = client.get(f"/admin/templates/{_id(app, 'coordinating_en')}/preview.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        (tmp_path / "p.pdf").write_bytes(response.data)
        text = subprocess.run(["pdftotext", str(tmp_path / "p.pdf"), "-"], capture_output=True, text=True).stdout
        assert "Novacure Oncology" in text and "{{" not in text


def test_a_retired_version_is_no_longer_offered_but_kept(client, app, api, builtin_templates, make_user,
                                                         make_sponsor, make_contract, login):
    reference = make_contract(make_sponsor("Novacure Oncology", **SPONSOR_IDENTITY), **CONTRACT_DETAILS)
    admin_email = make_user("admin", None)
    login(admin_email)
    page = f"/admin/templates/{_id(app, 'coordinating_en')}"
    response = client.post(f"{page}/retire", headers=EN, follow_redirects=True,
                           data={"csrf_token": csrf_token(client, page), "retire": "1"})
    assert "Version 1 of coordinating_en retired." in response.get_data(as_text=True)
    legal = api(make_user("legal", "GR"))
    refused = legal.post(f"/contracts/{reference}/documents", json={"template": "coordinating_en", "site": "GR"})
    assert refused.status_code == 422 and "Unknown template coordinating_en" in refused.json()["error"]["fields"][
        "template"]
    listed = {(t["name"], t["retired"]) for t in legal.get("/templates").json()["templates"]}
    assert ("coordinating_en", True) in listed
    contract_page = client.get(f"/contracts/{reference}").get_data(as_text=True)
    assert 'value="coordinating_en"' not in contract_page
    client.post(f"{page}/retire", data={"csrf_token": csrf_token(client, page), "retire": "0"})
    assert legal.post(f"/contracts/{reference}/documents", json={"template": "coordinating_en", "site": "GR"}
                      ).status_code == 201
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(AuditEntry.id)).where(
            AuditEntry.entity == "template", AuditEntry.field == "retired_at")).scalar() == 2


def test_an_older_version_stays_when_the_newest_is_retired(client, app, api, builtin_templates, make_user,
                                                           make_sponsor, make_contract, login):
    reference = make_contract(make_sponsor("Novacure Oncology", **SPONSOR_IDENTITY), **CONTRACT_DETAILS)
    login(make_user("admin", None))
    changed = docx.Document("contract_templates/coordinating_en.docx")
    changed.add_paragraph("Version two clause for {{ sponsor.legal_name }}.")
    out = io.BytesIO()
    changed.save(out)
    assert _upload(client, "coordinating_en", out.getvalue()).status_code == 302
    page = f"/admin/templates/{_id(app, 'coordinating_en', 2)}"
    client.post(f"{page}/retire", data={"csrf_token": csrf_token(client, page), "retire": "1"})
    made = api(make_user("legal", "GR")).post(f"/contracts/{reference}/documents",
                                              json={"template": "coordinating_en", "site": "GR"})
    assert made.json()["template"] == {"name": "coordinating_en", "version": 1}


def test_the_default_template_per_role_and_language_is_a_setting(client, app, builtin_templates, make_user,
                                                                  make_sponsor, make_contract, login):
    reference = make_contract(make_sponsor("Novacure Oncology", **SPONSOR_IDENTITY), **CONTRACT_DETAILS)
    login(make_user("admin", None))
    html = client.get(f"/contracts/{reference}").get_data(as_text=True)
    assert re.search(r'<option selected value="coordinating_fr">', html)  # a French sponsor: by name
    response = client.post("/admin/templates/defaults", headers=EN, follow_redirects=True, data={
        "csrf_token": csrf_token(client, "/admin/templates"), "coordinating_fr": "coordinating_en",
        "coordinating_en": "coordinating_en", "associated_fr": "associated_fr", "associated_en": "associated_en"})
    assert "Default templates saved." in response.get_data(as_text=True)
    html = client.get(f"/contracts/{reference}").get_data(as_text=True)
    assert re.search(r'<option selected value="coordinating_en">', html)
    bad = client.post("/admin/templates/defaults", headers=EN, follow_redirects=True, data={
        "csrf_token": csrf_token(client, "/admin/templates"), "coordinating_fr": "associated_zz"})
    assert "No template associated_zz is offered." in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(AuditEntry.new_value).where(
            AuditEntry.entity == "template_default")).scalars().all() == ["coordinating_en"]


def test_template_pages_are_for_admins(client, app, builtin_templates, make_user, login):
    login(make_user("manager", "GR"))
    template_id = _id(app, "coordinating_fr")
    for url in ("/admin/templates", f"/admin/templates/{template_id}", f"/admin/templates/{template_id}/download",
                f"/admin/templates/{template_id}/preview.pdf"):
        assert client.get(url).status_code == 403
    token = csrf_token(client, "/")
    assert client.post(f"/admin/templates/{template_id}/retire", data={"csrf_token": token, "retire": "1"}
                       ).status_code == 403
    assert client.get("/admin/templates/999999").status_code == 403


def test_without_libreoffice_the_preview_says_so(client, app, builtin_templates, make_user, login, monkeypatch,
                                                 tmp_path):
    login(make_user("admin", None))
    changed = docx.Document("contract_templates/associated_en.docx")
    changed.add_paragraph("A clause of its own, so that no earlier preview of this version exists.")
    out = io.BytesIO()
    changed.save(out)
    assert _upload(client, "associated_en", out.getvalue()).status_code == 302
    monkeypatch.setenv("PATH", str(tmp_path))  # a server where soffice cannot be found
    page = f"/admin/templates/{_id(app, 'associated_en', 2)}"
    response = client.get(f"{page}/preview.pdf", headers=EN, follow_redirects=True)
    assert "Not done: LibreOffice is not installed on the server" in response.get_data(as_text=True)
