"""Admin pages for the SLA policy and the sites' calendars."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import Optional

from tracker import formatting
from tracker.access import role_required
from tracker.audit import Actor
from tracker.database import utcnow
from tracker.errors import InvalidInput
from tracker.transaction import atomic
from tracker.extensions import db
from tracker.models import Policy, Site, SiteClosure
from tracker.sla import operations as closures
from tracker.sla.operations import save_policy
from tracker.sla.policy import BOUNDS, DEFAULTS, LABELS, current_policy, settings_of
from tracker.web.helpers import attempt

bp = Blueprint("admin_policy", __name__, url_prefix="/admin")


class PolicyForm(FlaskForm):
    note = StringField(validators=[Optional()])
    roll_forward = BooleanField()


for _name in BOUNDS:
    # Text fields: the policy module checks the numbers and names every bad one at once.
    setattr(PolicyForm, _name, StringField(LABELS[_name]))
PolicyForm.roll_forward = BooleanField(LABELS["roll_forward"])


class ClosureForm(FlaskForm):
    day = StringField()
    label = StringField()


class WhitMondayForm(FlaskForm):
    works = BooleanField()


class ConfirmForm(FlaskForm):
    pass


def _site(code: str) -> Site:
    site = db.session.execute(db.select(Site).where(Site.code == code.upper()[:16])).scalar_one_or_none()
    if site is None:
        abort(404)
    return site


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


@bp.post("/sites/<code>/closures")
@login_required
@role_required("admin")
def add_closure(code: str):
    """Add a closure day to a site's calendar."""
    site = _site(code)
    form = ClosureForm()
    if not form.validate_on_submit():
        abort(400)
    text = (form.day.data or "").strip()

    def work():
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise InvalidInput({"day": _("Give the date of the closure, such as 2026-12-24.")})
        if not 2000 <= day.year <= 2200:
            raise InvalidInput({"day": _("Give a date between the years 2000 and 2200.")})
        return closures.add_closure(site, day, form.label.data, actor=Actor.of(current_user), now=utcnow())

    attempt(work, done=_("%(site)s is closed on %(day)s; deadlines were recalculated.", site=site.name,
                         day=formatting.typed_day(text)))
    return redirect(url_for("admin_policy.policy") + "#calendars")


@bp.route("/sites/<code>/closures/<int:closure_id>/delete", methods=["GET", "POST"])
@login_required
@role_required("admin")
def delete_closure(code: str, closure_id: int):
    """Remove a closure day, after a confirmation page."""
    site = _site(code)
    closure = db.session.get(SiteClosure, closure_id)
    if closure is None or closure.site_id != site.id:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        attempt(lambda: closures.remove_closure(site, closure_id, actor=Actor.of(current_user), now=utcnow()),
                done=_("Closure day removed; deadlines were recalculated."))
        return redirect(url_for("admin_policy.policy") + "#calendars")
    return render_template("admin/confirm.html", form=form, site=site, closure=closure)


@bp.post("/sites/<code>/whit-monday")
@login_required
@role_required("admin")
def whit_monday(code: str):
    """Say whether the site works on Whit Monday."""
    site = _site(code)
    form = WhitMondayForm()
    if not form.validate_on_submit():
        abort(400)
    attempt(lambda: closures.set_whit_monday(site, bool(form.works.data), actor=Actor.of(current_user),
                                             now=utcnow()), done=_("Saved."))
    return redirect(url_for("admin_policy.policy") + "#calendars")
