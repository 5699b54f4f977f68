"""GET /api/v1/metrics: the fast track's figures, filtered by site, sponsor, phase and period (staff)."""
from __future__ import annotations

from flask import jsonify, request

from tracker.access import caller, role_required
from tracker.api import bp
from tracker.metrics.figures import metrics
from tracker.metrics.filters import parse
from tracker.people.roles import STAFF_ROLES


@bp.get("/metrics")
@role_required(*STAFF_ROLES)
def get_metrics():
    """Medians, counts and deadline compliance over the contracts the caller may see; 422 names a bad filter."""
    return jsonify(metrics(caller(), parse(request.args)))
