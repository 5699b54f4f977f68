"""The signing mails are on everyone's settings page, and a decline or a completion is always sent (SPEC 5c)."""
from __future__ import annotations

import pytest

from tests.helpers.web import csrf_token
from tracker import audit
from tracker.database import utcnow
from tracker.errors import InvalidInput
from tracker.extensions import db
from tracker.mail.queue import insert_new, outbox_row
from tracker.models import OutboxMessage, User
from tracker.notices.choices import choice_of, set_choices
from tracker.notices.kinds import KINDS


def _user(email):
    return db.session.execute(db.select(User).where(User.email == email)).scalar_one()


def test_every_signing_mail_is_registered_and_completion_and_decline_are_always_sent():
    for kind in ("signing_link", "signing_code", "signing_reminder", "signing_declined", "signing_executed"):
        assert kind in KINDS
    assert KINDS["signing_declined"].always and KINDS["signing_executed"].always
    assert "legal" in KINDS["signing_declined"].roles
    assert {"legal", "manager", "sponsor"} <= set(KINDS["signing_executed"].roles)
    assert choice_of({"signing_executed": "off", "signing_declined": "digest"}, "signing_executed") == "now"


def test_the_page_shows_them_as_always_sent_without_a_switch(app, world, client, login):
    login(world.legal_gr)
    page = client.get("/profile/notifications", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for kind in ("signing_declined", "signing_executed"):
        block = page.split(f'id="kind-{kind}"', 1)[1].split("</fieldset>", 1)[0]
        assert "Always sent" in block and 'type="radio"' not in block
    assert 'name="signature_recorded"' in page  # the others still have their switch
    french = client.get("/profile/notifications", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Toujours envoyé" in french.split('id="kind-signing_declined"', 1)[1].split("</fieldset>", 1)[0]


def test_a_sponsor_sees_the_completion_not_the_decline(app, world, client, login):
    login(world.sponsor_a)
    page = client.get("/profile/notifications", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'id="kind-signing_executed"' in page and 'id="kind-signing_declined"' not in page


def test_turning_one_off_is_refused_and_changes_nothing(app, world, client, login):
    login(world.legal_gr)
    token = csrf_token(client, "/profile/notifications")
    bad = client.post("/profile/notifications", data={"csrf_token": token, "signing_executed": "off",
                                                      "signature_recorded": "digest"},
                      headers={"Accept-Language": "en"})
    assert bad.status_code == 422 and "always sent" in bad.get_data(as_text=True)
    with app.app_context():
        assert _user(world.legal_gr).notification_choices is None
    # The page posts nothing for them: saving the rest works.
    ok = client.post("/profile/notifications", data={"csrf_token": token, "signature_recorded": "digest"})
    assert ok.status_code == 302
    with app.app_context():
        assert _user(world.legal_gr).notification_choices == {"signature_recorded": "digest"}


def test_a_stored_off_does_not_stop_a_decline_or_a_completion(app, world):
    with app.app_context():
        user = _user(world.legal_gr)
        user.notification_choices = {"signing_declined": "off", "signing_executed": "digest", "message": "off"}
        now = utcnow()
        rows = [outbox_row(key=f"test:{kind}", kind=kind, person=user, subject_text_html=("s", "t", "h"),
                           language="en", now=now, not_before=now)
                for kind in ("signing_declined", "signing_executed", "message")]
        assert insert_new(rows) == 2  # the message, a kind one may turn off, was dropped
        statuses = dict(db.session.execute(db.select(OutboxMessage.kind, OutboxMessage.status)
                                           .where(OutboxMessage.key.like("test:%"))).all())
        assert statuses == {"signing_declined": "queued", "signing_executed": "queued"}
        # The domain function refuses it too, naming the kind.
        with pytest.raises(InvalidInput, match="signing_declined"):
            set_choices(user, {"signing_declined": "off"}, actor=audit.SYSTEM, now=now)
        db.session.rollback()
