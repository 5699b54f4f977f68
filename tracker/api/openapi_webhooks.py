"""The OpenAPI description of webhooks: the admin endpoints and, in the ``webhooks`` section, each event."""
from __future__ import annotations

from tracker.webhooks.payloads import EVENTS

_CONTRACT_REF = {"type": "object", "properties": {
    "reference": {"type": "string", "example": "FT-2026-0001"}, "sponsor_id": {"type": "integer"},
    "status": {"type": "string", "enum": ["open", "executed", "cancelled"]},
    "executed_sites": {"type": "string", "example": "1/2"}}}
_TRACK_REF = {"type": "object", "properties": {
    "site": {"type": "string", "example": "GR"}, "role": {"type": "string", "enum": ["coordinating", "associated"]},
    "stage": {"type": "string"}, "round": {"type": "integer"},
    "signatures": {"type": "object", "additionalProperties": {"type": ["string", "null"], "format": "date-time"}}}}

DATA = {
    "contract.created": {"type": "object", "properties": {"contract": {"allOf": [_CONTRACT_REF, {
        "type": "object", "properties": {
            "title": {"type": "string"}, "acronym": {"type": ["string", "null"]},
            "protocol_number": {"type": "string"}, "phase": {"type": "string"},
            "received_on": {"type": "string", "format": "date"}, "coordinating_site": {"type": "string"},
            "sites": {"type": "array", "items": {"type": "string"}}}}]}}},
    "track.event": {"type": "object", "properties": {
        "contract": _CONTRACT_REF, "track": _TRACK_REF, "event": {"type": "object", "properties": {
            "id": {"type": "integer"}, "action": {"type": "string"}, "from_stage": {"type": ["string", "null"]},
            "to_stage": {"type": "string"}, "party": {"type": ["string", "null"]}, "round": {"type": "integer"},
            "effective_at": {"type": "string", "format": "date-time"},
            "recorded_at": {"type": "string", "format": "date-time"},
            "comment": {"type": ["string", "null"], "description": "Only a comment meant for the sponsor"},
            "document_id": {"type": ["integer", "null"]}}}}},
    "document.created": {"type": "object", "properties": {
        "contract": _CONTRACT_REF, "document": {"type": "object", "properties": {
            "id": {"type": "integer"}, "site": {"type": "string"},
            "kind": {"type": "string", "example": "redline"}, "version": {"type": "integer"},
            "filename": {"type": "string"}, "sha256": {"type": "string"}, "size": {"type": "integer"},
            "created_at": {"type": "string", "format": "date-time"}}}}},
    "track.executed": {"type": "object", "properties": {
        "contract": _CONTRACT_REF, "track": _TRACK_REF,
        "executed_document_id": {"type": ["integer", "null"],
                                 "description": "The executed PDF (GET /documents/{id}/content), when signed online"}}},
}

SUMMARIES = {
    "contract.created": "A contract was created",
    "track.event": "An action was applied to a site's track (every pipeline event)",
    "document.created": "A document version was stored (generated, uploaded, redline, executed...)",
    "track.executed": "A site's agreement was executed (its three parties signed)",
}

HEADERS = {
    "X-Tracker-Signature": {"required": True, "schema": {"type": "string", "example": "sha256=3f1c..."},
                            "description": "sha256= and the hex HMAC-SHA256 of the raw body, keyed with the "
                                           "webhook's secret; compare it in constant time"},
    "X-Tracker-Delivery": {"required": True, "schema": {"type": "string", "format": "uuid"},
                           "description": "The delivery's id, the same on every retry: ignore one already seen"},
    "X-Tracker-Event": {"required": True, "schema": {"type": "string", "enum": list(EVENTS)}},
}

SCHEMAS = {
    "WebhookIn": {"type": "object", "required": ["url", "secret", "events"], "properties": {
        "url": {"type": "string", "format": "uri", "description": "http:// or https:// only, no credentials"},
        "secret": {"type": "string", "minLength": 16, "maxLength": 200,
                   "description": "Keys the signature; never shown again"},
        "events": {"type": "array", "minItems": 1, "items": {"type": "string", "enum": list(EVENTS)}}}},
    "Webhook": {"type": "object", "properties": {
        "id": {"type": "integer"}, "url": {"type": "string"}, "active": {"type": "boolean"},
        "events": {"type": "array", "items": {"type": "string", "enum": list(EVENTS)}},
        "created_at": {"type": "string", "format": "date-time"}}},
    "WebhookDelivery": {"type": "object", "properties": {
        "id": {"type": "string", "format": "uuid"}, "event": {"type": "string"},
        "status": {"type": "string", "enum": ["queued", "sending", "delivered", "given_up"]},
        "attempts": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"},
        "next_attempt_at": {"type": "string", "format": "date-time"},
        "delivered_at": {"type": ["string", "null"], "format": "date-time"},
        "last_status_code": {"type": ["integer", "null"]},
        "attempt_log": {"type": "array", "items": {"type": "object", "properties": {
            "at": {"type": "string", "format": "date-time"}, "status_code": {"type": ["integer", "null"]},
            "duration_ms": {"type": "integer"}, "error": {"type": ["string", "null"]}}}}}},
}


def _envelope(event: str) -> dict:
    return {"type": "object", "required": ["id", "event", "created_at", "data"], "properties": {
        "id": {"type": "string", "format": "uuid", "description": "Same as X-Tracker-Delivery"},
        "event": {"type": "string", "const": event},
        "created_at": {"type": "string", "format": "date-time"}, "data": DATA[event]}}


def webhooks() -> dict:
    """The ``webhooks`` section (OpenAPI 3.1): what the tracker POSTs to a receiver for each event."""
    return {event: {"post": {
        "summary": SUMMARIES[event],
        "description": "Sent by `outbox send` at any hour, retried with backoff (30 s doubling, at most an hour) "
                       "until the receiver answers 2xx, given up after a day (the admins are told by e-mail). "
                       "Redirects are not followed; the receiver has 5 seconds to answer.",
        "parameters": [{"name": name, "in": "header", **spec} for name, spec in HEADERS.items()],
        "requestBody": {"required": True, "content": {"application/json": {"schema": _envelope(event)}}},
        "responses": {"2XX": {"description": "Received; anything else is retried"}}}} for event in EVENTS}


def paths(ref, json, errors) -> dict:
    hook_id = {"name": "hook_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    return {
        "/webhooks": {
            "post": {"summary": "Register a webhook (admin)",
                     "requestBody": {"required": True, "content": {"application/json": {"schema": ref("WebhookIn")}}},
                     "responses": {"201": json(ref("Webhook"), "Registered"), **errors}},
            "get": {"summary": "The webhooks in use (admin)", "responses": {"200": json({
                "type": "object", "properties": {"webhooks": {"type": "array", "items": ref("Webhook")}}}), **errors}}},
        "/webhooks/{hook_id}": {"delete": {"summary": "Stop a webhook; its history stays (admin)",
                                           "parameters": [hook_id],
                                           "responses": {"204": {"description": "Deleted"}, **errors}}},
        "/webhooks/{hook_id}/deliveries": {"get": {
            "summary": "A webhook's latest deliveries with each attempt (admin)", "parameters": [hook_id],
            "responses": {"200": json({"type": "object", "properties": {
                "deliveries": {"type": "array", "items": ref("WebhookDelivery")}}}), **errors}}},
    }
