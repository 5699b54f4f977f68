"""Every route of the app, as every kind of person: nobody sees or changes what is not theirs.

The routes are read from ``app.url_map``, so a route added later is walked too. Each
identity requests each route with ids of data it must not see ("foreign") and with ids
that do not exist ("missing"): the two answers must be the same refusal, so another
sponsor's contract, document, message, invitation or token cannot even be told apart
from nothing. Roles that may not use a route get 403 (401 or the sign-in page when
nobody is signed in), and no request of the walk changes anything: row counts and the
audit trail's tail stay as they were.
"""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

import pytest
from sqlalchemy import text

from tests.helpers.actors import STAFF
from tests.helpers.web import PASSWORD, csrf_token
from tracker import audit
from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import AuditEntry, Contract, OutboxMessage, User
from tracker.people import accounts, invitations
from tracker.people.tokens import create_token
from tracker.portal.messages import post_message

PUBLIC = {"auth.login", "auth.language", "auth.logout", "account.welcome", "account.reset", "account.reset_request",
          "account.renew", "api.health", "api.openapi", "static",
          "profile.feed",  # a calendar feed: its secret address is the key, like an invitation link
          # Signing pages open with a signatory's one-time link (or check a PDF): no account; an unknown
          # token answers 404 like a missing page (tests/signing).
          "signing.page", "signing.start", "signing.code", "signing.decline", "signing.agreement_pdf",
          "signing.agreement_docx",
          "signing.copy", "signing.verify"}
# Who may use a route at all; routes not named here are held to the other rules only.
ROLES = {
    "portal.": {"sponsor"},
    "contracts.show": {"admin", "manager", "legal"}, "contracts.new": {"admin", "manager", "legal"},
    "contracts.act": {"admin", "manager", "legal"}, "contracts.owner": {"admin", "manager", "legal"},
    "audit_export.": {"admin", "manager", "legal"}, "conversation.": {"admin", "manager", "legal"},
    "invitations.": {"admin", "manager", "legal"}, "documents.generate": {"admin", "manager", "legal"},
    "documents.upload": {"admin", "manager", "legal"}, "documents.compare": {"admin", "manager", "legal"},
    "documents.upload_revised": {"admin", "manager", "legal"}, "documents.adopt": {"admin", "manager", "legal"},
    "documents.changes": {"admin", "manager", "legal"}, "api.adopt_document": {"admin", "manager", "legal"},
    "admin_templates.regulated": {"admin"}, "api.patch_template": {"admin"},
    "documents.templates": {"admin"}, "admin_policy.": {"admin"}, "admin_outbox.": {"admin"},
    "admin_users.": {"admin"}, "admin_webhooks.": {"admin"},
    "api.post_webhook": {"admin"}, "api.list_webhooks": {"admin"}, "api.delete_webhook": {"admin"},
    "api.list_deliveries": {"admin"},
    "api.post_sponsor": {"admin"}, "api.post_template": {"admin"}, "api.patch_contract": {"admin", "manager", "legal"},
    "dashboard.": {"admin", "manager"}, "profile.calendar": {"admin", "manager", "legal"},
    "profile.renew": {"admin", "manager", "legal"}, "profile.revoke": {"admin", "manager", "legal"},
    "queue.export": {"admin", "manager", "legal"}, "queue.export_xlsx": {"admin", "manager", "legal"},
    "api.get_metrics": {"admin", "manager", "legal"},
    "signatories.": {"admin", "manager", "legal"}, "api.post_signatory": {"admin", "manager", "legal"},
    "amendments.": {"admin", "manager", "legal"}, "api.post_amendment": {"admin", "manager", "legal"},
}
# Pages a role must be able to open with its own data (so the walk cannot pass by refusing everything).
OPENS = {"sponsor": {"portal.index", "portal.contract", "portal.download", "portal.message", "portal.export",
                     "account.token_page", "api.get_contract", "api.document_content", "documents.download"},
         "staff": {"contracts.show", "conversation.message", "documents.download", "invitations.sponsor",
                   "invitations.index", "account.token_page", "api.get_contract", "api.document_content"}}
