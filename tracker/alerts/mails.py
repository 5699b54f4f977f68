"""Alert e-mails: rendered in the recipient's language when queued, assembled for SMTP when sent.

Rendering happens at queue time so the outbox row holds exactly what will be
sent (subject, plain text, HTML); sending only wraps it in MIME headers. Anything
a person typed (contract titles, names) may reach a header, so every header value
goes through ``header_safe`` and can never start a new header line.
"""
from __future__ import annotations

import hashlib
import re
from contextlib import ExitStack, contextmanager
from datetime import date
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale, format_date, format_percent
from flask_babel import gettext as _

from tracker.pipeline.rules import STAGE_LABELS

KINDS = ("warning", "breach", "escalation", "sponsor_reminder", "digest")
# CR, LF and every other control or line-separator character a header could be split on.
_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def header_safe(value: object, limit: int | None = None) -> str:
    """One line of text fit for a header: breaks become spaces, runs of spaces shrink."""
    text = " ".join(_BREAKS.sub(" ", str(value or "")).split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def language_of(preferred: str | None) -> str:
    """The recipient's language if the app speaks it, else French (the centres' language)."""
    languages = current_app.config.get("LANGUAGES", ("fr", "en"))
    return preferred if preferred in languages else "fr"


def contract_link(reference: str) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/contracts/{reference}"


def short_title(title: str | None, acronym: str | None) -> str:
    return header_safe(acronym or title or "", 60)


@contextmanager
def rendering():
    """Make ``render_template`` and ``_()`` usable outside a request (sweeps, the scheduler)."""
    with ExitStack() as stack:
        if not has_request_context():
            stack.enter_context(current_app.test_request_context(base_url=current_app.config["BASE_URL"]))
        yield


def _long(day: date | None) -> str | None:
    return format_date(day, "long") if day else None


def _tidy(text: str) -> str:
    """Plain-text bodies: no trailing spaces except the signature dash, at most one blank line."""
    lines = [line if line == "-- " else line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def _status_label(status: str) -> str:
    return {
        "breached": _("Overdue"), "warning": _("Due soon"), "on_track": _("On track"),
        "paused": _("Paused: with the sponsor"),
    }.get(status) or _("No deadline running")


def _track_subject(kind: str, v: dict) -> str:
    if kind == "warning":
        sentence = _("Due soon: %(stage)s at %(site)s, due %(due)s", **v)
    elif kind == "breach":
        sentence = _("Overdue: %(stage)s at %(site)s, was due %(due)s", **v)
    elif kind == "escalation" and v.get("reason") == "round":
        sentence = _("Escalation: negotiation round %(round)s at %(site)s, %(stage)s", **v)
    elif kind == "escalation":
        sentence = _("Escalation: %(stage)s at %(site)s still overdue, was due %(due)s", **v)
    else:
        sentence = _("Reminder: %(stage)s at %(site)s, awaiting your reply since %(since)s", **v)
    return f"[{v['reference']}] {sentence} — {v['short']}"


def render_track_alert(kind: str, language: str, values: dict) -> tuple[str, str, str]:
    """Subject, text and HTML of a warning, breach, escalation or sponsor reminder.

    ``values`` holds raw data (dates, the stage code); it is worded here, in the
    recipient's language.
    """
    with force_locale(language):
        v = dict(values)
        v["stage"] = str(STAGE_LABELS.get(v["stage"], v["stage"]))
        v["due"] = _long(v.get("due_on"))
        v["since"] = _long(v.get("since_on"))
        v["short"] = short_title(v.get("title"), v.get("acronym"))
        v["title"] = header_safe(v.get("title"))  # one line in the bodies too
        v["link"] = contract_link(v["reference"])
        v["lang"] = language
        v["audience"] = "sponsor" if kind == "sponsor_reminder" else "staff"
        subject = header_safe(_track_subject(kind, v), 300)
        text = _tidy(render_template(f"emails/{kind}.txt", **v))
        html = render_template(f"emails/{kind}.html", **v)
    return subject, text, html


def render_digest(language: str, values: dict) -> tuple[str, str, str]:
    """Subject, text and HTML of a manager's daily digest."""
    with force_locale(language):
        v = dict(values)
        v["day_long"] = format_date(v["day"], "full")
        v["lang"] = language
        v["audience"] = "staff"
        v["list_link"] = f"{current_app.config['BASE_URL'].rstrip('/')}/?site={v['site_code']}"
        v["rows"] = [
            {**row, "stage": str(STAGE_LABELS.get(row["stage"], row["stage"])), "due": _long(row["due_on"]),
             "title": header_safe(row["title"]), "short": short_title(row["title"], row["acronym"]), "status_label": _status_label(row["status"]),
             "used": format_percent(row["share"]) if row["share"] is not None else None,
             "link": contract_link(row["reference"])}
            for row in v["rows"]
        ]
        subject = header_safe(_("Daily digest %(site)s, %(day)s: %(open)s open, %(breached)s overdue",
                                site=v["site"], day=format_date(v["day"], "medium"), open=v["open"],
                                breached=v["breached"]), 300)
        text = _tidy(render_template("emails/digest.txt", **v))
        html = render_template("emails/digest.html", **v)
    return subject, text, html


def build_message(row, recipient_name: str | None, config) -> EmailMessage:
    """The MIME message of an outbox row: plain text with an HTML alternative.

    Every header value is flattened with ``header_safe``; the Message-ID is derived
    from the row, so a retry after an uncertain failure carries the same id and
    mail systems can drop the duplicate.
    """
    sender = header_safe(config["MAIL_FROM"])
    domain = sender.rpartition("@")[2].strip(">") or "tracker.invalid"
    msg = EmailMessage()
    msg["Subject"] = header_safe(row.subject, 300)
    msg["From"] = sender
    msg["To"] = Address(display_name=header_safe(recipient_name, 100), addr_spec=header_safe(row.to_address))
    msg["Date"] = format_datetime(row.created_at)
    digest = hashlib.sha256(row.key.encode()).hexdigest()[:16]
    msg["Message-ID"] = f"<alert.{row.id}.{digest}@{domain}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(row.body_text)
    msg.add_alternative(row.body_html, subtype="html")
    # After the parts: making the message multipart moves Content-* headers into the first part.
    msg["Content-Language"] = header_safe(row.language, 5)
    return msg
