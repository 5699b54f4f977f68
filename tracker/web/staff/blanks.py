"""Where each empty field of an agreement is entered, as links for the person generating it."""
from __future__ import annotations

from flask import url_for

from tracker.documents.blanks import Blank
from tracker.models import Contract, Track
from tracker.people.roles import is_admin
from tracker.people.sponsors import may_edit_sponsor

# The contract edit page's field for each contract field, so the link lands on it.
CONTRACT_ANCHORS = {"contract.title": "title", "contract.acronym": "acronym", "contract.protocol_number":
                    "protocol_number", "contract.eu_ct_number": "eu_ct_number", "contract.phase": "phase",
                    "contract.indication": "indication", "contract.patients": "patients",
                    "investigator.name": "investigators", "investigator.title": "investigators",
                    "investigator.department": "investigators", "investigator.rpps": "investigators",
                    "site.patients": "patients", "site.budget": "budget", "contract.cro": "cro"}


def blank_links(contract: Contract, track: Track, blanks: list[Blank], user) -> list[tuple[Blank, str | None]]:
    """Each blank with the page where this person can fill it, or None when only someone else can."""
    links = []
    for blank in blanks:
        url = None
        if blank.source == "sponsor" and may_edit_sponsor(user, contract.sponsor):
            url = url_for("admin_sponsors.edit", sponsor_id=contract.sponsor_id,
                          _anchor=blank.field.split(".", 1)[1])
        elif blank.source == "site" and is_admin(user):
            url = url_for("admin_sites.edit", code=track.site.code, _anchor=blank.field.split(".", 1)[1])
        elif blank.source == "contract":
            url = url_for("contracts.edit", reference=contract.reference,
                          _anchor=CONTRACT_ANCHORS.get(blank.field, "budget"))
        links.append((blank, url))
    return links
