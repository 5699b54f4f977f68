"""The work queue says what signing needs next: the links to send, then how many signatures are awaited."""
from __future__ import annotations

from tests.helpers.signing import name_all


def _queue(client) -> str:
    return client.get("/?tab=all", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_the_queue_says_send_the_links_then_waiting_for_signatures(app, agreed, client, login, make_user):
    login(make_user("legal", "GR"))
    before = _queue(client)
    assert "Send the signing links" in before and "Record the signature of" not in before
    name_all(app, agreed.reference, sites=("GR",))
    after = _queue(client)
    assert "Waiting for 2 signatures" in after  # the institution's and the investigator's
