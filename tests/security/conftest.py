"""Fixtures for attacking the app as outsiders would: signed-in browsers over real HTTP, real documents."""
from __future__ import annotations

import io
import re
from datetime import date, timedelta

import docx
import pytest
import requests

from tests.conftest import PASSWORD

ROOT_TEMPLATE = "contract_templates/coordinating_fr.docx"


def form_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class Browser:
    """A requests session signed in through the real form, like a person with a browser."""

    def __init__(self, base: str, language: str = "en"):
        self.base = base
        self.session = requests.Session()
        self.session.headers["Accept-Language"] = language

    def sign_in(self, email: str, password: str = PASSWORD) -> "Browser":
        token = form_token(self.get("/login").text)
        answer = self.session.post(self.base + "/login", data={"email": email, "password": password,
                                                               "csrf_token": token},
                                   allow_redirects=False, timeout=30)
        assert answer.status_code == 302, answer.text[:300]
        return self

    def token(self, path: str = "/") -> str:
        return form_token(self.get(path).text)

    def get(self, path: str, **kw):
        return self.session.get(self.base + path, timeout=60, allow_redirects=kw.pop("allow_redirects", False), **kw)

    def post(self, path: str, data=None, **kw):
        return self.session.post(self.base + path, data=data, timeout=60,
                                 allow_redirects=kw.pop("allow_redirects", False), **kw)


@pytest.fixture
def browser(server):
    def make(email: str | None = None, language: str = "en") -> Browser:
        made = Browser(server, language)
        return made.sign_in(email) if email else made
    return make


@pytest.fixture
def contract(builtin_templates, make_sponsor, make_contract):
    """A GR-IB contract of Novacure received three days ago, the standard templates stored."""
    sponsor_id = make_sponsor("Novacure Oncology SA")
    return make_contract(sponsor_id, received_on=date.today() - timedelta(days=3), acronym="ESCALADE")


def docx_bytes(*paragraphs: str, base: str | None = ROOT_TEMPLATE) -> bytes:
    document = docx.Document(base) if base else docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(api_client, path: str, content: bytes, *, headers=None, **fields):
    return api_client.session.post(api_client.base + path, data=fields, headers=headers or {},
                                   files={"file": ("file.docx", content)}, timeout=60)
