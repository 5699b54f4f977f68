"""The OpenAPI description of amendments and of the trial's regulatory status (SPEC 5b), added to the
contracts' schemas by ``tracker.api.openapi``."""
from __future__ import annotations

_DATE = {"type": "string", "format": "date", "nullable": True}
EU_CT = {"type": "string", "pattern": "^20[2-9]\\d-5\\d{5}-\\d{2}-\\d{2}$", "example": "2024-512345-21-00",
         "description": "EU CT number: year (2022 or later), six digits starting with 5, two groups of two digits"}

SCHEMAS = {
    "AmendmentIn": {"type": "object", "additionalProperties": False, "required": ["title", "received_on", "sites"],
                    "properties": {
                        "title": {"type": "string", "maxLength": 500, "description": "What the amendment changes",
                                  "example": "Amendment 1: 20 more patients"},
                        "received_on": {"type": "string", "format": "date",
                                        "description": "Not in the future, not before the agreement's signature"},
                        "sites": {"type": "array", "minItems": 1, "items": {"type": "string"}, "example": ["GR"],
                                  "description": "The sites it concerns, among those that signed the agreement"},
                        "language": {"type": "string", "enum": ["fr", "en"],
                                     "description": "The amendment's language; default: the agreement's"}}},
    "AmendmentSummary": {"type": "object", "properties": {
        "reference": {"type": "string", "example": "FT-2026-0001-A1"},
        "status": {"type": "string", "enum": ["open", "executed", "cancelled"]},
        "title": {"type": "string"}, "received_on": {"type": "string", "format": "date"}}},
    "SiteRegulatory": {"type": "object", "additionalProperties": False, "properties": {
        "activated_on": {**_DATE, "description": "Not before the site's signature nor the authorisation"},
        "first_patient_on": {**_DATE, "description": "Not before the site's activation"}}},
}
CONTRACT_FIELDS = {
    "amends": {"type": "string", "nullable": True, "description": "The agreement an amendment amends"},
    "amendments": {"type": "array", "items": {"$ref": "#/components/schemas/AmendmentSummary"}},
    "ctis_submitted_on": _DATE,
    "authorised_on": {**_DATE, "description": "Authorisation through CTIS (ANSM and CPP)"},
}
CHANGES = {
    "eu_ct_number": {**EU_CT, "nullable": True},
    "ctis_submitted_on": _DATE,
    "authorised_on": {**_DATE, "description": "Not before the CTIS submission"},
    "site_regulatory": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/SiteRegulatory"},
                        "description": "By site code; staff record their own site's dates",
                        "example": {"GR": {"activated_on": "2026-05-04", "first_patient_on": "2026-05-20"}}},
}
TRACK_FIELDS = {"activated_on": _DATE, "first_patient_on": _DATE}


def extend(schemas: dict, paths: dict, ref, json_, errors: dict, ref_param: dict) -> None:
    """Add the amendment endpoint and the regulatory fields to the contracts' description."""
    schemas.update(SCHEMAS)
    schemas["Contract"]["allOf"][1]["properties"].update(CONTRACT_FIELDS)
    schemas["ContractChanges"]["properties"].update(CHANGES)
    schemas["Track"]["properties"].update(TRACK_FIELDS)
    paths["/contracts/{reference}"]["patch"]["summary"] += (
        "; its regulatory status (eu_ct_number, CTIS dates, each site's activation and first patient) at any "
        "time (staff of a participating site)")
    paths["/contracts/{reference}/amendments"] = {"post": {
        "summary": "Amend an executed contract (staff of a participating site): a contract of its own, REF-A1, "
                   "REF-A2..., with the agreement's sponsor, details and chosen sites; 409 unless executed",
        "parameters": [ref_param],
        "requestBody": {"required": True, "content": {"application/json": {"schema": ref("AmendmentIn")}}},
        "responses": {"201": json_(ref("Contract"), "Created"), **errors}}}
    paths["/metrics"]["get"]["parameters"].append(
        {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["agreements", "amendments", "all"]},
         "description": "first agreements (default), amendments, or both"})
