"""SPEC 5c refusals: a used, expired, altered or replaced link; another person's name; a wrong, expired or
overused code; a document changed since it was fixed; a cancelled track. Each says why and signs nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.helpers.actors import STAFF
from tests.helpers.signing import PEOPLE, name_all, track_of
from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import Event
from tracker.models.signing import Signature, SigningLink
from tracker.pipeline.operations import apply_action
from tracker.signing import links, online, signatories

NAME, EMAIL = PEOPLE["GR"]["institution"]


def _signatures(app) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count(Signature.id))).scalar()


def _signs(app) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count(Event.id)).where(Event.action == "sign")).scalar()


@pytest.fixture
def named(app, agreed):
    name_all(app, agreed.reference, sites=("GR",))
    return agreed


def test_a_used_link_no_longer_opens_and_a_wrong_one_answers_like_a_missing_one(app, named, signer):
    path, answer = signer.sign(EMAIL, NAME, "GR")
    assert answer.status_code == 200
    again = signer.client.get(path, headers={"Accept-Language": "en"})
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)
    assert signer.client.get(path + "/agreement.docx").status_code == 410
    altered = path[:-3] + ("abc" if not path.endswith("abc") else "xyz")
    unknown = signer.client.get(altered, headers={"Accept-Language": "en"})
    missing = signer.client.get("/sign/" + "x" * 43, headers={"Accept-Language": "en"})
    assert unknown.status_code == missing.status_code == 404
    assert unknown.get_data(as_text=True).replace(altered, "PATH") == \
        missing.get_data(as_text=True).replace("/sign/" + "x" * 43, "PATH")  # the same page, but for its address
    assert _signs(app) == 1


def test_a_link_expires_after_30_days(app, named, signer):
    path = signer.link(EMAIL, "GR")
    token = path.rsplit("/", 1)[1]
    with app.app_context():
        link = links.find(token, utcnow() + timedelta(days=29, hours=23))
        with pytest.raises(links.LinkUnusable) as refused:
            links.find(token, link.expires_at)
        assert refused.value.reason == "expired"
        link.expires_at = utcnow() - timedelta(seconds=1)  # as it is 30 days later
        db.session.commit()
    page = signer.client.get(path, headers={"Accept-Language": "en"})
    assert page.status_code == 410 and "30 days" in page.get_data(as_text=True)
    assert signer.ask_code(path, NAME).status_code == 410
    assert _signatures(app) == 0


def test_a_new_link_or_another_signatory_voids_the_old_link(app, named, signer):
    first = signer.link(EMAIL, "GR")
    with app.app_context():
        signatories.resend(track_of(named.reference, "GR"), "institution", actor=STAFF, now=utcnow())
        db.session.commit()
    second = signer.link(EMAIL, "GR")
    assert second != first
    assert signer.client.get(first).status_code == 410
    assert signer.client.get(second).status_code == 200
    with app.app_context():
        track = track_of(named.reference, "GR")
        wanted = signatories.parse(track, {"party": "institution", "name": "Dr Anne Roy", "email": "aroy@gr.test",
                                         "language": "en"})
        signatories.name(track, wanted, actor=STAFF, now=utcnow())
        db.session.commit()
    replaced = signer.client.get(second, headers={"Accept-Language": "en"})
    assert replaced.status_code == 410 and "someone else was named" in replaced.get_data(as_text=True)
    assert signer.client.get(signer.link("aroy@gr.test", "GR")).status_code == 200


def test_only_the_person_named_signs_and_only_with_consent(app, named, signer):
    path = signer.link(EMAIL, "GR")
    other = signer.ask_code(path, "Jean Dupont")
    assert other.status_code == 422 and "This link is for Pr Élise Moreau" in other.get_data(as_text=True)
    no_consent = signer.ask_code(path, "Élise Moreau", consent=False)
    assert no_consent.status_code == 422 and "Tick the box" in no_consent.get_data(as_text=True)
    assert not signer.mails(EMAIL, "Your code")
    # Accents, case and titles do not matter: it is the same name.
    assert signer.ask_code(path, "elise MOREAU").status_code == 303
    assert signer.mails(EMAIL, "Your code")


def test_a_wrong_code_counts_and_five_wrong_ones_end_the_code(app, named, signer):
    path = signer.link(EMAIL, "GR")
    signer.ask_code(path, NAME)
    code = signer.code(EMAIL, "GR")
    wrong = "000000" if code != "000000" else "111111"
    first = signer.confirm(path, wrong)
    assert first.status_code == 422 and "4 tries left" in first.get_data(as_text=True)
    for _ in range(4):
        signer.confirm(path, wrong)
    late = signer.confirm(path, code)  # the right code, after five wrong ones
    assert late.status_code == 409 and "Too many wrong codes" in late.get_data(as_text=True)
    assert _signatures(app) == 0 and _signs(app) == 0
    signer.ask_code(path, NAME)  # a new code works
    assert signer.confirm(path, signer.code(EMAIL, "GR")).status_code == 200
    assert _signs(app) == 1


def test_an_expired_code_is_refused(app, named, signer):
    path = signer.link(EMAIL, "GR")
    signer.ask_code(path, NAME)
    code = signer.code(EMAIL, "GR")
    token = path.rsplit("/", 1)[1]
    with app.app_context():
        link = links.find(token, utcnow())
        later = online.latest_code(link).expires_at + timedelta(seconds=1)
        with pytest.raises(online.SigningRefused) as refused:
            online.confirm(link, online.latest_code(link), code, now=later, ip_address="192.0.2.1", user_agent="x")
        assert refused.value.reason == "expired"
        db.session.rollback()
    assert _signatures(app) == 0


def test_a_document_changed_since_it_was_fixed_cannot_be_signed(app, named, signer):
    path = signer.link(EMAIL, "GR")
    signer.ask_code(path, NAME)
    code = signer.code(EMAIL, "GR")
    with app.app_context():
        from tracker.models import Document

        document = db.session.get(Document, named.documents["GR"])
        document.content = document.content + b"\0"  # someone with database access edits the stored file
        db.session.commit()
    refused = signer.confirm(path, code)
    assert refused.status_code == 409 and "SHA-256 no longer matches" in refused.get_data(as_text=True)
    assert signer.client.get(path).status_code == 409
    assert _signatures(app) == 0 and _signs(app) == 0


def test_a_cancelled_track_cannot_be_signed(app, named, signer):
    path = signer.link(EMAIL, "GR")
    signer.ask_code(path, NAME)
    code = signer.code(EMAIL, "GR")
    with app.app_context():
        apply_action(track_of(named.reference, "GR"), "cancel", actor=STAFF, now=utcnow(), comment="Stopped")
        db.session.commit()
        assert db.session.execute(db.select(SigningLink).where(SigningLink.voided_at.is_(None),
                                                               SigningLink.used_at.is_(None))).first() is None
    refused = signer.confirm(path, code)
    assert refused.status_code == 410
    assert _signatures(app) == 0


def test_online_check_refuses_a_cancelled_track_even_with_a_live_link(app, named, signer):
    path = signer.link(EMAIL, "GR")
    token = path.rsplit("/", 1)[1]
    with app.app_context():
        link = links.find(token, utcnow())
        track = link.signatory.track
        track.contract.status = "cancelled"
        with pytest.raises(online.SigningRefused) as refused:
            online.check_signable(link)
        assert "cancelled" in refused.value.message
        db.session.rollback()
