"""What every page does the same way: run an operation, and say what happened."""
from __future__ import annotations

from typing import Any, Callable

from flask import flash
from flask_babel import gettext as _

from tracker.errors import DomainError
from tracker.transaction import atomic


def attempt(work: Callable[[], Any], *, done: str | None = None) -> tuple[bool, Any]:
    """Run ``work`` in one transaction; flash ``done`` on success, the refusal otherwise.

    Returns (True, result) or (False, the DomainError), so a view can also put field
    errors beside their fields.
    """
    try:
        with atomic():
            result = work()
    except DomainError as exc:
        flash(_("Not done: %(why)s", why=exc.explain()), "error")
        return False, exc
    if done:
        flash(done, "success")
    return True, result
