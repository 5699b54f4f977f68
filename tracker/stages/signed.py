"""When an agreement was fully signed: read from its tracks, for amendments and their documents."""
from __future__ import annotations

from datetime import date

from tracker.stages import rules
from tracker.timeutil import local_date


def signed_on(contract) -> date | None:
    """The day the agreement was fully signed: the last signature at its last executed site."""
    moments = [moment for t in contract.tracks if t.stage == rules.EXECUTED
               for moment in (t.institution_signed_at, t.investigator_signed_at, t.sponsor_signed_at) if moment]
    if not moments:
        return None
    coordinating = contract.coordinating_track or contract.tracks[0]
    return local_date(max(moments), coordinating.site.timezone)
