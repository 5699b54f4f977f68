"""Why an upload or a render is refused, as data the reader's language can be put on later.

The engine (checks, render, wordxml, package, limits) knows nothing of Flask or of who reads
its messages.  It marks each English message with ``N_`` (which the translation extractor
picks up) and returns ``Problem`` objects.  A Problem *is* its English text - a ``str`` - so
anything that only wants text keeps working; ``tracker.documents.wording`` puts it into the
reader's language from the message and the values kept beside it.
"""
from __future__ import annotations

from typing import Any, Iterable


def N_(message: str) -> str:
    """Mark a message for translation without translating it here."""
    return message


class Problem(str):
    """One reason, in English, with the message it was built from and the values filled in."""

    message: str
    values: dict[str, Any]

    def __new__(cls, message: str, **values: Any) -> "Problem":
        problem = super().__new__(cls, message % values if values else message)
        problem.message = message
        problem.values = values
        return problem


class Joined(str):
    """Several problems or names shown as one text, joined by a separator; each part is translated."""

    items: tuple
    separator: str

    def __new__(cls, items: Iterable[Any], separator: str = "; ") -> "Joined":
        items = tuple(items)
        joined = super().__new__(cls, separator.join(str(item) for item in items))
        joined.items = items
        joined.separator = separator
        return joined


def shown(name: str, width: int = 80) -> str:
    """A name from an upload, made printable: control characters escaped, long names cut."""
    text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in name)
    return text if len(text) <= width else text[: width - 1] + "\u2026"
