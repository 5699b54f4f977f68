"""Admin page for the alert outbox: what is queued, sent or failed, and a retry for failures."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from tracker.access import role_required
from tracker.mail.outbox import retry
from tracker.audit import Actor
from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import Contract, OutboxMessage
from tracker.models.notifications import OUTBOX_STATUSES
from tracker.web.shared.helpers import attempt
from tracker.web.shared.paging import page_number, pager

bp = Blueprint("admin_outbox", __name__, url_prefix="/admin/outbox")

STATUS_LABELS = {"queued": _l("Queued"), "sending": _l("Sending"), "sent": _l("Sent"), "failed": _l("Failed"),
                 "superseded": _l("Superseded: no longer true when its turn came"),
                 "held": _l("Held for the person's daily digest"), "digested": _l("Sent in a daily digest"),
                 "imported": _l("Imported: raised by a history loaded in bulk, never sent")}
KIND_LABELS = {"warning": _l("Deadline soon"), "breach": _l("Deadline missed"), "escalation": _l("Escalation"),
               "sponsor_reminder": _l("Reminder to the sponsor"), "ceiling_warning": _l("Regulatory deadline soon"),
               "ceiling_breach": _l("Regulatory deadline missed"), "conformity_issue": _l("Conformity issue"),
               "digest": _l("Daily digest"), "invitation": _l("Invitation"), "password_reset": _l("Password link"),
               "message": _l("Message about a contract"), "sponsor_file": _l("File sent to the sponsor"),
               "signing_link": _l("Signing link"), "signing_code": _l("Signing code"),
               "signing_executed": _l("Executed agreement"), "webhook_failed": _l("Webhook given up"),
               "redline_received": _l("Redline received"), "sponsor_replied": _l("Sponsor's reply"),
               "conformity_started": _l("Conformity check starts"), "signature_recorded": _l("Signature recorded"),
               "notice_digest": _l("Daily digest of notifications")}


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
    page = db.paginate(stmt, page=page_number(), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    counts = dict(db.session.execute(
        db.select(OutboxMessage.status, db.func.count(OutboxMessage.id)).group_by(OutboxMessage.status)).all())
    contract_ids = {m.contract_id for m in page.items if m.contract_id}
    references = dict(db.session.execute(
        db.select(Contract.id, Contract.reference).where(Contract.id.in_(contract_ids))).all()) if contract_ids else {}
    return render_template("admin/outbox.html", page=page, status=status, counts=counts, references=references,
                           statuses=OUTBOX_STATUSES, labels=STATUS_LABELS, kinds=KIND_LABELS, form=RetryForm(),
                           pager=pager(page, status=status or None))


@bp.post("/<int:message_id>/retry")
@login_required
@role_required("admin")
def retry_message(message_id: int):
    """Queue a failed message again, due now."""
    if not RetryForm().validate_on_submit():
        abort(400)
    if db.session.get(OutboxMessage, message_id) is None:
        abort(404)
    attempt(lambda: retry(message_id, now=utcnow(), actor=Actor.of(current_user)),
            done=_("Message %(id)d is queued again.", id=message_id))
    status = request.args.get("status", "")
    return redirect(url_for("admin_outbox.index", status=status if status in OUTBOX_STATUSES else None))
