"""Every kind of e-mail, rendered in English and French with fixed data, compared with a reviewed copy.

Each case renders through the same functions and subject lines its producer uses (``tracker.mail.render``
for mails to people, ``tracker.alerts.mails`` for the alerts and the managers' digest), so any change
to a template, a subject, a translation or the way a value is written shows here as a diff to review.
After an intended change, regenerate the golden files and read the diff before committing them:

    TRACKER_UPDATE_GOLDEN=1 python -m pytest tests/mail/test_mail_snapshots.py -p no:cacheprovider
"""
from __future__ import annotations

import os
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from tracker.alerts import mails as alert_mails
from tracker.mail.render import render, rendering
from tracker.notices import digest as notice_digest
from tracker.notices import listeners as notices
from tracker.people import invitations
from tracker.people.roles import ROLE_LABELS
from tracker.stages.rules import PARTY_LABELS
from tracker.portal import messages, notifications
from tracker.signing import mails as signing
from tracker.webhooks import failures

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("TRACKER_UPDATE_GOLDEN") == "1"
NOW = datetime(2026, 5, 11, 7, 30, tzinfo=timezone.utc)  # Monday 11 May 2026, 09:30 in Paris
DAY = date(2026, 5, 11)
BASE_URL = "https://tracker.example.org"
LINK = f"{BASE_URL}/contracts/FT-2026-0042"
CONTRACT = {"reference": "FT-2026-0042", "title": "Phase I dose-escalation of NVC-114 in advanced solid tumours",
            "short": "ESCALADE", "sponsor": "Novacure Oncology", "site": "Gustave Roussy"}
ALERT = {**CONTRACT, "acronym": "ESCALADE", "stage": "review", "round": 1, "days_late": 2, "missing": [],
         "owner": None, "name": "Camille Durand"}
DOCUMENT = {"version": 3, "sha256": "9f2c" * 16}
SIGNING = {**CONTRACT, "party": "institution", "audience": "signatory", "name": "Claire Martin",
           "document": DOCUMENT, "expires_at": datetime(2026, 6, 10, 7, 30, tzinfo=timezone.utc)}


def _alert(kind, audience, **values):
    return lambda language: alert_mails.render_track_alert(kind, language, {**ALERT, **values, "audience": audience})


def _digest(language):
    rows = [{"reference": "FT-2026-0042", "title": CONTRACT["title"], "acronym": "ESCALADE", "sponsor": "Novacure",
             "stage": "review", "status": "breached", "due_on": date(2026, 5, 7), "share": 1.4},
            {"reference": "FT-2026-0043", "title": "Adjuvant trial", "acronym": None, "sponsor": "Biolys",
             "stage": "with_sponsor", "status": "paused", "due_on": None, "share": None},
            {"reference": "FT-2026-0044", "title": "Registry study", "acronym": "REG", "sponsor": "Biolys",
             "stage": "signature", "status": "warning", "due_on": date(2026, 5, 12), "share": 0.8}]
    return alert_mails.render_digest(language, {
        "site": "Gustave Roussy", "site_code": "GR", "day": DAY, "open": 3, "breached": 1, "rows": rows, "more": 0,
        "name": "Marc Leroy", "audit_head": (1234, "5e1d" * 16)})


def _mail(template, subject, **values):
    return lambda language: render(template, language, values, subject)


def _account(purpose, audience, **values):
    defaults = {"own_site": None, "inviter": None, "inviter_site": None}
    return _mail("account_link", invitations._subject, purpose=purpose, audience=audience, name="Anne Petit",
                 link=f"{BASE_URL}/account/{'welcome' if purpose == 'invite' else 'reset'}/TOKEN",
                 expires_at=datetime(2026, 5, 18, 7, 30, tzinfo=timezone.utc), sponsor="Novacure Oncology",
                 role=ROLE_LABELS["legal"], site=values.get("own_site") or "Gustave Roussy · Institut Bergonié",
                 **{**defaults, **values})


def _signing(what, **values):
    return _mail(f"signing_{what}", signing._subject, **{**SIGNING, "what": what, **values})


def _notice(kind, **values):
    return _mail("notice", notices._subject, **{**CONTRACT, "kind": kind, "round": 2, "audience": "staff",
                                               "name": "Camille Durand", "link": f"{LINK}#track-GR", **values})


