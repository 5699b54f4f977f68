"""Language choice: an explicit switch wins and is remembered, else the browser decides."""
from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # commands and the scheduler speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if getattr(current_user, "is_authenticated", False) and current_user.language in languages:
        return current_user.language
    # People at the two centres read French; programs calling the API get English.
    fallback = "en" if request.path.startswith("/api/") else "fr"
    return request.accept_languages.best_match(languages) or fallback
