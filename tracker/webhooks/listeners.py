"""Which changes are webhook events, queued in the change's own transaction (SPEC 4).

* ``contract.created`` and ``document.created``: ``tracker.contracts.signals``, whatever
  path created the row (the API, a page, the signing of the last party);
* ``track.event``: every action the pipeline applies (``tracker.pipeline.signals``);
* ``track.executed``: the action that executed a track, with the executed PDF when there is one.
"""
from __future__ import annotations

from tracker.contracts.signals import contract_created, document_created
from tracker.extensions import db
from tracker.models import Contract, Document, Event, Track
from tracker.stages import rules
from tracker.pipeline.signals import action_applied
from tracker.webhooks import payloads
from tracker.webhooks.operations import active_hooks, queue


def on_action(track: Track, *, event: Event, now, **_ignored) -> None:
    hooks = active_hooks("track.event")
    if hooks:
        queue("track.event", payloads.track_event(track, event), now=now, contract_id=track.contract_id, hooks=hooks)
    if event.to_stage == rules.EXECUTED and event.from_stage != rules.EXECUTED:
        hooks = active_hooks("track.executed")
        if hooks:
            executed = db.session.execute(db.select(Document.id).where(
                Document.contract_id == track.contract_id, Document.site_id == track.site_id,
                Document.kind == "executed", Document.withdrawn_at.is_(None))
                .order_by(Document.version.desc()).limit(1)).scalar()
            queue("track.executed", payloads.track_executed(track, executed), now=now,
                  contract_id=track.contract_id, hooks=hooks)


def on_contract(contract: Contract, **_ignored) -> None:
    hooks = active_hooks("contract.created")
    if hooks:
        queue("contract.created", payloads.contract_created(contract), now=contract.created_at,
              contract_id=contract.id, hooks=hooks)


def on_document(document: Document, **_ignored) -> None:
    hooks = active_hooks("document.created")
    if hooks:
        contract = db.session.get(Contract, document.contract_id)
        queue("document.created", payloads.document_created(contract, document),
              now=document.created_at, contract_id=contract.id, hooks=hooks)


def connect() -> None:
    action_applied.connect(on_action)
    contract_created.connect(on_contract)
    document_created.connect(on_document)
