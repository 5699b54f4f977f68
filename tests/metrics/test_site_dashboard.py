"""The dashboard reads per site (issue 24): each site's own clock beside its own ceiling and the target,
checked against the hand-computed figures of tests/helpers/histories.py, in English and in French."""
from __future__ import annotations

import re

import pytest


EN, FR = {"Accept-Language": "en"}, {"Accept-Language": "fr"}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _site_tables(page: str) -> list[list[list[str]]]:
    tables = re.findall(r'<table class="list stack sites">(.*?)</table>', page, re.S)
    return [[[_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
             for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)] for table in tables]


def test_each_site_reads_its_own_time_beside_its_own_ceiling(site_history, login, make_user):
    client = login(make_user("admin", None))
    response = client.get("/dashboard/?by=sponsor", headers=EN)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    per_role, by_sponsor = _site_tables(page)
    assert per_role == [
        # GR coordinating: P 22 and R 24 days; from receipt 29 and 32; held 14 and 23 working days (R over 20).
        ["GR", "Coordinating", "2", "23 days ceiling 45 days from the complete file", "100.0%", "30.5 days",
         "50.0% 20 working days", "18.5", "6"],
        # IB coordinating: Q 46 days, within its ceiling rolled from Sunday 22 to Monday 23 March.
        ["IB", "Coordinating", "1", "46 days ceiling 45 days from the complete file", "100.0%", "47 days",
         "100.0% 20 working days", "9", "34"],
        # IB associated: P 20 days from the coordinator's agreement, over its 15.
        ["IB", "Associated", "1", "20 days ceiling 15 days from the coordinator's agreement", "0.0%", "44 days",
         "100.0% 20 working days", "11", "5"],
    ]
    assert [row[:4] for row in by_sponsor] == [
        ["GR", "Coordinating", "Hélix Thérapeutique", "1"], ["GR", "Coordinating", "Novacure Oncology SA", "1"],
        ["IB", "Coordinating", "Hélix Thérapeutique", "1"], ["IB", "Associated", "Novacure Oncology SA", "1"]]
    # The whole contract is set beside whole-contract references, the receipt clock beside Kiriakis.
    figures = _text(page[page.index('<dl class="figures">'):page.index("</dl>")])
    assert "Median days from receipt to full execution 44 days Clock started on receipt" in figures
    assert "91 days (Kiriakis et al. 2013)" in figures
    assert "ceiling" not in figures.lower()


def test_the_per_site_page_in_french_spells_numbers_the_french_way(site_history, login, make_user):
    client = login(make_user("admin", None))
    per_role, by_year = _site_tables(client.get("/dashboard/?by=year", headers=FR).get_data(as_text=True))
    assert per_role[0][2:7] == ["2", "23 jours plafond de 45 jours depuis le dossier complet", "100,0 %",
                                "30,5 jours", "50,0 % 20 jours ouvrés"]
    assert [row[2] for row in by_year] == ["2026", "2026", "2026"]


def test_a_site_manager_sees_their_own_site_only(site_history, login, make_user):
    client = login(make_user("manager", "IB"))
    per_role, _by = _site_tables(client.get("/dashboard/", headers=EN).get_data(as_text=True))
    assert [row[:3] for row in per_role] == [["IB", "Coordinating", "1"], ["IB", "Associated", "1"]]


@pytest.mark.parametrize("url", ["/dashboard/?by=month", "/dashboard/sites.csv?by=site"])
def test_an_unknown_breakdown_is_named(site_history, login, make_user, url):
    response = login(make_user("admin", None)).get(url, headers=EN)
    assert response.status_code == 422
    assert "by" in response.get_data(as_text=True) and "sponsor, phase, year" in response.get_data(as_text=True)
