"""Reading a page number from the query string without trusting it, and the links between pages."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import request, url_for

MAX_PAGE = 100_000


def page_number() -> int:
    """?page= as a whole number from 1 to MAX_PAGE; anything else is page 1."""
    raw = request.args.get("page", "1")
    if not raw.isdigit() or len(raw) > 6:
        return 1
    return min(max(int(raw), 1), MAX_PAGE)


@dataclass(frozen=True)
class Pager:
    """What the pager macro (templates/_pager.html) shows: page ``page`` of ``pages``, and where another page is.

    With ``exact`` false the list was counted only up to a limit: ``pages`` is how many pages are known to
    exist, at least one beyond this one, and the pager says "Page 2 of many".
    """

    page: int
    pages: int
    url: Callable[[int], str]  # the address of a page number, with the list's filters kept
    exact: bool = True

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def pager(pagination, **args) -> Pager:
    """The pager of a ``db.paginate`` result, linking to this page's view with ``args`` kept (None is left out)."""
    return _linking(pagination.page, pagination.pages, args)


def pager_of(page: int, total: int, per_page: int, *, exact: bool = True, **args) -> Pager:
    """The pager of a list that counted its own rows (``total``, or at least ``total`` when not ``exact``)
    and read page ``page`` itself."""
    return _linking(page, max((total + per_page - 1) // per_page, 1), args, exact)


def _linking(page: int, pages: int, args: dict, exact: bool = True) -> Pager:
    """A pager whose links go back to this request's view with ``args`` kept."""
    endpoint = request.endpoint
    return Pager(page, pages, lambda number: url_for(endpoint, **args, page=number), exact)