SKIP = {"auth.logout"}  # would end the walking session; signing out is tested with the sign-in pages
# POSTs with no id in their address that act on the caller's own data (their calendar feed): a change is
# theirs to make; who may make it is still checked (tests/metrics for what they change).
OWN_DATA_POSTS = {"profile.renew", "profile.revoke"}


def allowed_roles(endpoint: str) -> set[str] | None:
    for prefix, roles in ROLES.items():
        if endpoint == prefix or (prefix.endswith(".") and endpoint.startswith(prefix)):
            return roles
    return None


@dataclass
class Side:
    """The ids of one sponsor's data on one contract, as URL values."""

    sponsor_id: int
    reference: str
    track_id: int
    document_id: int
    message_id: int
    user_id: int  # a contact invited and still pending
    token_id: int

    def values(self, rule, outbox_id: int) -> dict:
        names = {"reference": self.reference, "track_id": self.track_id, "document_id": self.document_id,
                 "message_id": outbox_id if rule.endpoint.startswith("admin_outbox") else self.message_id,
                 "user_id": self.user_id, "sponsor_id": self.sponsor_id, "token_id": self.token_id,
                 "token": secrets.token_urlsafe(32), "code": "GR", "filename": "app.css"}
        return {arg: names.get(arg, 1) for arg in rule.arguments}


MISSING_INT = 2**31 - 1


def missing_values(rule) -> dict:
    names = {"reference": "FT-2099-9999", "token": secrets.token_urlsafe(32), "code": "GR", "filename": "app.css"}
    return {arg: names.get(arg, MISSING_INT) for arg in rule.arguments}


def _side(app, sponsor_id: int, reference: str, author_email: str) -> Side:
    """Give a contract a sent draft, a message, a pending invitation and a token, all of its sponsor."""
    from tracker.documents.operations import generate
    from tracker.pipeline.operations import apply_action
    from tracker.timeutil import local_date

    with app.app_context():
        now = utcnow()
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        track = contract.coordinating_track
        document = generate(contract, track.site.code, "coordinating_fr", actor=STAFF, now=now, today=local_date(now),
                            draft=True)
        apply_action(track, "mark_complete", actor=STAFF, now=now)
        apply_action(track, "send_to_sponsor", actor=STAFF, now=now)
        author = db.session.execute(db.select(User).where(User.email == author_email)).scalar_one()
        message = post_message(contract, "About clause 4", author=author, now=now)
        issued = invitations.invite({"name": "Pending Person", "email": f"pending@{sponsor_id}.test",
                                     "sponsor_id": sponsor_id, "language": "en"}, actor=STAFF, now=now)
        create_token(author, actor=audit.SYSTEM, now=now)
        token_id = db.session.execute(text("SELECT max(id) FROM api_tokens")).scalar()
        db.session.commit()
        return Side(sponsor_id, reference, track.id, document.id, message.id, issued.user.id, token_id)


@dataclass
class Identity:
    name: str
    role: str | None  # None: nobody signed in, or a disabled account
    client: object
    token: str | None
    own: Side | None
    foreign: Side | None


