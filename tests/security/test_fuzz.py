"""Hostile values in every JSON field and every form field of the app: never a 5xx, on either engine.

Nothing here lists the endpoints by hand.  The routes come from ``app.url_map``; the JSON fields
of each API endpoint from its OpenAPI description (which another test keeps complete); the
forms, with their real field names, prefixes and CSRF tokens, from the pages themselves.  An
endpoint or a form added later is driven the same way without touching this file.
"""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest

from tests.helpers.documents import docx_bytes

TEXT = ["\x00", "a\x00b", "\x1b[31m", "x" * 20_000, "1e23", "-1", "1" + "0" * 30, "2147483648", "0001-01-01",
        "9999-12-31T23:59:59", "<script>alert(1)</script>", "' OR '1'='1", "%00", "\u202e", "{{ 7 * 7 }}", "", "é" * 600]
JSON_ONLY = ["\ud800", 10**30, -1, 2**31, 1e308, True, None, [], {}, [[[["deep"]]]], {"a": "\ud800"}, ["\x00"]]
FIELD_TEXT = ["\x00", "\x1b", "x" * 20_000, "1" + "0" * 30, "0001-01-01"]  # one field at a time, the rest sensible


def _bad_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("../../evil.xml", "<x/>")
        archive.writestr("word/document.xml", "<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>")
    return out.getvalue()


FILES = [b"", b"PK\x03\x04" + b"\x00" * 64, _bad_zip()]


