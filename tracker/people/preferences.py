"""A person's own settings: the page language they chose with the switch in the header."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from tracker import audit
from tracker.errors import InvalidInput
from tracker.models import User

LANGUAGES = ("fr", "en")


def set_language(user: User, code: str, *, actor: audit.Actor, now: datetime) -> bool:
    """Remember the language a person chose for the pages and their e-mails; True if it changed.

    Only an explicit choice is stored: a person who never chose keeps no language,
    so their browser decides the pages and French the mails.
    """
    if code not in LANGUAGES:
        raise InvalidInput({"language": str(_l("Choose fr or en."))})
    if user.language == code:
        return False
    audit.record(actor, "user", user.id, {"language": (user.language, code)}, now=now)
    user.language = code
    return True
