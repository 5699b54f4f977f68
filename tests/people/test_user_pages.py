"""The users pages: the list with its search, filters and pages, and creating a person of each role.

Each new person is invited by e-mail; every refusal names its field and changes nothing.
"""
from __future__ import annotations

import re

import pytest

from tests.helpers.mail import link_in, outbox
from tests.helpers.web import csrf_token
from tracker import audit
from tracker.errors import Forbidden, InvalidInput
from tracker.extensions import db
from tracker.models import AuditEntry, User
from tracker.people import users

EN = {"Accept-Language": "en"}
GOOD = "saffron kettle under moonlight"


def _rows(html: str) -> list[str]:
    """The text of each row of the users table."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in body.split("</tr>") if "<td" in row]


def _count(app, model) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(model)).scalar()


def _create(client, **fields):
    data = {"name": "Nora Petit", "email": "nora@gr.test", "role": "legal", "site": "GR", "sponsor": "",
            "language": "en", **fields}
    return client.post("/admin/users/new", headers=EN,
                       data={"csrf_token": csrf_token(client, "/admin/users/new"), **data})


@pytest.fixture
def people(make_sponsor, make_user, app):
    make_sponsor("Novacure Oncology SA")
    make_sponsor("Helix Therapeutics Inc.", "US")
    emails = {
        "admin": make_user("admin", None, email="ada@tracker.test"),
        "legal": make_user("legal", "GR", email="luc.legal@gr.test"),
        "manager": make_user("manager", "IB", email="mona@ib.test"),
        "sponsor": make_user("sponsor", None, sponsor="Novacure Oncology SA", email="sam@novacure.test"),
        "gone": make_user("legal", "IB", email="gone@ib.test"),
    }
    from tracker.database import utcnow
    from tracker.people import accounts

    with app.app_context():
        gone = db.session.execute(db.select(User).where(User.email == "gone@ib.test")).scalar_one()
        accounts.disable_user(gone, actor=audit.SYSTEM, now=utcnow())
        db.session.commit()
    return emails


def test_the_list_says_who_each_person_is_in_words(client, login, people):
    login(people["admin"])
    rows = _rows(client.get("/admin/users", headers=EN).get_data(as_text=True))
    by_email = {next(w for w in row.split() if "@" in w): row for row in rows}
    assert set(by_email) == {"ada@tracker.test", "luc.legal@gr.test", "mona@ib.test", "sam@novacure.test",
                             "gone@ib.test"}
    assert "Legal staff Gustave Roussy Active Never" in by_email["luc.legal@gr.test"]
    assert "Manager Institut Bergonié Active Never" in by_email["mona@ib.test"]
    assert "Sponsor user Novacure Oncology SA Active" in by_email["sam@novacure.test"]
    assert "Legal staff Institut Bergonié Disabled Never" in by_email["gone@ib.test"]
    assert "Administrator All sites Active" in by_email["ada@tracker.test"]
    assert "Never" not in by_email["ada@tracker.test"]  # signed in just now
    french = _rows(client.get("/admin/users", headers={"Accept-Language": "fr"}).get_data(as_text=True))
    assert any("Juriste" in row and "Désactivé" in row for row in french)


@pytest.mark.parametrize("query, expected", [
    ({"q": "LUC"}, {"luc.legal@gr.test"}),  # a name, any case
    ({"q": "novacure.test"}, {"sam@novacure.test"}),  # part of an e-mail
    ({"q": "%"}, set()),  # taken literally, not as a wildcard
    ({"role": "manager"}, {"mona@ib.test"}),
    ({"site": "IB"}, {"mona@ib.test", "gone@ib.test"}),
    ({"site": "IB", "state": "active"}, {"mona@ib.test"}),
    ({"state": "disabled"}, {"gone@ib.test"}),
    ({"role": "legal", "q": "gone"}, {"gone@ib.test"}),
    ({"role": "root", "site": "X\u00e9", "sponsor_id": "-1", "state": "maybe", "page": "zz"},  # tampered: ignored
     {"ada@tracker.test", "luc.legal@gr.test", "mona@ib.test", "sam@novacure.test", "gone@ib.test"}),
])
def test_search_and_filters(client, login, people, query, expected):
    login(people["admin"])
    response = client.get("/admin/users", headers=EN, query_string=query)
    assert response.status_code == 200
    found = {next(w for w in row.split() if "@" in w) for row in _rows(response.get_data(as_text=True))}
    assert found == expected


def test_the_sponsor_filter_offers_the_sponsors_that_have_users(client, app, login, people):
    login(people["admin"])
    with app.app_context():
        novacure = db.session.execute(db.select(User.sponsor_id).where(User.email == "sam@novacure.test")).scalar()
    html = client.get("/admin/users", headers=EN).get_data(as_text=True)
    assert f'<option value="{novacure}">Novacure Oncology SA</option>' in html and "Helix" not in html
    rows = _rows(client.get("/admin/users", headers=EN, query_string={"sponsor_id": novacure}).get_data(as_text=True))
    assert len(rows) == 1 and "sam@novacure.test" in rows[0]


def test_pages_of_users_keep_their_filters(client, login, make_user):
    admin = make_user("admin", None, email="ada@tracker.test")
    for n in range(30):
        make_user("legal", "GR", email=f"legal{n:02d}@gr.test")
    make_user("legal", "IB", email="other@ib.test")
    login(admin)
    first = client.get("/admin/users", headers=EN, query_string={"site": "GR", "role": "legal"})
    html = first.get_data(as_text=True)
    assert len(_rows(html)) == 25 and "Page 1 of 2 (30 users)" in html
    link = re.search(r'href="(/admin/users\?[^"]*page=2[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "site=GR" in link and "role=legal" in link
    rest = _rows(client.get(link, headers=EN).get_data(as_text=True))
    assert len(rest) == 5 and not any("other@ib.test" in row for row in rest)
    beyond = client.get("/admin/users", headers=EN, query_string={"page": "99"})
    assert beyond.status_code == 200 and "No user matches." in beyond.get_data(as_text=True)


@pytest.mark.parametrize("fields, words", [
    ({"role": "legal", "site": "GR"}, ("Your role: Legal staff.", "Your site: Gustave Roussy.")),
    ({"role": "manager", "site": "IB", "email": "max@ib.test"}, ("Your role: Manager.", "Institut Bergonié")),
    ({"role": "admin", "site": "", "email": "root@tracker.test"}, ("Your role: Administrator.",)),
    ({"role": "sponsor", "site": "", "sponsor": "novacure oncology sa", "email": "kim@novacure.test"},
     ("follow the contracts of Novacure Oncology SA",)),
])
def test_an_admin_creates_a_person_of_each_role_who_is_invited(app, client, login, people, fields, words):
    login(people["admin"])
    response = _create(client, **fields)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    email = fields.get("email", "nora@gr.test")
    with app.app_context():
        user = db.session.execute(db.select(User).where(User.email == email)).scalar_one()
        assert (user.role, user.site.code if user.site else "", user.sponsor.name if user.sponsor else "") == (
            fields["role"], fields["site"], "Novacure Oncology SA" if fields["role"] == "sponsor" else "")
        trail = {(e.field, e.new_value) for e in db.session.execute(db.select(AuditEntry).where(
            AuditEntry.entity == "user", AuditEntry.entity_id == str(user.id))).scalars()}
        assert {("email", email), ("role", fields["role"]), ("invited", "True")} <= trail
        user_id = user.id
    page = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "Invited, no password yet" in page and "Send the invitation again" in page
    [mail] = outbox(app, kind="invitation", recipient_id=user_id)
    assert mail.to_address == email and all(w in mail.body_text for w in words), mail.body_text
    path = link_in(mail.body_text)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    chosen = client.post(path, data={"csrf_token": csrf_token(client, path), "password": GOOD, "confirm": GOOD})
    assert chosen.status_code == 302  # signed in with the new password
    home = "/portal/" if fields["role"] == "sponsor" else "/contracts"
    assert client.get(home).status_code == 200


@pytest.mark.parametrize("fields, field, message", [
    ({"email": "nora@"}, "email", "Enter a valid e-mail address."),
    ({"email": "n" * 250 + "@gr.test"}, "email", "Enter a valid e-mail address."),
    ({"email": "LUC.Legal@gr.test"}, "email", "A user with the e-mail luc.legal@gr.test already exists."),
    ({"name": ""}, "name", "A name is required."),
    ({"name": "N" * 201}, "name", "At most 200 characters."),
    ({"role": ""}, "role", "Choose a role."),
    ({"role": "superuser"}, "role", "Choose a role."),
    ({"role": "legal", "site": ""}, "site", "Legal staff and managers work at a site: choose it."),
    ({"role": "manager", "site": "ZZ"}, "site", "No site has the code ZZ."),
    ({"role": "admin", "site": "GR"}, "site", "Only legal staff and managers belong to a site; leave it empty."),
    ({"role": "sponsor", "site": "", "sponsor": ""}, "sponsor", "A sponsor user works for a sponsor: name it."),
    ({"role": "sponsor", "site": "", "sponsor": "Nobody Pharma"}, "sponsor",
     "No sponsor is called Nobody Pharma; create it first on the Sponsors page."),
    ({"role": "legal", "sponsor": "Novacure Oncology SA"}, "sponsor",
     "Only sponsor users belong to a sponsor; leave it empty."),
])
def test_each_refusal_is_named_beside_its_field_and_creates_nothing(app, client, login, people, fields, field,
                                                                   message):
    login(people["admin"])
    before = (_count(app, User), _count(app, AuditEntry), len(outbox(app)))
    response = _create(client, **fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error">{message}</p>' in html, re.findall(r'class="error"[^<]*<?', html)
    assert 'aria-invalid="true"' in html and "Some fields need attention" in html
    assert (_count(app, User), _count(app, AuditEntry), len(outbox(app))) == before


@pytest.mark.parametrize("name, char", [("Nora\x00Petit", "U+0000"), ("Nora\x07", "U+0007"),
                                        ("Nora\u202e\x1b[31m", "U+001B")])
def test_control_characters_are_refused_before_anything_is_written(app, client, login, people, name, char):
    login(people["admin"])
    before = (_count(app, User), _count(app, AuditEntry))
    response = _create(client, name=name)
    assert response.status_code == 422
    assert f"Contains a control or invalid character ({char})" in response.get_data(as_text=True)
    assert (_count(app, User), _count(app, AuditEntry)) == before


def test_the_operation_itself_refuses_bad_text_and_non_admins(app, people, now):
    data = {"name": "Bell\x07", "email": "bell@gr.test", "role": "legal", "site": "GR"}
    with app.app_context():
        admin = audit.Actor.of(db.session.execute(db.select(User).where(User.email == people["admin"])).scalar_one())
        with pytest.raises(InvalidInput) as refused:
            users.create_invited_user(data, actor=admin, now=now)
        assert set(refused.value.errors) == {"name"}
        legal = audit.Actor.of(db.session.execute(db.select(User).where(User.email == people["legal"])).scalar_one())
        with pytest.raises(Forbidden):
            users.create_invited_user({**data, "name": "Bell"}, actor=legal, now=now)
        db.session.rollback()


def test_the_form_needs_its_csrf_token(app, client, login, people):
    login(people["admin"])
    users_before = _count(app, User)
    response = client.post("/admin/users/new", data={"name": "Nora", "email": "nora@gr.test", "role": "legal",
                                                     "site": "GR", "language": "en"})
    assert response.status_code == 400 and _count(app, User) == users_before


@pytest.mark.parametrize("who", ["legal", "manager", "sponsor"])
def test_only_admins_reach_the_users_pages(app, client, login, people, who):
    login(people[who])
    with app.app_context():
        target = db.session.execute(db.select(User.id).where(User.email == people["legal"])).scalar()
    token = csrf_token(client, "/account/tokens")
    for url in ("/admin/users", "/admin/users/new", f"/admin/users/{target}", f"/admin/users/{target}/disable"):
        assert client.get(url).status_code == 403, url
    for url in (f"/admin/users/{target}", f"/admin/users/{target}/disable", f"/admin/users/{target}/enable",
                f"/admin/users/{target}/link", "/admin/users/new"):
        assert client.post(url, data={"csrf_token": token, "role": "admin"}).status_code == 403, url
    with app.app_context():
        assert db.session.execute(db.select(User.role).where(User.email == people[who])).scalar() == who
    assert "/admin/users" not in client.get("/contracts" if who != "sponsor" else "/portal/").get_data(as_text=True)


def test_the_admin_menu_leads_to_the_users_page(client, login, people):
    login(people["admin"])
    assert 'href="/admin/users"' in client.get("/contracts", headers=EN).get_data(as_text=True)
    assert client.get("/admin/users/2147483647").status_code == 404
