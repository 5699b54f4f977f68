"""Reference data every installation needs: partner sites, default SLA policy, standard templates."""
from __future__ import annotations

from datetime import datetime

from tracker import audit
from tracker.extensions import db
from tracker.models import Site
from tracker.models.sites import PARTNER_SITES
from tracker.documents.library import ensure_builtin_templates
from tracker.sla.operations import ensure_default_policy


def seed_reference_data(*, now: datetime, templates: bool = True) -> int:
    """Insert the partner sites, the default policy and the shipped templates that are missing.

    Returns how many sites were added.
    """
    existing = set(db.session.execute(db.select(Site.code)).scalars())
    added = 0
    for values in PARTNER_SITES:
        if values["code"] in existing:
            continue
        site = Site(**values)
        db.session.add(site)
        db.session.flush()
        audit.record(audit.SYSTEM, "site", site.id, {"code": (None, site.code), "name": (None, site.name)}, now=now)
        added += 1
    ensure_default_policy(now=now)
    if templates:
        ensure_builtin_templates(now=now)
    return added
