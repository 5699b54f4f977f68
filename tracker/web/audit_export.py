"""A contract's audit trail as CSV, for inspectors and sponsors' auditors (staff only)."""
from __future__ import annotations

import csv
import io
from datetime import timezone

from flask import Blueprint, Response
from flask_login import login_required

from tracker.access import contract_route, role_required
from tracker.extensions import db
from tracker.models import AuditEntry, Contract
from tracker.people.roles import STAFF_ROLES

bp = Blueprint("audit_export", __name__)

COLUMNS = ("id", "at_utc", "actor_email", "actor_role", "actor_site", "actor_sponsor", "entity", "entity_id",
           "field", "old_value", "new_value", "reason", "hash")
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The cell as text, quoted with a leading apostrophe if a spreadsheet would take it for a formula."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def audit_rows(contract: Contract):
    """The contract's audit rows in the order they were written, as CSV cells."""
    entries = db.session.execute(
        db.select(AuditEntry).where(AuditEntry.contract_id == contract.id).order_by(AuditEntry.id)
    ).scalars()
    for e in entries:
        yield [e.id, e.at.astimezone(timezone.utc).isoformat(), e.actor_email, e.actor_role, e.actor_site,
               e.actor_sponsor, e.entity, e.entity_id, e.field, e.old_value, e.new_value, e.reason, e.hash]


def audit_csv(contract: Contract) -> str:
    buffer = io.StringIO()
    # A byte-order mark lets Excel read accents (Institut Bergonié) as UTF-8.
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in audit_rows(contract):
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue()


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
