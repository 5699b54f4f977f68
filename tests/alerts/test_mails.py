"""Alert mails read well in the recipient's language, in plain text and HTML, and lead to the contract."""
from __future__ import annotations

from tracker import audit


def test_mails_speak_the_recipients_language_in_text_and_html(desk, smtp):
    french = desk.make_user("legal", "GR")  # no language chosen: French
    english = desk.make_user("legal", "GR", language="en")
    reference = desk.contract("2026-10-08", title="R&D <b>first-in-human</b> trial", acronym="ONCO-1")
    desk.sweep("2026-10-09 10:00")  # warning: completeness due Monday 12 October
    assert desk.send("2026-10-09 10:00") == (2, 0)
    (fr,), (en,) = smtp.box.to(french), smtp.box.to(english)
    link = f"http://tracker.test/contracts/{reference}"
    for mail in (fr, en):
        assert mail.message.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in mail.message.iter_parts()] == ["text/plain", "text/html"]
        text, html = mail.part("plain"), mail.part("html")
        assert reference in mail.subject and "ONCO-1" in mail.subject
        assert reference in text and link in text and "Gustave Roussy" in text
        assert f'href="{link}"' in html
        assert "R&D <b>first-in-human</b> trial" in text
        assert "R&amp;D &lt;b&gt;first-in-human&lt;/b&gt; trial" in html and "<b>first" not in html

    assert fr.message["Content-Language"] == "fr"
    assert "Échéance proche" in fr.subject and "12 oct. 2026" in fr.subject
    assert "Vérification de complétude" in fr.subject
    fr_text = fr.part("plain")
    assert fr_text.startswith("Bonjour Legal 1,") and "doit être terminée le 12 oct. 2026" in fr_text
    assert "Hello" not in fr_text and "Due soon" not in fr.subject

    assert en.message["Content-Language"] == "en"
    assert "Due soon" in en.subject and "Oct 12, 2026" in en.subject and "Completeness check" in en.subject
    en_text = en.part("plain")
    assert en_text.startswith("Hello Legal 2,") and "is due on Oct 12, 2026" in en_text
    assert "Bonjour" not in en_text


def test_the_sponsor_reminder_speaks_to_the_sponsor(desk, smtp):
    contact = desk.make_user("sponsor", None, sponsor=desk.sponsor_name, language="en")
    reference = desk.contract("2026-10-01")
    desk.act(reference, "mark_complete", "2026-10-05 09:00")
    desk.act(reference, "send_to_sponsor", "2026-10-05 10:00")
    desk.sweep("2026-10-12 09:00")
    assert desk.send("2026-10-12 09:00") == (1, 0)
    (mail,) = desk.alert_mails(smtp, contact)
    assert "Reminder" in mail.subject and "Oct 5, 2026" in mail.subject and "With the sponsor" in mail.subject
    text = mail.part("plain")
    assert f"Contract {reference} has been waiting for your reply since Oct 5, 2026" in text
    assert f"http://tracker.test/portal/contracts/{reference}" in text  # the sponsor's own page
    assert "as a contact of Novacure Oncology SA" in text


def test_the_digest_in_french(desk, smtp):
    manager = desk.make_user("manager", "GR", language="fr")
    reference = desk.contract("2026-10-01")
    desk.sweep("2026-10-13 08:00")
    desk.send("2026-10-13 08:00")
    digest = next(m for m in smtp.box.to(manager) if "Synthèse" in m.subject)
    text = digest.part("plain")
    assert "Conventions en cours au centre Gustave Roussy le 13 oct. 2026" in text
    assert "13 oct. 2026" in digest.subject and "  " not in digest.subject
    assert reference in text and "En retard" in text
    # The audit chain's head is for those who verify the trail, not for managers.
    with desk.app.app_context():
        _seq, head = audit.head()
    assert head not in text and head not in digest.part("html") and "audit" not in text.lower()
    assert f'href="http://tracker.test/contracts/{reference}"' in digest.part("html")
