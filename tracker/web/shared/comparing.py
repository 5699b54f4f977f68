"""The comparison pages' shared part: one page of a redline's stored differences (staff and portal)."""
from __future__ import annotations

from flask import request, url_for

from tracker.database import utcnow
from tracker.documents import comparisons
from tracker.models import Document
from tracker.transaction import atomic
from tracker.web.shared.paging import Pager, page_number


def comparison_page(document: Document):
    """(shown, unavailable): the page of differences asked for with its pager, or why there is none.

    A redline kept before comparisons were stored is compared once here, in a write transaction.
    """
    if comparisons.needs_keeping(document):
        try:
            with atomic():
                comparisons.keep_late(document.id, now=utcnow())
        except comparisons.ComparisonUnavailable as exc:
            return None, exc.args[0]
    shown = comparisons.changes_page(document, page_number())
    endpoint, args = request.endpoint, dict(request.view_args or {})
    pager = Pager(shown.page, shown.pages, lambda number: url_for(endpoint, **args, page=number))
    return {"counts": shown.counts, "changes": shown.changes, "pager": pager}, None
