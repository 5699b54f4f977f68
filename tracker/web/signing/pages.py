"""Public pages of signing: the page a signatory's link opens, the code that confirms it, the executed copy,
and the verification of an executed agreement. None needs an account; the link's token is the key.

A token that is not one we sent answers 404 exactly like an address that does not exist; a used,
expired or replaced link says which (410).
"""
from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from tracker.mail.smtp import send_now
from tracker.database import utcnow
from tracker.documents.preview import PreviewUnavailable
from tracker.errors import DomainError, InvalidInput
from tracker.extensions import db, limiter
from tracker.signing import links, online
from tracker.signing.executed import executed_of
from tracker.signing.pdf import document_pdf
from tracker.signing.verification import verify as verify_digest
from tracker.transaction import atomic

bp = Blueprint("signing", __name__)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _link(token: str, purpose: str = "sign"):
    """The usable link, or the page that says why it is not (404 for a token we never sent)."""
    try:
        return links.find(token, utcnow(), purpose), None
    except links.LinkUnusable as exc:
        status = 404 if exc.reason == "unknown" else 410
        return None, (render_template("signing/unusable.html", reason=exc.reason, link=exc.link), status)


def _refused(exc: DomainError, link, status: int = 409):
    return render_template("signing/unusable.html", reason=getattr(exc, "reason", "refused"), link=link,
                           message=exc.explain()), status


def _agreements(link) -> list[dict]:
    """Each agreement this session signs: its site, fixed version and the SHA-256 of its PDF."""
    return [{"site": signatory.track.site, "fixed": fixed, "document": fixed.document, "pdf": _kept_pdf(fixed)}
            for signatory, fixed in online.group(link)]


def _page(link, token: str, errors: dict | None = None, typed: str = "", status: int = 200, reason: str = ""):
    signatory = link.signatory
    fixed = link.fixed_version
    return render_template("signing/sign.html", token=token, link=link, signatory=signatory,
                           agreements=_agreements(link),
                           track=signatory.track, contract=signatory.track.contract, fixed=fixed,
                           document=fixed.document, errors=errors or {}, typed=typed,
                           consent=online.consent_text(signatory.party), pdf=_kept_pdf(fixed),
                           reason=reason), status


def _kept_pdf(fixed) -> str | None:
    from tracker.signing.pdf import kept_sha256

    return kept_sha256(fixed.document)


@bp.get("/sign/<token>")
def page(token: str):
    """What the signatory signs: the agreement (PDF and .docx), its SHA-256, the party, their name."""
    link, refusal = _link(token)
    if refusal:
        return refusal
    try:
        online.check_signable(link)
    except online.SigningRefused as exc:
        return _refused(exc, link)
    return _page(link, token)


def _attempt(token: str, operation, invalid):
    """Find the link, run ``operation(link)`` in one transaction, and answer its refusals: (link, result) and
    None, or None and the page that says what went wrong (``invalid(link, exc)`` for bad input)."""
    link, refusal = _link(token)
    if refusal:
        return None, refusal
    try:
        with atomic():
            return (link, operation(link)), None
    except InvalidInput as exc:
        return None, invalid(link, exc)
    except DomainError as exc:
        return None, _refused(exc, link)


@bp.post("/sign/<token>")
@limiter.limit("20 per minute")
def start(token: str):
    """The name typed and the consent: a code goes to the signatory's address."""
    typed = request.form.get("name", "")
    done, refusal = _attempt(token, lambda link: online.code_mail_key(
        online.start(link, typed, request.form.get("consent"), now=utcnow())),
        lambda link, exc: _page(link, token, exc.errors, typed[:200], 422))
    if refusal:
        return refusal
    send_now([done[1]], utcnow())  # the code goes now; only a failure waits for the outbox's retry
    return redirect(url_for("signing.code", token=token), 303)


@bp.post("/sign/<token>/decline")
@limiter.limit("20 per minute")
def decline(token: str):
    """The signatory declines, with a reason: the link dies and the site is told why."""
    reason = request.form.get("reason", "")
    done, refusal = _attempt(token, lambda link: online.decline(link, reason, now=utcnow()),
                             lambda link, exc: _page(link, token, exc.errors, status=422,
                                                     reason=reason[:online.MAX_REASON]))
    if refusal:
        return refusal
    signatory = done[0].signatory
    return render_template("signing/declined.html", signatory=signatory, track=signatory.track,
                           contract=signatory.track.contract)


