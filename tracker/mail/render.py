"""Rendering a mail: subject, plain text and HTML in the recipient's language.

Every mail is rendered when it is queued, so the outbox row holds exactly what will be sent
(the sweep's alerts are the one exception: their bodies are rendered by the sender, see
``tracker.alerts.mails.bodies_of``). Anything a person typed (contract titles, names) may reach
a header, so every header value goes through ``header_safe`` and can never start a new header line.
"""
from __future__ import annotations

import re
from contextlib import ExitStack, contextmanager
from typing import Callable

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale

from tracker.addresses import contract_path

# CR, LF and every other control or line-separator character a header could be split on.
_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def header_safe(value: object, limit: int | None = None) -> str:
    """One line of text fit for a header: breaks become spaces, runs of spaces shrink."""
    text = " ".join(_BREAKS.sub(" ", str(value or "")).split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def language_of(preferred: str | None, fallback: str = "fr") -> str:
    """The recipient's language if the app speaks it, else the fallback (French, the centres' language)."""
    languages = current_app.config.get("LANGUAGES", ("fr", "en"))
    return preferred if preferred in languages else fallback


def base_url() -> str:
    """Where the links in the mails lead."""
    return current_app.config["BASE_URL"].rstrip("/")


def contract_link(reference: str, *, sponsor: bool = False, path: str = "", anchor: str = "") -> str:
    """The contract's page for the reader (sponsors have theirs in the portal), as a full address."""
    return base_url() + contract_path(reference, sponsor=sponsor, path=path, anchor=anchor)


def short_title(title: str | None, acronym: str | None) -> str:
    return header_safe(acronym or title or "", 60)


def short(contract) -> str:
    """The contract's acronym or title, short enough for a subject line."""
    return short_title(contract.title, contract.acronym)


@contextmanager
def rendering():
    """Make ``render_template`` and ``_()`` usable outside a request (sweeps, the scheduler)."""
    with ExitStack() as stack:
        if not has_request_context():
            stack.enter_context(current_app.test_request_context(base_url=current_app.config["BASE_URL"]))
        yield


def tidy(text: str) -> str:
    """Plain-text bodies: no trailing spaces except the signature dash, at most one blank line."""
    lines = [line if line == "-- " else line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def render(template: str, language: str, values: dict, subject: Callable[[dict], str]) -> tuple[str, str, str]:
    """Subject, plain text and HTML of ``emails/<template>.txt|html`` in ``language``."""
    with force_locale(language):
        v = {**values, "lang": language}
        title = header_safe(subject(v), 300)
        text = tidy(render_template(f"emails/{template}.txt", **v))
        html = render_template(f"emails/{template}.html", **v)
    return title, text, html