@pytest.fixture
def walk(app, builtin_templates, make_sponsor, make_contract, make_user):
    sides = {}
    for key, name, sites in (("nova", "Novacure Oncology SA", ("GR", "IB")), ("helix", "Helix Therapeutics Inc.",
                             ("GR", "IB")), ("ib_only", "Lone Pharma", ("IB",)), ("gr_only", "Solo Bio", ("GR",))):
        sponsor_id = make_sponsor(name, "FR")
        sides[key] = (sponsor_id, make_contract(sponsor_id, coordinating=sites[0], sites=sites),
                      make_user("sponsor", None, sponsor=name))
    people = {
        "sponsor_a": sides["nova"][2], "sponsor_b": sides["helix"][2],
        "disabled": make_user("sponsor", None, sponsor="Novacure Oncology SA"),
        "legal_gr": make_user("legal", "GR"), "manager_gr": make_user("manager", "GR"),
        "legal_ib": make_user("legal", "IB"), "manager_ib": make_user("manager", "IB"),
        "admin": make_user("admin", None),
    }
    nova, helix, ib_only, gr_only = (_side(app, *sides[k]) for k in ("nova", "helix", "ib_only", "gr_only"))
    plan = {"sponsor_a": ("sponsor", nova, helix), "sponsor_b": ("sponsor", helix, nova),
            "legal_gr": ("legal", gr_only, ib_only), "manager_gr": ("manager", gr_only, ib_only),
            "legal_ib": ("legal", ib_only, gr_only), "manager_ib": ("manager", ib_only, gr_only),
            "admin": ("admin", nova, None), "disabled": (None, None, nova), "nobody": (None, None, nova)}
    identities = []
    for name, (role, own, foreign) in plan.items():
        client = app.test_client()
        token = None
        if name != "nobody":
            form = csrf_token(client, "/login")
            client.post("/login", data={"email": people[name], "password": PASSWORD, "csrf_token": form,
                                        "remember": "y"})
            with app.app_context():
                user = db.session.execute(db.select(User).where(User.email == people[name])).scalar_one()
                token = create_token(user, actor=audit.SYSTEM, now=utcnow())
                db.session.commit()
        identities.append(Identity(name, role, client, token, own, foreign))
    with app.app_context():  # closed while signed in, with a token: both must stop working at once
        user = db.session.execute(db.select(User).where(User.email == people["disabled"])).scalar_one()
        accounts.disable_user(user, actor=STAFF, now=utcnow())
        db.session.commit()
    return identities


def snapshot() -> tuple:
    """Row counts of every table and the audit trail's tail."""
    counts = tuple(db.session.execute(text(f"SELECT count(*) FROM {t.name}")).scalar()
                   for t in db.metadata.sorted_tables)
    tail = db.session.execute(db.select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).first()
    db.session.rollback()
    return counts, tuple(tail) if tail else None


def _request(identity: Identity, method: str, url: str, form_token: str):
    headers = {"Accept-Language": "en"}
    if url.startswith("/api/"):
        if identity.token:
            headers["Authorization"] = f"Bearer {identity.token}"
        return identity.client.open(url, method=method, headers=headers, json={} if method != "GET" else None)
    data = {"csrf_token": form_token} if method != "GET" else None
    return identity.client.open(url, method=method, headers=headers, data=data)


