"""What text the tracker accepts from anyone, the same on SQLite and PostgreSQL.

PostgreSQL refuses a NUL byte and text longer than its column, and no database can store a
lone UTF-16 surrogate; SQLite silently keeps the first two.  So every text that comes in is
checked at the door (JSON bodies in ``api.errors.json_body``, forms and query strings in
``web.security``), and every text written to the database is checked once more at flush, so a
new endpoint or a forgotten field answers 422 naming the field instead of 500 on one engine
and storing junk on the other.
"""
from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, event, inspect
from sqlalchemy.orm import Session

from tracker.errors import InvalidInput

# C0 controls except tab, line feed and carriage return; DEL and the C1 controls; surrogates.
_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
MAX_DEPTH = 32  # nesting of a JSON body: the deepest the API reads is 3


def bad_character(text: str) -> str | None:
    """The first character no text field may hold, written as U+XXXX, or None."""
    found = _BAD.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def refusal(character: str):
    return _l("Contains a control or invalid character (%(char)s); remove it.", char=character)


def json_problems(data: Any) -> dict[str, str]:
    """Each top-level field of a JSON body (or 'body') that nests too deeply or holds a bad character."""
    errors: dict[str, str] = {}
    pending = [(name, value, 1) for name, value in data.items()] if isinstance(data, dict) else [("body", data, 1)]
    if isinstance(data, dict):
        for name in data:
            if bad_character(name):
                errors["body"] = str(refusal(bad_character(name)))
    while pending:
        field, value, depth = pending.pop()
        if field in errors:
            continue
        if depth > MAX_DEPTH:
            errors[field] = str(_l("Nested more than %(n)d levels deep.", n=MAX_DEPTH))
        elif isinstance(value, str):
            character = bad_character(value)
            if character:
                errors[field] = str(refusal(character))
        elif isinstance(value, dict):
            pending += [(field, key, depth + 1) for key in value]
            pending += [(field, item, depth + 1) for item in value.values()]
        elif isinstance(value, list):
            pending += [(field, item, depth + 1) for item in value]
    return errors


def _column_problems(obj: Any) -> dict[str, str]:
    state = inspect(obj)
    errors = {}
    for column_attr in state.mapper.column_attrs:
        key = column_attr.key
        if state.persistent and not state.attrs[key].history.has_changes():
            continue
        value = state.dict.get(key)
        if not isinstance(value, str):
            continue
        column = column_attr.columns[0]
        length = getattr(column.type, "length", None) if isinstance(column.type, String) else None
        if length is not None and len(value) > length:
            errors[key] = str(_l("At most %(n)d characters.", n=length))
        elif _UNSTORABLE.search(value):
            errors[key] = str(refusal(bad_character(value) or "U+0000"))
    return errors


def _before_flush(session: Session, _context, _instances) -> None:
    errors: dict[str, str] = {}
    for obj in (*session.new, *session.dirty):
        errors.update(_column_problems(obj))
    if errors:
        raise InvalidInput(errors)


def guard_columns(session_class=Session) -> None:
    """Check every text written through the ORM against its column: length, NUL, surrogates."""
    if not event.contains(session_class, "before_flush", _before_flush):
        event.listen(session_class, "before_flush", _before_flush)


def text_field(data: dict, name: str, errors: dict, *, limit: int, required: bool = False,
               one_line: bool = False) -> str | None:
    """A text field of a request, trimmed (``one_line``: every run of white space folded to one space),
    or None when it is empty or refused; a refusal goes in ``errors[name]``. Line breaks are otherwise
    kept: mails and documents flatten or render them."""
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        errors[name] = _l("Expected text.")
        return None
    value = " ".join(value.split()) if one_line and value else (value or "").strip()
    if not value:
        if required:
            errors[name] = _l("This field is required.")
        return None
    if len(value) > limit:
        errors[name] = _l("At most %(n)d characters.", n=limit)
        return None
    return value
