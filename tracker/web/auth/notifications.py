"""Each person's notification settings: per kind, at once, in the daily digest, or not at all (SPEC 4)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from tracker.audit import Actor
from tracker.database import utcnow
from tracker.notices.choices import choices_of, set_choices
from tracker.notices.kinds import CHOICE_LABELS, CHOICES, kinds_for
from tracker.web.shared.forms import attempt_form

bp = Blueprint("notifications", __name__)


@bp.route("/profile/notifications", methods=["GET", "POST"])
@login_required
def settings():
    """My notification kinds, each with my choice; saving stores all of them at once."""
    form = FlaskForm()
    kinds = kinds_for(current_user.role)
    chosen = choices_of(current_user)
    problems: list[str] = []
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        wanted = {k.name: request.form.get(k.name, "") for k in kinds}
        done = attempt_form(form, lambda: set_choices(current_user, wanted, actor=Actor.of(current_user),
                                                         now=utcnow()), place=lambda errors: list(errors.values()))
        if done.done:
            flash(_("Your notification settings are saved."), "success")
            return redirect(url_for("notifications.settings"))
        problems, chosen = done.problems, {**chosen, **{k: v for k, v in wanted.items() if v in CHOICES}}
    return render_template("profile/notifications.html", form=form, kinds=kinds, chosen=chosen, choices=CHOICES,
                           labels=CHOICE_LABELS, problems=problems), 422 if problems else 200
