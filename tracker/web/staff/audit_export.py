"""A contract's audit trail as CSV, for inspectors and sponsors' auditors (staff only)."""
from __future__ import annotations

from datetime import timezone

from flask import Blueprint, Response
from flask_login import login_required

from tracker.access import contract_route, role_required
from tracker.extensions import db
from tracker.models import AuditEntry, Contract
from tracker.people.roles import STAFF_ROLES
from tracker.web.shared.csv_export import csv_text

bp = Blueprint("audit_export", __name__)

COLUMNS = ("id", "at_utc", "actor_email", "actor_role", "actor_site", "actor_sponsor", "entity", "entity_id",
           "field", "old_value", "new_value", "reason", "hash")


def audit_rows(contract: Contract):
    """The contract's audit rows in the order they were written, as CSV cells."""
    entries = db.session.execute(
        db.select(AuditEntry).where(AuditEntry.contract_id == contract.id).order_by(AuditEntry.id)
    ).scalars()
    for e in entries:
        yield [e.id, e.at.astimezone(timezone.utc).isoformat(), e.actor_email, e.actor_role, e.actor_site,
               e.actor_sponsor, e.entity, e.entity_id, e.field, e.old_value, e.new_value, e.reason, e.hash]


def audit_csv(contract: Contract) -> str:
    """The trail in one fixed format whatever the reader's language: inspectors' tools check its
    field names and hashes, so its columns and separators do not move with the interface."""
    return csv_text(COLUMNS, audit_rows(contract), language="en")


@bp.route("/contracts/<reference>/audit.csv")
@login_required
@role_required(*STAFF_ROLES)
@contract_route
def contract_audit_csv(contract: Contract):
    """Download every audit row of one contract: who changed what, when, from what to what, and why."""
    return Response(
        audit_csv(contract),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{contract.reference}-audit.csv"',
            "Cache-Control": "no-store",
        },
    )