class Forms(HTMLParser):
    """Every form on a page: action, method, enctype and its fields with the values a browser would send."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "", "method": (attrs.get("method") or "get").upper(),
                               "multipart": "multipart" in (attrs.get("enctype") or ""), "fields": {}, "files": []})
        elif not self.forms or not attrs.get("name"):
            return
        elif tag == "input" and attrs.get("type") == "file":
            self.forms[-1]["files"].append(attrs["name"])
        elif tag == "input" and (attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs):
            self.forms[-1]["fields"].setdefault(attrs["name"], attrs.get("value") or "")
        elif tag in ("input",):
            self.forms[-1]["fields"].setdefault(attrs["name"], "")
        elif tag == "textarea":
            self.forms[-1]["fields"].setdefault(attrs["name"], "")
        elif tag == "select":
            self._select = attrs["name"]
            self.forms[-1]["fields"].setdefault(attrs["name"], None)
        if tag == "option" and self._select and self.forms and self.forms[-1]["fields"].get(self._select) is None:
            self.forms[-1]["fields"][self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def forms_of(html: str) -> list[dict]:
    parser = Forms()
    parser.feed(html)
    return parser.forms


@pytest.fixture
def world(app, api, browser, contract, make_user, make_sponsor):
    """A contract with a generated version and a redline, the people to attack with, and ids to aim at."""
    make_sponsor("Helix Therapeutics Inc.", "US")
    admin_email = make_user("admin", None)
    legal = api(make_user("legal", "GR"))
    made = legal.post(f"/contracts/{contract}/documents", json={"template": "coordinating_fr", "site": "GR",
                                                                 "draft": True}).json()  # no legal identity
    sponsor = api(make_user("sponsor", None, sponsor="Novacure Oncology SA"))
    sponsor.session.post(sponsor.base + f"/contracts/{contract}/documents/upload", data={"site": "GR"},
                         files={"file": ("r.docx", docx_bytes("Nouvelle clause du promoteur."))}, timeout=60)
    from tracker.extensions import db
    from tracker.models import Contract, Track

    with app.app_context():
        row = db.session.execute(db.select(Contract).where(Contract.reference == contract)).scalar_one()
        track_id = db.session.execute(db.select(Track.id).where(Track.contract_id == row.id)).scalars().first()
    ids = {"document_id": made["id"], "track_id": track_id, "message_id": 1, "closure_id": 1}
    return {"reference": contract, "ids": ids, "admin_api": api(admin_email), "sponsor_api": sponsor,
            "admin": browser(admin_email), "admin_email": admin_email}


def _url(rule, world, hostile: bool = False) -> str:
    values = {}
    for name in rule.arguments:
        if name == "reference":
            values[name] = "FT-\x00" if hostile else world["reference"]
        elif name == "code":
            values[name] = "%00" if hostile else "GR"
        elif name == "filename":
            values[name] = "app.css"
        else:
            values[name] = 2147483647 if hostile else world["ids"].get(name, 1)
    url = rule.rule
    for name, value in values.items():
        url = url.replace(f"<int:{name}>", str(value)).replace(f"<path:{name}>", str(value)).replace(
            f"<{name}>", str(value))
    return url


def _record(failures, what, response):
    if response.status_code >= 500:
        failures.append(f"{what} -> {response.status_code}")


def _json_fields(openapi: dict, path: str, method: str) -> tuple[dict, bool]:
    """The properties of an endpoint's JSON body (or multipart form), and whether it is multipart."""
    operation = openapi["paths"].get(path, {}).get(method.lower(), {})
    content = operation.get("requestBody", {}).get("content", {})
    for kind, multipart in (("application/json", False), ("multipart/form-data", True)):
        schema = content.get(kind, {}).get("schema", {})
        if "$ref" in schema:
            schema = openapi["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        if schema:
            return schema.get("properties", {}), multipart
    return {}, False


SENSIBLE = {"site": "GR", "coordinating_site": "GR", "sites": ["GR", "IB"], "action": "mark_complete",
            "template": "coordinating_fr", "phase": "I", "title": "Fuzzed trial", "protocol_number": "FZ-1",
            "received_on": (date.today() - timedelta(days=1)).isoformat(), "name": "fuzzed_name", "country": "FR",
            "party": "institution"}


def test_every_api_endpoint_survives_hostile_json_and_files(app, world):
    openapi = world["admin_api"].get("/openapi.json").json()
    failures: list[str] = []
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/")]
    for client in (world["admin_api"], world["sponsor_api"]):
        for rule in rules:
            for method in sorted(rule.methods & {"POST", "PATCH", "PUT", "DELETE"}):
                path = _url(rule, world).removeprefix("/api/v1")
                spec_path = rule.rule.removeprefix("/api/v1").replace("<int:", "{").replace("<", "{").replace(">", "}")
                fields, multipart = _json_fields(openapi, spec_path, method)
                _drive_api(client, method, path, fields, multipart, failures, world)
            if "GET" in rule.methods:
                for query in ("limit=1e20", "offset=%00", "q=%00", "page=1e20", "site=%F0%9F%92%A9"):
                    _record(failures, f"GET {rule.rule}?{query}", client.get(_url(rule, world).removeprefix("/api/v1")
                                                                              + "?" + query))
                _record(failures, f"GET {rule.rule} hostile ids",
                        client.get(_url(rule, world, hostile=True).removeprefix("/api/v1")))
    assert failures == [], failures[:20]


def _send(client, method, path, body, multipart, files=None):
    if multipart:
        files = {"file": ("fuzz.docx", files if files is not None else docx_bytes("Fuzz"))}
        form = {k: (json.dumps(v) if not isinstance(v, str) else v) for k, v in body.items() if k != "file"}
        return client.session.request(method, client.base + path, data=form, files=files, timeout=60)
    raw = json.dumps(body, ensure_ascii=True)
    return client.session.request(method, client.base + path, data=raw,
                                  headers={"Content-Type": "application/json"}, timeout=60)


def _drive_api(client, method, path, fields, multipart, failures, world):
    names = [n for n in fields if n != "file"] or ["body"]
    baseline = {n: SENSIBLE.get(n, "x") for n in names}
    if "sponsor_id" in baseline:
        baseline["sponsor_id"] = 1
    for value in TEXT + ([] if multipart else JSON_ONLY):
        _record(failures, f"{method} {path} all={value!r:.40}", _send(client, method, path,
                                                                       {n: value for n in names}, multipart))
        for name in names:
            if value in FIELD_TEXT or value in JSON_ONLY[:3]:
                _record(failures, f"{method} {path} {name}={value!r:.40}",
                        _send(client, method, path, {**baseline, name: value}, multipart))
    if multipart:
        for content in FILES:
            _record(failures, f"{method} {path} hostile file", _send(client, method, path, baseline, True, content))
    else:
        for raw in ("[" * 50_000, '{"a": ' * 3_000, "nope", "null", "[]", '"\\ud800"'):
            response = client.session.request(method, client.base + path, data=raw,
                                              headers={"Content-Type": "application/json"}, timeout=60)
            _record(failures, f"{method} {path} raw={raw[:20]!r}", response)


def _pages(app, world) -> list[str]:
    """Every GET page of the app, with real ids (and the same pages with hostile ids)."""
    pages = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.rule.startswith(("/api/", "/static")):
            pages.append(_url(rule, world))
    return sorted(set(pages))


def test_every_form_field_and_page_survives_hostile_values(app, world):
    admin = world["admin"]
    failures: list[str] = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.rule.startswith("/api/"):
            for query in ("page=1e20", "q=%00", "status=%1b", "site=%00", "stage=" + "x" * 5000, "next=//evil"):
                _record(failures, f"GET {rule.rule}?{query}", admin.get(_url(rule, world) + "?" + query))
            _record(failures, f"GET {rule.rule} hostile ids", admin.get(_url(rule, world, hostile=True)))
    seen = set()
    for page in _pages(app, world):
        response = admin.get(page)
        _record(failures, f"GET {page}", response)
        for form in forms_of(response.text):
            if form["method"] != "POST" or form["action"].endswith("/logout"):
                continue
            key = (form["action"] or page, tuple(sorted(form["fields"])))
            if key in seen:
                continue
            seen.add(key)
            _drive_form(admin, form["action"] or page, form, failures)
    posted = {action for action, _fields in seen}
    for rule in app.url_map.iter_rules():  # endpoints no page shows a form for: every known field name
        if "POST" in rule.methods and not rule.rule.startswith("/api/") and _url(rule, world) not in posted \
                and not rule.rule.endswith("/logout"):
            token = admin.token("/")
            for value in TEXT:
                _record(failures, f"POST {rule.rule} blind={value!r:.30}", admin.post(_url(rule, world), data={
                    "csrf_token": token, "email": value, "name": value, "reason": value, "comment": value}))
    assert failures == [], failures[:20]
    assert len(seen) >= 8  # the contract page, the admin pages and the new-contract form were all found


def _drive_form(admin, action, form, failures):
    fields = {k: (v if v is not None else "") for k, v in form["fields"].items()}
    names = [n for n in fields if not n.endswith("csrf_token")]
    for value in TEXT:
        body = {**fields, **{n: value for n in names}}
        files = {n: ("fuzz.docx", docx_bytes("Fuzz")) for n in form["files"]} or None
        _record(failures, f"POST {action} all={value!r:.30}", admin.post(action, data=body, files=files))
    for name in names:
        for value in FIELD_TEXT:
            _record(failures, f"POST {action} {name}={value!r:.30}", admin.post(action, data={**fields, name: value}))
    for name in form["files"]:
        for content in FILES:
            _record(failures, f"POST {action} {name}=hostile file",
                    admin.post(action, data=fields, files={name: ("evil.docx", content)}))
