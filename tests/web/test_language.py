"""Which language a person gets: their own choice, remembered on their profile, else their browser."""
from __future__ import annotations

from flask.testing import FlaskClient

from tests.helpers.web import csrf_token
from tracker.extensions import db
from tracker.models import AuditEntry, User

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}
ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}


def _lang(client: FlaskClient, headers: dict, path: str = "/") -> str:
    html = client.get(path, headers=headers, follow_redirects=True).get_data(as_text=True)
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def _switch(client: FlaskClient, code: str, next_path: str = "/"):
    """Press the language switch in the header of the sign-in page or, once signed in, the list."""
    signed_in = client.get("/login").status_code == 302
    token = csrf_token(client, "/" if signed_in else "/login")
    return client.post(f"/language/{code}", data={"csrf_token": token, "next": next_path})


def _stored(app, email: str) -> str | None:
    with app.app_context():
        return db.session.execute(db.select(User.language).where(User.email == email)).scalar_one()


def test_an_english_browser_gets_english_after_sign_in_when_nobody_chose(app, client, make_user, login):
    email = make_user("legal", "GR")
    login(email)
    assert _lang(client, ENGLISH) == "en"
    assert _lang(client, FRENCH) == "fr"
    assert _stored(app, email) is None


def test_a_signed_in_switch_is_kept_on_the_profile_and_follows_the_person(app, client, make_user, login):
    email = make_user("manager", "IB")
    login(email)
    response = _switch(client, "en", "/?q=x")
    assert response.status_code == 302 and response.headers["Location"] == "/?q=x"
    assert _lang(client, FRENCH) == "en"  # the choice beats the browser
    assert _stored(app, email) == "en"
    with app.app_context():
        entry = db.session.execute(db.select(AuditEntry).where(AuditEntry.entity == "user")
                                   .order_by(AuditEntry.id.desc())).scalars().first()
        assert (entry.field, entry.old_value, entry.new_value) == ("language", None, "en")

    # Another browser, a French one: after sign-in the person still reads English.
    other = app.test_client()
    token = csrf_token(other, "/login")
    other.post("/login", data={"email": email, "password": "correct horse battery", "csrf_token": token})
    assert _lang(other, FRENCH) == "en"

    # Switching back is remembered the same way.
    _switch(other, "fr")
    assert _stored(app, email) == "fr" and _lang(other, ENGLISH) == "fr"


def test_a_switch_before_sign_in_stays_in_that_browser_and_stores_nothing(app, client, make_user, login):
    email = make_user("legal", "GR")
    _switch(client, "en", "/login")
    assert _lang(client, FRENCH, "/login") == "en"
    login(email)
    assert _lang(client, FRENCH) == "en"  # the session's choice still holds
    assert _stored(app, email) is None  # but nobody chose it for this person's profile


def test_on_a_shared_browser_each_person_gets_their_own_choice(app, client, make_user, login):
    english, french = make_user("legal", "GR", language="en"), make_user("legal", "GR", language="fr")
    login(english)
    assert _lang(client, FRENCH) == "en"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(french)
    assert _lang(client, ENGLISH) == "fr"


def test_an_unknown_language_is_not_found_and_changes_nothing(app, client, make_user, login):
    email = make_user("legal", "GR")
    login(email)
    assert _switch(client, "de").status_code == 404
    assert _stored(app, email) is None
    assert _lang(client, ENGLISH) == "en"


def test_demo_people_store_no_language(app, client):
    from datetime import datetime, timezone

    from tracker.demo.parties import DEMO_PASSWORD
    from tracker.demo.seed import seed

    with app.app_context():
        seed(count=0, now=datetime.now(timezone.utc), echo=lambda *_: None)
        languages = dict(db.session.execute(db.select(User.email, User.language)).all())
    assert languages and set(languages.values()) == {None}
    token = csrf_token(client, "/login")
    client.post("/login", data={"email": "sponsor@helix.example", "password": DEMO_PASSWORD, "csrf_token": token})
    assert _lang(client, ENGLISH) == "en"
