"""Admin pages for people: the list (search, filters, pages), a new user, and each user's role and account.

A new person is invited by e-mail to choose a password. Disabling asks for confirmation and
ends every session, remember-me cookie and API token of that person at once. The checks,
including "nobody changes their own role", are the operations' (``people.users``,
``people.accounts``, ``people.invitations``).
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from tracker.access import role_required
from tracker.audit import Actor
from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import Sponsor, User
from tracker.models.people import ROLES
from tracker.people import accounts, invitations, users
from tracker.people.roles import ROLE_LABELS
from tracker.people.sites import all_sites
from tracker.web.shared.forms import attempt_form, render_form
from tracker.web.shared.helpers import attempt
from tracker.web.shared.paging import page_number, pager

bp = Blueprint("admin_users", __name__, url_prefix="/admin/users")
MAX_DATALIST = 2000


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), validate_choice=False)
    site = SelectField(_l("Site"), validate_choice=False,
                       description=_l("Legal staff and managers only: the site they work at."))
    sponsor = StringField(_l("Sponsor"), description=_l("Sponsor users only: type a few letters and pick the "
                                                        "company."))


class UserForm(RoleForm):
    name = StringField(_l("Name"))
    email = EmailField(_l("E-mail"))
    language = SelectField(_l("Language of the e-mails"), choices=[
        SelectChoice("fr", "Français"), SelectChoice("en", "English")])


class ButtonForm(FlaskForm):
    pass


def _choices(form: RoleForm) -> RoleForm:
    form.role.choices = [SelectChoice("", "—")] + [SelectChoice(r, ROLE_LABELS[r]) for r in ROLES]
    form.site.choices = [SelectChoice("", "—")] + [SelectChoice(s.code, f"{s.name} ({s.code})") for s in all_sites()]
    return form


def _sponsor_names() -> list[str]:
    return list(db.session.execute(db.select(Sponsor.name).order_by(Sponsor.name).limit(MAX_DATALIST)).scalars())


def _role_data(form: RoleForm) -> dict:
    return {"role": form.role.data or "", "site": form.site.data or "", "sponsor": form.sponsor.data or ""}


@bp.get("")
@login_required
@role_required("admin")
def index():
    """Every person, searchable by name or e-mail and filtered by role, site, sponsor and state."""
    filters = users.read_filters(request.args)
    page = db.paginate(users.users_matching(filters), page=page_number(),
                       per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("admin/users.html", page=page, filters=filters, roles=ROLES, role_labels=ROLE_LABELS,
                           sites=all_sites(), sponsors=users.sponsors_with_users(),
                           pending=invitations.pending_ids([u.id for u in page.items]),
                           pager=pager(page, **filters.query_args()))


@bp.route("/new", methods=["GET", "POST"])
@login_required
@role_required("admin")
def new():
    """Create a person with a role; they are e-mailed a link to choose their password."""
    form = _choices(UserForm())
    problems = []
    if form.validate_on_submit():
        data = {**_role_data(form), "name": form.name.data, "email": form.email.data, "language": form.language.data}
        outcome = attempt_form(form, lambda: users.create_invited_user(data, actor=Actor.of(current_user),
                                                                       now=utcnow()))
        if outcome.done:
            issued = outcome.value
            flash(_("%(name)s is created; the invitation is e-mailed to %(email)s and its link works once, for 7 "
                    "days.", name=issued.user.name, email=issued.user.email), "success")
            return redirect(url_for("admin_users.edit", user_id=issued.user.id), 303)
        problems = outcome.problems
    elif request.method == "POST":
        abort(400)
    return render_form("admin/user_new.html", form, problems, sponsor_names=_sponsor_names())


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@login_required
@role_required("admin")
def edit(user_id: int):
    """A person's account: role with site or sponsor, state, last sign-in, links and disabling."""
    user = db.get_or_404(User, user_id)
    form = RoleForm(data={"role": user.role, "site": user.site.code if user.site else "",
                          "sponsor": user.sponsor.name if user.sponsor else ""}) if request.method == "GET" else RoleForm()
    _choices(form)
    problems = []
    if form.validate_on_submit():
        outcome = attempt_form(form, lambda: users.change_role(user, _role_data(form), actor=Actor.of(current_user),
                                                               now=utcnow()))
        if outcome.done:
            flash(_("%(name)s is now %(role)s.", name=user.name, role=ROLE_LABELS[user.role])
                  if outcome.value else _("Nothing changed."), "success")
            return redirect(url_for("admin_users.edit", user_id=user.id), 303)
        problems = outcome.problems
    elif request.method == "POST":
        abort(400)
    return render_form("admin/user.html", form, problems, user=user, button=ButtonForm(), role_labels=ROLE_LABELS,
                       pending=user.id in invitations.pending_ids([user.id]), myself=user.id == current_user.id,
                       sponsor_names=_sponsor_names())


@bp.route("/<int:user_id>/disable", methods=["GET", "POST"])
@login_required
@role_required("admin")
def disable(user_id: int):
    """Ask first; then close the account: every session, remember-me cookie and API token ends at once."""
    user = db.get_or_404(User, user_id)
    form = ButtonForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        attempt(lambda: accounts.disable_user(user, actor=Actor.of(current_user), now=utcnow()),
                done=_("%(email)s is disabled: signed out everywhere, API tokens revoked.", email=user.email))
        return redirect(url_for("admin_users.edit", user_id=user.id), 303)
    return render_template("admin/user_disable.html", user=user, form=form, role_labels=ROLE_LABELS,
                           myself=user.id == current_user.id)


@bp.post("/<int:user_id>/enable")
@login_required
@role_required("admin")
def enable(user_id: int):
    """Open a disabled account again (its old sessions and tokens stay ended)."""
    user = db.get_or_404(User, user_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    attempt(lambda: accounts.enable_user(user, actor=Actor.of(current_user), now=utcnow()),
            done=_("%(email)s can sign in again.", email=user.email))
    return redirect(url_for("admin_users.edit", user_id=user.id), 303)


@bp.post("/<int:user_id>/link")
@login_required
@role_required("admin")
def send_link(user_id: int):
    """A new invitation to someone who never chose a password, else a password link; older links stop working."""
    user = db.get_or_404(User, user_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    done, issued = attempt(lambda: invitations.resend(user, actor=Actor.of(current_user), now=utcnow()))
    if done:
        flash(_("A new invitation is e-mailed to %(email)s.", email=user.email) if issued.link.purpose == "invite"
              else _("A link to choose a new password is e-mailed to %(email)s.", email=user.email), "success")
    return redirect(url_for("admin_users.edit", user_id=user.id), 303)
