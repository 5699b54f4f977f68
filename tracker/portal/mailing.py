"""Queueing a person-to-person e-mail (invitation, reset link, message, file sent) through the outbox.

These mails answer something a person just did, so they are not held to a site's
working hours (``site_id`` stays empty): the next run of the sender delivers them.
Each is rendered in the recipient's language when queued, like the alerts.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Callable

from flask import current_app, render_template
from flask_babel import force_locale

from tracker.alerts import mails
from tracker.alerts.queue import insert_new, outbox_row
from tracker.models import User

# The outbox kinds written here; they are mails to people, not deadline alerts.
PERSONAL_KINDS = ("invitation", "password_reset", "message", "sponsor_file", "sponsor_replied", "redline_received",
                  "conformity_started", "signature_recorded", "notice_digest", "webhook_failed")


def _tidy(text: str) -> str:
    """Plain text: no trailing spaces (the signature dash keeps its own), at most one blank line."""
    lines = [line if line == "-- " else line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def render(template: str, language: str, values: dict, subject: Callable[[dict], str]) -> tuple[str, str, str]:
    """Subject, plain text and HTML of ``emails/<template>.txt|html`` in ``language``."""
    with force_locale(language):
        v = {**values, "lang": language}
        title = mails.header_safe(subject(v), 300)
        text = _tidy(render_template(f"emails/{template}.txt", **v))
        html = render_template(f"emails/{template}.html", **v)
    return title, text, html


def queue(kind: str, key: str, recipients: list[User], template: str, values: dict,
          subject: Callable[[dict], str], *, now: datetime, fallback: str = "fr", contract_id: int | None = None,
          track_id: int | None = None) -> int:
    """Render and queue one mail per recipient (``key`` + recipient id is the outbox key); return how many."""
    rows = []
    with mails.rendering():
        for person in recipients:
            language = mails.language_of(person.language, fallback)
            rendered = render(template, language, {**values, "name": person.name}, subject)
            rows.append(outbox_row(key=f"{key}:{person.id}", kind=kind, person=person, subject_text_html=rendered,
                                   language=language, now=now, not_before=now, site_id=None,
                                   contract_id=contract_id, track_id=track_id))
    return insert_new(rows)


def base_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def short(contract) -> str:
    """The contract's acronym or title, short enough for a subject line."""
    return mails.short_title(contract.title, contract.acronym)
