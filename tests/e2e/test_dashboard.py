"""In Chromium: the work queue, the dashboard and the calendar feed link, on a desktop and a phone."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from tests.helpers.browser import axe_findings, open_menu, overflow, sign_in
from tests.metrics.conftest import history, site_history  # noqa: F401  (the fixed histories, as fixtures)

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _fits(page) -> bool:
    """Nothing in the page's main part is wider than the screen (tables scroll inside their box)."""
    page.wait_for_load_state("load")  # measured once the stylesheets apply, not while they load
    fits = page.evaluate("document.querySelector('main').scrollWidth <= window.innerWidth")
    assert fits, overflow(page)
    return True


@pytest.mark.parametrize("size, locale", [(DESKTOP, "en-GB"), (PHONE, "fr-FR")])
def test_the_queue_ranks_overdue_work_first_and_keeps_the_view_in_the_url(
        page_for, make_user, make_sponsor, make_contract, size, locale):
    sponsor = make_sponsor("Hélix Thérapeutique")
    fresh = make_contract(sponsor, sites=("GR",), received_on=date.today())
    late = make_contract(sponsor, sites=("GR",), received_on=date.today() - timedelta(days=20))
    page = page_for(locale)
    page.set_viewport_size(size)
    sign_in(page, make_user("legal", "GR"))
    english = locale.startswith("en")
    assert page.locator("h1").inner_text() == ("What needs us today" if english else "Ce qui nous attend aujourd’hui")
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == 2
    assert late in rows.nth(0).inner_text() and fresh in rows.nth(1).inner_text()
    assert ("working days late" if english else "jours ouvrés de retard") in rows.nth(0).inner_text()
    assert _fits(page)

    page.get_by_role("link", name=re.compile("The sponsor's move" if english else "Au promoteur d’agir")).click()
    page.wait_for_url(re.compile("tab=sponsor"))
    assert page.locator("table.queue").count() == 0
    page.get_by_role("link", name=re.compile("^All open" if english else "^Tous en cours")).click()
    page.wait_for_url(re.compile("tab=all"))  # the sponsor's tab it leaves has the sorting form too
    if size == DESKTOP:  # the column headings sort, and a second click turns the order round
        heading = page.locator("table.queue th").filter(has_text="Reference").get_by_role("link")
        heading.click()
        page.wait_for_url(re.compile(r"sort=reference"))  # the second click is on the sorted page's heading
        page.locator("table.queue th").filter(has_text="Reference").get_by_role("link").click()
    else:  # on a phone the headings are folded into each row: the form sorts
        page.get_by_label("Trier par").select_option("-reference")
        page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r"sort=-reference"))
    page.wait_for_load_state()  # the sorted page has finished loading before it is reloaded
    assert "tab=all" in page.url
    page.reload()  # a bookmark gives the same view
    assert page.locator("table.queue tbody tr").nth(0).inner_text().startswith(max(fresh, late))

    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV" if english else "Télécharger en CSV").click()
    body = open(download.value.path(), "rb").read()
    assert body.startswith(b"\xef\xbb\xbf") and "Hélix Thérapeutique" in body.decode("utf-8-sig")


@pytest.mark.parametrize("size, locale", [(DESKTOP, "fr-FR"), (PHONE, "en-GB")])
def test_a_manager_reads_the_dashboard_and_its_charts(page_for, make_user, history, size, locale):  # noqa: F811
    page = page_for(locale)
    page.set_viewport_size(size)
    sign_in(page, make_user("manager", "IB"))
    english = locale.startswith("en")
    open_menu(page)
    page.get_by_role("link", name="Dashboard" if english else "Tableau de bord").click()
    page.wait_for_url(re.compile(r"/dashboard/$"))  # the queue it leaves has an <h1> too
    assert "Institut Bergonié" in page.locator("h1").inner_text()
    figures = page.locator("dl.figures").inner_text()
    assert ("28 days" if english else "28 jours") in figures and ("85.7" if english else "85,7") in figures
    charts = page.get_by_role("img")
    assert charts.count() == 4 and all(charts.nth(i).is_visible() for i in range(4))
    # Each chart's numbers are one keyboard press away.
    summary = page.locator("main details summary").first
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.locator("main details").first.locator("table")).to_be_visible()
    assert _fits(page)
    page.get_by_label("Received from" if english else "Reçue à partir du").fill("2026-02-01")
    page.get_by_role("button", name="Show" if english else "Afficher", exact=True).click()
    page.wait_for_url(re.compile(r"from=2026-02-01"))  # the figures below are the filtered page's
    assert ("1 open, 1 executed" if english else "1 en cours, 1 signée") in page.locator("dl.figures").inner_text()


@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
def test_each_site_reads_its_own_time_on_a_phone(page_for, axe_source, make_user, site_history,  # noqa: F811
                                                  locale):
    """Issue 24 at 390 px: each site's clock beside its own ceiling and the target, numbers the reader's way."""
    page = page_for(locale, 390, axe=axe_source)
    sign_in(page, make_user("admin", None))
    page.goto("/dashboard/")
    english = locale.startswith("en")
    section = page.locator("#sites")
    assert section.get_by_role("heading", level=2).inner_text() == (
        "Each site on its own track" if english else "Chaque centre sur son propre circuit")
    rows = section.locator("table.sites").first.locator("tbody tr")
    assert rows.count() == 3
    gr = rows.nth(0).inner_text()
    if english:
        assert "23 days" in gr and "ceiling 45 days from the complete file" in gr and "50.0%" in gr
        assert "30.5 days" in gr
        assert "ceiling 15 days from the coordinator's agreement" in rows.nth(2).inner_text()
    else:
        assert "23 jours" in gr and "plafond de 45 jours depuis le dossier complet" in gr and "50,0\u00a0%" in gr
        assert "30,5 jours" in gr
        assert "plafond de 15 jours depuis l’accord du coordonnateur" in rows.nth(2).inner_text()
    assert _fits(page)
    assert axe_findings(page) == []
    page.get_by_label("Break down by" if english else "Ventiler par").select_option("phase")
    section.get_by_role("button", name="Show the breakdown" if english else "Afficher la ventilation").click()
    page.wait_for_url(re.compile(r"by=phase"))
    breakdown = page.locator("#sites table.sites").nth(1).locator("tbody tr")
    assert breakdown.count() == 4 and "II" in breakdown.nth(1).inner_text()


def test_the_calendar_feed_link_serves_my_deadlines(page_for, make_user, make_sponsor, make_contract):
    reference = make_contract(make_sponsor(), sites=("GR", "IB"), received_on=date.today())
    page = page_for("en-GB")
    page.set_viewport_size(PHONE)
    sign_in(page, make_user("legal", "GR"))
    open_menu(page)
    page.get_by_role("link", name="Calendar feed").click()
    page.wait_for_url(re.compile(r"/profile/calendar$"))
    page.get_by_role("button", name="Make my feed address").click()
    url = page.get_by_role("textbox", name="Feed address").input_value()
    assert "/calendar/ftc_" in url
    feed = page.request.get(page.get_by_role("link", name="Open the feed").get_attribute("href")
                            .replace("http://tracker.test", ""))
    assert feed.ok
    events = list(Calendar.from_ical(feed.body()).walk("VEVENT"))
    assert len(events) == 1 and str(events[0]["SUMMARY"]).startswith(reference)
    assert events[0].decoded("DTSTART") > date.today()
    page.get_by_role("button", name="Revoke the feed").click()
    # The page it leaves has its own #feed-state, naming the feed.
    expect(page.locator("#feed-state")).to_have_text("You have no calendar feed.", use_inner_text=True)
