"""Staff pages for a sponsor's contacts: invite by e-mail, re-send, disable and enable.

Staff of a site taking part in one of the sponsor's contracts, or an admin, manage that
sponsor's contacts; for anyone else the sponsor and its contacts do not exist (404).
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from tracker.access import role_required
from tracker.audit import Actor
from tracker.contracts.visibility import load_contract
from tracker.database import utcnow
from tracker.errors import DomainError
from tracker.extensions import db
from tracker.models import Sponsor, User
from tracker.people import accounts, invitations
from tracker.people.roles import STAFF_ROLES
from tracker.web.shared.helpers import attempt

bp = Blueprint("invitations", __name__)


class InviteForm(FlaskForm):
    name = StringField(_l("Name"))
    email = EmailField(_l("E-mail"))
    sponsor_id = SelectField(_l("Sponsor"), validate_choice=False)
    language = SelectField(_l("Language of the e-mails"), choices=[
        SelectChoice("fr", "Français"), SelectChoice("en", "English")])


class ButtonForm(FlaskForm):
    pass


def _sponsors():
    return db.session.execute(invitations.manageable_sponsors(current_user)).scalars().all()


def _contacts(sponsor_ids: list[int]) -> list[User]:
    if not sponsor_ids:
        return []
    return db.session.execute(db.select(User).where(User.role == "sponsor", User.sponsor_id.in_(sponsor_ids))
                              .order_by(User.sponsor_id, User.name)).scalars().all()


def _back():
    """Back to the contract the form was opened from, if the person may see it, else to the list."""
    contract = load_contract(request.args.get("contract", ""), current_user)
    return url_for("contracts.show", reference=contract.reference) if contract else None


def _page(sponsors: list[Sponsor], selected: Sponsor | None):
    form = InviteForm()
    form.sponsor_id.choices = [SelectChoice(str(s.id), s.name) for s in sponsors]
    if request.method == "GET" and selected is not None:
        form.sponsor_id.data = str(selected.id)
        form.language.data = selected.language or ("fr" if (selected.country or "FR") == "FR" else "en")
    errors = {}
    if form.validate_on_submit():
        data = {"name": form.name.data, "email": form.email.data, "sponsor_id": form.sponsor_id.data,
                "language": form.language.data}
        done, result = attempt(lambda: invitations.invite(data, actor=Actor.of(current_user), now=utcnow()))
        if done:
            flash(_("Invitation e-mailed to %(email)s; the link works once, for 7 days.", email=result.user.email),
                  "success")
            return redirect(request.full_path if request.query_string else request.path, 303)
        errors = getattr(result, "errors", {}) or {}
        for name, message in errors.items():
            if hasattr(form, name):
                getattr(form, name).errors.append(message)
    elif request.method == "POST":
        abort(400)
    shown = [selected] if selected else sponsors
    contacts = _contacts([s.id for s in shown])
    return render_template("portal/contacts.html", form=form, sponsor=selected, contacts=contacts,
                           pending=invitations.pending_ids([u.id for u in contacts]), button=ButtonForm(),
                           back=_back()), (422 if errors else 200)


@bp.route("/invitations", methods=["GET", "POST"])
@login_required
@role_required(*STAFF_ROLES)
def index():
    """Every sponsor contact this person may manage, and the invitation form."""
    return _page(_sponsors(), None)


@bp.route("/sponsors/<int:sponsor_id>/contacts", methods=["GET", "POST"])
@login_required
@role_required(*STAFF_ROLES)
def sponsor(sponsor_id: int):
    """One sponsor's contacts, and the invitation form for it."""
    sponsors = _sponsors()
    selected = next((s for s in sponsors if s.id == sponsor_id), None)
    if selected is None:
        abort(404)
    return _page(sponsors, selected)


def _act(user_id: int, work, done: str):
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        user = invitations.managed_user(current_user, user_id)
    except DomainError:
        abort(404)
    attempt(lambda: work(user), done=done % {"email": user.email})
    return redirect(url_for("invitations.sponsor", sponsor_id=user.sponsor_id) + f"#contact-{user.id}", 303)


@bp.post("/sponsor-contacts/<int:user_id>/resend")
@login_required
@role_required(*STAFF_ROLES)
def resend(user_id: int):
    """A fresh link by e-mail; the one sent before stops working."""
    return _act(user_id, lambda u: invitations.resend(u, actor=Actor.of(current_user), now=utcnow()),
                _("New link e-mailed to %(email)s."))


@bp.post("/sponsor-contacts/<int:user_id>/disable")
@login_required
@role_required(*STAFF_ROLES)
def disable(user_id: int):
    """Close the account: its sessions and API tokens end at once."""
    return _act(user_id, lambda u: accounts.disable_user(u, actor=Actor.of(current_user), now=utcnow()),
                _("%(email)s is disabled: signed out everywhere, API tokens revoked."))


@bp.post("/sponsor-contacts/<int:user_id>/enable")
@login_required
@role_required(*STAFF_ROLES)
def enable(user_id: int):
    """Open a disabled account again (its old sessions and tokens stay ended)."""
    return _act(user_id, lambda u: accounts.enable_user(u, actor=Actor.of(current_user), now=utcnow()),
                _("%(email)s can sign in again."))
