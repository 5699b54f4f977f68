"""Contracts, their per-site tracks, and the event log that moves the tracks."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.database import UTCDateTime
from tracker.extensions import db
from tracker.models.people import Sponsor, User
from tracker.models.sites import Site

CONTRACT_STATUSES = ("open", "executed", "cancelled")
PHASES = ("I", "I/II", "II", "III", "IV")
TRACK_ROLES = ("coordinating", "associated")  # the part a site plays in a contract


class ReferenceCounter(db.Model):
    """Last reference number handed out per year (FT-2026-0001, FT-2026-0002...)."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


def executed_sites(status: str, stages: list[str]) -> str:
    """``Contract.executed_sites`` from the contract's status and its tracks' stages."""
    going_on = stages if status == "cancelled" else ([s for s in stages if s != "cancelled"] or stages)
    return f"{sum(1 for s in going_on if s == 'executed')}/{len(going_on)}"


def search_key(*parts: str | None) -> str:
    """The text a search looks in: the parts case-folded, one per line (a query never spans two)."""
    return "\n".join((part or "").casefold() for part in parts)


class Contract(db.Model):
    __tablename__ = "contracts"
    # The list's search is a substring match: PostgreSQL answers it from a trigram index; SQLite
    # scans this narrow index instead of every contract row.
    __table_args__ = (Index("ix_contracts_search_text", "search_text", postgresql_using="gin",
                            postgresql_ops={"search_text": "gin_trgm_ops"}),
                      # A sponsor's contracts, newest first, from the index alone (the portal's pages and count).
                      Index("ix_contracts_sponsor_id_id", "sponsor_id", "id"),
                      # Two requests numbering amendments of one contract at once cannot both store -A3.
                      UniqueConstraint("amends_id", "amendment_number", name="uq_contracts_amendment_number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("sponsors.id"))
    title: Mapped[str] = mapped_column(String(500))
    acronym: Mapped[str | None] = mapped_column(String(50))
    protocol_number: Mapped[str] = mapped_column(String(100), index=True)
    eu_ct_number: Mapped[str | None] = mapped_column(String(30))
    phase: Mapped[str] = mapped_column(String(8))
    indication: Mapped[str | None] = mapped_column(String(300))
    patients: Mapped[int | None] = mapped_column(Integer)
    budget: Mapped[list] = mapped_column(JSON, default=list)
    # The contract research organisation acting for the sponsor, as the agreement names it (optional).
    cro: Mapped[str | None] = mapped_column(String(300))
    received_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    # The language of the agreements to sign (SPEC 5d): a version in another one is a courtesy copy.
    language: Mapped[str] = mapped_column(String(2), default="fr", server_default="fr")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Reference, protocol number, title and acronym as ``search_key`` writes them; kept by the
    # listener below on every insert and update (the bulk demo loader writes it itself).
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Goes up with every change to the contract or what hangs on it (tracker.contracts.versioning):
    # the API's ETag is made from it, so a client polling an unchanged contract gets a 304.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # An amendment (avenant) is a contract of its own that amends an executed one: REF-A1, REF-A2...
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"), index=True)
    amendment_number: Mapped[int | None] = mapped_column(Integer)
    # The trial's regulatory status (SPEC 5b): CTIS submission and authorisation (ANSM/CPP through CTIS).
    ctis_submitted_on: Mapped[date | None] = mapped_column(Date)
    authorised_on: Mapped[date | None] = mapped_column(Date)

    sponsor: Mapped[Sponsor] = relationship()
    amends: Mapped[Contract | None] = relationship(remote_side=[id], back_populates="amendments")
    amendments: Mapped[list[Contract]] = relationship(back_populates="amends", order_by="Contract.amendment_number")
    created_by: Mapped[User | None] = relationship()
    tracks: Mapped[list[Track]] = relationship(
        back_populates="contract", order_by="Track.id", cascade="all, delete-orphan"
    )

    @property
    def coordinating_track(self) -> Track | None:
        return next((t for t in self.tracks if t.role == "coordinating"), None)

    @property
    def ordered_tracks(self) -> list[Track]:
        """The coordinating site first, then the associated sites in the order they joined."""
        return sorted(self.tracks, key=lambda t: (t.role != "coordinating", t.id))

    @property
    def executed_sites(self) -> str:
        """Progress such as "1/2": sites executed over sites still taking part.

        A site withdrawn from an open contract does not count; once the whole contract
        is cancelled, every site counts, so "1/2" says one site had signed before it was.
        """
        return executed_sites(self.status, [t.stage for t in self.tracks])

    @property
    def is_amendment(self) -> bool:
        return self.amends_id is not None

    @property
    def signed_sites(self) -> int:
        return sum(1 for t in self.tracks if t.stage == "executed")

    def __repr__(self) -> str:
        return f"<Contract {self.reference}>"


@event.listens_for(Contract, "before_insert")
@event.listens_for(Contract, "before_update")
def _keep_search_text(_mapper, _connection, contract: Contract) -> None:
    contract.search_text = search_key(contract.reference, contract.protocol_number, contract.title, contract.acronym)


# The condition of the partial indexes on open tracks, as the queries write it: stage IN the open stages
# (tracker.stages.rules.OPEN_STAGES, which models may not import; a test holds the two equal).
OPEN_TRACK_STAGES = ("completeness", "awaiting_documents", "review", "with_sponsor", "waiting_coordinator",
                     "conformity", "signature")
OPEN_TRACKS = "stage IN (" + ", ".join(f"'{stage}'" for stage in OPEN_TRACK_STAGES) + ")"


class Track(db.Model):
    """One participating site's path through the pipeline for one contract."""

    __tablename__ = "tracks"
    __table_args__ = (
        UniqueConstraint("contract_id", "site_id"),
        # Only the tracks the sponsor holds have a "holder since" date: the portal's "your move" order
        # reads them all from this small index, with the column it groups by.
        Index("ix_tracks_held", "contract_id", "holder_since_on", "stage",
              postgresql_where=text("holder_since_on IS NOT NULL"), sqlite_where=text("holder_since_on IS NOT NULL")),
        # A site's open tracks in due-date order, ties by contract, from the index alone (the queue's
        # pages sorted by due date); closed tracks, most of them, are left out.
        Index("ix_tracks_open_due", "site_id", "due_on", "contract_id", "id",
              postgresql_where=text(OPEN_TRACKS), sqlite_where=text(OPEN_TRACKS)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(24), index=True)
    round: Mapped[int] = mapped_column(Integer, default=0)
    investigator_name: Mapped[str | None] = mapped_column(String(200))
    # The investigator as the agreement names them (SPEC 5): title, department, RPPS number.
    investigator_title: Mapped[str | None] = mapped_column(String(100))
    investigator_department: Mapped[str | None] = mapped_column(String(200))
    investigator_rpps: Mapped[str | None] = mapped_column(String(11))
    # This site's own figures; None: the contract's apply (site.patients, site.budget in templates).
    patients: Mapped[int | None] = mapped_column(Integer)
    budget: Mapped[list | None] = mapped_column(JSON)
    # The third-party structure (a GCS, an association) that manages part of the sums for this site.
    third_party: Mapped[str | None] = mapped_column(String(300))
    stage_entered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    institution_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    investigator_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sponsor_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Counts stage changes: alerts are keyed by it, so each stage visit alerts once.
    visit: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The legal user who looks after this track; alerts go to them (else to all legal staff).
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Kept for speed (sla.stored); recomputed from the events whenever they change.
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"))
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    reminder_on: Mapped[date | None] = mapped_column(Date, index=True)
    holder_since_on: Mapped[date | None] = mapped_column(Date)  # the portal's "your move" order (ix_tracks_held)
    regulatory_due_on: Mapped[date | None] = mapped_column(Date, index=True)
    target_due_on: Mapped[date | None] = mapped_column(Date)
    ceiling_policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"))
    # The first day (at the site) the alert sweep looks at this track again: set back by every event,
    # moved ahead by the sweep to the next day a new alert can fall due; None once closed.
    next_alert_on: Mapped[date | None] = mapped_column(Date, index=True)
    # Optimistic lock: an UPDATE that finds another version raises StaleDataError.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The site's regulatory milestones once the agreement is signed (SPEC 5b).
    activated_on: Mapped[date | None] = mapped_column(Date)
    first_patient_on: Mapped[date | None] = mapped_column(Date)

    contract: Mapped[Contract] = relationship(back_populates="tracks")
    site: Mapped[Site] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    events: Mapped[list[Event]] = relationship(
        back_populates="track", order_by="Event.seq", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def signatures(self) -> dict[str, str | None]:
        return {
            party: (value.isoformat() if value else None)
            for party, value in (
                ("institution", self.institution_signed_at),
                ("investigator", self.investigator_signed_at),
                ("sponsor", self.sponsor_signed_at),
            )
        }

    def __repr__(self) -> str:
        return f"<Track {self.contract_id}/{self.site_id} {self.stage}>"


class Event(db.Model):
    """One action applied to a track; SLA state is derived from these rows."""

    __tablename__ = "events"
    # Two writers appending to one track collide here instead of both landing.
    __table_args__ = (UniqueConstraint("track_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(24))
    from_stage: Mapped[str | None] = mapped_column(String(24))
    to_stage: Mapped[str] = mapped_column(String(24))
    party: Mapped[str | None] = mapped_column(String(16))
    round: Mapped[int] = mapped_column(Integer, default=0)
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    comment_for_sponsor: Mapped[bool] = mapped_column(default=False)
    # The policy in force when this event was written; a stage keeps the one it started under.
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"))
    # send_to_sponsor: the document version that went out (the sponsor's redline is compared with it).
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))

    track: Mapped[Track] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