def _rules(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in SKIP:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _url(app, rule, values) -> str:
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def _title(html: str) -> str | None:
    start, end = html.find("<title>"), html.find("</title>")
    return html[start + len("<title>"):end] if 0 <= start < end else None


def _signed_out_answer(url: str, response) -> bool:
    if url.startswith("/api/"):
        return response.status_code == 401
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_every_route_as_every_role(app, walk, caplog):
    caplog.set_level(logging.WARNING, logger="tracker.refused")
    with app.app_context():
        outbox_id = db.session.execute(db.select(db.func.max(OutboxMessage.id))).scalar()
        before = snapshot()
    problems = []
    for identity in walk:
        form_token = csrf_token(identity.client, "/account/tokens" if identity.role else "/login")
        for rule, method in _rules(app):
            endpoint = rule.endpoint
            answers = {}
            for label, values in (("foreign", identity.foreign and identity.foreign.values(rule, outbox_id)),
                                  ("missing", missing_values(rule)),
                                  ("own", identity.own and identity.own.values(rule, outbox_id))):
                if values is None or (label == "own" and method != "GET"):  # one's own POSTs may change things
                    continue
                url = _url(app, rule, values)
                response = _request(identity, method, url, form_token)
                answers[label] = response
                where = f"{identity.name} {method} {url} ({label})"
                if response.status_code >= 500:
                    problems.append(f"{where}: {response.status_code}")
                if method == "GET" and response.status_code == 200 and response.mimetype == "text/html":
                    title = _title(response.get_data(as_text=True))
                    if title is None or "<" in title or "&lt;" in title:  # a tab's title is text only
                        problems.append(f"{where}: title {title!r}")
                if method != "GET":
                    with app.app_context():
                        if snapshot() != before:
                            if endpoint not in OWN_DATA_POSTS:
                                problems.append(f"{where}: changed the database")
                            before = snapshot()
                if identity.role is None and endpoint not in PUBLIC and not _signed_out_answer(url, response):
                    problems.append(f"{where}: {response.status_code} for someone not signed in")
                roles = allowed_roles(endpoint)
                if identity.role and roles is not None and identity.role not in roles and response.status_code != 403:
                    problems.append(f"{where}: {response.status_code}, expected 403 for a {identity.role}")
            if rule.arguments and "foreign" in answers and endpoint not in PUBLIC:
                foreign, missing = answers["foreign"], answers["missing"]
                if (foreign.status_code, foreign.headers.get("Location", "").split("?")[0]) != (
                        missing.status_code, missing.headers.get("Location", "").split("?")[0]):
                    problems.append(f"{identity.name} {method} {rule.rule}: another's data answers "
                                    f"{foreign.status_code}, nothing answers {missing.status_code}")
                if foreign.status_code < 400 and identity.role is not None:
                    problems.append(f"{identity.name} {method} {rule.rule}: another's data answers "
                                    f"{foreign.status_code}")
            group = "sponsor" if identity.role == "sponsor" else ("staff" if identity.role else None)
            if group and method == "GET" and endpoint in OPENS[group] and answers["own"].status_code >= 400:
                problems.append(f"{identity.name} GET {rule.rule}: {answers['own'].status_code} on its own data")
    assert problems == []
    with app.app_context():
        assert snapshot() == before
    refused = [r.getMessage() for r in caplog.records if r.name == "tracker.refused"]
    assert any("<" in line and "sponsor" in line and "/portal/contracts/" in line and " at 20" in line
               for line in refused), refused[:5]
    assert any(line.startswith("refused 401: anonymous") for line in refused)


def test_actions_a_role_may_not_take_are_403_and_change_nothing(app, walk):
    """Each pipeline action through the API: 404 where the contract is not the caller's, 403 where the role
    may not take it."""
    from tracker.stages.rules import ACTIONS

    with app.app_context():
        before = snapshot()
    nova = next(i for i in walk if i.name == "sponsor_a").own
    problems = []
    for identity in walk:
        for action in ACTIONS:
            body = {"site": "GR", "action": action, "comment": "why", "party": "institution"}
            response = identity.client.post(f"/api/v1/contracts/{nova.reference}/events", json=body, headers={
                "Authorization": f"Bearer {identity.token}"} if identity.token else {})
            if identity.name in ("nobody", "disabled"):
                expected = 401
            elif identity.name == "sponsor_b":
                expected = 404  # not its contract: as if it did not exist
            elif identity.name == "sponsor_a":
                # its own moves are left to the stage; anything else, or signing for the institution, is 403
                expected = None if action in ("submit_documents", "sponsor_replied") else 403
            elif identity.name in ("legal_ib", "manager_ib"):
                expected = 403  # staff of another site than the track's
            elif identity.name == "legal_gr" and action == "cancel":
                expected = 403  # managers and admins only
            else:
                expected = None  # allowed to the role: the stage decides (not walked here)
            if expected is not None and response.status_code != expected:
                problems.append(f"{identity.name} {action}: {response.status_code}, expected {expected}")
            with app.app_context():
                if expected is not None and snapshot() != before:
                    problems.append(f"{identity.name} {action}: changed the database")
                before = snapshot()  # an action the role may take may have moved the track
    assert problems == []
