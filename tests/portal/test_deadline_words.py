"""The sponsor portal's deadline sentence: one date format, and no "0 working days late" on the due day's
morning after (issue 26: "0 jour ouvré de retard")."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from tracker.portal.overview import deadline_words


def _state(days_late: int):
    return SimpleNamespace(stage="review", holder="site", status="breached", due_on=date(2026, 12, 7),
                           days_late=days_late, today=date(2026, 12, 8), working_days_left=None)


def test_overdue_without_a_full_day_late_says_overdue_only(app):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        zero, two = deadline_words(None, _state(0)), deadline_words(None, _state(2))
    assert zero == "La main est au centre\u00a0: en retard depuis le 7 déc. 2026"
    assert two == "La main est au centre\u00a0: en retard depuis le 7 déc. 2026, 2 jours ouvrés de retard"
