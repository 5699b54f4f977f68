"""Admin pages for webhooks: the list with a form to add one, deletion with confirmation, the deliveries."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice

from tracker.access import role_required
from tracker.audit import Actor
from tracker.database import utcnow
from tracker.errors import NotFound
from tracker.extensions import db
from tracker.models import Webhook, WebhookDelivery
from tracker.web.shared.forms import attempt_form, render_form
from tracker.web.shared.helpers import attempt
from tracker.web.shared.paging import page_number, pager
from tracker.webhooks import operations
from tracker.webhooks.payloads import EVENTS

bp = Blueprint("admin_webhooks", __name__, url_prefix="/admin/webhooks")

EVENT_LABELS = {"contract.created": _l("A contract is created"),
                "track.event": _l("Any action on a site's track"),
                "document.created": _l("A document version is stored"),
                "track.executed": _l("A site's agreement is executed")}
STATUS_LABELS = {"queued": _l("Waiting to be sent"), "sending": _l("Sending"), "delivered": _l("Delivered"),
                 "given_up": _l("Given up")}


class WebhookForm(FlaskForm):
    url = StringField(_l("Address (URL)"), description=_l("Where to POST each event: https:// (or http://)."))
    secret = StringField(_l("Secret"), description=_l(
        "Signs each delivery (X-Tracker-Signature). Copy it into the receiving system now: it is not shown again."))
    events = SelectMultipleField(_l("Events"), choices=[SelectChoice(e, e) for e in EVENTS],
                                 option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False))


class ConfirmForm(FlaskForm):
    pass


def _hooks():
    return db.session.execute(db.select(Webhook).where(Webhook.deleted_at.is_(None)).order_by(Webhook.id)).scalars().all()


def _live(hook_id: int) -> Webhook:
    try:
        return operations.live(hook_id)
    except NotFound:
        abort(404)


@bp.route("", methods=["GET", "POST"])
@login_required
@role_required("admin")
def index():
    """The webhooks in use, and a form to register one."""
    form = WebhookForm()
    form.events.choices = [SelectChoice(e, f"{e} — {EVENT_LABELS[e]}") for e in EVENTS]
    problems: list[str] = []
    if form.is_submitted():
        if not form.validate() and "csrf_token" in form.errors:
            abort(400)
        data = {"url": form.url.data or "", "secret": form.secret.data or "", "events": form.events.data or []}
        done = attempt_form(form, lambda: operations.register(data, actor=Actor.of(current_user), now=utcnow()))
        if done.done:
            flash(_("The webhook is registered. Its first deliveries go out within a minute of the next event."),
                  "success")
            return redirect(url_for("admin_webhooks.index"))
        problems = done.problems
    else:
        form.secret.data = operations.new_secret()
        form.events.data = list(EVENTS)
    return render_form("admin/webhooks.html", form, problems, hooks=_hooks(), labels=EVENT_LABELS)


@bp.route("/<int:hook_id>/delete", methods=["GET", "POST"])
@login_required
@role_required("admin")
def delete(hook_id: int):
    """Ask, then stop the webhook; its delivery history stays."""
    hook = _live(hook_id)
    form = ConfirmForm()
    if form.is_submitted():
        if not form.validate():
            abort(400)
        attempt(lambda: operations.remove(hook, actor=Actor.of(current_user), now=utcnow()),
                              done=_("The webhook to %(url)s is deleted.", url=hook.url))
        return redirect(url_for("admin_webhooks.index"))
    return render_template("admin/webhook_delete.html", hook=hook, form=form)


@bp.get("/<int:hook_id>/deliveries")
@login_required
@role_required("admin")
def deliveries(hook_id: int):
    """Each delivery of a webhook, newest first, with every attempt's status and answer time."""
    hook = db.session.get(Webhook, hook_id) or abort(404)
    stmt = (db.select(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id)
            .order_by(WebhookDelivery.id.desc()))
    page = db.paginate(stmt, page=page_number(), per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("admin/webhook_deliveries.html", hook=hook, page=page, pager=pager(page),
                           statuses=STATUS_LABELS)
