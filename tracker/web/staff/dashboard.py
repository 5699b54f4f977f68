"""The managers' dashboard: what is at risk, the board, escalations, the figures and their charts."""
from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, render_template, request
from flask_babel import format_decimal, format_percent, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from tracker.access import role_required
from tracker.database import utcnow
from tracker.errors import InvalidInput
from tracker.extensions import db
from tracker.metrics import activation
from tracker.metrics import dashboard as data
from tracker.metrics import hourly
from tracker.metrics import sites as per_site
from tracker.metrics import survey
from tracker.metrics.charts import Chart, render
from tracker.metrics.figures import BENCHMARKS, Scope, cached, metrics
from tracker.metrics.filters import Filters, parse
from tracker.metrics.queue import QueueView, site_days
from tracker.models import Site, Sponsor
from tracker.models.contracts import PHASES
from tracker.stages import rules
from tracker.timeutil import local_date
from tracker.web.staff import dashboard_tables as tables
from tracker.web.shared.csv_export import csv_response
from tracker.web.shared.xlsx_export import xlsx_response

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
MANAGERS = ("manager", "admin")


def _filters() -> Filters:
    """The filters asked for; a manager's dashboard is always their own site's."""
    filters = parse(request.args)
    if current_user.role != "admin":
        site = db.session.get(Site, current_user.site_id)
        filters = replace(filters, site=site)
    return filters


def _breakdown() -> str:
    """The grouping asked for the per-site breakdown (sponsor, phase or year signed)."""
    by = (request.args.get("by") or "sponsor").strip()
    if by not in per_site.BREAKDOWNS:
        raise InvalidInput({"by": str(_l("Expected one of %(choices)s.", choices=", ".join(per_site.BREAKDOWNS)))})
    return by


def _site_rows(filters: Filters, by: str | None) -> list[dict]:
    """Each site on its own track, per role (and per group), kept until the next event."""
    return cached(current_user, filters, f"sites:{by}", lambda scope: per_site.by_role(scope, by))


def _site_tables(filters: Filters, by: str) -> dict[str, list[dict]]:
    """The page's two per-site tables (per role, and per group), from one set of queries, kept until the next event."""
    return cached(current_user, filters, f"sites+{by}", lambda scope: per_site.per_role_and_by(scope, by))


def pct(value) -> str:
    """A share given in percent (85.7), spelt the reader's way with one decimal ("85,7 %" in French)."""
    if value is None:
        return "—"
    pattern = get_locale().percent_formats[None].pattern
    return format_percent(value / 100, format=_one_decimal(pattern))


def _one_decimal(pattern: str) -> str:
    """The locale's percent pattern (#,##0 %) with one decimal place (#,##0.0 %)."""
    last = pattern.rfind("0")
    return pattern[:last + 1] + ".0" + pattern[last + 1:]


def _charts(kept: dict, figures: dict, live: dict) -> list[dict]:
    """The four charts, each with the table that says the same in numbers."""
    days = _("days")
    bins = data.distribution(kept["executed"])
    trend, sponsors = live["trend"], live["held_by_sponsor"]
    stages = figures["within_sla_by_stage"]
    # Whole-contract figures are set beside whole-contract references only: the 45- and 15-day
    # ceilings apply to each site's own track and are shown with the per-site figures.
    marks = [(BENCHMARKS["national_target_days"], _("60-day target")),
             (BENCHMARKS["historic_national_average_days"], _("111-day average"))]
    return [
        {"chart": Chart("chart-distribution", _("Days to full execution"),
                        _("How many executed contracts took each number of calendar days from the complete file "
                          "to the last signature at the last site, with the 60-day national target and the "
                          "111-day historic average marked."),
                        _("Calendar days from the complete file (%(n)d-day bands)", n=data.BIN),
                        _("Contracts"), [str(start) for start, _n in bins], [(_("Executed contracts"),
                                                                              [n for _s, n in bins])],
                        x_markers=[(value / data.BIN, label) for value, label in marks], bands=True),
         "head": (_("From day"), _("Contracts")), "rows": [(start, n) for start, n in bins if n]},
        {"chart": Chart("chart-trend", _("Monthly median of days to execution"),
                        _("For each of the last twelve months, the median calendar days from the complete file to "
                          "full execution of the contracts executed that month."),
                        _("Month of execution"), days, [m for m, _v, _n in trend],
                        [(_("Median days to execution"), [v for _m, v, _n in trend])], markers=marks, line=True),
         "head": (_("Month"), _("Median days"), _("Contracts")),
         "rows": [(m, format_decimal(v) if v is not None else "—", n) for m, v, n in trend]},
        {"chart": Chart("chart-held", _("Days held by each side, per sponsor"),
                        _("Median working days the site held and median calendar days the sponsor held each "
                          "executed site agreement, per sponsor."),
                        _("Sponsor"), days, [name for name, *_rest in sponsors],
                        [(_("Site (working days)"), [s for _n, s, _p, _c in sponsors]),
                         (_("Sponsor (calendar days)"), [p for _n, _s, p, _c in sponsors])]),
         "head": (_("Sponsor"), _("Site (working days)"), _("Sponsor (calendar days)"), _("Agreements")),
         "rows": sponsors},
        {"chart": Chart("chart-compliance", _("Stages finished within their deadline"),
                        _("For each stage, the share of finished stage visits that ended by their due date."),
                        _("Stage"), "%", [str(rules.STAGE_LABELS[s]) for s in stages],
                        [(_("Within the deadline"), [v["pct"] for v in stages.values()])], y_max=100),
         "head": (_("Stage"), _("Finished"), _("Within the deadline"), "%"),
         "rows": [(rules.STAGE_LABELS[s], v["finished"], v["within"], v["pct"]) for s, v in stages.items()]},
    ]


