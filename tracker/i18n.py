"""Language choice: the person's own choice wins, else the browser decides.

A signed-in person's switch is kept on their profile (and in the session), so it
follows them to another browser and to their e-mails; the profile comes first so
that someone signing in on a shared browser gets their own language. Before
sign-in, or for someone who never chose, the session's switch and then the
browser's Accept-Language decide.
"""
from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # commands and the scheduler speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if getattr(current_user, "is_authenticated", False) and current_user.language in languages:
        return current_user.language
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    # People at the two centres read French; programs calling the API get English.
    fallback = "en" if request.for_api else "fr"
    return request.accept_languages.best_match(languages) or fallback
