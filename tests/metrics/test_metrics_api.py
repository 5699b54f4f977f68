"""GET /api/v1/metrics over real HTTP: the figures, the filters, and refusals that name the parameter."""
from __future__ import annotations

import pytest


def test_metrics_over_http_with_filters(history, api, make_user):
    client = api(make_user("admin", None))
    everything = client.get("/metrics")
    assert everything.status_code == 200
    body = everything.json()
    assert (body["contracts"], body["executed"], body["median_days_to_agreement"], body["median_days_to_execution"],
            body["median_rounds"]) == (4, 2, 21, 28, 1.5)
    assert body["stages"]["with_sponsor"] == 1
    helix = client.get("/metrics", params={"sponsor_id": history["helix"]}).json()
    assert (helix["contracts"], helix["executed"], helix["median_days_to_execution"]) == (2, 1, 35)
    assert helix["filters"]["sponsor_id"] == history["helix"]
    period = client.get("/metrics", params={"from": "2026-01-01", "to": "2026-02-28", "site": "IB"}).json()
    assert (period["contracts"], period["median_site_held_working_days"]) == (2, 7.5)


@pytest.mark.parametrize("query, field", [
    ("site=NOPE", "site"), ("sponsor_id=-1", "sponsor_id"), ("phase=0", "phase"),
    ("from=01/02/2026", "from"), ("to=2026-02-31", "to"),
])
def test_invalid_filters_are_422_naming_the_parameter(history, api, make_user, query, field):
    response = api(make_user("manager", "GR")).get("/metrics?" + query)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input" and field in error["fields"]


def test_metrics_need_a_staff_token(history, api, make_user, make_sponsor):
    assert api().get("/metrics").status_code == 401
    sponsor_user = make_user("sponsor", None, sponsor="Novacure Oncology SA")
    assert api(sponsor_user).get("/metrics").status_code == 403
    gr_legal = api(make_user("legal", "GR")).get("/metrics").json()
    assert gr_legal["contracts"] == 3  # A, C and D: the contracts Gustave Roussy takes part in
