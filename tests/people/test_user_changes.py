"""Changing a person from the users pages: role with site or sponsor, disabling, enabling, links, sign-ins.

Disabling is checked over real HTTP: a copied session cookie, a remember-me cookie and an
API token all stop working at once.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
import requests

from tests.helpers.mail import link_in, outbox
from tests.helpers.web import Api, PASSWORD, csrf_token
from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import ApiToken, AuditEntry, User

EN = {"Accept-Language": "en"}
GOOD = "saffron kettle under moonlight"


def _user(app, email) -> User:
    with app.app_context():
        user = db.session.execute(db.select(User).where(User.email == email)).scalar_one()
        db.session.expunge(user)
        return user


def _trail(app, user_id, field=None) -> list[tuple]:
    with app.app_context():
        stmt = db.select(AuditEntry).where(AuditEntry.entity == "user", AuditEntry.entity_id == str(user_id))
        if field:
            stmt = stmt.where(AuditEntry.field == field)
        return [(e.field, e.old_value, e.new_value, e.actor_email)
                for e in db.session.execute(stmt.order_by(AuditEntry.id)).scalars()]


def _post(client, url, **data):
    page = url if "/link" not in url and "/enable" not in url else url.rsplit("/", 1)[0]
    return client.post(url, headers=EN, data={"csrf_token": csrf_token(client, page), **data})


@pytest.fixture
def admin(make_user):
    return make_user("admin", None, email="ada@tracker.test")


def test_an_admin_changes_a_role_and_its_site_or_sponsor(app, client, login, admin, make_user, make_sponsor):
    make_sponsor("Novacure Oncology SA")
    legal = _user(app, make_user("legal", "GR", email="luc@gr.test"))
    login(admin)
    url = f"/admin/users/{legal.id}"
    moved = _post(client, url, role="manager", site="IB", sponsor="")
    assert moved.status_code == 303
    changed = _user(app, "luc@gr.test")
    assert (changed.role, changed.site_id) != (legal.role, legal.site_id) and changed.role == "manager"
    assert ("role", "legal", "manager", "ada@tracker.test") in _trail(app, legal.id)
    assert ("site", "GR", "IB", "ada@tracker.test") in _trail(app, legal.id)

    refused = _post(client, url, role="sponsor", site="IB", sponsor="")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="site-error">Only legal staff and managers belong to a site' in html
    assert 'id="sponsor-error">A sponsor user works for a sponsor' in html
    assert _user(app, "luc@gr.test").role == "manager"  # nothing changed

    assert _post(client, url, role="sponsor", site="", sponsor="Novacure Oncology SA").status_code == 303
    now_sponsor = _user(app, "luc@gr.test")
    assert (now_sponsor.role, now_sponsor.site_id) == ("sponsor", None) and now_sponsor.sponsor_id
    assert ("sponsor", None, "Novacure Oncology SA", "ada@tracker.test") in _trail(app, legal.id)
    rows = len(_trail(app, legal.id))
    same = _post(client, url, role="sponsor", site="", sponsor="Novacure Oncology SA")
    assert "Nothing changed." in client.get(same.headers["Location"], headers=EN).get_data(as_text=True)
    assert len(_trail(app, legal.id)) == rows


def test_the_new_role_applies_to_a_running_session_and_token(app, client, login, admin, make_user, token_for,
                                                            server):
    email = make_user("manager", "GR", email="max@gr.test")
    program = Api(server, token_for(email))
    assert program.get("/metrics").status_code == 200
    other = app.test_client()
    other.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(other, "/login")})
    assert other.get("/dashboard/").status_code == 200
    login(admin)
    assert _post(client, f"/admin/users/{_user(app, email).id}", role="legal", site="GR").status_code == 303
    assert other.get("/dashboard/").status_code == 403  # a legal user has no dashboard
    assert program.get("/contracts").status_code == 200  # still signed in, with the new role's rights


def test_an_admin_cannot_change_their_own_role_nor_disable_themselves(app, client, login, admin, make_user):
    me = _user(app, admin)
    login(admin)
    page = client.get(f"/admin/users/{me.id}", headers=EN).get_data(as_text=True)
    assert "You cannot change your own role" in page and 'name="role"' not in page and "Disable…" not in page
    token = csrf_token(client, "/admin/users")
    refused = client.post(f"/admin/users/{me.id}", headers=EN, data={"csrf_token": token, "role": "legal",
                                                                       "site": "GR"})
    assert refused.status_code == 422
    assert "You cannot change your own role; another administrator can.</li>" in refused.get_data(as_text=True)
    assert 'role="alert"' in refused.get_data(as_text=True)
    confirm = client.get(f"/admin/users/{me.id}/disable", headers=EN).get_data(as_text=True)
    assert "You cannot disable your own account" in confirm and "Disable the account" not in confirm
    done = client.post(f"/admin/users/{me.id}/disable", headers=EN, data={"csrf_token": token})
    assert "You cannot disable your own account." in client.get(done.headers["Location"], headers=EN).get_data(
        as_text=True)
    still = _user(app, admin)
    assert (still.role, still.active) == ("admin", True) and _trail(app, me.id, "role") == [
        ("role", None, "admin", None)]
    # Another admin may do both.
    second = make_user("admin", None, email="bea@tracker.test")
    assert client.get("/admin/users").status_code == 200
    assert _post(client, f"/admin/users/{_user(app, second).id}", role="manager", site="IB").status_code == 303
    assert _user(app, second).role == "manager"


def _browser(server, email, remember=True) -> requests.Session:
    """A signed-in browser session over real HTTP."""
    import re

    browser = requests.Session()
    page = browser.get(server + "/login", timeout=30).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = browser.post(server + "/login", timeout=30, allow_redirects=False, data={
        "email": email, "password": PASSWORD, "csrf_token": token, "remember": "y" if remember else ""})
    assert response.status_code == 302
    return browser


def test_disabling_asks_first_then_ends_a_copied_session_and_a_token(app, client, login, admin, make_user,
                                                                    token_for, server):
    email = make_user("legal", "IB", email="lea@ib.test")
    user = _user(app, email)
    browser = _browser(server, email)
    copied = requests.Session()  # the cookies as someone who copied them would hold them
    copied.cookies.update(browser.cookies)
    remembered = requests.Session()
    remembered.cookies.set("remember_token", browser.cookies.get("remember_token"))
    program = Api(server, token_for(email))
    for session in (browser, copied, remembered):
        assert session.get(server + "/contracts", timeout=30, allow_redirects=False).status_code == 200
    assert program.get("/contracts").status_code == 200

    login(admin)
    ask = client.get(f"/admin/users/{user.id}/disable", headers=EN)
    assert ask.status_code == 200 and "Disable Legal" in ask.get_data(as_text=True)
    assert _user(app, email).active  # asking changes nothing
    done = _post(client, f"/admin/users/{user.id}/disable")
    assert done.status_code == 303
    assert "is disabled: signed out everywhere" in client.get(done.headers["Location"], headers=EN).get_data(
        as_text=True)
    for session in (browser, copied, remembered):
        response = session.get(server + "/contracts", timeout=30, allow_redirects=False)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert program.get("/contracts").status_code == 401
    with app.app_context():
        assert all(t.revoked_at for t in db.session.execute(db.select(ApiToken).where(
            ApiToken.user_id == user.id)).scalars())
        token_rows = db.session.execute(db.select(AuditEntry).where(AuditEntry.entity == "api_token")).scalars().all()
        assert any(e.field == "revoked_at" and e.actor_email == "ada@tracker.test" for e in token_rows)
    assert ("active", "True", "False", "ada@tracker.test") in _trail(app, user.id)
    listing = client.get("/admin/users", headers=EN, query_string={"state": "disabled"}).get_data(as_text=True)
    assert "lea@ib.test" in listing

    enabled = _post(client, f"/admin/users/{user.id}/enable")
    assert enabled.status_code == 303 and _user(app, email).active
    assert ("active", "False", "True", "ada@tracker.test") in _trail(app, user.id)
    assert copied.get(server + "/contracts", timeout=30, allow_redirects=False).status_code == 302  # stays ended
    assert program.get("/contracts").status_code == 401
    assert _browser(server, email).get(server + "/contracts", timeout=30).status_code == 200  # with the password


def test_resend_an_invitation_then_a_password_link(app, client, login, admin):
    login(admin)
    created = client.post("/admin/users/new", headers=EN, data={
        "csrf_token": csrf_token(client, "/admin/users/new"), "name": "Iris Bonnet", "email": "iris@gr.test",
        "role": "legal", "site": "GR", "sponsor": "", "language": "en"})
    url = created.headers["Location"]
    user = _user(app, "iris@gr.test")
    first = link_in(outbox(app, kind="invitation", recipient_id=user.id)[0].body_text)
    again = _post(client, url + "/link")
    assert "A new invitation is e-mailed to iris@gr.test." in client.get(again.headers["Location"], headers=EN
                                                                           ).get_data(as_text=True)
    mails = outbox(app, kind="invitation", recipient_id=user.id)
    assert len(mails) == 2 and "(administration) gives you access" in mails[1].body_text
    assert "Your role: Legal staff." in mails[1].body_text
    second = link_in(mails[1].body_text)
    assert client.get(first).status_code == 410  # replaced
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert client.post(second, data={"csrf_token": csrf_token(client, second), "password": GOOD,
                                     "confirm": GOOD}).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})

    login(admin)
    page = client.get(url, headers=EN).get_data(as_text=True)
    assert "Send a password link" in page and "Invited, no password yet" not in page
    sent = _post(client, url + "/link")
    assert "A link to choose a new password is e-mailed" in client.get(sent.headers["Location"], headers=EN
                                                                         ).get_data(as_text=True)
    [reset] = outbox(app, kind="password_reset", recipient_id=user.id)
    assert "sends you a link to choose a new password" in reset.body_text
    link_in(reset.body_text, "reset")
    with app.app_context():
        purposes = [e.new_value for e in db.session.execute(db.select(AuditEntry).where(
            AuditEntry.entity == "account_link", AuditEntry.field == "purpose").order_by(AuditEntry.id)).scalars()]
    assert purposes == ["invite", "invite", "reset"]


def test_a_disabled_person_gets_no_link(app, client, login, admin, make_user):
    email = make_user("legal", "GR", email="old@gr.test")
    user = _user(app, email)
    login(admin)
    _post(client, f"/admin/users/{user.id}/disable")
    page = client.get(f"/admin/users/{user.id}", headers=EN).get_data(as_text=True)
    assert "This account is disabled" in page and "Send a password link" not in page
    refused = client.post(f"/admin/users/{user.id}/link", headers=EN, data={"csrf_token": csrf_token(
        client, f"/admin/users/{user.id}")})
    assert "is disabled; enable the account first" in client.get(refused.headers["Location"], headers=EN).get_data(
        as_text=True)
    assert outbox(app, kind="password_reset") == []


def test_signing_in_is_noted_as_the_last_sign_in(app, client, login, admin, make_user):
    email = make_user("legal", "GR", email="tim@gr.test")
    assert _user(app, email).last_sign_in_at is None
    before = utcnow()
    login(email)
    noted = _user(app, email).last_sign_in_at
    assert noted is not None and before - timedelta(seconds=1) <= noted <= utcnow()
    assert _trail(app, _user(app, email).id, "last_sign_in_at") == []  # not an audited change
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(admin)
    row = client.get("/admin/users", headers=EN, query_string={"q": "tim@"}).get_data(as_text=True)
    assert "Never" not in row.split("<tbody>")[1]
