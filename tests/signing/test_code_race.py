"""Twenty wrong codes sent at the same moment: exactly five are compared, the rest are refused unread.

Each attempt runs in its own thread with its own database session and transaction, as concurrent
requests do, on whichever engine the suite runs on.
"""
from __future__ import annotations

import threading

from tests.helpers.signing import PEOPLE, name_all
from tracker.database import utcnow
from tracker.extensions import db
from tracker.models.signing import SigningCode
from tracker.signing import links, online
from tracker.transaction import atomic

NAME, EMAIL = PEOPLE["GR"]["institution"]
RACERS = 20


def test_concurrent_wrong_codes_are_compared_at_most_five_times(app, agreed, signer):
    name_all(app, agreed.reference, sites=("GR",))
    path = signer.link(EMAIL, "GR")
    assert signer.ask_code(path, NAME).status_code == 303
    code = signer.code(EMAIL, "GR")
    wrong = "000000" if code != "000000" else "111111"
    token = path.rsplit("/", 1)[1]
    barrier = threading.Barrier(RACERS)
    results: list = [None] * RACERS

    def attempt(i: int) -> None:
        with app.app_context():
            barrier.wait(timeout=20)
            try:
                with atomic():
                    link = links.find(token, utcnow())
                    outcome = online.confirm(link, online.latest_code(link), wrong, now=utcnow(),
                                             ip_address="192.0.2.9", user_agent="race")
                results[i] = ("checked", outcome.tries_left)
            except online.SigningRefused as exc:
                results[i] = ("refused", exc.reason)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(r is not None for r in results), results
    checked = sorted(r[1] for r in results if r[0] == "checked")
    assert checked == [0, 1, 2, 3, 4]  # each try counted once, none twice
    assert {r[1] for r in results if r[0] == "refused"} <= {"attempts", "expired"}
    with app.app_context():
        row = db.session.execute(db.select(SigningCode)).scalar_one()
        assert row.attempts == 5 and row.voided_at is not None
    # The right code no longer signs: the tries are spent.
    assert signer.confirm(path, code).status_code == 409
