"""Every kind of response carries the security headers; cookies are HttpOnly, SameSite and Secure over HTTPS."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tracker import ROOT, create_app

def assert_secured(response, *, private: bool = True) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, (response.url, csp)
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert headers.get("Referrer-Policy") == "same-origin"
    if private == "revalidate":  # a tagged answer (ETag): kept for this caller only, asked again before each use
        assert headers.get("Cache-Control") == "private, no-cache" and headers.get("ETag"), response.url
    elif private:
        assert headers.get("Cache-Control") == "no-store", (response.url, headers.get("Cache-Control"))


@pytest.fixture
def documents(api, contract, make_user):
    """A generated agreement of the contract and a staff API client."""
    legal = api(make_user("legal", "GR"))
    made = legal.post(f"/contracts/{contract}/documents", json={"template": "coordinating_fr", "site": "GR"})
    assert made.status_code == 201, made.text
    return legal, made.json()


def test_pages_json_downloads_errors_and_static_files_all_carry_the_headers(browser, api, documents, contract,
                                                                            make_user):
    legal_api, made = documents
    person = browser(make_user("legal", "GR"))
    anonymous = browser()
    responses = {
        "sign-in page": (anonymous.get("/login"), False),
        "signed-in page": (person.get(f"/contracts/{contract}"), True),
        "contract list": (person.get("/"), True),
        "page download": (person.get(f"/documents/{made['id']}/download"), True),
        "audit CSV": (person.get(f"/contracts/{contract}/audit.csv"), True),
        "page 404": (person.get("/contracts/FT-1999-9999"), True),
        "page 405": (person.post("/contracts/new/nothing"), True),
        "redirect": (anonymous.get("/"), False),
        "static file": (anonymous.get("/static/app.css"), False),
        "API JSON": (legal_api.get(f"/contracts/{contract}/events"), True),
        "API tagged JSON": (legal_api.get(f"/contracts/{contract}"), "revalidate"),
        "API tagged list": (legal_api.get("/contracts"), "revalidate"),
        "API download": (legal_api.get(f"/documents/{made['id']}/content"), True),
        "API 401": (api().get("/contracts"), True),
        "API 404": (legal_api.get("/contracts/FT-1999-9999"), True),
        "API 422": (legal_api.post("/contracts", json={}), True),
        "API health": (api().get("/health"), True),
    }
    for name, (response, private) in responses.items():
        assert response.status_code < 500, name
        assert_secured(response, private=private)
    assert responses["static file"][0].status_code == 200
    assert responses["API JSON"][0].headers["Content-Type"].startswith("application/json")


def test_every_download_is_an_attachment_with_a_safe_name(browser, documents, contract, make_user):
    legal_api, made = documents
    person = browser(make_user("legal", "GR"))
    for response in (person.get(f"/documents/{made['id']}/download"), legal_api.get(f"/documents/{made['id']}/content"),
                     person.get(f"/contracts/{contract}/audit.csv")):
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;"), disposition
        name = re.search(r'filename="?([^";]+)"?', disposition).group(1)
        assert re.fullmatch(r"[A-Za-z0-9._-]+", name), name
        assert response.headers["Cache-Control"] == "no-store"


def test_no_hsts_over_plain_http_and_cookies_are_httponly_and_lax(browser, make_user):
    person = browser()
    first = person.get("/login")
    assert "Strict-Transport-Security" not in first.headers
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', first.text).group(1)
    email = make_user("legal", "GR")
    answer = person.post("/login", data={"email": email, "password": "correct horse battery", "csrf_token": token,
                                         "remember": "y"})
    cookies = answer.headers.get("Set-Cookie", "")
    assert "session=" in cookies and "remember_token=" in cookies
    for cookie in re.split(r", (?=[a-z_]+=)", cookies):
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie
        assert "Secure" not in cookie


def _https_app(app):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                       "SECRET_KEY": "test-secret", "RATELIMIT_ENABLED": False,
                       "BASE_URL": "https://contracts.example.org"})


def test_over_https_there_is_hsts_and_every_cookie_is_secure(app, make_user):
    secure = _https_app(app)
    client = secure.test_client()
    page = client.get("/login", base_url="https://contracts.example.org")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    email = make_user("legal", "GR")
    answer = client.post("/login", base_url="https://contracts.example.org", data={
        "email": email, "password": "correct horse battery", "csrf_token": token, "remember": "y"},
        headers={"Referer": "https://contracts.example.org/login"})  # CSRF checks the referrer over HTTPS
    assert answer.status_code == 302
    cookies = answer.headers.getlist("Set-Cookie")
    assert {c.split("=")[0] for c in cookies} >= {"session", "remember_token"}
    for cookie in cookies:
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie
    api_answer = client.get("/api/v1/health", base_url="https://contracts.example.org")
    assert "Strict-Transport-Security" in api_answer.headers


def test_an_unexpected_error_page_carries_the_headers_too(app):
    crashing = create_app({"TESTING": False, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                           "SECRET_KEY": "test-secret", "RATELIMIT_ENABLED": False, "BASE_URL": "http://tracker.test"})

    @crashing.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    response = crashing.test_client().get("/boom")
    assert response.status_code == 500
    assert_secured(response)


def test_pages_hold_no_inline_script_or_style():
    """The policy forbids inline script and style, so no page template may rely on them (e-mails may)."""
    offenders = []
    for path in sorted((Path(ROOT) / "templates").rglob("*.html")):
        if "emails" in path.parts:
            continue
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"<style\b", text) or \
                re.search(r"\sstyle\s*=", text) or re.search(r"\son[a-z]+\s*=", text):
            offenders.append(path.name)
    assert offenders == []
