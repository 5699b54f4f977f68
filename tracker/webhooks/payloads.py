"""What each webhook event carries (documented in the OpenAPI description's ``webhooks`` section).

Every body is ``{"id", "event", "created_at", "data"}``: ``id`` is the delivery id (also the
``X-Tracker-Delivery`` header). Receivers may be outside the sites (a sponsor's CTMS), so
the data is what a sponsor's user may see: no internal comments, no staff addresses.
"""
from __future__ import annotations

from tracker.models import Contract, Document, Event, Track

EVENTS = ("contract.created", "track.event", "document.created", "track.executed")


def contract_ref(contract: Contract) -> dict:
    return {"reference": contract.reference, "sponsor_id": contract.sponsor_id, "status": contract.status,
            "executed_sites": contract.executed_sites}


def contract_created(contract: Contract) -> dict:
    tracks = contract.ordered_tracks
    return {"contract": {**contract_ref(contract), "title": contract.title, "acronym": contract.acronym,
                         "protocol_number": contract.protocol_number, "phase": contract.phase,
                         "received_on": contract.received_on.isoformat(),
                         "coordinating_site": next((t.site.code for t in tracks if t.role == "coordinating"), None),
                         "sites": [t.site.code for t in tracks]}}


def track_ref(track: Track) -> dict:
    return {"site": track.site.code, "role": track.role, "stage": track.stage, "round": track.round,
            "signatures": track.signatures}


def track_event(track: Track, event: Event) -> dict:
    return {"contract": contract_ref(track.contract), "track": track_ref(track),
            "event": {"id": event.id, "action": event.action, "from_stage": event.from_stage,
                      "to_stage": event.to_stage, "party": event.party, "round": event.round,
                      "effective_at": event.effective_at.isoformat(), "recorded_at": event.recorded_at.isoformat(),
                      "comment": event.comment if event.comment_for_sponsor else None,
                      "document_id": event.document_id}}


def track_executed(track: Track, executed_document_id: int | None) -> dict:
    return {"contract": contract_ref(track.contract), "track": track_ref(track),
            "executed_document_id": executed_document_id}


def document_created(contract: Contract, document: Document) -> dict:
    return {"contract": contract_ref(contract),
            "document": {"id": document.id, "site": document.site.code, "kind": document.kind,
                         "version": document.version, "filename": document.filename, "sha256": document.sha256,
                         "size": document.size, "created_at": document.created_at.isoformat()}}
