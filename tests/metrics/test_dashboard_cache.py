"""The dashboard's live part is kept for the hour, and any change or a new hour builds it afresh."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import event

from tests.helpers.actors import ADMIN
from tests.helpers.histories import play
from tracker.extensions import db
from tracker.models import Sponsor
from tracker.people.sponsors import update_sponsor

NOON = datetime(2026, 6, 10, 10, 0, tzinfo=timezone.utc)  # a Wednesday


def _board(page: str) -> list[tuple[str, ...]]:
    board = page[page.index('class="list board"'):]
    board = board[:board.index("</table>")]
    return re.findall(r'<th scope="row">([^<]+)</th><td class="num">(\d+)</td><td class="num">(\d+)</td>'
                      r'<td class="num">(\d+)</td>', board)


def _view(app, client):
    """The dashboard's HTML and how many SQL statements it took."""
    engine = db.engine
    seen = []

    def count(*_args):
        seen.append(1)
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get("/dashboard/", headers={"Accept-Language": "en"})
    finally:
        event.remove(engine, "before_cursor_execute", count)
        db.session.rollback()  # the request ran in the test's app context: end its read
    assert response.status_code == 200
    return response.get_data(as_text=True), len(seen)


def test_the_board_is_kept_until_an_event_and_rebuilt_each_hour(app, history, login, make_user, monkeypatch):
    clock = {"now": NOON}
    monkeypatch.setattr("tracker.web.staff.dashboard.utcnow", lambda: clock["now"])
    client = login(make_user("admin", None))
    first, built = _view(app, client)
    again, kept = _view(app, client)
    assert _board(again) == _board(first) and kept < built  # the open tracks were not ranked again
    assert [row[1:] for row in _board(first)] == [("0", "1", "0"), ("0", "0", "1")]

    # C's sponsor replies: the GR track is back in review, the site's move.
    play(history["refs"]["C"], [("GR", "sponsor_replied", 3, 6)])
    after, rebuilt = _view(app, client)
    assert rebuilt > kept
    assert [row[1:] for row in _board(after)] == [("1", "0", "0"), ("0", "0", "1")]

    _view(app, client)
    clock["now"] = NOON + timedelta(hours=1)
    _page, next_hour = _view(app, client)
    assert next_hour > kept  # a new hour: built again


def test_a_change_without_an_event_is_shown_at_once(app, history, login, make_user):
    client = login(make_user("admin", None))
    before, _ = _view(app, client)
    shown = before.count("Novacure Oncology SA")
    assert shown >= 2  # the filter's choices, and the chart of days held per sponsor
    update_sponsor(db.session.get(Sponsor, history["novacure"]), {"name": "Novacure Renamed SA"}, actor=ADMIN,
                   now=datetime.now(timezone.utc))
    db.session.commit()
    after, _ = _view(app, client)
    assert after.count("Novacure Renamed SA") == shown and "Novacure Oncology SA" not in after
