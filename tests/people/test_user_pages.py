"""The users pages: the list with its search, filters and pages, and creating a person of each role.

Each new person is invited by e-mail; every refusal names its field and changes nothing.
"""
from __future__ import annotations

import re

import pytest

from tests.conftest import csrf_token
from tests.portal.conftest import link_in, outbox
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