@bp.errorhandler(InvalidInput)
def bad_filter(exc: InvalidInput):
    """A download asked with a filter that makes no sense: say which, change nothing."""
    return render_template("errors/error.html", status=422, title=_("Invalid filter"), message=exc.explain()), 422


@bp.get("/")
@login_required
@role_required(*MANAGERS)
def index():
    """At risk, the board, escalations and the figures, for a site or (admins) the partnership."""
    sites = db.session.execute(db.select(Site).order_by(Site.code)).scalars().all()
    sponsors = db.session.execute(db.select(Sponsor.id, Sponsor.name).order_by(Sponsor.name)).all()
    choices = {"sites": sites, "sponsors": sponsors, "phases": PHASES, "args": request.args,
               "breakdowns": tables.GROUP_LABELS}
    try:
        filters = _filters()
        by = _breakdown()
    except InvalidInput as exc:
        return render_template("dashboard/index.html", errors=exc.errors, **choices), 422
    now = utcnow()
    kept: dict = {}
    figures = metrics(current_user, filters, keep=kept)
    scope = kept["scope"]
    days = site_days(current_user, QueueView(site=filters.site.code if filters.site else None), now)
    today = local_date(now, days[0].timezone) if days else local_date(now)
    live = hourly.live(current_user, filters, scope, days, kept["held"], now, today)
    return render_template(
        "dashboard/index.html", errors={}, filters=filters, figures=figures, benchmarks=BENCHMARKS,
        at_risk=live["at_risk"], overdue=live["overdue"], board=live["board"],
        escalations=live["escalations"], charts=_charts(kept, figures, live), chart=render,
        site_codes={s.id: s.code for s in sites}, by=by, limits=tables.ceilings(), pct=pct,
        **_site_tables(filters, by), activation=live["activation"],
        role_label=lambda role: str(rules.ROLE_LABELS.get(role, role)).capitalize(), **choices)


@bp.get("/metrics.csv")
@login_required
@role_required(*MANAGERS)
def metrics_csv():
    """The figures on the dashboard, one per line, in the reader's language, under the same filters."""
    return csv_response("metrics.csv", *tables.figure_table(metrics(current_user, _filters())))


@bp.get("/figures.csv")
@login_required
@role_required(*MANAGERS)
def figures_csv():
    """The per-contract figures behind the metrics (one line per contract and closed site agreement)."""
    return csv_response("contract-figures.csv", *tables.contract_table(Scope.of(current_user, _filters())))


@bp.get("/sites.csv")
@login_required
@role_required(*MANAGERS)
def sites_csv():
    """Each site on its own track, per role, or per sponsor, phase or year signed with ``by``."""
    filters = _filters()
    by = _breakdown() if request.args.get("by") else None
    return csv_response(f"sites-{by}.csv" if by else "sites.csv",
                        *tables.site_table(_site_rows(filters, by), by, tables.ceilings()))


@bp.get("/activation.csv")
@login_required
@role_required(*MANAGERS)
def activation_csv():
    """Per site: median days from signature to activation and from activation to the first patient."""
    return csv_response("activation.csv", *tables.activation_table(
        activation.site_medians(Scope.of(current_user, _filters()))))


@bp.get("/dashboard.xlsx")
@login_required
@role_required(*MANAGERS)
def workbook():
    """Every table of the dashboard as an Excel workbook: typed cells, frozen headings."""
    filters = _filters()
    figures = metrics(current_user, filters)
    both = {by: _site_tables(filters, by) for by in per_site.BREAKDOWNS}
    breakdowns = {by: pair["breakdown"] for by, pair in both.items()}
    sheets = tables.workbook_sheets(figures, Scope.of(current_user, filters), breakdowns,
                                    both["sponsor"]["per_role"])
    return xlsx_response("dashboard.xlsx", sheets)


@bp.get("/survey.csv")
@login_required
@role_required(*MANAGERS)
def survey_csv():
    """The national survey export: one line per executed site agreement, in stable columns (README)."""
    scope = Scope.of(current_user, _filters())
    return csv_response("national-survey.csv", survey.COLUMNS, survey.survey_rows(scope))
