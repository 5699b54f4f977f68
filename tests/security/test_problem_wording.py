"""Why an upload is refused is said in the reader's language, on the pages and in the API."""
from __future__ import annotations

import re

from tests.helpers.documents import docx_bytes
from tests.helpers.web import upload

BAD_TEMPLATE = ("{{ sponsor.nmae }}", "{{ sponsor.name|center(100000000) }}",
                "{% for i in range(10000) %}{% for j in range(10000) %}x{% endfor %}{% endfor %}")


def test_the_template_page_lists_the_problems_in_french(browser, builtin_templates, make_user):
    person = browser(make_user("admin", None), language="fr-FR,fr;q=0.9")
    token = person.token("/admin/templates")
    answer = person.post("/admin/templates", data={"csrf_token": token, "name": "coordinating_fr"},
                         files={"file": ("modele.docx", docx_bytes(*BAD_TEMPLATE))})
    assert answer.status_code == 422
    items = [re.sub(r"<[^>]+>", "", item) for item in re.findall(r"<li>(.*?)</li>", answer.text, re.S)]
    text = " ".join(items).replace("&#34;", '"').replace("&#39;", "'")
    assert "champs inconnus\u00a0: sponsor.nmae, vouliez-vous dire sponsor.name\u00a0?" in text
    assert "le modèle construit une valeur d’environ" in text or "le modèle construit une valeur d'environ" in text
    assert "100\u202f000\u202f000 caractères" in text  # numbers written the French way
    assert "ces boucles tourneraient environ" in text and "corps du document, paragraphe" in text
    assert "unknown fields" not in text


def test_the_api_answers_in_the_callers_language(api, builtin_templates, make_user):
    admin = api(make_user("admin", None))
    english = upload(admin, "/templates", docx_bytes(*BAD_TEMPLATE), name="coordinating_fr")
    french = upload(admin, "/templates", docx_bytes(*BAD_TEMPLATE), name="coordinating_fr",
                    headers={"Accept-Language": "fr"})
    assert english.status_code == french.status_code == 422
    assert english.json()["error"]["problems"][0].startswith("unknown fields: sponsor.nmae")
    assert french.json()["error"]["problems"][0].startswith("champs inconnus\u00a0: sponsor.nmae")
    assert any("100,000,000 characters" in p for p in english.json()["error"]["problems"])


def test_a_refused_redline_is_explained_in_french_on_the_contract_page(browser, contract, make_user):
    person = browser(make_user("legal", "GR"), language="fr-FR")
    token = person.token(f"/contracts/{contract}")
    done = person.post(f"/contracts/{contract}/documents/upload", data={"csrf_token": token, "site": "GR"},
                       files={"file": ("contrat.docx", b"MZ\x90\x00 un executable")}, allow_redirects=True)
    assert "pas un fichier .docx (les documents Word sont des archives zip" in done.text
