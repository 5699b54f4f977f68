"""The site pages: a third centre added by a form, identity and calendar edits, admins only."""
from tests.helpers.web import csrf_token
from tracker.extensions import db
from tracker.models import AuditEntry, Site

EN = {"Accept-Language": "en"}
CENTRE = {"code": "clb", "name": "Centre Léon Bérard", "legal_name": "Centre Léon Bérard",
          "address": "28 rue Laennec\n69008 Lyon", "finess": "690000880", "siret": "779 781 863 00013",
          "representative": "Pr Marie Lenoir", "representative_title": "Directrice générale",
          "signatory_name": "Pr Marie Lenoir", "signatory_email": "direction@clb.example",
          "timezone": "Europe/Paris", "country": "FR", "subdivision": ""}


def test_admin_adds_a_third_centre_with_a_form(client, app, make_user, login):
    login(make_user("admin", None))
    response = client.post("/admin/sites/new", headers=EN, data={
        "csrf_token": csrf_token(client, "/admin/sites/new"), **CENTRE})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert response.headers["Location"].endswith("/admin/sites/CLB")
    listing = client.get("/admin/sites", headers=EN).get_data(as_text=True)
    assert "Centre Léon Bérard" in listing and "Pr Marie Lenoir, Directrice générale" in listing
    new_contract = client.get("/contracts/new", headers=EN).get_data(as_text=True)
    assert 'value="CLB"' in new_contract and "Principal investigator at Centre Léon Bérard" in new_contract


def test_a_bad_siret_is_named_beside_its_field(client, app, make_user, login):
    login(make_user("admin", None))
    response = client.post("/admin/sites/new", headers=EN, data={
        "csrf_token": csrf_token(client, "/admin/sites/new"), **CENTRE, "siret": "77978186500011",
        "timezone": "Lyon", "code": "GR"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="siret-error">77978186500011: its SIREN (the first 9 digits, 779781865) fails the checksum' in html
    assert 'id="timezone-error"' in html and 'id="code-error">A site with the code GR already exists' in html
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Site.id))).scalar() == 2


def test_admin_edits_a_site_and_each_change_is_audited(client, app, make_user, login):
    login(make_user("admin", None))
    page = client.get("/admin/sites/GR", headers=EN).get_data(as_text=True)
    assert 'value="77573104500016"' in page
    data = {"csrf_token": csrf_token(client, "/admin/sites/GR"), **CENTRE, "name": "Gustave Roussy",
            "legal_name": "Institut Gustave Roussy", "siret": "77573104500016", "finess": "940000664",
            "works_whit_monday": "y"}
    response = client.post("/admin/sites/GR", headers=EN, data=data, follow_redirects=True)
    assert "Site Gustave Roussy saved." in response.get_data(as_text=True)
    with app.app_context():
        site = db.session.execute(db.select(Site).where(Site.code == "GR")).scalar_one()
        assert site.works_whit_monday and site.signatory_email == "direction@clb.example"
        rows = db.session.execute(db.select(AuditEntry).where(
            AuditEntry.entity == "site", AuditEntry.entity_id == str(site.id))).scalars().all()
    assert {"address", "representative", "signatory_email", "works_whit_monday"} <= {e.field for e in rows}
    assert all(e.old_value is None for e in rows if e.field == "code")  # set when seeded, never changed


def test_only_admins_see_the_site_pages(client, make_user, login):
    login(make_user("manager", "GR"))
    for url in ("/admin/sites", "/admin/sites/GR", "/admin/sites/new"):
        assert client.get(url).status_code == 403
    token = csrf_token(client, "/")
    assert client.post("/admin/sites/GR", data={"csrf_token": token, "name": "X"}).status_code == 403
