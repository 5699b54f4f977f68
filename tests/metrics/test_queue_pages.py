"""The staff home page is the work queue: tabs, filters, sorting kept in the URL, and a CSV for Excel."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from tracker.extensions import db
from tracker.models import Contract, Track


def _refs(page: str, references) -> list[str]:
    """The references in the order the page lists them."""
    found = sorted((page.find(f">{r}<"), r) for r in references if page.find(f">{r}<") >= 0)
    return [r for _pos, r in found]


def _move(flow_refs, reference, site, *actions):
    from tests.helpers.actors import ADMIN
    from datetime import datetime, timezone
    from tracker.pipeline.operations import apply_action

    for action in actions:
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        track = next(t for t in contract.tracks if t.site.code == site)
        apply_action(track, action, actor=ADMIN, now=datetime.now(timezone.utc))
        db.session.commit()


def test_staff_land_on_their_queue_and_the_list_moved(ctx, login, make_user, make_sponsor, make_contract):
    sponsor = make_sponsor("Hélix Thérapeutique")
    ours = make_contract(sponsor, sites=("GR",))
    client = login(make_user("legal", "GR"))
    assert client.get("/").status_code == 200
    page = client.get("/").get_data(as_text=True)
    assert f'href="/contracts/{ours}#track-GR"' in page and 'aria-current="page"' in page
    assert ours in client.get("/contracts").get_data(as_text=True)


def test_sponsors_still_go_to_their_portal(ctx, client, login, make_user, make_sponsor):
    make_sponsor("Novacure Oncology SA")
    login(make_user("sponsor", None, sponsor="Novacure Oncology SA"))
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/portal/")
    assert client.get("/queue.csv").status_code == 403


def test_tabs_split_our_move_from_the_sponsors_and_mine(ctx, login, make_user, make_sponsor, make_contract):
    sponsor = make_sponsor()
    email = make_user("legal", "GR")
    waiting, ours = make_contract(sponsor, sites=("GR",)), make_contract(sponsor, sites=("GR",))
    _move(None, waiting, "GR", "mark_complete", "send_to_sponsor")
    other_site = make_contract(sponsor, coordinating="IB", sites=("IB",))
    client = login(email)
    our_move = client.get("/?tab=ours").get_data(as_text=True)
    assert ours in our_move and waiting not in our_move and other_site not in our_move
    theirs = client.get("/?tab=sponsor").get_data(as_text=True)
    assert waiting in theirs and ours not in theirs
    assert "(1)" in theirs  # the tab counts
    assert ours not in client.get("/?tab=mine").get_data(as_text=True)  # nobody owns it yet
    from datetime import datetime, timezone
    from tracker.models import User
    from tracker.pipeline.operations import set_owner
    from tests.helpers.actors import ADMIN

    user = db.session.execute(db.select(User).where(User.email == email)).scalar_one()
    track = db.session.execute(db.select(Track).join(Contract).where(Contract.reference == ours)).scalar_one()
    set_owner(track, user.id, actor=ADMIN, now=datetime.now(timezone.utc))
    db.session.commit()
    mine = client.get("/?tab=mine").get_data(as_text=True)
    assert ours in mine and waiting not in mine


def test_filters_and_the_sort_live_in_the_url(ctx, login, make_user, make_sponsor, make_contract):
    novacure, helix = make_sponsor(), make_sponsor("Hélix Thérapeutique", "US")
    refs = [make_contract(novacure, sites=("GR",)), make_contract(helix, sites=("GR",), phase="II"),
            make_contract(novacure, sites=("GR",))]
    _move(None, refs[1], "GR", "mark_complete")
    client = login(make_user("manager", "GR"))
    ascending = client.get("/?tab=all&sort=reference").get_data(as_text=True)
    assert _refs(ascending, refs) == sorted(refs)
    descending = client.get("/?tab=all&sort=-reference").get_data(as_text=True)
    assert _refs(descending, refs) == sorted(refs, reverse=True)
    assert 'aria-sort="descending"' in descending
    assert "sort=reference" in descending  # the header offers the other direction
    only_helix = client.get(f"/?tab=all&sponsor_id={helix}").get_data(as_text=True)
    assert _refs(only_helix, refs) == [refs[1]]
    assert _refs(client.get("/?tab=all&phase=II").get_data(as_text=True), refs) == [refs[1]]
    assert _refs(client.get("/?tab=all&stage=review").get_data(as_text=True), refs) == [refs[1]]
    assert _refs(client.get("/?tab=all&round=0&stage=completeness").get_data(as_text=True), refs) == [refs[0], refs[2]]
    # Nonsense in the URL falls back to the defaults instead of failing.
    assert client.get("/?tab=nope&sort=drop+table&round=-1&sponsor_id=x&page=zz").status_code == 200


def test_the_csv_keeps_accents_for_excel_and_defuses_formulas(app, login, make_user, make_sponsor, make_contract):
    helix = make_sponsor("Hélix Thérapeutique", "US")
    reference = make_contract(helix, sites=("GR", "IB"), title="=HYPERLINK(\"http://x\") étude",
                              received_on=date.today() - timedelta(days=3))
    client = login(make_user("legal", "IB"))
    response = client.get("/queue.csv?tab=all", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel looks for
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "Reference"
    row = next(r for r in rows if r[0] == reference)
    assert row[1] == "IB" and row[2] == "Hélix Thérapeutique"
    assert row[3].startswith("'=HYPERLINK")


def test_a_sorted_queue_pages_through_every_track_once_in_order(ctx, login, make_user, make_sponsor):
    """Pages of a column sort are cut from one order: nothing lost or repeated between pages."""
    from datetime import datetime, timezone

    from tracker import audit
    from tracker.contracts.input import parse_contract
    from tracker.contracts.operations import create_contract
    from tracker.metrics.queue import QueueView, queue_page
    from tracker.models import User

    novacure, helix = make_sponsor(), make_sponsor("Hélix Thérapeutique", "US")
    now = datetime.now(timezone.utc)
    refs = []
    for n in range(7):
        data = {"sponsor_id": helix if n % 3 == 0 else novacure, "title": f"Trial {n}", "protocol_number": f"P-{n}",
                "phase": "I", "coordinating_site": "GR", "sites": ["GR"],
                "received_on": (date.today() - timedelta(days=30 - n)).isoformat()}
        refs.append(create_contract(parse_contract(data, today=date.today()), actor=audit.SYSTEM, now=now).reference)
    db.session.commit()
    for ref in refs[:4]:
        _move(None, ref, "GR", "mark_complete")  # a due date of their own; the others keep theirs
    user = db.session.execute(db.select(User).where(User.email == make_user("legal", "GR"))).scalar_one()
    for sort, descending in (("due", True), ("sponsor", False), ("received", True)):
        pages, page = [], 1
        while True:
            view = QueueView(tab="all", sort=sort, descending=descending, page=page)
            found = queue_page(user, view, now, per_page=3)
            pages += [(item.row.reference, item.row) for item in found["items"]]
            if page >= found["pages"]:
                break
            page += 1
        listed = [ref for ref, _row in pages]
        assert sorted(listed) == sorted(refs), sort  # each once
        whole = [row for _ref, row in pages]
        keys = {"due": lambda r: (r.due_on is None, -(r.due_on.toordinal()) if r.due_on else 0),
                "sponsor": lambda r: r.sponsor, "received": lambda r: -r.received_on.toordinal()}[sort]
        assert [keys(r) for r in whole] == sorted(keys(r) for r in whole), sort
