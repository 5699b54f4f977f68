"""Admin pages for the sites: the network's centres, a new centre, and each one's identity and calendar.

A third centre joins the network through the "new site" form. Changing a time zone, country
or subdivision recalculates the deadlines of the site's open tracks (``people.sites``).
Closure days and Whit Monday are set here too (``sla.operations``); the SLA policy page lists them with its forms.
"""
from __future__ import annotations

from datetime import date

import holidays
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from tracker import formatting
from tracker.access import role_required
from tracker.audit import Actor
from tracker.database import utcnow
from tracker.errors import InvalidInput
from tracker.extensions import db
from tracker.models import SiteClosure
from tracker.sla import operations as closures
from tracker.people.identity import time_zone_names
from tracker.people.sites import all_sites, create_site, find_site, update_site
from tracker.web.shared.forms import attempt_form, render_form
from tracker.web.shared.helpers import attempt

bp = Blueprint("admin_sites", __name__, url_prefix="/admin/sites")
TEXT_FIELDS = ("name", "legal_name", "address", "finess", "siret", "representative", "representative_title",
               "signatory_name", "signatory_email", "timezone", "country", "subdivision")


class SiteForm(FlaskForm):
    code = StringField(_l("Code"), description=_l("2 to 16 capital letters or digits, such as CLB; it cannot change "
                                                  "later."))
    name = StringField(_l("Name"), description=_l("The name people use, such as Centre Léon Bérard."))
    legal_name = StringField(_l("Legal name"))
    address = TextAreaField(_l("Address"))
    finess = StringField(_l("FINESS number"), description=_l("9 digits."))
    siret = StringField(_l("SIRET number"), description=_l("14 digits; the checksum is verified."))
    representative = StringField(_l("Representative"), description=_l("The person who signs for the institution."))
    representative_title = StringField(_l("Representative's title"), description=_l("Such as Director General."))
    signatory_name = StringField(_l("Default signatory for the institution"),
                                 description=_l("Who receives the institution's signing link."))
    signatory_email = StringField(_l("Signatory's e-mail"))
    timezone = StringField(_l("Time zone"), description=_l("Such as Europe/Paris; dates are read in it."))
    country = SelectField(_l("Country of its public holidays"), validate_choice=False)
    subdivision = StringField(_l("Subdivision"), description=_l("Only where holidays differ, such as 57 for "
                                                                "Moselle; else leave empty."))
    works_whit_monday = BooleanField(_l("The site works on Whit Monday"))


def _countries() -> list[SelectChoice]:
    names = get_locale().territories
    codes = sorted(holidays.list_supported_countries(), key=lambda c: names.get(c, c))
    return [SelectChoice(c, f"{names.get(c, c)} ({c})") for c in codes if len(c) == 2]


def _data(form: SiteForm, *, with_code: bool) -> dict:
    data = {name: form[name].data or "" for name in TEXT_FIELDS}
    data["works_whit_monday"] = bool(form.works_whit_monday.data)
    if with_code:
        data["code"] = form.code.data or ""
    return data


@bp.get("")
@login_required
@role_required("admin")
def index():
    """Every site of the network."""
    return render_template("admin/sites.html", sites=all_sites())


@bp.route("/new", methods=["GET", "POST"])
@login_required
@role_required("admin")
def new():
    """Add a centre to the network."""
    form = SiteForm(data={"timezone": "Europe/Paris", "country": "FR"} if request.method == "GET" else None)
    form.country.choices = _countries()
    problems = []
    if form.validate_on_submit():
        outcome = attempt_form(form, lambda: create_site(_data(form, with_code=True),
                                                         actor=Actor.of(current_user), now=utcnow()))
        if outcome.done:
            flash(_("Site %(name)s added.", name=outcome.value.name), "success")
            return redirect(url_for("admin_sites.edit", code=outcome.value.code))
        problems = outcome.problems
    elif request.method == "POST":
        abort(400)
    return render_form("admin/site_form.html", form, problems, site=None, zones=time_zone_names())


@bp.route("/<code>", methods=["GET", "POST"])
@login_required
@role_required("admin")
def edit(code: str):
    """Change a site's legal identity, default signatory and calendar settings."""
    site = find_site(code)
    if site is None:
        abort(404)
    form = SiteForm(obj=site) if request.method == "GET" else SiteForm()
    form.country.choices = _countries()
    problems = []
    if form.validate_on_submit():
        outcome = attempt_form(form, lambda: update_site(site, _data(form, with_code=False),
                                                         actor=Actor.of(current_user), now=utcnow()))
        if outcome.done:
            flash(_("Site %(name)s saved.", name=site.name) if outcome.value else _("Nothing changed."), "success")
            return redirect(url_for("admin_sites.edit", code=site.code))
        problems = outcome.problems
    elif request.method == "POST":
        abort(400)
    return render_form("admin/site_form.html", form, problems, site=site, zones=time_zone_names())


class ClosureForm(FlaskForm):
    day = StringField()
    label = StringField()


class WhitMondayForm(FlaskForm):
    works = BooleanField()


class ConfirmForm(FlaskForm):
    pass


@bp.post("/<code>/closures")
@login_required
@role_required("admin")
def add_closure(code: str):
    """Add a closure day to a site's calendar."""
    site = find_site(code) or abort(404)
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


@bp.route("/<code>/closures/<int:closure_id>/delete", methods=["GET", "POST"])
@login_required
@role_required("admin")
def delete_closure(code: str, closure_id: int):
    """Remove a closure day, after a confirmation page."""
    site = find_site(code) or abort(404)
    closure = db.session.get(SiteClosure, closure_id)
    if closure is None or closure.site_id != site.id:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        attempt(lambda: closures.remove_closure(site, closure_id, actor=Actor.of(current_user), now=utcnow()),
                done=_("Closure day removed; deadlines were recalculated."))
        return redirect(url_for("admin_policy.policy") + "#calendars")
    return render_template("admin/confirm.html", form=form, site=site, closure=closure)


@bp.post("/<code>/whit-monday")
@login_required
@role_required("admin")
def whit_monday(code: str):
    """Say whether the site works on Whit Monday."""
    site = find_site(code) or abort(404)
    form = WhitMondayForm()
    if not form.validate_on_submit():
        abort(400)
    attempt(lambda: closures.set_whit_monday(site, bool(form.works.data), actor=Actor.of(current_user),
                                             now=utcnow()), done=_("Saved."))
    return redirect(url_for("admin_policy.policy") + "#calendars")
