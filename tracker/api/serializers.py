"""How contracts, tracks and events look in JSON (SPEC 5b)."""
from __future__ import annotations

from datetime import date, datetime

from tracker.contracts.site_details import site_details_of
from tracker.models import Contract, Event, Track
from tracker.models.contracts import executed_sites
from tracker.stages.rules import holder
from tracker.sla.calendars import preload_closures
from tracker.sla.state import TrackState, contract_states


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def sla_json(state: TrackState) -> dict:
    """The deadline fields of SPEC 5b for one track, from its state."""
    return {
        "sla": {"due_on": iso(state.due_on), "status": state.status, "working_days_left": state.working_days_left},
        "regulatory_due_on": iso(state.regulatory_due_on),
        "target_due_on": iso(state.target_due_on),
        "ceiling_status": state.ceiling_status,
        "held": {who: {"calendar": h.calendar, "working": h.working} for who, h in (state.held or {}).items()},
        "predicted_execution_on": iso(state.predicted_execution_on),
    }


def track_json(track: Track, state: TrackState | None = None, *, for_sponsor: bool = False,
               signing: dict | None = None) -> dict:
    body = {
        "site": track.site.code,
        "role": track.role,
        "stage": track.stage,
        "holder": holder(track.stage, track.signatures),
        "round": track.round,
        "signatures": track.signatures,
        "stage_entered_at": track.stage_entered_at.isoformat(),
        # Sponsors learn who looks after their file, never a staff e-mail address.
        "owner": (track.owner.name if for_sponsor else track.owner.email) if track.owner else None,
        "investigator": track.investigator_name,
        "site_details": site_details_of(track),
        "activated_on": iso(track.activated_on),
        "first_patient_on": iso(track.first_patient_on),
        "version": track.version,
    }
    body.update(signing if signing is not None else signing_json(track))
    if state is not None:
        body.update(sla_json(state))
    return body


def signing_json(track: Track) -> dict:
    """SPEC 5b: the version fixed for signature and who signs for each party (no addresses: see the POST)."""
    return signing_by_track([track])[track.id]


def signing_by_track(tracks: list[Track]) -> dict[int, dict]:
    """``signing_json`` of several tracks, in two queries whatever their number."""
    from tracker.api.signatories import signatory_json
    from tracker.signing.fixing import fixed_by_track
    from tracker.signing.signatories import named_by_track

    ids = [t.id for t in tracks]
    fixed, named = fixed_by_track(ids), named_by_track(ids)
    return {t.id: {"fixed_document": {"id": f.document_id, "sha256": f.sha256} if (f := fixed.get(t.id)) else None,
                   "signatories": [signatory_json(s, t, with_email=False) for s in named.get(t.id, {}).values()]}
            for t in tracks}


def summary_json(contract, sponsor_name: str, tracks: list[tuple[str, int, str, str]]) -> dict:
    """The fields every contract shows in JSON, from a Contract or a row with the same columns;
    ``tracks`` are (role, id, site code, stage)."""
    ordered = sorted(tracks, key=lambda t: (t[0] != "coordinating", t[1]))
    return {
        "reference": contract.reference,
        "sponsor_id": contract.sponsor_id,
        "sponsor": sponsor_name,
        "title": contract.title,
        "acronym": contract.acronym,
        "protocol_number": contract.protocol_number,
        "phase": contract.phase,
        "status": contract.status,
        "executed_sites": executed_sites(contract.status, [t[3] for t in tracks]),
        "coordinating_site": next((t[2] for t in ordered if t[0] == "coordinating"), None),
        "sites": [t[2] for t in ordered],
        "received_on": contract.received_on.isoformat(),
    }


def contract_json(contract: Contract, *, now: datetime, for_sponsor: bool = False) -> dict:
    """One contract in full: its summary, its details and each track with its deadline state."""
    body = summary_json(contract, contract.sponsor.name,
                        [(t.role, t.id, t.site.code, t.stage) for t in contract.tracks])
    tracks = contract.ordered_tracks
    preload_closures(t.site_id for t in tracks)
    states = contract_states(contract, now)
    signing = signing_by_track(tracks)
    body.update({
        "eu_ct_number": contract.eu_ct_number,
        "indication": contract.indication,
        "patients": contract.patients,
        "budget": contract.budget or [],
        "cro": contract.cro,
        "language": contract.language,
        "created_at": contract.created_at.isoformat(),
        "ctis_submitted_on": iso(contract.ctis_submitted_on),
        "authorised_on": iso(contract.authorised_on),
        "amends": contract.amends.reference if contract.amends_id is not None else None,
        "amendments": [{"reference": a.reference, "status": a.status, "title": a.title,
                        "received_on": iso(a.received_on)} for a in contract.amendments],
        "tracks": [track_json(t, states[t.id], for_sponsor=for_sponsor, signing=signing[t.id]) for t in tracks],
    })
    return body


def event_json(event: Event, *, for_sponsor: bool) -> dict:
    show_comment = event.comment and (event.comment_for_sponsor or not for_sponsor)
    body = {
        "id": event.id,
        "site": event.track.site.code,
        "action": event.action,
        "from_stage": event.from_stage,
        "to_stage": event.to_stage,
        "party": event.party,
        "round": event.round,
        "effective_at": event.effective_at.isoformat(),
        "recorded_at": event.recorded_at.isoformat(),
        "comment": event.comment if show_comment else None,
        "document_id": event.document_id,
    }
    if not for_sponsor:
        body["comment_for_sponsor"] = event.comment_for_sponsor
        body["actor"] = event.actor.email if event.actor else None
    return body
