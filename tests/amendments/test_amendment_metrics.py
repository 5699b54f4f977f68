"""Amendments are measured apart from first agreements, and the dashboard measures signature → activation →
first patient per site; the policy's amendment times are the ones an amendment's deadlines use."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

from tests.helpers.amendments import day, execute
from tests.helpers.actors import ADMIN
from tracker.contracts.amendments import create_amendment
from tracker.contracts.regulatory import update_regulatory
from tracker.extensions import db
from tracker.metrics import figures
from tracker.models import Contract
from tracker.sla.operations import save_policy
from tracker.sla.policy import DEFAULTS


def _amend(app, reference, now, sites=("GR", "IB")):
    with app.app_context():
        parent = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        amendment = create_amendment(parent, {"title": "A", "received_on": day(0), "sites": list(sites)},
                                     actor=ADMIN, now=now)
        db.session.commit()
        return amendment.reference


def test_metrics_report_amendments_apart(app, api, signed, make_user, now):
    _sponsor, reference = signed
    execute(app, _amend(app, reference, now), now)
    figures.clear_cache()
    client = api(make_user("manager", "GR"))
    default = client.get("/metrics").json()
    assert (default["contracts"], default["executed"], default["filters"]["kind"]) == (1, 1, "agreements")
    amendments = client.get("/metrics", params={"kind": "amendments"}).json()
    assert (amendments["contracts"], amendments["executed"]) == (1, 1)
    assert amendments["sites"]["GR"]["executed"] == 1
    both = client.get("/metrics", params={"kind": "all"}).json()
    assert (both["contracts"], both["executed"]) == (2, 2)
    bad = client.get("/metrics", params={"kind": "avenants"})
    assert bad.status_code == 422 and "kind" in bad.json()["error"]["fields"]


def test_the_policy_gives_amendments_their_own_review_time(app, api, signed, make_user, now):
    sponsor_id, reference = signed
    with app.app_context():
        save_policy({**DEFAULTS, "review_first_round": 10, "amendment_review_first_round": 2},
                    actor=ADMIN, now=now - timedelta(days=1))
        db.session.commit()
    amendment = _amend(app, reference, now)
    client = api(make_user("legal", "GR"))
    assert client.post(f"/contracts/{amendment}/events", json={"site": "GR", "action": "mark_complete"}
                       ).status_code == 201
    track = client.get(f"/contracts/{amendment}").json()["tracks"][0]
    assert track["stage"] == "review" and track["sla"]["working_days_left"] == 2
    # a first agreement under the same policy gets its own ten days
    other = _first_agreement_in_review(client, sponsor_id)
    assert other["sla"]["working_days_left"] == 10


def _first_agreement_in_review(client, sponsor_id):
    body = {"sponsor_id": sponsor_id, "title": "T", "protocol_number": "P", "phase": "I", "coordinating_site": "GR",
            "sites": ["GR"], "received_on": day(0)}
    reference = client.post("/contracts", json=body).json()["reference"]
    client.post(f"/contracts/{reference}/events", json={"site": "GR", "action": "mark_complete"})
    return client.get(f"/contracts/{reference}").json()["tracks"][0]


def test_the_dashboard_measures_signature_to_activation_and_first_patient(app, signed, login, make_user, now):
    _sponsor, reference = signed  # both sites signed five days ago
    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        update_regulatory(contract, {"site_regulatory": {"GR": {"activated_on": day(-3), "first_patient_on": day(0)},
                                                         "IB": {"activated_on": day(-1)}}}, actor=ADMIN, now=now)
        db.session.commit()
    figures.clear_cache()
    client = login(make_user("admin", None, language="en"))
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "From signature to the first patient" in page
    rows = list(csv.reader(io.StringIO(client.get("/dashboard/activation.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "Site" and "Median days from signature to activation" in rows[0]
    by_site = {r[0]: r for r in rows[1:]}
    assert by_site["GR"][1:] == ["1", "1", "2", "1", "3"]
    assert by_site["IB"][1:] == ["1", "1", "4", "0", ""]
    workbook = client.get("/dashboard/dashboard.xlsx")
    assert workbook.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(workbook.data))["Activation"]
    assert [c.value for c in sheet[2]][:4] == ["GR", 1, 1, 2]
    # The page keeps its live part for the hour, but a recorded date is a change: the next view shows it.
    with app.app_context():
        contract = db.session.execute(db.select(Contract).where(Contract.reference == reference)).scalar_one()
        update_regulatory(contract, {"site_regulatory": {"IB": {"first_patient_on": day(0)}}}, actor=ADMIN, now=now)
        db.session.commit()
    page = client.get("/dashboard/").get_data(as_text=True)
    section = page[page.index('id="activation"'):]
    ib_row = section[section.index('<th scope="row" data-label="Site">IB</th>'):].split("</tr>")[0]
    assert [cell.rsplit(">", 1)[1] for cell in ib_row.split("</td>")[:-1]] == ["1", "1", "4", "1", "1"]
