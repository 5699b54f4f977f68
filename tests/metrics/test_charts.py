"""The dashboard's charts: the reference lines fall on the axis labels they name."""
from __future__ import annotations

import re

from tracker.metrics.charts import Chart, render


def _band_chart(app) -> str:
    starts = [str(day) for day in range(0, 135, 15)]
    with app.test_request_context():
        return str(render(Chart("c", "Days", "Days to execution", "Days", "Contracts", starts,
                                [("Executed", [1, 3, 4, 2, 0, 1, 0, 0, 1])],
                                x_markers=[(45 / 15, "45-day ceiling"), (60 / 15, "60-day target"),
                                           (111 / 15, "111-day average")], bands=True)))


def test_band_labels_sit_on_the_band_edges_where_the_day_lines_are(app):
    svg = _band_chart(app)
    labels = {text: float(x) for x, text in re.findall(r'<text x="([\d.]+)" y="252\.0"[^>]*>(\d+)</text>', svg)}
    lines = [float(x) for x in re.findall(r'<line x1="([\d.]+)" y1="36" x2="\1" y2="236" stroke="#a4161a"', svg)]
    assert labels["60"] == lines[1]  # the 60-day line goes through the "60" label, not half a bar before it
    assert labels["30"] < lines[0] < labels["60"] and labels["90"] < lines[2] < labels["120"]
    # and each label has its tick on the axis
    assert all(f'<line x1="{x:.1f}" y1="236" x2="{x:.1f}" y2="240"' in svg for x in labels.values())


def test_month_labels_stay_under_their_points(app):
    with app.test_request_context():
        svg = str(render(Chart("t", "Trend", "Median", "Month", "Days", ["Jan", "Feb"], [("Median", [50, 70])],
                               line=True)))
    circles = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)]
    labels = [float(x) for x, _t in re.findall(r'<text x="([\d.]+)" y="252\.0"[^>]*>(Jan|Feb)</text>', svg)]
    assert circles == labels


def test_the_scale_speaks_the_readers_language(app):
    chart = Chart("s", "Held", "Days held", "Sponsor", "Days", ["A", "B"], [("Days", [1200, 2400])])
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        french = str(render(chart))
    with app.test_request_context(headers={"Accept-Language": "en"}):
        english = str(render(chart))
    assert ">2\u202f500</text>" in french or ">2\xa0500</text>" in french
    assert ">2,500</text>" in english
