"""The OpenAPI description of the sponsor and site endpoints (legal identities, SPEC 5b)."""
from __future__ import annotations


def _strings(*names: str, nullable: bool = False) -> dict:
    return {name: {"type": "string", **({"nullable": True} if nullable else {})} for name in names}


CONTACT = {"type": "object", "required": ["name"], "properties": _strings("name", "email", "role", "phone")}
SPONSOR_FIELDS = {
    "name": {"type": "string", "maxLength": 200},
    "country": {"type": "string", "pattern": "^[A-Za-z]{2}$", "example": "FR"},
    **_strings("legal_name", "legal_form", "address", "representative", "representative_title"),
    "share_capital": {"type": "string", "example": "1 000 000 €", "description": "As the agreements print it"},
    "rcs_city": {"type": "string", "example": "Paris", "description": "City of the trade register (RCS)"},
    "registration_number": {"type": "string", "description": "France: SIREN (9 digits) or SIRET (14 digits), "
                                                             "checksum verified; elsewhere free text"},
    "vat_number": {"type": "string", "example": "FR40303265045"},
    "language": {"type": "string", "enum": ["fr", "en"]},
    "contacts": {"type": "array", "items": CONTACT, "description": "Replaces the sponsor's contacts"},
}
SITE_FIELDS = {
    "code": {"type": "string", "pattern": "^[A-Z][A-Z0-9]{1,15}$", "description": "Set at creation only"},
    **_strings("name", "legal_name", "address", "representative", "representative_title", "signatory_name"),
    "finess": {"type": "string", "pattern": "^(\\d{9}|2[AB]\\d{7})$"},
    "siret": {"type": "string", "description": "14 digits, checksum verified"},
    "signatory_email": {"type": "string", "format": "email"},
    "timezone": {"type": "string", "example": "Europe/Paris"},
    "country": {"type": "string", "example": "FR"},
    "subdivision": {"type": "string", "nullable": True},
    "works_whit_monday": {"type": "boolean"},
}


def _answered(fields: dict, always: tuple[str, ...]) -> dict:
    """The fields as answers give them: a field not set yet comes back as null."""
    answered = {}
    for name, schema in fields.items():
        if name not in always and schema.get("type") == "string":
            schema = {**schema, "nullable": True}
            if "enum" in schema:
                schema["enum"] = [*schema["enum"], None]
        answered[name] = schema
    return answered


SCHEMAS = {
    "SponsorIn": {"type": "object", "additionalProperties": False, "required": ["name"],
                  "properties": SPONSOR_FIELDS},
    "SponsorPatch": {"type": "object", "additionalProperties": False, "properties": SPONSOR_FIELDS},
    "Sponsor": {"type": "object", "properties": {"id": {"type": "integer"},
                                                 **_answered(SPONSOR_FIELDS, ("name",))}},
    "SiteIn": {"type": "object", "additionalProperties": False, "required": ["code", "name"],
               "properties": SITE_FIELDS},
    "SitePatch": {"type": "object", "additionalProperties": False,
                  "properties": {k: v for k, v in SITE_FIELDS.items() if k != "code"}},
    "Site": {"type": "object", "properties": _answered(SITE_FIELDS, ("code", "name", "timezone"))},
}


def paths(ref, json, errors) -> dict:
    def body(name):
        return {"required": True, "content": {"application/json": {"schema": ref(name)}}}

    sponsor_id = {"name": "sponsor_id", "in": "path", "required": True, "schema": {"type": "integer"}, "example": 1}
    code = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}, "example": "GR"}
    return {
        "/sponsors": {
            "get": {"summary": "Sponsors by name (staff)",
                    "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
                    "responses": {"200": json({"type": "object", "properties": {
                        "sponsors": {"type": "array", "items": ref("Sponsor")}}}), **errors}},
            "post": {"summary": "Register a sponsor with its legal identity (admin)", "requestBody": body("SponsorIn"),
                     "responses": {"201": json(ref("Sponsor"), "Created"), **errors}}},
        "/sponsors/{sponsor_id}": {
            "get": {"summary": "One sponsor (staff)", "parameters": [sponsor_id],
                    "responses": {"200": json(ref("Sponsor")), **errors}},
            "patch": {"summary": "Change a sponsor's legal identity or contacts (admin, or staff of a site working "
                                 "with it)", "parameters": [sponsor_id], "requestBody": body("SponsorPatch"),
                      "responses": {"200": json(ref("Sponsor")), **errors}}},
        "/sites": {
            "get": {"summary": "Every site", "responses": {"200": json({"type": "object", "properties": {
                "sites": {"type": "array", "items": ref("Site")}}}), **errors}},
            "post": {"summary": "Add a centre (admin)", "requestBody": body("SiteIn"),
                     "responses": {"201": json(ref("Site"), "Created"), **errors}}},
        "/sites/{code}": {
            "patch": {"summary": "Change a site's identity, signatory or calendar (admin); 422 names each invalid "
                                 "field", "parameters": [code], "requestBody": body("SitePatch"),
                      "responses": {"200": json(ref("Site")), **errors}}},
    }
