"""The staff home page: my site's work queue, most urgent first, and its CSV export."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required

from tracker.access import role_required
from tracker.database import utcnow
from tracker.extensions import db
from tracker.metrics import queue
from tracker.models import Site, Sponsor
from tracker.models.contracts import PHASES
from tracker.people.roles import STAFF_ROLES
from tracker.stages import rules
from tracker.web.shared.csv_export import csv_response
from tracker.web.shared.xlsx_export import Sheet, xlsx_response
from tracker.web.shared.paging import Pager, page_number

bp = Blueprint("queue", __name__)


@bp.route("/")
@login_required
def index():
    """What needs me today: my site's open tracks, our move first and the most urgent on top."""
    if current_user.role not in STAFF_ROLES:
        return redirect(url_for("portal.index"))
    view = queue.parse_view(request.args, page_number())
    result = queue.queue_page(current_user, view, utcnow(), current_app.config["PAGE_SIZE"])
    out = _links_out(result["items"])
    moves = {item.row.id: move_words(item, out) for item in result["items"]}
    sponsors = db.session.execute(db.select(Sponsor.id, Sponsor.name).order_by(Sponsor.name)).all()
    sites = db.session.execute(db.select(Site.id, Site.code, Site.name).order_by(Site.code)).all()
    pager = Pager(view.page, result["pages"], lambda number: url_for("queue.index", **view.args(page=number)))
    return render_template("queue/index.html", view=view, moves=moves, sponsors=sponsors,
                           sites=[(code, name) for _id, code, name in sites],
                           site_codes={id_: code for id_, code, _name in sites},
                           phases=PHASES, stages=queue.OPEN_STAGES, tabs=queue.TABS, pager=pager, **result)


CSV_COLUMNS = (_l("Reference"), _l("Site"), _l("Sponsor"), _l("Trial"), _l("Phase"), _l("Stage"),
               _l("Negotiation round"), _l("Next move"), _l("Deadline"), _l("Due on"), _l("Working days left"),
               _l("Regulatory ceiling"), _l("Owner"))
# The deadline's status in words, as the queue page says it.
STATUS_WORDS = {"paused": _l("Paused: with the sponsor"), "breached": _l("Overdue"), "warning": _l("Due soon"),
                "on_track": _l("On track"), "none": _l("No deadline running")}


def _links_out(items) -> dict[int, set[str]]:
    """For the tracks in signature among these, the parties whose signing link is out (one query)."""
    from tracker.signing.links import parties_with_open_links

    return parties_with_open_links([i.row.id for i in items if i.row.stage == rules.SIGNATURE], utcnow())


def move_words(item, out: dict[int, set[str]] | None = None) -> str:
    """The next move in words: the action expected, the signing links to send or the signatures awaited, or
    whom the site waits for."""
    move, missing = queue.next_move(item.row, item.state)
    if move == "sign" and missing:
        if all(p in (out or {}).get(item.row.id, ()) for p in missing):
            return ngettext("Waiting for %(num)d signature", "Waiting for %(num)d signatures", len(missing))
        return _("Send the signing links")
    if move in rules.ACTIONS:
        return str(rules.ACTIONS[move].label)
    return {"sponsor": _("Waiting for the sponsor"), "coordinator": _("Waiting for the coordinating site")}.get(move, "")


def _csv_rows(items, codes: dict[int, str]):
    out = _links_out(items)
    for item in items:
        row, state = item.row, item.state
        yield [row.reference, codes.get(row.site_id, ""), row.sponsor,
               " — ".join(x for x in (row.acronym, row.title) if x), row.phase,
               str(rules.STAGE_LABELS.get(row.stage, row.stage)), row.round, move_words(item, out),
               str(STATUS_WORDS.get(state.status, state.status)), state.due_on, state.working_days_left,
               state.regulatory_due_on, row.owner_name]


def _export_rows():
    view = queue.parse_view(request.args, 1)
    items = queue.all_rows(current_user, view, utcnow())
    codes = dict(db.session.execute(db.select(Site.id, Site.code)).all())
    return view, _csv_rows(items, codes)


@bp.route("/queue.csv")
@login_required
@role_required(*STAFF_ROLES)
def export():
    """The queue as it is filtered and sorted, every page, as CSV in the reader's language."""
    view, rows = _export_rows()
    return csv_response(f"queue-{view.tab}.csv", CSV_COLUMNS, rows)


@bp.route("/queue.xlsx")
@login_required
@role_required(*STAFF_ROLES)
def export_xlsx():
    """The same rows as an Excel workbook: typed numbers and dates, a frozen heading row."""
    view, rows = _export_rows()
    return xlsx_response(f"queue-{view.tab}.xlsx", [Sheet(_("Work queue"), list(CSV_COLUMNS), rows)])
