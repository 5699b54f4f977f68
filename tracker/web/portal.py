"""The sponsor's view: its own contracts, where each stands at each site, and what comes next."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from tracker.access import role_required
from tracker.contracts.visibility import visible_contracts
from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import Contract
from tracker.sla.state import contract_states
from tracker.web.paging import page_number

bp = Blueprint("portal", __name__, url_prefix="/portal")


@bp.get("/")
@login_required
@role_required("sponsor")
def index():
    """The sponsor's contracts, newest first, with whose move it is and the expected signature."""
    page = db.paginate(visible_contracts(current_user).order_by(Contract.id.desc()), page=page_number(),
                       per_page=20, error_out=False)
    now = utcnow()
    states = {}
    for contract in page.items:
        states.update(contract_states(contract, now))
    return render_template("portal/index.html", page=page, states=states)
