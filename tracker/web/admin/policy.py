"""Admin page for the SLA policy, which also shows the sites' calendars (edited under /admin/sites)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import Optional

from tracker.access import role_required
from tracker.audit import Actor
from tracker.database import utcnow
from tracker.errors import InvalidInput
from tracker.transaction import atomic
from tracker.extensions import db
from tracker.models import Policy, Site, SiteClosure
from tracker.sla.operations import save_policy
from tracker.sla.policy import BOUNDS, DEFAULTS, LABELS, current_policy, settings_of
from tracker.web.admin.sites import ClosureForm, WhitMondayForm

bp = Blueprint("admin_policy", __name__, url_prefix="/admin")


class PolicyForm(FlaskForm):
    note = StringField(validators=[Optional()])
    roll_forward = BooleanField()


for _name in BOUNDS:
    # Text fields: the policy module checks the numbers and names every bad one at once.
    setattr(PolicyForm, _name, StringField(LABELS[_name]))
PolicyForm.roll_forward = BooleanField(LABELS["roll_forward"])


@bp.route("/policy", methods=["GET", "POST"])
@login_required
@role_required("admin")
def policy():
    """Edit the SLA policy (each save is a new version) and see the sites' calendars."""
    latest = current_policy()
    settings = settings_of(latest.id if latest else None)
    form = PolicyForm(data=settings if request.method == "GET" else None)
    if form.validate_on_submit():
        data = {name: form[name].data for name in DEFAULTS}
        try:
            with atomic():
                saved = save_policy(data, actor=Actor.of(current_user), now=utcnow(), note=form.note.data or None)
        except InvalidInput as exc:
            for name, message in exc.errors.items():
                form[name].errors.append(message)
        else:
            flash(_("Policy version %(n)d saved. Stages already running keep their policy.", n=saved.id), "success")
            return redirect(url_for("admin_policy.policy"))
    versions = db.session.execute(db.select(Policy).order_by(Policy.id.desc()).limit(20)).scalars().all()
    sites = db.session.execute(db.select(Site).order_by(Site.code)).scalars().all()
    site_closures = {s.id: db.session.execute(db.select(SiteClosure).where(SiteClosure.site_id == s.id)
                                              .order_by(SiteClosure.day)).scalars().all() for s in sites}
    return render_template("admin/policy.html", form=form, versions=versions, sites=sites,
                           closures=site_closures, closure_form=ClosureForm(), whit_form=WhitMondayForm(),
                           names=list(BOUNDS)), (422 if form.errors else 200)
