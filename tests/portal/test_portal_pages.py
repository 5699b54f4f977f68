"""The sponsor's pages: its list, a contract's page, documents, actions, messages and the export."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import docx

from tests.helpers.mail import outbox
from tests.helpers.web import csrf_token
from tracker.extensions import db
from tracker.models import Document, Event, Message

EN = {"Accept-Language": "en"}


def redline(data: bytes) -> bytes:
    """The sent draft with one clause reworded, as a sponsor's lawyer would return it."""
    document = docx.Document(io.BytesIO(data))
    paragraph = next(p for p in document.paragraphs if len(p.text) > 60)
    paragraph.runs[0].text += " (unless the Sponsor agrees otherwise in writing)"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _page(client, path) -> str:
    response = client.get(path, headers=EN)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_the_list_puts_the_sponsors_move_first_oldest_first(world, client, login, make_contract):
    newer = make_contract(world.novacure, acronym="NEWER")
    world.act(newer, "mark_incomplete", ago=timedelta(days=2))
    idle = make_contract(world.novacure, acronym="IDLE")  # the site's move
    login(world.sponsor_a)
    page = _page(client, "/portal/")
    order = [page.index(ref) for ref in (world.ref_a, newer, idle)]
    assert order == sorted(order), "held longest first, then the newer holding, then the site's move"
    assert world.ref_b not in page and "HELIXONE" not in page
    assert "Paused: your move since" in page and "working days" in page
    assert "The site&#39;s move: overdue since" in page  # IDLE: received a month ago, still unchecked
    yours = _page(client, "/portal/?whose=sponsor")
    assert world.ref_a in yours and newer in yours and idle not in yours
    assert idle in _page(client, "/portal/?whose=site") and world.ref_a not in _page(client, "/portal/?whose=site")
    found = _page(client, "/portal/?q=newer")
    assert newer in found and world.ref_a not in found
    assert "No contract matches." in _page(client, "/portal/?q=zzz-nothing")


def test_the_list_is_paginated(world, client, login, make_contract):
    for n in range(21):
        make_contract(world.novacure, acronym=f"MANY{n:02d}")
    login(world.sponsor_a)
    first, second = _page(client, "/portal/"), _page(client, "/portal/?page=2")
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert first.count("contract-card") == 20 and second.count("contract-card") == 2
    names = [f"MANY{n:02d}" for n in range(21)]
    on_first, on_second = {n for n in names if n in first}, {n for n in names if n in second}
    assert not on_first & on_second and on_first | on_second == set(names)  # each once, none lost
    assert "contract-card" not in _page(client, "/portal/?page=3")  # past the end: an empty page, not an error


def test_csv_export_is_utf8_with_bom_and_formula_safe(world, client, login, make_contract):
    make_contract(world.novacure, acronym="=HYPERLINK(1)", title="Étude de phase I")
    login(world.sponsor_a)
    response = client.get("/portal/contracts.csv", headers=EN)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:3] == ["Reference", "Acronym", "Trial"]
    assert "'=HYPERLINK(1)" in [r[1] for r in rows] and "Étude de phase I" in [r[2] for r in rows]
    assert all(world.ref_b not in r for r in rows)
    assert any(r[0] == world.ref_a and r[3] == "Gustave Roussy" and r[6] == "the sponsor" for r in rows)


def test_contract_page_shows_each_site_and_the_sponsors_timeline(app, world, client, login):
    world.act(world.ref_a, "sponsor_replied", comment="Internal: their lawyer is slow", ago=timedelta(days=5))
    world.act(world.ref_a, "send_to_sponsor", comment="Our counsel accepted 7.2", for_sponsor=True)
    login(world.sponsor_a)
    page = _page(client, f"/portal/contracts/{world.ref_a}")
    for words in ("With the sponsor", "Next move: <strong class=\"whose\">yours", "Paused: with the sponsor",
                  "Regulatory ceiling", "Internal target", "Held by the site", "Held by you",
                  "Negotiation rounds</dt><dd>2", "Expected signature", "0/2 sites executed",
                  "Waiting for the coordinator", "Sent to the sponsor", "The sponsor replied",
                  "Our counsel accepted 7.2", "Please look at clause 7."):
        assert words in page, words
    assert "their lawyer is slow" not in page


