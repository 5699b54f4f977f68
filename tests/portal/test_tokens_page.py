"""Each person's integration tokens: created on a page (shown once), named, last used, revoked."""
from __future__ import annotations

import re

from tests.helpers.web import Api, csrf_token
from tracker.extensions import db
from tracker.models import ApiToken

EN = {"Accept-Language": "en"}


def test_create_use_and_revoke_a_token(app, world, client, login, server, token_for):
    login(world.sponsor_a)
    token = csrf_token(client, "/account/tokens")
    unnamed = client.post("/account/tokens", headers=EN, data={"csrf_token": token, "name": "  "})
    assert b"Give the token a name" in unnamed.data and b"ftk_" not in unnamed.data
    created = client.post("/account/tokens", headers=EN, data={"csrf_token": token, "name": "Our CTMS"})
    assert created.headers["Cache-Control"] == "no-store"
    secret = re.search(rb'<code id="new-token" class="secret">(ftk_[^<]+)</code>', created.data).group(1).decode()
    listing = client.get("/account/tokens", headers=EN).get_data(as_text=True)
    assert secret not in listing  # shown once
    assert "Our CTMS" in listing and "never" in listing

    program = Api(server, secret)
    assert [c["reference"] for c in program.get("/contracts").json()["contracts"]] == [world.ref_a]
    listing = client.get("/account/tokens", headers=EN).get_data(as_text=True)
    assert "never" not in listing  # last used is now

    with app.app_context():
        row = db.session.execute(db.select(ApiToken).where(ApiToken.name == "Our CTMS")).scalar_one()
        row_id = row.id
    other = token_for(world.sponsor_b)  # someone else's token id cannot be revoked from here
    with app.app_context():
        other_id = db.session.execute(db.select(ApiToken.id).where(ApiToken.id != row_id)).scalar()
    assert client.post(f"/account/tokens/{other_id}/revoke", data={"csrf_token": token}).status_code == 404
    assert Api(server, other).get("/contracts").status_code == 200

    revoked = client.post(f"/account/tokens/{row_id}/revoke", data={"csrf_token": token}, headers=EN,
                          follow_redirects=True)
    assert b"revoked" in revoked.data
    assert program.get("/contracts").status_code == 401


def test_staff_have_the_same_page(world, client, login):
    login(world.legal_gr)
    token = csrf_token(client, "/account/tokens")
    created = client.post("/account/tokens", headers=EN, data={"csrf_token": token, "name": "Reporting"})
    assert b"ftk_" in created.data and b"Reporting" in created.data


def test_a_token_with_a_lifetime_expires_and_says_so(app, world, client, login, server):
    from datetime import timedelta

    from tracker.database import utcnow

    login(world.sponsor_a)
    token = csrf_token(client, "/account/tokens")
    for bad in ("ten", "0", "-3", "99999"):
        refused = client.post("/account/tokens", headers=EN, data={"csrf_token": token, "name": "Tmp", "days": bad})
        assert b"Give a whole number of days" in refused.data and b"ftk_" not in refused.data, bad
    created = client.post("/account/tokens", headers=EN, data={"csrf_token": token, "name": "Audit", "days": "30"})
    secret = re.search(rb'<code id="new-token" class="secret">(ftk_[^<]+)</code>', created.data).group(1).decode()
    with app.app_context():
        row = db.session.execute(db.select(ApiToken).where(ApiToken.name == "Audit")).scalar_one()
        assert timedelta(days=29, hours=23) < row.expires_at - utcnow() <= timedelta(days=30)
        assert db.session.execute(db.select(db.func.count(ApiToken.id))).scalar() == 1  # the refusals made none
    program = Api(server, secret)
    assert program.get("/contracts").status_code == 200
    with app.app_context():
        row = db.session.execute(db.select(ApiToken).where(ApiToken.name == "Audit")).scalar_one()
        row.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    answer = program.get("/contracts")
    assert answer.status_code == 401 and "The API token expired on" in answer.json()["error"]["message"]
    assert "expired" in client.get("/account/tokens", headers=EN).get_data(as_text=True)
