"""The national survey export: one line per executed site agreement, in columns that do not change.

The columns are named in ``COLUMNS`` and documented in the README; they are the same in
every language (the survey's own tools read them), only the separators follow the
reader's spreadsheet. Each line is one site's own track: its clock starts where its
regulatory ceiling starts (the coordinating site's complete file, the coordinator's
agreement for an associated site) and ends at its last signature (SPEC 5b).
"""
from __future__ import annotations

from tracker.extensions import db
from tracker.models import Contract, ContractFigures, Site, Sponsor, TrackFigures
from tracker.stages import rules

COLUMNS = (
    "reference", "eu_ct_number", "protocol_number", "sponsor", "sponsor_country", "phase", "site", "site_finess",
    "site_role", "received_on", "clock_start_on", "signed_on", "days_from_receipt", "days_to_signature",
    "ceiling_on", "within_ceiling", "site_held_working_days", "site_held_calendar_days",
    "sponsor_held_calendar_days", "sponsor_held_working_days", "within_target", "negotiation_rounds",
)


def survey_rows(scope):
    """The executed site tracks the filters select, by reference then site, as tuples in ``COLUMNS`` order."""
    stmt = (db.select(Contract.reference, Contract.eu_ct_number, Contract.protocol_number, Sponsor.name,
                      Sponsor.country, Contract.phase, Site.code, Site.finess, TrackFigures.role,
                      Contract.received_on, TrackFigures.started_on, TrackFigures.closed_on,
                      TrackFigures.days_from_receipt, TrackFigures.days_to_signature, TrackFigures.ceiling_on,
                      TrackFigures.within_ceiling, TrackFigures.site_working_days, TrackFigures.site_calendar_days,
                      TrackFigures.sponsor_calendar_days, TrackFigures.sponsor_working_days,
                      TrackFigures.within_target, ContractFigures.rounds)
            .select_from(TrackFigures)
            .join(Contract, Contract.id == TrackFigures.contract_id)
            .join(Sponsor, Sponsor.id == Contract.sponsor_id)
            .join(Site, Site.id == TrackFigures.site_id)
            .outerjoin(ContractFigures, ContractFigures.contract_id == TrackFigures.contract_id)
            .where(TrackFigures.outcome == rules.EXECUTED,
                   scope.rows_where(TrackFigures.contract_id, TrackFigures.site_id))
            .order_by(Contract.reference, Site.code))
    for row in db.session.execute(stmt):
        yield tuple(row)