def test_documents_only_what_was_sent_and_the_redline_with_its_reply(app, world, client, login):
    login(world.sponsor_a)
    page = _page(client, f"/portal/contracts/{world.ref_a}")
    assert f"/portal/documents/{world.sent_doc}" in page and f"/portal/documents/{world.draft_doc}" not in page
    sent = client.get(f"/portal/documents/{world.sent_doc}")
    assert sent.status_code == 200 and sent.headers["Content-Disposition"].startswith("attachment")
    assert client.get(f"/portal/documents/{world.draft_doc}").status_code == 404  # an internal draft
    assert client.get(f"/documents/{world.draft_doc}/download").status_code == 404

    token = csrf_token(client, f"/portal/contracts/{world.ref_a}")
    bad = client.post(f"/portal/contracts/{world.ref_a}/redlines", headers=EN, data={
        "csrf_token": token, "redline-site": "GR", "redline-reply": "y",
        "redline-file": (io.BytesIO(b"not a word file"), "notes.docx")}, content_type="multipart/form-data")
    assert bad.status_code == 422 and b"Not done" in bad.data
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Document)).scalar() == 3
        assert world.track(world.ref_a).stage == "with_sponsor"

    response = client.post(f"/portal/contracts/{world.ref_a}/redlines", headers=EN, data={
        "csrf_token": token, "redline-site": "GR", "redline-reply": "y", "redline-comment": "See clause 1.",
        "redline-file": (io.BytesIO(redline(sent.data)), "ours.docx")}, content_type="multipart/form-data")
    assert response.status_code == 303 and "/compare" in response.headers["Location"]
    comparison = _page(client, response.headers["Location"])
    assert "1 clause changed" in comparison and "unless the Sponsor agrees otherwise" in comparison
    with app.app_context():
        track = world.track(world.ref_a)
        assert track.stage == "review"
        reply = db.session.execute(db.select(Event).where(Event.action == "sponsor_replied")).scalar_one()
        assert reply.comment == "See clause 1." and reply.comment_for_sponsor
    # The site sees the redline and its comparison too.
    client.post("/logout", data={"csrf_token": csrf_token(client, "/portal/")})
    login(world.legal_gr)
    assert "sponsor redline" in _page(client, f"/contracts/{world.ref_a}")


def test_the_sponsors_actions_and_its_signature_with_a_date(app, world, client, login, make_contract):
    ref = make_contract(world.novacure, sites=("GR",))
    world.act(ref, "mark_incomplete", ago=timedelta(days=4))
    login(world.sponsor_a)
    page = _page(client, f"/portal/contracts/{ref}")
    assert "Send the missing documents" in page and "Record our signature" not in page
    with app.app_context():
        track = world.track(ref)
        track_id, version = track.id, track.version
    token = csrf_token(client, f"/portal/contracts/{ref}")
    url = f"/portal/contracts/{ref}/tracks/{track_id}/actions"
    prefix = f"t{track_id}-submit_documents-"
    response = client.post(url, headers=EN, data={"csrf_token": token, "action": "submit_documents",
                                                  prefix + "version": str(version), prefix + "comment": "All there."})
    assert response.status_code == 303
    with app.app_context():
        assert world.track(ref).stage == "completeness"
    # An action the sponsor may not take is refused whatever the page offered.
    forged = client.post(url, data={"csrf_token": token, "action": "mark_complete"})
    assert forged.status_code == 403
    with app.app_context():
        assert world.track(ref).stage == "completeness"

    for action in ("mark_complete", "agree"):
        world.act(ref, action)
    for party in ("institution", "investigator"):
        world.act(ref, "sign", party=party)
    prefix = f"t{track_id}-sign-"
    future = client.post(url, headers=EN, data={"csrf_token": token, "action": "sign", prefix + "signed_on": "2999-01-01"},
                         follow_redirects=True)
    assert b"cannot be in the future" in future.data
    done = client.post(url, headers=EN, data={"csrf_token": token, "action": "sign"}, follow_redirects=True)
    assert b"The sponsor signed at Gustave Roussy." in done.data and b"1/1 sites executed" in done.data


