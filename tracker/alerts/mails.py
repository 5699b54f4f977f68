"""Alert e-mails (deadline alerts and the managers' digest), worded in the recipient's language.

The sweep's alerts, thousands at a time, are queued with their subject and their values
(``payload``); the sender renders their bodies when it takes them (``bodies_of``) and stores
them on the row before talking to the SMTP server, so a sent row still holds what was sent.
The rest of the rendering (headers made safe, the plain text tidied) is ``tracker.mail.render``'s.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache

from flask import current_app, render_template
from flask_babel import force_locale, format_percent, get_locale, get_translations
from flask_babel import gettext as _
from jinja2 import Environment, select_autoescape

from tracker import formatting
from tracker.alerts import wording
from tracker.mail.render import base_url, contract_link, header_safe, rendering, short_title, tidy
from tracker.stages.rules import PARTY_LABELS, STAGE_LABELS


def _long(day: date | None) -> str | None:
    """The product's one date format ("7 déc. 2026"), as on the pages."""
    return _day_words(day, str(get_locale())) if day else None


_full = _long  # the alert texts once named a longer form; every date now reads the same


@lru_cache(maxsize=4096)
def _day_words(day: date, locale: str) -> str:
    # A sweep writes the same few due dates into thousands of mails; ``locale`` is the one in
    # force (it keys the cache, the formatting reads it from the context).
    return formatting.day(day)


def _status_label(status: str) -> str:
    return {
        "breached": _("Overdue"), "warning": _("Due soon"), "on_track": _("On track"),
        "paused": _("Paused: with the sponsor"),
    }.get(status) or _("No deadline running")


def _alert_templates(language: str) -> Environment:
    """The alert templates with ``_()`` bound to one language's catalogue (call under ``force_locale``).

    A sweep may render thousands of alerts; looking up the current locale for every ``_()`` in the
    templates took about 40% of that. Alert templates use nothing from Flask's template context.
    """
    environments = current_app.extensions.setdefault("tracker.alert_templates", {})
    environment = environments.get(language)
    if environment is None:
        # Escaped like Flask's own templates: HTML and XML files, and templates from strings.
        environment = Environment(loader=current_app.jinja_env.loader, extensions=["jinja2.ext.i18n"],
                                  autoescape=select_autoescape(("html", "htm", "xml", "xhtml", "svg")),
                                  auto_reload=False)
        environment.install_gettext_translations(get_translations(), newstyle=True)
        formatting.install(environment)
        environments[language] = environment
    return environment


def _worded(kind: str, language: str, values: dict) -> dict:
    """The alert's values worded for the reader (call under ``force_locale(language)``)."""
    v = dict(values)
    v["stage"] = str(STAGE_LABELS.get(v["stage"], v["stage"]))
    v["due"] = _long(v.get("due_on"))
    v["due_full"] = _full(v.get("due_on"))
    v["since"] = _long(v.get("since_on"))
    v["since_full"] = _full(v.get("since_on"))
    v["started_full"] = _full(v.get("started_on"))
    v["reported_full"] = _full(v.get("reported_on"))
    v["ceiling"] = _long(v.get("ceiling_on"))
    v["ceiling_full"] = _full(v.get("ceiling_on"))
    v["missing_words"] = ", ".join(str(PARTY_LABELS[p]) for p in v.get("missing") or ())
    v["short"] = short_title(v.get("title"), v.get("acronym"))
    v["title"] = header_safe(v.get("title"))  # one line in the bodies too
    v["audience"] = "sponsor" if (values.get("audience") or "owner") == "sponsor" else "staff"
    v["link"] = contract_link(v["reference"], sponsor=values.get("audience") == "sponsor")
    v["lang"] = language
    return v


def track_alert_subject(kind: str, language: str, values: dict) -> str:
    """The subject line of an alert about one track, in the recipient's language."""
    with force_locale(language):
        return header_safe(wording.subject(kind, _worded(kind, language, values)), 300)


def track_alert_bodies(kind: str, language: str, values: dict) -> tuple[str, str]:
    """The plain-text and HTML bodies of an alert about one track."""
    with force_locale(language):
        v = _worded(kind, language, values)
        v["paragraphs"] = wording.paragraphs(kind, values.get("audience") or "owner", v)
        templates = _alert_templates(language)
        return (tidy(templates.get_template("emails/alert.txt").render(**v)),
                templates.get_template("emails/alert.html").render(**v))


def render_track_alert(kind: str, language: str, values: dict) -> tuple[str, str, str]:
    """Subject, text and HTML of an alert about one track (warning, breach, reminder...).

    ``values`` holds raw data (dates, the stage code, the audience); it is worded
    here, in the recipient's language.
    """
    return (track_alert_subject(kind, language, values), *track_alert_bodies(kind, language, values))


# -- alerts the sweep queues: their values now, their bodies when the sender takes them ----------------
def payload_of(values: dict) -> dict:
    """An alert's values as JSON can hold them (dates as ISO text)."""
    return {key: value.isoformat() if isinstance(value, date) else value for key, value in values.items()}


def values_of_payload(payload: dict) -> dict:
    return {key: date.fromisoformat(value) if key.endswith("_on") and isinstance(value, str) else value
            for key, value in payload.items()}


def bodies_of(row) -> tuple[str, str]:
    """What a queued row will send: its stored bodies, or those its values call for (a sweep's alert)."""
    if row.payload is None:
        return row.body_text, row.body_html
    with rendering():
        return track_alert_bodies(row.kind, row.language, values_of_payload(row.payload))


def render_digest(language: str, values: dict) -> tuple[str, str, str]:
    """Subject, text and HTML of a manager's daily digest."""
    with force_locale(language):
        v = dict(values)
        v["day_long"] = formatting.day(v["day"])
        v["lang"] = language
        v["audience"] = "staff"
        v["list_link"] = f"{base_url()}/?site={v['site_code']}"
        v["rows"] = [
            {**row, "stage": str(STAGE_LABELS.get(row["stage"], row["stage"])), "due": _long(row["due_on"]),
             "title": header_safe(row["title"]), "short": short_title(row["title"], row["acronym"]),
             "status_label": _status_label(row["status"]),
             "used": format_percent(row["share"]) if row["share"] is not None else None,
             "link": contract_link(row["reference"])}
            for row in v["rows"]
        ]
        subject = header_safe(_("Daily digest %(site)s, %(day)s: %(open)s open, %(breached)s overdue",
                                site=v["site"], day=formatting.day(v["day"]), open=v["open"],
                                breached=v["breached"]), 300)
        text = tidy(render_template("emails/digest.txt", **v))
        html = render_template("emails/digest.html", **v)
    return subject, text, html
