"""Signing in and out, CSRF, and the language of the pages."""
from tests.helpers.web import PASSWORD, csrf_token


def test_sign_in_and_out(client, make_user, login):
    email = make_user("legal", "GR")
    assert client.get("/").status_code == 302  # to the sign-in page
    login(email)
    page = client.get("/")
    assert page.status_code == 200 and b"Legal 1" in page.data
    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_says_so_without_naming_which_part(client, make_user):
    email = make_user("legal", "GR")
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": email, "password": "nope-nope-nope", "csrf_token": token},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert b"Wrong e-mail or password." in response.data
    assert client.get("/").status_code == 302


def test_forms_without_csrf_token_are_refused(client, make_user):
    email = make_user("legal", "GR")
    response = client.post("/login", data={"email": email, "password": PASSWORD},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert b"The form was too old or incomplete" in response.data


def test_next_parameter_cannot_send_people_elsewhere(client, make_user):
    email = make_user("legal", "GR")
    token = csrf_token(client, "/login")
    response = client.post("/login?next=https://evil.example/", data={
        "email": email, "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_browser_language_chooses_and_the_switch_is_remembered(client, make_user, login):
    french = client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).get_data(as_text=True)
    english = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="fr">' in french and "Se connecter" in french
    assert '<html lang="en">' in english and "Sign in" in english
    token = csrf_token(client, "/login")
    client.post("/language/en", data={"csrf_token": token, "next": "/login"})
    again = client.get("/login", headers={"Accept-Language": "fr-FR"}).get_data(as_text=True)
    assert '<html lang="en">' in again


def test_sponsor_users_land_on_their_portal_and_see_only_their_contracts(client, make_user, make_sponsor,
                                                                         make_contract, login):
    helix = make_sponsor("Helix Therapeutics Inc.", "US")
    novacure = make_sponsor("Novacure Oncology SA", "FR")
    theirs = make_contract(helix, acronym="HELIXONE")
    other = make_contract(novacure, acronym="NOVAONE")
    login(make_user("sponsor", None, sponsor="Helix Therapeutics Inc."))
    assert client.get("/").headers["Location"] == "/portal/"
    portal = client.get("/portal/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert theirs in portal and "HELIXONE" in portal
    assert other not in portal and "NOVAONE" not in portal
    assert "Waiting for the coordinator" in portal and "Expected signature" in portal
    assert client.get("/contracts/new").status_code == 403
    assert client.get(f"/contracts/{theirs}").status_code == 403


def test_staff_do_not_use_the_sponsor_portal(client, make_user, login):
    login(make_user("legal", "GR"))
    assert client.get("/portal/").status_code == 403
