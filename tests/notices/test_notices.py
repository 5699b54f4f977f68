"""Notifications arrive in a real SMTP server: to the right people, once, in their language, with the link
to the exact page; never for a cancelled contract; and as each person chose (at once, digest, off)."""
from __future__ import annotations

import io
from datetime import timedelta

import docx

from tests.helpers.web import csrf_token
from tracker import audit
from tracker import jobs
from tracker.mail.window import load_windows
from tracker.database import utcnow
from tracker.extensions import db
from tracker.mail.smtp import send_due
from tracker.models import Document, OutboxMessage, User
from tracker.notices.choices import set_choices
from tracker.portal.replies import send_redline


def _redline(data: bytes) -> bytes:
    document = docx.Document(io.BytesIO(data))
    paragraph = next(p for p in document.paragraphs if len(p.text) > 60)
    paragraph.runs[0].text += " (unless the Sponsor agrees otherwise in writing)"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _user(email):
    return db.session.execute(db.select(User).where(User.email == email)).scalar_one()


def _send_redline(world, *, reply=True):
    with world.app.app_context():
        sent = db.session.get(Document, world.sent_doc)
        send_redline(world.contract(world.ref_a), "GR", _redline(sent.content), reply=reply,
                     comment="We changed clause 7." if reply else None, author=_user(world.sponsor_a), now=utcnow())
        db.session.commit()


def _deliver(app, when=None):
    with app.app_context():
        return send_due(when or utcnow() + timedelta(seconds=1))


def _choose(app, email, **choices):
    with app.app_context():
        user = _user(email)
        set_choices(user, choices, actor=audit.SYSTEM, now=utcnow())
        db.session.commit()


def _language(app, email, code):
    with app.app_context():
        _user(email).language = code
        db.session.commit()


def test_a_redline_with_its_reply_reaches_the_site_once_with_links(app, world, smtp):
    _language(app, world.legal_gr, "en")
    _send_redline(world)
    _deliver(app)
    mails = smtp.box.to(world.legal_gr)
    assert len(mails) == 1, [m.subject for m in mails]
    text = mails[0].part("plain")
    assert world.ref_a in mails[0].subject and "Novacure Oncology SA replied" in mails[0].subject
    assert "has answered" in text and "We changed clause 7." in text
    assert f"http://tracker.test/contracts/{world.ref_a}#track-GR" in text
    assert f"http://tracker.test/contracts/{world.ref_a}/documents/" in text and "/compare" in text
    # Nobody is told of what they did themselves (the sponsor has only the earlier "draft sent to you").
    assert [m for m in smtp.box.to(world.sponsor_a) if "replied" in m.subject or "redline" in m.subject] == []


def test_a_redline_alone_is_told_as_a_redline_in_the_readers_language(app, world, smtp):
    # legal_gr chose no language: the contract's (French) applies.
    _send_redline(world, reply=False)
    _deliver(app)
    mails = smtp.box.to(world.legal_gr)
    assert len(mails) == 1, [m.subject for m in mails]
    mail = mails[0]
    assert "a envoyé une version révisée au centre Gustave Roussy" in mail.subject and "/compare" in mail.part("plain")
    assert "Bonjour" in mail.part("plain")


def test_agreement_starts_the_associated_sites_conformity_and_each_signature_tells_the_owner(app, world, smtp):
    _language(app, world.legal_ib, "en")
    _language(app, world.legal_gr, "en")
    world.act(world.ref_a, "sponsor_replied")
    world.act(world.ref_a, "agree")
    _deliver(app)
    (mail,) = [m for m in smtp.box.to(world.legal_ib)]
    assert "conformity check starts" in mail.subject and "#track-IB" in mail.part("plain")
    assert "Due:" in mail.part("plain")
    assert not [m for m in smtp.box.to(world.legal_gr) if "conformity" in m.subject]

    world.act(world.ref_a, "sign", party="institution")
    _deliver(app)
    signed = [m for m in smtp.box.to(world.legal_gr) if "Signature recorded" in m.subject]
    assert len(signed) == 1 and "the institution" in signed[0].subject


def test_nothing_for_a_cancelled_contract(app, world, smtp):
    _send_redline(world)
    world.act(world.ref_a, "cancel", comment="The trial is stopped.")
    _deliver(app)
    assert smtp.box.to(world.legal_gr) == []
    with app.app_context():
        statuses = db.session.execute(db.select(OutboxMessage.status).where(
            OutboxMessage.kind == "sponsor_replied")).scalars().all()
        assert statuses == ["superseded"]


def test_off_sends_nothing_and_digest_gathers_them_in_one_morning_mail(app, world, smtp):
    _choose(app, world.legal_gr, sponsor_replied="off", redline_received="off")
    _send_redline(world)
    _deliver(app)
    assert smtp.box.to(world.legal_gr) == []

    _choose(app, world.legal_gr, signature_recorded="digest", conformity_started="digest")
    _choose(app, world.legal_ib, conformity_started="digest")
    world.act(world.ref_a, "agree")
    world.act(world.ref_a, "sign", party="institution")
    world.act(world.ref_a, "sign", party="investigator")
    _deliver(app)
    assert smtp.box.to(world.legal_gr) == [] and smtp.box.to(world.legal_ib) == []

    with app.app_context():
        window = next(iter(load_windows().values()))
        morning = window.next_opening(utcnow() + timedelta(hours=1)) + timedelta(minutes=5)
        queued = jobs.digest(morning)
        assert queued >= 2
        assert jobs.digest(morning + timedelta(minutes=1)) == 0  # once a day
    _deliver(app, morning + timedelta(minutes=2))
    (digest,) = smtp.box.to(world.legal_gr)
    text = digest.part("plain")
    assert text.count(world.ref_a) >= 4  # two signatures, each with its subject and link
    (ib,) = smtp.box.to(world.legal_ib)
    assert world.ref_a in ib.part("plain")


def test_the_settings_page_lists_the_roles_kinds_and_refuses_a_bad_choice(app, world, client, login):
    login(world.sponsor_a)
    page = client.get("/profile/notifications", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'name="sponsor_file"' in page and 'name="sponsor_replied"' not in page
    token = csrf_token(client, "/profile/notifications")
    bad = client.post("/profile/notifications", data={"csrf_token": token, "sponsor_file": "sometimes"})
    assert bad.status_code == 422
    ok = client.post("/profile/notifications", data={"csrf_token": token, "sponsor_file": "off"})
    assert ok.status_code == 302
    with app.app_context():
        assert _user(world.sponsor_a).notification_choices == {"sponsor_file": "off"}
    # Off: the next draft sent to the sponsor mails nobody there.
    def to_sponsor():
        with app.app_context():
            return db.session.execute(db.select(db.func.count(OutboxMessage.id)).where(
                OutboxMessage.kind == "sponsor_file", OutboxMessage.to_address == world.sponsor_a)).scalar()
    before = to_sponsor()
    world.act(world.ref_a, "sponsor_replied")
    world.act(world.ref_a, "send_to_sponsor")
    assert to_sponsor() == before
