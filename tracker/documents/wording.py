"""The engine's problems (tracker.documents.engine.problems) in the reader's language.

The engine returns each reason as its English message and the values that fill it; here the
message is looked up in the catalogue of the request's language (or the default language in
a command), the values are worded in turn, and numbers are written the local way.
"""
from __future__ import annotations

from typing import Any, Iterable

from flask_babel import format_decimal, format_number, gettext

from tracker.documents.engine.problems import Joined, Problem


def words(problems: Iterable[Any]) -> list[str]:
    """Each problem as a sentence in the reader's language."""
    return [word(problem) for problem in problems]


def word(value: Any) -> str:
    if isinstance(value, Joined):
        return value.separator.join(word(item) for item in value.items)
    if isinstance(value, Problem):
        values = {name: _value(name, item, value.message) for name, item in value.values.items()}
        return gettext(value.message, **values) if values else gettext(value.message)
    return str(value)


def _value(name: str, value: Any, message: str) -> Any:
    if isinstance(value, str):
        return word(value)
    if isinstance(value, bool) or f"%({name})s" not in message:
        return value  # %(number)d and the like want the number itself
    if isinstance(value, int):
        return format_number(value)
    if isinstance(value, float):
        return format_decimal(value, "#,##0.0##")
    return value
