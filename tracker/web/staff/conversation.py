"""The staff side of the conversation with a sponsor: the contract page's messages section.

The staff contract page includes ``portal/_staff_messages.html``; the context processor
here gives it the messages, the form and whether the person may invite the sponsor's
contacts, so the staff view itself needs no change.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice

from tracker.access import contract_route, role_required
from tracker.database import utcnow
from tracker.models import Contract
from tracker.people.invitations import may_manage
from tracker.people.roles import STAFF_ROLES
from tracker.portal.messages import contract_messages, post_message, visible_message, writable_tracks
from tracker.web.shared.helpers import attempt

bp = Blueprint("conversation", __name__)


class StaffMessageForm(FlaskForm):
    site = SelectField(_l("For the site"), validate_choice=False)
    body = TextAreaField(_l("Message to the sponsor"))


def conversation(contract: Contract) -> dict:
    """What the messages section of the staff contract page shows."""
    tracks = writable_tracks(current_user, contract)
    form = StaffMessageForm(prefix="msg", formdata=None)
    form.site.choices = [SelectChoice(t.site.code, t.site.name) for t in tracks]
    return {"messages": contract_messages(contract), "form": form if tracks else None,
            "may_invite": may_manage(current_user, contract.sponsor_id)}


@bp.app_context_processor
def helpers():
    return {"conversation": conversation}


@bp.post("/contracts/<reference>/messages")
@login_required
@role_required(*STAFF_ROLES)
@contract_route
def write(contract: Contract):
    """A message to the sponsor about this contract; the sponsor's contacts hear of it by e-mail."""
    form = StaffMessageForm(prefix="msg")
    if not form.validate_on_submit():
        abort(400)
    done, result = attempt(lambda: post_message(contract, form.body.data, author=current_user, now=utcnow(),
                                                site_code=form.site.data))
    if done:
        flash(_("Message sent to %(sponsor)s.", sponsor=contract.sponsor.name), "success")
        return redirect(url_for("contracts.show", reference=contract.reference) + f"#message-{result.id}", 303)
    return redirect(url_for("contracts.show", reference=contract.reference) + "#messages", 303)


@bp.get("/messages/<int:message_id>")
@login_required
@role_required(*STAFF_ROLES)
def message(message_id: int):
    """A message's place on the staff contract page."""
    found = visible_message(current_user, message_id)
    if found is None:
        abort(404)
    return redirect(url_for("contracts.show", reference=found.contract.reference) + f"#message-{found.id}", 303)
