"""The pager of the lists: which neighbours a page has, and links that keep the list's filters."""
from __future__ import annotations

from types import SimpleNamespace

from tracker.web.shared.paging import Pager, page_number, pager


def test_a_page_has_neighbours_only_inside_the_list():
    def url(number):
        return f"/x?page={number}"

    assert (Pager(1, 3, url).has_prev, Pager(1, 3, url).has_next) == (False, True)
    assert (Pager(2, 3, url).has_prev, Pager(2, 3, url).has_next) == (True, True)
    assert (Pager(3, 3, url).has_prev, Pager(3, 3, url).has_next) == (True, False)
    assert (Pager(1, 1, url).has_prev, Pager(1, 1, url).has_next) == (False, False)


def test_links_go_to_the_same_list_with_its_filters_kept(app):
    with app.test_request_context("/sponsors?q=nova&page=2"):
        page = SimpleNamespace(page=page_number(), pages=4)
        links = pager(page, q="nova", status=None)
        assert (links.page, links.pages) == (2, 4)
        assert links.url(1) == "/sponsors?q=nova&page=1"  # None is left out of the address
        assert links.url(3) == "/sponsors?q=nova&page=3"
