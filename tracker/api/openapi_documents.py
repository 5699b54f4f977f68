"""The OpenAPI description of templates and documents: generation, uploads, redlines, revised versions,
adoption, tracked changes and withdrawal (SPEC 5, 5d)."""
from __future__ import annotations


SCHEMAS = {
    "Template": {"type": "object", "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "version": {"type": "integer"},
        "filename": {"type": "string"}, "sha256": {"type": "string"}, "size": {"type": "integer"},
        "fields": {"type": "array", "items": {"type": "string"}}, "created_at": {"type": "string", "format": "date-time"},
        "retired": {"type": "boolean"},
        "regulated": {"type": "boolean", "description": "A regulated model: its text outside the fields is locked"}}},
    "Document": {"type": "object", "properties": {
        "id": {"type": "integer"}, "version": {"type": "integer"},
        "kind": {"type": "string", "enum": ["generated", "revised", "redline", "executed", "signed_evidence"]},
        "language": {"type": "string", "nullable": True, "example": "fr"},
        "based_on": {"type": "integer", "nullable": True,
                     "description": "revised: the redline it adopts, or the version it replaced when uploaded"},
        "compared_to": {"type": "integer", "nullable": True},
        "site": {"type": "string"}, "sha256": {"type": "string"}, "size": {"type": "integer"},
        "filename": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
        "draft": {"type": "boolean"},
        "template": {"type": "object", "nullable": True, "properties": {
            "name": {"type": "string"}, "version": {"type": "integer"}}},
        "comparison": {"type": "object", "nullable": True, "properties": {
            **{k: {"type": "integer"} for k in ("base_id", "changed", "added", "removed", "same")},
            "unmodified": {"type": "boolean", "description": "Same text as the version compared with"},
            "deviations": {"type": "array", "description": "Changes of a regulated model's locked text",
                           "items": {"type": "object", "properties": {
                               "index": {"type": "integer"}, "status": {"type": "string"},
                               "old": {"type": "string", "nullable": True},
                               "new": {"type": "string", "nullable": True}}}}}}}},
}


def paths(_ref, _json, ERRORS, REF_PARAM) -> dict:  # noqa: N803 (the names the main description uses)
    return {
        "/templates": {
            "get": {"summary": "Every template version", "responses": {"200": _json({"type": "object", "properties": {
                "templates": {"type": "array", "items": _ref("Template")}}}), **ERRORS}},
            "post": {"summary": "Upload a new template version (admin)",
                     "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                         "type": "object", "required": ["file", "name"], "properties": {
                             "file": {"type": "string", "format": "binary"}, "name": {"type": "string"}}}}}},
                     "responses": {"201": _json(_ref("Template"), "Stored"), **ERRORS}}},
        "/contracts/{reference}/documents": {
            "get": {"summary": "The contract's document versions", "parameters": [REF_PARAM],
                    "responses": {"200": _json({"type": "object", "properties": {
                        "documents": {"type": "array", "items": _ref("Document")}}}), **ERRORS}},
            "post": {"summary": "Generate an agreement for one site", "parameters": [REF_PARAM],
                     "requestBody": {"required": True, "content": {"application/json": {"schema": {
                         "type": "object", "required": ["template", "site"], "additionalProperties": False,
                         "properties": {"template": {"type": "string", "example": "coordinating_fr"},
                                        "site": {"type": "string", "example": "GR"},
                                        "draft": {"type": "boolean", "default": False, "description":
                                                  "Generate even though fields are empty; marked DRAFT."}}}}}},
                     "responses": {"201": _json(_ref("Document"), "Generated"), **ERRORS}}},
        "/contracts/{reference}/documents/upload": {"post": {
            "summary": "Upload a sponsor's redline for one site, or (kind=revised, site staff) the site's own "
                       "revised version, which becomes its current version", "parameters": [REF_PARAM],
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["file", "site"], "properties": {
                    "file": {"type": "string", "format": "binary"}, "site": {"type": "string"},
                    "kind": {"type": "string", "enum": ["redline", "revised"], "default": "redline"},
                    "language": {"type": "string", "enum": ["fr", "en"],
                                 "description": "revised only; default: that of the version it replaces"}}}}}},
            "responses": {"201": _json(_ref("Document"), "Stored, with the comparison counts"), **ERRORS}}},
        "/documents/{document_id}/content": {"get": {
            "summary": "The file as an attachment (.docx; PDF for executed agreements and signed copies)",
            "parameters": [{"name": "document_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "The file", "content": {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
                    "schema": {"type": "string", "format": "binary"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}, **ERRORS}}},
        "/documents/{document_id}/adopt": {"post": {
            "summary": "Adopt a sponsor's redline (staff of its site): its tracked changes accepted and comments "
                       "removed, it becomes the site's next revised version",
            "parameters": [{"name": "document_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"201": _json(_ref("Document"), "The new revised version"), **ERRORS}}},
        "/documents/{document_id}/changes": {"get": {
            "summary": "The version a redline or revised version is compared with, carrying its changes as Word "
                       "tracked changes (w:ins/w:del with author and date)",
            "parameters": [{"name": "document_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "The .docx", "content": {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
                    "schema": {"type": "string", "format": "binary"}}}}, **ERRORS}}},
        "/templates/{template_id}": {"patch": {
            "summary": "Mark a template (every version of its name) as a regulated model, or not (admin)",
            "parameters": [{"name": "template_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["regulated"], "additionalProperties": False,
                "properties": {"regulated": {"type": "boolean"}}}}}},
            "responses": {"200": _json(_ref("Template"), "Marked"), **ERRORS}}},
        "/documents/{document_id}/withdraw": {"post": {
            "summary": "Withdraw a version (staff of its site): hidden from lists, kept for the audit; 409 for a "
                       "version fixed for signature or an executed agreement",
            "parameters": [{"name": "document_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "requestBody": {"required": False, "content": {"application/json": {"schema": {
                "type": "object", "additionalProperties": False, "properties": {
                    "reason": {"type": "string", "maxLength": 500}}}}}},
            "responses": {"200": _json(_ref("Document"), "Withdrawn"), **ERRORS}}},
    }
