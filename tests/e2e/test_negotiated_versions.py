"""Staff upload their revised version and adopt the sponsor's Word redline, on a phone, in French and English."""
from __future__ import annotations

import io
import re
from datetime import date, timedelta

import docx
import pytest

from tests.helpers.browser import axe_findings, overflow, sign_in
from tests.helpers.contract_data import CONTRACT_DETAILS, SPONSOR_IDENTITY
from tests.helpers.word_redline import word_redline

pytestmark = pytest.mark.e2e

WORDS = {
    "fr-FR": {"upload": "Déposer la version révisée du centre", "stored": "Version révisée du centre enregistrée",
              "adopt": "Adopter la version révisée du promoteur", "adopted": "Version révisée du promoteur adoptée",
              "compare": "Comparer"},
    "en-GB": {"upload": "Upload the revised version", "stored": "Revised version stored as version 4",
              "adopt": "Adopt this redline", "adopted": "Redline adopted: version 5", "compare": "Compare"},
}


def _edited(content: bytes) -> bytes:
    document = docx.Document(io.BytesIO(content))
    paragraph = next(p for p in document.paragraphs if len(p.text.split()) > 10)
    paragraph.runs[0].text = "Texte revu par le juriste du centre."
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
def test_revised_upload_and_adoption_on_a_phone(page_for, axe_source, api, builtin_templates, make_user,
                                                make_sponsor, make_contract, tmp_path, locale):
    words = WORDS[locale]
    reference = make_contract(make_sponsor(**SPONSOR_IDENTITY), received_on=date.today() - timedelta(days=2),
                              **CONTRACT_DETAILS)
    email = make_user("legal", "GR")
    staff = api(email)
    sponsor = api(make_user("sponsor", None, sponsor="Novacure Oncology SA"))
    made = staff.post(f"/contracts/{reference}/documents", json={"template": "coordinating_fr", "site": "GR"}).json()
    for action in ("mark_complete", "send_to_sponsor"):
        staff.post(f"/contracts/{reference}/events", json={"site": "GR", "action": action})
    content = staff.get(f"/documents/{made['id']}/content").content
    redline = sponsor.post(f"/contracts/{reference}/documents/upload", data={"site": "GR"},
                           files={"file": ("retour.docx", io.BytesIO(word_redline(content).data))}).json()
    sponsor.post(f"/contracts/{reference}/events", json={"site": "GR", "action": "sponsor_replied"})
    staff.post(f"/contracts/{reference}/documents", json={"template": "coordinating_fr", "site": "GR"})  # v3
    revised = tmp_path / "version juriste.docx"
    revised.write_bytes(_edited(content))

    page = page_for(locale, width=390, axe=axe_source)  # a phone
    sign_in(page, email)
    page.goto(f"/contracts/{reference}")
    form = page.locator("#upload-revised")
    form.locator("input[type=file]").set_input_files(str(revised))
    form.get_by_role("button", name=words["upload"]).click()
    page.wait_for_url(re.compile(rf"/contracts/{reference}#documents$"))  # checked and measured once loaded
    assert page.locator(".flash.success").inner_text().startswith(words["stored"])
    assert axe_findings(page) == [] and overflow(page) == []

    page.goto(f"/contracts/{reference}/documents/{redline['id']}/compare")
    assert axe_findings(page) == [] and overflow(page) == []
    page.get_by_role("button", name=words["adopt"]).focus()
    page.keyboard.press("Enter")  # by keyboard, which does not wait for the page it asks for
    page.wait_for_url(re.compile(rf"/contracts/{reference}#documents$"))  # back at the documents
    assert page.locator(".flash.success").inner_text().startswith(words["adopted"])
    assert axe_findings(page) == [] and overflow(page) == []
