"""Admin page for the alert outbox: what is queued, sent or failed, and a retry for failures."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from tracker.access import role_required
from tracker.alerts.outbox import retry
from tracker.audit import Actor
from tracker.database import utcnow
from tracker.errors import Conflict, NotFound
from tracker.extensions import db
from tracker.models import Contract, OutboxMessage
from tracker.models.notifications import OUTBOX_STATUSES

bp = Blueprint("admin_outbox", __name__, url_prefix="/admin/outbox")

STATUS_LABELS = {"queued": _l("Queued"), "sending": _l("Sending"), "sent": _l("Sent"), "failed": _l("Failed")}


class RetryForm(FlaskForm):
    pass


@bp.get("")
@login_required
@role_required("admin")
def index():
    """The outbox, newest first, filtered by status and paginated."""
    status = request.args.get("status", "")
    if status not in OUTBOX_STATUSES:
        status = ""
    stmt = db.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    page = db.paginate(stmt, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    counts = dict(db.session.execute(
        db.select(OutboxMessage.status, db.func.count(OutboxMessage.id)).group_by(OutboxMessage.status)).all())
    contract_ids = {m.contract_id for m in page.items if m.contract_id}
    references = dict(db.session.execute(
        db.select(Contract.id, Contract.reference).where(Contract.id.in_(contract_ids))).all()) if contract_ids else {}
    return render_template("admin/outbox.html", page=page, status=status, counts=counts, references=references,
                           statuses=OUTBOX_STATUSES, labels=STATUS_LABELS, form=RetryForm())


@bp.post("/<int:message_id>/retry")
@login_required
@role_required("admin")
def retry_message(message_id: int):
    """Queue a failed message again, due now."""
    if not RetryForm().validate_on_submit():
        abort(400)
    try:
        retry(message_id, now=utcnow(), actor=Actor.of(current_user))
        db.session.commit()
    except NotFound:
        db.session.rollback()
        abort(404)
    except Conflict as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        flash(_("Message %(id)d is queued again.", id=message_id), "success")
    status = request.args.get("status", "")
    return redirect(url_for("admin_outbox.index", status=status if status in OUTBOX_STATUSES else None))
