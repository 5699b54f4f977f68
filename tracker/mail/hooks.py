"""What the packages above mail add to its work, so that mail never imports them (the arrows point down).

- ``choices(rows)``: before rows are queued, each person's notification choices drop or hold them
  (set by ``tracker.notices``);
- ``stale(rows, windows, now)``: at send time, the ids of alerts whose reason has gone, to be superseded
  (set by ``tracker.alerts``);
- ``bodies(row)``: the text and HTML of a row queued with its values only, as the sweep queues alerts
  (set by ``tracker.alerts``).

Each package sets its hook when the application connects its listeners (``create_app``); until then
mail does the plain thing: rows queued as given, none stale, the stored bodies sent.
"""
from __future__ import annotations

from typing import Callable

_hooks: dict[str, Callable] = {}


def provide(**hooks: Callable) -> None:
    """Set hooks by name (``choices``, ``stale``, ``bodies``); setting one again replaces it."""
    unknown = set(hooks) - {"choices", "stale", "bodies"}
    if unknown:
        raise ValueError(f"no such mail hook: {', '.join(sorted(unknown))}")
    _hooks.update(hooks)


def choices(rows: list[dict]) -> list[dict]:
    hook = _hooks.get("choices")
    return hook(rows) if hook else rows


def stale(rows, windows, now) -> set[int]:
    hook = _hooks.get("stale")
    return hook(rows, windows, now) if hook else set()


def bodies(row) -> tuple[str, str]:
    hook = _hooks.get("bodies")
    return hook(row) if hook else (row.body_text, row.body_html)