@bp.route("/sign/<token>/code", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def code(token: str):
    """The code from the e-mail: a right one signs, a wrong one is counted."""
    link, refusal = _link(token)
    if refusal:
        return refusal
    row = online.latest_code(link)
    if row is None or row.used_at is not None:
        return redirect(url_for("signing.page", token=token), 303)
    error, status = None, 200
    signatory = link.signatory
    if request.method == "POST":
        try:
            with atomic():
                outcome = online.confirm(link, row, request.form.get("code"), now=utcnow(),
                                         ip_address=request.remote_addr, user_agent=request.user_agent.string)
        except DomainError as exc:
            return _refused(exc, link)
        if outcome.signed:
            return render_template("signing/signed.html", signature=outcome.signature, signatory=signatory,
                                   contract=signatory.track.contract, track=signatory.track)
        error = _("This is not the code we sent. %(n)d tries left.", n=outcome.tries_left) if outcome.tries_left \
            else _("Too many wrong codes; ask for a new one.")
        status = 422
    return render_template("signing/code.html", token=token, link=link, signatory=signatory,
                           track=signatory.track, contract=signatory.track.contract, code=row,
                           fixed=link.fixed_version, document=link.fixed_version.document, error=error), status


def _signable_document(token: str):
    """The fixed version a usable link signs (``?site=CODE`` for another site's agreement of the same session),
    or the page that says why there is none."""
    link, refusal = _link(token)
    if refusal:
        return None, refusal
    try:
        online.check_signable(link)
    except online.SigningRefused as exc:
        return None, _refused(exc, link)
    site = request.args.get("site")
    if not site:
        return link.fixed_version.document, None
    for signatory, fixed in online.group(link):
        if signatory.track.site.code == site:
            return fixed.document, None
    abort(404)


@bp.get("/sign/<token>/agreement.pdf")
def agreement_pdf(token: str):
    """The fixed version as PDF, shown in the browser."""
    document, refusal = _signable_document(token)
    if refusal:
        return refusal
    try:
        with atomic():
            data = document_pdf(document, now=utcnow())
    except PreviewUnavailable as exc:
        return render_template("errors/error.html", status=503, title=_("PDF unavailable"),
                               message=exc.message), 503
    name = document.filename.rsplit(".", 1)[0] + ".pdf"
    return send_file(BytesIO(data), mimetype="application/pdf", as_attachment=False, download_name=name)


@bp.get("/sign/<token>/agreement.docx")
def agreement_docx(token: str):
    """The fixed version as the Word file whose SHA-256 the page shows."""
    document, refusal = _signable_document(token)
    if refusal:
        return refusal
    return send_file(BytesIO(document.content), mimetype=DOCX, as_attachment=True, download_name=document.filename)


@bp.get("/signed/<token>")
def copy(token: str):
    """The executed agreement, for a signatory, from the link sent once every party had signed."""
    link, refusal = _link(token, "copy")
    if refusal:
        return refusal
    agreement = executed_of(link.signatory.track)
    if agreement is None:
        abort(404)
    document = agreement.document
    return send_file(BytesIO(document.content), mimetype="application/pdf", as_attachment=True,
                     download_name=document.filename)


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def verify():
    """Is this PDF (or this SHA-256) an executed agreement of this tracker, and whose?"""
    if request.method == "GET":
        return render_template("signing/verify.html", verdict=None, errors={})
    try:
        upload = request.files.get("file")
        data = upload.read() if upload is not None and upload.filename else None
    except RequestEntityTooLarge:
        abort(413)
    try:
        verdict = verify_digest(data, request.form.get("sha256"))
    except DomainError as exc:
        db.session.rollback()
        return render_template("signing/verify.html", verdict=None,
                               errors=getattr(exc, "errors", None) or {"file": exc.message}), 422
    return render_template("signing/verify.html", verdict=verdict, errors={})
