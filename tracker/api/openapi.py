"""GET /api/v1/health and GET /api/v1/openapi.json, the description of this API."""
from __future__ import annotations

from flask import jsonify
from sqlalchemy import text

from tracker.api import bp, openapi_documents as documents, openapi_identity as identity, openapi_webhooks as hooks
from tracker.api import openapi_amendments as amendments
from tracker.extensions import db
from tracker.models.contracts import PHASES
from tracker.stages.rules import ACTIONS, ALL_STAGES, PARTIES


@bp.get("/health")
def health():
    """Liveness and database reachability, for load balancers."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any driver error means the same thing here: not ready
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema, description="OK"):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    code: _json(_ref("Error"), text)
    for code, text in {
        "400": "Malformed request", "401": "Missing or bad token", "403": "Role may not do this",
        "404": "Not found or not visible to the caller", "409": "Not allowed in the current state, or a stale edit",
        "422": "Invalid fields (named in error.fields)",
        "429": "Over the token's call rate or upload volume (TRACKER_API_RATE_LIMIT, TRACKER_API_UPLOAD_LIMIT); "
               "the Retry-After header says how many seconds to wait",
    }.items()
}
REF_PARAM = {"name": "reference", "in": "path", "required": True, "schema": {"type": "string"},
             "example": "FT-2026-0001"}

SCHEMAS = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string"}, "message": {"type": "string"},
            "fields": {"type": "object", "additionalProperties": {"type": "string"}}}}}},
    "BudgetRowIn": {"type": "object", "required": ["item", "amount"], "properties": {
        "item": {"type": "string"}, "unit": {"type": "string"},
        "amount": {"description": "A number, or its text (\"1250.50\", \"1 250,50\"); at most two decimals",
                   "oneOf": [{"type": "number"}, {"type": "string"}]}}},
    "BudgetRow": {"type": "object", "required": ["item", "amount"], "properties": {
        "item": {"type": "string"}, "unit": {"type": "string"},
        "amount": {"type": "string", "pattern": "^\\d+\\.\\d{2}$", "example": "1250.50",
                   "description": "Exact, with two decimals, as text so that no cent is lost to floating point"}}},
    "ContractIn": {"type": "object", "additionalProperties": False,
                   "required": ["sponsor_id", "title", "protocol_number", "phase", "coordinating_site", "sites",
                                "received_on"],
                   "properties": {
                       "sponsor_id": {"type": "integer"}, "title": {"type": "string", "maxLength": 500},
                       "protocol_number": {"type": "string", "maxLength": 100},
                       "phase": {"type": "string", "enum": list(PHASES)},
                       "coordinating_site": {"type": "string", "example": "GR"},
                       "sites": {"type": "array", "items": {"type": "string"}, "example": ["GR", "IB"]},
                       "received_on": {"type": "string", "format": "date"},
                       "acronym": {"type": "string"}, "eu_ct_number": {"type": "string", "example": "2024-512345-21-00"},
                       "indication": {"type": "string"}, "patients": {"type": "integer", "minimum": 1},
                       "investigator": {"type": "string"},
                       "investigators": {"type": "object", "additionalProperties": {"type": "string"},
                                         "example": {"GR": "Dr Claire Martin", "IB": "Dr Paul Garnier"}},
                       "budget": {"type": "array", "items": _ref("BudgetRowIn")},
                       "cro": {"type": "string", "maxLength": 300,
                               "description": "The CRO acting for the sponsor, as the agreement names it"},
                       "site_details": {"type": "object", "additionalProperties": _ref("SiteDetails"),
                                        "description": "Each site's own figures and investigator identity, by site "
                                                       "code; a site without its own figures takes the contract's",
                                        "example": {"IB": {"patients": 6, "investigator_title": "Dr",
                                                           "investigator_rpps": "10000000009"}}},
                       "language": {"type": "string", "enum": ["fr", "en"], "description":
                                    "The agreements' language; default: the sponsor's, else fr for a "
                                    "French sponsor, en for another"}}},
    "SiteDetails": {"type": "object", "additionalProperties": False, "properties": {
        "patients": {"type": "integer", "minimum": 1, "nullable": True},
        "budget": {"type": "array", "items": _ref("BudgetRowIn"), "nullable": True},
        "investigator_title": {"type": "string", "maxLength": 100, "nullable": True, "example": "Dr"},
        "investigator_department": {"type": "string", "maxLength": 200, "nullable": True},
        "investigator_rpps": {"type": "string", "pattern": "^\\d{11}$", "nullable": True,
                              "description": "11 digits, Luhn-checked"},
        "third_party": {"type": "string", "maxLength": 300, "nullable": True,
                        "description": "The third-party structure (GCS, association) managing part of the sums"}}},
    "ContractChanges": {"type": "object", "additionalProperties": False, "properties": {
        **{k: {"type": "string"} for k in ("title", "acronym", "protocol_number", "eu_ct_number", "indication",
                                           "cro")},
        "language": {"type": "string", "enum": ["fr", "en"]},
        "phase": {"type": "string", "enum": list(PHASES)}, "patients": {"type": "integer", "minimum": 1},
        "budget": {"type": "array", "items": _ref("BudgetRowIn")},
        "investigators": {"type": "object", "additionalProperties": {"type": "string"}},
        "site_details": {"type": "object", "additionalProperties": _ref("SiteDetails")}}},
    "Track": {"type": "object", "properties": {
        "site": {"type": "string"}, "role": {"type": "string", "enum": ["coordinating", "associated"]},
        "stage": {"type": "string", "enum": list(ALL_STAGES)},
        "holder": {"type": "string", "nullable": True, "enum": ["site", "sponsor", "coordinator", None]},
        "round": {"type": "integer"},
        "signatures": {"type": "object", "properties": {
            p: {"type": "string", "format": "date-time", "nullable": True} for p in PARTIES}},
        "stage_entered_at": {"type": "string", "format": "date-time"}, "version": {"type": "integer"},
        "site_details": _ref("SiteDetails"),
        "owner": {"type": "string", "format": "email", "nullable": True},
        "fixed_document": {"type": "object", "nullable": True, "description": "The version fixed for signature",
                           "properties": {"id": {"type": "integer"}, "sha256": {"type": "string"}}},
        "signatories": {"type": "array", "items": _ref("Signatory")}}},
    "Signatory": {"type": "object", "properties": {
        "site": {"type": "string"}, "party": {"type": "string", "enum": list(PARTIES)}, "name": {"type": "string"},
        "email": {"type": "string", "format": "email", "description": "In the POST's answer only"},
        "language": {"type": "string", "enum": ["fr", "en"]}, "named_at": {"type": "string", "format": "date-time"},
        "capacity": {"type": "string", "nullable": True, "description": "The capacity shown in the signature block"},
        "link_sent_at": {"type": "string", "format": "date-time", "nullable": True},
        "link_expires_at": {"type": "string", "format": "date-time", "nullable": True},
        "signed_at": {"type": "string", "format": "date-time", "nullable": True}}},
    "SignatoryIn": {"type": "object", "additionalProperties": False, "required": ["site", "party"], "properties": {
        "site": {"type": "string", "example": "GR"}, "party": {"type": "string", "enum": list(PARTIES)},
        "name": {"type": "string", "maxLength": 200}, "email": {"type": "string", "format": "email"},
        "language": {"type": "string", "enum": ["fr", "en"]},
        "capacity": {"type": "string", "maxLength": 200, "description": "The capacity they sign in (default: the "
                                                                        "representative's title)"},
        "user_id": {"type": "integer", "description": "For the sponsor: one of its users (name and e-mail default "
                                                      "to theirs)"}}},
    "TrackOwnerIn": {"type": "object", "additionalProperties": False, "required": ["owner"], "properties": {
        "owner": {"type": "string", "format": "email", "nullable": True,
                  "description": "An active legal user of the track's site, or null for nobody"}}},
    "ContractSummary": {"type": "object", "properties": {
        "reference": {"type": "string"}, "sponsor_id": {"type": "integer"}, "sponsor": {"type": "string"},
        "title": {"type": "string"}, "acronym": {"type": "string", "nullable": True},
        "protocol_number": {"type": "string"}, "phase": {"type": "string"},
        "status": {"type": "string", "enum": ["open", "executed", "cancelled"]},
        "executed_sites": {"type": "string", "example": "1/2"}, "coordinating_site": {"type": "string"},
        "sites": {"type": "array", "items": {"type": "string"}}, "received_on": {"type": "string", "format": "date"}}},
    "Contract": {"allOf": [_ref("ContractSummary"), {"type": "object", "properties": {
        "eu_ct_number": {"type": "string", "nullable": True}, "indication": {"type": "string", "nullable": True},
        "patients": {"type": "integer", "nullable": True}, "budget": {"type": "array", "items": _ref("BudgetRow")},
        "created_at": {"type": "string", "format": "date-time"},
        "language": {"type": "string", "enum": ["fr", "en"],
                     "description": "The language of the agreements to sign (a version in another is a courtesy copy)"},
        "tracks": {"type": "array", "items": _ref("Track")}}}]},
    "EventIn": {"type": "object", "additionalProperties": False, "required": ["site", "action"], "properties": {
        "site": {"type": "string"}, "action": {"type": "string", "enum": list(ACTIONS)},
        "effective_at": {"type": "string", "format": "date-time"},
        "party": {"type": "string", "enum": list(PARTIES)}, "comment": {"type": "string", "maxLength": 5000},
        "for_sponsor": {"type": "boolean"},
        "document_id": {"type": "integer", "description": "send_to_sponsor: the version sent; agree and "
                                                         "conformity_ok: the version fixed for signature "
                                                         "(never a draft or a redline; default: the site's "
                                                         "current generated or revised version in the "
                                                         "contract's language, 409 when it has none in it)"}}},
    "Event": {"type": "object", "properties": {
        "id": {"type": "integer"}, "site": {"type": "string"}, "action": {"type": "string"},
        "from_stage": {"type": "string", "nullable": True}, "to_stage": {"type": "string"},
        "party": {"type": "string", "nullable": True}, "round": {"type": "integer"},
        "effective_at": {"type": "string", "format": "date-time"},
        "recorded_at": {"type": "string", "format": "date-time"},
        "comment": {"type": "string", "nullable": True}}},
}

PATHS = {
    "/health": {"get": {"summary": "Service and database status", "security": [],
                        "responses": {"200": _json({"type": "object"}), "503": _json({"type": "object"}, "Down")}}},
    "/openapi.json": {"get": {"summary": "This description", "security": [],
                              "responses": {"200": _json({"type": "object"})}}},
    "/contracts": {
        "post": {"summary": "Create a contract (staff)",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("ContractIn")}}},
                 "responses": {"201": _json(_ref("Contract"), "Created"), **ERRORS}},
        "get": {"summary": "Contracts the caller may see, newest first",
                "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
                               {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}}],
                "responses": {"200": _json({"type": "object", "properties": {
                    "contracts": {"type": "array", "items": _ref("ContractSummary")},
                    "limit": {"type": "integer"}, "offset": {"type": "integer"},
                    "next_offset": {"type": "integer", "nullable": True}}}),
                    **ERRORS}}},
    "/contracts/{reference}": {
        "get": {"summary": "One contract with its tracks", "parameters": [REF_PARAM],
                "responses": {"200": _json(_ref("Contract")), **ERRORS}},
        "patch": {"summary": "Change a contract's details, investigators or site details until its terms are agreed "
                             "(staff of the coordinating site; an associated site's staff: their own site's)",
                  "parameters": [REF_PARAM],
                  "requestBody": {"required": True,
                                  "content": {"application/json": {"schema": _ref("ContractChanges")}}},
                  "responses": {"200": _json(_ref("Contract")), **ERRORS}}},
    "/contracts/{reference}/events": {
        "get": {"summary": "The contract's events in order", "parameters": [REF_PARAM],
                "responses": {"200": _json({"type": "object", "properties": {
                    "events": {"type": "array", "items": _ref("Event")}}}), **ERRORS}},
        "post": {"summary": "Apply an action to a site's track", "parameters": [REF_PARAM],
                 "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("EventIn")}}},
                 "responses": {"201": _json(_ref("Event"), "Applied"), **ERRORS}}},
    "/contracts/{reference}/tracks/{site}/owner": {"put": {
        "summary": "Give a site's track to one of its legal users, or to nobody (staff of that site or admin)",
        "parameters": [REF_PARAM, {"name": "site", "in": "path", "required": True, "schema": {"type": "string"},
                                   "example": "GR"}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("TrackOwnerIn")}}},
        "responses": {"200": _json(_ref("Track"), "The track with its new owner"), **ERRORS}}},
    "/contracts/{reference}/signatories": {"post": {
        "summary": "Name who signs for one party of a site (staff of that site); the one-time signing link is "
                   "e-mailed once the site's version is fixed",
        "parameters": [REF_PARAM],
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("SignatoryIn")}}},
        "responses": {"201": _json(_ref("Signatory"), "Named"), **ERRORS}}},
    "/metrics": {"get": {
        "summary": "The fast track's figures over the contracts the caller may see (staff)",
        "description": "Medians of calendar days from mark_complete to agree and to the last signature at the "
                       "last site, over executed contracts, and the same from the contract's received_on (the "
                       "clock of Kiriakis et al. 2013); contracts counts every contract the filters match. "
                       "sites measures each site on its own track: a coordinating site from its mark_complete, "
                       "an associated site from the coordinator's agree, to that site's last signature; "
                       "within_ceiling_pct is the share of its executed tracks signed by their regulatory "
                       "ceiling (45 or 15 calendar days, rolled forward over weekends and public holidays), "
                       "within_target_pct the share held by the site no more than the partners' target of "
                       "working days (20 by default, a policy setting). The same filters apply.",
        "parameters": [
            {"name": "site", "in": "query", "schema": {"type": "string"}, "description": "contracts the site takes part in"},
            {"name": "sponsor_id", "in": "query", "schema": {"type": "integer"}},
            {"name": "phase", "in": "query", "schema": {"type": "string", "enum": list(PHASES)}},
            {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"},
             "description": "received on or after"},
            {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"},
             "description": "received on or before"}],
        "responses": {"200": _json(_ref("Metrics")), **ERRORS}}},
}
SCHEMAS["Metrics"] = {"type": "object", "properties": {
    **{k: {"type": "integer"} for k in ("contracts", "executed", "open", "cancelled")},
    **{k: {"type": "number", "nullable": True} for k in (
        "median_days_to_agreement", "median_days_to_execution", "within_sla_pct", "median_site_held_working_days",
        "median_sponsor_held_days", "median_rounds", "median_days_from_receipt_to_agreement",
        "median_days_from_receipt_to_execution")},
    "filters": {"type": "object"},
    "sites": {"type": "object", "description": "keyed by site code", "additionalProperties": _ref("SiteMetrics")},
    "stages": {"type": "object", "additionalProperties": {"type": "integer"}},
    "within_sla_by_stage": {"type": "object", "additionalProperties": {"type": "object", "properties": {
        "finished": {"type": "integer"}, "within": {"type": "integer"}, "pct": {"type": "number", "nullable": True}}}},
    "benchmarks": {"type": "object", "additionalProperties": {"type": "integer"}}}}


SCHEMAS["SiteMetrics"] = {"type": "object", "properties": {
    "tracks": {"type": "integer", "description": "the site's tracks among the contracts the filters match"},
    "executed": {"type": "integer", "description": "of which executed"},
    **{k: {"type": "number", "nullable": True, "description": d} for k, d in (
        ("median_days_to_signature", "calendar days from the site's clock start to its last signature"),
        ("median_days_from_receipt", "calendar days from the contract's received_on to the site's last signature"),
        ("within_ceiling_pct", "percent of executed tracks signed by their regulatory ceiling"),
        ("within_target_pct", "percent of executed tracks the site held within the partners' target"))}}}


SCHEMAS.update(documents.SCHEMAS)
PATHS.update(documents.paths(_ref, _json, ERRORS, REF_PARAM))
SCHEMAS.update(identity.SCHEMAS)
PATHS.update(identity.paths(_ref, _json, ERRORS))
SCHEMAS.update(hooks.SCHEMAS)
PATHS.update(hooks.paths(_ref, _json, ERRORS))
amendments.extend(SCHEMAS, PATHS, _ref, _json, ERRORS, REF_PARAM)

# GET /contracts and GET /contracts/{reference} answer with an ETag; If-None-Match gets a 304.
_CONDITIONAL = {"name": "If-None-Match", "in": "header", "schema": {"type": "string"},
                "description": "The ETag of an earlier answer: 304 with no body while it is still current"}
_ETAG = {"ETag": {"schema": {"type": "string"}, "description": "Changes with any change to the contract(s)"}}
for _path in ("/contracts", "/contracts/{reference}"):
    _get = PATHS[_path]["get"]
    _get["parameters"] = [*_get.get("parameters", []), _CONDITIONAL]
    _get["responses"]["200"] = {**_get["responses"]["200"], "headers": _ETAG}
    _get["responses"]["304"] = {"description": "Not modified since the tag given", "headers": _ETAG}


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Fast-track contract tracker API", "version": "1.0.0",
                 "description": "Clinical trial agreements between sponsors and the partner sites. A request that "
                                "changes something may carry an Idempotency-Key header: a retry with the same key "
                                "and request gets the first answer again (Idempotent-Replayed: true)."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}, "schemas": SCHEMAS},
        "paths": PATHS,
        "webhooks": hooks.webhooks(),
    }


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 description of every endpoint."""
    return jsonify(document())