def test_messages_reach_the_other_side_by_mail(app, world, client, login, smtp):
    from tracker.mail.smtp import send_due
    from tracker.database import utcnow

    login(world.sponsor_a)
    token = csrf_token(client, f"/portal/contracts/{world.ref_a}")
    empty = client.post(f"/portal/contracts/{world.ref_a}/messages", headers=EN,
                        data={"csrf_token": token, "msg-site": "GR", "msg-body": "   "})
    assert empty.status_code == 422 and b"Write a message" in empty.data
    sent = client.post(f"/portal/contracts/{world.ref_a}/messages", headers=EN,
                       data={"csrf_token": token, "msg-site": "GR", "msg-body": "Can we talk about <clause 9>?"})
    assert sent.status_code == 303 and "#message-" in sent.headers["Location"]
    assert "Can we talk about &lt;clause 9&gt;?" in _page(client, f"/portal/contracts/{world.ref_a}")
    with app.app_context():
        send_due(utcnow())
    [mail] = smtp.box.to(world.legal_gr)
    assert "Message de Novacure Oncology SA au centre Gustave Roussy" in mail.subject  # staff with no preference: French
    assert "Can we talk about <clause 9>?" in mail.part("plain")
    assert smtp.box.to(world.legal_ib) == []  # the site written to, not every site

    client.post("/logout", data={"csrf_token": csrf_token(client, "/portal/")})
    login(world.legal_gr)
    staff_page = _page(client, f"/contracts/{world.ref_a}")
    assert "Can we talk about &lt;clause 9&gt;?" in staff_page and "Invite a contact of Novacure" in staff_page
    token = csrf_token(client, f"/contracts/{world.ref_a}")
    answer = client.post(f"/contracts/{world.ref_a}/messages", data={"csrf_token": token, "msg-site": "GR",
                                                                     "msg-body": "Yes, Tuesday."})
    assert answer.status_code == 303
    with app.app_context():
        send_due(utcnow())
        messages = db.session.execute(db.select(Message).order_by(Message.id)).scalars().all()
        assert [(m.side, m.site.code) for m in messages] == [("sponsor", "GR"), ("site", "GR")]
    [reply] = smtp.box.to(world.sponsor_a)[-1:]
    assert "Message from Gustave Roussy" in reply.subject and "Yes, Tuesday." in reply.part("plain")
    assert f"http://tracker.test/portal/contracts/{world.ref_a}#message-" in reply.part("plain")
    assert smtp.box.to(world.sponsor_b) == []


def test_sponsor_contacts_hear_when_the_file_comes_to_them(app, world):
    [mail] = outbox(app, kind="sponsor_file")
    assert mail.to_address == world.sponsor_a and mail.site_id is None
    assert "sent you the draft for round 1" in mail.subject
    assert f"http://tracker.test/portal/contracts/{world.ref_a}" in mail.body_text
    assert f"http://tracker.test/portal/documents/{world.sent_doc}" in mail.body_text
    assert "Please look at clause 7." in mail.body_text
    world.act(world.ref_a, "sponsor_replied")
    world.act(world.ref_a, "send_to_sponsor", comment="internal only")
    latest = outbox(app, kind="sponsor_file")[-1]
    assert "round 2" in latest.subject and "internal only" not in latest.body_text


def test_a_sponsors_message_goes_to_the_tracks_owner_when_it_has_one(app, world, make_user):
    from tracker.database import utcnow
    from tracker.models import User
    from tracker.pipeline.operations import set_owner
    from tracker.portal.messages import post_message
    from tests.helpers.actors import STAFF

    owner_email = make_user("legal", "GR", email="owner@gr.test")
    with app.app_context():
        owner = db.session.execute(db.select(User).where(User.email == owner_email)).scalar_one()
        set_owner(world.track(world.ref_a), owner.id, actor=STAFF, now=utcnow())
        author = db.session.execute(db.select(User).where(User.email == world.sponsor_a)).scalar_one()
        post_message(world.contract(world.ref_a), "Owner only, please.", author=author, now=utcnow(), site_code="GR")
        db.session.commit()
    assert [m.to_address for m in outbox(app, kind="message")] == [owner_email]
