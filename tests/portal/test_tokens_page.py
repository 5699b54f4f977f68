"""Each person's integration tokens: created on a page (shown once), named, last used, revoked."""
from __future__ import annotations

import re

from tests.conftest import Api, csrf_token
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
