"""Templates and documents through the API: generate, download, upload, compare, refuse."""
import hashlib
import io
import shutil
import subprocess
import zipfile
from datetime import date, timedelta

import docx
import pytest

from tests.helpers.contract_data import CONTRACT_DETAILS, SPONSOR_IDENTITY
from tests.helpers.docx_text import all_text
from tracker.extensions import db
from tracker.models import ContractTemplate, Document

ROOT_TEMPLATE = "contract_templates/coordinating_fr.docx"


@pytest.fixture
def contract(builtin_templates, make_sponsor, make_contract):
    awkward = "Société Générale d'Études & Cie <R&D>"
    sponsor_id = make_sponsor(awkward, **{**SPONSOR_IDENTITY, "legal_name": awkward})  # the agreement prints it
    return make_contract(sponsor_id, title="Phase I of NVC-114 & <friends>", received_on=date.today() - timedelta(days=3),
                         **{**CONTRACT_DETAILS, "budget": [{"item": "Screening visit", "amount": 450, "unit": "EUR"}]})


def _count(app, model):
    with app.app_context():
        return db.session.execute(db.select(db.func.count(model.id))).scalar()


def test_generate_and_download(api, contract, make_user):
    client = api(make_user("legal", "GR"))
    response = client.post(f"/contracts/{contract}/documents", json={"template": "coordinating_fr", "site": "GR"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["version"] == 1 and body["filename"] == f"{contract}-GR-v1.docx"
    download = client.get(f"/documents/{body['id']}/content")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert hashlib.sha256(download.content).hexdigest() == body["sha256"]
    text = all_text(download.content)
    assert contract in text and "Société Générale d'Études & Cie <R&D>" in text
    assert "Phase I of NVC-114 & <friends>" in text and "Screening visit" in text
    again = client.post(f"/contracts/{contract}/documents", json={"template": "coordinating_fr", "site": "GR"})
    assert again.json()["version"] == 2
    listed = client.get(f"/contracts/{contract}/documents").json()["documents"]
    assert [d["version"] for d in listed] == [1, 2]
    assert listed[0]["template"] == {"name": "coordinating_fr", "version": 1}


@pytest.mark.parametrize("body, field", [
    ({"template": "no_such_template", "site": "GR"}, "template"),
    ({"template": "coordinating_fr", "site": "ZZ"}, "site"),
    ({"template": "coordinating_fr"}, "site"),
    ({"template": "coordinating_fr", "site": "GR", "colour": "red"}, "colour"),
])
def test_bad_generation_requests_name_the_field(app, api, contract, make_user, body, field):
    client = api(make_user("legal", "GR"))
    response = client.post(f"/contracts/{contract}/documents", json=body)
    assert response.status_code == 422 and field in response.json()["error"]["fields"]
    assert _count(app, Document) == 0


def test_who_may_generate_and_download(api, contract, make_user, make_sponsor):
    ib = api(make_user("legal", "IB"))
    assert ib.post(f"/contracts/{contract}/documents", json={"template": "coordinating_fr", "site": "GR"}
                   ).status_code == 403
    gr = api(make_user("legal", "GR"))
    made = gr.post(f"/contracts/{contract}/documents", json={"template": "coordinating_fr", "site": "GR"}).json()
    make_sponsor("Helix Therapeutics Inc.", "US")
    stranger = api(make_user("sponsor", None, sponsor="Helix Therapeutics Inc."))
    assert stranger.get(f"/documents/{made['id']}/content").status_code == 404
    owner = api(make_user("sponsor", None, sponsor="Société Générale d'Études & Cie <R&D>"))
    # The site's drafts stay internal until one is sent to the sponsor.
    assert owner.get(f"/documents/{made['id']}/content").status_code == 404
    assert owner.get(f"/contracts/{contract}/documents").json()["documents"] == []
    for action in ("mark_complete", "send_to_sponsor"):
        assert gr.post(f"/contracts/{contract}/events", json={"site": "GR", "action": action}).status_code == 201
    assert owner.get(f"/documents/{made['id']}/content").status_code == 200
    assert stranger.get(f"/documents/{made['id']}/content").status_code == 404
    assert owner.post(f"/contracts/{contract}/documents",
                      json={"template": "coordinating_fr", "site": "GR"}).status_code == 403


def _redline(data: bytes) -> bytes:
    document = docx.Document(io.BytesIO(data))
    paragraphs = [p for p in document.paragraphs if len(p.text) > 60]
    paragraphs[0].runs[0].text = paragraphs[0].runs[0].text + " (sauf accord écrit contraire du Promoteur)"
    paragraphs[3]._element.getparent().remove(paragraphs[3]._element)
    paragraphs[5].insert_paragraph_before("Le Promoteur pourra auditer le Centre moyennant un préavis de 30 jours.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_redline_upload_is_compared_with_what_the_site_sent(api, contract, make_user):
    legal = api(make_user("legal", "GR"))
    sent = legal.post(f"/contracts/{contract}/documents", json={"template": "coordinating_fr", "site": "GR"}).json()
    original = legal.get(f"/documents/{sent['id']}/content").content
    sponsor = api(make_user("sponsor", None, sponsor="Société Générale d'Études & Cie <R&D>"))
    response = sponsor.session.post(sponsor.base + f"/contracts/{contract}/documents/upload", data={"site": "GR"},
                                    files={"file": ("our comments.docx", _redline(original))}, timeout=30)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["kind"] == "redline" and body["version"] == 2 and body["compared_to"] == sent["id"]
    assert body["comparison"]["changed"] == 1
    assert body["comparison"]["added"] == 1 and body["comparison"]["removed"] == 1


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _withall_text(text: str) -> bytes:
    document = docx.Document(ROOT_TEMPLATE)
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize("payload, expected", [
    (b"%PDF-1.7 not a word file", "not a .docx file"),
    (_zip({"hello.txt": b"hi"}), "[Content_Types].xml"),
    (_zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"0" * (80 * 1024 * 1024)}), "MiB"),
    (_withall_text("{{ sponsor.nickname }} and {{ contract.budget_total }}"), "sponsor.nickname"),
    (_withall_text("{% if contract.title %}unclosed"), "is never closed"),
    # the tags alone look harmless; filling the template with sample values shows the output bound is passed
    (_withall_text("{% for i in range(10000) %}{{ sponsor.name * 200 }}{% endfor %}"), "would exceed 20,000,000"),
])
def test_template_upload_refusals_name_the_problem(app, api, make_user, builtin_templates, payload, expected):
    admin = api(make_user("admin", None))
    before = _count(app, ContractTemplate)
    response = admin.session.post(admin.base + "/templates", data={"name": "coordinating_fr"},
                                  files={"file": ("t.docx", payload)}, timeout=60)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert any(expected in problem for problem in error["problems"]), error
    assert _count(app, ContractTemplate) == before


def test_a_new_template_version_is_used_and_recorded(api, contract, make_user):
    admin = api(make_user("admin", None))
    upload = admin.session.post(admin.base + "/templates", data={"name": "coordinating_fr"},
                                files={"file": ("v2.docx", _withall_text("Avenant : {{ contract.acronym }}"))},
                                timeout=60)
    assert upload.status_code == 201 and upload.json()["version"] == 2
    legal = api(make_user("legal", "GR"))
    assert legal.post("/templates", json={}).status_code == 403
    made = legal.post(f"/contracts/{contract}/documents", json={"template": "coordinating_fr", "site": "GR"}).json()
    listed = legal.get(f"/contracts/{contract}/documents").json()["documents"]
    assert listed[0]["template"] == {"name": "coordinating_fr", "version": 2}
    assert "Avenant : ESCALADE" in all_text(legal.get(f"/documents/{made['id']}/content").content)


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_generated_agreements_open_in_libreoffice(api, contract, make_user, tmp_path):
    client = api(make_user("legal", "GR"))
    for template, site in (("coordinating_fr", "GR"), ("associated_en", "IB")):
        if site == "IB":
            client = api(make_user("legal", "IB"))
        made = client.post(f"/contracts/{contract}/documents", json={"template": template, "site": site}).json()
        path = tmp_path / made["filename"]
        path.write_bytes(client.get(f"/documents/{made['id']}/content").content)
    done = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                           "--convert-to", "pdf", "--outdir", str(tmp_path),
                           *[str(p) for p in tmp_path.glob("*.docx")]],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    pdfs = sorted(tmp_path.glob("*.pdf"))
    assert len(pdfs) == 2 and all(p.stat().st_size > 5000 for p in pdfs)
