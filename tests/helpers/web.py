"""Talking to the tracker as its users' programs do: forms and their CSRF tokens, the JSON API, a browser session."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import requests

# The password every test user is made with (see the make_user fixture).
PASSWORD = "correct horse battery"
# Headers asking for the English pages.
EN = {"Accept-Language": "en"}


def form_token(html: str, where: str = "the page") -> str:
    """The CSRF token of the form on a page, as a browser would submit it."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF token on {where}"
    return match.group(1)


def csrf_token(client, url: str) -> str:
    """The CSRF token of the form on the page at ``url``, fetched with Flask's test client."""
    return form_token(client.get(url).get_data(as_text=True), url)


class Forms(HTMLParser):
    """The forms of a page as a browser would submit them: action URL and field values."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[dict] = []
        self._form = self._select = self._textarea = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action") or "", "fields": {}, "options": {}}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            if a.get("type") == "checkbox" and "checked" not in a:
                return
            self._form["fields"][a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a.get("name")
            self._form["options"][self._select] = []
        elif tag == "option" and self._select:
            self._form["options"][self._select].append(a.get("value", ""))
            if self._select not in self._form["fields"] or "selected" in a:
                self._form["fields"][self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a.get("name")
            self._form["fields"][self._textarea] = ""

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form["fields"][self._textarea] += data.strip("\r\n")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


class Api:
    """A small client for the JSON API over real HTTP."""

    def __init__(self, base: str, token: str | None = None):
        self.base = base + "/api/v1"
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def get(self, path, **kw):
        return self.session.get(self.base + path, timeout=30, **kw)

    def post(self, path, json=None, **kw):
        return self.session.post(self.base + path, json=json, timeout=30, **kw)


def upload(api_client: Api, path: str, content: bytes, *, headers=None, **fields):
    """POST a file to the API as a multipart form, with ``fields`` beside it."""
    return api_client.session.post(api_client.base + path, data=fields, headers=headers or {},
                                   files={"file": ("file.docx", content)}, timeout=60)


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
