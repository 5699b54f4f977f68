"""What a sponsor user does from the portal: download, send a redline, act on a track, write to a site.

Every route loads the contract (or document, or message) through the sponsor's own
visibility, so another sponsor's ids answer 404 exactly like ids that do not exist.
"""
from __future__ import annotations

import logging
from io import BytesIO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker.access import contract_route, role_required
from tracker.database import utcnow
from tracker.documents import comparisons
from tracker.errors import DomainError, Forbidden, InvalidInput
from tracker.extensions import db, limiter
from tracker.models import Contract, Document
from tracker.stages import rules
from tracker.portal.documents import may_download
from tracker.portal.messages import post_message, visible_message
from tracker.portal.replies import send_redline, sponsor_action
from tracker.transaction import atomic
from tracker.web.shared.comparing import comparison_page
from tracker.web.shared.helpers import attempt
from tracker.web.portal import bp, uploader
from tracker.web.portal.pages import MessageForm, RedlineForm, SponsorActionForm, contract_page

log = logging.getLogger(__name__)


def _to(contract: Contract, anchor: str = ""):
    return redirect(url_for("portal.contract", reference=contract.reference) + anchor, 303)


@bp.get("/documents/<int:document_id>")
@login_required
@role_required("sponsor")
def download(document_id: int):
    """A version sent to the sponsor, or one of its redlines, as an attachment."""
    document = db.session.get(Document, document_id)
    if not may_download(current_user, document):
        abort(404)
    return send_file(BytesIO(document.content), as_attachment=True, download_name=document.filename,
                     mimetype=document.media_type)


@bp.post("/contracts/<reference>/redlines")
@limiter.limit("20 per minute", key_func=uploader)
@login_required
@role_required("sponsor")
@contract_route
def upload(contract: Contract):
    """The sponsor's marked-up .docx, with its reply; then the comparison with what the site sent."""
    form = RedlineForm(prefix="redline")
    if not form.validate_on_submit():
        abort(400)
    upload = form.file.data

    def work():
        if not upload or not upload.filename:
            raise InvalidInput({"file": _("Choose the .docx file to upload.")})
        return send_redline(contract, form.site.data, upload.read(), reply=bool(form.reply.data),
                            comment=(form.comment.data or "").strip() or None, author=current_user, now=utcnow())

    done, result = attempt(work)
    if not done:
        for name, message in (getattr(result, "errors", None) or {"file": result.explain()}).items():
            if hasattr(form, name) and name != "csrf_token":
                form[name].errors = [message]
        return contract_page(contract, redline_form=form, status=result.status)
    flash(_("Redline received as version %(n)d.", n=result.version) + (
        " " + _("Your reply is recorded: it is the site's move.") if form.reply.data else ""), "success")
    if result.compared_to_id is None:
        return _to(contract, "#documents")
    return redirect(url_for("portal.compare", reference=contract.reference, document_id=result.id), 303)


@bp.get("/contracts/<reference>/documents/<int:document_id>/compare")
@login_required
@role_required("sponsor")
@contract_route
def compare(contract: Contract, document_id: int):
    """The sponsor's redline beside the version the site sent, clause by clause."""
    document = db.session.get(Document, document_id)
    if document is None or document.contract_id != contract.id or not may_download(current_user, document):
        abort(404)
    if not comparisons.compared(document):
        abort(404)
    shown, unavailable = comparison_page(document)
    sent = db.session.get(Document, document.compared_to_id)
    return render_template("portal/compare.html", contract=contract, document=document, sent=sent,
                           shown=shown, unavailable=unavailable)


@bp.post("/contracts/<reference>/tracks/<int:track_id>/actions")
@login_required
@role_required("sponsor")
@contract_route
def act(contract: Contract, track_id: int):
    """Submit documents, reply, or record the sponsor's signature on one site's track."""
    track = next((t for t in contract.tracks if t.id == track_id), None)
    if track is None:
        abort(404)
    action = request.form.get("action", "")
    form = SponsorActionForm(prefix=f"t{track.id}-{action}")
    if not form.validate_on_submit():
        abort(400)
    version = form.version.data or ""
    try:
        with atomic():
            event = sponsor_action(track, action, author=current_user, now=utcnow(), comment=form.comment.data,
                                   signed_on=form.signed_on.data,
                                   expected_version=int(version) if version.isdigit() and len(version) < 10 else None)
    except Forbidden:
        abort(403)  # the page offers only the sponsor's own moves: this came from elsewhere
    except DomainError as exc:
        flash(_("Not done: %(why)s", why=exc.explain()), "error")
        return _to(contract, f"#track-{track.site.code}")
    flash(_("%(what)s at %(site)s.", what=rules.event_label(event.action, event.party), site=track.site.name),
          "success")
    return _to(contract, f"#track-{track.site.code}")


@bp.post("/contracts/<reference>/messages")
@login_required
@role_required("sponsor")
@contract_route
def write(contract: Contract):
    """A message to one site of the contract; its legal staff hear of it by e-mail."""
    form = MessageForm(prefix="msg")
    if not form.validate_on_submit():
        abort(400)
    done, result = attempt(lambda: post_message(contract, form.body.data, author=current_user, now=utcnow(),
                                                site_code=form.site.data))
    if not done:
        form.body.errors = [result.explain()]
        return contract_page(contract, message_form=form, status=result.status)
    flash(_("Message sent to %(site)s.", site=result.site.name), "success")
    return _to(contract, f"#message-{result.id}")


@bp.get("/messages/<int:message_id>")
@login_required
@role_required("sponsor")
def message(message_id: int):
    """A message's place in its contract's timeline."""
    found = visible_message(current_user, message_id)
    if found is None:
        abort(404)
    return _to(found.contract, f"#message-{found.id}")
