"""Each recipient of an overdue alert gets their own message, naming the signature still missing."""
from __future__ import annotations


def test_legal_staff_are_asked_to_act_and_managers_are_told_who_has_it(desk, smtp):
    legal = desk.make_user("legal", "GR", language="en")
    manager = desk.make_user("manager", "GR", language="en")
    reference = desk.contract("2026-10-01")
    desk.act(reference, "mark_complete", "2026-10-05 09:00")
    desk.act(reference, "agree", "2026-10-05 10:00")
    desk.act(reference, "sign", "2026-10-05 11:00", party="institution")
    # Site-side signatures have 3 working days: due Thursday 8 October, overdue on Friday.
    desk.sweep("2026-10-09 10:00")
    desk.send("2026-10-09 10:00")
    (to_legal,) = [m for m in smtp.box.to(legal) if "Overdue" in m.subject]
    (to_manager,) = [m for m in smtp.box.to(manager) if "Overdue" in m.subject]
    legal_text, manager_text = (" ".join(m.part("plain").split()) for m in (to_legal, to_manager))

    assert "Please act on it today, or tell your manager" in legal_text
    assert "tell your manager" not in manager_text
    assert "at your site Gustave Roussy" in manager_text
    assert "It has no owner; the site's legal staff have been told." in manager_text
    for text in (legal_text, manager_text):
        assert "Signatures still missing: the investigator, the sponsor." in text  # the institution has signed
