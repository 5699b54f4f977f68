"""SPEC 5c: behind a reverse proxy the evidence keeps the signer's address, not the proxy's
(``TRACKER_PROXY_COUNT`` trusted hops of X-Forwarded-For); without it, a forged header is ignored."""
from __future__ import annotations

from tests.helpers.signing import PEOPLE, Signer, name_all
from tracker import create_app
from tracker.extensions import db
from tracker.models.signing import Signature

NAME, EMAIL = PEOPLE["GR"]["institution"]


def _sign(app, signer, headers) -> str:
    path = signer.link(EMAIL, "GR")
    assert signer.ask_code(path, NAME).status_code == 303
    assert signer.confirm(path, signer.code(EMAIL, "GR"), **headers).status_code == 200
    with app.app_context():
        return db.session.execute(db.select(Signature.ip_address)).scalar_one()


def test_behind_one_proxy_the_signers_address_is_kept(app, agreed, smtp):
    proxied = create_app({**{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "BASE_URL",
                                                         "SEAL_DEV_P12")},
                          "TESTING": True, "RATELIMIT_ENABLED": False, "PROXY_COUNT": 1})
    for key in ("SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "SMTP_STARTTLS", "MAIL_FROM"):
        proxied.config[key] = app.config[key]
    name_all(app, agreed.reference, sites=("GR",))
    address = _sign(proxied, Signer(proxied, smtp), {"X-Forwarded-For": "203.0.113.7"})
    assert address == "203.0.113.7"


def test_without_a_proxy_a_forged_forwarded_header_is_ignored(app, agreed, signer):
    name_all(app, agreed.reference, sites=("GR",))
    assert _sign(app, signer, {"X-Forwarded-For": "203.0.113.7"}) == "192.0.2.10"