REDLINE = {"filename": "ESCALADE_GR_redline.docx", "version": 4, "link": f"{LINK}/documents/17/compare"}
CASES = {
    "alert_warning": _alert("warning", "owner", due_on=DAY),
    "alert_breach_owner": _alert("breach", "owner", due_on=DAY),
    "alert_breach_managers": _alert("breach", "managers", due_on=DAY),
    "alert_escalation": _alert("escalation", "managers", due_on=DAY),
    "alert_escalation_round": _alert("escalation", "managers", reason="round", round=4, round_limit=3,
                                     started_on=DAY),
    "alert_sponsor_reminder": _alert("sponsor_reminder", "sponsor", since_on=DAY, stage="with_sponsor", reminder=2),
    "alert_ceiling_warning": _alert("ceiling_warning", "owner", ceiling_on=DAY),
    "alert_ceiling_breach": _alert("ceiling_breach", "managers", ceiling_on=DAY),
    "alert_conformity_issue": _alert("conformity_issue", "owner", reporter_site="Institut Bergonié",
                                     issue="Article 7 differs from the agreed text.", reported_on=DAY),
    "digest": _digest,
    "invitation_staff": _account("invite", "staff", inviter="Marc Leroy", inviter_site="Gustave Roussy",
                                 own_site="Gustave Roussy"),
    "invitation_sponsor": _account("invite", "sponsor", inviter="Marc Leroy", inviter_site="Gustave Roussy"),
    "password_reset": _account("reset", "staff"),
    "signing_link": _signing("link", link=f"{BASE_URL}/sign/TOKEN", also=["Institut Bergonié"],
                             verify=f"{BASE_URL}/verify"),
    "signing_code": _signing("code", code="482913", minutes=15),
    "signing_reminder": _signing("reminder", link=f"{BASE_URL}/sign/TOKEN", also=[], verify=f"{BASE_URL}/verify",
                                 first_sent_at=datetime(2026, 5, 6, 8, 15, tzinfo=timezone.utc)),
    "signing_declined": _signing("declined", audience="staff", name="Camille Durand", signatory="Claire Martin",
                                 email="claire.martin@example.org", reason="The budget annex is missing.",
                                 link=LINK),
    "signing_executed_signatory": _signing("executed", link=f"{BASE_URL}/sign/copy/TOKEN", attached=True,
                                           executed_sha256="77ab" * 16, verify=f"{BASE_URL}/verify"),
    "signing_executed_staff": _signing("executed", party=None, audience="staff", name="Marc Leroy", link=LINK,
                                       expires_at=None, attached=False, executed_sha256="77ab" * 16,
                                       verify=f"{BASE_URL}/verify"),
    "notice_sponsor_replied": _notice("sponsor_replied", comment="We accept clause 7 as redlined.",
                                      document=REDLINE),
    "notice_redline_received": _notice("redline_received", comment=None, document=REDLINE),
    "notice_conformity_started": _notice("conformity_started", site="Institut Bergonié",
                                         coordinator="Gustave Roussy", due_on=date(2026, 5, 13),
                                         ceiling_on=date(2026, 6, 25)),
    "notice_signature_recorded": _notice("signature_recorded", party="sponsor", party_label=PARTY_LABELS["sponsor"],
                                         stage="signature", executed=False),
    "notice_digest": _mail("notice_digest", notice_digest._subject, name="Camille Durand", items=[
        {"subject": "[FT-2026-0042] Novacure Oncology replied on Gustave Roussy's track — ESCALADE",
         "link": LINK}, {"subject": "[FT-2026-0043] Signature recorded at Gustave Roussy", "link": None}]),
    "to_sponsor_draft": _mail("sponsor_file", notifications._subject, action="send_to_sponsor", **CONTRACT,
                              round=2, comment="Clause 7 reworded as discussed.", audience="sponsor",
                              name="Laura Novak", link=f"{BASE_URL}/portal/contracts/FT-2026-0042",
                              document={"filename": "ESCALADE_GR_v3.docx", "version": 3, "sha256": "9f2c" * 16,
                                        "link": f"{BASE_URL}/portal/documents/12"}),
    "to_sponsor_documents": _mail("sponsor_file", notifications._subject, action="mark_incomplete", **CONTRACT,
                                  round=1, comment=None, audience="sponsor", name="Laura Novak",
                                  link=f"{BASE_URL}/portal/contracts/FT-2026-0042", document=None),
    "message_to_sponsor": _mail("message", messages._subject, **CONTRACT, side="site", author="Camille Durand",
                                body="Could you send the insurance certificate?", audience="sponsor",
                                name="Laura Novak", link=f"{BASE_URL}/portal/contracts/FT-2026-0042#message-5"),
    "message_to_site": _mail("message", messages._subject, **CONTRACT, side="sponsor", author="Laura Novak",
                             body="Here it is, attached to the contract.", audience="staff",
                             name="Camille Durand", link=f"{LINK}#message-6"),
    "webhook_failed": _mail("webhook_failed", failures._subject, name="Admin", event="track.event",
                            url="https://ctms.example.com/in", delivery="0b7c2d1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e",
                            attempts=12, status_code=503, error=None,
                            link=f"{BASE_URL}/admin/webhooks/1/deliveries"),
}


@pytest.fixture
def mail_app(app, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", BASE_URL)  # for this test only: the app is the session's
    return app


def _compare(path: Path, text: str) -> None:
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run with TRACKER_UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs from the reviewed copy"


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_mail_matches_the_reviewed_copy(mail_app, case, language):
    with mail_app.app_context(), rendering():
        subject, text, html = CASES[case](language)
    assert "None" not in subject + text and "{{" not in text + html
    _compare(GOLDEN / f"{case}.{language}.txt", f"Subject: {subject}\n\n{text}")
    _compare(GOLDEN / f"{case}.{language}.html", html if html.endswith("\n") else html + "\n")


def test_every_golden_file_belongs_to_a_case():
    """A golden file left from a removed mail would never be compared again."""
    expected = {f"{case}.{language}.{ext}" for case in CASES for language in ("en", "fr") for ext in ("txt", "html")}
    assert {p.name for p in GOLDEN.iterdir()} - expected == set()
