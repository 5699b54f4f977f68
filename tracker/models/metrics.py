"""Figures kept for the metrics, written when the pipeline moves and derivable from the events.

``tracker.metrics.record`` writes these rows in the transaction of each action and can
recompute them from the event log (``backfill``), so they are a cache of the events,
never a second truth. Dates are local dates at the site, as the deadlines use them.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models.contracts import Track


class ContractFigures(db.Model):
    """One contract's milestones (Kiriakis et al. 2013): complete file, agreement, full execution."""

    __tablename__ = "contract_figures"

    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), primary_key=True, autoincrement=False)
    completed_on: Mapped[date | None] = mapped_column(Date)  # the coordinator's first mark_complete
    agreed_on: Mapped[date | None] = mapped_column(Date)  # the coordinator's last agree
    executed_on: Mapped[date | None] = mapped_column(Date)  # the last signature at the last site
    executed_month: Mapped[str | None] = mapped_column(String(7), index=True)  # YYYY-MM, for the trend
    days_to_agreement: Mapped[int | None] = mapped_column(Integer)
    days_to_execution: Mapped[int | None] = mapped_column(Integer)
    rounds: Mapped[int] = mapped_column(Integer, default=0)  # the coordinator's negotiation rounds
    # Kiriakis et al. count from the contract's receipt by the contracts office, not from the complete file.
    days_from_receipt_to_agreement: Mapped[int | None] = mapped_column(Integer)
    days_from_receipt_to_execution: Mapped[int | None] = mapped_column(Integer)
    # Which derivation wrote the row (``record.REVISION``); older rows are derived again by init-db.
    revision: Mapped[int | None] = mapped_column(Integer)


class TrackFigures(db.Model):
    """A closed track (executed or cancelled): the days each side held it and, once executed, the site's own time.

    The site's own clock (SPEC 5b) starts where its regulatory ceiling starts (SPEC 3): the
    coordinating site's ``mark_complete``, the coordinator's agreement for an associated site.
    """

    __tablename__ = "track_figures"

    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id"), primary_key=True, autoincrement=False)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    outcome: Mapped[str] = mapped_column(String(16))  # executed or cancelled
    closed_on: Mapped[date] = mapped_column(Date)
    site_calendar_days: Mapped[int] = mapped_column(Integer)
    site_working_days: Mapped[int] = mapped_column(Integer)
    sponsor_calendar_days: Mapped[int] = mapped_column(Integer)
    sponsor_working_days: Mapped[int] = mapped_column(Integer)
    role: Mapped[str | None] = mapped_column(String(16))  # coordinating or associated
    started_on: Mapped[date | None] = mapped_column(Date)  # the start of the site's clock and ceiling
    ceiling_on: Mapped[date | None] = mapped_column(Date)  # the regulatory ceiling, rolled forward as SPEC 3 says
    days_to_signature: Mapped[int | None] = mapped_column(Integer)  # started_on to the site's last signature
    days_from_receipt: Mapped[int | None] = mapped_column(Integer)  # the contract's received_on to it
    within_ceiling: Mapped[bool | None] = mapped_column(Boolean)
    within_target: Mapped[bool | None] = mapped_column(Boolean)  # site-held working days within the target


class StageVisit(db.Model):
    """One finished stage visit of a track: when it began and ended, its due date, and whether it was met.

    ``site_done_on`` is when the site's part ended: the end of the visit, or in the
    signature stage the day the site's own signatures were all in.
    """

    __tablename__ = "stage_visits"

    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id"), primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # the event that began it
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    stage: Mapped[str] = mapped_column(String(24))
    round: Mapped[int] = mapped_column(Integer)
    holder: Mapped[str | None] = mapped_column(String(16))  # who held it when it began
    entered_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    site_done_on: Mapped[date | None] = mapped_column(Date)
    within: Mapped[bool | None] = mapped_column(Boolean)  # None: the stage had no deadline


# The queue ranks one site's open tracks by due date; its tab counts and the dashboard's board
# count them from an index that holds every column they test; the metrics select the contracts
# a site takes part in; compliance per stage at a site reads its index only.
Index("ix_tracks_site_id_due_on", Track.site_id, Track.due_on)
Index("ix_tracks_queue", Track.site_id, Track.stage, Track.due_on, Track.owner_id, Track.round,
      Track.institution_signed_at, Track.investigator_signed_at)
Index("ix_tracks_site_id_contract_id", Track.site_id, Track.contract_id)
Index("ix_stage_visits_site_id_stage_within", StageVisit.site_id, StageVisit.stage, StageVisit.within)
Index("ix_track_figures_site_id_outcome", TrackFigures.site_id, TrackFigures.outcome)
