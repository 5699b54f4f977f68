"""The managers' dashboard shows the same figures as the API, with charts that a strict CSP allows."""
from __future__ import annotations

import csv
import io
import re

import pytest


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_manager_sees_their_sites_figures_risk_board_and_charts(history, login, make_user):
    client = login(make_user("manager", "IB"))
    response = client.get("/dashboard/", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Institut Bergonié" in _text(page)
    # The IB figures worked out by hand in test_figures, in the order the page lists them.
    figures = re.findall(r"<dt>[^<]*</dt><dd>([^<]*)</dd>", page)
    numbers = [re.match(r"[\d,.]+|—", value.strip()).group(0) for value in figures]
    # From receipt: A agreed after 16 days and executed after 23, B after 29 and 36.
    assert numbers == ["3", "21", "28", "22.5", "29.5", "85.7", "7.5", "12", "1.5"]
    assert page.count('role="img"') == 4 and page.count("<title id=") == 4
    assert page.count("<details>") == 4  # each chart's numbers as a table
    assert " style=" not in page and "<script>" not in page  # scripts only from files the CSP allows


def test_the_board_counts_open_tracks_by_stage_and_holder(history, login, make_user):
    client = login(make_user("admin", None))
    page = client.get("/dashboard/").get_data(as_text=True)
    board = page[page.index('class="list board"'):]
    board = board[:board.index("</table>")]
    rows = re.findall(r'<th scope="row">([^<]+)</th><td class="num">(\d+)</td><td class="num">(\d+)</td>'
                      r'<td class="num">(\d+)</td>', board)
    assert [(site, sponsor, waiting) for _stage, site, sponsor, waiting in rows] == [("0", "1", "0"), ("0", "0", "1")]


@pytest.mark.parametrize("role", ["legal", "sponsor"])
def test_only_managers_and_admins_have_a_dashboard(ctx, login, make_user, make_sponsor, role):
    make_sponsor("Novacure Oncology SA")
    email = make_user(role, "GR" if role == "legal" else None,
                      sponsor="Novacure Oncology SA" if role == "sponsor" else None)
    assert login(email).get("/dashboard/").status_code == 403


def test_bad_filters_are_named_and_nothing_is_shown(history, login, make_user):
    client = login(make_user("admin", None))
    response = client.get("/dashboard/?from=2026-02-30&phase=IX")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="from-error"' in page and 'id="phase-error"' in page
    assert client.get("/dashboard/metrics.csv?site=ZZ").status_code == 422


def test_the_csv_exports_match_the_api(history, login, make_user, api):
    email = make_user("admin", None)
    expected = api(email).get("/metrics?site=IB").json()
    client = login(email)
    response = client.get("/dashboard/metrics.csv?site=IB", headers={"Accept-Language": "en"})
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    figures = dict(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    for name, label in (("contracts", "Contracts"), ("executed", "Executed contracts"),
                        ("median_days_to_agreement", "Median days from the complete file to agreement"),
                        ("median_days_to_execution", "Median days from the complete file to full execution"),
                        ("median_days_from_receipt_to_execution", "Median days from receipt to full execution"),
                        ("within_sla_pct", "Stages finished within their deadline (%)"),
                        ("median_site_held_working_days", "Median working days held by the site"),
                        ("median_sponsor_held_days", "Median days held by the sponsor"),
                        ("median_rounds", "Median negotiation rounds")):
        assert figures[label] == str(expected[name]), name
    assert figures["Filter: Site"] == "IB"
    response = client.get("/dashboard/figures.csv", headers={"Accept-Language": "en"})
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    header, rows = rows[0], rows[1:]
    by_ref = {}
    for row in rows:
        by_ref.setdefault(row[0], []).append(dict(zip(header, row)))
    a = by_ref[history["refs"]["A"]]
    assert {r["Site"] for r in a} == {"GR", "IB"}
    assert a[0]["Days from the complete file to execution"] == "21" and a[0]["Complete file on"] == "2026-01-07"
    assert a[0]["Status"] == "Executed" and a[0]["Site outcome"] == "Executed"
    b = by_ref[history["refs"]["B"]][0]
    assert b["Sponsor"] == "Hélix Thérapeutique" and b["Working days held by the site"] == "11"
    assert b["Calendar days held by the sponsor"] == "23"


def test_the_french_dashboard_counts_with_french_plurals(site_history, login, make_user):
    client = login(make_user("manager", "IB", language="fr"))
    text = _text(client.get("/dashboard/", headers={"Accept-Language": "fr"}).get_data(as_text=True))
    counts = re.search(r"(\d+) en cours, (\d+) (signées?), (\d+) (annulées?)", text)
    assert counts, text[:2000]
    for number, word in ((counts.group(2), counts.group(3)), (counts.group(4), counts.group(5))):
        assert word.endswith("s") == (int(number) > 1), counts.group(0)  # "1 annulée", "0 annulée", "2 annulées"
