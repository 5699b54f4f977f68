"""Downloads a spreadsheet opens as the reader expects (issue 24): CSV in the reader's language with
numbers as numbers (French: ';' and decimal commas), never a formula, .xlsx with typed cells and a frozen
heading row, and the national survey's stable columns. Figures from the site history of tests/helpers/histories.py."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tracker.metrics.survey import COLUMNS
from tracker.web.shared.csv_export import csv_text, safe_cell

EN, FR = {"Accept-Language": "en"}, {"Accept-Language": "fr"}


@pytest.mark.parametrize("value, decimal, expected", [
    (-2, ".", "-2"), (-2, ",", "-2"), (30.5, ",", "30,5"), (30.5, ".", "30.5"), (44.0, ",", "44"),
    (Decimal("-1.50"), ",", "-1,5"), (True, ".", "1"), (None, ".", ""), (date(2026, 3, 23), ",", "2026-03-23"),
    ("-2", ",", "-2"), ("-2,5", ",", "-2,5"),  # a negative number given as text stays a number
    ("=HYPERLINK(1)", ".", "'=HYPERLINK(1)"), ("+1+2", ".", "'+1+2"), ("@SUM(A1)", ".", "'@SUM(A1)"),
    ("\t=1", ".", "'\t=1"), ("\r=1", ".", "'\r=1"), ("-cmd", ".", "'-cmd"), ("-2+3", ".", "'-2+3"),
    ("Hélix Thérapeutique", ",", "Hélix Thérapeutique"), ("a=b", ".", "a=b"),
])
def test_a_cell_is_a_number_a_date_or_guarded_text(value, decimal, expected):
    assert safe_cell(value, decimal) == expected


def test_french_csv_uses_semicolons_and_decimal_commas(app):
    with app.test_request_context():
        text = csv_text(["Nom", "Valeur"], [["médiane", 30.5], ["retard", -2]], language="fr")
    assert text == "\ufeffNom;Valeur\r\nmédiane;30,5\r\nretard;-2\r\n"
    with app.test_request_context():
        assert csv_text(["Name", "Value"], [["median", 30.5]], language="en") == "\ufeffName,Value\r\nmedian,30.5\r\n"


def _csv(response, separator):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=separator))


@pytest.fixture
def overdue_queue(app, make_sponsor, make_contract):
    """A contract at IB alone, received 20 days ago: its completeness check is overdue (negative days left)."""
    helix = make_sponsor("Hélix Thérapeutique", "US")
    late = make_contract(helix, coordinating="IB", sites=("IB",), title="=HYPERLINK(\"http://x\") étude",
                         received_on=date.today() - timedelta(days=20))
    return late


def test_the_queue_csv_speaks_the_readers_language_with_numbers_as_numbers(overdue_queue, login, make_user):
    client = login(make_user("legal", "IB"))
    french = _csv(client.get("/queue.csv?tab=all", headers=FR), ";")
    assert french[0][:3] == ["Référence", "Centre", "Promoteur"] and french[0][8] == "Échéance"
    row = next(r for r in french if r[0] == overdue_queue)
    assert row[1] == "IB" and row[2] == "Hélix Thérapeutique" and row[3].startswith("'=HYPERLINK")
    assert row[8] == "En retard"  # the status in words, not a code
    assert row[10].startswith("-") and int(row[10]) < 0  # a negative day count stays a number
    english = _csv(client.get("/queue.csv?tab=all", headers=EN), ",")
    assert english[0][:3] == ["Reference", "Site", "Sponsor"]
    row = next(r for r in english if r[0] == overdue_queue)
    assert row[8] == "Overdue" and int(row[10]) < 0


def test_the_queue_as_xlsx_has_typed_cells_and_a_frozen_heading(overdue_queue, login, make_user):
    client = login(make_user("legal", "IB"))
    response = client.get("/queue.xlsx?tab=all", headers=EN)
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet.freeze_panes == "A2" and sheet["A1"].value == "Reference" and sheet["A1"].font.bold
    headings = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == overdue_queue)
    cells = dict(zip(headings, row))
    left = cells["Working days left"]
    assert left.data_type == "n" and isinstance(left.value, int) and left.value < 0
    assert isinstance(cells["Due on"].value, datetime) and cells["Due on"].is_date
    assert cells["Negotiation round"].value == 0 and cells["Deadline"].value == "Overdue"
    assert cells["Trial"].value.startswith("'=HYPERLINK")  # text, never a formula


def test_the_per_site_csv_in_french_and_english(site_history, login, make_user):
    client = login(make_user("admin", None))
    french = _csv(client.get("/dashboard/sites.csv", headers=FR), ";")
    assert french[0][0] == "Centre"
    gr = french[1]
    # GR coordinating: 2 executed, 23 days, ceiling 45, 100 %, 30.5 days from receipt, target 20, 50 %.
    assert gr[:2] == ["GR", "Coordonnateur"] and gr[2:9] == ["2", "23", "45", "100", "30,5", "20", "50"]
    english = _csv(client.get("/dashboard/sites.csv", headers=EN), ",")
    assert english[0][:4] == ["Site", "Role", "Executed site agreements",
                              "Median days to signature (from the site's clock start)"]
    assert english[1][2:9] == ["2", "23", "45", "100", "30.5", "20", "50"]
    assert english[3][:2] == ["IB", "Associated"] and english[3][2:5] == ["1", "20", "15"]
    assert english[3][5] == "0"  # P at IB signed 20 days after the agreement: over its 15
    by_phase = _csv(client.get("/dashboard/sites.csv?by=phase", headers=EN), ",")
    assert by_phase[0][2] == "Phase" and [r[:3] for r in by_phase[1:]] == [
        ["GR", "Coordinating", "I"], ["GR", "Coordinating", "II"], ["IB", "Coordinating", "II"],
        ["IB", "Associated", "I"]]


def test_the_figures_csv_in_french_has_french_labels_and_decimal_commas(site_history, login, make_user):
    client = login(make_user("admin", None))
    rows = dict(_csv(client.get("/dashboard/metrics.csv", headers=FR), ";")[1:])
    english = dict(_csv(client.get("/dashboard/metrics.csv", headers=EN), ",")[1:])
    assert english["Median days from receipt to full execution"] == "44"
    assert english["Median days from the complete file to full execution"] == "37"
    within = english["Stages finished within their deadline (%)"]
    assert "." in within and rows["Étapes terminées dans les délais (%)"] == within.replace(".", ",")


def test_the_dashboard_workbook_has_every_table_typed(site_history, login, make_user):
    client = login(make_user("admin", None))
    response = client.get("/dashboard/dashboard.xlsx", headers=EN)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == ["Figures", "Sites", "By sponsor", "By phase", "By year signed", "Activation",
                               "Contracts"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2" and all(c.font.bold for c in sheet[1])
    sites = book["Sites"]
    gr = [c.value for c in sites[2]]
    assert gr[:2] == ["GR", "Coordinating"] and gr[2:9] == [2, 23, 45, 100, 30.5, 20, 50]
    assert all(sites.cell(row=2, column=i).data_type == "n" for i in range(3, 12))
    figures = {r[0].value: r[1].value for r in book["Figures"].iter_rows(min_row=2)}
    assert figures["Median days from receipt to full execution"] == 44
    contracts = book["Contracts"]
    received = [r[3] for r in contracts.iter_rows(min_row=2)]
    assert received and all(c.is_date for c in received)
    assert book["By year signed"]["C2"].value == 2026


def test_the_national_survey_has_stable_columns_per_executed_site_track(site_history, login, make_user):
    client = login(make_user("admin", None))
    for headers, separator in ((FR, ";"), (EN, ",")):
        rows = _csv(client.get("/dashboard/survey.csv", headers=headers), separator)
        assert tuple(rows[0]) == COLUMNS  # the same names in every language
    by_track = {(r[0], r[6]): dict(zip(COLUMNS, r)) for r in rows[1:]}
    refs = site_history["refs"]
    assert set(by_track) == {(refs["P"], "GR"), (refs["P"], "IB"), (refs["Q"], "IB"), (refs["R"], "GR")}
    ib = by_track[(refs["P"], "IB")]
    assert {k: ib[k] for k in ("sponsor", "phase", "site_role", "received_on", "clock_start_on", "signed_on",
                               "days_from_receipt", "days_to_signature", "ceiling_on", "within_ceiling",
                               "site_held_working_days", "sponsor_held_calendar_days", "within_target",
                               "negotiation_rounds")} == {
        "sponsor": "Novacure Oncology SA", "phase": "I", "site_role": "associated", "received_on": "2026-01-05",
        "clock_start_on": "2026-01-29", "signed_on": "2026-02-18", "days_from_receipt": "44",
        "days_to_signature": "20", "ceiling_on": "2026-02-13", "within_ceiling": "0", "site_held_working_days": "11",
        "sponsor_held_calendar_days": "5", "within_target": "1", "negotiation_rounds": "1"}
    q = by_track[(refs["Q"], "IB")]
    assert (q["days_to_signature"], q["ceiling_on"], q["within_ceiling"]) == ("46", "2026-03-23", "1")


def test_a_site_manager_surveys_their_own_site(site_history, login, make_user):
    own = _csv(login(make_user("manager", "GR")).get("/dashboard/survey.csv", headers=EN), ",")[1:]
    assert len(own) == 2
    assert {r[6] for r in own} == {"GR"}  # a site's manager exports their own site's tracks
